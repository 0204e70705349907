//! `loubao run`: the nightly pipeline, end to end, under the outbox lock, into a staged run
//! folder that appears only when complete.

use std::collections::BTreeSet;
use std::path::Path;

use crate::config::LoadedPipeline;
use crate::ledger::{Ledger, LedgerPlan, RunInfo};
use crate::model::{RunOutcome, SourceKind, Suspect};
use crate::ops::{Exit, RunLock, StagedRun};
use crate::progress::Progress;
use crate::report::RunReport;
use crate::rules::ScreeningInput;
use crate::stage::{Stage, Stopwatch};
use crate::telemetry::RunLogFile;
use crate::{ingest, matching, normalise, ops, report, rules};

/// Set to `before-finish` to make a run pause, lock held and outputs staged, just before its
/// folder appears: the crash-safety tests kill it there. Only debug builds (the test suite's)
/// read it; a release build has no such hook.
#[cfg(debug_assertions)]
const TEST_PAUSE_ENV: &str = "LOUBAO_TEST_PAUSE";

pub fn run(pipeline_path: &Path, run_log: &RunLogFile, progress: Progress) -> Exit {
    let loaded = match LoadedPipeline::load(pipeline_path, super::today()) {
        Ok(p) => p,
        Err(e) => {
            tracing::error!("{e}");
            return Exit::Config;
        }
    };
    let _lock = match RunLock::acquire(&loaded.outbox) {
        Ok(lock) => lock,
        Err(e @ ops::LockError::Held { .. }) => {
            tracing::error!("{e}");
            return Exit::LockHeld;
        }
        Err(e) => {
            tracing::error!("{e}");
            return Exit::Internal;
        }
    };
    let started = chrono::Local::now().naive_local();
    let mut ledger = match Ledger::open(&loaded.ledger) {
        Ok(l) => l,
        Err(e) => {
            tracing::error!("{e}");
            return Exit::Internal;
        }
    };
    // A run killed between its folder appearing and its ledger commit left lists the ledger
    // does not know: recorded now, and their run ids are never reused.
    match ledger.record_unrecorded_runs(&loaded.outbox) {
        Ok(found) => {
            for run_id in found {
                tracing::warn!(
                    run = %run_id,
                    "运行 {run_id} 的名单已写出但未记入线索台账 (上次运行在更新台账前中断), 已补记"
                );
            }
        }
        Err(e) => tracing::warn!("无法核对运行记录: {e}"),
    }
    let taken: BTreeSet<String> = match ledger.runs() {
        Ok(runs) => runs.into_iter().map(|(id, _)| id).collect(),
        Err(e) => {
            tracing::error!("{e}");
            return Exit::Internal;
        }
    };
    let staged = match StagedRun::begin(&loaded.outbox, loaded.as_of, &taken) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(outbox = %loaded.outbox.display(), "无法创建运行文件夹: {e}");
            return Exit::Internal;
        }
    };
    match ops::create_private_file(&staged.staging.join("run.log.json")) {
        Ok(file) => run_log.set(Some(file)),
        Err(e) => tracing::warn!("无法创建日志文件: {e}"),
    }
    // 0 keeps rayon's default (all cores, or RAYON_NUM_THREADS). Only the first run of a
    // process can size the global pool; later calls keep it.
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(loaded.pipeline.matching.threads)
        .build_global();
    let run_id = staged.run_id.clone();
    let (exit, pending) = run_staged(&loaded, &staged, &ledger, progress);
    #[cfg(debug_assertions)]
    if std::env::var(TEST_PAUSE_ENV).as_deref() == Ok("before-finish") {
        std::thread::sleep(std::time::Duration::from_secs(600));
    }
    run_log.set(None);
    if exit == Exit::Complete || exit == Exit::Partial {
        match staged.finish() {
            Ok(dir) => tracing::info!(folder = %dir.display(), "运行完成"),
            Err(e) => {
                tracing::error!("无法完成运行文件夹: {e}");
                return Exit::Internal;
            }
        }
        if let Some(pending) = pending {
            let info = RunInfo {
                run_id,
                as_of: loaded.as_of,
                started,
                outcome: pending.outcome,
            };
            if let Err(e) = ledger.commit(&pending.plan, &pending.suspects, &info) {
                tracing::error!("名单已写出, 但线索台账未能更新: {e}");
                return Exit::Internal;
            }
        }
    } else {
        let _ = std::fs::remove_dir_all(&staged.staging);
    }
    exit
}

/// What the ledger records once the run folder is in place: the plan and every suspect
/// it was made for (listed or suppressed).
struct PendingCommit {
    plan: LedgerPlan,
    suspects: Vec<Suspect>,
    outcome: RunOutcome,
}

