//! Ingest end to end: real department files written into an inbox, read by
//! `loubao::ingest::ingest`, with the exact records, references and rejects asserted.

use std::collections::BTreeMap;
use std::path::Path;

use loubao::config::{InputLimits, SourceSpec};
use loubao::ingest::RowRef;
use loubao::ingest::{ingest, IngestOutput, Vocabulary};
use loubao::model::{Field, SourceKind, Value};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet};
use sha2::{Digest, Sha256};

fn source(kind: SourceKind, glob: &str) -> SourceSpec {
    SourceSpec {
        kind,
        glob: glob.to_string(),
        sheet: None,
        columns: BTreeMap::new(),
    }
}

fn sources() -> Vec<SourceSpec> {
    vec![
        source(SourceKind::Medical, "*医保*.xlsx"),
        source(SourceKind::Unemployment, "失业*"),
        source(SourceKind::Petition, "信访*"),
        source(SourceKind::Hotline, "热线*"),
        source(SourceKind::Emergency, "应急*"),
        source(SourceKind::Dibao, "低保*"),
        source(SourceKind::Children, "困境儿童*"),
        source(SourceKind::TempAssistance, "临时救助*"),
    ]
}

/// `file#row: field=value; …` — one line per record, values in their typed form.
fn render(record: RowRef<'_>) -> String {
    let fields: Vec<String> = record
        .fields()
        .map(|(field, value)| {
            let value = match value {
                Value::Text(t) => t.to_string(),
                Value::Date(d) => d.to_string(),
                Value::Amount(a) => format!("{a}"),
                Value::Bool(b) => b.to_string(),
            };
            format!(
                "{}={value}",
                serde_json::to_value(field).unwrap().as_str().unwrap()
            )
        })
        .collect();
    format!("{}: {}", record.source(), fields.join("; "))
}

fn records_of(out: &IngestOutput, file: &str) -> Vec<String> {
    out.records
        .iter()
        .filter(|r| r.file() == file)
        .map(render)
        .collect()
}

fn rejects(out: &IngestOutput) -> Vec<(String, String)> {
    out.rejects
        .iter()
        .map(|r| (r.reference(), r.reason.clone()))
        .collect()
}

fn write_medical(path: &Path) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let title = Format::new().set_bold();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    ws.merge_range(0, 0, 0, 6, "XX县2021年医保结算明细", &title)
        .unwrap();
    ws.write(1, 0, "填报单位：XX县医疗保障局").unwrap();
    // Row 3 stays blank.
    ws.write_row(
        3,
        0,
        [
            "序号",
            "姓名",
            "身份证号",
            "结算日期",
            "医疗总费用",
            "个人自付",
            "备注",
        ],
    )
    .unwrap();
    ws.write(4, 0, 1).unwrap();
    ws.write(4, 1, "张三").unwrap();
    ws.write(4, 2, "410123199001011234").unwrap();
    ws.write_with_format(4, 3, ExcelDateTime::from_ymd(2021, 3, 5).unwrap(), &date)
        .unwrap();
    ws.write(4, 4, 60000.0).unwrap();
    ws.write(4, 5, "52,310.50").unwrap();
    ws.write(4, 6, "住院").unwrap();
    ws.write_row(
        5,
        0,
        [
            "2",
            "李四",
            "41012319850202002X",
            "2021/4/1",
            "不详",
            "800元",
            "",
        ],
    )
    .unwrap();
    // Row 7 blank, row 8 an unusable settlement date.
    ws.write_row(7, 0, ["3", "王五", "", "abc", "10", "5"])
        .unwrap();
    ws.write_row(8, 0, ["合计", "", "", "", "", "53115.5"])
        .unwrap();
    ws.write_row(10, 0, ["制表人：赵六", "", "审核人：钱七"])
        .unwrap();
    wb.save(path).unwrap();
}

