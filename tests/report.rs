//! The written run folder, read back the way a clerk's tools read it: workbooks through
//! calamine, CSVs as bytes, the manifest as JSON and the summary page in headless Chromium.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use calamine::{open_workbook_auto, Data, Reader};
use chrono::NaiveDate;
use loubao::config::LoadedPipeline;
use loubao::ingest::{FileReport, IngestOutput};
use loubao::ledger::decisions::StoredVerdict;
use loubao::ledger::NightCounts;
use loubao::model::{
    ClueState, ClueStatus, Contact, Fact, FactDetail, FieldEvidence, Finding, IdQuality, Link,
    LinkDecision, Linkage, LinkageStats, ListColumn, Observation, Person, PersonName, PersonRecord,
    Place, QuestionId, Reject, ResidentId, ReviewItem, Role, RuleCode, SourceKind, SourceRef,
    Suspect,
};
use loubao::normalise::NormaliseOutput;
use loubao::report::{self, RunReport, RECTIFICATION_MISSING};
use loubao::rules::Screening;
use loubao::stage::Stage;

const PIPELINE: &str = r#"
county = "示例县"
inbox = "inbox"
outbox = "outbox"
as_of = "2021-06-30"
since = "2020-01-01"

[[townships]]
name = "城关镇"
villages = ["东街社区", "西街社区"]

[[townships]]
name = "河口乡"
villages = ["河口村"]

[[townships]]
name = "西岭镇"
villages = ["岭上村"]

[[sources]]
kind = "medical"
glob = "*医保*"

[[sources]]
kind = "dibao"
glob = "*低保*"
"#;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn src(file: &str, row: u32) -> SourceRef {
    SourceRef::new(file, None, row)
}

fn suspect(
    id: &str,
    name: &str,
    township: Option<&str>,
    village: Option<&str>,
    codes: &[RuleCode],
) -> Suspect {
    Suspect {
        clue_id: format!("LB{:0>10}", &id[id.len() - 4..]),
        person_key: id.into(),
        township: township.map(Into::into),
        village: village.map(Into::into),
        name: name.into(),
        id_number: Some(id.into()),
        address: Some(format!("{}某路12号", township.unwrap_or("外县"))),
        findings: codes
            .iter()
            .map(|&code| Finding {
                code,
                facts: vec![Fact {
                    source: SourceKind::Medical,
                    detail: FactDetail::MedicalTotal {
                        since: NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
                        cents: 5_231_000,
                        lines: 3,
                    },
                }],
                conclusion: format!("{} 不在册", code.code()),
                records: vec![0],
            })
            .collect(),
        sources: vec![SourceKind::Medical],
        match_note: "身份证号一致".into(),
        confidence: Some(1.0),
        source_refs: vec![src("医保.xlsx", 7)],
    }
}

fn person(row: usize, kind: SourceKind, name: &str, id: &str, file: &str) -> PersonRecord {
    PersonRecord {
        kind,
        role: Role::Subject,
        source: src(file, row as u32 + 3),
        name: Some(Arc::new(PersonName {
            display: name.into(),
            key: name.into(),
            pinyin: Default::default(),
        })),
        id: Some(Arc::new(ResidentId {
            digits: id.into(),
            quality: IdQuality::Clean,
            reliable_prefix: 18,
        })),
        birth_date: None,
        sex: None,
        contact: Contact::of(vec!["13812345678".into()], None),
        place: Arc::new(Place {
            township: Some("城关镇".into()),
            village: Some("东街社区".into()),
            address: None,
        }),
        observation: Observation::IdentityOnly,
    }
}

/// Everything `write_all` borrows, owned here.
struct Fixture {
    _dir: tempfile::TempDir,
    pipeline: LoadedPipeline,
    ingest: IngestOutput,
    normalised: NormaliseOutput,
    linkage: Linkage,
    screening: Screening,
    clues: BTreeMap<String, ClueState>,
    verdicts: BTreeMap<QuestionId, StoredVerdict>,
}

