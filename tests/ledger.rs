//! The clue ledger loop: with hand-built suspects (runs, a returned township workbook, the
//! rerun after review, malformed returns, reports), and through the binary on a generated county.

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

use calamine::{open_workbook_auto, Data, Reader};
use chrono::NaiveDate;
use common::Inbox;
use loubao::config::{CampaignSettings, Deadlines, Township};
use loubao::ledger::report::{self, UNDECIDED_TOWNSHIP};
use loubao::ledger::review::{self, ImportSummary};
use loubao::ledger::{Ledger, LedgerPlan, LedgerStatus, RunInfo};
use loubao::model::{
    ClueStatus, Fact, FactDetail, Finding, ListColumn, Request, ReviewOutcome, RuleCode,
    SourceKind, SourceRef, Suspect,
};
use rust_xlsxwriter::Workbook;

/// Deadlines none of these tests' dates pass: what a deadline does is `tests/campaign.rs`'s.
fn deadlines() -> Deadlines {
    let end = Some(date(2021, 12, 31));
    CampaignSettings {
        review_by: end,
        rectify_by: end,
        final_by: end,
        monthly_day: None,
    }
    .deadlines(date(2021, 6, 30))
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn townships() -> Vec<Township> {
    [("城关镇", &["城关"][..]), ("河口乡", &[]), ("青山镇", &[])]
        .into_iter()
        .map(|(name, aliases)| Township {
            name: name.into(),
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            villages: vec![],
        })
        .collect()
}

fn suspect(
    id: &str,
    township: &str,
    codes: &[RuleCode],
    sources: &[SourceKind],
    amount: f64,
) -> Suspect {
    Suspect {
        clue_id: id.into(),
        person_key: format!("key-{id}"),
        township: Some(township.into()),
        village: Some("东街社区".into()),
        name: format!("张{id}"),
        id_number: Some("110101199003074514".into()),
        address: None,
        findings: codes
            .iter()
            .map(|&code| Finding {
                code,
                facts: vec![Fact {
                    source: SourceKind::Medical,
                    detail: FactDetail::MedicalTotal {
                        since: date(2020, 1, 1),
                        cents: (amount * 100.0).round() as i64,
                        lines: 1,
                    },
                }],
                conclusion: "未纳入低保或特困".into(),
                records: vec![0],
            })
            .collect(),
        sources: sources.to_vec(),
        match_note: "身份证号一致".into(),
        confidence: Some(1.0),
        source_refs: vec![SourceRef::new("医保.xlsx", None, 2)],
    }
}

/// The four suspects of the loop: A and B in 城关镇, C and D in 河口乡.
fn base_suspects() -> Vec<Suspect> {
    vec![
        suspect(
            "LBAAAAAAAAAA",
            "城关镇",
            &[RuleCode::R01],
            &[SourceKind::Medical],
            52_310.0,
        ),
        suspect(
            "LBBBBBBBBBBB",
            "城关镇",
            &[RuleCode::R01],
            &[SourceKind::Agriculture],
            0.0,
        ),
        suspect(
            "LBCCCCCCCCCC",
            "河口乡",
            &[RuleCode::R03],
            &[SourceKind::Unemployment],
            0.0,
        ),
        suspect(
            "LBDDDDDDDDDD",
            "河口乡",
            &[RuleCode::R06],
            &[SourceKind::Hotline],
            0.0,
        ),
    ]
}

fn run_info(run_id: &str, as_of: NaiveDate) -> RunInfo {
    RunInfo {
        run_id: run_id.into(),
        as_of,
        started: as_of.and_hms_opt(2, 0, 0).unwrap(),
        outcome: loubao::model::RunOutcome::Complete,
    }
}

fn run(ledger: &mut Ledger, suspects: &[Suspect], run_id: &str, as_of: NaiveDate) {
    let plan = ledger.plan(suspects, as_of, &deadlines()).unwrap();
    commit(ledger, &plan, suspects, &run_info(run_id, as_of));
}

/// Records a run as `loubao run` does: prepared, then committed.
fn commit(ledger: &mut Ledger, plan: &LedgerPlan, suspects: &[Suspect], run: &RunInfo) {
    let clues: Vec<&Suspect> = suspects.iter().collect();
    ledger
        .prepare(plan, &clues, &[], run)
        .and_then(|prepared| prepared.commit())
        .unwrap();
}

/// A returned row: (线索编号, 乡镇, 核查结果, 核查日期 as typed).
type Returned<'a> = (&'a str, &'a str, &'a str, &'a str);

/// Writes a returned township workbook with the SPEC 7 columns, outcome columns filled in.
fn write_returned(path: &Path, rows: &[Returned<'_>]) {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (col, h) in ListColumn::HEADERS.iter().enumerate() {
        sheet.write_string(0, col as u16, *h).unwrap();
    }
    for (i, (id, township, outcome, when)) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        let mut write = |column: ListColumn, text: &str| {
            if !text.is_empty() {
                sheet
                    .write_string(row, column.index() as u16, text)
                    .unwrap();
            }
        };
        write(ListColumn::ClueId, id);
        write(ListColumn::Township, township);
        write(ListColumn::Name, "张某");
        write(ListColumn::Status, "持续");
        write(ListColumn::Outcome, outcome);
        write(ListColumn::Reviewer, "李核查");
        write(ListColumn::ReviewDate, when);
        write(ListColumn::Note, "入户核查");
    }
    workbook.save(path).unwrap();
}