fn write_dibao(path: &Path) {
    let mut wb = Workbook::new();
    let notes = wb.add_worksheet().set_name("填表说明").unwrap();
    notes.write(0, 0, "填表说明").unwrap();
    notes.write(1, 0, "1. 姓名：填写身份证上的姓名").unwrap();
    notes.write(2, 0, "2. 保障状态：在保、停保").unwrap();
    let ws = wb.add_worksheet().set_name("低保名册").unwrap();
    ws.write_row(
        0,
        0,
        [
            "户编号",
            "户主姓名",
            "成员姓名",
            "身份证号",
            "与户主关系",
            "保障状态",
            "起始日期",
        ],
    )
    .unwrap();
    // One household over two rows: 户编号 and 户主姓名 are merged down, as rolls do.
    let plain = Format::new();
    ws.merge_range(1, 0, 2, 0, "H001", &plain).unwrap();
    ws.merge_range(1, 1, 2, 1, "孙八", &plain).unwrap();
    ws.write_row(
        1,
        2,
        ["孙八", "410123196005051234", "本人", "在保", "2019.1.1"],
    )
    .unwrap();
    ws.write_row(
        2,
        2,
        ["孙小九", "410123200806061234", "子", "在保", "2019.1.1"],
    )
    .unwrap();
    wb.save(path).unwrap();
}

fn children_sheet(ws: &mut Worksheet, rows: &[[&str; 7]]) {
    let plain = Format::new();
    ws.merge_range(0, 0, 0, 6, "困境儿童信息表", &plain)
        .unwrap();
    ws.merge_range(1, 0, 2, 0, "儿童姓名", &plain).unwrap();
    ws.merge_range(1, 1, 2, 1, "身份证号", &plain).unwrap();
    ws.merge_range(1, 2, 1, 4, "父亲信息", &plain).unwrap();
    ws.merge_range(1, 5, 1, 6, "母亲信息", &plain).unwrap();
    ws.write_row(2, 2, ["姓名", "身份证号", "状况", "姓名", "状况"])
        .unwrap();
    for (i, row) in rows.iter().enumerate() {
        ws.write_row(3 + i as u32, 0, *row).unwrap();
    }
}

fn write_children(path: &Path) {
    let mut wb = Workbook::new();
    children_sheet(
        wb.add_worksheet().set_name("城关镇").unwrap(),
        &[[
            "李小明",
            "410123201001011234",
            "李大",
            "410123198001011234",
            "死亡",
            "王芳",
            "失联",
        ]],
    );
    children_sheet(
        wb.add_worksheet().set_name("河口乡").unwrap(),
        &[
            [
                "赵小红",
                "410123201205051234",
                "赵强",
                "",
                "服刑在押",
                "刘丽",
                "重病",
            ],
            ["", "", "", "", "", "", ""],
            ["钱小东", "", "钱伟", "", "死亡", "", ""],
        ],
    );
    wb.save(path).unwrap();
}

/// Deterministic noise that is neither a zip nor a compound document.
fn noise(len: usize) -> Vec<u8> {
    let mut x: u32 = 0x1234_5678;
    (0..len)
        .map(|_| {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (x >> 24) as u8
        })
        .collect()
}

