//! Issue 19, the rest of the campaign table, through the binary: conduct clues (R07) on the
//! county's own list, deadlines, and the county's spot checks.

use std::path::Path;

mod common;

use calamine::{open_workbook_auto, Data, Reader};
use common::Inbox;
use loubao::model::{ConductColumn, ListColumn, SpotCheckColumn};

const SOURCES: &str = "[[sources]]\nkind = \"hotline\"\nglob = \"12349*\"\n\
    [[sources]]\nkind = \"dibao\"\nglob = \"民政_低保*\"\n";
const DIBAO: &str = "姓名,身份证号,保障状态,乡镇\n孙七,410123198008084564,在保,城关镇\n";

/// 赵六 complains by type (投诉), 钱七 by content (推诿), 孙八 before `since`, 周九 asks for
/// help and is a suspect of R01.
const HOTLINE_FILE: &str = "来电时间,来电人,来电人身份证号,所属乡镇,工单类型,诉求内容,办理状态\n\
    2021-05-10 09:00:00,赵六,410123196005051231,城关镇,投诉,投诉民政所工作人员服务差,已办结\n\
    2021-05-12 10:00:00,钱七,410123196206061233,城关镇,咨询,申请低保时被村里推诿,办理中\n\
    2019-05-10 11:00:00,孙八,410123196407071235,城关镇,投诉,投诉工作人员态度差,已办结\n\
    2021-05-11 12:00:00,周九,410123196608081237,城关镇,求助,家中困难请求救助,已办结\n";

fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    reader
        .records()
        .map(|r| r.unwrap().iter().map(|c| c.trim().to_string()).collect())
        .collect()
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::Float(f) if f.fract() == 0.0 => format!("{f:.0}"),
        other => other.to_string(),
    }
}

/// The rows of a workbook's sheet as text.
fn sheet_rows(path: &Path, sheet: &str) -> Vec<Vec<String>> {
    let mut workbook = open_workbook_auto(path).unwrap();
    let range = workbook.worksheet_range(sheet).unwrap();
    range
        .rows()
        .map(|r| r.iter().map(cell_text).collect())
        .collect()
}