fn import(ledger: &mut Ledger, files: &[PathBuf], today: NaiveDate) -> ImportSummary {
    ledger.import_reviews(files, &townships(), today).unwrap()
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// A prepared run is in the ledger only once committed: one dropped before (its folder not
/// put in place) leaves no clue, no run and no question, in this connection or the next.
#[test]
fn a_prepared_run_not_committed_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite3");
    let mut ledger = Ledger::open(&db).unwrap();
    let suspects = base_suspects();
    let clues: Vec<&Suspect> = suspects.iter().collect();
    let as_of = date(2021, 6, 30);
    let plan = ledger.plan(&suspects, as_of, &deadlines()).unwrap();
    let prepared = ledger
        .prepare(&plan, &clues, &[], &run_info("2021-06-30", as_of))
        .unwrap();
    drop(prepared);
    assert_eq!(ledger.run_count().unwrap(), 0);
    assert!(ledger.clues().unwrap().is_empty());
    drop(ledger);
    let mut reopened = Ledger::open(&db).unwrap();
    assert_eq!(reopened.run_count().unwrap(), 0);
    assert!(reopened.clues().unwrap().is_empty());

    // The same run, committed, is there.
    let plan = reopened.plan(&suspects, as_of, &deadlines()).unwrap();
    commit(
        &mut reopened,
        &plan,
        &suspects,
        &run_info("2021-06-30", as_of),
    );
    assert_eq!(reopened.run_count().unwrap(), 1);
    assert_eq!(reopened.clues().unwrap().len(), suspects.len());
}

