//! Safe nightly operation, driven through the real binary on a generated county:
//! locking, crash safety, partial runs with bad files, reruns, masking and file modes.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_loubao");

fn loubao(args: &[&str]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(args).env_remove("LOUBAO_TEST_PAUSE");
    cmd
}

fn output(mut cmd: Command) -> Output {
    cmd.output().expect("loubao runs")
}

/// A small generated county with its pipeline file.
fn county(persons: usize) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = output(loubao(&[
        "sample",
        dir.path().to_str().unwrap(),
        "--persons",
        &persons.to_string(),
        "--seed",
        "11",
    ]));
    assert!(
        out.status.success(),
        "sample: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pipeline = dir.path().join("pipeline.toml");
    assert!(pipeline.exists());
    (dir, pipeline)
}

/// Completed run folders in the outbox (hidden staging folders excluded).
fn run_folders(outbox: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(outbox)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with('.'))
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    dirs
}

fn township_csvs(run: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = fs::read_dir(run)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                fs::read(&p).unwrap(),
            )
        })
        .filter(|(_, bytes)| bytes.starts_with("\u{feff}线索编号".as_bytes()))
        // The county's conduct list starts with 线索编号 too, but is no township's.
        .filter(|(name, _)| *name != format!("{}.csv", loubao::report::CONDUCT))
        .collect();
    files.sort();
    files
}

fn wait_for(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn second_run_is_refused_and_a_killed_run_leaves_no_folder() {
    let (dir, pipeline) = county(300);
    let outbox = dir.path().join("outbox");
    // The first run pauses after writing its lists, inside the staging folder, holding the lock.
    let mut first = Command::new(BIN)
        .args(["run", pipeline.to_str().unwrap()])
        .env("LOUBAO_TEST_PAUSE", "before-finish")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let staged = || {
        fs::read_dir(&outbox)
            .into_iter()
            .flatten()
            .flatten()
            .any(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                name.starts_with(".staging-") && e.path().join("manifest.json").exists()
            })
    };
    wait_for(
        "the first run to stage its outputs",
        Duration::from_secs(120),
        staged,
    );

    let second = output(loubao(&["run", pipeline.to_str().unwrap()]));
    assert_eq!(second.status.code(), Some(6), "lock held exit code");
    let message = String::from_utf8_lossy(&second.stderr);
    assert!(message.contains("另一次运行正在进行"), "{message}");

    first.kill().unwrap();
    first.wait().unwrap();
    assert!(
        run_folders(&outbox).is_empty(),
        "a killed run must leave no run folder"
    );

    let third = output(loubao(&["run", pipeline.to_str().unwrap()]));
    assert!(
        matches!(third.status.code(), Some(0) | Some(3)),
        "next run succeeds: {}",
        String::from_utf8_lossy(&third.stderr)
    );
    assert_eq!(run_folders(&outbox).len(), 1);
    let leftovers = fs::read_dir(&outbox)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".staging-"))
        .count();
    assert_eq!(
        leftovers, 0,
        "the crashed run's staging folder is cleaned up"
    );
}

#[test]
fn reruns_give_identical_lists_whatever_the_thread_count() {
    let (dir, pipeline) = county(400);
    let outbox = dir.path().join("outbox");
    // Each thread count starts from an empty outbox (and so an empty clue ledger): the
    // lists must then agree byte for byte.
    let mut lists = Vec::new();
    for threads in ["1", "2"] {
        let mut cmd = loubao(&["run", pipeline.to_str().unwrap()]);
        cmd.env("RAYON_NUM_THREADS", threads);
        let out = output(cmd);
        assert!(matches!(out.status.code(), Some(0) | Some(3)));
        let runs = run_folders(&outbox);
        assert_eq!(runs.len(), 1);
        lists.push(township_csvs(&runs[0]));
        fs::rename(&outbox, dir.path().join(format!("outbox-{threads}"))).unwrap();
    }
    assert!(lists[0]
        .iter()
        .any(|(_, bytes)| bytes.iter().filter(|b| **b == b'\n').count() > 1));
    let as_text = |files: &[(String, Vec<u8>)]| -> Vec<(String, String)> {
        files
            .iter()
            .map(|(name, bytes)| (name.clone(), String::from_utf8_lossy(bytes).into_owned()))
            .collect()
    };
    assert_eq!(
        as_text(&lists[0]),
        as_text(&lists[1]),
        "same inputs, same lists"
    );
}

