//! What the rules find and the ledger remembers: rule codes, findings, suspects, clue
//! states, and how a run ended.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{SourceKind, SourceRef};

/// Screening rule codes (SPEC 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum RuleCode {
    R01,
    R02,
    R03,
    R04,
    R05,
    R06,
}

impl RuleCode {
    pub const ALL: [RuleCode; 6] = [
        RuleCode::R01,
        RuleCode::R02,
        RuleCode::R03,
        RuleCode::R04,
        RuleCode::R05,
        RuleCode::R06,
    ];

    pub fn code(self) -> &'static str {
        match self {
            RuleCode::R01 => "R01",
            RuleCode::R02 => "R02",
            RuleCode::R03 => "R03",
            RuleCode::R04 => "R04",
            RuleCode::R05 => "R05",
            RuleCode::R06 => "R06",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            RuleCode::R01 => "未纳入保障且未获临时救助",
            RuleCode::R02 => "低收入家庭重残重病人员未单人户施保",
            RuleCode::R03 => "未参保失业人员未发放一次性临时救助金",
            RuleCode::R04 => "疑似孤儿未纳入保障",
            RuleCode::R05 => "疑似事实无人抚养儿童未纳入保障",
            RuleCode::R06 => "救助诉求超期未办结",
        }
    }

    pub fn from_code(code: &str) -> Option<RuleCode> {
        RuleCode::ALL.into_iter().find(|c| c.code() == code)
    }
}

/// How a run ended, as the manifest, the summary and the ledger record it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunOutcome {
    Complete,
    /// Some files, sheets or rows were rejected, or a result-changing field is missing.
    Partial,
    /// The run's folder exists but its ledger commit was lost (recorded by a later run).
    Unrecorded,
}

impl RunOutcome {
    pub fn key(self) -> &'static str {
        match self {
            RunOutcome::Complete => "complete",
            RunOutcome::Partial => "partial",
            RunOutcome::Unrecorded => "unrecorded",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            RunOutcome::Complete => "完整",
            RunOutcome::Partial => "部分完成(有拒收记录或缺少字段, 见数据质量)",
            RunOutcome::Unrecorded => "名单已写出, 台账未记录(运行中断)",
        }
    }
}

/// One rule that fired for one person, with its evidence in words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub code: RuleCode,
    /// The facts behind the code, each naming its source, in Chinese:
    /// `医保: 2020年以来个人自付 52,310.00 元(8 笔结算)`.
    pub facts: Vec<String>,
    /// What turns the facts into this code: `未纳入低保或特困, 期内未获临时救助`.
    pub conclusion: String,
    /// The largest amount among the facts, in fen (the medical out-of-pocket total).
    #[serde(default)]
    pub amount_cents: Option<i64>,
    /// Person records behind this finding.
    pub records: Vec<usize>,
}

impl Finding {
    /// This finding's 依据 on its own: the facts, then the conclusion.
    pub fn evidence(&self) -> String {
        let mut parts: Vec<&str> = self.facts.iter().map(String::as_str).collect();
        if !self.conclusion.is_empty() {
            parts.push(&self.conclusion);
        }
        parts.join("; ")
    }
}

/// One suspect person: one row of a township list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suspect {
    /// 线索编号: stable across runs for the same person.
    pub clue_id: String,
    /// Stable person key the clue id derives from (normalised ID, or sorted source refs).
    pub person_key: String,
    /// Canonical township, or `None` for 未确定乡镇.
    pub township: Option<String>,
    pub village: Option<String>,
    pub name: String,
    /// Best ID for display (valid if any, else the surviving digits).
    pub id_number: Option<String>,
    pub address: Option<String>,
    pub findings: Vec<Finding>,
    /// Source kinds behind the row (来源部门).
    pub sources: Vec<SourceKind>,
    /// 匹配说明.
    pub match_note: String,
    /// 置信度 in [0, 1].
    pub confidence: f64,
    /// Every source reference behind the row.
    pub source_refs: Vec<SourceRef>,
}

impl Suspect {
    /// The 依据 column: every fact once (several codes often rest on the same facts), then
    /// each code's conclusion.
    pub fn evidence(&self) -> String {
        let mut facts: Vec<&str> = Vec::new();
        for fact in self.findings.iter().flat_map(|f| &f.facts) {
            if !facts.contains(&fact.as_str()) {
                facts.push(fact);
            }
        }
        let conclusions: Vec<String> = self
            .findings
            .iter()
            .map(|f| format!("{}: {}", f.code.code(), f.conclusion))
            .collect();
        if facts.is_empty() {
            conclusions.join("; ")
        } else {
            format!("{}；{}", facts.join("; "), conclusions.join("; "))
        }
    }
}

/// An uncertain link shown to a clerk: both records side by side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewItem {
    pub link: usize,
    /// Why the person could not be decided.
    pub reason: String,
}

/// A clue's state in this run (状态 column), decided by the clue ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ClueStatus {
    /// 新增: first seen in this run.
    New,
    /// 持续: seen before and still open.
    Continuing,
}

impl ClueStatus {
    pub fn label_zh(self) -> &'static str {
        match self {
            ClueStatus::New => "新增",
            ClueStatus::Continuing => "持续",
        }
    }
}

/// What the ledger knows of a clue when the lists are written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClueState {
    pub status: ClueStatus,
    pub first_seen: NaiveDate,
    /// Set when a clue reported as included (符合条件已纳入保障) is still not on the rolls.
    pub rectification_missing: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_states_shared_facts_once_then_each_conclusion() {
        let finding = |code, facts: &[&str], conclusion: &str| Finding {
            code,
            facts: facts.iter().map(|s| s.to_string()).collect(),
            conclusion: conclusion.into(),
            amount_cents: None,
            records: vec![0],
        };
        let medical = "医保: 2020年以来个人自付 52,310.00 元(8 笔结算)";
        let suspect = Suspect {
            clue_id: "LB0000000000".into(),
            person_key: "k".into(),
            township: None,
            village: None,
            name: "张三".into(),
            id_number: None,
            address: None,
            findings: vec![
                finding(RuleCode::R01, &[medical], "未纳入保障, 期内未获临时救助"),
                finding(
                    RuleCode::R02,
                    &[medical, "农业农村: 防返贫监测对象"],
                    "未纳入低保或特困",
                ),
            ],
            sources: vec![SourceKind::Medical],
            match_note: String::new(),
            confidence: 1.0,
            source_refs: Vec::new(),
        };
        assert_eq!(
            suspect.evidence(),
            "医保: 2020年以来个人自付 52,310.00 元(8 笔结算); 农业农村: 防返贫监测对象；\
             R01: 未纳入保障, 期内未获临时救助; R02: 未纳入低保或特困"
        );
        assert_eq!(
            suspect.findings[1].evidence(),
            format!("{medical}; 农业农村: 防返贫监测对象; 未纳入低保或特困")
        );
    }
}