#[test]
fn runs_reviews_and_reruns_follow_the_loop() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = dir.path().join("outbox");
    let db = outbox.join("ledger.sqlite3");
    let mut ledger = Ledger::open(&db).unwrap();
    #[cfg(unix)]
    {
        assert_eq!(mode(&db), 0o600, "database file owner-only");
        assert_eq!(mode(&outbox), 0o700, "its folder owner-only");
    }
    let suspects = base_suspects();

    // First run: everything is new.
    let first = ledger
        .plan(&suspects, date(2021, 6, 30), &deadlines())
        .unwrap();
    assert_eq!(first.keep, vec![true; 4]);
    assert!(first
        .states
        .values()
        .all(|s| s.status == ClueStatus::New && s.first_seen == date(2021, 6, 30)));
    commit(
        &mut ledger,
        &first,
        &suspects,
        &run_info("2021-06-30", date(2021, 6, 30)),
    );

    // Second run: everything continues, first sighting kept.
    let second = ledger
        .plan(&suspects, date(2021, 7, 1), &deadlines())
        .unwrap();
    assert!(second
        .states
        .values()
        .all(|s| s.status == ClueStatus::Continuing && s.first_seen == date(2021, 6, 30)));
    assert!(second.suppressed.is_empty() && second.vanished.is_empty());
    commit(
        &mut ledger,
        &second,
        &suspects,
        &run_info("2021-07-01", date(2021, 7, 1)),
    );
    assert_eq!(ledger.run_count().unwrap(), 2);

    // The townships return their lists.
    let chengguan = dir.path().join("城关镇.xlsx");
    write_returned(
        &chengguan,
        &[
            ("LBAAAAAAAAAA", "城关镇", "不符合条件", "2021-07-05"),
            ("LBBBBBBBBBBB", "城关", "符合条件已纳入保障", "2021/7/6"),
        ],
    );
    let hekou = dir.path().join("河口乡.xlsx");
    write_returned(
        &hekou,
        &[
            ("LBCCCCCCCCCC", "河口乡", "已给予临时救助", "2021年7月7日"),
            ("LBDDDDDDDDDD", "河口乡", "", ""),
        ],
    );
    let (files, missing) = review::collect_files(&[dir.path().to_path_buf()]);
    assert!(missing.is_empty());
    assert_eq!(files.len(), 2, "{files:?}");
    let summary = import(&mut ledger, &files, date(2021, 7, 10));
    assert_eq!(summary.recorded, 3);
    // Signed but without a result: rejected, not counted as not filled in.
    assert_eq!(summary.not_filled, 0);
    assert_eq!(summary.rejects.len(), 1);
    assert_eq!(summary.rejects[0].reference(), "河口乡.xlsx#3");
    assert!(summary.rejects[0].reason.contains("核查结果为空"));

    let a = ledger.clue("LBAAAAAAAAAA").unwrap().unwrap();
    assert_eq!(a.status, LedgerStatus::Closed);
    assert_eq!(
        a.review.as_ref().unwrap().outcome,
        ReviewOutcome::NotEligible
    );
    assert_eq!(a.review.as_ref().unwrap().imported_from, "城关镇.xlsx#2");
    let b = ledger.clue("LBBBBBBBBBBB").unwrap().unwrap();
    assert_eq!(b.status, LedgerStatus::Included);
    assert_eq!(b.rectification.unwrap().state.label_zh(), "待核验");
    let c = ledger.clue("LBCCCCCCCCCC").unwrap().unwrap();
    assert_eq!(c.status, LedgerStatus::Open);
    assert_eq!(c.rectification.unwrap().kind.label_zh(), "临时救助");
    assert_eq!(
        ledger.reviews("LBBBBBBBBBBB").unwrap()[0].imported_from,
        "城关镇.xlsx#3"
    );

    // Rerun with the same facts: the rejected clue stays silent, the included one is
    // still a suspect (整改未到位).
    let third = ledger
        .plan(&suspects, date(2021, 7, 31), &deadlines())
        .unwrap();
    assert_eq!(third.suppressed, vec!["LBAAAAAAAAAA".to_string()]);
    assert_eq!(third.keep, vec![false, true, true, true]);
    assert!(!third.states.contains_key("LBAAAAAAAAAA"));
    let b_state = &third.states["LBBBBBBBBBBB"];
    assert!(b_state.rectification_missing);
    assert_eq!(b_state.status, ClueStatus::Continuing);
    assert!(!third.states["LBCCCCCCCCCC"].rectification_missing);
    assert_eq!(third.counts()["suppressed"], 1);

    // A higher amount is a change of facts as well.
    let mut higher = suspects.clone();
    higher[0] = suspect(
        "LBAAAAAAAAAA",
        "城关镇",
        &[RuleCode::R01],
        &[SourceKind::Medical],
        61_000.0,
    );
    let plan = ledger
        .plan(&higher, date(2021, 7, 31), &deadlines())
        .unwrap();
    assert!(plan.keep[0]);
    assert!(plan.reopened["LBAAAAAAAAAA"].contains("61000"));

    // A petition's own words are not an amount: "申请救助80000元" in the content (above the medical total) does not
    // reopen the closed clue (the ledger reads typed amounts, never 依据 text).
    let mut quoted = suspects.clone();
    quoted[0].findings.iter_mut().for_each(|f| {
        f.facts.push(Fact {
            source: SourceKind::Petition,
            detail: FactDetail::Request(Request {
                date: Some(date(2021, 3, 1)),
                kind: Some("反映".into()),
                content: Some("申请救助80000元,至今未办".into()),
                status: None,
            }),
        })
    });
    let plan = ledger
        .plan(&quoted, date(2021, 7, 31), &deadlines())
        .unwrap();
    assert!(
        !plan.keep[0] && plan.suppressed.contains(&"LBAAAAAAAAAA".to_string()),
        "{:?}",
        plan.reopened
    );

    // The same closed clue with a new code is raised again, with what changed.
    let mut changed = suspects.clone();
    changed[0] = suspect(
        "LBAAAAAAAAAA",
        "城关镇",
        &[RuleCode::R01, RuleCode::R02],
        &[SourceKind::Medical, SourceKind::Disability],
        52_310.0,
    );
    let fourth = ledger
        .plan(&changed, date(2021, 7, 31), &deadlines())
        .unwrap();
    assert!(fourth.suppressed.is_empty());
    assert_eq!(fourth.keep, vec![true; 4]);
    assert_eq!(fourth.states["LBAAAAAAAAAA"].status, ClueStatus::Continuing);
    let note = &fourth.reopened["LBAAAAAAAAAA"];
    assert!(
        note.contains("R02") && note.contains("残联残疾人"),
        "{note}"
    );
    commit(
        &mut ledger,
        &fourth,
        &changed,
        &run_info("2021-07-31", date(2021, 7, 31)),
    );
    let a = ledger.clue("LBAAAAAAAAAA").unwrap().unwrap();
    assert_eq!(a.status, LedgerStatus::Open);
    assert_eq!(a.codes, "R01;R02");
    assert_eq!(
        ledger
            .clue("LBBBBBBBBBBB")
            .unwrap()
            .unwrap()
            .rectification
            .unwrap()
            .state
            .label_zh(),
        "整改未到位"
    );

    // B reaches the rolls and D is no longer a suspect: both are written off.
    let fifth_suspects = vec![changed[0].clone(), changed[2].clone()];
    let fifth = ledger
        .plan(&fifth_suspects, date(2021, 8, 31), &deadlines())
        .unwrap();
    assert_eq!(
        fifth.vanished,
        vec!["LBBBBBBBBBBB".to_string(), "LBDDDDDDDDDD".to_string()]
    );
    commit(
        &mut ledger,
        &fifth,
        &fifth_suspects,
        &run_info("2021-08-31", date(2021, 8, 31)),
    );
    let b = ledger.clue("LBBBBBBBBBBB").unwrap().unwrap();
    assert_eq!(b.status, LedgerStatus::WrittenOff);
    assert_eq!(b.closed_on, Some(date(2021, 8, 31)));
    assert_eq!(b.rectification.unwrap().state.label_zh(), "已到位");

    // Monthly figures: four new in June, three verified in July.
    let june = ledger
        .monthly(&townships(), date(2021, 6, 1), &deadlines())
        .unwrap();
    assert_eq!(june.total.new, 4);
    assert_eq!(june.total.open, 4);
    let july = ledger
        .monthly(&townships(), date(2021, 7, 1), &deadlines())
        .unwrap();
    let row = |name: &str| {
        july.rows
            .iter()
            .find(|r| r.township == name)
            .unwrap()
            .clone()
    };
    assert_eq!(july.due, date(2021, 8, 18));
    assert_eq!(
        (
            row("城关镇").verified,
            row("城关镇").included,
            row("城关镇").rejected
        ),
        (2, 1, 1)
    );
    assert_eq!((row("河口乡").temp_assistance, row("河口乡").open), (1, 1));
    assert_eq!(
        row("青山镇"),
        loubao::ledger::report::MonthlyRow {
            township: "青山镇".into(),
            ..Default::default()
        }
    );

    // The closing three lists.
    let lists = ledger
        .final_report(&townships(), date(2021, 8, 31), &deadlines())
        .unwrap();
    assert_eq!(lists.clues.len(), 4);
    let chengguan_results = &lists.by_township[0].1;
    assert_eq!(
        (
            chengguan_results.included,
            chengguan_results.included_confirmed
        ),
        (1, 1)
    );
    let unemployment = lists
        .by_source
        .iter()
        .find(|(k, _)| *k == SourceKind::Unemployment)
        .unwrap();
    assert_eq!(unemployment.1.temp_assistance, 1);
    let path = report::write_final(&lists, &outbox).unwrap();
    #[cfg(unix)]
    assert_eq!(mode(&path), 0o600);
    let mut workbook = open_workbook_auto(&path).unwrap();
    assert_eq!(
        workbook.sheet_names(),
        vec!["问题(整改)清单", "成果清单", "制度清单", "县重点抽查"]
    );
    let problems = workbook.worksheet_range("问题(整改)清单").unwrap();
    assert_eq!(problems.height(), 5);
    let rules = workbook.worksheet_range("制度清单").unwrap();
    let headers: Vec<String> = rules
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(
        headers,
        ["序号", "制度名称", "文号", "印发日期", "主要内容", "备注"]
    );
}

