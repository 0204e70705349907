//! The six screening rules of SPEC 6, one function each, run from one table, and the
//! conduct clues of R07.
//!
//! Each rule sees one consolidated person's screening facts and roll coverage and returns
//! a finding with its 依据 when it fires. A person gets every code that fires. R07 is not a
//! verdict on the person but on how his case was handled: each complaint is a clue of its
//! own (`conduct`), and none joins the person's row.

use super::coverage::Coverage;
use super::qualify::{ChildCase, Grounds, ParentState, PersonFacts};
use crate::config::RuleSettings;
use crate::model::{Finding, RuleCode, SourceKind};

type Rule = fn(&PersonFacts, &Coverage, &RuleSettings) -> Option<Finding>;

const RULES: [(RuleCode, Rule); 6] = [
    (RuleCode::R01, uncovered_unaided),
    (RuleCode::R02, low_income_severe_case),
    (RuleCode::R03, uninsured_unemployed),
    (RuleCode::R04, suspected_orphan),
    (RuleCode::R05, suspected_unsupported_child),
    (RuleCode::R06, overdue_request),
];

/// Rolls whose active membership means "covered" (SPEC 6).
const COVERING_ROLLS: [SourceKind; 4] = [
    SourceKind::Dibao,
    SourceKind::Tekun,
    SourceKind::Orphan,
    SourceKind::Fuc,
];

const DIBAO_TEKUN: [SourceKind; 2] = [SourceKind::Dibao, SourceKind::Tekun];

/// Every finding for one person, in code order.
pub(crate) fn findings(
    facts: &PersonFacts,
    coverage: &Coverage,
    settings: &RuleSettings,
) -> Vec<Finding> {
    RULES
        .iter()
        .filter_map(|(code, rule)| {
            let finding = rule(facts, coverage, settings)?;
            debug_assert_eq!(finding.code, *code);
            Some(finding)
        })
        .collect()
}

/// R07: one finding per complaint about conduct, whatever the person's coverage.
pub(crate) fn conduct(facts: &PersonFacts) -> Vec<Finding> {
    facts
        .conduct
        .iter()
        .map(|grounds| {
            let tail = "反映经办服务问题, 涉及乡镇经办人员".to_string();
            finding(RuleCode::R07, [grounds], &[], Some(tail))
        })
        .collect()
}

fn finding<'a>(
    code: RuleCode,
    facts: impl IntoIterator<Item = &'a Grounds>,
    extra_records: &[usize],
    tail: Option<String>,
) -> Finding {
    let mut typed = Vec::new();
    let mut records = extra_records.to_vec();
    for grounds in facts {
        typed.push(grounds.fact.clone());
        records.extend_from_slice(&grounds.records);
    }
    records.sort_unstable();
    records.dedup();
    Finding {
        code,
        facts: typed,
        conclusion: tail.unwrap_or_default(),
        records,
    }
}

/// R01: qualifies on a department source, not covered, not aided.
fn uncovered_unaided(facts: &PersonFacts, cov: &Coverage, _: &RuleSettings) -> Option<Finding> {
    let qualifying: Vec<&Grounds> = facts
        .qualifying
        .iter()
        .filter(|f| SourceKind::DEPARTMENTS.contains(&f.kind()))
        .collect();
    if qualifying.is_empty() || cov.on_any(&COVERING_ROLLS) || cov.is_aided() {
        return None;
    }
    let tail = "未纳入低保、特困、孤儿、事实无人抚养儿童保障, 期内未获临时救助".to_string();
    let facts = qualifying.into_iter().chain(cov.lapsed_on(&COVERING_ROLLS));
    Some(finding(RuleCode::R01, facts, &[], Some(tail)))
}

