//! The defects an adversarial pass found (issue 18), each reproduced through the binary.

mod common;

use std::fs;

use calamine::{open_workbook_auto, Data, Reader};
use common::{Inbox, HEAD};

const DIBAO: &str = "[[sources]]\nkind = \"dibao\"\nglob = \"低保*\"\n";
const ROLL_HEADER: &str = "姓名,身份证号,保障状态,起始日期,终止日期,乡镇\n";

fn dibao_row(name: &str, id: &str) -> String {
    format!("{name},{id},在保,2019-01-01,,城关镇\n")
}

/// A one-person 低保 roll, so that a run has a roll beside the screening file under test.
fn write_roll(inbox: &Inbox) {
    inbox.write(
        "低保.csv",
        format!("{ROLL_HEADER}{}", dibao_row("李四", "410123198502021234")),
    );
}

/// Every cell of the workbook's first sheet, as text.
fn cells(path: &std::path::Path) -> Vec<Vec<String>> {
    let mut wb = open_workbook_auto(path).unwrap();
    let sheet = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&sheet).unwrap();
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

#[test]
fn one_person_with_2000_claim_lines_does_not_fail_the_run() {
    let inbox = Inbox::new(DIBAO, &[]);
    // A long file name, as departments name theirs: 2,000 references overflow one cell.
    let mut medical = String::from("姓名,身份证号,结算日期,个人自付,乡镇\n");
    for i in 0..2000 {
        medical.push_str(&format!(
            "赵六,410123196604041238,2021-0{}-{:02},30,城关镇\n",
            1 + i % 6,
            1 + i % 28
        ));
    }
    inbox.write("医保局_结算明细_2021年上半年全县汇总导出.csv", medical);
    write_roll(&inbox);
    let (code, out) = inbox.loubao("run");
    assert_eq!(code, 0, "{out}");
    let folder = inbox.run_folder();
    let rows = cells(&folder.join("城关镇.xlsx"));
    let refs = rows[0].iter().position(|h| h == "来源记录").unwrap();
    let zhao = rows
        .iter()
        .find(|r| r.contains(&"赵六".to_string()))
        .unwrap();
    assert!(zhao[refs].chars().count() <= 32_767);
    assert!(
        zhao[refs].ends_with("超出 Excel 单元格上限, 全文见同名 CSV 文件)"),
        "{}",
        &zhao[refs][..80]
    );
    let csv = fs::read_to_string(folder.join("城关镇.csv")).unwrap();
    let line = csv.lines().find(|l| l.contains("赵六")).unwrap();
    assert_eq!(
        line.matches("医保局_结算明细_2021年上半年全县汇总导出.csv#")
            .count(),
        2000,
        "the CSV keeps every reference"
    );
}

#[test]
fn formulas_starting_with_minus_are_escaped_in_lists_and_rejects() {
    let inbox = Inbox::new(DIBAO, &[]);
    inbox.write(
        "医保.csv",
        format!(
            "{}\"-1+HYPERLINK(\"\"http://evil.example/\"\",\"\"x\"\")\",410123195505051235,2021-03-05,50000,城关镇\n",
            common::MEDICAL
        ),
    );
    write_roll(&inbox);
    inbox.write("-1+cmd|' calc'!A0.csv", "x\n");
    let (code, out) = inbox.loubao("run");
    assert_eq!(code, 3, "the unclaimed file makes the run partial: {out}");
    let folder = inbox.run_folder();
    let list = fs::read_to_string(folder.join("城关镇.csv")).unwrap();
    assert!(
        list.contains("\"'-1+HYPERLINK(\"\"http://evil.example/\"\",\"\"x\"\")\""),
        "{list}"
    );
    let rejects = fs::read_to_string(folder.join("拒收记录.csv")).unwrap();
    assert!(rejects.contains("'-1+cmd|' calc'!A0.csv"), "{rejects}");
    assert!(!rejects.lines().any(|l| l.starts_with("-1+")), "{rejects}");
}