#[test]
fn malformed_returned_workbook_is_rejected_row_by_row() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(&dir.path().join("ledger.sqlite3")).unwrap();
    run(
        &mut ledger,
        &base_suspects(),
        "2021-06-30",
        date(2021, 6, 30),
    );

    let file = dir.path().join("城关镇_已核查.xlsx");
    write_returned(
        &file,
        &[
            ("LBAAAAAAAAAA", "城关镇", "不符合条件", "2021-07-05"), // row 2: valid
            ("LB0000000000", "城关镇", "不符合条件", "2021-07-05"), // unknown clue
            ("LBBBBBBBBBBB", "河口乡", "不符合条件", "2021-07-05"), // wrong 乡镇 column
            ("LBCCCCCCCCCC", "", "不符合条件", "2021-07-05"),       // 河口乡 clue in 城关镇 file
            ("LBBBBBBBBBBB", "城关镇", "不符合条件", "2021-13-45"), // impossible date
            ("LBBBBBBBBBBB", "城关镇", "不符合条件", "2021-08-01"), // in the future
            ("LBBBBBBBBBBB", "城关镇", "不符合条件", "2021-06-01"), // before first seen
            ("LBBBBBBBBBBB", "城关镇", "", "2021-07-05"),           // blank outcome
            ("LBBBBBBBBBBB", "城关镇", "已处理", "2021-07-05"),     // not an option
        ],
    );
    let summary = import(&mut ledger, &[file], date(2021, 7, 10));
    assert_eq!(summary.rows, 9);
    assert_eq!(summary.recorded, 1);
    assert_eq!(summary.not_filled, 0);
    let expected = [
        (3, "不在线索台账中"),
        (4, "与线索所属乡镇「城关镇」不符"),
        (5, "文件属于「城关镇」, 但该线索属于「河口乡」"),
        (6, "核查日期「2021-13-45」无法识别"),
        (7, "晚于今天"),
        (8, "早于线索首次发现日期 2021-06-30"),
        (9, "核查结果为空"),
        (10, "核查结果「已处理」不是可选项"),
    ];
    assert_eq!(
        summary.rejects.len(),
        expected.len(),
        "{:#?}",
        summary.rejects
    );
    for (reject, (row, reason)) in summary.rejects.iter().zip(expected) {
        assert_eq!(reject.reference(), format!("城关镇_已核查.xlsx#{row}"));
        assert!(
            reject.reason.contains(reason),
            "row {row}: {}",
            reject.reason
        );
    }
    // Only the valid row changed the ledger.
    assert_eq!(ledger.reviews("LBAAAAAAAAAA").unwrap().len(), 1);
    assert!(ledger.reviews("LBBBBBBBBBBB").unwrap().is_empty());
    assert_eq!(
        ledger.clue("LBBBBBBBBBBB").unwrap().unwrap().status,
        LedgerStatus::Open
    );

    // A file without the outcome header is one file-level reject.
    let bad = dir.path().join("城关镇.csv");
    std::fs::write(&bad, "\u{feff}编号,结果\nLBAAAAAAAAAA,不符合条件\n").unwrap();
    let summary = import(&mut ledger, std::slice::from_ref(&bad), date(2021, 7, 10));
    assert_eq!(summary.rejects.len(), 1);
    assert_eq!(summary.rejects[0].row, None);

    // The same columns as UTF-8 CSV with a BOM are read.
    std::fs::write(
        &bad,
        format!(
            "\u{feff}{}\nLBBBBBBBBBBB,城关镇,,,,,,,,,,,,,无法核实,王五,2021-07-08,查无此人\n",
            ListColumn::HEADERS.join(",")
        ),
    )
    .unwrap();
    let summary = import(&mut ledger, &[bad], date(2021, 7, 10));
    assert!(summary.rejects.is_empty(), "{:?}", summary.rejects);
    let b = ledger.clue("LBBBBBBBBBBB").unwrap().unwrap();
    assert_eq!(b.status, LedgerStatus::Closed);
    assert_eq!(b.review.unwrap().note.as_deref(), Some("查无此人"));
}

