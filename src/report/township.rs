//! The township suspect lists (SPEC 7): one `<乡镇>.xlsx` + `<乡镇>.csv` per township —
//! every configured township, even with no suspects (a clerk expects a file; zero rows is
//! the 零报送) — plus `未确定乡镇` for suspects whose township could not be decided.
//! A township's file holds only its own people.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use rayon::prelude::*;

use super::table::{Cell, Dropdown, Table};
use super::{RunReport, UNDETERMINED};
use crate::model::{ClueState, ListColumn, ReviewOutcome, RuleCode, Suspect};

/// 状态 of a clue reported as included whose person is still not on the rolls (after 持续).
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

/// One row of a township list, in the order of `ListColumn::ALL`.
fn row(s: &Suspect, clues: &BTreeMap<String, ClueState>, as_of: NaiveDate) -> Vec<Cell> {
    let codes = codes(s);
    let join_codes =
        |f: fn(RuleCode) -> &'static str| codes.iter().map(|c| f(*c)).collect::<Vec<_>>().join(";");
    // A clue the ledger has not seen yet is new today.
    let new = ClueState::new_on(as_of);
    let state = clues.get(&s.clue_id).unwrap_or(&new);
    let review = state.review.as_ref();
    let remarks = || match s.address.as_deref() {
        Some(address) if s.township.is_none() && !address.is_empty() => format!("地址: {address}"),
        _ => String::new(),
    };
    let text = |t: Option<&String>| Cell::text(t.cloned().unwrap_or_default());
    ListColumn::ALL
        .into_iter()
        .map(|column| match column {
            ListColumn::ClueId => Cell::text(&s.clue_id),
            ListColumn::Township => text(s.township.as_ref()),
            ListColumn::Village => text(s.village.as_ref()),
            ListColumn::Name => Cell::text(&s.name),
            ListColumn::IdNumber => text(s.id_number.as_ref()),
            ListColumn::Codes => Cell::text(join_codes(RuleCode::code)),
            ListColumn::CodeLabels => Cell::text(join_codes(RuleCode::label_zh)),
            ListColumn::Sources => {
                let sources: BTreeSet<_> = s.sources.iter().collect();
                let labels: Vec<&str> = sources.iter().map(|k| k.label_zh()).collect();
                Cell::text(labels.join(";"))
            }
            ListColumn::Evidence => Cell::text(crate::rules::evidence::suspect(s)),
            ListColumn::MatchNote => Cell::text(&s.match_note),
            ListColumn::Confidence => s.confidence.map_or(Cell::text(""), Cell::Decimal),
            ListColumn::SourceRefs => {
                let refs: BTreeSet<String> = s.source_refs.iter().map(|r| r.to_string()).collect();
                Cell::text(refs.into_iter().collect::<Vec<_>>().join(";"))
            }
            ListColumn::Status => Cell::text(status_text(state)),
            ListColumn::FirstSeen => Cell::text(state.first_seen.format("%Y-%m-%d").to_string()),
            // Filled in by the township; its standing review is carried forward whole (备注
            // too), so the row returned unchanged is the review the ledger already holds.
            ListColumn::Outcome => text(review.map(|r| r.outcome.label_zh().to_string()).as_ref()),
            ListColumn::Reviewer => text(review.and_then(|r| r.reviewer.as_ref())),
            ListColumn::ReviewDate => text(
                review
                    .map(|r| r.date.format("%Y-%m-%d").to_string())
                    .as_ref(),
            ),
            ListColumn::Note => match review {
                Some(r) => text(r.note.as_ref()),
                None => Cell::text(remarks()),
            },
        })
        .collect()
}

/// 状态: 新增, or 持续 with what the clue is waiting for, e.g. `持续(已核查: 已给予临时救助)`;
/// a passed deadline leads, `持续(逾期未核查)`, and an inclusion still missing after the
/// rectify deadline is `持续(逾期未整改: 已报纳入保障但名册中未见)`.
fn status_text(state: &ClueState) -> String {
    let mut pending: Vec<String> = Vec::new();
    if state.rectification_missing {
        // Past the deadline the shortfall is no longer 整改未到位 but 逾期未整改.
        let (_, detail) = RECTIFICATION_MISSING
            .split_once(": ")
            .expect("head: detail");
        pending.push(match state.overdue {
            Some(overdue) => format!("{}: {detail}", overdue.label_zh()),
            None => RECTIFICATION_MISSING.to_string(),
        });
    } else {
        pending.extend(state.overdue.map(|o| o.label_zh().to_string()));
        if let Some(note) = &state.reopened {
            pending.push(note.clone());
        } else if let Some(r) = &state.review {
            pending.push(format!("已核查: {}", r.outcome));
        }
    }
    if pending.is_empty() {
        state.status.label_zh().to_string()
    } else {
        format!("{}({})", state.status.label_zh(), pending.join("; "))
    }
}

fn table(rows: Vec<Vec<Cell>>) -> Table {
    let mut table = Table::new("疑似名单", &ListColumn::HEADERS);
    table.text_columns = [
        ListColumn::ClueId,
        ListColumn::IdNumber,
        ListColumn::Codes,
        ListColumn::SourceRefs,
    ]
    .map(ListColumn::index)
    .to_vec();
    // 核查人, 核查日期 and 备注 are filled in by hand, on screen or on paper.
    table.min_widths = vec![
        (ListColumn::Reviewer.index(), 10.0),
        (ListColumn::ReviewDate.index(), 12.0),
        (ListColumn::Note.index(), 30.0),
    ];
    table.printable = true;
    table.dropdown = Some(Dropdown {
        column: ListColumn::Outcome.index(),
        options: &ReviewOutcome::LABELS,
    });
    table.rows = rows;
    table
}