#[test]
fn townships_whose_list_files_would_collide_are_a_configuration_error() {
    let inbox = Inbox::new(DIBAO, &[]);
    inbox.set_pipeline(&format!(
        "{HEAD}\n[[townships]]\nname = \"a/b\"\n\n[[townships]]\nname = \"A_b\"\n\n[[sources]]\nkind = \"medical\"\nglob = \"医保*\"\n{DIBAO}"
    ));
    let (code, out) = inbox.loubao("run");
    assert_eq!(code, 4, "{out}");
    assert!(
        out.contains("乡镇 a/b 和 A_b 的名单文件名相同 (a_b.xlsx), 会互相覆盖: 请改名"),
        "{out}"
    );
}

#[test]
fn bare_cr_line_endings_lose_no_row() {
    let inbox = Inbox::new(DIBAO, &[]);
    let rows = [
        dibao_row("张一", "410123199001011237"),
        dibao_row("张二", "410123198502021234"),
        dibao_row("张三", "410123197703031231"),
        dibao_row("张四", "410123196604041238"),
        dibao_row("张五", "410123195505051235"),
        dibao_row("张六", "410123194406061232"),
    ];
    let endings = ["\r\n", "\n", "\r", "\r", "\n", "\r\n"];
    let mut text = ROLL_HEADER.replace('\n', "\r");
    for (row, end) in rows.iter().zip(endings) {
        text.push_str(row.trim_end());
        text.push_str(end);
    }
    inbox.write("低保.csv", text);
    let (code, out) = inbox.loubao("check");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("  读取 6 行, 拒收 0 行"), "{out}");
}

#[test]
fn three_bad_bytes_cost_their_row_alone_and_are_counted() {
    let inbox = Inbox::new(
        "[[sources]]\nkind = \"temp_assistance\"\nglob = \"临时救助*\"\n",
        &[],
    );
    let mut bytes = encoding_rs::GB18030
        .encode("姓名,身份证号,救助日期,金额\n张三,410123199001011237,2021-03-01,800\n")
        .0
        .into_owned();
    bytes.extend_from_slice(b"\x81\x20\xff,410123198502021234,2021-03-02,500\n");
    bytes.extend_from_slice(
        &encoding_rs::GB18030
            .encode("王五,410123197703031231,2021-03-03,600\n")
            .0,
    );
    inbox.write("临时救助.csv", bytes);
    let (code, out) = inbox.loubao("check");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("编码: gb18030 (含无法识别的字节)"), "{out}");
    assert!(out.contains("  读取 3 行, 拒收 1 行"), "{out}");
    assert!(
        out.contains("    拒收原因 1 行: 本行含有无法识别的字节 (文件编码损坏), 本行不使用"),
        "{out}"
    );
}

#[test]
fn a_nul_inside_a_name_is_removed_before_linking_and_never_written() {
    let inbox = Inbox::new(DIBAO, &[]);
    inbox.write(
        "医保.csv",
        format!("{}袁\0芳,,2021-03-05,50000,城关镇\n", common::MEDICAL),
    );
    write_roll(&inbox);
    let (code, out) = inbox.loubao("run");
    assert_eq!(code, 0, "{out}");
    let folder = inbox.run_folder();
    for entry in fs::read_dir(&folder).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "csv") {
            let bytes = fs::read(&path).unwrap();
            assert!(!bytes.contains(&0), "{} holds a NUL: {out}", path.display());
        }
    }
    let all: String = ["城关镇.csv", "待复核.csv", "未确定乡镇.csv"]
        .iter()
        .filter_map(|f| fs::read_to_string(folder.join(f)).ok())
        .collect();
    assert!(all.contains("袁芳"), "{all}");
}

#[test]
fn settings_that_cannot_be_right_are_all_reported_at_once() {
    let inbox = Inbox::new(DIBAO, &[]);
    inbox.set_pipeline(&format!(
        "{}\n[[townships]]\nname = \"城关镇\"\n\n[[townships]]\nname = \"孔桥镇\"\naliases = [\"城关\"]\n\n[rules]\nmedical_threshold = -5\noverdue_days = -30\n\n[[sources]]\nkind = \"medical\"\nglob = \"医保*\"\n{DIBAO}",
        HEAD.replace("as_of = 2021-06-30", "as_of = 2030-06-30")
    ));
    let (code, out) = inbox.loubao("check");
    assert_eq!(code, 4, "{out}");
    for line in [
        "5 处设置需要修改:",
        "  as_of (2030-06-30) 晚于今天",
        "  rules.medical_threshold 必须大于 0",
        "  rules.overdue_days 不能为负数",
        "  名称或别名 城关 同时属于乡镇 城关镇 和 孔桥镇",
        "  乡镇 城关镇 在 [[townships]] 中列了 2 次",
    ] {
        assert!(out.contains(line), "{line:?} missing in:\n{out}");
    }
    inbox.set_pipeline(&HEAD.replace("as_of = 2021-06-30", "as_of = 20210630"));
    let (code, out) = inbox.loubao("check");
    assert_eq!(code, 4, "{out}");
    assert!(
        out.contains("'20210630' 不是日期: 请写作 2021-06-30"),
        "{out}"
    );
}