#[test]
fn a_run_dropped_before_commit_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.sqlite3");
    {
        let mut ledger = Ledger::open(&db).unwrap();
        run(
            &mut ledger,
            &base_suspects()[..2],
            "2021-06-30",
            date(2021, 6, 30),
        );
        // The next run plans, then fails before its folder is in place: no commit.
        let plan = ledger
            .plan(&base_suspects()[2..], date(2021, 7, 31), &deadlines())
            .unwrap();
        assert_eq!(plan.vanished.len(), 2);
        assert_eq!(plan.states.len(), 2);
    }
    let ledger = Ledger::open(&db).unwrap();
    assert_eq!(ledger.run_count().unwrap(), 1);
    let clues = ledger.clues().unwrap();
    assert_eq!(clues.len(), 2);
    assert!(clues
        .iter()
        .all(|c| c.status == LedgerStatus::Open && c.last_seen == date(2021, 6, 30)));
}

fn cell_text(data: &Data) -> String {
    data.to_string()
}

/// The pipeline of the three townships, as `pipeline.toml` in `dir`.
fn write_pipeline(dir: &Path) -> PathBuf {
    let pipeline = dir.join("pipeline.toml");
    std::fs::write(
        &pipeline,
        r#"county = "示例县"
inbox = "inbox"
outbox = "outbox"
as_of = "2021-06-30"

[[townships]]
name = "城关镇"
aliases = ["城关"]

[[townships]]
name = "河口乡"

[[townships]]
name = "青山镇"
"#,
    )
    .unwrap();
    pipeline
}

