//! A synthetic county with ground truth: the generator behind `loubao sample`, and `eval`.
//!
//! `generate` draws a county (`county`), puts its people on the bureau's rolls and the other
//! departments' lists (`sources`), damages the screening extracts the way real ones are
//! damaged (`noise`), writes the files as departments send them (`write`), and beside them
//! the truth: who each row is, and which codes SPEC 6 gives each person (`truth`, computed on
//! the clean facts without any of the pipeline's code). `eval` scores a pipeline run
//! against that truth. Same seed, same bytes.

mod county;
pub mod eval;
mod noise;
mod sources;
mod truth;
mod write;

use std::fmt;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::NaiveDate;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use loubao_lang::tr;
use loubao_model::Role;

pub use eval::{evaluate, EvalReport};

/// Name used in titles and addresses.
pub const COUNTY_NAME: &str = "示例县";
/// The county's region code (first six digits of its residents' IDs).
pub const REGION_CODE: &str = "410123";

/// Screening date of the sample county.
pub fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2021, 6, 30).expect("valid date")
}

/// Start of the screening window of the sample county.
pub fn since() -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 1, 1).expect("valid date")
}

/// How damaged the screening extracts are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NoiseLevel {
    /// Clean extracts: every ID valid, every name as registered.
    None,
    /// About what a county really receives.
    #[default]
    Default,
    /// Three times the default rates.
    Heavy,
}

#[derive(Debug, Clone)]
pub struct SampleOptions {
    pub persons: usize,
    pub seed: u64,
    pub noise: NoiseLevel,
    /// Shuffle every file's data rows (truth follows): the same county as another
    /// department's export of it might order it, for tests of what must not depend on rows.
    pub shuffle_rows: bool,
}

/// What was written, for the console.
#[derive(Debug, Clone)]
pub struct SampleSummary {
    pub persons: usize,
    pub households: usize,
    pub townships: usize,
    /// (file name, data rows).
    pub files: Vec<(String, usize)>,
    /// Expected suspects per code, in `RuleCode::ALL` order.
    pub expected: [usize; loubao_model::RuleCode::ALL.len()],
    pub bytes: u64,
    pub elapsed: Duration,
}

impl fmt::Display for SampleSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (persons, households, townships) = (self.persons, self.households, self.townships);
        writeln!(
            f,
            "{}",
            tr!(
                "示例县: {persons} 人, {households} 户, {townships} 个乡镇",
                "sample county: {persons} residents, {households} households, {townships} townships"
            )
        )?;
        for (file, rows) in &self.files {
            writeln!(f, "{}", tr!("  {file}: {rows} 行", "  {file}: {rows} rows"))?;
        }
        let codes: Vec<String> = loubao_model::RuleCode::ALL
            .iter()
            .zip(self.expected)
            .map(|(c, n)| format!("{} {n}", c.code()))
            .collect();
        let codes = codes.join(", ");
        writeln!(
            f,
            "{}",
            tr!("应检出疑似对象: {codes}", "suspects to be found: {codes}")
        )?;
        let (megabytes, seconds) = (self.bytes as f64 / 1_048_576.0, self.elapsed.as_secs_f64());
        write!(
            f,
            "{}",
            tr!(
                "共 {megabytes:.1} MB, 用时 {seconds:.1} 秒",
                "{megabytes:.1} MB in all, {seconds:.1} seconds"
            )
        )
    }
}

