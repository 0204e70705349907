//! Report: write what a run decided for people with only Excel and a browser — one list per
//! township, 未确定乡镇, the review list, the county summary (workbook + HTML), rejects and
//! the manifest (SPEC 7).
//!
//! Every file goes through `ops::write_atomic` (owner-only, temp name + rename). The township
//! lists are byte-for-byte reproducible: rows are sorted, CSVs carry no timestamps and the
//! workbooks' creation time is fixed to the run's `as_of`.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use crate::config::LoadedPipeline;
use crate::ingest::IngestOutput;
use crate::ledger::decisions::StoredVerdict;
use crate::ledger::NightCounts;
use crate::model::{ClueState, Linkage, QuestionId, RunOutcome, SourceKind};
use crate::normalise::NormaliseOutput;
use crate::rules::Screening;
use crate::stage::Stage;

mod conduct;
mod html;
mod manifest;
mod rejects;
mod review;
mod summary;
mod table;
mod township;

pub(crate) use table::{workbook_bytes, Cell, Dropdown, Form, FormStyle, Sheet, Table};
pub use township::RECTIFICATION_MISSING;

/// File name (without extension) of the list of suspects whose township is unknown.
pub const UNDETERMINED: &str = "未确定乡镇";
/// File name (without extension) of the review list of uncertain links.
pub const REVIEW: &str = "待复核";
/// File name (without extension) of the county's list of complaints about conduct (R07).
pub const CONDUCT: &str = "服务问题线索";
/// File name (without extension) of the rejects list.
pub const REJECTS: &str = "拒收记录";
/// File name (without extension) of the county summary workbook and page.
pub const SUMMARY: &str = "汇总";
pub const MANIFEST: &str = "manifest.json";

/// Why a run folder's files could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Writing a file (through its temporary file and rename) failed.
    Io(#[from] io::Error),
    /// A workbook could not be built.
    Xlsx {
        file: String,
        source: rust_xlsxwriter::XlsxError,
    },
    /// The manifest could not be serialised.
    Json(#[from] serde_json::Error),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Io(e) => e.fmt(f),
            Error::Xlsx { file, source } => f.write_str(&crate::tr!(
                "无法生成 {file}: {source}",
                "cannot build {file}: {source}"
            )),
            Error::Json(e) => e.fmt(f),
        }
    }
}

/// Everything a run produced, borrowed for writing.
pub struct RunReport<'a> {
    pub pipeline: &'a LoadedPipeline,
    /// Name of the run folder, e.g. `2021-06-30` or `2021-06-30_2`.
    pub run_id: String,
    pub ingest: &'a IngestOutput,
    pub normalised: &'a NormaliseOutput,
    pub linkage: &'a Linkage,
    pub screening: &'a Screening,
    /// Ledger state per clue id.
    pub clues: &'a BTreeMap<String, ClueState>,
    /// The ledger's 待复核 verdicts: an open question shows its last 无法确定.
    pub verdicts: &'a BTreeMap<QuestionId, StoredVerdict>,
    /// The figures of every earlier night and then tonight's, for the summary's trend.
    pub nights: Vec<NightCounts>,
    /// Kinds with no usable file this run ("not supplied").
    pub missing_kinds: Vec<SourceKind>,
    /// (stage, seconds), in the order the stages ran.
    pub timings: Vec<(Stage, f64)>,
    pub outcome: RunOutcome,
}

/// The files of a run folder, as `write_all` wrote them.
pub struct RunFiles {
    /// Every file, the manifest last.
    pub paths: Vec<PathBuf>,
    /// `manifest.json` as it is to read if the ledger cannot record the run once its folder
    /// is in place: outcome `unrecorded`, every other field and hash the same.
    pub unrecorded_manifest: Vec<u8>,
}

/// The tables written as a workbook and a CSV each: the township lists, then 服务问题线索,
/// 待复核 and 拒收记录.
fn list_tables(report: &RunReport<'_>) -> Vec<(String, Table)> {
    let mut tables = township::tables(report);
    tables.push((CONDUCT.to_string(), conduct::table(report)));
    tables.push((REVIEW.to_string(), review::table(report)));
    tables.push((REJECTS.to_string(), rejects::table(report)));
    tables
}

/// Writes every output file into `dir` (a staging folder), the manifest last (it lists the
/// others with their SHA-256).
pub fn write_all(dir: &Path, report: &RunReport<'_>) -> Result<RunFiles, Error> {
    let as_of = report.pipeline.as_of;
    let mut out = table::Output::new(dir, as_of);
    // Every list is built, compressed and written on both cores while the summary's
    // figures are counted.
    let (lists, figures) = rayon::join(
        || out.write_tables(&list_tables(report)),
        || summary::Figures::compute(report),
    );
    lists?;
    summary::write(&mut out, &figures)?;
    html::write(&mut out, report, &figures)?;
    let unrecorded_manifest = manifest::render(&out, report, RunOutcome::Unrecorded)?;
    manifest::write(&mut out, report)?;
    Ok(RunFiles {
        paths: out.into_paths(),
        unrecorded_manifest,
    })
}