fn write_inbox(inbox: &Path) {
    write_medical(&inbox.join("医保.xlsx"));
    write_dibao(&inbox.join("低保.xlsx"));
    write_children(&inbox.join("困境儿童.xlsx"));

    let unemployment = "XX县2021年登记失业人员花名册\r\n\
        序号,姓名,公民身份号码,失业登记日期,是否参加失业保险,状态\r\n\
        1,陈一,410123199203034567,2021年3月5日,否,登记失业\r\n\
        2,周二,410123199304045678,20210410,是,已就业\r\n";
    let (gbk, _, unmappable) = encoding_rs::GB18030.encode(unemployment);
    assert!(!unmappable);
    std::fs::write(inbox.join("失业登记.csv"), &gbk).unwrap();

    let petition = "姓名,身份证号,信访日期,问题类别,信访内容,办理状态\n\
        吴三,,2021-05-06,生活困难,\"申请低保,无收入\",办理中\n";
    let bom = [&b"\xEF\xBB\xBF"[..], petition.as_bytes()].concat();
    std::fs::write(inbox.join("信访.csv"), bom).unwrap();

    std::fs::write(
        inbox.join("热线.tsv"),
        "来电人\t联系电话\t来电时间\t诉求类型\t诉求内容\t状态\n\
         郑四\t13800138000\t2021-06-01 10:22:00\t求助\t生活困难, 请求救助\t已办结\n",
    )
    .unwrap();

    std::fs::write(
        inbox.join("应急.csv"),
        "XX县因灾困难群众名单\n\n姓名;身份证号;灾害类型;受灾日期;困难情况\n\
         冯五;410123197007071234;洪涝;2021.7.20;房屋倒塌\n",
    )
    .unwrap();

    std::fs::write(inbox.join("坏的医保.xlsx"), noise(4096)).unwrap();
    let mut binary = b"\x00\x01\x02\x03ELF".to_vec();
    binary.extend(noise(512));
    std::fs::write(inbox.join("临时救助.csv"), binary).unwrap();
    std::fs::write(inbox.join("应急空.csv"), b"").unwrap();
    std::fs::write(
        inbox.join("应急说明.txt"),
        "请各乡镇于每月5日前报送\n联系人：王科长\n",
    )
    .unwrap();
    std::fs::write(inbox.join("说明.docx"), b"whatever").unwrap();

    // Not department files: hidden, an Excel lock file, and a subfolder.
    std::fs::write(inbox.join(".DS_Store"), b"x").unwrap();
    std::fs::write(inbox.join("~$医保.xlsx"), b"x").unwrap();
    std::fs::create_dir(inbox.join("旧")).unwrap();
    std::fs::write(inbox.join("旧").join("失业.csv"), "姓名,身份证号\n甲,1\n").unwrap();
}

