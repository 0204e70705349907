//! `loubao run`: the nightly pipeline, end to end, under the outbox lock, into a staged run
//! folder that appears only when complete.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::NaiveDateTime;

use super::{Context, Error};
use crate::config::LoadedPipeline;
use crate::ingest::IngestOutput;
use crate::lang::pick;
use crate::ledger::decisions::StoredVerdict;
use crate::ledger::{
    Ledger, LedgerError, LedgerPlan, NightCounts, PreparedRun, RunInfo, StoredClues,
};
use crate::model::{Linkage, QuestionId, RunOutcome, SourceKind, Suspect};
use crate::normalise::NormaliseOutput;
use crate::ops::{self, Exit, StagedRun};
use crate::progress::Progress;
use crate::report::RunReport;
use crate::rules::{Screening, ScreeningInput};
use crate::stage::{Stage, Stopwatch};
use crate::telemetry::RunLogFile;
use crate::{ingest, matching, normalise, report, rules, tr};

pub fn run(pipeline_path: &Path, run_log: &RunLogFile, progress: Progress) -> Result<Exit, Error> {
    let ctx = Context::load(pipeline_path)?;
    let loaded = &ctx.loaded;
    let _lock = ctx.lock()?;
    let started = chrono::Local::now().naive_local();
    let mut ledger = ctx.open_ledger()?;
    record_unrecorded_runs(&mut ledger, &loaded.outbox);
    let staged = begin_run_folder(loaded, &ledger)?;
    run_log.set(open_run_log(&staged));
    // 0 keeps rayon's default (all cores, or RAYON_NUM_THREADS). Only the first run of a
    // process can size the global pool; later calls keep it.
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(loaded.pipeline.matching.threads)
        .build_global();
    let staged_outputs = run_stages(loaded, &staged, &mut ledger, started, progress);
    test_hooks::pause("before-finish");
    run_log.set(None);
    let pending = match staged_outputs {
        Ok(pending) => pending,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staged.staging);
            return Err(e);
        }
    };
    let dir = staged.finish().map_err(Error::Finish)?;
    if let Err(e) = pending.prepared.and_then(PreparedRun::commit) {
        // The lists are out but the ledger does not know them: the manifest must not say
        // the run completed. The next run records the folder as unrecorded.
        let manifest = dir.join(report::MANIFEST);
        if let Err(io) = ops::write_atomic(&manifest, &pending.unrecorded_manifest) {
            tracing::error!(
                "{}",
                tr!(
                    "无法在 {} 中记下台账未更新: {io}",
                    "cannot note in {} that the ledger was not updated: {io}",
                    manifest.display()
                )
            );
        }
        return Err(Error::Commit {
            folder: dir,
            source: e,
        });
    }
    tracing::info!(folder = %dir.display(), "{}", pick("运行完成", "run complete"));
    Ok(exit_code(pending.outcome))
}

/// A run is the last thing its process does (`dispatch` returns to `main`, which exits), so
/// what the stages made is not freed: a county's records are millions of small allocations,
/// freeing them is cpu spent on nothing, and the allocator's returning pages interrupts the
/// other core (TLB shootdowns, costly on a virtual machine). The exit gives every page back
/// at once.
fn leave_to_exit<T>(outputs: T) {
    std::mem::forget(outputs);
}

/// A run killed between its folder appearing and its ledger commit left lists the ledger
/// does not know: recorded now, and their run ids are never reused.
fn record_unrecorded_runs(ledger: &mut Ledger, outbox: &Path) {
    match ledger.record_unrecorded_runs(outbox) {
        Ok(found) => {
            for run_id in found {
                tracing::warn!(
                    run = %run_id,
                    "{}",
                    tr!(
                        "运行 {run_id} 的名单已写出但未记入线索台账 (上次运行在更新台账前中断), 已补记",
                        "the lists of run {run_id} were written but not recorded in the clue ledger (the last run stopped before updating it): recorded now"
                    )
                );
            }
        }
        Err(e) => tracing::warn!(
            "{}",
            tr!("无法核对运行记录: {e}", "cannot check the run records: {e}")
        ),
    }
}