#[test]
fn conduct_complaints_go_to_the_county_list_and_the_monthly_report() {
    let inbox = Inbox::new(
        SOURCES,
        &[("12349热线.csv", HOTLINE_FILE), ("民政_低保.csv", DIBAO)],
    );
    let (code, text) = inbox.loubao("run");
    assert!(matches!(code, 0 | 3), "{text}");
    let folder = inbox.run_folder();

    let conduct = csv_rows(&folder.join("服务问题线索.csv"));
    assert_eq!(conduct[0], ConductColumn::HEADERS);
    let at = |row: &Vec<String>, column: ConductColumn| row[column.index()].clone();
    let names: Vec<String> = conduct[1..]
        .iter()
        .map(|r| at(r, ConductColumn::Complainant))
        .collect();
    assert_eq!(names, ["赵六", "钱七"], "{conduct:?}");
    let zhao = &conduct[1];
    assert_eq!(at(zhao, ConductColumn::Township), "城关镇");
    assert_eq!(at(zhao, ConductColumn::IdNumber), "410123********1231");
    assert_eq!(at(zhao, ConductColumn::Date), "2021-05-10");
    assert!(
        at(zhao, ConductColumn::Content).contains("服务差"),
        "{zhao:?}"
    );
    assert_eq!(at(zhao, ConductColumn::Handling), "已办结");
    assert_eq!(at(zhao, ConductColumn::SourceRefs), "12349热线.csv#2");

    // The township's list holds its suspects, never a complaint about its own staff.
    let list = csv_rows(&folder.join("城关镇.csv"));
    let codes = ListColumn::Codes.index();
    assert!(
        list[1..].iter().all(|r| !r[codes].contains("R07")),
        "{list:?}"
    );
    let listed: Vec<&str> = list[1..]
        .iter()
        .map(|r| r[ListColumn::Name.index()].as_str())
        .collect();
    assert!(listed.contains(&"周九"), "{listed:?}");
    assert!(!listed.contains(&"赵六"), "{listed:?}");

    // Both complaints are clues of the ledger, counted in their own column of the month.
    let out = std::process::Command::new(common::BIN)
        .args(["--quiet", "report", "monthly"])
        .arg(inbox.pipeline())
        .args(["--month", "2021-06"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let rows = sheet_rows(&inbox.dir.path().join("out/月报_2021-06.xlsx"), "月报");
    let header = &rows[2];
    let column = header
        .iter()
        .position(|h| h == "本月新增服务问题线索")
        .unwrap();
    let town = rows.iter().find(|r| r[0] == "城关镇").unwrap();
    assert_eq!(town[column], "2", "{town:?}");
    // 本月新增线索 counts the list's suspects only: 张三, 王五 (medical) and 周九.
    assert_eq!(town[1], "3", "{header:?} {town:?}");

    let out = std::process::Command::new(common::BIN)
        .args(["explain", "R07"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.starts_with("R07 服务问题线索"), "{said}");
    assert!(said.contains("推诿") && said.contains("投诉"), "{said}");
}

/// The pipeline file with another `as_of`, and `extra` appended.
fn set_as_of(inbox: &Inbox, as_of: &str, extra: &str) {
    let text = std::fs::read_to_string(inbox.pipeline()).unwrap();
    let text = text.replace("as_of = 2021-06-30", &format!("as_of = {as_of}"));
    inbox.set_pipeline(&format!("{text}{extra}"));
}

/// (姓名, 状态) of the newest 城关镇 list, with each row's clue id.
fn statuses(inbox: &Inbox) -> Vec<(String, String, String)> {
    let list = csv_rows(&inbox.run_folder().join("城关镇.csv"));
    list[1..]
        .iter()
        .map(|r| {
            (
                r[ListColumn::Name.index()].clone(),
                r[ListColumn::Status.index()].clone(),
                r[ListColumn::ClueId.index()].clone(),
            )
        })
        .collect()
}

fn monthly(inbox: &Inbox, month: &str) -> Vec<Vec<String>> {
    let out = std::process::Command::new(common::BIN)
        .args(["--quiet", "report", "monthly"])
        .arg(inbox.pipeline())
        .args(["--month", month])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let path = inbox.dir.path().join(format!("out/月报_{month}.xlsx"));
    sheet_rows(&path, "月报")
}

/// The 城关镇 row's figure under `header`.
fn figure(rows: &[Vec<String>], header: &str) -> String {
    let column = rows[2].iter().position(|h| h == header).unwrap();
    rows.iter().find(|r| r[0] == "城关镇").unwrap()[column].clone()
}

#[test]
fn clues_not_reviewed_by_the_deadline_are_flagged_and_counted() {
    let inbox = Inbox::new(SOURCES, &[("民政_低保.csv", DIBAO)]);
    let succeeds = |(code, text): (i32, String)| assert!(matches!(code, 0 | 3), "{text}");
    succeeds(inbox.loubao("run"));
    // On the review deadline itself nothing is late.
    let first = statuses(&inbox);
    assert_eq!(first.len(), 2, "{first:?}");
    assert!(first.iter().all(|(_, s, _)| s == "新增"), "{first:?}");

    // 王五's clue is reviewed; 张三's is not.
    let wang = first
        .iter()
        .find(|(n, _, _)| n == "王五")
        .unwrap()
        .2
        .clone();
    let mut cells = vec![String::new(); ListColumn::ALL.len()];
    cells[ListColumn::ClueId.index()] = wang.clone();
    cells[ListColumn::Township.index()] = "城关镇".into();
    cells[ListColumn::Outcome.index()] = "纳入监测".into();
    cells[ListColumn::Reviewer.index()] = "李核查".into();
    cells[ListColumn::ReviewDate.index()] = "2021-07-02".into();
    let returned = inbox.dir.path().join("城关镇_已核查.csv");
    std::fs::write(
        &returned,
        format!("{}\n{}\n", ListColumn::HEADERS.join(","), cells.join(",")),
    )
    .unwrap();
    succeeds(inbox.loubao_with("review", &[&returned]));

    set_as_of(&inbox, "2021-07-05", "");
    succeeds(inbox.loubao("run"));
    let second = statuses(&inbox);
    let status_of = |name: &str| {
        second
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, s, _)| s.clone())
            .unwrap()
    };
    assert_eq!(status_of("张三"), "持续(逾期未核查)");
    assert_eq!(status_of("王五"), "持续(已核查: 纳入监测)");

    // The ledger marks it too.
    let db = rusqlite::Connection::open(inbox.dir.path().join("out/ledger.sqlite3")).unwrap();
    let marked: Vec<(String, Option<String>)> = db
        .prepare("SELECT name, overdue FROM clues ORDER BY name")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        marked,
        [
            ("张三".to_string(), Some("逾期未核查".to_string())),
            ("王五".to_string(), None)
        ]
    );

    // July's report counts the one late clue; June's, at its deadline, none.
    assert_eq!(figure(&monthly(&inbox, "2021-07"), "逾期未核查"), "1");
    assert_eq!(figure(&monthly(&inbox, "2021-06"), "逾期未核查"), "0");

    // A county that set a later deadline is not late yet.
    set_as_of(
        &inbox,
        "2021-07-05",
        "\n[campaign]\nreview_by = 2021-07-31\n",
    );
    succeeds(inbox.loubao("run"));
    let third = statuses(&inbox);
    assert!(
        third.iter().all(|(_, s, _)| !s.contains("逾期")),
        "{third:?}"
    );
    assert_eq!(figure(&monthly(&inbox, "2021-07"), "逾期未核查"), "0");
}

