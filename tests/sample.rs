//! `loubao sample` through the library API: the files are where the truth says, readable the
//! way a department's files are, and (once the pipeline stages land) accurate enough.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use calamine::{open_workbook_auto, Data, Reader};
use loubao::model::RuleCode;
use loubao::sample::{generate, NoiseLevel, SampleOptions};

fn county(dir: &Path, persons: usize, seed: u64, noise: NoiseLevel) {
    let summary = generate(
        dir,
        &SampleOptions {
            persons,
            seed,
            noise,
            shuffle_rows: false,
        },
    )
    .unwrap();
    println!("{summary}");
}

/// file → physical rows the truth names.
fn truth_rows(dir: &Path) -> BTreeMap<String, BTreeSet<u32>> {
    let mut out: BTreeMap<String, BTreeSet<u32>> = BTreeMap::new();
    let mut reader = csv::Reader::from_path(dir.join("truth/rows.csv")).unwrap();
    for rec in reader.records() {
        let rec = rec.unwrap();
        let (file, row) = rec[0].rsplit_once('#').unwrap();
        out.entry(file.to_string())
            .or_default()
            .insert(row.parse().unwrap());
    }
    out
}

fn decoded_lines(path: &Path) -> Vec<String> {
    let bytes = std::fs::read(path).unwrap();
    let text = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => String::from_utf8(rest.to_vec()).unwrap(),
        None => {
            let (text, _, had_errors) = encoding_rs::GB18030.decode(&bytes);
            assert!(!had_errors, "{}", path.display());
            text.into_owned()
        }
    };
    text.lines().map(str::to_string).collect()
}

fn check_char(first17: &str) -> char {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17
        .chars()
        .zip(W)
        .map(|(c, w)| c.to_digit(10).unwrap() * w)
        .sum();
    b"10X98765432"[(sum % 11) as usize] as char
}

