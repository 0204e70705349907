//! Ingest: find department files in the inbox, decode them (xlsx/xls/csv/tsv/txt, UTF-8 or
//! GB18030), locate the header row, map headers to canonical fields and type the cells.
//! Output: `RawRecord`s with their source references, plus `Reject`s for everything unusable.

use std::path::Path;

pub mod headers;

use serde::Serialize;

use crate::config::{InputLimits, SourceSpec};
use crate::model::{Field, RawRecord, Reject, SourceKind};

/// What ingest understood of one input file (printed by `check`, kept in the manifest).
#[derive(Debug, Clone, Default, Serialize)]
pub struct FileReport {
    pub file_name: String,
    pub kind: Option<SourceKind>,
    pub bytes: u64,
    pub sha256: String,
    /// "xlsx", "xls", "utf-8", "utf-8-bom", "gb18030".
    pub encoding: Option<String>,
    pub sheets: Vec<SheetReport>,
    pub rows_read: usize,
    pub rows_rejected: usize,
    /// Set when the whole file could not be used.
    pub error: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SheetReport {
    pub sheet: Option<String>,
    /// Physical 1-based row of the header.
    pub header_row: u32,
    /// Canonical field ← header text as written.
    pub mapping: Vec<(Field, String)>,
    pub rows_read: usize,
    pub rows_rejected: usize,
}

#[derive(Debug, Clone, Default)]
pub struct IngestOutput {
    pub records: Vec<RawRecord>,
    pub rejects: Vec<Reject>,
    pub files: Vec<FileReport>,
}

/// Reads every file of the inbox that a source glob claims; files no glob claims are reported.
pub fn ingest(_inbox: &Path, _sources: &[SourceSpec], _limits: &InputLimits) -> IngestOutput {
    IngestOutput::default()
}

/// Fields a kind cannot do without; `check` fails when a file lacks one.
pub fn required_fields(_kind: SourceKind) -> &'static [&'static [Field]] {
    &[]
}