/// A returned township list closing every named clue as 不符合条件.
fn close_as_township(inbox: &Inbox, clue_ids: &[&str]) {
    let mut text = ListColumn::HEADERS.join(",");
    for id in clue_ids {
        let mut cells = vec![String::new(); ListColumn::ALL.len()];
        cells[ListColumn::ClueId.index()] = id.to_string();
        cells[ListColumn::Outcome.index()] = "不符合条件".into();
        cells[ListColumn::Reviewer.index()] = "李核查".into();
        cells[ListColumn::ReviewDate.index()] = "2021-07-02".into();
        text.push('\n');
        text.push_str(&cells.join(","));
    }
    let path = inbox.dir.path().join("城关镇_已核查.csv");
    std::fs::write(&path, text).unwrap();
    let (code, said) = inbox.loubao_with("review", &[&path]);
    assert_eq!(code, 0, "{said}");
}

/// `report spotcheck --share … --seed …`: the clue ids of the 县抽查清单 written.
fn draw(inbox: &Inbox, share: &str, seed: &str) -> Vec<Vec<String>> {
    let out = std::process::Command::new(common::BIN)
        .args(["--quiet", "report", "spotcheck"])
        .arg(inbox.pipeline())
        .args(["--share", share, "--seed", seed])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    sheet_rows(&inbox.dir.path().join("out/县抽查清单.xlsx"), "县重点抽查")
}