pub(crate) use crate::config::file_stem;

/// Every township's list (and 未确定乡镇's), each with its file stem.
pub(crate) fn tables(report: &RunReport<'_>) -> Vec<(String, Table)> {
    let as_of = report.pipeline.as_of;
    let reserved = [
        UNDETERMINED,
        super::CONDUCT,
        super::REVIEW,
        super::REJECTS,
        super::SUMMARY,
    ];
    let mut lists = Vec::new();
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
        // A row formats every source reference of its suspect: built on both cores.
        let rows = suspects
            .par_iter()
            .map(|s| row(s, report.clues, as_of))
            .collect();
        lists.push((stem, table(rows)));
    }
    lists
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ClueReview, ClueStatus, Finding, SourceKind, SourceRef};

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
                    facts: Vec::new(),
                    conclusion: "未纳入保障".into(),
                    records: vec![0],
                })
                .collect(),
            sources: vec![
                SourceKind::Medical,
                SourceKind::Disability,
                SourceKind::Medical,
            ],
            match_note: "身份证号一致".into(),
            confidence: Some(0.987),
            source_refs: vec![
                SourceRef::new("医保.xlsx", None, 5),
                SourceRef::new("残联.csv", None, 3),
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
        let at = |column: ListColumn| row[column.index()].as_str();
        assert_eq!(at(ListColumn::Codes), "R01;R02");
        assert_eq!(at(ListColumn::Sources), "医保局个人自付;残联残疾人");
        assert_eq!(at(ListColumn::SourceRefs), "医保.xlsx#5;残联.csv#3");
        assert_eq!(at(ListColumn::Status), "新增");
        assert_eq!(at(ListColumn::FirstSeen), "2021-06-30");
        assert_eq!(at(ListColumn::Confidence), "0.99");
        for column in [
            ListColumn::Outcome,
            ListColumn::Reviewer,
            ListColumn::ReviewDate,
        ] {
            assert_eq!(at(column), "", "{column}");
        }
    }

    fn continuing_row(state: impl FnOnce(&mut ClueState)) -> Vec<String> {
        let s = suspect("张三", None, &[RuleCode::R01]);
        let mut clue = ClueState {
            status: ClueStatus::Continuing,
            first_seen: NaiveDate::from_ymd_opt(2021, 5, 31).unwrap(),
            review: Some(ClueReview {
                outcome: ReviewOutcome::TempAssistance,
                reviewer: Some("李核查".into()),
                date: NaiveDate::from_ymd_opt(2021, 6, 5).unwrap(),
                note: None,
            }),
            rectification_missing: false,
            reopened: None,
            overdue: None,
        };
        state(&mut clue);
        let clues = BTreeMap::from([(s.clue_id.clone(), clue)]);
        row(&s, &clues, NaiveDate::from_ymd_opt(2021, 6, 30).unwrap())
            .iter()
            .map(Cell::display)
            .collect()
    }

    #[test]
    fn a_standing_review_is_carried_forward_whole() {
        let row = continuing_row(|_| {});
        let at = |column: ListColumn| row[column.index()].as_str();
        assert_eq!(at(ListColumn::Status), "持续(已核查: 已给予临时救助)");
        assert_eq!(at(ListColumn::FirstSeen), "2021-05-31");
        assert_eq!(at(ListColumn::Outcome), "已给予临时救助");
        assert_eq!(at(ListColumn::Reviewer), "李核查");
        assert_eq!(at(ListColumn::ReviewDate), "2021-06-05");
        // No note was recorded, so none is written: not even a remark of the list's own.
        assert_eq!(at(ListColumn::Note), "");
    }

    #[test]
    fn missing_rectification_and_reopened_clues_say_what_is_pending() {
        let row = continuing_row(|c| {
            c.review.as_mut().unwrap().outcome = ReviewOutcome::Included;
            c.review.as_mut().unwrap().note = Some("已申请低保".into());
            c.rectification_missing = true;
        });
        let at = |column: ListColumn| row[column.index()].as_str();
        assert_eq!(
            at(ListColumn::Status),
            format!("持续({RECTIFICATION_MISSING})")
        );
        assert_eq!(at(ListColumn::Outcome), "符合条件已纳入保障");
        assert_eq!(at(ListColumn::Note), "已申请低保");

        let row = continuing_row(|c| {
            c.review = None;
            c.reopened = Some("核查关闭后事实有变化: 新增疑似类型 R02".into());
        });
        let at = |column: ListColumn| row[column.index()].as_str();
        assert_eq!(
            at(ListColumn::Status),
            "持续(核查关闭后事实有变化: 新增疑似类型 R02)"
        );
        assert_eq!(at(ListColumn::Outcome), "");
    }

    #[test]
    fn a_passed_deadline_leads_the_status() {
        let row = continuing_row(|c| {
            c.review = None;
            c.overdue = Some(crate::model::Overdue::Review);
        });
        assert_eq!(row[ListColumn::Status.index()], "持续(逾期未核查)");
        let row = continuing_row(|c| {
            c.review.as_mut().unwrap().outcome = ReviewOutcome::Included;
            c.rectification_missing = true;
            c.overdue = Some(crate::model::Overdue::Rectify);
        });
        assert_eq!(
            row[ListColumn::Status.index()],
            "持续(逾期未整改: 已报纳入保障但名册中未见)"
        );
    }

    #[test]
    fn file_stems_are_safe() {
        assert_eq!(file_stem("城关镇"), "城关镇");
        assert_eq!(file_stem("a/b:c"), "a_b_c");
        assert_eq!(file_stem(".."), "_");
    }
}