#[test]
fn cli_review_and_zero_monthly_report() {
    let dir = tempfile::tempdir().unwrap();
    let pipeline = write_pipeline(dir.path());
    let outbox = dir.path().join("outbox");
    {
        let mut ledger = Ledger::open(&outbox.join("ledger.sqlite3")).unwrap();
        let mut suspects = base_suspects();
        suspects[3].township = None;
        run(&mut ledger, &suspects, "2021-06-30", date(2021, 6, 30));
    }
    let loubao = env!("CARGO_BIN_EXE_loubao");

    let returned = dir.path().join("returned");
    std::fs::create_dir(&returned).unwrap();
    write_returned(
        &returned.join("城关镇.xlsx"),
        &[
            ("LBAAAAAAAAAA", "城关镇", "不符合条件", "2021-07-05"),
            ("LBXXXXXXXXXX", "城关镇", "不符合条件", "2021-07-05"),
        ],
    );
    let out = Command::new(loubao)
        .args(["--quiet", "review"])
        .arg(&pipeline)
        .arg(&returned)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("城关镇.xlsx#3") && stdout.contains("LBXXXXXXXXXX"),
        "{stdout}"
    );
    assert!(stdout.contains("已记录核查结果 1 条"), "{stdout}");

    // May 2021 had no clues at all: every township still reports, with zeros.
    let out = Command::new(loubao)
        .args(["--quiet", "report", "monthly"])
        .arg(&pipeline)
        .args(["--month", "2021-05"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = outbox.join("月报_2021-05.xlsx");
    #[cfg(unix)]
    assert_eq!(mode(&path), 0o600);
    let mut workbook = open_workbook_auto(&path).unwrap();
    let range = workbook.worksheet_range("月报").unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(cell_text).collect())
        .collect();
    assert!(
        rows[0][0].contains("2021年5月") && rows[0][0].contains("2021年6月18日"),
        "{:?}",
        rows[0]
    );
    let body: Vec<&Vec<String>> = rows.iter().skip(3).collect();
    let names: Vec<&str> = body.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        names,
        ["城关镇", "河口乡", "青山镇", UNDECIDED_TOWNSHIP, "合计"]
    );
    for row in body {
        assert!(row[1..].iter().all(|n| n == "0"), "{row:?}");
    }

    // June: the clues are new, the undecided one in its own row.
    let out = Command::new(loubao)
        .args(["--quiet", "report", "monthly"])
        .arg(&pipeline)
        .args(["--month", "2021-06"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let mut workbook = open_workbook_auto(outbox.join("月报_2021-06.xlsx")).unwrap();
    let range = workbook.worksheet_range("月报").unwrap();
    let new_column: Vec<String> = range.rows().skip(3).map(|r| cell_text(&r[1])).collect();
    assert_eq!(new_column, ["2", "1", "0", "1", "4"]);
}

/// A township saves its returned list as CSV from a Chinese Excel: GB18030, CRLF line ends.
/// `loubao review` reads it like ingest reads a department file and records the outcome.
#[test]
fn cli_review_reads_a_gb18030_csv() {
    let dir = tempfile::tempdir().unwrap();
    let pipeline = write_pipeline(dir.path());
    let db = dir.path().join("outbox/ledger.sqlite3");
    run(
        &mut Ledger::open(&db).unwrap(),
        &base_suspects(),
        "2021-06-30",
        date(2021, 6, 30),
    );

    let row = |clue_id: &str, filled: bool, signed: bool| {
        let mut cells = vec![String::new(); ListColumn::ALL.len()];
        let mut set = |column: ListColumn, text: &str| cells[column.index()] = text.to_string();
        set(ListColumn::ClueId, clue_id);
        set(ListColumn::Township, "城关镇");
        set(ListColumn::Name, "张某");
        set(
            ListColumn::Evidence,
            "\"医保: 2020年以来个人自付 52,310.00 元; 未纳入低保\"",
        );
        set(ListColumn::Status, "持续");
        if filled {
            set(ListColumn::Outcome, "不符合条件");
            if signed {
                set(ListColumn::Reviewer, "李核查");
            }
            set(ListColumn::ReviewDate, "2021/7/5");
            set(ListColumn::Note, "\"入户核查, 家庭收入超标\"");
        }
        cells.join(",")
    };
    let text = [
        ListColumn::HEADERS.join(","),
        row("LBAAAAAAAAAA", true, true),
        row("LBBBBBBBBBBB", false, false),
        row("LBBBBBBBBBBB", true, false),
    ]
    .join("\r\n");
    let (bytes, _, unmappable) = encoding_rs::GB18030.encode(&text);
    assert!(!unmappable);
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the file is not UTF-8"
    );
    let returned = dir.path().join("城关镇_已核查.csv");
    std::fs::write(&returned, &bytes).unwrap();

    let out = Command::new(env!("CARGO_BIN_EXE_loubao"))
        .args(["--quiet", "review"])
        .arg(&pipeline)
        .arg(&returned)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    // The untouched row is only counted as not yet verified; the result nobody signed is
    // rejected at its physical line.
    assert_eq!(out.status.code(), Some(3), "{stdout}");
    let rejects: Vec<&str> = stdout.lines().filter(|l| l.starts_with("拒收")).collect();
    assert_eq!(
        rejects,
        ["拒收 城关镇_已核查.csv#4: 已填写核查结果, 但核查人为空"],
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "共读取 1 个文件 3 行: 已记录核查结果 1 条, 与台账已有记录相同, 未重复记录 0 行, \
             未填写 1 行, 拒收 1 条"
        ),
        "{stdout}"
    );

    let ledger = Ledger::open(&db).unwrap();
    let a = ledger.clue("LBAAAAAAAAAA").unwrap().unwrap();
    assert_eq!(a.status, LedgerStatus::Closed);
    let review = a.review.unwrap();
    assert_eq!(review.outcome, ReviewOutcome::NotEligible);
    assert_eq!(review.reviewer.as_deref(), Some("李核查"));
    assert_eq!(review.review_date, date(2021, 7, 5));
    assert_eq!(review.note.as_deref(), Some("入户核查, 家庭收入超标"));
    assert_eq!(review.imported_from, "城关镇_已核查.csv#2");
    assert!(ledger.reviews("LBBBBBBBBBBB").unwrap().is_empty());
}