fn run_staged(
    loaded: &LoadedPipeline,
    staged: &StagedRun,
    ledger: &Ledger,
    progress: Progress,
) -> (Exit, Option<PendingCommit>) {
    let p = &loaded.pipeline;
    let mut watch = Stopwatch::start();

    tracing::info!(inbox = %loaded.inbox.display(), as_of = %loaded.as_of, "读取收件箱");
    let stage = progress.stage(Stage::Ingest);
    let ingested = ingest::ingest(
        &loaded.inbox,
        &p.sources,
        &p.limits,
        &ingest::Vocabulary::new(&p.townships, &p.rules),
    );
    watch.lap(Stage::Ingest);
    let summary = format!(
        "{} 个文件, {} 行, 拒收 {} 条",
        ingested.files.len(),
        ingested.records.len(),
        ingested.reject_count()
    );
    tracing::info!("读取完成: {summary}");
    stage.finish(summary);

    let stage = progress.stage(Stage::Normalise);
    let normalised = normalise::normalise(&ingested.records, &p.townships);
    watch.lap(Stage::Normalise);
    let summary = format!("{} 条人员记录", normalised.persons.len());
    tracing::info!("规范完成: {summary}");
    stage.finish(summary);

    let supplied: BTreeSet<SourceKind> = normalised.persons.iter().map(|r| r.kind).collect();
    let missing_kinds: Vec<SourceKind> = SourceKind::ALL
        .into_iter()
        .filter(|k| !supplied.contains(k))
        .collect();
    for kind in &missing_kinds {
        tracing::warn!(kind = kind.key(), "本次未提供: {}", kind.label_zh());
    }
    let has_roll = supplied.iter().any(|k| k.is_roll());
    let has_screening = supplied.iter().any(|k| !k.is_roll());
    if !has_roll || !has_screening {
        tracing::error!(
            "没有可用的{}: 至少需要一份救助名册和一份排查来源",
            if has_roll {
                "排查来源"
            } else {
                "救助名册"
            }
        );
        return (Exit::NoUsableInput, None);
    }

    let stage = progress.stage(Stage::Matching);
    let linkage = matching::link(&normalised.persons, &p.matching);
    watch.lap(Stage::Matching);
    let summary = format!(
        "{} 人, 精确 {} / 模糊 {} / 待复核 {}",
        linkage.persons.len(),
        linkage.stats.exact_links,
        linkage.stats.accepted_links,
        linkage.stats.uncertain_links
    );
    tracing::info!("比对完成: {summary}");
    stage.finish(summary);

    let stage = progress.stage(Stage::Rules);
    let mut screening = rules::screen(&ScreeningInput {
        raw: &ingested.records,
        records: &normalised.persons,
        linkage: &linkage,
        settings: &p.rules,
        since: loaded.since(),
        as_of: loaded.as_of,
    });
    watch.lap(Stage::Rules);
    stage.finish(format!("疑似 {} 人", screening.suspects.len()));

    // A missing result-changing field makes the lists less right, as a rejected row does.
    let has_gaps = ingested
        .files
        .iter()
        .any(|f| f.sheets.iter().any(|s| !s.gaps.is_empty()));
    let partial = !ingested.rejects.is_empty() || !normalised.rejects.is_empty() || has_gaps;
    let outcome = if partial {
        RunOutcome::Partial
    } else {
        RunOutcome::Complete
    };
    let plan = match ledger.plan(&screening.suspects, loaded.as_of) {
        Ok(plan) => plan,
        Err(e) => {
            tracing::error!("{e}");
            return (Exit::Internal, None);
        }
    };
    let suspects = std::mem::take(&mut screening.suspects);
    screening.suspects = suspects
        .iter()
        .zip(&plan.keep)
        .filter(|(_, keep)| **keep)
        .map(|(s, _)| s.clone())
        .collect();
    let run_report = RunReport {
        pipeline: loaded,
        run_id: staged.run_id.clone(),
        ingest: &ingested,
        normalised: &normalised,
        linkage: &linkage,
        screening: &screening,
        clues: &plan.states,
        missing_kinds,
        timings: watch.laps().to_vec(),
        outcome,
    };
    let stage = progress.stage(Stage::Report);
    if let Err(e) = report::write_all(&staged.staging, &run_report) {
        tracing::error!("写出名单失败: {e}");
        return (Exit::Internal, None);
    }
    stage.finish(format!("{} 人", screening.suspects.len()));
    tracing::info!(
        suspects = screening.suspects.len(),
        review = screening.review.len(),
        suppressed = plan.suppressed.len(),
        rejects = ingested.reject_count() + normalised.rejects.len(),
        "疑似名单已写出"
    );
    let exit = if partial {
        Exit::Partial
    } else {
        Exit::Complete
    };
    let pending = PendingCommit {
        plan,
        suspects,
        outcome,
    };
    (exit, Some(pending))
}