/// Writes `<dir>/inbox/` (department files), `<dir>/truth/` and `<dir>/pipeline.toml`.
pub fn generate(dir: &Path, opts: &SampleOptions) -> anyhow::Result<SampleSummary> {
    let started = Instant::now();
    anyhow::ensure!(
        opts.persons >= 100,
        tr!("--persons 至少为 100", "--persons must be at least 100")
    );
    let inbox = dir.join("inbox");
    let truth_dir = dir.join("truth");
    for d in [&inbox, &truth_dir] {
        std::fs::create_dir_all(d)
            .with_context(|| tr!("无法创建 {}", "cannot create {}", d.display()))?;
    }
    // Independent streams, so that a change in one phase does not reshuffle the others.
    let stream = |n: u64| {
        let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
        rng.set_stream(n);
        rng
    };
    let mut county = county::generate(&mut stream(1), opts.persons);
    let screen = noise::Noiser {
        rng: stream(3),
        rates: noise::Rates::screening(opts.noise),
    };
    let roll = noise::Noiser {
        rng: stream(4),
        rates: noise::Rates::roll(opts.noise),
    };
    let mut drawn = sources::draw(&county, stream(2), screen, roll);
    for (pid, name) in &drawn.renamed {
        county.residents[*pid].name = name.clone();
    }

    if opts.noise != NoiseLevel::None {
        let mut rng = stream(6);
        for table in &mut drawn.tables {
            noise::respell_headers(&mut table.headers, &mut rng);
        }
    }

    if opts.shuffle_rows {
        let mut rng = stream(7);
        for table in &mut drawn.tables {
            table.rows.shuffle(&mut rng);
        }
    }

    let mut rows_truth = write::RowsTruth::create(&truth_dir.join("rows.csv"))?;
    let mut files = Vec::new();
    for table in &drawn.tables {
        write::write_table(&inbox, table)?;
        rows_truth.table(table)?;
        files.push((table.file.clone(), table.rows.len()));
    }
    let mut medical_noise = noise::Noiser {
        rng: stream(5),
        rates: noise::Rates::screening(opts.noise),
    };
    let lines = write_medical(
        &inbox,
        &county,
        &drawn.claimants,
        &mut stream(6),
        &mut medical_noise,
        &mut drawn.facts,
        &mut rows_truth,
    )?;
    files.push((sources::MEDICAL.to_string(), lines));
    files.sort();
    rows_truth.finish()?;

    let window = truth::Window {
        since: since(),
        as_of: as_of(),
    };
    let expected = truth::expected(&drawn.facts, window);
    write_persons(&truth_dir, &county)?;
    let mut counts = [0usize; loubao_model::RuleCode::ALL.len()];
    write_expected(&truth_dir, &county, &expected, &mut counts)?;
    std::fs::write(
        dir.join("pipeline.toml"),
        pipeline_toml(&county, "inbox", "outbox"),
    )?;

    let bytes = [&inbox, &truth_dir]
        .iter()
        .flat_map(|d| std::fs::read_dir(d).into_iter().flatten().flatten())
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum();
    Ok(SampleSummary {
        persons: county.residents.len(),
        households: county.households.len(),
        townships: county.townships.len(),
        files,
        expected: counts,
        bytes,
        elapsed: started.elapsed(),
    })
}

/// Streams the medical claim lines (millions at county scale) straight to GB18030 csv.
/// Noise is decided once per claimant: the insurance system repeats the same record.
fn write_medical(
    inbox: &Path,
    county: &county::County,
    claimants: &[(usize, sources::ClaimProfile)],
    rng: &mut ChaCha8Rng,
    noiser: &mut noise::Noiser,
    facts: &mut truth::Facts,
    rows_truth: &mut write::RowsTruth,
) -> anyhow::Result<usize> {
    let path = inbox.join(sources::MEDICAL);
    let mut sink = write::CsvSink::create(&path, write::FileFormat::CsvGb18030)?;
    sink.write(&sources::MEDICAL_HEADERS)?;
    let window = truth::Window {
        since: since(),
        as_of: as_of(),
    };
    let mut row = 1u32;
    for &(pid, profile) in claimants {
        let r = &county.residents[pid];
        let t = &county.townships[r.township];
        let (name, mut noise) = noiser.name(&r.name);
        let (id, id_noise) = noiser.id(&r.id, None);
        noise.extend(id_noise);
        let (township, t_noise) = noiser.township(&t.name, &t.aliases, false);
        noise.extend(t_noise);
        let township = township.unwrap_or_default();
        for (date, total, oop) in sources::claims(rng, profile) {
            row += 1;
            // Some exports print the settlement time too.
            let date_text = if rng.gen_bool(0.2) {
                date.format("%Y-%m-%d 00:00:00").to_string()
            } else {
                date.format("%Y-%m-%d").to_string()
            };
            sink.write(&[
                name.as_str(),
                &id,
                &township,
                &date_text,
                &format!("{total:.2}"),
                &format!("{oop:.2}"),
            ])?;
            facts.add_claim(window, pid, date, oop);
            let source = loubao_model::SourceRef::new(sources::MEDICAL, None, row);
            rows_truth.row(&source, &[(Role::Subject, pid)], &noise)?;
        }
    }
    sink.finish()
        .with_context(|| tr!("写入 {} 失败", "writing {} failed", path.display()))?;
    Ok((row - 1) as usize)
}

fn write_persons(truth_dir: &Path, county: &county::County) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_path(truth_dir.join("persons.csv"))?;
    w.write_record(["person_id", "name", "id_number", "township", "village"])?;
    for (pid, r) in county.residents.iter().enumerate() {
        let t = &county.townships[r.township];
        w.write_record([
            write::person_id(pid).as_str(),
            &r.name,
            &r.id,
            &t.name,
            &t.villages[r.village],
        ])?;
    }
    w.flush()?;
    Ok(())
}