/// The whole loop through the binary on a generated county: run, a township fills its
/// workbook, review imports it, the next run keeps the rejected clue silent and flags the
/// one reported as included but still missing from the rolls.
#[test]
fn review_loop_on_a_generated_county() {
    let loubao = env!("CARGO_BIN_EXE_loubao");
    let dir = tempfile::tempdir().unwrap();
    let status = |args: &[&str]| {
        Command::new(loubao)
            .arg("-q")
            .args(args)
            .status()
            .unwrap()
            .code()
    };
    let county = dir.path().to_str().unwrap();
    let sample = ["sample", county, "--persons", "300", "--seed", "5"];
    assert_eq!(status(&sample), Some(0));
    let pipeline = dir.path().join("pipeline.toml");
    let pipeline = pipeline.to_str().unwrap();
    assert!(matches!(status(&["run", pipeline]), Some(0 | 3)));

    // The first township list with at least two clues.
    let first_run = dir.path().join("outbox/2021-06-30");
    let mut lists: Vec<PathBuf> = std::fs::read_dir(&first_run)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "xlsx"))
        .collect();
    lists.sort();
    let (township, clues) = lists
        .iter()
        .find_map(|path| {
            let mut book = open_workbook_auto(path).ok()?;
            let range = book.worksheet_range_at(0)?.ok()?;
            let rows: Vec<Vec<String>> = range
                .rows()
                .map(|r| r.iter().map(cell_text).collect())
                .collect();
            (rows.first()?.first()? == "线索编号" && rows.len() >= 3).then(|| {
                (
                    rows[1][1].clone(),
                    vec![rows[1][0].clone(), rows[2][0].clone()],
                )
            })
        })
        .expect("a township list with two clues");
    let returned = dir.path().join(format!("{township}_已核查.xlsx"));
    write_returned(
        &returned,
        &[
            (&clues[0], &township, "不符合条件", "2021-07-05"),
            (&clues[1], &township, "符合条件已纳入保障", "2021-07-06"),
        ],
    );
    assert_eq!(
        status(&["review", pipeline, returned.to_str().unwrap()]),
        Some(0)
    );

    assert!(matches!(status(&["run", pipeline]), Some(0 | 3)));
    let second_run = dir.path().join("outbox/2021-06-30_2");
    let text = std::fs::read_to_string(second_run.join(format!("{township}.csv"))).unwrap();
    assert!(!text.contains(&clues[0]), "a rejected clue stays silent");
    let included = text.lines().find(|l| l.starts_with(&clues[1])).unwrap();
    assert!(included.contains("整改未到位"), "{included}");
    assert!(included.contains("持续"), "{included}");

    let month = ["report", "monthly", pipeline, "--month", "2021-06"];
    assert_eq!(status(&month), Some(0));
    assert!(dir.path().join("outbox/月报_2021-06.xlsx").exists());
}

