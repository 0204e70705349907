//! What matching decides: scored links, and the consolidated persons they make.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

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
    /// A person said 同一人 of the pair in 待复核: linked whatever it scores.
    Confirmed,
}

impl LinkDecision {
    /// Whether the link joins its two records into one person.
    pub fn joins(self) -> bool {
        self != LinkDecision::Uncertain
    }
}

/// An identity question a person can settle: one uncertain pair of records, named by both
/// records' identity cells (never their rows), so that a verdict on it still applies to
/// tomorrow's extract with other row numbers. Written `FH` + 12 hex digits (48 bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct QuestionId(pub u64);

impl QuestionId {
    pub const BITS: u32 = 48;
}

impl fmt::Display for QuestionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FH{:012X}", self.0)
    }
}

impl FromStr for QuestionId {
    type Err = ();

    /// `FH` + 12 hex digits, either case, as a spreadsheet may have re-typed it.
    fn from_str(text: &str) -> Result<QuestionId, ()> {
        let text = text.trim();
        let hex = text
            .strip_prefix("FH")
            .or_else(|| text.strip_prefix("fh"))
            .ok_or(())?;
        if hex.len() != 12 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(());
        }
        u64::from_str_radix(hex, 16).map(QuestionId).map_err(|_| ())
    }
}

/// A scored link between two person records (indices into the `PersonRecord` slice).
/// A county has millions (one per claim line of a person, mostly), so it is kept small:
/// 32-bit record indices, and a boxed slice for the evidence, empty for an exact link.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Link {
    pub left: u32,
    pub right: u32,
    pub decision: LinkDecision,
    pub score: f64,
    pub evidence: Box<[FieldEvidence]>,
}

impl Link {
    /// The two records, as indices into the `PersonRecord` slice.
    pub fn ends(&self) -> (usize, usize) {
        (self.left as usize, self.right as usize)
    }

    /// The record across the link from a side: `right` when `on_this_side(left)`, else
    /// `left`.
    pub fn other_end(&self, on_this_side: impl FnOnce(usize) -> bool) -> usize {
        let (left, right) = self.ends();
        if on_this_side(left) {
            right
        } else {
            left
        }
    }
}

/// The exact links of a run: records grouped by valid ID, each group's first record linked
/// to each later one. Kept as the groups, not as a `Link` each: a county has millions (a
/// person's claim lines, mostly), alike but for their ends. A record of several claim
/// lines is a member once per line: each later line is linked as a record of its own would
/// be, so the links count source rows, whatever normalise joined.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ExactLinks {
    /// Record indices, group by group; ascending inside a group, a record of several
    /// lines repeated once per line.
    members: Vec<u32>,
    /// `members[starts[g]..starts[g + 1]]` is group `g`.
    starts: Vec<u32>,
}

impl ExactLinks {
    /// `starts` holds each group's start in `members`, then `members.len()`.
    pub fn new(members: Vec<u32>, starts: Vec<u32>) -> ExactLinks {
        assert_eq!(
            starts.last().map_or(0, |&end| end as usize),
            members.len(),
            "the groups end where the members do"
        );
        ExactLinks { members, starts }
    }

    /// How many groups: records with one valid ID each.
    pub fn groups(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    pub fn group(&self, g: usize) -> &[u32] {
        &self.members[self.starts[g] as usize..self.starts[g + 1] as usize]
    }

    /// Every group's records, in group order.
    pub fn iter_groups(&self) -> impl Iterator<Item = &[u32]> + '_ {
        (0..self.groups()).map(|g| self.group(g))
    }

    /// Group `g`'s first link: each group before it has one member more than it has links.
    fn first_link(&self, g: usize) -> usize {
        self.starts[g] as usize - g
    }