const ID_ZHANG: &str = "410123199001011234";
const ID_LI: &str = "410123198502023456";
const ID_WANG: &str = "41012320100303789X";
const ID_ZHAO: &str = "410123196004045678";

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pipeline.toml");
    fs::write(&path, PIPELINE).unwrap();
    let pipeline = LoadedPipeline::load(&path, date(2021, 7, 1)).unwrap();

    let ingest = IngestOutput {
        records: Default::default(),
        record_count: 0,
        rejects: vec![Reject {
            file: "医保.xlsx".into(),
            sheet: None,
            row: Some(9),
            kind: Some(SourceKind::Medical),
            reason: "缺少姓名".into(),
        }],
        files: vec![FileReport {
            file_name: "医保.xlsx".into(),
            kind: Some(SourceKind::Medical),
            claimed_by: vec![0],
            bytes: 1234,
            sha256: "ab".repeat(32),
            encoding: Some("xlsx".into()),
            sheets: Vec::new(),
            rows_read: 10,
            rows_rejected: 1,
            rejects_not_listed: 0,
            error: None,
        }],
    };
    let mut id_quality = BTreeMap::new();
    id_quality.insert(
        SourceKind::Medical,
        BTreeMap::from([(IdQuality::Clean, 8), (IdQuality::ExcelFloat, 1)]),
    );
    let records = vec![
        person(0, SourceKind::Medical, "张伟", ID_ZHANG, "医保.xlsx"),
        person(
            1,
            SourceKind::Dibao,
            "张玮",
            "410123199001011243",
            "低保.csv",
        ),
    ];
    let normalised = NormaliseOutput {
        persons: records,
        rejects: vec![Reject {
            file: "低保.csv".into(),
            sheet: None,
            row: Some(4),
            kind: Some(SourceKind::Dibao),
            reason: "身份证号位数错误".into(),
        }],
        id_quality,
        missing_ids: BTreeMap::from([(SourceKind::Medical, 1)]),
        unknown_townships: BTreeMap::from([((SourceKind::Dibao, "大孟乡".to_string()), 3)]),
    };
    let linkage = Linkage {
        persons: vec![Person {
            records: vec![0, 1],
            links: Vec::new(),
            uncertain: vec![0],
            nearest: None,
        }],
        links: vec![Link {
            left: 0,
            right: 1,
            decision: LinkDecision::Uncertain,
            score: 8.25,
            evidence: Box::new([
                FieldEvidence {
                    field: "姓名",
                    level: "拼音相同".into(),
                    weight: 4.0,
                },
                FieldEvidence {
                    field: "身份证号",
                    level: "两位互换".into(),
                    weight: -1.0,
                },
            ]),
        }]
        .into(),
        person_of: vec![0, 0],
        questions: BTreeMap::from([(0, QuestionId(0xA1B2_C3D4_E5F6))]),
        stats: LinkageStats {
            exact_links: 5,
            candidate_pairs: 40,
            accepted_links: 2,
            uncertain_links: 1,
            decided_same: 0,
            decided_different: 0,
            upper_threshold: 12.0,
            lower_threshold: 6.0,
            score_histogram: (0..20).map(|i| (i as f64, 20 - i)).collect(),
        },
    };
    let screening = Screening {
        suspects: vec![
            suspect(
                ID_ZHANG,
                "张三",
                Some("城关镇"),
                Some("西街社区"),
                &[RuleCode::R01],
            ),
            suspect(
                ID_LI,
                "李四",
                Some("城关镇"),
                Some("东街社区"),
                &[RuleCode::R01, RuleCode::R02],
            ),
            suspect(
                ID_WANG,
                "王五",
                Some("河口乡"),
                Some("河口村"),
                &[RuleCode::R04],
            ),
            suspect(ID_ZHAO, "赵六", None, None, &[RuleCode::R06]),
        ],
        review: vec![ReviewItem {
            question: QuestionId(0xA1B2_C3D4_E5F6),
            links: vec![0],
            persons: vec![0],
            reason: "张伟与低保名册张玮疑似同一人".into(),
        }],
        conduct: Vec::new(),
        screened: BTreeMap::from([(SourceKind::Medical, 9)]),
    };
    let li_clue = screening.suspects[1].clue_id.clone();
    let clues = BTreeMap::from([(
        li_clue,
        ClueState {
            status: ClueStatus::Continuing,
            first_seen: date(2021, 5, 31),
            review: None,
            rectification_missing: true,
            reopened: None,
            overdue: None,
        },
    )]);
    Fixture {
        _dir: dir,
        pipeline,
        ingest,
        normalised,
        linkage,
        screening,
        clues,
        verdicts: BTreeMap::new(),
    }
}