#[test]
fn file_names_with_reference_separators_are_refused_with_the_reason() {
    let inbox = Inbox::new(DIBAO, &[]);
    inbox.write(
        "低保#2.csv",
        format!("{ROLL_HEADER}{}", dibao_row("李四", "410123198502021234")),
    );
    let (code, out) = inbox.loubao("check");
    assert_eq!(code, 3, "{out}");
    assert!(
        out.contains("无法使用: 文件 低保#2.csv 的名称含有 ; 或 #, 来源记录 (文件名#行号; …) 会有歧义: 请改名后再放入收件文件夹"),
        "{out}"
    );
}

#[test]
fn rows_wider_than_the_header_are_counted() {
    let inbox = Inbox::new(DIBAO, &[]);
    inbox.write(
        "低保.csv",
        format!(
            "{ROLL_HEADER}{}李五,410123197703031231,在保,2019-01-01,,城关镇,多出,两格\n",
            dibao_row("李四", "410123198502021234")
        ),
    );
    let (code, out) = inbox.loubao("check");
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("  1 行的单元格多于表头: 表头右侧的单元格没有列名, 未使用"),
        "{out}"
    );
}

#[test]
fn a_file_of_bad_rows_lists_a_thousand_and_counts_the_rest() {
    let inbox = Inbox::new(DIBAO, &[]);
    let mut text = String::from(ROLL_HEADER);
    text.push_str(&dibao_row("李四", "410123198502021234"));
    // Half the rows have a date that is none: the column is still the start date (its
    // other half says so), and each bad row is a reject.
    for i in 0..1500 {
        text.push_str(&format!("张{i},,在保,不是日期,,城关镇\n"));
        text.push_str(&format!("王{i},,在保,2019-01-01,,城关镇\n"));
    }
    inbox.write("低保.csv", text);
    let (code, out) = inbox.loubao("run");
    assert_eq!(code, 3, "{out}");
    let folder = inbox.run_folder();
    let rejects = fs::read_to_string(folder.join("拒收记录.csv")).unwrap();
    assert_eq!(
        rejects.lines().filter(|l| l.contains("低保.csv")).count(),
        1001
    );
    assert!(
        rejects.contains("另有 500 行被拒收, 未逐行列出 (每个文件只列出前 1000 行)"),
        "{rejects}"
    );
    let manifest = fs::read_to_string(folder.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"ingest_rejects\": 1500"), "{manifest}");
}

#[test]
fn a_duplicated_header_says_which_column_was_used() {
    let inbox = Inbox::new(DIBAO, &[]);
    inbox.write(
        "低保.csv",
        "姓名,身份证号,保障状态,起始日期,终止日期,身份证号\n李四,410123198502021234,在保,2019-01-01,,410123198502021234\n",
    );
    let (code, out) = inbox.loubao("check");
    assert_eq!(code, 3, "{out}");
    assert!(
        out.contains("警告: 低保.csv: 表头「身份证号」出现多次, 只使用了第 2 列: 请确认用的是对的一列, 或用 columns 指定"),
        "{out}"
    );
}

