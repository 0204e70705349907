//! `loubao check` and `run` on small handmade inboxes: every gap that would make the lists
//! wrong is said, with the exact message and exit code, and the run's summary and manifest
//! record it too.

mod common;

use std::fs;
use std::path::Path;

use calamine::{open_workbook_auto, Reader};
use common::Inbox;

fn has_line(text: &str, line: &str) {
    assert!(
        text.lines().any(|l| l.trim_end() == line),
        "missing line {line:?} in:\n{text}"
    );
}

/// The rows of the summary workbook's 数据质量 sheet, as text.
fn data_quality(folder: &Path) -> Vec<Vec<String>> {
    let mut wb = open_workbook_auto(folder.join("汇总.xlsx")).unwrap();
    let range = wb.worksheet_range("数据质量").unwrap();
    range
        .rows()
        .skip(1)
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

const DIBAO_SOURCE: &str = "[[sources]]\nkind = \"dibao\"\nglob = \"低保*\"\n";

#[test]
fn a_roll_without_an_id_column_is_a_loud_warning() {
    let inbox = Inbox::new(
        DIBAO_SOURCE,
        &[(
            "低保.csv",
            "姓名,保障状态,起始日期,终止日期,乡镇\n张三,在保,2019-01-01,,城关镇\n李四,停保,2018-01-01,2020-01-01,城关镇\n王五,在保,2020-01-01,,城关镇\n",
        )],
    );
    let (code, out) = inbox.loubao("check");
    assert_eq!(code, 3, "{out}");
    has_line(
        &out,
        "警告: 低保.csv: 缺少 身份证号 [id_number]: 没有身份证号列: 本文件的人员只能按姓名、出生日期等模糊匹配, 多数会进入待复核",
    );
    has_line(&out, "检查完成, 有 1 条警告: 2 个文件");

    let (code, out) = inbox.loubao("run");
    assert_eq!(
        code, 3,
        "a run with a missing result field is partial: {out}"
    );
    let rows = data_quality(&inbox.run_folder());
    assert!(
        rows.iter()
            .any(|r| r[0] == "低保.csv" && r[1] == "缺少 身份证号 [id_number]"),
        "{rows:?}"
    );
}

#[test]
fn a_roll_without_status_and_end_date_says_both_and_the_manifest_records_them() {
    let inbox = Inbox::new(
        DIBAO_SOURCE,
        &[(
            "低保.csv",
            "姓名,身份证号,起始日期,乡镇\n张三,410123199001011237,2019-01-01,城关镇\n李四,410123198502021234,2016-01-01,城关镇\n王五,410123197703031231,2020-01-01,城关镇\n",
        )],
    );
    let (code, out) = inbox.loubao("check");
    assert_eq!(code, 3, "{out}");
    has_line(
        &out,
        "警告: 低保.csv: 缺少 保障状态 [roll_status]: 无法按保障状态判断是否在保, 只按起止日期判断",
    );
    has_line(
        &out,
        "警告: 低保.csv: 缺少 终止日期 [end_date]: 无法判断保障何时终止: 只按保障状态判断, 没有状态的记录都算在保",
    );
    has_line(
        &out,
        "    若文件中有此列, 在该来源下加入: columns = { roll_status = \"表头\" } (本表没有未使用的表头)",
    );

    let (code, _) = inbox.loubao("run");
    assert_eq!(code, 3);
    let folder = inbox.run_folder();
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(folder.join("manifest.json")).unwrap()).unwrap();
    let text = manifest.to_string();
    assert!(text.contains("\"gaps\""), "{text}");
    assert!(
        text.contains("roll_status") && text.contains("end_date"),
        "{text}"
    );
    let page = fs::read_to_string(folder.join("汇总.html")).unwrap();
    assert!(
        page.contains("<h2>数据质量") && page.contains("缺少 终止日期 [end_date]"),
        "the summary page lists the gaps"
    );
    let rows = data_quality(&folder);
    let problems: Vec<&str> = rows
        .iter()
        .filter(|r| r[0] == "低保.csv")
        .map(|r| r[1].as_str())
        .collect();
    assert_eq!(
        problems,
        vec!["缺少 保障状态 [roll_status]", "缺少 终止日期 [end_date]"]
    );
}

