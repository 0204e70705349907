//! What the rules find and the ledger remembers: rule codes, findings, suspects, clue
//! states, and how a run ended.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{
    Disability, Emergency, Monitoring, QuestionId, Request, ReviewOutcome, RollEntry, SourceKind,
    SourceRef, Unemployment,
};

/// Screening rule codes (SPEC 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum RuleCode {
    R01,
    R02,
    R03,
    R04,
    R05,
    R06,
    /// 服务问题线索: a complaint about how assistance was handled. It concerns a township's
    /// staff, so it goes to the county's own list, never to the township's.
    R07,
}

impl RuleCode {
    pub const ALL: [RuleCode; 7] = [
        RuleCode::R01,
        RuleCode::R02,
        RuleCode::R03,
        RuleCode::R04,
        RuleCode::R05,
        RuleCode::R06,
        RuleCode::R07,
    ];

    pub fn code(self) -> &'static str {
        match self {
            RuleCode::R01 => "R01",
            RuleCode::R02 => "R02",
            RuleCode::R03 => "R03",
            RuleCode::R04 => "R04",
            RuleCode::R05 => "R05",
            RuleCode::R06 => "R06",
            RuleCode::R07 => "R07",
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
            RuleCode::R07 => "服务问题线索",
        }
    }

    /// English name a maintainer reads under `--lang en`.
    pub fn label_en(self) -> &'static str {
        match self {
            RuleCode::R01 => "not covered and not given temporary assistance",
            RuleCode::R02 => {
                "severely disabled or ill member of a low-income household not covered on their own"
            }
            RuleCode::R03 => "uninsured unemployed person not given one-off temporary assistance",
            RuleCode::R04 => "suspected orphan not covered",
            RuleCode::R05 => "suspected de facto unsupported child not covered",
            RuleCode::R06 => "request for assistance overdue and not closed",
            RuleCode::R07 => "complaint about how assistance was handled",
        }
    }

    /// Whether the code's clues concern a township's staff (R07): listed for the county,
    /// not in the township's own list.
    pub fn is_conduct(self) -> bool {
        self == RuleCode::R07
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

/// One fact a finding rests on: what one source says, typed. 依据 is worded from it in one
/// place (`rules::evidence`); the ledger compares its amounts, never the words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fact {
    pub source: SourceKind,
    pub detail: FactDetail,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FactDetail {
    /// 个人自付 summed over the screening window.
    MedicalTotal {
        since: NaiveDate,
        cents: i64,
        lines: u32,
    },
    Monitoring(Monitoring),
    Disability(Disability),
    Request(Request),
    Unemployment(Unemployment),
    Emergency {
        emergency: Emergency,
        date: NaiveDate,
    },
    /// A child on the at-risk list under `child_age`, with the parents' states in words
    /// (the status as written, or the disability record that decided it).
    Child {
        birth: Option<NaiveDate>,
        child_age: u32,
        father: String,
        mother: String,
    },
    /// A roll record that was not active on `as_of`: a clerk who finds the person on a
    /// roll needs to see why it did not count.
    Lapsed {
        entry: RollEntry,
        as_of: NaiveDate,
    },
}

impl Fact {
    /// The amount the fact rests on, in fen.
    pub fn amount_cents(&self) -> Option<i64> {
        match self.detail {
            FactDetail::MedicalTotal { cents, .. } => Some(cents),
            _ => None,
        }
    }
}

/// One rule that fired for one person: the facts it rests on and the conclusion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub code: RuleCode,
    pub facts: Vec<Fact>,
    /// What turns the facts into this code: `未纳入低保或特困, 期内未获临时救助`.
    pub conclusion: String,
    /// Person records behind this finding.
    pub records: Vec<usize>,
}

impl Finding {
    /// The largest amount among the facts, in fen (the medical out-of-pocket total).
    pub fn amount_cents(&self) -> Option<i64> {
        self.facts.iter().filter_map(Fact::amount_cents).max()
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
    /// 置信度 in [0, 1] of the links that make the person; `None` (blank) when he is one
    /// record and nothing was linked.
    pub confidence: Option<f64>,
    /// Every source reference behind the row.
    pub source_refs: Vec<SourceRef>,
}

/// One identity question shown to a clerk (a 待复核 row): an uncertain pair, with every link
/// that asks it — the lines of one person in one file that agree on identity, against the
/// same candidate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewItem {
    pub question: QuestionId,
    /// The links asking it, in link order; the list shows the first one's records.
    pub links: Vec<usize>,
    /// The persons (indices into `Linkage::persons`) whose rows wait for the answer.
    pub persons: Vec<usize>,
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

/// A campaign deadline a clue has passed. The label leads its 状态 on the lists and is what
/// the ledger, the monthly report and the closing lists say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Overdue {
    /// 逾期未核查: not reviewed after the review deadline.
    Review,
    /// 逾期未整改: reported as included, still not on the rolls after the rectify deadline.
    Rectify,
}

impl Overdue {
    pub const fn label_zh(self) -> &'static str {
        match self {
            Overdue::Review => "逾期未核查",
            Overdue::Rectify => "逾期未整改",
        }
    }
}

/// What the ledger knows of a clue when the lists are written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClueState {
    pub status: ClueStatus,
    pub first_seen: NaiveDate,
    /// The township's latest review while it still stands (not one whose closure new facts
    /// undid): the list carries it forward, so a row returned unchanged is the same record.
    pub review: Option<ClueReview>,
    /// Set when a clue reported as included (符合条件已纳入保障) is still not on the rolls.
    pub rectification_missing: bool,
    /// A clue closed by review and raised again because its facts changed: what changed.
    pub reopened: Option<String>,
    /// The deadline it has passed on `as_of`, if any.
    pub overdue: Option<Overdue>,
}

impl ClueState {
    /// A clue the ledger has not seen before, first seen on `as_of`.
    pub fn new_on(as_of: NaiveDate) -> ClueState {
        ClueState {
            status: ClueStatus::New,
            first_seen: as_of,
            review: None,
            rectification_missing: false,
            reopened: None,
            overdue: None,
        }
    }
}

/// A township's verdict on a clue: 核查结果, 核查人, 核查日期, 备注. Two reviews with the
/// same four are the same record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClueReview {
    pub outcome: ReviewOutcome,
    pub reviewer: Option<String>,
    pub date: NaiveDate,
    pub note: Option<String>,
}