/// The staging folder of a new dated run id, one neither a folder nor the ledger has.
fn begin_run_folder(loaded: &LoadedPipeline, ledger: &Ledger) -> Result<StagedRun, Error> {
    let taken: BTreeSet<String> = ledger.runs()?.into_iter().map(|(id, _)| id).collect();
    StagedRun::begin(&loaded.outbox, loaded.as_of, &taken).map_err(|source| Error::Staging {
        outbox: loaded.outbox.clone(),
        source,
    })
}

/// The run's JSON log file, in its staging folder; a run without one still runs.
fn open_run_log(staged: &StagedRun) -> Option<std::fs::File> {
    ops::create_private_file(&staged.staging.join("run.log.json"))
        .map_err(|e| {
            tracing::warn!(
                "{}",
                tr!("无法创建日志文件: {e}", "cannot create the log file: {e}")
            )
        })
        .ok()
}

fn exit_code(outcome: RunOutcome) -> Exit {
    match outcome {
        RunOutcome::Complete => Exit::Complete,
        // A run never ends unrecorded: that is what a later run finds out about it.
        RunOutcome::Partial | RunOutcome::Unrecorded => Exit::Partial,
    }
}

/// A run whose files are staged and whose ledger records are written but not committed.
struct PendingCommit<'l> {
    /// The run in the ledger's open transaction, or why it could not be written there.
    prepared: Result<PreparedRun<'l>, LedgerError>,
    outcome: RunOutcome,
    /// The run folder's manifest should the commit fail.
    unrecorded_manifest: Vec<u8>,
}

/// Every stage from the inbox to the files in the staging folder and the ledger's records
/// in an open transaction, for a run that started at `started`.
fn run_stages<'l>(
    loaded: &LoadedPipeline,
    staged: &StagedRun,
    ledger: &'l mut Ledger,
    started: NaiveDateTime,
    progress: Progress,
) -> Result<PendingCommit<'l>, Error> {
    let mut watch = Stopwatch::start();
    let mut ingested = read_inbox(loaded, progress, &mut watch);
    let normalised = normalise_records(loaded, &mut ingested, progress, &mut watch);
    let missing_kinds = missing_kinds(&normalised)?;
    let verdicts = ledger.verdicts()?;
    // The ledger's stored clues are read on this thread while matching keeps the cores
    // busy: read after the rules, with one core idle, they held up the lists.
    let (linkage, stored) = std::thread::scope(|scope| {
        let linking =
            scope.spawn(|| link_records(loaded, &normalised, &verdicts, progress, &mut watch));
        let stored = ledger.stored_clues();
        let linkage = linking
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (linkage, stored)
    });
    let mut screening = screen(loaded, &normalised, &linkage, progress, &mut watch);
    let run = RunInfo {
        run_id: staged.run_id.clone(),
        as_of: loaded.as_of,
        started,
        outcome: outcome_of(&ingested, &normalised),
    };
    let plan = plan_clues(stored?, loaded, &mut screening);
    let unlisted = keep_listed(&mut screening, &plan);
    let run_report = RunReport {
        pipeline: loaded,
        run_id: staged.run_id.clone(),
        ingest: &ingested,
        normalised: &normalised,
        linkage: &linkage,
        screening: &screening,
        clues: &plan.states,
        verdicts: &verdicts,
        nights: nights(ledger, &plan, &staged.run_id)?,
        missing_kinds,
        timings: watch.laps().to_vec(),
        outcome: run.outcome,
    };
    let clues = clues_in_plan_order(&plan, &screening, &unlisted);
    let questions: Vec<QuestionId> = screening.review.iter().map(|item| item.question).collect();
    // The ledger's writing is mostly one core's SQLite work: done beside the lists', it
    // costs the run almost nothing. It is committed only once the folder is in place.
    let (lists, prepared) = std::thread::scope(|scope| {
        let lists = scope.spawn(|| write_lists(staged, &run_report, &plan, progress));
        let prepared = ledger.prepare(&plan, &clues, &questions, &run);
        let lists = lists
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (lists, prepared)
    });
    let unrecorded_manifest = lists?;
    leave_to_exit((ingested, normalised, linkage, screening, plan, unlisted));
    Ok(PendingCommit {
        prepared,
        outcome: run.outcome,
        unrecorded_manifest,
    })
}

