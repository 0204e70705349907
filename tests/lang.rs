//! `--lang en`: every message in English for maintainers, Chinese by default, through the
//! real binary. The Chinese output holds no English word that the clerk's own file, paths or
//! the pipeline format's keys did not bring; the English output no Han character that the
//! clerk's files did not bring.

mod common;

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::fs;
use std::path::Path;

use common::{loubao, Inbox};
use loubao::lang::has_han;

/// A pipeline file with three problems: a date that does not exist (line 3), a source kind
/// that does not exist (line 8) and a misspelt key (line 12).
const BROKEN: &str = "county = \"测试县\"\n\
    inbox = \"inbox\"\n\
    as_of = 2021-06-31\n\
    outbox = \"out\"\n\
    \n\
    [[sources]]\n\
    glob = \"*医保*\"\n\
    kind = \"medicare\"\n\
    \n\
    [rules]\n\
    overdue_days = 30\n\
    medical_treshold = 5\n";

/// ASCII words of three letters or more, lowercased.
fn words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() >= 3)
        .map(str::to_ascii_lowercase)
        .collect()
}

/// The pipeline format's own words (keys and source kinds), which a Chinese message may name:
/// those of the example pipeline file.
fn format_words() -> BTreeSet<String> {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("pipelines/example.toml");
    let text = fs::read_to_string(example).unwrap();
    // Its comments are English prose: only the lines that set something count.
    let settings: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    let mut known = words(&settings);
    for kind in loubao::model::SourceKind::ALL {
        known.extend(words(kind.key()));
    }
    known
}

/// `loubao --lang en <args…>`: exit code and everything it printed.
fn loubao_en(args: &[&OsStr]) -> (i32, String) {
    let mut all = vec![OsStr::new("--lang"), OsStr::new("en")];
    all.extend_from_slice(args);
    loubao(&all)
}

fn broken_pipeline() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.toml");
    fs::write(&path, BROKEN).unwrap();
    (dir, path)
}

#[test]
fn a_broken_pipeline_file_is_told_in_english_under_lang_en() {
    let (_dir, path) = broken_pipeline();
    let (code, out) = loubao_en(&["check".as_ref(), path.as_os_str()]);
    assert_eq!(code, 4, "{out}");
    for line in [
        "3 problems to fix:",
        "line 3: invalid date",
        "line 8: unknown value medicare; the values allowed: agriculture",
        "line 12: unknown key medical_treshold; the keys allowed here:",
    ] {
        assert!(out.contains(line), "missing {line:?} in:\n{out}");
    }
    let without_path = out.replace(&path.display().to_string(), "");
    assert!(
        !has_han(&without_path),
        "Chinese in the English output:\n{out}"
    );

    // After the subcommand, and from the environment, too.
    let (code, after) = loubao(&["check".as_ref(), path.as_os_str(), "--lang=en".as_ref()]);
    assert_eq!((code, &after), (4, &out));
    let env = std::process::Command::new(common::BIN)
        .args(["check".as_ref(), path.as_os_str()])
        .env("LOUBAO_LANG", "en")
        .output()
        .unwrap();
    let env = format!(
        "{}{}",
        String::from_utf8_lossy(&env.stdout),
        String::from_utf8_lossy(&env.stderr)
    );
    assert_eq!(env, out);
}

#[test]
fn a_broken_pipeline_file_is_told_in_chinese_by_default() {
    let (_dir, path) = broken_pipeline();
    let (code, out) = loubao(&["check".as_ref(), path.as_os_str()]);
    assert_eq!(code, 4, "{out}");
    for line in [
        "3 处需要修改:",
        "第 3 行: 日期无效",
        "第 8 行: 未知的取值 medicare; 可用的取值: agriculture",
        "第 12 行: 未知的键 medical_treshold; 这里可用的键:",
    ] {
        assert!(out.contains(line), "missing {line:?} in:\n{out}");
    }
    let mut allowed = format_words();
    allowed.extend(words(BROKEN));
    allowed.extend(words(&path.display().to_string()));
    let english: Vec<String> = words(&out).difference(&allowed).cloned().collect();
    assert!(english.is_empty(), "English {english:?} in:\n{out}");
}

#[test]
fn help_is_english_under_lang_en() {
    for args in [&["--lang", "en", "--help"][..], &["--help", "--lang", "en"]] {
        let (code, help) = loubao(args);
        assert_eq!(code, 0, "{help}");
        for english in [
            "Usage: loubao",
            "Commands:",
            "Options:",
            "Print help",
            "Language of messages",
            "Exit codes:",
        ] {
            assert!(help.contains(english), "{english:?} in:\n{help}");
        }
        assert!(!has_han(&help), "{help}");
    }
    let (code, help) = loubao(&["--lang", "en", "sample", "--help"]);
    assert_eq!(code, 0, "{help}");
    for english in ["Number of residents", "Clean: every resident ID valid"] {
        assert!(help.contains(english), "{english:?} in:\n{help}");
    }
    assert!(!has_han(&help), "{help}");
}

#[test]
fn usage_errors_are_clap_s_english_under_lang_en() {
    let cases: [(&[&str], &str); 3] = [
        (
            &["--lang", "en", "runn", "p.toml"],
            "error: unrecognized subcommand 'runn'",
        ),
        (
            &["run", "--lang", "en"],
            "error: the following required arguments were not provided",
        ),
        (
            &["--lang", "en", "sample", "--noise", "loud", "/tmp/x"],
            "error: invalid value 'loud' for '--noise <NOISE>'",
        ),
    ];
    for (args, expected) in cases {
        let (code, text) = loubao(args);
        assert_eq!(code, 2, "{args:?}: {text}");
        assert!(text.contains(expected), "{args:?}: {text}");
        assert!(!has_han(&text), "{args:?}: {text}");
    }
    // A language loubao does not speak is a usage error, in the default language.
    let (code, text) = loubao(&["--lang", "fr", "run", "p.toml"]);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("错误: --lang <LANG> 的值「fr」无效; 可选: zh, en"),
        "{text}"
    );
}

