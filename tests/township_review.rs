//! The township side of the review loop through the binary, on the lists a run writes: a
//! returned list imported twice, conflicting and half-filled rows, a reviewed clue's next
//! list, the closing lists against the ledger, a ledger that fails mid-run, and run ids.

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

use calamine::{open_workbook_auto, Reader};
use common::Inbox;
use loubao::ledger::Ledger;

/// 张三 and 王五 (medical costs over the threshold, not on the dibao roll) are suspects.
fn inbox() -> Inbox {
    Inbox::new(
        "[[sources]]\nkind = \"dibao\"\nglob = \"民政_低保*\"\n",
        &[(
            "民政_低保.csv",
            "姓名,身份证号,保障状态,乡镇\n孙七,410123198008084564,在保,城关镇\n",
        )],
    )
}

fn succeeds((code, text): (i32, String)) -> String {
    assert!(matches!(code, 0 | 3), "{text}");
    text
}

fn ledger(inbox: &Inbox) -> Ledger {
    Ledger::open(&inbox.dir.path().join("out/ledger.sqlite3")).unwrap()
}

fn count(inbox: &Inbox, table: &str) -> i64 {
    let db = rusqlite::Connection::open(inbox.dir.path().join("out/ledger.sqlite3")).unwrap();
    db.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

/// A township list CSV as rows of cells (BOM stripped), header first.
struct List {
    rows: Vec<Vec<String>>,
}

impl List {
    fn read(path: &Path) -> List {
        let text = std::fs::read_to_string(path).unwrap();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        List {
            rows: reader
                .records()
                .map(|r| r.unwrap().iter().map(str::to_string).collect())
                .collect(),
        }
    }

    /// The newest run's 城关镇 list.
    fn latest(inbox: &Inbox) -> List {
        List::read(&inbox.run_folder().join("城关镇.csv"))
    }

    fn col(&self, header: &str) -> usize {
        self.rows[0].iter().position(|h| h == header).unwrap()
    }

    fn row_of(&self, name: &str) -> usize {
        let at = self.col("姓名");
        self.rows.iter().position(|r| r[at] == name).unwrap()
    }

    fn cell(&self, name: &str, header: &str) -> &str {
        &self.rows[self.row_of(name)][self.col(header)]
    }

    fn clue_id(&self, name: &str) -> String {
        self.cell(name, "线索编号").trim().to_string()
    }

    /// Fills 核查结果, 核查人, 核查日期 and 备注 of `name`'s row; "" leaves a cell blank.
    fn fill(&mut self, name: &str, cells: [&str; 4]) -> &mut List {
        let row = self.row_of(name);
        for (header, text) in ["核查结果", "核查人", "核查日期", "备注"].iter().zip(cells)
        {
            let col = self.col(header);
            self.rows[row][col] = text.to_string();
        }
        self
    }

    /// Appends a copy of `name`'s row (as a clerk copying a line would).
    fn duplicate(&mut self, name: &str) -> &mut List {
        let row = self.rows[self.row_of(name)].clone();
        self.rows.push(row);
        self
    }

    /// Writes the list where the clerk saved it, returning its path.
    fn save(&self, inbox: &Inbox, file: &str) -> PathBuf {
        let path = inbox.dir.path().join(file);
        let mut writer = csv::Writer::from_path(&path).unwrap();
        for row in &self.rows {
            writer.write_record(row).unwrap();
        }
        writer.flush().unwrap();
        path
    }
}

fn rejects(text: &str) -> Vec<&str> {
    text.lines().filter(|l| l.starts_with("拒收 ")).collect()
}

#[test]
fn the_same_file_twice_records_once_and_exits_zero() {
    let inbox = inbox();
    succeeds(inbox.loubao("run"));
    let mut list = List::latest(&inbox);
    let returned = list
        .fill(
            "张三",
            ["已给予临时救助", "李核查", "2021-07-05", "入户核查"],
        )
        .save(&inbox, "城关镇_已核查.csv");

    let (code, text) = inbox.loubao_with("review", &[&returned]);
    assert_eq!(code, 0, "{text}");
    // 王五's row is untouched: counted as 未填写, not rejected.
    assert!(
        text.contains(
            "共读取 1 个文件 2 行: 已记录核查结果 1 条, 与台账已有记录相同, 未重复记录 0 行, \
             未填写 1 行, 拒收 0 条"
        ),
        "{text}"
    );
    assert!(rejects(&text).is_empty(), "{text}");

    let (code, again) = inbox.loubao_with("review", &[&returned]);
    assert_eq!(code, 0, "{again}");
    assert!(
        again.contains(
            "共读取 1 个文件 2 行: 已记录核查结果 0 条, 与台账已有记录相同, 未重复记录 1 行, \
             未填写 1 行, 拒收 0 条"
        ),
        "{again}"
    );
    assert!(again.contains("线索台账未改动"), "{again}");
    assert_eq!(count(&inbox, "reviews"), 1);
    assert_eq!(count(&inbox, "rectifications"), 1, "no second 整改 record");
}

#[test]
fn rows_of_one_clue_that_disagree_are_all_rejected() {
    let inbox = inbox();
    succeeds(inbox.loubao("run"));
    let list = List::latest(&inbox);
    let (zhang, wang) = (list.clue_id("张三"), list.clue_id("王五"));
    let zhang_row = list.row_of("张三") + 1;
    // 张三 twice in the first file (his row copied below the list), once in the second.
    let first = List::latest(&inbox)
        .fill("张三", ["其他", "李核查", "2021-07-05", ""])
        .duplicate("张三")
        .fill("张三", ["不符合条件", "李核查", "2021-07-05", ""])
        .fill("王五", ["纳入监测", "李核查", "2021-07-05", "防返贫监测"])
        .save(&inbox, "城关镇_一组.csv");
    // The second file repeats 王五 word for word (the date as Excel rewrites it) and says
    // something else again about 张三.
    let second = List::latest(&inbox)
        .fill("王五", ["纳入监测", "李核查", "2021/7/5", "防返贫监测"])
        .fill("张三", ["已给予临时救助", "李核查", "2021-07-06", ""])
        .save(&inbox, "城关镇_二组.csv");

    let (code, text) = inbox.loubao_with("review", &[&first, &second]);
    assert_eq!(code, 3, "{text}");
    let rejects = rejects(&text);
    assert_eq!(rejects.len(), 3, "{text}");
    let rows = [
        format!("城关镇_一组.csv#{zhang_row}"),
        "城关镇_一组.csv#4".to_string(),
        format!("城关镇_二组.csv#{zhang_row}"),
    ];
    for (reject, me) in rejects.iter().zip(&rows) {
        assert!(reject.starts_with(&format!("拒收 {me}: ")), "{reject}");
        assert!(reject.contains(&zhang), "{reject}");
        for other in rows.iter().filter(|r| *r != me) {
            assert!(reject.contains(other.as_str()), "{reject} names {other}");
        }
    }
    assert!(
        text.contains("已记录核查结果 1 条, 与台账已有记录相同, 未重复记录 1 行"),
        "{text}"
    );
    let ledger = ledger(&inbox);
    assert!(ledger.reviews(&zhang).unwrap().is_empty());
    assert_eq!(ledger.reviews(&wang).unwrap().len(), 1);
}

#[test]
fn a_result_needs_its_reviewer_and_date() {
    let inbox = inbox();
    succeeds(inbox.loubao("run"));
    let list = List::latest(&inbox);
    let (zhang, wang) = (list.row_of("张三") + 1, list.row_of("王五") + 1);
    let returned = List::latest(&inbox)
        .fill("张三", ["不符合条件", "李核查", "", ""])
        .fill("王五", ["不符合条件", "", "2021-07-05", ""])
        .save(&inbox, "城关镇.csv");
    let (code, text) = inbox.loubao_with("review", &[&returned]);
    assert_eq!(code, 3, "{text}");
    let mut expected = [
        format!("拒收 城关镇.csv#{zhang}: 已填写核查结果, 但核查日期为空"),
        format!("拒收 城关镇.csv#{wang}: 已填写核查结果, 但核查人为空"),
    ];
    expected.sort();
    let mut got = rejects(&text);
    got.sort();
    assert_eq!(got, expected, "{text}");
    assert_eq!(count(&inbox, "reviews"), 0);
}

/// 张三 was given temporary assistance, 王五 reported as included: both are still suspects
/// next night, and their rows say what the township decided and what is pending.
#[test]
fn a_reviewed_clue_comes_back_with_its_review_and_the_final_lists_agree() {
    let inbox = inbox();
    succeeds(inbox.loubao("run"));
    let returned = List::latest(&inbox)
        .fill(
            "张三",
            [
                "已给予临时救助",
                "李核查",
                "2021-07-05",
                "发放临时救助3000元",
            ],
        )
        .fill("王五", ["符合条件已纳入保障", "王核查", "2021-07-06", ""])
        .save(&inbox, "城关镇_已核查.csv");
    assert_eq!(inbox.loubao_with("review", &[&returned]).0, 0);

    succeeds(inbox.loubao("run"));
    assert!(inbox.run_folder().ends_with("2021-06-30_2"));
    let next = List::latest(&inbox);
    let zhang = |h| next.cell("张三", h);
    assert_eq!(zhang("状态"), "持续(已核查: 已给予临时救助)");
    assert_eq!(zhang("核查结果"), "已给予临时救助");
    assert_eq!(zhang("核查人"), "李核查");
    assert_eq!(zhang("核查日期"), "2021-07-05");
    assert_eq!(zhang("备注"), "发放临时救助3000元");
    let wang = |h| next.cell("王五", h);
    assert_eq!(wang("状态"), "持续(整改未到位: 已报纳入保障但名册中未见)");
    assert_eq!(wang("核查结果"), "符合条件已纳入保障");
    assert_eq!(wang("核查日期"), "2021-07-06");
    assert_eq!(wang("备注"), "");

    // Returned unchanged, the carried-forward rows are the reviews already recorded.
    let unchanged = next.save(&inbox, "城关镇_次日.csv");
    let (code, text) = inbox.loubao_with("review", &[&unchanged]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("已记录核查结果 0 条, 与台账已有记录相同, 未重复记录 2 行"),
        "{text}"
    );
    assert_eq!(count(&inbox, "reviews"), 2);
    assert_eq!(count(&inbox, "rectifications"), 2);

    // The closing lists say what the ledger says.
    let out = Command::new(common::BIN)
        .args(["--quiet", "report", "final"])
        .arg(inbox.pipeline())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let mut book = open_workbook_auto(inbox.dir.path().join("out/总结_三项清单.xlsx")).unwrap();
    let sheet = book.worksheet_range("问题(整改)清单").unwrap();
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    let col = |h: &str| rows[0].iter().position(|c| c == h).unwrap();
    let (name, status, outcome, fix) = (
        col("姓名"),
        col("台账状态"),
        col("核查结果"),
        col("整改情况"),
    );
    let row = |who: &str| rows.iter().find(|r| r[name] == who).unwrap();
    assert_eq!(
        [
            &row("张三")[status],
            &row("张三")[outcome],
            &row("张三")[fix]
        ],
        ["已核查, 继续跟踪", "已给予临时救助", "已完成"]
    );
    assert_eq!(
        [
            &row("王五")[status],
            &row("王五")[outcome],
            &row("王五")[fix]
        ],
        ["已报纳入保障", "符合条件已纳入保障", "整改未到位"]
    );
    let clues = ledger(&inbox).clues().unwrap();
    assert_eq!(rows.len(), clues.len() + 1);
    for (row, clue) in rows[1..].iter().zip(&clues) {
        let review = clue.review.as_ref().map(|r| r.outcome);
        assert_eq!(row[status], clue.status.label_zh(review), "{row:?}");
        assert_eq!(row[outcome], review.map_or("", |o| o.label_zh()), "{row:?}");
        // A clue with a standing review is never shown as waiting for one.
        assert!(
            row[outcome].is_empty() || row[status] != "待核查",
            "{row:?}"
        );
    }
}

fn manifest_outcome(folder: &Path) -> String {
    let text = std::fs::read_to_string(folder.join("manifest.json")).unwrap();
    let manifest: serde_json::Value = serde_json::from_str(&text).unwrap();
    manifest["outcome"].as_str().unwrap().to_string()
}

#[test]
fn a_run_the_ledger_cannot_record_is_not_complete() {
    let inbox = inbox();
    let db = inbox.dir.path().join("out/ledger.sqlite3");
    succeeds(inbox.loubao("run"));
    // This small inbox lacks fields that change results, so its runs are partial.
    assert_eq!(manifest_outcome(&inbox.run_folder()), "partial");

    // The ledger refuses the run's row, as a full disk or a damaged file would.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(
        "CREATE TRIGGER refuse BEFORE INSERT ON runs BEGIN SELECT RAISE(ABORT, '磁盘已满'); END;",
    )
    .unwrap();
    let (code, text) = inbox.loubao("run");
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("线索台账未能更新") && text.contains("磁盘已满"),
        "{text}"
    );
    let failed = inbox.run_folder();
    assert!(failed.ends_with("2021-06-30_2"));
    assert_eq!(manifest_outcome(&failed), "unrecorded");

    // Once the ledger works again, the next run records the failed one and moves on.
    conn.execute_batch("DROP TRIGGER refuse;").unwrap();
    succeeds(inbox.loubao("run"));
    assert!(inbox.run_folder().ends_with("2021-06-30_3"));
    let runs = ledger(&inbox).runs().unwrap();
    assert!(
        runs.contains(&("2021-06-30_2".into(), "unrecorded".into())),
        "{runs:?}"
    );
}