/// Every committed night's figures, then tonight's.
fn nights(ledger: &Ledger, plan: &LedgerPlan, run_id: &str) -> Result<Vec<NightCounts>, Error> {
    let mut nights = ledger.night_counts()?;
    nights.retain(|n| n.run_id != run_id);
    nights.push(plan.night(run_id));
    Ok(nights)
}

fn read_inbox(loaded: &LoadedPipeline, progress: Progress, watch: &mut Stopwatch) -> IngestOutput {
    let p = &loaded.pipeline;
    tracing::info!(
        inbox = %loaded.inbox.display(),
        as_of = %loaded.as_of,
        "{}",
        pick("读取收件箱", "reading the inbox")
    );
    let spinner = progress.stage(Stage::Ingest);
    let ingested = ingest::ingest(
        &loaded.inbox,
        &p.sources,
        &p.limits,
        &ingest::Vocabulary::new(&p.townships, &p.rules),
    );
    watch.lap(Stage::Ingest);
    let (files, rows, rejects) = (
        ingested.files.len(),
        ingested.record_count,
        ingested.reject_count(),
    );
    tracing::info!(
        "{}",
        tr!(
            "读取完成: {files} 个文件, {rows} 行, 拒收 {rejects} 条",
            "read: {files} files, {rows} rows, {rejects} rejected"
        )
    );
    spinner.finish();
    ingested
}

/// Takes the raw rows out of `ingested`: each is dropped once its persons are made.
fn normalise_records(
    loaded: &LoadedPipeline,
    ingested: &mut IngestOutput,
    progress: Progress,
    watch: &mut Stopwatch,
) -> NormaliseOutput {
    let spinner = progress.stage(Stage::Normalise);
    let records = std::mem::take(&mut ingested.records);
    let normalised = normalise::normalise(records, &loaded.pipeline.townships);
    watch.lap(Stage::Normalise);
    let persons = normalised.person_rows();
    tracing::info!(
        "{}",
        tr!(
            "规范完成: {persons} 条人员记录",
            "normalised: {persons} person records"
        )
    );
    spinner.finish();
    normalised
}

/// The kinds with no usable file this run, each warned about; an error when no roll or no
/// screening source is left to compare.
fn missing_kinds(normalised: &NormaliseOutput) -> Result<Vec<SourceKind>, Error> {
    let supplied = normalised.kinds();
    let missing: Vec<SourceKind> = SourceKind::ALL
        .into_iter()
        .filter(|k| !supplied.contains(k))
        .collect();
    for kind in &missing {
        tracing::warn!(
            kind = kind.key(),
            "{}",
            tr!(
                "本次未提供: {}",
                "not supplied this time: {}",
                pick(kind.label_zh(), kind.label_en())
            )
        );
    }
    if !supplied.iter().any(|k| k.is_roll()) {
        return Err(Error::NoRoll);
    }
    if !supplied.iter().any(|k| !k.is_roll()) {
        return Err(Error::NoScreeningSource);
    }
    Ok(missing)
}

