//! What matching decides: scored links, and the consolidated persons they make.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

/// How one field compared in a candidate pair; carried to the 匹配说明 column.
/// Field and level are mostly fixed words: a county has a hundred thousand fuzzy links,
/// and none of them needs to allocate its words.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldEvidence {
    /// e.g. "身份证号", "姓名", "电话".
    pub field: &'static str,
    /// e.g. "一致", "一位不同", "拼音相同", "前缀一致(前15位)".
    pub level: Cow<'static, str>,
    pub weight: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LinkDecision {
    /// Same valid resident ID.
    Exact,
    /// Probabilistic score at or above the upper threshold.
    Accepted,
    /// Between the thresholds: goes to the review list, decides nothing.
    Uncertain,
}

/// A scored link between two person records (indices into the `PersonRecord` slice).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Link {
    pub left: usize,
    pub right: usize,
    pub decision: LinkDecision,
    pub score: f64,
    pub evidence: Vec<FieldEvidence>,
}

/// The best candidate that was *not* linked, so a clerk sees "nearest: 张玮 …, score 3.1".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NearMiss {
    pub record: usize,
    pub candidate: usize,
    pub score: f64,
}

/// One consolidated person: every record (any source, any roll) that links to the others.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Person {
    /// Indices into the `PersonRecord` slice, sorted.
    pub records: Vec<usize>,
    /// Links inside this person (exact and accepted).
    pub links: Vec<usize>,
    /// Uncertain links touching this person: while any exists, rules do not decide.
    pub uncertain: Vec<usize>,
    pub nearest: Option<NearMiss>,
}

/// Output of the matching stage.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Linkage {
    pub persons: Vec<Person>,
    /// All links, indexed by `Person::links` / `Person::uncertain`.
    pub links: Vec<Link>,
    /// For each person record, the index of its `Person`.
    pub person_of: Vec<usize>,
    /// Figures for the summary: pairs compared, thresholds, training results.
    pub stats: LinkageStats,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LinkageStats {
    pub exact_links: usize,
    pub candidate_pairs: usize,
    pub accepted_links: usize,
    pub uncertain_links: usize,
    pub upper_threshold: f64,
    pub lower_threshold: f64,
    /// Histogram of scored pairs for the summary chart: (bucket lower bound, count).
    pub score_histogram: Vec<(f64, usize)>,
}
