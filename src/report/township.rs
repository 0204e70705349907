//! The township suspect lists (SPEC 7): one `<乡镇>.xlsx` + `<乡镇>.csv` per township —
//! every configured township, even with no suspects (a clerk expects a file; zero rows is
//! the 零报送) — plus `未确定乡镇` for suspects whose township could not be decided.
//! A township's file holds only its own people.

use std::collections::{BTreeMap, BTreeSet};
use std::io;

use chrono::NaiveDate;

use super::table::{Cell, Dropdown, Output, Table};
use super::{RunReport, UNDETERMINED};
use crate::model::{ClueState, ClueStatus, ReviewOutcome, RuleCode, Suspect};

/// Columns of a township list, in the order of SPEC 7.
pub const COLUMNS: [&str; 18] = [
    "线索编号",
    "乡镇",
    "村社区",
    "姓名",
    "身份证号",
    "疑似类型代码",
    "疑似类型",
    "来源部门",
    "依据",
    "匹配说明",
    "置信度",
    "来源记录",
    "状态",
    "首次发现日期",
    "核查结果",
    "核查人",
    "核查日期",
    "备注",
];

const COL_ID: usize = 4;
const COL_CODES: usize = 5;
const COL_CONFIDENCE: usize = 10;
const COL_REFS: usize = 11;
const COL_OUTCOME: usize = 14;

/// Remark on a clue reported as included whose person is still not on the rolls.
pub const RECTIFICATION_MISSING: &str = "整改未到位: 已报纳入保障但名册中未见";

/// The township lists to write, in file order: configured townships first (pipeline order),
/// then any other township a suspect names, then the undetermined list (`None`). Each holds
/// its suspects, sorted for the clerk.
pub(crate) fn group<'a>(report: &'a RunReport<'_>) -> Vec<(Option<String>, Vec<&'a Suspect>)> {
    let configured: Vec<&str> = report
        .pipeline
        .pipeline
        .townships
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    let mut by_township: BTreeMap<Option<&str>, Vec<&Suspect>> = BTreeMap::new();
    for suspect in &report.screening.suspects {
        by_township
            .entry(suspect.township.as_deref())
            .or_default()
            .push(suspect);
    }
    let others: BTreeSet<&str> = by_township
        .keys()
        .flatten()
        .copied()
        .filter(|t| !configured.contains(t))
        .collect();
    let mut names: Vec<Option<&str>> = Vec::new();
    for name in configured.iter().copied().chain(others) {
        if !names.contains(&Some(name)) {
            names.push(Some(name));
        }
    }
    names.push(None);
    names
        .into_iter()
        .map(|name| {
            let mut suspects = by_township.remove(&name).unwrap_or_default();
            sort_for_clerk(&mut suspects);
            (name.map(str::to_string), suspects)
        })
        .collect()
}

/// What a list is called in the summary: its township, or 未确定乡镇.
pub(crate) fn list_name(township: Option<&str>) -> &str {
    township.unwrap_or(UNDETERMINED)
}

/// By village, then most codes first, then name; the clue id breaks ties so the order never
/// depends on the input order.
fn sort_for_clerk(suspects: &mut [&Suspect]) {
    suspects.sort_by(|a, b| {
        // Known villages first; a missing village goes last, not first.
        (a.village.is_none(), &a.village)
            .cmp(&(b.village.is_none(), &b.village))
            .then_with(|| codes(b).len().cmp(&codes(a).len()))
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.clue_id.cmp(&b.clue_id))
    });
}

fn codes(suspect: &Suspect) -> BTreeSet<RuleCode> {
    suspect.findings.iter().map(|f| f.code).collect()
}

/// One row of a township list, in the order of `COLUMNS`.
fn row(s: &Suspect, clues: &BTreeMap<String, ClueState>, as_of: NaiveDate) -> Vec<Cell> {
    let codes = codes(s);
    let join_codes =
        |f: fn(RuleCode) -> &'static str| codes.iter().map(|c| f(*c)).collect::<Vec<_>>().join(";");
    let sources: BTreeSet<_> = s.sources.iter().collect();
    let evidence = s.evidence();
    let refs: BTreeSet<String> = s.source_refs.iter().map(|r| r.to_string()).collect();
    // A clue the ledger has not seen yet is new today.
    let (status, first_seen, rectification_missing) = match clues.get(&s.clue_id) {
        Some(state) => (state.status, state.first_seen, state.rectification_missing),
        None => (ClueStatus::New, as_of, false),
    };
    let mut remarks = Vec::new();
    if rectification_missing {
        remarks.push(RECTIFICATION_MISSING.to_string());
    }
    if s.township.is_none() {
        if let Some(address) = s.address.as_deref().filter(|a| !a.is_empty()) {
            remarks.push(format!("地址: {address}"));
        }
    }
    let text = [
        s.clue_id.clone(),
        s.township.clone().unwrap_or_default(),
        s.village.clone().unwrap_or_default(),
        s.name.clone(),
        s.id_number.clone().unwrap_or_default(),
        join_codes(RuleCode::code),
        join_codes(RuleCode::label_zh),
        sources
            .iter()
            .map(|k| k.label_zh())
            .collect::<Vec<_>>()
            .join(";"),
        evidence,
        s.match_note.clone(),
        String::new(),
        refs.into_iter().collect::<Vec<_>>().join(";"),
        status.label_zh().to_string(),
        first_seen.format("%Y-%m-%d").to_string(),
        String::new(),
        String::new(),
        String::new(),
        remarks.join("；"),
    ];
    let mut cells: Vec<Cell> = text.into_iter().map(Cell::Text).collect();
    cells[COL_CONFIDENCE] = Cell::Decimal(s.confidence);
    cells
}

