//! Report: write what a run decided for people with only Excel and a browser — one list per
//! township, 未确定乡镇, the review list, the county summary (workbook + HTML), rejects and
//! the manifest (SPEC 7).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::config::LoadedPipeline;
use crate::ingest::IngestOutput;
use crate::model::{ClueState, Linkage, PersonRecord, SourceKind};
use crate::normalise::NormaliseOutput;
use crate::rules::Screening;

/// Everything a run produced, borrowed for writing.
pub struct RunReport<'a> {
    pub pipeline: &'a LoadedPipeline,
    /// Name of the run folder, e.g. `2021-06-30` or `2021-06-30_2`.
    pub run_id: String,
    pub ingest: &'a IngestOutput,
    pub normalised: &'a NormaliseOutput,
    pub records: &'a [PersonRecord],
    pub linkage: &'a Linkage,
    pub screening: &'a Screening,
    /// Ledger state per clue id.
    pub clues: &'a BTreeMap<String, ClueState>,
    /// Kinds with no usable file this run ("not supplied").
    pub missing_kinds: Vec<SourceKind>,
    /// (stage, seconds).
    pub timings: Vec<(String, f64)>,
    /// "complete" or "partial".
    pub outcome: String,
}

/// Writes every output file into `dir` (a staging folder) and returns their paths.
pub fn write_all(_dir: &Path, _report: &RunReport<'_>) -> std::io::Result<Vec<PathBuf>> {
    Ok(Vec::new())
}