fn write_expected(
    truth_dir: &Path,
    county: &county::County,
    expected: &std::collections::BTreeMap<
        usize,
        std::collections::BTreeSet<loubao_model::RuleCode>,
    >,
    counts: &mut [usize; loubao_model::RuleCode::ALL.len()],
) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_path(truth_dir.join("expected.csv"))?;
    w.write_record(["person_id", "township", "codes"])?;
    for (pid, codes) in expected {
        for c in codes {
            counts[*c as usize] += 1;
        }
        let codes: Vec<&str> = codes.iter().map(|c| c.code()).collect();
        let t = &county.townships[county.residents[*pid].township];
        w.write_record([write::person_id(*pid).as_str(), &t.name, &codes.join(";")])?;
    }
    w.flush()?;
    Ok(())
}

/// The pipeline file for the sample county, with a comment on every key.
pub fn pipeline_toml(county: &county::County, inbox: &str, outbox: &str) -> String {
    let c = |comment: &str| format!("# {comment}\n");
    let mut s = String::new();
    s += &c("示例县 (loubao sample 生成的合成数据). County name, used in titles.");
    s += &format!("county = \"{COUNTY_NAME}\"\n");
    s += &c("排查基准日: 名册在这一天是否有效. Screening date (defaults to the run date).");
    s += &format!("as_of = \"{}\"\n", as_of());
    s += &c("排查期起点: 医疗费用、信访、求助等只计这一天以后的. Start of the screening window.");
    s += &format!("since = \"{}\"\n", since());
    s += &c("各部门放文件的文件夹 (相对本文件). Folder the departments drop files into.");
    s += &format!("inbox = \"{inbox}\"\n");
    s += &c("每次运行在此写一个按日期命名的文件夹. Each run writes a dated folder here.");
    s += &format!("outbox = \"{outbox}\"\n");
    s += &c("乡镇: 标准名称、别名 (城关 = 城关镇) 和村/社区. Townships with aliases and villages.");
    for t in &county.townships {
        s += "\n[[townships]]\n";
        s += &format!("name = \"{}\"\n", t.name);
        let quote = |v: &[String]| {
            v.iter()
                .map(|x| format!("\"{x}\""))
                .collect::<Vec<_>>()
                .join(", ")
        };
        s += &format!("aliases = [{}]\n", quote(&t.aliases));
        s += &format!("villages = [{}]\n", quote(&t.villages));
    }
    s += "\n";
    s += &c("每个来源: kind = 来源类型, glob = 收件箱中的文件名 (* 匹配任意字符, 部门改了文件名后缀也能识别).");
    s +=
        &c("One entry per department; the glob tolerates a date or batch suffix in the file name.");
    let kinds = [
        ("agriculture", sources::AGRICULTURE),
        ("medical", sources::MEDICAL),
        ("disability", sources::DISABILITY),
        ("petition", sources::PETITION),
        ("hotline", sources::HOTLINE),
        ("unemployment", sources::UNEMPLOYMENT),
        ("emergency", sources::EMERGENCY),
        ("children", sources::CHILDREN),
        ("dibao", sources::DIBAO),
        ("tekun", sources::TEKUN),
        ("orphan", sources::ORPHAN),
        ("fuc", sources::FUC),
        ("temp_assistance", sources::TEMP_ASSISTANCE),
        ("low_income", sources::LOW_INCOME),
    ];
    for (kind, file) in kinds {
        let stem = file.rsplit_once('.').map_or(file, |(stem, _)| stem);
        s += &format!("\n[[sources]]\nkind = \"{kind}\"\nglob = \"{stem}*\"\n");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(seed: u64) -> SampleOptions {
        SampleOptions {
            persons: 1500,
            seed,
            noise: NoiseLevel::Default,
            shuffle_rows: false,
        }
    }

    fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
        let mut out = Vec::new();
        for sub in ["inbox", "truth"] {
            let mut names: Vec<_> = std::fs::read_dir(dir.join(sub))
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
            names.sort();
            for p in names {
                out.push((p.display().to_string(), std::fs::read(&p).unwrap()));
            }
        }
        out.push((
            "pipeline.toml".into(),
            std::fs::read(dir.join("pipeline.toml")).unwrap(),
        ));
        out
    }

    #[test]
    fn same_seed_gives_identical_bytes_and_another_seed_does_not() {
        let (a, b, c) = (
            tempfile::tempdir().unwrap(),
            tempfile::tempdir().unwrap(),
            tempfile::tempdir().unwrap(),
        );
        generate(a.path(), &opts(11)).unwrap();
        generate(b.path(), &opts(11)).unwrap();
        generate(c.path(), &opts(12)).unwrap();
        let (fa, fb, fc) = (files(a.path()), files(b.path()), files(c.path()));
        assert_eq!(fa.len(), 14 + 3 + 1);
        for ((pa, ba), (_, bb)) in fa.iter().zip(&fb) {
            assert!(ba == bb, "{pa} differs between two runs with the same seed");
        }
        assert_ne!(
            fa.iter().map(|f| &f.1).collect::<Vec<_>>(),
            fc.iter().map(|f| &f.1).collect::<Vec<_>>()
        );
    }
}