/// A generated county with one row that names nobody: the sample's summary, the run's
/// console lines, the rejects file's reason and eval's scores are English.
#[test]
fn a_run_under_lang_en_says_its_stages_and_rejects_in_english() {
    let dir = tempfile::tempdir().unwrap();
    let county = dir.path().join("county");
    let (code, out) = loubao_en(&[
        "sample".as_ref(),
        county.as_os_str(),
        "--persons".as_ref(),
        "100".as_ref(),
        "--noise".as_ref(),
        "none".as_ref(),
    ]);
    assert_eq!(code, 0, "{out}");
    for line in ["sample county: 100 residents,", "to run it: loubao run"] {
        assert!(out.contains(line), "missing {line:?} in:\n{out}");
    }
    let medical = county.join("inbox/医保局_结算明细.csv");
    let mut text = fs::read(&medical).unwrap();
    text.extend_from_slice(b",,,2021-03-05,100,50\r\n");
    fs::write(&medical, text).unwrap();

    let pipeline = county.join("pipeline.toml");
    let (code, out) = loubao_en(&["run".as_ref(), pipeline.as_os_str()]);
    assert_eq!(code, 3, "a reject makes the run partial: {out}");
    for line in [
        "reading the inbox",
        "read: 14 files,",
        "normalised: ",
        "linked: ",
        "screened: ",
        "suspect lists written",
        "run complete",
    ] {
        assert!(out.contains(line), "missing {line:?} in:\n{out}");
    }
    for chinese in ["读取完成", "规范完成", "比对完成", "筛查完成", "运行完成"]
    {
        assert!(!out.contains(chinese), "{chinese:?} in:\n{out}");
    }

    let folder = fs::read_dir(county.join("outbox"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.is_dir())
        .unwrap();
    let mut rejects = csv::Reader::from_path(folder.join("拒收记录.csv")).unwrap();
    let headers = rejects.headers().unwrap().clone();
    let reason = headers.iter().position(|h| h == "原因").unwrap();
    let reasons: Vec<String> = rejects
        .records()
        .map(|r| r.unwrap()[reason].to_string())
        .collect();
    assert_eq!(
        reasons,
        ["no name, resident ID or disability certificate number"],
        "{reasons:?}"
    );
}

/// The default stays Chinese: the same run without `--lang` writes the Chinese reason.
#[test]
fn a_run_by_default_writes_chinese_reject_reasons() {
    let inbox = Inbox::new(
        "[[sources]]\nkind = \"dibao\"\nglob = \"低保*\"\n",
        &[(
            "低保.csv",
            "姓名,身份证号,保障状态\n赵六,410123196001011238,在保\n",
        )],
    );
    inbox.write(
        "医保.csv",
        format!("{},,2021-03-05,100,城关镇\n", common::MEDICAL),
    );
    let (_, out) = inbox.loubao("run");
    let text = fs::read_to_string(inbox.run_folder().join("拒收记录.csv")).unwrap();
    assert!(
        text.contains("没有姓名、身份证号或残疾人证号"),
        "{out}\n{text}"
    );
}

/// `trace`, `explain`, `review` and `report` under `--lang en`: their own words in English,
/// the lists' 依据 and the clerk's names as they are.
#[test]
fn trace_explain_review_and_report_speak_english() {
    let inbox = Inbox::new(
        "[[sources]]\nkind = \"dibao\"\nglob = \"低保*\"\n",
        &[(
            "低保.csv",
            "姓名,身份证号,保障状态\n王五,410123197703031231,在保\n",
        )],
    );
    let pipeline = inbox.pipeline();
    let (code, out) = loubao_en(&["trace".as_ref(), "张三".as_ref(), pipeline.as_os_str()]);
    assert_eq!(code, 0, "{out}");
    for line in [
        "(1 records merged) ==",
        "source records:",
        "links:",
        "rules:",
        "  R01 fired: ",
        "  R07 not fired (complaint about how assistance was handled)",
        "clue ledger:",
    ] {
        assert!(out.contains(line), "missing {line:?} in:\n{out}");
    }

    let (code, out) = loubao_en(&["explain".as_ref(), "R06".as_ref()]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.starts_with("R06 request for assistance overdue and not closed\nA qualifying petition"),
        "{out}"
    );

    let missing = inbox.dir.path().join("none.xlsx");
    let (code, out) = loubao_en(&["review".as_ref(), pipeline.as_os_str(), missing.as_os_str()]);
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("rejected none.xlsx: no such file"), "{out}");
    assert!(out.contains("the clue ledger is unchanged"), "{out}");

    let (code, out) = loubao_en(&[
        "report".as_ref(),
        "monthly".as_ref(),
        pipeline.as_os_str(),
        "--month".as_ref(),
        "2021-13".as_ref(),
    ]);
    assert_eq!(code, 4, "{out}");
    assert!(
        out.contains("--month must be YYYY-MM, e.g. 2021-06, not 2021-13"),
        "{out}"
    );
    let (code, out) = loubao_en(&["report".as_ref(), "final".as_ref(), pipeline.as_os_str()]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("the three closing lists are due by 2021-09-03"),
        "{out}"
    );
    assert!(!has_han(&out.replace("总结_三项清单.xlsx", "")), "{out}");
}
