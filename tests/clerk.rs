//! What a township clerk opens and prints: the list workbook as a spreadsheet program and a
//! printer see it.

mod common;

use std::io::Read;

use common::Inbox;

const DIBAO: &str = "[[sources]]\nkind = \"dibao\"\nglob = \"低保*\"\n";

/// The XML of one part of an xlsx.
fn part(path: &std::path::Path, name: &str) -> String {
    let file = std::fs::File::open(path).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut text = String::new();
    zip.by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

#[test]
fn township_workbooks_filter_print_landscape_and_leave_room_for_notes() {
    let inbox = Inbox::new(DIBAO, &[]);
    inbox.write(
        "低保.csv",
        "姓名,身份证号,保障状态,起始日期,终止日期,乡镇\n李四,410123198502021234,在保,2019-01-01,,城关镇\n",
    );
    let (code, out) = inbox.loubao("run");
    assert_eq!(code, 0, "{out}");
    let xlsx = inbox.run_folder().join("城关镇.xlsx");
    let sheet = part(&xlsx, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains("<autoFilter ref=\"A1:R3\""), "{sheet}");
    assert!(sheet.contains("orientation=\"landscape\""), "{sheet}");
    assert!(sheet.contains("fitToHeight=\"0\""), "{sheet}");
    let workbook = part(&xlsx, "xl/workbook.xml");
    assert!(workbook.contains("_xlnm.Print_Titles"), "{workbook}");
    // 备注 is the 18th column (R): wide enough to write in.
    let width: f64 = sheet
        .split("<col ")
        .find(|c| c.contains("min=\"18\""))
        .and_then(|c| c.split("width=\"").nth(1))
        .and_then(|w| w.split('"').next())
        .unwrap()
        .parse()
        .unwrap();
    assert!(width >= 30.0, "备注 width {width}");
}

/// Usage errors and help speak Chinese: clap's English headings and messages never reach
/// the clerk; argument names and the clerk's own values are kept.
#[test]
fn usage_errors_and_help_are_chinese() {
    let loubao = |args: &[&str]| common::loubao(args);
    let cases: [(&[&str], &str); 4] = [
        (&["run"], "错误: 缺少必需的参数: <PIPELINE>"),
        (&["runn", "p.toml"], "错误: 未知的命令 runn; 是否想用 run?"),
        (
            &["run", "--bogus", "p.toml"],
            "错误: 未知的参数或选项 --bogus",
        ),
        (
            &["sample", "--noise", "loud", "/tmp/x"],
            "错误: --noise <NOISE> 的值「loud」无效; 可选: none, default, heavy",
        ),
    ];
    for (args, expected) in cases {
        let (code, text) = loubao(args);
        assert_eq!(code, 2, "{args:?}: {text}");
        assert!(text.contains(expected), "{args:?}: {text}");
        for english in ["error:", "Usage", "For more information", "tip:"] {
            assert!(!text.contains(english), "{args:?}: {text}");
        }
    }
    let (code, help) = loubao(&["--help"]);
    assert_eq!(code, 0);
    for chinese in ["用法: loubao", "命令:", "选项:", "显示帮助", "退出码"] {
        assert!(help.contains(chinese), "{help}");
    }
    for english in ["Usage:", "Commands:", "Options:", "Print help"] {
        assert!(!help.contains(english), "{help}");
    }
}