#[test]
fn a_same_day_rerun_gets_its_own_folder_and_continues_the_clues() {
    let (dir, pipeline) = county(300);
    let outbox = dir.path().join("outbox");
    for _ in 0..2 {
        let out = output(loubao(&["run", pipeline.to_str().unwrap()]));
        assert!(matches!(out.status.code(), Some(0) | Some(3)));
    }
    let runs = run_folders(&outbox);
    assert_eq!(runs.len(), 2, "the first run's folder is never overwritten");
    assert!(runs[1]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .ends_with("_2"));
    let rows = |run: &Path| -> Vec<Vec<String>> {
        township_csvs(run)
            .iter()
            .flat_map(|(_, bytes)| {
                String::from_utf8_lossy(bytes)
                    .lines()
                    .skip(1)
                    .map(|l| l.split(',').map(str::to_string).collect())
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    let (first, second) = (rows(&runs[0]), rows(&runs[1]));
    assert!(!first.is_empty());
    let clue_ids = |rows: &[Vec<String>]| rows.iter().map(|r| r[0].clone()).collect::<Vec<_>>();
    assert_eq!(
        clue_ids(&first),
        clue_ids(&second),
        "clue numbers are stable"
    );
    assert!(first.iter().all(|r| r.contains(&"新增".to_string())));
    assert!(second.iter().all(|r| r.contains(&"持续".to_string())));
}

#[test]
fn bad_files_become_rejects_and_the_run_is_partial() {
    let (dir, pipeline) = county(300);
    let inbox = dir.path().join("inbox");
    // Names chosen to be claimed by the sample pipeline's globs.
    let medical = first_file(&inbox, "医保局");
    let dibao = first_file(&inbox, "民政_低保");
    let truncated = inbox.join("民政_低保_补充.xlsx");
    let bytes = fs::read(&dibao).unwrap();
    fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    // GBK text with a broken multi-byte sequence in the middle.
    let mut gbk = encoding_rs::GB18030
        .encode("姓名,身份证号,信访日期\n张三,,2021-03-01\n")
        .0
        .into_owned();
    gbk.extend_from_slice(&[0x81, 0x20, 0xff, b'\n']);
    fs::write(inbox.join("信访局_补报.csv"), gbk).unwrap();
    fs::write(inbox.join("应急局_空文件.csv"), b"").unwrap();
    // A hotline file dropped where the medical glob claims it: no settlement columns. It is
    // read, and its missing fields are said in the summary and the manifest.
    let wrong_kind = medical.with_file_name("医保局_结算明细_误放.csv");
    fs::write(
        &wrong_kind,
        "\u{feff}来电时间,来电人,诉求类型\n2021-03-01,李四,求助\n",
    )
    .unwrap();

    let out = output(loubao(&["run", pipeline.to_str().unwrap()]));
    assert_eq!(
        out.status.code(),
        Some(3),
        "partial: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let runs = run_folders(&dir.path().join("outbox"));
    assert_eq!(runs.len(), 1, "the run still completes its folder");
    let rejects = fs::read_to_string(runs[0].join("拒收记录.csv")).unwrap();
    for name in [
        "民政_低保_补充.xlsx",
        "信访局_补报.csv",
        "应急局_空文件.csv",
    ] {
        assert!(
            rejects.contains(name),
            "{name} is listed in the rejects:\n{rejects}"
        );
    }
    let manifest = fs::read_to_string(runs[0].join("manifest.json")).unwrap();
    let wrong: serde_json::Value = serde_json::from_str::<serde_json::Value>(&manifest).unwrap()
        ["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["file_name"] == "医保局_结算明细_误放.csv")
        .cloned()
        .unwrap();
    let gaps = wrong["sheets"][0]["gaps"].to_string();
    assert!(
        gaps.contains("out_of_pocket") && gaps.contains("id_number"),
        "{gaps}"
    );
    assert!(
        !township_csvs(&runs[0]).is_empty(),
        "lists are still written"
    );
}

fn first_file(inbox: &Path, prefix: &str) -> PathBuf {
    let mut files: Vec<PathBuf> = fs::read_dir(inbox)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
        .collect();
    files.sort();
    files
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no {prefix} file in the sample"))
}

#[test]
fn logs_hold_no_full_id_and_outputs_are_owner_only() {
    let (dir, pipeline) = county(300);
    let out = output(loubao(&["-v", "run", pipeline.to_str().unwrap()]));
    assert!(matches!(out.status.code(), Some(0) | Some(3)));
    let run = run_folders(&dir.path().join("outbox")).remove(0);
    let log = fs::read_to_string(run.join("run.log.json")).unwrap();
    assert!(!log.is_empty(), "the run writes a JSON log");
    let terminal = String::from_utf8_lossy(&out.stderr);
    for text in [log.as_str(), &terminal] {
        if let Some(id) = find_full_id(text) {
            panic!("unmasked ID {id} in a log");
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&run), 0o700, "run folder");
        for entry in fs::read_dir(&run).unwrap().flatten() {
            assert_eq!(mode(&entry.path()), 0o600, "{}", entry.path().display());
        }
    }
}

/// An 18- or 15-character resident ID standing alone in the text (not the fraction of a
/// decimal number such as a score).
fn find_full_id(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == 'X') {
                i += 1;
            }
            let fraction =
                start >= 2 && chars[start - 1] == '.' && chars[start - 2].is_ascii_digit();
            if !fraction && (i - start == 18 || i - start == 15) {
                return Some(chars[start..i].iter().collect());
            }
        } else {
            i += 1;
        }
    }
    None
}

#[test]
fn check_lists_every_file_with_its_mapping_and_warns_on_a_missing_field() {
    let (dir, pipeline) = county(200);
    let out = output(loubao(&["check", pipeline.to_str().unwrap()]));
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let inbox = dir.path().join("inbox");
    for entry in fs::read_dir(&inbox).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        assert!(text.contains(&name), "{name} is listed");
    }
    assert!(
        text.contains("个人自付 [out_of_pocket] ← 个人自付 (按表头)"),
        "{text}"
    );
    assert!(text.contains("编码: gb18030"), "{text}");
    assert!(
        text.contains("表头行: 第 3 行"),
        "title rows are counted: {text}"
    );

    // A medical extract without any out-of-pocket column cannot qualify anyone.
    fs::write(
        inbox.join("医保局_结算明细_缺列.csv"),
        "\u{feff}姓名,身份证号,结算日期\n张三,,2021-03-01\n",
    )
    .unwrap();
    let out = output(loubao(&["check", pipeline.to_str().unwrap()]));
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{text}");
    assert!(
        text.contains("警告: 医保局_结算明细_缺列.csv: 缺少 个人自付 [out_of_pocket]: 无法计算个人自付, 本文件无人能按医疗支出入围"),
        "{text}"
    );
}