/// A returned 县抽查清单 as CSV: (clue id, 抽查结果, 抽查人, 抽查日期) per row.
fn returned_checks(inbox: &Inbox, name: &str, rows: &[[&str; 4]]) -> std::path::PathBuf {
    let mut text = SpotCheckColumn::HEADERS.join(",");
    for [id, verdict, checker, date] in rows {
        let mut cells = vec![String::new(); SpotCheckColumn::ALL.len()];
        cells[SpotCheckColumn::ClueId.index()] = id.to_string();
        cells[SpotCheckColumn::Township.index()] = "城关镇".into();
        cells[SpotCheckColumn::Outcome.index()] = "不符合条件".into();
        cells[SpotCheckColumn::Verdict.index()] = verdict.to_string();
        cells[SpotCheckColumn::Checker.index()] = checker.to_string();
        cells[SpotCheckColumn::CheckDate.index()] = date.to_string();
        text.push('\n');
        text.push_str(&cells.join(","));
    }
    let path = inbox.dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_spot_check_that_disagrees_reopens_the_clue() {
    let inbox = Inbox::new(SOURCES, &[("民政_低保.csv", DIBAO)]);
    let succeeds = |(code, text): (i32, String)| assert!(matches!(code, 0 | 3), "{text}");
    succeeds(inbox.loubao("run"));
    let listed = statuses(&inbox);
    let ids: Vec<&str> = listed.iter().map(|(_, _, id)| id.as_str()).collect();
    assert_eq!(ids.len(), 2, "{listed:?}");
    close_as_township(&inbox, &ids);
    succeeds(inbox.loubao("run"));
    assert!(statuses(&inbox).is_empty(), "closed clues stay silent");

    // Half of 城关镇's two closures, drawn twice with one seed: the same clue.
    let sheet = draw(&inbox, "50%", "7");
    assert_eq!(sheet[0], SpotCheckColumn::HEADERS);
    assert_eq!(sheet.len(), 2, "{sheet:?}");
    let row = &sheet[1];
    assert_eq!(row[SpotCheckColumn::Outcome.index()], "不符合条件");
    assert_eq!(row[SpotCheckColumn::Reviewer.index()], "李核查");
    assert_eq!(row[SpotCheckColumn::Verdict.index()], "");
    let drawn = row[SpotCheckColumn::ClueId.index()].clone();
    assert_eq!(
        draw(&inbox, "50%", "7")[1][SpotCheckColumn::ClueId.index()],
        drawn
    );
    let other = ids.iter().find(|id| **id != drawn).unwrap().to_string();

    let today = chrono::Local::now().date_naive().to_string();
    // Conflicting rows for one clue, and a clue never drawn, are rejected with file and row.
    let bad = returned_checks(
        &inbox,
        "抽查_有误.csv",
        &[
            [&drawn, "一致", "县民政局王", &today],
            [&drawn, "不一致", "县民政局王", &today],
            [&other, "一致", "县民政局王", &today],
        ],
    );
    let (code, said) = inbox.loubao_with("review", &[&bad]);
    assert_eq!(code, 3, "{said}");
    assert!(
        said.contains("拒收 抽查_有误.csv#2") && said.contains("抽查_有误.csv#3"),
        "{said}"
    );
    assert!(
        said.contains(&format!(
            "拒收 抽查_有误.csv#4: 线索编号 {other} 不在县抽查清单中"
        )),
        "{said}"
    );
    assert!(said.contains("线索台账未改动"), "{said}");

    let good = returned_checks(
        &inbox,
        "抽查.csv",
        &[[&drawn, "不一致", "县民政局王", &today]],
    );
    let (code, said) = inbox.loubao_with("review", &[&good]);
    assert_eq!(code, 0, "{said}");
    assert!(said.contains("已记录抽查结果 1 条"), "{said}");
    // Importing it again changes nothing.
    let (code, said) = inbox.loubao_with("review", &[&good]);
    assert_eq!(code, 0, "{said}");
    assert!(
        said.contains("未重复记录 1 行") && said.contains("线索台账未改动"),
        "{said}"
    );

    // The next run lists the overturned clue again, waiting for a new review.
    succeeds(inbox.loubao("run"));
    let again = statuses(&inbox);
    assert_eq!(
        again.len(),
        1,
        "the overturned clue is listed again: {again:?}"
    );
    assert_eq!(
        again,
        [(
            again[0].0.clone(),
            "持续(县重点抽查结果不一致, 请重新核查)".to_string(),
            drawn.clone()
        )],
        "{again:?}"
    );

    // The closing lists say how the township's closures fared.
    let out = std::process::Command::new(common::BIN)
        .args(["--quiet", "report", "final"])
        .arg(inbox.pipeline())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let rows = sheet_rows(
        &inbox.dir.path().join("out/总结_三项清单.xlsx"),
        "县重点抽查",
    );
    assert_eq!(
        rows[0],
        ["乡镇", "县抽查线索数", "已反馈", "一致", "不一致"]
    );
    let town = rows.iter().find(|r| r[0] == "城关镇").unwrap();
    assert_eq!(town[1..], ["1", "1", "0", "1"]);
}
