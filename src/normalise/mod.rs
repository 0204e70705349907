//! Normalise: turn typed rows into `PersonRecord`s with cleaned resident IDs, names, phones
//! and canonical townships (SPEC 4). Pure functions; no I/O.

use std::collections::BTreeMap;

use crate::config::Township;
use crate::model::{IdQuality, PersonRecord, RawRecord, Reject, SourceKind};

#[derive(Debug, Clone, Default)]
pub struct NormaliseOutput {
    pub persons: Vec<PersonRecord>,
    pub rejects: Vec<Reject>,
    /// How many IDs of each quality each source had (clean, repaired, damaged …).
    pub id_quality: BTreeMap<SourceKind, BTreeMap<IdQuality, usize>>,
    /// Records without any ID, per source.
    pub missing_ids: BTreeMap<SourceKind, usize>,
}

pub fn normalise(_records: &[RawRecord], _townships: &[Township]) -> NormaliseOutput {
    NormaliseOutput::default()
}