#[test]
fn reads_every_department_format_with_references_and_rejects() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path();
    write_inbox(inbox);
    let out = ingest(
        inbox,
        &sources(),
        &InputLimits::default(),
        &Vocabulary::default(),
    );

    assert_eq!(
        records_of(&out, "医保.xlsx"),
        vec![
            "医保.xlsx#5: name=张三; id_number=410123199001011234; settlement_date=2021-03-05; \
             total_cost=60000; out_of_pocket=52310.5",
            "医保.xlsx#6: name=李四; id_number=41012319850202002X; settlement_date=2021-04-01; \
             out_of_pocket=800",
        ]
    );
    assert_eq!(
        records_of(&out, "失业登记.csv"),
        vec![
            "失业登记.csv#3: name=陈一; id_number=410123199203034567; \
             registration_date=2021-03-05; insured=false; employment_status=登记失业",
            "失业登记.csv#4: name=周二; id_number=410123199304045678; \
             registration_date=2021-04-10; insured=true; employment_status=已就业",
        ]
    );
    assert_eq!(
        records_of(&out, "信访.csv"),
        vec![
            "信访.csv#2: name=吴三; request_date=2021-05-06; request_type=生活困难; \
             request_content=申请低保,无收入; handling_status=办理中"
        ]
    );
    assert_eq!(
        records_of(&out, "热线.tsv"),
        vec![
            "热线.tsv#2: name=郑四; phone=13800138000; request_date=2021-06-01; \
             request_type=求助; request_content=生活困难, 请求救助; handling_status=已办结"
        ]
    );
    assert_eq!(
        records_of(&out, "应急.csv"),
        vec![
            "应急.csv#4: name=冯五; id_number=410123197007071234; event_type=洪涝; \
             event_date=2021-07-20; hardship=房屋倒塌"
        ]
    );
    assert_eq!(
        records_of(&out, "低保.xlsx"),
        vec![
            "低保.xlsx#2: name=孙八; id_number=410123196005051234; household_id=H001; \
             relation=本人; roll_status=在保; start_date=2019-01-01; head_name=孙八",
            "低保.xlsx#3: name=孙小九; id_number=410123200806061234; household_id=H001; \
             relation=子; roll_status=在保; start_date=2019-01-01; head_name=孙八",
        ]
    );
    assert_eq!(
        records_of(&out, "困境儿童.xlsx"),
        vec![
            "困境儿童.xlsx!城关镇#4: name=李小明; id_number=410123201001011234; \
             father_name=李大; father_id=410123198001011234; father_status=死亡; \
             mother_name=王芳; mother_status=失联",
            "困境儿童.xlsx!河口乡#4: name=赵小红; id_number=410123201205051234; \
             father_name=赵强; father_status=服刑在押; mother_name=刘丽; mother_status=重病",
            "困境儿童.xlsx!河口乡#6: name=钱小东; father_name=钱伟; father_status=死亡",
        ]
    );

    assert_eq!(
        rejects(&out),
        vec![
            (
                "临时救助.csv".into(),
                "文件 临时救助.csv 是二进制文件，不是文本表格".into()
            ),
            ("医保.xlsx#8".into(), "结算日期 \"abc\" 不是有效日期".into()),
            (
                "坏的医保.xlsx".into(),
                out.files
                    .iter()
                    .find(|f| f.file_name == "坏的医保.xlsx")
                    .and_then(|f| f.error.clone())
                    .unwrap()
            ),
            ("应急空.csv".into(), "文件 应急空.csv 是空文件".into()),
            (
                "应急说明.txt".into(),
                "文件 应急说明.txt 中找不到可识别的表头（需要姓名、身份证号或残疾人证号等列）"
                    .into()
            ),
            ("说明.docx".into(), "文件名不匹配任何来源".into()),
        ]
    );
    let corrupt = &out.rejects[2].reason;
    assert!(
        corrupt.starts_with("文件 坏的医保.xlsx 不是有效的 Excel 工作簿"),
        "{corrupt}"
    );
    assert_eq!(out.rejects[2].kind, Some(SourceKind::Medical));
    assert_eq!(out.rejects[5].kind, None);

    // Files in name order, hidden files, lock files and subfolders left alone.
    let names: Vec<&str> = out.files.iter().map(|f| f.file_name.as_str()).collect();
    let mut expected = vec![
        "临时救助.csv",
        "低保.xlsx",
        "信访.csv",
        "医保.xlsx",
        "困境儿童.xlsx",
        "坏的医保.xlsx",
        "失业登记.csv",
        "应急.csv",
        "应急空.csv",
        "应急说明.txt",
        "热线.tsv",
        "说明.docx",
    ];
    expected.sort_unstable();
    assert_eq!(names, expected);
}