/// The ledger restored from a backup older than some run folders, and old folders
/// deleted: the ledger learns of the newest folder, and the next id comes after it, not in
/// the gap the deleted folders left.
#[test]
fn run_ids_are_not_reused_after_run_folders_are_deleted() {
    let inbox = inbox();
    let out = inbox.dir.path().join("out");
    succeeds(inbox.loubao("run"));
    let backup = inbox.dir.path().join("ledger.backup");
    std::fs::copy(out.join("ledger.sqlite3"), &backup).unwrap();
    succeeds(inbox.loubao("run"));
    succeeds(inbox.loubao("run"));
    std::fs::copy(&backup, out.join("ledger.sqlite3")).unwrap();
    std::fs::remove_dir_all(out.join("2021-06-30_2")).unwrap();

    succeeds(inbox.loubao("run"));
    assert!(inbox.run_folder().ends_with("2021-06-30_4"));
    let runs: Vec<String> = ledger(&inbox)
        .runs()
        .unwrap()
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert_eq!(runs, ["2021-06-30", "2021-06-30_3", "2021-06-30_4"]);

    // Deleting every folder changes nothing either: the ledger remembers.
    for id in &runs {
        std::fs::remove_dir_all(out.join(id)).unwrap();
    }
    succeeds(inbox.loubao("run"));
    assert!(inbox.run_folder().ends_with("2021-06-30_5"));
}