/// A township list as CSV rows (the BOM stripped), header first.
fn list_rows(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn a_closed_clue_stays_closed_when_its_petition_text_gains_an_amount() {
    let petition = |content: &str| {
        format!(
            "姓名,身份证号,信访日期,信访类别,信访内容,办理状态,乡镇\n\
             赵六,410123196505051238,2021-06-20,求助,{content},已办结,城关镇\n"
        )
    };
    let inbox = Inbox::new(
        "[[sources]]\nkind = \"petition\"\nglob = \"信访*\"\n\n\
         [[sources]]\nkind = \"dibao\"\nglob = \"民政_低保*\"\n",
        &[
            (
                "民政_低保.csv",
                "姓名,身份证号,保障状态,乡镇\n孙七,410123198008084564,在保,城关镇\n",
            ),
            ("信访.csv", &petition("家中困难申请救助")),
        ],
    );
    let succeeds = |(code, text): (i32, String)| assert!(matches!(code, 0 | 3), "{text}");
    let names = |rows: &[Vec<String>]| -> Vec<String> {
        let at = rows[0].iter().position(|h| h == "姓名").unwrap();
        let mut names: Vec<String> = rows[1..].iter().map(|r| r[at].clone()).collect();
        names.sort();
        names
    };

    succeeds(inbox.loubao("run"));
    let mut rows = list_rows(&inbox.run_folder().join("城关镇.csv"));
    assert_eq!(names(&rows), ["张三", "王五", "赵六"]);

    // The township finds 赵六 not eligible and returns its list.
    let col = |name: &str| rows[0].iter().position(|h| h == name).unwrap();
    let (outcome, by, on) = (col("核查结果"), col("核查人"), col("核查日期"));
    let zhao = rows
        .iter()
        .position(|r| r.contains(&"赵六".to_string()))
        .unwrap();
    rows[zhao][outcome] = "不符合条件".into();
    rows[zhao][by] = "李核查".into();
    rows[zhao][on] = "2021-07-05".into();
    let returned = inbox.dir.path().join("城关镇_已核查.csv");
    let mut writer = csv::Writer::from_path(&returned).unwrap();
    for row in &rows {
        writer.write_record(row).unwrap();
    }
    writer.flush().unwrap();
    succeeds(inbox.loubao_with("review", &[&returned]));

    // The petition now quotes a sum: words in 依据 are not facts, the clue stays closed.
    inbox.write("信访.csv", petition("家中困难申请救助3000元"));
    succeeds(inbox.loubao("run"));
    let second = list_rows(&inbox.run_folder().join("城关镇.csv"));
    assert_eq!(names(&second), ["张三", "王五"]);
}