#[test]
fn file_reports_say_what_was_understood() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path();
    write_inbox(inbox);
    let out = ingest(
        inbox,
        &sources(),
        &InputLimits::default(),
        &Vocabulary::default(),
    );
    let file = |name: &str| out.files.iter().find(|f| f.file_name == name).unwrap();

    let medical = file("医保.xlsx");
    let bytes = std::fs::read(inbox.join("医保.xlsx")).unwrap();
    assert_eq!(medical.kind, Some(SourceKind::Medical));
    assert_eq!(medical.bytes, bytes.len() as u64);
    let digest: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(medical.sha256, digest);
    assert_eq!(medical.encoding.as_deref(), Some("xlsx"));
    assert_eq!((medical.rows_read, medical.rows_rejected), (3, 1));
    let sheet = &medical.sheets[0];
    assert_eq!(sheet.sheet.as_deref(), Some("Sheet1"));
    assert_eq!(sheet.header_row, 4);
    let mapping: Vec<(Field, String)> = sheet
        .mapping
        .iter()
        .map(|m| (m.field, m.header.clone()))
        .collect();
    assert_eq!(
        mapping,
        vec![
            (Field::Name, "姓名".to_string()),
            (Field::IdNumber, "身份证号".to_string()),
            (Field::SettlementDate, "结算日期".to_string()),
            (Field::TotalCost, "医疗总费用".to_string()),
            (Field::OutOfPocket, "个人自付".to_string()),
        ]
    );
    // Two blank rows, the 合计 row and the footer; 不详 in 医疗总费用 was dropped.
    assert_eq!((sheet.rows_skipped, sheet.cells_dropped), (4, 1));

    let encodings: Vec<(&str, Option<&str>, u32)> =
        ["失业登记.csv", "信访.csv", "热线.tsv", "应急.csv"]
            .iter()
            .map(|n| {
                let f = file(n);
                (*n, f.encoding.as_deref(), f.sheets[0].header_row)
            })
            .collect();
    assert_eq!(
        encodings,
        vec![
            ("失业登记.csv", Some("gb18030"), 2),
            ("信访.csv", Some("utf-8-bom"), 1),
            ("热线.tsv", Some("utf-8"), 1),
            ("应急.csv", Some("utf-8"), 3),
        ]
    );

    let dibao = file("低保.xlsx");
    assert_eq!(dibao.sheets.len(), 1, "填表说明 is not a data sheet");
    assert_eq!(dibao.sheets[0].sheet.as_deref(), Some("低保名册"));
    let children = file("困境儿童.xlsx");
    assert_eq!(children.sheets.len(), 2);
    assert_eq!(children.sheets[1].header_row, 3);
    assert!(children.sheets[1]
        .mapping
        .iter()
        .any(|m| m.field == Field::FatherId && m.header == "父亲信息/身份证号"));

    let unclaimed = file("说明.docx");
    assert_eq!(unclaimed.kind, None);
    assert_eq!(unclaimed.error.as_deref(), Some("文件名不匹配任何来源"));
}

#[test]
fn overrides_and_sheet_choice_come_from_the_pipeline() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path();
    write_children(&inbox.join("困境儿童.xlsx"));
    std::fs::write(
        inbox.join("医保汇总.csv"),
        "姓名,证件号,自付金额（元）,结算年月日\n张三,410123199001011234,45000,2021-02-01\n",
    )
    .unwrap();
    let mut children = source(SourceKind::Children, "困境儿童*");
    children.sheet = Some("河口乡".into());
    let mut medical = source(SourceKind::Medical, "医保*");
    medical
        .columns
        .insert(Field::OutOfPocket, "自付金额(元)".into());
    medical
        .columns
        .insert(Field::SettlementDate, "结算年月日".into());
    let out = ingest(
        inbox,
        &[children, medical],
        &InputLimits::default(),
        &Vocabulary::default(),
    );
    assert_eq!(
        records_of(&out, "医保汇总.csv"),
        vec![
            "医保汇总.csv#2: name=张三; id_number=410123199001011234; \
             settlement_date=2021-02-01; out_of_pocket=45000"
        ]
    );
    let refs: Vec<String> = out
        .records
        .iter()
        .filter(|r| r.kind() == SourceKind::Children)
        .map(|r| r.source().to_string())
        .collect();
    assert_eq!(refs, vec!["困境儿童.xlsx#4", "困境儿童.xlsx#6"]);
}