fn table(rows: Vec<Vec<Cell>>) -> Table {
    let mut table = Table::new("疑似名单", &COLUMNS);
    table.text_columns = vec![0, COL_ID, COL_CODES, COL_REFS];
    // 核查人, 核查日期 and 备注 are filled in by hand, on screen or on paper.
    let fill_in = |name: &str| COLUMNS.iter().position(|c| *c == name);
    table.min_widths = [("核查人", 10.0), ("核查日期", 12.0), ("备注", 30.0)]
        .into_iter()
        .filter_map(|(name, width)| fill_in(name).map(|c| (c, width)))
        .collect();
    table.printable = true;
    table.dropdown = Some(Dropdown {
        column: COL_OUTCOME,
        options: &ReviewOutcome::LABELS,
    });
    table.rows = rows;
    table
}

pub(crate) use crate::config::file_stem;

pub(crate) fn write(out: &mut Output, report: &RunReport<'_>) -> io::Result<()> {
    let as_of = report.pipeline.as_of;
    let reserved = [UNDETERMINED, super::REVIEW, super::REJECTS, super::SUMMARY];
    for (township, suspects) in group(report) {
        let stem = match township {
            // A township literally named like another output must not overwrite it.
            Some(name) => {
                let stem = file_stem(&name);
                if reserved.contains(&stem.as_str()) {
                    format!("{stem}_乡镇")
                } else {
                    stem
                }
            }
            None => UNDETERMINED.to_string(),
        };
        let rows = suspects
            .iter()
            .map(|s| row(s, report.clues, as_of))
            .collect();
        out.write_table(&stem, &table(rows))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Finding, SourceKind, SourceRef};

    fn suspect(name: &str, village: Option<&str>, codes: &[RuleCode]) -> Suspect {
        Suspect {
            clue_id: format!("LB{name}"),
            person_key: name.into(),
            township: Some("城关镇".into()),
            village: village.map(Into::into),
            name: name.into(),
            id_number: Some("410123199001011234".into()),
            address: Some("城关镇东街1号".into()),
            findings: codes
                .iter()
                .map(|&code| Finding {
                    code,
                    facts: vec!["依据".into()],
                    conclusion: "未纳入保障".into(),
                    amount_cents: None,
                    records: vec![0],
                })
                .collect(),
            sources: vec![
                SourceKind::Medical,
                SourceKind::Disability,
                SourceKind::Medical,
            ],
            match_note: "身份证号一致".into(),
            confidence: 0.987,
            source_refs: vec![
                SourceRef {
                    file: "医保.xlsx".into(),
                    sheet: None,
                    row: 5,
                },
                SourceRef {
                    file: "残联.csv".into(),
                    sheet: None,
                    row: 3,
                },
            ],
        }
    }

    #[test]
    fn sorted_by_village_then_codes_desc_then_name() {
        let a = suspect("乙", Some("东村"), &[RuleCode::R01]);
        let b = suspect("甲", Some("东村"), &[RuleCode::R01]);
        let c = suspect("丙", Some("东村"), &[RuleCode::R01, RuleCode::R02]);
        let d = suspect("丁", Some("北村"), &[RuleCode::R01]);
        let e = suspect("戊", None, &[RuleCode::R01, RuleCode::R02]);
        let mut list = vec![&e, &a, &b, &c, &d];
        sort_for_clerk(&mut list);
        let names: Vec<_> = list.iter().map(|s| s.name.as_str()).collect();
        // Villages compare by code point: 东 (U+4E1C) before 北 (U+5317).
        assert_eq!(names, ["丙", "乙", "甲", "丁", "戊"]);
    }

    #[test]
    fn row_without_ledger_entry_is_new_on_as_of() {
        let s = suspect("张三", Some("东村"), &[RuleCode::R02, RuleCode::R01]);
        let as_of = NaiveDate::from_ymd_opt(2021, 6, 30).unwrap();
        let row: Vec<String> = row(&s, &BTreeMap::new(), as_of)
            .iter()
            .map(Cell::display)
            .collect();
        assert_eq!(row[5], "R01;R02");
        assert_eq!(row[7], "医保局个人自付;残联残疾人");
        assert_eq!(row[11], "医保.xlsx#5;残联.csv#3");
        assert_eq!(row[12], "新增");
        assert_eq!(row[13], "2021-06-30");
        assert_eq!(row[10], "0.99");
        assert!(row[14..17].iter().all(String::is_empty));
    }

    #[test]
    fn ledger_state_and_missing_rectification_are_shown() {
        let s = suspect("张三", None, &[RuleCode::R01]);
        let mut clues = BTreeMap::new();
        clues.insert(
            s.clue_id.clone(),
            ClueState {
                status: ClueStatus::Continuing,
                first_seen: NaiveDate::from_ymd_opt(2021, 5, 31).unwrap(),
                rectification_missing: true,
            },
        );
        let row: Vec<String> = row(&s, &clues, NaiveDate::from_ymd_opt(2021, 6, 30).unwrap())
            .iter()
            .map(Cell::display)
            .collect();
        assert_eq!(row[12], "持续");
        assert_eq!(row[13], "2021-05-31");
        assert_eq!(row[17], RECTIFICATION_MISSING);
    }

    #[test]
    fn file_stems_are_safe() {
        assert_eq!(file_stem("城关镇"), "城关镇");
        assert_eq!(file_stem("a/b:c"), "a_b_c");
        assert_eq!(file_stem(".."), "_");
    }
}