#[test]
fn the_log_masks_ids_and_phones_but_not_byte_counts() {
    let inbox = Inbox::new(DIBAO, &[]);
    let mut text = inbox_pipeline_with_limits();
    text.push_str(DIBAO);
    text.push_str("[[sources]]\nkind = \"tekun\"\nglob = \"特困*\"\n");
    inbox.set_pipeline(&text);
    inbox.write(
        "特困.csv",
        format!("{ROLL_HEADER}{}", dibao_row("王五", "410123197703031231")),
    );
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet
        .write_row(0, 0, ["姓名", "身份证号", "保障状态"])
        .unwrap();
    for r in 1..30_000u32 {
        sheet
            .write_row(r, 0, ["李四", "410123198502021234", "在保"])
            .unwrap();
    }
    inbox.write("低保.xlsx", workbook.save_to_buffer().unwrap());
    let (code, out) = inbox.loubao("run");
    assert_eq!(code, 3, "{out}");
    let out = fs::read_to_string(inbox.run_folder().join("run.log.json")).unwrap();
    let line = out
        .lines()
        .find(|l| l.contains("解压后"))
        .unwrap_or_else(|| panic!("{out}"));
    let unpacked: String = line
        .split("解压后 ")
        .nth(1)
        .unwrap()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    assert!(unpacked.len() >= 7, "the byte count is shown whole: {line}");
    assert!(!out.contains("410123198502021234"), "{out}");
}

fn inbox_pipeline_with_limits() -> String {
    format!(
        "{HEAD}\n[limits]\nmax_unpacked_bytes = 100000\n\n[[sources]]\nkind = \"medical\"\nglob = \"医保*\"\n"
    )
}

/// LibreOffice Calc, headless, opens a township CSV (UTF-8) and saves it again: the IDs come
/// back whole. Before, `370325195006081180` came back as `3.70325195006081E+017`.
#[test]
fn ids_in_a_township_csv_survive_libreoffice() {
    let Some(soffice) = common::libreoffice() else {
        return;
    };
    let inbox = Inbox::new(DIBAO, &[]);
    write_roll(&inbox);
    let (code, out) = inbox.loubao("run");
    assert_eq!(code, 0, "{out}");
    let folder = inbox.run_folder();
    let saved = common::libreoffice_convert(
        &soffice,
        &folder.join("城关镇.csv"),
        "csv:Text - txt - csv (StarCalc):44,34,76",
        Some("CSV:44,34,76,1"),
        &inbox.dir.path().join("saved"),
    );
    let text = fs::read_to_string(saved).unwrap();
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader.headers().unwrap().clone();
    let id = headers.iter().position(|h| h == "身份证号").unwrap();
    let ids: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[id].trim().to_string())
        .collect();
    assert_eq!(
        ids,
        vec!["410123199001011237", "410123197703031231"],
        "{text}"
    );
}

/// The township list through LibreOffice Calc as a clerk would take it: the CSV opened and
/// saved as a workbook, and the workbook itself re-saved. Every 身份证号 cell stays text
/// with its 18 characters, and 线索编号 stays as written.
#[test]
fn ids_in_township_lists_stay_text_through_a_libreoffice_resave() {
    let Some(soffice) = common::libreoffice() else {
        return;
    };
    let inbox = Inbox::new(DIBAO, &[]);
    write_roll(&inbox);
    let (code, out) = inbox.loubao("run");
    assert_eq!(code, 0, "{out}");
    let folder = inbox.run_folder();
    let work = inbox.dir.path().join("lo");
    let from_csv = common::libreoffice_convert(
        &soffice,
        &folder.join("城关镇.csv"),
        "xlsx",
        Some("CSV:44,34,76,1"),
        &work.join("from-csv"),
    );
    let resaved = common::libreoffice_convert(
        &soffice,
        &folder.join("城关镇.xlsx"),
        "xlsx",
        None,
        &work.join("resaved"),
    );
    for book in [from_csv, resaved] {
        let mut workbook = open_workbook_auto(&book).unwrap();
        let name = workbook.sheet_names()[0].clone();
        let range = workbook.worksheet_range(&name).unwrap();
        let rows: Vec<&[Data]> = range.rows().collect();
        let col = |h: &str| {
            rows[0]
                .iter()
                .position(|c| matches!(c, Data::String(s) if s == h))
                .unwrap()
        };
        let (id, clue) = (col("身份证号"), col("线索编号"));
        assert_eq!(rows.len(), 3, "{book:?}");
        for row in &rows[1..] {
            match &row[id] {
                Data::String(s) => assert_eq!(s.trim().len(), 18, "{book:?}: {s:?}"),
                other => panic!("{book:?}: 身份证号 became {other:?}"),
            }
            assert!(
                matches!(&row[clue], Data::String(s) if s.starts_with("LB") && s.len() == 12),
                "{book:?}: {:?}",
                row[clue]
            );
        }
    }
}
