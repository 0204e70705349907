//! `manifest.json`: what went in and what came out of a run — every input file with its
//! SHA-256, size, kind, encoding and row counts; the pipeline file and its text; loubao's
//! version; the screening window; per-stage timings; the outcome; and every other output
//! file with its SHA-256. Written last, since it hashes the others.

use serde::Serialize;

use super::table::Output;
use super::{Error, RunReport, MANIFEST};
use crate::digest::sha256_hex;
use crate::ingest::FileReport;
use crate::model::{LinkageStats, RunOutcome, SourceKind};

#[derive(Serialize)]
struct Manifest<'a> {
    loubao_version: &'static str,
    run_id: &'a str,
    county: &'a str,
    as_of: String,
    since: String,
    outcome: RunOutcome,
    pipeline: PipelineFile<'a>,
    inputs: &'a [FileReport],
    missing_kinds: &'a [SourceKind],
    /// Township cells naming no configured township, with their row counts.
    unknown_townships: Vec<String>,
    timings: Vec<Timing>,
    counts: Counts,
    linkage: &'a LinkageStats,
    outputs: Vec<OutputFile>,
}

#[derive(Serialize)]
struct PipelineFile<'a> {
    path: String,
    sha256: String,
    text: &'a str,
}

#[derive(Serialize)]
struct Timing {
    /// `Stage::key`.
    stage: &'static str,
    seconds: f64,
}

#[derive(Serialize)]
struct Counts {
    input_files: usize,
    raw_records: usize,
    person_records: usize,
    persons: usize,
    suspects: usize,
    suspects_without_township: usize,
    review_items: usize,
    ingest_rejects: usize,
    normalise_rejects: usize,
}

#[derive(Serialize)]
struct OutputFile {
    file: String,
    bytes: u64,
    sha256: String,
}

pub(crate) fn write(out: &mut Output, report: &RunReport<'_>) -> Result<(), Error> {
    let json = render(out, report, report.outcome)?;
    out.write_bytes(MANIFEST, &json)
}

/// The manifest of the files written so far, saying the run ended as `outcome`.
pub(crate) fn render(
    out: &Output,
    report: &RunReport<'_>,
    outcome: RunOutcome,
) -> Result<Vec<u8>, Error> {
    let p = report.pipeline;
    let manifest = Manifest {
        loubao_version: env!("CARGO_PKG_VERSION"),
        run_id: &report.run_id,
        county: &p.pipeline.county,
        as_of: p.as_of.to_string(),
        since: p.since().to_string(),
        outcome,
        pipeline: PipelineFile {
            path: p.path.display().to_string(),
            sha256: sha256_hex(p.text.as_bytes()),
            text: &p.text,
        },
        inputs: &report.ingest.files,
        missing_kinds: &report.missing_kinds,
        unknown_townships: report.normalised.unknown_township_lines(),
        timings: report
            .timings
            .iter()
            .map(|(stage, seconds)| Timing {
                stage: stage.key(),
                seconds: *seconds,
            })
            .collect(),
        counts: Counts {
            input_files: report.ingest.files.len(),
            raw_records: report.ingest.record_count,
            person_records: report.normalised.person_rows(),
            persons: report.linkage.persons.len(),
            suspects: report.screening.suspects.len(),
            suspects_without_township: report
                .screening
                .suspects
                .iter()
                .filter(|s| s.township.is_none())
                .count(),
            review_items: report.screening.review.len(),
            ingest_rejects: report.ingest.reject_count(),
            normalise_rejects: report.normalised.rejects.len(),
        },
        linkage: &report.linkage.stats,
        outputs: out
            .files()
            .iter()
            .map(|w| OutputFile {
                file: w
                    .path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                bytes: w.bytes,
                sha256: w.sha256.clone(),
            })
            .collect(),
    };
    Ok(serde_json::to_vec_pretty(&manifest)?)
}
