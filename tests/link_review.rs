//! The 待复核 loop through the binary: a run asks its identity questions, a person answers
//! them in 待复核.xlsx (and LibreOffice re-saves it), `review` records the answers, and the
//! next run applies them — also to the same county exported with its rows in another order.

mod common;

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};

use calamine::{open_workbook_auto, Data, Reader};
use loubao::sample::{generate, NoiseLevel, SampleOptions};

/// A generated county whose default noise leaves a few identity questions open.
fn county(dir: &Path, shuffle_rows: bool) -> PathBuf {
    generate(
        dir,
        &SampleOptions {
            persons: 3000,
            seed: 7,
            noise: NoiseLevel::Default,
            shuffle_rows,
        },
    )
    .unwrap();
    dir.join("pipeline.toml")
}

fn loubao(args: &[&str], pipeline: &Path, files: &[&Path]) -> (i32, String) {
    let mut all: Vec<&OsStr> = vec![OsStr::new("--quiet")];
    all.extend(args.iter().map(OsStr::new));
    all.push(pipeline.as_os_str());
    all.extend(files.iter().map(|f| f.as_os_str()));
    common::loubao(&all)
}

/// The newest run folder of a generated county (its outbox is `outbox/`).
fn newest_run(dir: &Path) -> PathBuf {
    let mut runs: Vec<PathBuf> = fs::read_dir(dir.join("outbox"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    runs.sort();
    runs.pop().unwrap()
}

fn text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::Float(f) if f.fract() == 0.0 => format!("{f:.0}"),
        other => other.to_string(),
    }
}

/// A sheet as text rows, header first.
fn rows(path: &Path) -> Vec<Vec<String>> {
    let mut workbook = open_workbook_auto(path).unwrap();
    let name = workbook.sheet_names()[0].clone();
    let range = workbook.worksheet_range(&name).unwrap();
    range.rows().map(|r| r.iter().map(text).collect()).collect()
}

/// 待复核 rows by 复核编号, each as header → cell.
fn questions(run: &Path) -> BTreeMap<String, BTreeMap<String, String>> {
    let sheet = rows(&run.join("待复核.xlsx"));
    let header = &sheet[0];
    sheet[1..]
        .iter()
        .map(|row| {
            let cells: BTreeMap<String, String> =
                header.iter().cloned().zip(row.iter().cloned()).collect();
            (cells["复核编号"].clone(), cells)
        })
        .collect()
}

/// What a clerk does in Excel: fills 复核结论, 复核人 and 复核日期 of the answered rows and
/// saves. Every other cell is written back as read.
fn answer(list: &Path, out: &Path, answers: &BTreeMap<String, &str>) {
    let sheet = rows(list);
    let header = &sheet[0];
    let at = |h: &str| header.iter().position(|x| x == h).unwrap() as u16;
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    for (r, row) in sheet.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            ws.write_string(r as u32, c as u16, cell).unwrap();
        }
        if let Some(verdict) = answers.get(&row[at("复核编号") as usize]) {
            ws.write_string(r as u32, at("复核结论"), *verdict).unwrap();
            ws.write_string(r as u32, at("复核人"), "王会计").unwrap();
            ws.write_string(r as u32, at("复核日期"), "2021-06-30")
                .unwrap();
        }
    }
    book.save(out).unwrap();
}

/// LibreOffice's re-save of `path` into `dir`, as a clerk with LibreOffice would return it;
/// `None` when LibreOffice is not installed (a failure in CI: see `common::client`).
fn libreoffice_resave(path: &Path, dir: &Path) -> Option<PathBuf> {
    let soffice = common::libreoffice()?;
    Some(common::libreoffice_convert(
        &soffice, path, "xlsx", None, dir,
    ))
}

/// Names in every township list and 未确定乡镇 of a run.
fn listed_names(run: &Path) -> Vec<String> {
    let mut names = Vec::new();
    for entry in fs::read_dir(run).unwrap() {
        let path = entry.unwrap().path();
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        if path.extension().is_some_and(|e| e == "xlsx")
            && !["待复核", "拒收记录", "汇总", "服务问题线索"].contains(&stem.as_str())
        {
            let sheet = rows(&path);
            let at = sheet[0].iter().position(|h| h == "姓名").unwrap();
            names.extend(sheet[1..].iter().map(|r| r[at].clone()));
        }
    }
    names
}