#[test]
fn input_limits_reject_instead_of_exhausting_memory() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path();
    let long = "很".repeat(50);
    std::fs::write(
        inbox.join("应急.csv"),
        format!(
            "姓名,身份证号,受灾日期,困难情况\n甲,410123197007071234,2021-07-20,{long}\n\
             乙,410123197007071234,2021-07-20,房屋倒塌,,,,,,,,,,x\n\
             丙,410123197007071234,2021-07-20,房屋倒塌\n"
        ),
    )
    .unwrap();
    std::fs::write(inbox.join("应急大.csv"), "姓名,身份证号\n".repeat(100)).unwrap();
    let limits = InputLimits {
        max_file_bytes: 1000,
        max_cell_chars: 40,
        max_columns: 10,
        max_line_bytes: 1 << 20,
        ..InputLimits::default()
    };
    let out = ingest(
        inbox,
        &[source(SourceKind::Emergency, "应急*")],
        &limits,
        &Vocabulary::default(),
    );
    assert_eq!(
        rejects(&out),
        vec![
            ("应急.csv#2".into(), "困难情况 单元格超过 40 字".into()),
            ("应急.csv#3".into(), "该行有 14 列，超过上限 10 列".into()),
            (
                "应急大.csv".into(),
                "文件 应急大.csv 有 2000 字节，超过上限 1000 字节".into()
            ),
        ]
    );
    assert_eq!(out.records.len(), 1);
    assert_eq!(
        out.records.get(0).unwrap().source().to_string(),
        "应急.csv#4"
    );

    let tight = InputLimits {
        max_line_bytes: 40,
        ..InputLimits::default()
    };
    let out = ingest(
        inbox,
        &[source(SourceKind::Emergency, "应急.csv")],
        &tight,
        &Vocabulary::default(),
    );
    assert_eq!(out.rejects[0].reason, "该行长度超过上限 40 字节");
    assert_eq!(out.rejects[0].row, Some(2));
}

/// A workbook whose parts would unpack beyond the limit is refused before it is inflated.
#[test]
fn oversized_unpacked_workbook_is_refused() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("xl/worksheets/sheet1.xml", stored).unwrap();
    zip.write_all(&vec![b' '; 3 << 20]).unwrap();
    let bytes = zip.finish().unwrap().into_inner();
    std::fs::write(dir.path().join("低保.xlsx"), bytes).unwrap();
    let limits = InputLimits {
        max_unpacked_bytes: 1 << 20,
        ..InputLimits::default()
    };
    let out = ingest(
        dir.path(),
        &[source(SourceKind::Dibao, "低保*")],
        &limits,
        &Vocabulary::default(),
    );
    assert!(out.records.is_empty());
    assert_eq!(out.rejects.len(), 1);
    assert!(
        out.rejects[0].reason.contains("解压后"),
        "{}",
        out.rejects[0].reason
    );
}

/// SPEC 9: a million medical claim lines in GB18030. Run in release:
/// `cargo test --release --test ingest -- --ignored million`.
#[test]
#[ignore]
fn million_gb18030_claim_lines() {
    let dir = tempfile::tempdir().unwrap();
    let mut text =
        String::from("XX县医保结算明细\r\n序号,姓名,身份证号,结算日期,医疗总费用,个人自付\r\n");
    for i in 0..1_000_000u32 {
        text.push_str(&format!(
            "{i},患者{},41012319{:02}0101{:04},2021-{:02}-{:02},\"1,{:03}.50\",{}元\r\n",
            i % 5000,
            60 + i % 40,
            i % 10_000,
            1 + i % 12,
            1 + i % 28,
            i % 1000,
            i % 900
        ));
    }
    let (bytes, _, _) = encoding_rs::GB18030.encode(&text);
    std::fs::write(dir.path().join("医保明细.csv"), &bytes).unwrap();
    let started = std::time::Instant::now();
    let out = ingest(
        dir.path(),
        &[source(SourceKind::Medical, "医保*")],
        &InputLimits::default(),
        &Vocabulary::default(),
    );
    let elapsed = started.elapsed();
    eprintln!("{} bytes ingested in {elapsed:?}", bytes.len());
    assert_eq!(out.records.len(), 1_000_000);
    assert!(out.rejects.is_empty());
    assert_eq!(
        out.records.get(999_999).unwrap().source().to_string(),
        "医保明细.csv#1000002"
    );
    assert_eq!(
        out.records.get(1).unwrap().amount(Field::TotalCost),
        Some(1001.5)
    );
}