fn link_records(
    loaded: &LoadedPipeline,
    normalised: &NormaliseOutput,
    verdicts: &BTreeMap<QuestionId, StoredVerdict>,
    progress: Progress,
    watch: &mut Stopwatch,
) -> Linkage {
    let spinner = progress.stage(Stage::Matching);
    let verdicts = matching::Verdicts::new(verdicts.iter().map(|(q, v)| (*q, v.verdict)));
    let linkage = matching::link(&normalised.persons, &loaded.pipeline.matching, &verdicts);
    watch.lap(Stage::Matching);
    let (persons, stats) = (linkage.persons.len(), &linkage.stats);
    let (exact, fuzzy, uncertain) = (
        stats.exact_links,
        stats.accepted_links,
        stats.uncertain_links,
    );
    tracing::info!(
        "{}",
        tr!(
            "比对完成: {persons} 人, 精确 {exact} / 模糊 {fuzzy} / 待复核 {uncertain}",
            "linked: {persons} persons, exact {exact} / fuzzy {fuzzy} / uncertain {uncertain}"
        )
    );
    spinner.finish();
    linkage
}

fn screen(
    loaded: &LoadedPipeline,
    normalised: &NormaliseOutput,
    linkage: &Linkage,
    progress: Progress,
    watch: &mut Stopwatch,
) -> Screening {
    let spinner = progress.stage(Stage::Rules);
    let screening = rules::screen(&ScreeningInput {
        records: &normalised.persons,
        linkage,
        settings: &loaded.pipeline.rules,
        since: loaded.since(),
        as_of: loaded.as_of,
    });
    watch.lap(Stage::Rules);
    let suspects = screening.suspects.len();
    tracing::info!(
        "{}",
        tr!(
            "筛查完成: 疑似 {suspects} 人",
            "screened: {suspects} suspects"
        )
    );
    spinner.finish();
    screening
}

/// Partial when a file, sheet or row was rejected, or a result-changing field is missing:
/// either makes the lists less right.
fn outcome_of(ingested: &IngestOutput, normalised: &NormaliseOutput) -> RunOutcome {
    let has_gaps = ingested
        .files
        .iter()
        .any(|f| f.sheets.iter().any(|s| !s.gaps.is_empty()));
    if !ingested.rejects.is_empty() || !normalised.rejects.is_empty() || has_gaps {
        RunOutcome::Partial
    } else {
        RunOutcome::Complete
    }
}

/// The ledger's plan for the run's clues: the suspects, then the conduct clues, in that
/// order. They are moved into one list for it and back, not copied (a county's twenty
/// thousand clues carry every claim line behind them).
fn plan_clues(
    stored: StoredClues,
    loaded: &LoadedPipeline,
    screening: &mut Screening,
) -> LedgerPlan {
    let mut clues = std::mem::take(&mut screening.suspects);
    let suspects = clues.len();
    clues.append(&mut screening.conduct);
    let plan = stored.plan(&clues, loaded.as_of, &loaded.deadlines());
    screening.conduct = clues.split_off(suspects);
    screening.suspects = clues;
    plan
}

/// Leaves in `screening` only the suspects and conduct clues the plan lists, and returns
/// the others (closed clues stay silent) in plan order: the commit still records that
/// they were seen.
fn keep_listed(screening: &mut Screening, plan: &LedgerPlan) -> Vec<Suspect> {
    let (suspects, conduct) = plan.keep.split_at(screening.suspects.len());
    let split = |clues: &mut Vec<Suspect>, keep: &[bool]| {
        assert_eq!(clues.len(), keep.len(), "one decision per clue");
        // Most nights nothing is suppressed: twenty thousand clues need not move.
        if keep.iter().all(|&k| k) {
            return Vec::new();
        }
        let (listed, unlisted) = std::mem::take(clues)
            .into_iter()
            .zip(keep)
            .partition::<Vec<_>, _>(|(_, &keep)| keep);
        *clues = listed.into_iter().map(|(clue, _)| clue).collect();
        unlisted
            .into_iter()
            .map(|(clue, _)| clue)
            .collect::<Vec<_>>()
    };
    let mut unlisted = split(&mut screening.suspects, suspects);
    unlisted.extend(split(&mut screening.conduct, conduct));
    unlisted
}