#[test]
fn a_certificate_column_under_an_unknown_header_is_found_by_its_content() {
    let inbox = Inbox::new(
        "[[sources]]\nkind = \"disability\"\nglob = \"残联*\"\n",
        &[(
            "残联.csv",
            "姓名,编码,发证时间,乡镇\n张三,41012319900101123741,2020-03-01,城关镇\n李四,41012319850202123412,2020-04-01,城关镇\n王五,41012319770303123153,2020-05-01,城关镇\n赵六,41012319660404123864,2020-06-01,城关镇\n钱七,41012319550505123522,2020-07-01,城关镇\n",
        )],
    );
    let (code, out) = inbox.loubao("check");
    assert_eq!(code, 0, "{out}");
    has_line(
        &out,
        "    残疾人证号 [cert_number] ← 编码 (按内容 (100% 为残疾人证号))",
    );
    has_line(&out, "检查通过: 2 个文件");
}

#[test]
fn a_missing_inbox_fails_check_with_exit_5() {
    let inbox = Inbox::new("", &[]);
    fs::remove_dir_all(inbox.dir.path().join("inbox")).unwrap();
    let (code, out) = inbox.loubao("check");
    assert_eq!(code, 5, "{out}");
    has_line(
        &out,
        &format!(
            "错误: 收件文件夹不存在: {}",
            inbox.dir.path().join("inbox").display()
        ),
    );
}

#[test]
fn a_file_two_sources_claim_and_a_glob_that_matches_nothing_fail_check() {
    let inbox = Inbox::new(
        "[[sources]]\nkind = \"dibao\"\nglob = \"*低保*\"\n\n[[sources]]\nkind = \"low_income\"\nglob = \"*名册*\"\n\n[[sources]]\nkind = \"hotline\"\nglob = \"热线*\"\n\n[[sources]]\nkind = \"tekun\"\nglob = \"特困*\"\n",
        &[
            (
                "低保名册.csv",
                "姓名,身份证号,保障状态,起始日期,终止日期\n张三,410123199001011237,在保,2019-01-01,\n",
            ),
            (
                "特困.csv",
                "姓名,身份证号,保障状态,起始日期,终止日期\n李四,410123198502021234,在保,2019-01-01,\n",
            ),
        ],
    );
    let (code, out) = inbox.loubao("check");
    assert_eq!(code, 4, "{out}");
    has_line(
        &out,
        "错误: 低保名册.csv 被多个来源同时匹配: dibao (glob \"*低保*\"), low_income (glob \"*名册*\")",
    );
    has_line(
        &out,
        "错误: 来源 hotline (glob \"热线*\") 没有匹配到任何文件",
    );
    // The run does not guess either: the file is rejected with both claims named.
    let (_, _) = inbox.loubao("run");
    let rejects = fs::read_to_string(inbox.run_folder().join("拒收记录.csv")).unwrap();
    assert!(
        rejects.contains("低保名册.csv 同时匹配多个来源: dibao (glob \"\"*低保*\"\"), low_income (glob \"\"*名册*\"\")"),
        "{rejects}"
    );
}

#[test]
fn township_values_the_pipeline_does_not_know_are_counted() {
    let inbox = Inbox::new(
        DIBAO_SOURCE,
        &[(
            "低保.csv",
            "姓名,身份证号,保障状态,起始日期,终止日期,乡镇\n张三,410123199001011237,在保,2019-01-01,,大孟乡\n李四,410123198502021234,在保,2018-01-01,,大孟乡\n王五,410123197703031231,在保,2020-01-01,,城关\n",
        )],
    );
    let (code, out) = inbox.loubao("check");
    assert_eq!(code, 3, "{out}");
    has_line(&out, "  大孟乡: 2 条 (低保 2)");
    has_line(
        &out,
        "警告: 1 个乡镇名称不在流水线文件中: 请在 [[townships]] 中加入该乡镇, 或加入 aliases",
    );
    let (_, _) = inbox.loubao("run");
    let rows = data_quality(&inbox.run_folder());
    assert!(
        rows.iter()
            .any(|r| r[1] == "乡镇名称不在流水线文件中: 大孟乡: 2 条 (低保 2)"),
        "{rows:?}"
    );
}