#[test]
fn truth_names_exactly_the_data_rows_of_every_file() {
    let dir = tempfile::tempdir().unwrap();
    county(dir.path(), 1200, 3, NoiseLevel::Default);
    let rows = truth_rows(dir.path());
    let inbox = dir.path().join("inbox");
    let mut files: Vec<_> = std::fs::read_dir(&inbox)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 14);
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let refs = rows
            .get(&name)
            .unwrap_or_else(|| panic!("no truth rows for {name}"));
        let (first, last) = (*refs.first().unwrap(), *refs.last().unwrap());
        assert_eq!(
            refs.len() as u32,
            last - first + 1,
            "{name}: rows are contiguous"
        );
        if name.ends_with(".csv") {
            let lines = decoded_lines(&path);
            assert_eq!(
                lines.len() as u32,
                last,
                "{name}: last data row is the last line"
            );
            assert!(
                lines[first as usize - 2].contains("身份证")
                    || lines[first as usize - 2].contains("证件号"),
                "{name}: header right above the data"
            );
        } else {
            let mut wb = open_workbook_auto(&path).unwrap();
            let range = wb.worksheet_range("Sheet1").unwrap();
            let cell = |row: u32, col: u32| {
                range
                    .get_value((row - 1, col))
                    .cloned()
                    .unwrap_or(Data::Empty)
            };
            assert!(
                matches!(cell(1, 0), Data::String(ref s) if s.starts_with("示例县")),
                "{name}: title row"
            );
            assert_eq!(
                cell(last + 1, 0),
                Data::String("合计".into()),
                "{name}: totals row"
            );
            let width = range.width() as u32;
            for row in first..=last {
                assert!(
                    (1..width).filter(|c| cell(row, *c) != Data::Empty).count() >= 3,
                    "{name}#{row}"
                );
            }
            // IDs are text cells, never numbers Excel could round.
            let header_row = first - 1;
            for col in 0..width {
                if let Data::String(h) = cell(header_row, col) {
                    if h.contains("身份证") || h.contains("身份号码") {
                        for row in first..=last {
                            let c = cell(row, col);
                            assert!(
                                matches!(c, Data::String(_) | Data::Empty),
                                "{name}#{row}: {c:?}"
                            );
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn persons_have_valid_ids_and_expected_codes_cover_every_rule() {
    let dir = tempfile::tempdir().unwrap();
    county(dir.path(), 3000, 7, NoiseLevel::Default);
    let mut reader = csv::Reader::from_path(dir.path().join("truth/persons.csv")).unwrap();
    let mut ids = BTreeSet::new();
    for rec in reader.records() {
        let id = rec.unwrap()[2].to_string();
        assert_eq!(id.len(), 18);
        assert_eq!(id.chars().last(), Some(check_char(&id[..17])), "{id}");
        assert!(ids.insert(id), "IDs are unique");
    }
    let mut per_code: BTreeMap<String, usize> = BTreeMap::new();
    let mut reader = csv::Reader::from_path(dir.path().join("truth/expected.csv")).unwrap();
    for rec in reader.records() {
        for code in rec.unwrap()[2].split(';') {
            *per_code.entry(code.to_string()).or_default() += 1;
        }
    }
    for code in RuleCode::ALL {
        assert!(
            per_code.get(code.code()).is_some_and(|n| *n > 0),
            "{code:?}: {per_code:?}"
        );
    }
}

#[test]
fn pipeline_file_parses_and_each_source_claims_exactly_one_file() {
    let dir = tempfile::tempdir().unwrap();
    let summary = generate(
        dir.path(),
        &SampleOptions {
            persons: 1500,
            seed: 5,
            noise: NoiseLevel::Default,
            shuffle_rows: false,
        },
    )
    .unwrap();
    let text = std::fs::read_to_string(dir.path().join("pipeline.toml")).unwrap();
    let p = loubao::config::parse(&text).unwrap();
    assert_eq!(p.sources.len(), 14);
    assert_eq!(p.townships.len(), summary.townships);
    let files: Vec<String> = std::fs::read_dir(dir.path().join("inbox"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    for s in &p.sources {
        let glob = globset::Glob::new(&s.glob).unwrap().compile_matcher();
        let claimed = files.iter().filter(|f| glob.is_match(f)).count();
        assert_eq!(claimed, 1, "{} claims exactly one file", s.glob);
    }
    // Every code of SPEC 6 has suspects, so that accuracy is measurable per code.
    assert!(
        summary.expected.iter().all(|n| *n > 0),
        "{:?}",
        summary.expected
    );
}

/// Runs the real binary on a fresh county and scores it.
fn run_and_score(noise: NoiseLevel) -> loubao::sample::EvalReport {
    let dir = tempfile::tempdir().unwrap();
    county(dir.path(), 6000, 21, noise);
    let pipeline = dir.path().join("pipeline.toml");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_loubao"))
        .args(["--quiet", "run"])
        .arg(&pipeline)
        .status()
        .unwrap();
    assert!(matches!(status.code(), Some(0 | 3)), "run failed: {status}");
    let report = loubao::sample::evaluate(&pipeline, &dir.path().join("truth")).unwrap();
    println!("{noise:?}\n{report}");
    report
}

#[test]
fn accuracy_at_default_noise_is_at_least_098_per_code() {
    let report = run_and_score(NoiseLevel::Default);
    assert!(report.run_folder.is_some());
    // Linkage (issue 5): precision is held to 0.995; recall is printed above (0.98+ here;
    // the 0.99 goal is not reached yet, see BENCHMARKS.md).
    let link = &report.link;
    assert_eq!(
        link.records, link.records_known,
        "the truth knows every record read"
    );
    let precision = link.correct_pairs as f64 / link.predicted_pairs as f64;
    let recall = link.correct_pairs as f64 / link.true_pairs as f64;
    assert!(precision >= 0.995, "link precision {precision:.4}");
    assert!(recall >= 0.98, "link recall {recall:.4}");
    // Record by record to the rolls (issue 5 asks recall >= 0.99; 0.97 is the floor until
    // then). The report printed above holds the breakdowns by damage and by source.
    let roll = &report.roll_link;
    println!(
        "roll-link precision {:.4}, recall {:.4} ({}/{}, {} held for review)",
        roll.precision(),
        roll.recall.recall(),
        roll.recall.found,
        roll.recall.total,
        roll.recall.held
    );
    assert!(
        roll.recall.total > 0,
        "the county has screening records on a roll"
    );
    assert!(
        roll.precision() >= 0.995,
        "roll-link precision {:.4}",
        roll.precision()
    );
    assert!(
        roll.recall.recall() >= 0.97,
        "roll-link recall {:.4}",
        roll.recall.recall()
    );
    // What is not linked is not dropped: it waits on the review list beside a roll record.
    let open = roll.recall.total - roll.recall.found - roll.recall.held;
    assert!(
        open as f64 <= 0.005 * roll.recall.total as f64,
        "{open} screening records on a roll neither linked nor held for review"
    );
    for code in RuleCode::ALL {
        let score = report.code(code).unwrap();
        // Issue 4 asks F1 >= 0.98; the rules issue asks precision and recall each >= 0.98.
        assert!(
            score.precision() >= 0.98,
            "{code:?}: precision {:.4}",
            score.precision()
        );
        assert!(
            score.recall() >= 0.98,
            "{code:?}: recall {:.4}",
            score.recall()
        );
    }
}

/// Heavy noise is a stress figure, printed for the record (`--nocapture`); recall may fall
/// there, but what links must still be right (measured: link and roll-link precision
/// 1.0000, roll-link recall 0.9625).
#[test]
fn links_stay_right_at_heavy_noise() {
    let report = run_and_score(NoiseLevel::Heavy);
    assert!(report.run_folder.is_some());
    let link = &report.link;
    let precision = link.correct_pairs as f64 / link.predicted_pairs as f64;
    assert!(precision >= 0.99, "link precision {precision:.4}");
    let roll = report.roll_link.precision();
    assert!(roll >= 0.99, "roll-link precision {roll:.4}");
}

/// R07 (issue 19): complaints about conduct in the generated hotline and petition files are
/// found as the truth records them, and never land in a township's own list.
#[test]
fn conduct_clues_are_found_and_kept_off_the_township_lists() {
    let dir = tempfile::tempdir().unwrap();
    county(dir.path(), 8000, 33, NoiseLevel::Default);
    let pipeline = dir.path().join("pipeline.toml");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_loubao"))
        .args(["--quiet", "run"])
        .arg(&pipeline)
        .status()
        .unwrap();
    assert!(matches!(status.code(), Some(0 | 3)), "run failed: {status}");
    let report = loubao::sample::evaluate(&pipeline, &dir.path().join("truth")).unwrap();
    let r07 = report.code(RuleCode::R07).unwrap();
    println!("{report}");
    assert!(
        r07.true_positives + r07.false_negatives >= 15,
        "the county has conduct complaints to find: {r07:?}"
    );
    assert!(
        r07.precision() >= 0.99,
        "R07 precision {:.4}",
        r07.precision()
    );
    assert!(r07.recall() >= 0.99, "R07 recall {:.4}", r07.recall());

    let folder = report.run_folder.clone().unwrap();
    let mut conduct_rows = 0;
    for entry in std::fs::read_dir(&folder).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "csv") {
            continue;
        }
        let lines = decoded_lines(&path);
        let header: Vec<&str> = lines[0].split(',').collect();
        if header == loubao::model::ConductColumn::HEADERS {
            conduct_rows += lines.len() - 1;
            continue;
        }
        let Some(codes) = header.iter().position(|h| *h == "疑似类型代码") else {
            continue;
        };
        let mut reader = csv::Reader::from_path(&path).unwrap();
        for rec in reader.records() {
            let rec = rec.unwrap();
            assert!(
                !rec[codes].contains("R07"),
                "{}: a conduct clue in a township list: {rec:?}",
                path.display()
            );
        }
    }
    assert!(
        conduct_rows >= r07.true_positives,
        "one row per complaint: {conduct_rows} rows for {} complainants",
        r07.true_positives
    );
}