/// The run's clues in the order the plan was made for: the listed ones from `screening`,
/// the unlisted ones in their places.
fn clues_in_plan_order<'a>(
    plan: &LedgerPlan,
    screening: &'a Screening,
    unlisted: &'a [Suspect],
) -> Vec<&'a Suspect> {
    let mut listed = screening.suspects.iter().chain(&screening.conduct);
    let mut unlisted = unlisted.iter();
    let clues: Vec<&Suspect> = plan
        .keep
        .iter()
        .map(|&keep| if keep { listed.next() } else { unlisted.next() })
        .map(|clue| clue.expect("one clue per decision"))
        .collect();
    assert!(listed.next().is_none() && unlisted.next().is_none());
    clues
}

/// Writes the run folder's files; returns the manifest to put in place should the ledger
/// commit fail.
fn write_lists(
    staged: &StagedRun,
    run_report: &RunReport<'_>,
    plan: &LedgerPlan,
    progress: Progress,
) -> Result<Vec<u8>, Error> {
    let spinner = progress.stage(Stage::Report);
    let files = report::write_all(&staged.staging, run_report).map_err(Error::Report)?;
    let screening = run_report.screening;
    spinner.finish();
    tracing::info!(
        suspects = screening.suspects.len(),
        review = screening.review.len(),
        suppressed = plan.suppressed.len(),
        rejects = run_report.ingest.reject_count() + run_report.normalised.rejects.len(),
        "{}",
        pick("疑似名单已写出", "suspect lists written")
    );
    Ok(files.unrecorded_manifest)
}

/// Pauses for the integration tests, which kill a run there. Only builds with the
/// `test-hooks` feature (the test suite's, see Cargo.toml) have them; a release build
/// never reads the variable.
mod test_hooks {
    /// `LOUBAO_TEST_PAUSE=before-finish`: the run sleeps, lock held and outputs staged,
    /// just before its folder appears.
    #[cfg(feature = "test-hooks")]
    pub(super) fn pause(point: &str) {
        if std::env::var("LOUBAO_TEST_PAUSE").as_deref() == Ok(point) {
            std::thread::sleep(std::time::Duration::from_secs(600));
        }
    }

    #[cfg(not(feature = "test-hooks"))]
    pub(super) fn pause(_point: &str) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clue(id: &str) -> Suspect {
        Suspect {
            clue_id: id.into(),
            person_key: id.into(),
            township: None,
            village: None,
            name: id.into(),
            id_number: None,
            address: None,
            findings: Vec::new(),
            sources: Vec::new(),
            match_note: String::new(),
            confidence: None,
            source_refs: Vec::new(),
        }
    }

    fn ids<'a>(clues: impl IntoIterator<Item = &'a Suspect>) -> Vec<&'a str> {
        clues.into_iter().map(|c| c.clue_id.as_str()).collect()
    }

    /// The lists hold the listed clues only; the ledger gets every clue, unlisted
    /// ones in their places, in the order the plan was made for.
    #[test]
    fn unlisted_clues_go_back_in_their_places_for_the_commit() {
        let mut screening = Screening {
            suspects: ["s1", "s2", "s3", "s4"].map(clue).to_vec(),
            conduct: ["c1", "c2"].map(clue).to_vec(),
            ..Screening::default()
        };
        let mut plan = LedgerPlan::default();
        plan.keep = vec![true, false, true, false, false, true];
        let unlisted = keep_listed(&mut screening, &plan);
        assert_eq!(ids(&screening.suspects), ["s1", "s3"]);
        assert_eq!(ids(&screening.conduct), ["c2"]);
        assert_eq!(ids(&unlisted), ["s2", "s4", "c1"]);
        let clues = clues_in_plan_order(&plan, &screening, &unlisted);
        assert_eq!(ids(clues), ["s1", "s2", "s3", "s4", "c1", "c2"]);
    }
}