impl Fixture {
    fn report(&self) -> RunReport<'_> {
        RunReport {
            pipeline: &self.pipeline,
            run_id: "2021-06-30".into(),
            ingest: &self.ingest,
            normalised: &self.normalised,
            linkage: &self.linkage,
            screening: &self.screening,
            clues: &self.clues,
            verdicts: &self.verdicts,
            nights: vec![
                NightCounts {
                    run_id: "2021-06-29".into(),
                    listed: 3,
                    new: 3,
                    suppressed: 0,
                    written_off: 0,
                },
                NightCounts {
                    run_id: "2021-06-30".into(),
                    listed: 4,
                    new: 1,
                    suppressed: 1,
                    written_off: 0,
                },
            ],
            missing_kinds: vec![SourceKind::Hotline],
            timings: vec![(Stage::Ingest, 0.5), (Stage::Rules, 0.25)],
            outcome: loubao::model::RunOutcome::Partial,
        }
    }
}

fn sheet(path: &Path) -> Vec<Vec<Data>> {
    let mut workbook = open_workbook_auto(path).unwrap();
    let name = workbook.sheet_names()[0].clone();
    let range = workbook.worksheet_range(&name).unwrap();
    range.rows().map(|r| r.to_vec()).collect()
}

fn text(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => panic!("expected a text cell, found {other:?}"),
    }
}

fn col(name: &str) -> usize {
    ListColumn::HEADERS.iter().position(|c| *c == name).unwrap()
}

