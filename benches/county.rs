//! Whole-run benchmark: loubao's whole run on generated counties, beside the floor — reading
//! and decoding the same files into columns and nothing else — in the same session.
//!
//! ```sh
//! cargo bench --bench county                                  # 150,000 residents, 3 runs
//! LOUBAO_BENCH_PERSONS=150000,600000,2400000 LOUBAO_BENCH_RUNS=3 cargo bench --bench county
//! ```
//!
//! Counties are generated once per size (seed 1) under the target dir and reused. Medical
//! claim lines are GB18030 CSV, every other source xlsx, as `loubao sample` writes them.
//! Each measurement is a child process: wall time, cpu time and peak memory (max RSS) come
//! from `wait4`, stage times from the run's `manifest.json`. Figures are medians. Runs go
//! in rounds — in each, every size's floor and then its run — so that a noisy neighbour
//! hurts the floor and loubao, and each size, alike: the ratio of one size's whole run to
//! the next smaller one's is printed last.

use std::fs;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use calamine::{open_workbook_auto_from_rs, Reader};
use rayon::prelude::*;

/// What one child process cost.
#[derive(Debug, Clone, Copy)]
struct Cost {
    wall: f64,
    cpu: f64,
    peak_bytes: u64,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--floor") {
        std::hint::black_box(floor(Path::new(&args[at + 1])));
        return;
    }
    // `cargo test --benches` runs benchmarks without `--bench`: nothing to measure there.
    if !args.iter().any(|a| a == "--bench") {
        return;
    }
    let sizes: Vec<usize> = std::env::var("LOUBAO_BENCH_PERSONS")
        .unwrap_or_else(|_| "150000".into())
        .split(',')
        .map(|s| {
            s.trim()
                .parse()
                .expect("LOUBAO_BENCH_PERSONS: numbers, comma-separated")
        })
        .collect();
    let runs: usize = std::env::var("LOUBAO_BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let loubao = PathBuf::from(env!("CARGO_BIN_EXE_loubao"));
    println!(
        "loubao {} · {} cores",
        loubao.display(),
        rayon::current_num_threads()
    );
    let mut counties: Vec<Measured> = sizes
        .into_iter()
        .map(|persons| Measured::new(county(&loubao, persons), persons))
        .collect();
    for _ in 0..runs {
        for county in &mut counties {
            county.measure_once(&loubao);
        }
    }
    for county in &counties {
        county.print();
    }
    for pair in counties.windows(2) {
        let (small, large) = (&pair[0], &pair[1]);
        println!(
            "\n{} ÷ {} residents, whole run: {:.2} ({:.2}× the residents)",
            large.persons,
            small.persons,
            median_cost(&large.run_costs).wall / median_cost(&small.run_costs).wall,
            large.persons as f64 / small.persons as f64
        );
    }
}

/// One county's measurements so far.
struct Measured {
    dir: PathBuf,
    persons: usize,
    floor_costs: Vec<Cost>,
    run_costs: Vec<Cost>,
    stages: Vec<Vec<(String, f64)>>,
    rows: u64,
}

impl Measured {
    fn new(dir: PathBuf, persons: usize) -> Measured {
        Measured {
            dir,
            persons,
            floor_costs: Vec::new(),
            run_costs: Vec::new(),
            stages: Vec::new(),
            rows: 0,
        }
    }

    /// One run of the floor, then one of loubao, on a fresh outbox and ledger.
    fn measure_once(&mut self, loubao: &Path) {
        let inbox = self.dir.join("inbox");
        let cost = measure(
            Command::new(std::env::current_exe().unwrap())
                .arg("--floor")
                .arg(&inbox),
        );
        self.floor_costs.push(cost);
        let _ = fs::remove_dir_all(self.dir.join("outbox"));
        let cost = measure(
            Command::new(loubao)
                .args(["-q", "run"])
                .arg(self.dir.join("pipeline.toml")),
        );
        self.run_costs.push(cost);
        let (read, timings) = manifest_figures(&self.dir.join("outbox"));
        self.rows = read;
        self.stages.push(timings);
    }

    fn print(&self) {
        let (persons, rows, stages) = (self.persons, self.rows, &self.stages);
        let runs = self.run_costs.len();
        let inbox = self.dir.join("inbox");
        let bytes: u64 = files(&inbox)
            .iter()
            .map(|f| f.metadata().unwrap().len())
            .sum();
        let floor = median_cost(&self.floor_costs);
        let run = median_cost(&self.run_costs);
        println!(
            "\n## {persons} residents: {} files, {:.0} MB, {rows} input rows ({runs} runs, medians)",
            files(&inbox).len(),
            bytes as f64 / 1e6
        );
        println!("| step | wall s | rows/s | cpu ÷ wall | peak GiB |");
        println!("|---|---|---|---|---|");
        let line = |name: &str, c: &Cost| {
            println!(
                "| {name} | {:.2} | {:.0} | {:.2} | {:.2} |",
                c.wall,
                rows as f64 / c.wall,
                c.cpu / c.wall,
                c.peak_bytes as f64 / (1u64 << 30) as f64
            )
        };
        line("floor (read + decode into columns)", &floor);
        line("loubao run (whole process)", &run);
        let names: Vec<String> = stages[0].iter().map(|(s, _)| s.clone()).collect();
        let mut staged = 0.0;
        for name in &names {
            let secs = median(
                stages
                    .iter()
                    .filter_map(|r| r.iter().find(|(s, _)| s == name).map(|(_, t)| *t))
                    .collect(),
            );
            staged += secs;
            println!("| · {name} | {secs:.2} | | | |");
        }
        println!(
            "| · report, ledger, start-up (the rest) | {:.2} | | | |",
            run.wall - staged
        );
        println!("\nwhole run ÷ floor: {:.2}", run.wall / floor.wall);
    }
}

