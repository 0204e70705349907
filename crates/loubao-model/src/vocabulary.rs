//! Words that a writer and its readers must agree on — the township lists' columns, the
//! 核查结果 choices, counts per rule — each defined once: the report writes them, the
//! ledger reads returned lists back with them, the generator's scorer reads the lists by them.

use std::fmt;

use crate::RuleCode;

/// 核查结果: the closed list of outcomes a township may return for a clue. The labels are
/// the township lists' drop-down choices and what the ledger stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReviewOutcome {
    Included,
    TempAssistance,
    NotEligible,
    Monitoring,
    Unverifiable,
    Other,
}

impl ReviewOutcome {
    pub const ALL: [ReviewOutcome; 6] = [
        ReviewOutcome::Included,
        ReviewOutcome::TempAssistance,
        ReviewOutcome::NotEligible,
        ReviewOutcome::Monitoring,
        ReviewOutcome::Unverifiable,
        ReviewOutcome::Other,
    ];

    /// The labels in `ALL` order: the choices of the 核查结果 drop-down.
    pub const LABELS: [&'static str; 6] = {
        let mut labels = [""; 6];
        let mut i = 0;
        while i < labels.len() {
            labels[i] = ReviewOutcome::ALL[i].label_zh();
            i += 1;
        }
        labels
    };

    pub const fn label_zh(self) -> &'static str {
        match self {
            ReviewOutcome::Included => "符合条件已纳入保障",
            ReviewOutcome::TempAssistance => "已给予临时救助",
            ReviewOutcome::NotEligible => "不符合条件",
            ReviewOutcome::Monitoring => "纳入监测",
            ReviewOutcome::Unverifiable => "无法核实",
            ReviewOutcome::Other => "其他",
        }
    }

    pub fn from_label(label: &str) -> Option<ReviewOutcome> {
        ReviewOutcome::ALL
            .into_iter()
            .find(|o| o.label_zh() == label)
    }
}

impl fmt::Display for ReviewOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label_zh())
    }
}

/// 复核结论: what a person says of an uncertain pair in 待复核. The labels are the list's
/// drop-down choices and what the ledger stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LinkVerdict {
    /// 同一人: the pair is linked from now on (a must-link).
    SamePerson,
    /// 不是同一人: the pair is never linked (a cannot-link).
    NotSamePerson,
    /// 无法确定: recorded, decides nothing; the pair stays on the list.
    Undetermined,
}

impl LinkVerdict {
    pub const ALL: [LinkVerdict; 3] = [
        LinkVerdict::SamePerson,
        LinkVerdict::NotSamePerson,
        LinkVerdict::Undetermined,
    ];

    /// The labels in `ALL` order: the choices of the 复核结论 drop-down.
    pub const LABELS: [&'static str; 3] = [
        LinkVerdict::ALL[0].label_zh(),
        LinkVerdict::ALL[1].label_zh(),
        LinkVerdict::ALL[2].label_zh(),
    ];

    pub const fn label_zh(self) -> &'static str {
        match self {
            LinkVerdict::SamePerson => "同一人",
            LinkVerdict::NotSamePerson => "不是同一人",
            LinkVerdict::Undetermined => "无法确定",
        }
    }

    pub fn from_label(label: &str) -> Option<LinkVerdict> {
        LinkVerdict::ALL.into_iter().find(|v| v.label_zh() == label)
    }

    /// Whether the verdict settles the pair (it then leaves the review list).
    pub fn decides(self) -> bool {
        self != LinkVerdict::Undetermined
    }
}

impl fmt::Display for LinkVerdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label_zh())
    }
}

/// The columns of 待复核 that a person fills in or `review` reads back: the question's id,
/// then 复核结论, 复核人, 复核日期 and 备注.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QuestionColumn {
    Question,
    Verdict,
    Reviewer,
    ReviewDate,
    Note,
}

impl QuestionColumn {
    /// The columns a person fills in, in file order (they end the list).
    pub const FILLED_IN: [QuestionColumn; 4] = [
        QuestionColumn::Verdict,
        QuestionColumn::Reviewer,
        QuestionColumn::ReviewDate,
        QuestionColumn::Note,
    ];

    pub const fn header(self) -> &'static str {
        match self {
            QuestionColumn::Question => "复核编号",
            QuestionColumn::Verdict => "复核结论",
            QuestionColumn::Reviewer => "复核人",
            QuestionColumn::ReviewDate => "复核日期",
            QuestionColumn::Note => "备注",
        }
    }
}

impl fmt::Display for QuestionColumn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.header())
    }
}

/// A column of a township suspect list (SPEC 7), in file order. The report writes the
/// lists with these headers; `review` and the generator's scorer find the columns by them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListColumn {
    ClueId,
    Township,
    Village,
    Name,
    IdNumber,
    /// 疑似类型代码: `R01;R02`.
    Codes,
    /// 疑似类型: the codes' labels.
    CodeLabels,
    Sources,
    Evidence,
    MatchNote,
    Confidence,
    SourceRefs,
    Status,
    FirstSeen,
    /// 核查结果, 核查人, 核查日期 and 备注 are filled in by the township.
    Outcome,
    Reviewer,
    ReviewDate,
    Note,
}