#[test]
fn township_workbooks_hold_only_their_people_with_text_ids() {
    let fx = fixture();
    let out = tempfile::tempdir().unwrap();
    let written = report::write_all(out.path(), &fx.report()).unwrap().paths;
    let names: Vec<String> = written
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for expected in [
        "城关镇.xlsx",
        "城关镇.csv",
        "河口乡.xlsx",
        "西岭镇.xlsx",
        "西岭镇.csv",
        "未确定乡镇.xlsx",
        "未确定乡镇.csv",
        "待复核.xlsx",
        "待复核.csv",
        "汇总.xlsx",
        "汇总.html",
        "拒收记录.xlsx",
        "拒收记录.csv",
        "manifest.json",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }

    let expected_people = [
        ("城关镇", vec![ID_LI, ID_ZHANG]),
        ("河口乡", vec![ID_WANG]),
        ("西岭镇", vec![]),
        ("未确定乡镇", vec![ID_ZHAO]),
    ];
    for (township, ids) in expected_people {
        let rows = sheet(&out.path().join(format!("{township}.xlsx")));
        let headers: Vec<String> = rows[0].iter().map(text).collect();
        assert_eq!(headers, ListColumn::HEADERS, "{township} headers");
        let body = &rows[1..];
        let found: Vec<String> = body.iter().map(|r| text(&r[col("身份证号")])).collect();
        assert_eq!(found, ids, "{township}: only its own people, sorted");
        for row in body {
            // IDs must be string cells, never floats in scientific notation.
            assert!(matches!(row[col("身份证号")], Data::String(_)));
            if township != "未确定乡镇" {
                assert_eq!(text(&row[col("乡镇")]), township);
            }
        }
    }

    let rows = sheet(&out.path().join("城关镇.xlsx"));
    // 东街社区 sorts before 西街社区; 李四 carries two codes.
    let li = &rows[1];
    assert_eq!(text(&li[col("姓名")]), "李四");
    assert_eq!(text(&li[col("疑似类型代码")]), "R01;R02");
    assert_eq!(
        text(&li[col("状态")]),
        format!("持续({RECTIFICATION_MISSING})")
    );
    assert_eq!(text(&li[col("首次发现日期")]), "2021-05-31");
    assert_eq!(text(&li[col("备注")]), "");
    assert_eq!(text(&li[col("来源记录")]), "医保.xlsx#7");
    let zhang = &rows[2];
    assert_eq!(text(&zhang[col("状态")]), "新增");
    assert_eq!(text(&zhang[col("首次发现日期")]), "2021-06-30");
    assert_eq!(text(&zhang[col("核查结果")]), "");

    let rows = sheet(&out.path().join("未确定乡镇.xlsx"));
    assert_eq!(text(&rows[1][col("备注")]), "地址: 外县某路12号");

    let review = sheet(&out.path().join("待复核.xlsx"));
    assert_eq!(review.len(), 2);
    let header: Vec<String> = review[0].iter().map(text).collect();
    let at = |h: &str| header.iter().position(|x| x == h).unwrap();
    assert_eq!(text(&review[1][at("姓名(甲)")]), "张伟");
    assert_eq!(text(&review[1][at("姓名(乙)")]), "张玮");
    assert_eq!(text(&review[1][at("身份证号(乙)")]), "410123199001011243");
    assert_eq!(text(&review[1][at("来源记录(乙)")]), "低保.csv#4");
    assert_eq!(text(&review[1][at("一致字段")]), "姓名:拼音相同");
    assert_eq!(review[1][at("匹配分值")], Data::Float(8.25));
    assert_eq!(text(&review[1][at("复核编号")]), "FHA1B2C3D4E5F6");
    assert_eq!(review[1][at("记录数(甲)")], Data::Float(1.0));

    let rejects = sheet(&out.path().join("拒收记录.xlsx"));
    let refs: Vec<String> = rejects[1..].iter().map(|r| text(&r[0])).collect();
    assert_eq!(refs, ["医保.xlsx#9", "低保.csv#4"]);
    assert_eq!(text(&rejects[2][6]), "身份证号位数错误");

    let mut summary = open_workbook_auto(out.path().join("汇总.xlsx")).unwrap();
    let sheets = summary.sheet_names();
    for expected in [
        "乡镇×疑似类型",
        "来源",
        "各来源排查人数",
        "拒收",
        "未提供来源",
        "身份证质量",
        "运行信息",
    ] {
        assert!(sheets.iter().any(|s| s == expected), "{expected}");
    }
    let by_code = summary.worksheet_range("乡镇×疑似类型").unwrap();
    let town_rows: Vec<Vec<Data>> = by_code.rows().map(|r| r.to_vec()).collect();
    assert_eq!(text(&town_rows[1][0]), "城关镇");
    assert_eq!(town_rows[1][1], Data::Float(2.0), "城关镇 R01");
    // One column per code, R07 included, then the persons.
    let persons = RuleCode::ALL.len() + 1;
    assert_eq!(text(&town_rows[0][persons]), "疑似人数");
    assert_eq!(town_rows[1][persons], Data::Float(2.0), "城关镇 persons");
    let total = town_rows.last().unwrap();
    assert_eq!(text(&total[0]), "合计");
    assert_eq!(total[persons], Data::Float(4.0));
    let missing = summary.worksheet_range("未提供来源").unwrap();
    assert_eq!(text(&missing.rows().nth(1).unwrap()[0]), "12349热线");
}

#[test]
fn csvs_have_bom_and_are_reproducible_byte_for_byte() {
    let fx = fixture();
    let first = tempfile::tempdir().unwrap();
    let second = tempfile::tempdir().unwrap();
    report::write_all(first.path(), &fx.report()).unwrap();
    report::write_all(second.path(), &fx.report()).unwrap();
    for stem in ["城关镇", "河口乡", "西岭镇", "未确定乡镇"] {
        let csv = fs::read(first.path().join(format!("{stem}.csv"))).unwrap();
        assert!(csv.starts_with(b"\xEF\xBB\xBF"), "{stem}.csv BOM");
        let text = String::from_utf8(csv[3..].to_vec()).unwrap();
        assert!(text.starts_with(&ListColumn::HEADERS.join(",")));
        let again = fs::read(second.path().join(format!("{stem}.csv"))).unwrap();
        assert_eq!(csv, again, "{stem}.csv differs between runs");
        let xlsx = fs::read(first.path().join(format!("{stem}.xlsx"))).unwrap();
        let again = fs::read(second.path().join(format!("{stem}.xlsx"))).unwrap();
        assert_eq!(xlsx, again, "{stem}.xlsx differs between runs");
    }
    let csv = fs::read_to_string(first.path().join("城关镇.csv")).unwrap();
    assert!(csv.contains(ID_LI), "IDs written in full in the CSV");
}