#[test]
fn answered_questions_stay_answered_whatever_the_row_order() {
    let first = tempfile::tempdir().unwrap();
    let pipeline = county(first.path(), false);
    let (code, out) = loubao(&["run"], &pipeline, &[]);
    assert!(code == 0 || code == 3, "{out}");
    let run = newest_run(first.path());
    let asked = questions(&run);
    assert!(
        asked.len() >= 3,
        "the county asks too few questions: {asked:?}"
    );
    // One record group per row: the copies of one person in one file ask one question.
    assert!(asked.values().any(|q| q["记录数(甲)"] != "1"), "{asked:?}");

    // The first 同一人, the second 无法确定, the rest 不是同一人.
    let ids: Vec<String> = asked.keys().cloned().collect();
    let mut answers: BTreeMap<String, &str> = BTreeMap::new();
    answers.insert(ids[0].clone(), "同一人");
    answers.insert(ids[1].clone(), "无法确定");
    for id in &ids[2..] {
        answers.insert(id.clone(), "不是同一人");
    }
    let filled = first.path().join("待复核_已复核.xlsx");
    answer(&run.join("待复核.xlsx"), &filled, &answers);
    let returned =
        libreoffice_resave(&filled, &first.path().join("resaved")).unwrap_or_else(|| {
            println!("LibreOffice not installed: the answers are imported as written");
            filled.clone()
        });

    let (code, out) = loubao(&["review"], &pipeline, &[&returned]);
    assert_eq!(code, 0, "{out}");
    let recorded = format!("已记录复核结论 {} 条", answers.len());
    assert!(out.contains(&recorded), "{out}");
    // The same file again changes nothing, and says so.
    let (code, again) = loubao(&["review"], &pipeline, &[&returned]);
    assert_eq!(code, 0, "{again}");
    assert!(again.contains("已记录复核结论 0 条"), "{again}");
    assert!(
        again.contains(&format!(
            "与台账已有记录相同, 未重复记录 {} 行",
            answers.len()
        )),
        "{again}"
    );

    let (code, out) = loubao(&["run"], &pipeline, &[]);
    assert!(code == 0 || code == 3, "{out}");
    let second_run = newest_run(first.path());
    let still = questions(&second_run);
    check_second_night(&asked, &answers, &still, &second_run);

    // The same county exported with every file's rows in another order, on the same ledger.
    let shuffled = tempfile::tempdir().unwrap();
    let pipeline = county(shuffled.path(), true);
    fs::create_dir_all(shuffled.path().join("outbox")).unwrap();
    fs::copy(
        first.path().join("outbox/ledger.sqlite3"),
        shuffled.path().join("outbox/ledger.sqlite3"),
    )
    .unwrap();
    let (code, out) = loubao(&["run"], &pipeline, &[]);
    assert!(code == 0 || code == 3, "{out}");
    let shuffled_run = newest_run(shuffled.path());
    let reordered = questions(&shuffled_run);
    check_second_night(&asked, &answers, &reordered, &shuffled_run);
}

/// What the night after the answers must show: decided questions gone, a 无法确定 one still
/// asked with its earlier answer, 不是同一人 persons judged on their own, and 同一人 pairs
/// linked as one person.
fn check_second_night(
    asked: &BTreeMap<String, BTreeMap<String, String>>,
    answers: &BTreeMap<String, &str>,
    still: &BTreeMap<String, BTreeMap<String, String>>,
    run: &Path,
) {
    for (id, verdict) in answers {
        match *verdict {
            "无法确定" => {
                let row = &still[id];
                assert_eq!(row["复核结论"], "无法确定");
                assert_eq!(row["复核人"], "王会计");
            }
            _ => assert!(!still.contains_key(id), "{id} ({verdict}) asked again"),
        }
    }
    let listed = listed_names(run);
    for (id, verdict) in answers {
        let question = &asked[id];
        // Someone who would be listed were he not the roll person is listed once told apart.
        if *verdict == "不是同一人" && question["复核原因"].contains("若不是同一人将列为")
        {
            assert!(
                listed.contains(&question["姓名(甲)"]),
                "{id}: {} not listed after 不是同一人",
                question["姓名(甲)"]
            );
        }
    }
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(run.join("manifest.json")).unwrap()).unwrap();
    let decided = &manifest["linkage"];
    let same: u64 = asked[&answers
        .iter()
        .find(|(_, v)| **v == "同一人")
        .unwrap()
        .0
        .clone()]["记录数(甲)"]
        .parse()
        .unwrap();
    assert_eq!(decided["decided_same"].as_u64(), Some(same), "{manifest}");
    assert!(
        decided["decided_different"].as_u64().unwrap() >= 1,
        "{manifest}"
    );
}

#[test]
fn conflicting_and_unsigned_answers_are_rejected_with_their_rows() {
    let dir = tempfile::tempdir().unwrap();
    let pipeline = county(dir.path(), false);
    let (code, out) = loubao(&["run"], &pipeline, &[]);
    assert!(code == 0 || code == 3, "{out}");
    let run = newest_run(dir.path());
    let ids: Vec<String> = questions(&run).keys().cloned().collect();
    // A CSV as a clerk might type it: one question answered twice, differently; one
    // answered without a name; one id mistyped.
    let csv = format!(
        "复核编号,复核结论,复核人,复核日期\n\
         {a},同一人,王会计,2021-06-30\n\
         {a},不是同一人,李主任,2021-06-30\n\
         {b},同一人,,2021-06-30\n\
         FH000000000000,同一人,王会计,2021-06-30\n\
         {c},,,\n",
        a = ids[0],
        b = ids[1],
        c = ids[2]
    );
    let returned = dir.path().join("待复核_已复核.csv");
    fs::write(&returned, csv).unwrap();
    let (code, out) = loubao(&["review"], &pipeline, &[&returned]);
    assert_eq!(code, 3, "{out}");
    assert!(
        out.contains(&format!(
            "拒收 待复核_已复核.csv#2: 复核编号 {} 另见 待复核_已复核.csv#3",
            ids[0]
        )),
        "{out}"
    );
    assert!(out.contains("拒收 待复核_已复核.csv#3:"), "{out}");
    assert!(
        out.contains("拒收 待复核_已复核.csv#4: 复核人为空"),
        "{out}"
    );
    assert!(
        out.contains(
            "拒收 待复核_已复核.csv#5: 复核编号 FH000000000000 不是 loubao 提出过的复核问题"
        ),
        "{out}"
    );
    assert!(out.contains("已记录复核结论 0 条"), "{out}");
    assert!(out.contains("未填写 1 行"), "{out}");
}