impl ListColumn {
    pub const ALL: [ListColumn; 18] = [
        ListColumn::ClueId,
        ListColumn::Township,
        ListColumn::Village,
        ListColumn::Name,
        ListColumn::IdNumber,
        ListColumn::Codes,
        ListColumn::CodeLabels,
        ListColumn::Sources,
        ListColumn::Evidence,
        ListColumn::MatchNote,
        ListColumn::Confidence,
        ListColumn::SourceRefs,
        ListColumn::Status,
        ListColumn::FirstSeen,
        ListColumn::Outcome,
        ListColumn::Reviewer,
        ListColumn::ReviewDate,
        ListColumn::Note,
    ];

    /// The header row of a township list.
    pub const HEADERS: [&'static str; 18] = {
        let mut headers = [""; 18];
        let mut i = 0;
        while i < headers.len() {
            headers[i] = ListColumn::ALL[i].header();
            i += 1;
        }
        headers
    };

    pub const fn header(self) -> &'static str {
        match self {
            ListColumn::ClueId => "线索编号",
            ListColumn::Township => "乡镇",
            ListColumn::Village => "村社区",
            ListColumn::Name => "姓名",
            ListColumn::IdNumber => "身份证号",
            ListColumn::Codes => "疑似类型代码",
            ListColumn::CodeLabels => "疑似类型",
            ListColumn::Sources => "来源部门",
            ListColumn::Evidence => "依据",
            ListColumn::MatchNote => "匹配说明",
            ListColumn::Confidence => "置信度",
            ListColumn::SourceRefs => "来源记录",
            ListColumn::Status => "状态",
            ListColumn::FirstSeen => "首次发现日期",
            ListColumn::Outcome => "核查结果",
            ListColumn::Reviewer => "核查人",
            ListColumn::ReviewDate => "核查日期",
            ListColumn::Note => "备注",
        }
    }

    /// The column's 0-based position in a list as written.
    pub const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for ListColumn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.header())
    }
}

/// A column of the county's 服务问题线索 list (R07): the complaint, its complainant and the
/// township it concerns. The report writes it with these headers; the generator's scorer
/// reads it by them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConductColumn {
    ClueId,
    /// 涉及乡镇: the township whose staff the complaint is about.
    Township,
    Complainant,
    /// The complainant's ID, masked: the list goes beyond the township.
    IdNumber,
    Date,
    Content,
    /// 办理状态 as written.
    Handling,
    SourceRefs,
}

impl ConductColumn {
    pub const ALL: [ConductColumn; 8] = [
        ConductColumn::ClueId,
        ConductColumn::Township,
        ConductColumn::Complainant,
        ConductColumn::IdNumber,
        ConductColumn::Date,
        ConductColumn::Content,
        ConductColumn::Handling,
        ConductColumn::SourceRefs,
    ];

    pub const HEADERS: [&'static str; 8] = {
        let mut headers = [""; 8];
        let mut i = 0;
        while i < headers.len() {
            headers[i] = ConductColumn::ALL[i].header();
            i += 1;
        }
        headers
    };

    pub const fn header(self) -> &'static str {
        match self {
            ConductColumn::ClueId => "线索编号",
            ConductColumn::Township => "涉及乡镇",
            ConductColumn::Complainant => "投诉人",
            ConductColumn::IdNumber => "身份证号",
            ConductColumn::Date => "投诉日期",
            ConductColumn::Content => "投诉内容",
            ConductColumn::Handling => "办理状态",
            ConductColumn::SourceRefs => "来源记录",
        }
    }

    pub const fn index(self) -> usize {
        self as usize
    }
}

/// 抽查结果: what the county's spot check found of a township's closure. The labels are the
/// 县抽查清单's drop-down choices and what the ledger stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpotCheckVerdict {
    /// 一致: the township's finding stands.
    Agree,
    /// 不一致: the township's finding does not stand; the clue is open again.
    Disagree,
}

impl SpotCheckVerdict {
    pub const ALL: [SpotCheckVerdict; 2] = [SpotCheckVerdict::Agree, SpotCheckVerdict::Disagree];

    pub const LABELS: [&'static str; 2] = [
        SpotCheckVerdict::ALL[0].label_zh(),
        SpotCheckVerdict::ALL[1].label_zh(),
    ];

    pub const fn label_zh(self) -> &'static str {
        match self {
            SpotCheckVerdict::Agree => "一致",
            SpotCheckVerdict::Disagree => "不一致",
        }
    }

    pub fn from_label(label: &str) -> Option<SpotCheckVerdict> {
        SpotCheckVerdict::ALL
            .into_iter()
            .find(|v| v.label_zh() == label)
    }
}

