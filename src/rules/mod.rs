//! Rules: decide who qualifies on each source, who is covered or aided, and which of
//! R01–R06 fire for each consolidated person (SPEC 6). Output: one `Suspect` per person.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::config::RuleSettings;
use crate::model::{Linkage, PersonRecord, RawRecord, ReviewItem, SourceKind, Suspect};

/// Everything the rules need, borrowed from the earlier stages.
pub struct ScreeningInput<'a> {
    pub raw: &'a [RawRecord],
    pub records: &'a [PersonRecord],
    pub linkage: &'a Linkage,
    pub settings: &'a RuleSettings,
    pub since: NaiveDate,
    pub as_of: NaiveDate,
}

#[derive(Debug, Clone, Default)]
pub struct Screening {
    /// Sorted by township, village, number of codes (desc), name.
    pub suspects: Vec<Suspect>,
    /// Persons who would have been screened but whose link is uncertain.
    pub review: Vec<ReviewItem>,
    /// Persons qualifying for screening, per source.
    pub screened: BTreeMap<SourceKind, usize>,
}

pub fn screen(_input: &ScreeningInput<'_>) -> Screening {
    Screening::default()
}