    /// Links: the members beyond the first of each group.
    pub fn len(&self) -> usize {
        self.members.len() - self.groups()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The ends of exact link `i`, `i < len()`: its group's first record and a later one.
    pub fn ends(&self, i: usize) -> (u32, u32) {
        // The group of link i: the last whose first link is at or before i (a group of one
        // record has no link, and shares its first link with the group after it).
        let (mut g, mut end) = (0, self.groups());
        while g < end {
            let mid = (g + end) / 2;
            if self.first_link(mid + 1) <= i {
                g = mid + 1;
            } else {
                end = mid;
            }
        }
        let members = self.group(g);
        (members[0], members[1 + i - self.first_link(g)])
    }

    /// Every exact link's ends, in link order.
    pub fn iter_ends(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.iter_groups()
            .flat_map(|group| group[1..].iter().map(move |&r| (group[0], r)))
    }
}

/// Every link of a run, by index: the exact links first, group by group, then the scored
/// ones (accepted, uncertain, confirmed), in the order consolidation numbers them. An exact
/// link is made when asked for: it allocates nothing (its evidence is empty).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Links {
    exact: ExactLinks,
    /// The score of every exact link.
    exact_score: f64,
    scored: Vec<Link>,
}

impl Links {
    pub fn new(exact: ExactLinks, exact_score: f64, scored: Vec<Link>) -> Links {
        Links {
            exact,
            exact_score,
            scored,
        }
    }

    fn exact_link(&self, (left, right): (u32, u32)) -> Link {
        Link {
            left,
            right,
            decision: LinkDecision::Exact,
            score: self.exact_score,
            evidence: Box::default(),
        }
    }

    pub fn len(&self) -> usize {
        self.exact.len() + self.scored.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn get(&self, i: usize) -> Option<Cow<'_, Link>> {
        match i.checked_sub(self.exact.len()) {
            None => Some(Cow::Owned(self.exact_link(self.exact.ends(i)))),
            Some(scored) => self.scored.get(scored).map(Cow::Borrowed),
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = Cow<'_, Link>> + '_ {
        let exact = self
            .exact
            .iter_ends()
            .map(|ends| Cow::Owned(self.exact_link(ends)));
        exact.chain(self.scored.iter().map(Cow::Borrowed))
    }
}

/// Links given one by one (no exact groups), as a hand-made linkage has them.
impl From<Vec<Link>> for Links {
    fn from(scored: Vec<Link>) -> Links {
        Links::new(ExactLinks::default(), 0.0, scored)
    }
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
    pub links: Links,
    /// For each person record, the index of its `Person`.
    pub person_of: Vec<usize>,
    /// The identity question of every uncertain link, by link index.
    pub questions: BTreeMap<usize, QuestionId>,
    /// Figures for the summary: pairs compared, thresholds, training results.
    pub stats: LinkageStats,
}

impl Linkage {
    /// Link `i` of `links`; panics when there is none (an index out of a person's lists
    /// always names one).
    pub fn link(&self, i: usize) -> Cow<'_, Link> {
        self.links.get(i).expect("a link index of this linkage")
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LinkageStats {
    pub exact_links: usize,
    pub candidate_pairs: usize,
    pub accepted_links: usize,
    pub uncertain_links: usize,
    /// Links a person's 同一人 made (must-links) and pairs their 不是同一人 kept apart.
    pub decided_same: usize,
    pub decided_different: usize,
    pub upper_threshold: f64,
    pub lower_threshold: f64,
    /// Histogram of scored pairs for the summary chart: (bucket lower bound, count).
    pub score_histogram: Vec<(f64, usize)>,
}

#[cfg(test)]
mod tests {
    use super::{Link, QuestionId};

    #[test]
    fn the_other_end_is_across_from_the_side_asked() {
        let link = Link {
            left: 3,
            right: 8,
            decision: super::LinkDecision::Uncertain,
            score: 1.0,
            evidence: Box::default(),
        };
        assert_eq!(link.other_end(|r| r == 3), 8);
        assert_eq!(link.other_end(|r| r == 8), 3);
    }

    #[test]
    fn a_link_stays_compact() {
        let size = std::mem::size_of::<Link>();
        assert!(size <= 40, "Link is {size} bytes");
    }

    #[test]
    fn a_question_id_reads_back_as_written() {
        let id = QuestionId(0x0000_A1B2_C3D4_E5F6);
        assert_eq!(id.to_string(), "FHA1B2C3D4E5F6");
        assert_eq!("FHA1B2C3D4E5F6".parse(), Ok(id));
        assert_eq!(" fha1b2c3d4e5f6 ".parse(), Ok(id));
        assert_eq!("FHA1B2C3D4E5F".parse::<QuestionId>(), Err(()));
        assert_eq!("LBA1B2C3D4E5F6".parse::<QuestionId>(), Err(()));
    }
}