/// The county of `persons` residents, generated once.
fn county(loubao: &Path, persons: usize) -> PathBuf {
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    let dir = Path::new(&target).join(format!("bench-county-{persons}"));
    if !dir.join("pipeline.toml").exists() {
        let started = Instant::now();
        let status = Command::new(loubao)
            .args(["-q", "sample"])
            .arg(&dir)
            .args(["--persons", &persons.to_string(), "--seed", "1"])
            .status()
            .expect("run loubao sample");
        assert!(status.success(), "loubao sample failed");
        println!(
            "generated {} in {:.1} s",
            dir.display(),
            started.elapsed().as_secs_f64()
        );
    }
    // A 2.4 M-resident county's claim file passes the default 512 MiB per-file limit,
    // which would refuse it: the bench measures the whole county.
    let pipeline = dir.join("pipeline.toml");
    let text = fs::read_to_string(&pipeline).unwrap();
    if !text.contains("[limits]") {
        let raised = format!("{text}\n[limits]\nmax_file_bytes = 4294967296\n");
        fs::write(&pipeline, raised).unwrap();
    }
    dir
}

fn files(inbox: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(inbox)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Runs `command` to its end and returns its cost. A child that does not exit 0 stops the
/// bench: a partial run (a refused file) would otherwise be measured as if it were whole.
fn measure(command: &mut Command) -> Cost {
    let started = Instant::now();
    // Reaped by wait4 below, which also returns what the child cost.
    #[allow(clippy::zombie_processes)]
    let child = command.stdout(Stdio::null()).spawn().expect("spawn");
    let mut status = 0;
    // SAFETY: `rusage` is plain data that wait4 fills in; the pid is our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    let wall = started.elapsed().as_secs_f64();
    assert!(pid > 0, "wait4 failed");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{command:?} did not complete (wait status {status})"
    );
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    Cost {
        wall,
        cpu: seconds(usage.ru_utime) + seconds(usage.ru_stime),
        // Linux reports max RSS in KiB.
        peak_bytes: usage.ru_maxrss as u64 * 1024,
    }
}

/// Input rows and stage timings of the newest run folder's manifest.
fn manifest_figures(outbox: &Path) -> (u64, Vec<(String, f64)>) {
    let mut runs: Vec<PathBuf> = fs::read_dir(outbox)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("manifest.json").exists())
        .collect();
    runs.sort();
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(runs.last().unwrap().join("manifest.json")).unwrap())
            .unwrap();
    let timings = manifest["timings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["stage"].as_str().unwrap().to_string(),
                t["seconds"].as_f64().unwrap(),
            )
        })
        .collect();
    (manifest["counts"]["raw_records"].as_u64().unwrap(), timings)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn median_cost(costs: &[Cost]) -> Cost {
    Cost {
        wall: median(costs.iter().map(|c| c.wall).collect()),
        cpu: median(costs.iter().map(|c| c.cpu).collect()),
        peak_bytes: median(costs.iter().map(|c| c.peak_bytes as f64).collect()) as u64,
    }
}

// ---------------------------------------------------------------------------------------
// The floor: every file read and decoded into columns of strings, files in parallel, a
// large CSV in parallel chunks. Returns the data rows read (header rows excluded).

fn floor(inbox: &Path) -> u64 {
    // One file per core at a time, as loubao reads them.
    files(inbox)
        .par_iter()
        .map(|path| {
            let bytes = fs::read(path).unwrap();
            match path.extension().and_then(|e| e.to_str()) {
                Some("csv") => csv_columns(&bytes),
                _ => workbook_columns(bytes),
            }
        })
        .sum()
}

fn workbook_columns(bytes: Vec<u8>) -> u64 {
    let mut workbook = open_workbook_auto_from_rs(Cursor::new(bytes)).expect("workbook");
    let mut rows = 0;
    for name in workbook.sheet_names() {
        let range = workbook.worksheet_range(&name).expect("sheet");
        let mut columns: Vec<Vec<String>> = vec![Vec::new(); range.width()];
        for row in range.rows().skip(1) {
            for (column, cell) in columns.iter_mut().zip(row) {
                column.push(cell.to_string());
            }
            rows += 1;
        }
        std::hint::black_box(&columns);
    }
    rows
}

/// GB18030 (or UTF-8 with BOM) decoded and parsed in chunks cut at line ends: no GB18030
/// trail byte is a line feed, so a cut there never splits a character.
fn csv_columns(bytes: &[u8]) -> u64 {
    const CHUNK: usize = 8 << 20;
    let (encoding, body) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (encoding_rs::UTF_8, rest),
        None => (encoding_rs::GB18030, bytes),
    };
    let header_end = body
        .iter()
        .position(|&b| b == b'\n')
        .map_or(body.len(), |i| i + 1);
    let mut chunks = Vec::new();
    let mut start = header_end;
    while start < body.len() {
        let mut end = (start + CHUNK).min(body.len());
        while end < body.len() && body[end - 1] != b'\n' {
            end += 1;
        }
        chunks.push(&body[start..end]);
        start = end;
    }
    chunks
        .par_iter()
        .map(|chunk| {
            let (text, _) = encoding.decode_without_bom_handling(chunk);
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(text.as_bytes());
            let mut columns: Vec<Vec<String>> = Vec::new();
            let mut rows = 0;
            for record in reader.records() {
                let record = record.expect("csv");
                if columns.len() < record.len() {
                    columns.resize(record.len(), Vec::new());
                }
                for (column, field) in columns.iter_mut().zip(record.iter()) {
                    column.push(field.to_string());
                }
                rows += 1;
            }
            std::hint::black_box(&columns);
            rows
        })
        .sum()
}