/// A column of the 县抽查清单 (county spot checks): the clue and the township's finding, then
/// the county's columns, filled in by hand. `review` tells the file by 抽查结果.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpotCheckColumn {
    ClueId,
    Township,
    Village,
    Name,
    IdNumber,
    Codes,
    /// The township's 核查结果, 核查人, 核查日期 and its 备注.
    Outcome,
    Reviewer,
    ReviewDate,
    ReviewNote,
    /// The county's: 抽查结果, 抽查人, 抽查日期, 备注.
    Verdict,
    Checker,
    CheckDate,
    Note,
}

impl SpotCheckColumn {
    pub const ALL: [SpotCheckColumn; 14] = [
        SpotCheckColumn::ClueId,
        SpotCheckColumn::Township,
        SpotCheckColumn::Village,
        SpotCheckColumn::Name,
        SpotCheckColumn::IdNumber,
        SpotCheckColumn::Codes,
        SpotCheckColumn::Outcome,
        SpotCheckColumn::Reviewer,
        SpotCheckColumn::ReviewDate,
        SpotCheckColumn::ReviewNote,
        SpotCheckColumn::Verdict,
        SpotCheckColumn::Checker,
        SpotCheckColumn::CheckDate,
        SpotCheckColumn::Note,
    ];

    pub const HEADERS: [&'static str; 14] = {
        let mut headers = [""; 14];
        let mut i = 0;
        while i < headers.len() {
            headers[i] = SpotCheckColumn::ALL[i].header();
            i += 1;
        }
        headers
    };

    pub const fn header(self) -> &'static str {
        match self {
            SpotCheckColumn::ClueId => ListColumn::ClueId.header(),
            SpotCheckColumn::Township => ListColumn::Township.header(),
            SpotCheckColumn::Village => ListColumn::Village.header(),
            SpotCheckColumn::Name => ListColumn::Name.header(),
            SpotCheckColumn::IdNumber => ListColumn::IdNumber.header(),
            SpotCheckColumn::Codes => ListColumn::Codes.header(),
            SpotCheckColumn::Outcome => ListColumn::Outcome.header(),
            SpotCheckColumn::Reviewer => ListColumn::Reviewer.header(),
            SpotCheckColumn::ReviewDate => ListColumn::ReviewDate.header(),
            SpotCheckColumn::ReviewNote => "核查备注",
            SpotCheckColumn::Verdict => "抽查结果",
            SpotCheckColumn::Checker => "抽查人",
            SpotCheckColumn::CheckDate => "抽查日期",
            SpotCheckColumn::Note => "备注",
        }
    }

    pub const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for SpotCheckColumn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.header())
    }
}

/// A count per rule code (persons per code in the summary), indexed by `RuleCode`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RuleCounts([usize; RuleCode::ALL.len()]);

impl RuleCounts {
    /// The counts in `RuleCode::ALL` order.
    pub fn values(&self) -> impl Iterator<Item = usize> + '_ {
        self.0.iter().copied()
    }
}

impl std::ops::Index<RuleCode> for RuleCounts {
    type Output = usize;
    fn index(&self, code: RuleCode) -> &usize {
        // `RuleCode` is declared in `ALL` order.
        &self.0[code as usize]
    }
}

impl std::ops::IndexMut<RuleCode> for RuleCounts {
    fn index_mut(&mut self, code: RuleCode) -> &mut usize {
        &mut self.0[code as usize]
    }
}

impl std::ops::AddAssign<&RuleCounts> for RuleCounts {
    fn add_assign(&mut self, other: &RuleCounts) {
        for (mine, theirs) in self.0.iter_mut().zip(other.0) {
            *mine += theirs;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_follow_the_declarations() {
        for (i, code) in RuleCode::ALL.into_iter().enumerate() {
            assert_eq!(code as usize, i, "{code:?}");
        }
        for (i, column) in ListColumn::ALL.into_iter().enumerate() {
            assert_eq!(column.index(), i, "{column:?}");
            assert_eq!(ListColumn::HEADERS[i], column.header());
        }
        for (i, column) in SpotCheckColumn::ALL.into_iter().enumerate() {
            assert_eq!(column.index(), i, "{column:?}");
        }
        for (i, column) in ConductColumn::ALL.into_iter().enumerate() {
            assert_eq!(column.index(), i, "{column:?}");
        }
        for (outcome, label) in ReviewOutcome::ALL.into_iter().zip(ReviewOutcome::LABELS) {
            assert_eq!(ReviewOutcome::from_label(label), Some(outcome));
        }
    }

    #[test]
    fn rule_counts_are_indexed_by_code() {
        let mut counts = RuleCounts::default();
        counts[RuleCode::R03] += 2;
        let mut total = counts;
        total += &counts;
        assert_eq!(total.values().collect::<Vec<_>>(), [0, 0, 4, 0, 0, 0, 0]);
    }
}