/// Claim lines with Han names and addresses, a title line above the header, a blank line
/// and an overlong line among them: over 4 MiB, so that a GB18030 copy is cut into chunks.
fn claim_lines(lines: u32) -> String {
    let mut text = String::from("XX县医保结算明细\r\n姓名,身份证号,结算日期,个人自付,住址\r\n");
    for i in 0..lines {
        match i {
            40_000 => text.push_str("\r\n"),
            70_000 => text.push_str(&format!("{}\r\n", "长".repeat(600_000))),
            _ => text.push_str(&format!(
                "患者{},41012319{:02}0101{:04},2021-{:02}-{:02},{}.50,东风镇{}村{}号\r\n",
                i % 5000,
                60 + i % 40,
                i % 10_000,
                1 + i % 12,
                1 + i % 28,
                i % 900,
                i % 37,
                i
            )),
        }
    }
    text
}

fn ingest_one(name: &str, bytes: &[u8]) -> IngestOutput {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(name), bytes).unwrap();
    ingest(
        dir.path(),
        &[source(SourceKind::Medical, "医保*")],
        &InputLimits::default(),
        &Vocabulary::default(),
    )
}

/// A large GB18030 file is decoded chunk by chunk on every core; what comes out must be
/// what the same table reads as UTF-8, decoded whole: every row, line number and reject.
#[test]
fn a_large_gb18030_file_reads_as_its_utf8_copy_does() {
    let text = claim_lines(120_000);
    let gb = encoding_rs::GB18030.encode(&text).0.into_owned();
    assert!(gb.len() > 2 * (4 << 20), "{} bytes: three chunks", gb.len());
    let from_gb = ingest_one("医保明细.csv", &gb);
    let from_utf8 = ingest_one("医保明细.csv", text.as_bytes());

    assert_eq!(from_gb.files[0].encoding.as_deref(), Some("gb18030"));
    assert_eq!(from_utf8.files[0].encoding.as_deref(), Some("utf-8"));
    let rows = |out: &IngestOutput| out.records.iter().map(render).collect::<Vec<_>>();
    let (gb_rows, utf8_rows) = (rows(&from_gb), rows(&from_utf8));
    assert_eq!(
        gb_rows.len(),
        119_998,
        "a blank line skipped, an overlong one rejected"
    );
    assert!(gb_rows == utf8_rows, "the two copies read differently");
    assert_eq!(
        gb_rows[119_997],
        "医保明细.csv#120002: name=患者4999; id_number=410123199901019999; \
         address=东风镇8村119999号; settlement_date=2021-12-20; out_of_pocket=299.5"
    );
    let rejects = |out: &IngestOutput| {
        out.rejects
            .iter()
            .map(|r| format!("{}#{} {}", r.file, r.row.unwrap(), r.reason))
            .collect::<Vec<_>>()
    };
    assert_eq!(rejects(&from_gb), rejects(&from_utf8));
    assert_eq!(
        rejects(&from_gb),
        ["医保明细.csv#70003 该行长度超过上限 1048576 字节"]
    );
}

/// One undecodable byte deep in a large GB18030 file costs its row alone, as in a small
/// file: the file is read as GB18030 with replacements, not refused, and every other row
/// is kept.
#[test]
fn a_bad_byte_deep_in_a_large_gb18030_file_costs_its_row_alone() {
    let text = claim_lines(120_000);
    let mut gb = encoding_rs::GB18030.encode(&text).0.into_owned();
    let line = 100_000 + 3;
    let at = memchr::memchr_iter(b'\n', &gb).nth(line - 2).unwrap() + 1;
    gb[at] = 0xFF;
    let out = ingest_one("医保明细.csv", &gb);
    assert_eq!(
        out.files[0].encoding.as_deref(),
        Some("gb18030 (含无法识别的字节)")
    );
    assert_eq!(out.records.len(), 119_997);
    let rejected: Vec<String> = out
        .rejects
        .iter()
        .map(|r| format!("{}#{}", r.file, r.row.unwrap()))
        .collect();
    assert_eq!(
        rejected,
        ["医保明细.csv#70003", &format!("医保明细.csv#{line}")]
    );
}