#[cfg(unix)]
#[test]
fn every_file_is_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let fx = fixture();
    let out = tempfile::tempdir().unwrap();
    let written = report::write_all(out.path(), &fx.report()).unwrap().paths;
    assert!(!written.is_empty());
    for entry in fs::read_dir(out.path()).unwrap() {
        let path = entry.unwrap().path();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", path.display());
        assert!(
            !path.file_name().unwrap().to_string_lossy().contains(".tmp"),
            "no temporary file left behind"
        );
    }
}

#[test]
fn manifest_lists_inputs_pipeline_and_outputs() {
    let fx = fixture();
    let out = tempfile::tempdir().unwrap();
    let written = report::write_all(out.path(), &fx.report()).unwrap().paths;
    assert_eq!(
        written.last().unwrap().file_name().unwrap(),
        "manifest.json"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(out.path().join("manifest.json")).unwrap()).unwrap();
    assert_eq!(json["loubao_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(json["as_of"], "2021-06-30");
    assert_eq!(json["since"], "2020-01-01");
    assert_eq!(json["outcome"], "partial");
    assert_eq!(json["pipeline"]["text"], PIPELINE);
    assert_eq!(json["pipeline"]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(json["inputs"][0]["file_name"], "医保.xlsx");
    assert_eq!(json["inputs"][0]["rows_rejected"], 1);
    assert_eq!(json["timings"][0]["stage"], "ingest");
    assert_eq!(json["counts"]["suspects"], 4);
    let outputs = json["outputs"].as_array().unwrap();
    assert_eq!(outputs.len(), written.len() - 1);
    let csv = outputs.iter().find(|o| o["file"] == "城关镇.csv").unwrap();
    let bytes = fs::read(out.path().join("城关镇.csv")).unwrap();
    assert_eq!(csv["bytes"], bytes.len() as u64);
    use sha2::Digest;
    let digest = format!("{:x}", sha2::Sha256::digest(&bytes));
    assert_eq!(csv["sha256"], digest);
}

fn chromium() -> Option<PathBuf> {
    common::client(
        "Chromium (Debian package chromium)",
        &["/usr/bin/chromium"],
        &["chromium", "chromium-browser"],
    )
}

/// `file://` URL with every non-ASCII or reserved byte percent-encoded (the page's name is
/// Chinese).
fn file_url(path: &Path) -> String {
    let mut url = String::from("file://");
    for byte in path.to_string_lossy().bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                url.push(byte as char)
            }
            _ => url.push_str(&format!("%{byte:02X}")),
        }
    }
    url
}

#[test]
fn summary_page_renders_in_headless_chromium() {
    let Some(chromium) = chromium() else {
        return;
    };
    let fx = fixture();
    let out = tempfile::tempdir().unwrap();
    report::write_all(out.path(), &fx.report()).unwrap();
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(file_url(&out.path().join("汇总.html")))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(120) {
            child.kill().unwrap();
            panic!("chromium did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let dom = child.wait_with_output().unwrap();
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(dom.contains("示例县 漏保漏救排查汇总 2021-06-30"), "{dom}");
    for township in ["城关镇", "河口乡", "西岭镇", "未确定乡镇"] {
        assert!(
            dom.contains(township),
            "{township} missing from rendered page"
        );
    }
    assert!(dom.contains("<svg"), "charts rendered as SVG");
    // What a clerk sees first: tonight's figures, then the nights before.
    let first = dom.find("疑似人数 (线索").expect("headline");
    assert!(first < dom.find("历次运行").unwrap(), "headline first");
    // Four persons; the ledger states the fixture gives are one continuing clue, and the
    // card counts the clues it is told of.
    assert!(
        dom.contains("<b>4</b><span>疑似人数 (线索 1 条: 新增 0, 持续 1)</span>"),
        "{dom}"
    );
    assert!(dom.contains("2021-06-29"), "earlier night in the trend");
    // Maintainer figures are folded away, after everything else.
    let appendix = dom.find("<details>").expect("appendix");
    assert!(appendix > dom.find("各来源排查人数").unwrap());
    assert!(dom[appendix..].contains("匹配分值分布"));
    assert!(dom.contains("12349热线"), "missing source listed");
}