/// R02: severely disabled or seriously ill member of a low-income household, not on dibao
/// or tekun.
fn low_income_severe_case(
    facts: &PersonFacts,
    cov: &Coverage,
    _: &RuleSettings,
) -> Option<Finding> {
    let severe: Vec<&Grounds> = facts
        .severely_disabled
        .iter()
        .chain(&facts.seriously_ill)
        .collect();
    let low_income = cov.active.get(&SourceKind::LowIncome);
    if severe.is_empty()
        || (low_income.is_none() && facts.monitored.is_empty())
        || cov.on_any(&DIBAO_TEKUN)
    {
        return None;
    }
    let roll_records = low_income.map(Vec::as_slice).unwrap_or_default();
    let mut tail = Vec::new();
    if !roll_records.is_empty() {
        tail.push("低收入家庭名册在册");
    }
    tail.push("未纳入低保或特困");
    Some(finding(
        RuleCode::R02,
        severe
            .into_iter()
            .chain(&facts.monitored)
            .chain(cov.lapsed_on(&DIBAO_TEKUN)),
        roll_records,
        Some(tail.join(", ")),
    ))
}

/// R03: registered unemployed, not insured, not on dibao or tekun, not aided.
fn uninsured_unemployed(facts: &PersonFacts, cov: &Coverage, _: &RuleSettings) -> Option<Finding> {
    if facts.uninsured_unemployed.is_empty() || cov.on_any(&DIBAO_TEKUN) || cov.is_aided() {
        return None;
    }
    let tail = "未纳入低保或特困, 期内未获临时救助".to_string();
    Some(finding(
        RuleCode::R03,
        facts
            .uninsured_unemployed
            .iter()
            .chain(cov.lapsed_on(&DIBAO_TEKUN)),
        &[],
        Some(tail),
    ))
}

fn both_absent(case: &ChildCase) -> bool {
    matches!(
        (&case.father, &case.mother),
        (ParentState::Absent(_), ParentState::Absent(_))
    )
}

/// Both unable, or one dead/missing and the other unable.
fn unsupported(case: &ChildCase) -> bool {
    use ParentState::{Absent, Unable};
    matches!(
        (&case.father, &case.mother),
        (Unable(_), Unable(_)) | (Absent(_), Unable(_)) | (Unable(_), Absent(_))
    )
}

fn child_finding(
    code: RuleCode,
    facts: &PersonFacts,
    cases: Vec<&ChildCase>,
    tail: &str,
) -> Finding {
    let rows: Vec<&Grounds> = facts
        .qualifying
        .iter()
        .filter(|f| f.kind() == SourceKind::Children)
        .filter(|f| cases.iter().any(|c| f.records.contains(&c.record)))
        .collect();
    let parents: Vec<usize> = cases.iter().flat_map(|c| c.parents.clone()).collect();
    finding(code, rows, &parents, Some(tail.to_string()))
}

/// R04: child under age, both parents dead or missing, not on the orphan roll.
fn suspected_orphan(facts: &PersonFacts, cov: &Coverage, _: &RuleSettings) -> Option<Finding> {
    let cases: Vec<&ChildCase> = facts.children.iter().filter(|c| both_absent(c)).collect();
    if cases.is_empty() || cov.on(SourceKind::Orphan) {
        return None;
    }
    Some(child_finding(RuleCode::R04, facts, cases, "未纳入孤儿保障"))
}

/// R05: child under age, not an orphan, parents unable to support, not on the fuc or
/// orphan roll.
fn suspected_unsupported_child(
    facts: &PersonFacts,
    cov: &Coverage,
    _: &RuleSettings,
) -> Option<Finding> {
    let orphan = facts.children.iter().any(both_absent) || cov.on(SourceKind::Orphan);
    let cases: Vec<&ChildCase> = facts.children.iter().filter(|c| unsupported(c)).collect();
    if orphan || cases.is_empty() || cov.on(SourceKind::Fuc) {
        return None;
    }
    Some(child_finding(
        RuleCode::R05,
        facts,
        cases,
        "未纳入事实无人抚养儿童或孤儿保障",
    ))
}

/// R06: a qualifying petition or hotline request unfinished past the deadline.
fn overdue_request(facts: &PersonFacts, _: &Coverage, settings: &RuleSettings) -> Option<Finding> {
    if facts.overdue_requests.is_empty() {
        return None;
    }
    let tail = format!("超过 {} 天未办结", settings.overdue_days);
    Some(finding(
        RuleCode::R06,
        &facts.overdue_requests,
        &[],
        Some(tail),
    ))
}