#[test]
fn fifty_kills_at_random_moments_never_leave_a_folder_without_its_ledger_row() {
    use rand::{Rng, SeedableRng};
    let (dir, pipeline) = county(200);
    let outbox = dir.path().join("outbox");
    let started = Instant::now();
    let out = output(loubao(&["-q", "run", pipeline.to_str().unwrap()]));
    assert!(matches!(out.status.code(), Some(0 | 3)));
    let duration = started.elapsed();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(18);
    let mut killed_after_rename = 0;
    for _ in 0..50 {
        let before = run_folders(&outbox).len();
        let mut child = loubao(&["-q", "run", pipeline.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Uniform over the run's length and a little beyond, so that some kills land after
        // the folder's rename and before (or after) the ledger commit.
        let delay = duration.mul_f64(rng.gen_range(0.0..1.1));
        std::thread::sleep(delay);
        let _ = child.kill();
        child.wait().unwrap();
        let folders = run_folders(&outbox);
        if folders.len() > before {
            killed_after_rename += 1;
        }
        for folder in &folders {
            assert!(
                folder.join("manifest.json").exists(),
                "a visible run folder is complete: {}",
                folder.display()
            );
        }
    }
    let out = output(loubao(&["-q", "run", pipeline.to_str().unwrap()]));
    assert!(matches!(out.status.code(), Some(0 | 3)));
    let ledger = loubao::ledger::Ledger::open(&outbox.join("ledger.sqlite3")).unwrap();
    let recorded: std::collections::BTreeSet<String> = ledger
        .runs()
        .unwrap()
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    for folder in run_folders(&outbox) {
        let name = folder.file_name().unwrap().to_string_lossy().into_owned();
        assert!(recorded.contains(&name), "{name} has its ledger row");
    }
    println!("50 kills, {killed_after_rename} after the folder appeared");
    assert!(
        killed_after_rename > 0,
        "some kills landed after the rename"
    );
}

#[test]
fn a_run_folder_whose_ledger_commit_was_lost_is_recorded_by_the_next_run() {
    let (dir, pipeline) = county(200);
    let outbox = dir.path().join("outbox");
    let out = output(loubao(&["-q", "run", pipeline.to_str().unwrap()]));
    assert!(matches!(out.status.code(), Some(0 | 3)));
    // As if the run had been killed after its folder's rename, before the ledger commit.
    let db = rusqlite::Connection::open(outbox.join("ledger.sqlite3")).unwrap();
    db.execute("DELETE FROM runs", []).unwrap();
    drop(db);

    let out = output(loubao(&["run", pipeline.to_str().unwrap()]));
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        log.contains(
            "运行 2021-06-30 的名单已写出但未记入线索台账 (上次运行在更新台账前中断), 已补记"
        ),
        "{log}"
    );
    let ledger = loubao::ledger::Ledger::open(&outbox.join("ledger.sqlite3")).unwrap();
    assert_eq!(
        ledger.runs().unwrap(),
        vec![
            ("2021-06-30".to_string(), "unrecorded".to_string()),
            ("2021-06-30_2".to_string(), "complete".to_string()),
        ]
    );

    // Deleting old folders never makes a run id come back.
    fs::remove_dir_all(outbox.join("2021-06-30_2")).unwrap();
    let out = output(loubao(&["-q", "run", pipeline.to_str().unwrap()]));
    assert!(matches!(out.status.code(), Some(0 | 3)));
    assert!(outbox.join("2021-06-30_3").is_dir());
}
