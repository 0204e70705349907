//! `loubao review`: import the township workbooks returned with outcomes filled in, the
//! 待复核 lists returned with 复核结论 filled in, and the 县抽查清单 returned with 抽查结果
//! filled in (told apart by their headers). Every
//! rejected row is printed with its file and row; the exit code is 3 when any was rejected,
//! 0 otherwise (rows not filled in and rows already recorded are not errors).

use std::path::{Path, PathBuf};

use super::{Context, Error};
use crate::lang::pick;
use crate::ledger::{decisions, review, spotcheck};
use crate::ops::Exit;
use crate::tr;

pub fn review(pipeline_path: &Path, paths: &[PathBuf]) -> Result<Exit, Error> {
    let ctx = Context::load(pipeline_path)?;
    // A run plans against the ledger before it commits: no import may slip in between.
    let _lock = ctx.lock()?;
    let mut ledger = ctx.open_ledger()?;
    let (files, mut rejects) = review::collect_files(paths);
    let mut answers = Vec::new();
    let mut checks = Vec::new();
    let mut township_files = Vec::new();
    for file in files {
        // A 县抽查清单 holds 线索编号 and 核查结果 too: its 抽查结果 tells it first.
        if let Some(read) = spotcheck::read_results(&file) {
            checks.push(read);
        } else if let Some(read) = decisions::read_answers(&file) {
            answers.push(read);
        } else {
            township_files.push(file);
        }
    }
    let mut summary = ledger
        .import_reviews(&township_files, &ctx.loaded.pipeline.townships, ctx.today)
        .map_err(Error::Import)?;
    rejects.append(&mut summary.rejects);
    let answered = (!answers.is_empty())
        .then(|| ledger.import_answers(answers, ctx.today))
        .transpose()
        .map_err(Error::Import)?;
    if let Some(answered) = &answered {
        rejects.extend(answered.rejects.iter().cloned());
    }
    let checked = (!checks.is_empty())
        .then(|| ledger.import_spot_checks(checks, ctx.today))
        .transpose()
        .map_err(Error::Import)?;
    if let Some(checked) = &checked {
        rejects.extend(checked.rejects.iter().cloned());
    }
    for reject in &rejects {
        let (place, reason) = (reject.reference(), &reject.reason);
        println!(
            "{}",
            tr!("拒收 {place}: {reason}", "rejected {place}: {reason}")
        );
    }
    if !township_files.is_empty() || (answered.is_none() && checked.is_none()) {
        let s = &summary;
        println!(
            "{}",
            tr!(
                "共读取 {} 个文件 {} 行: 已记录核查结果 {} 条, 与台账已有记录相同, 未重复记录 {} 行, 未填写 {} 行, 拒收 {} 条",
                "read {} files, {} rows: {} review results recorded, {} rows as the ledger already has them (not recorded again), {} rows not filled in, {} rejected",
                s.files,
                s.rows,
                s.recorded,
                s.unchanged,
                s.not_filled,
                rejects.len()
            )
        );
    }
    if let Some(a) = &answered {
        println!(
            "{}",
            tr!(
                "待复核: 共读取 {} 个文件 {} 行: 已记录复核结论 {} 条, 与台账已有记录相同, 未重复记录 {} 行, 未填写 {} 行",
                "identity questions: read {} files, {} rows: {} verdicts recorded, {} rows as the ledger already has them (not recorded again), {} rows not filled in",
                a.files,
                a.rows,
                a.recorded,
                a.unchanged,
                a.not_filled
            )
        );
    }
    if let Some(c) = &checked {
        println!(
            "{}",
            tr!(
                "县重点抽查: 共读取 {} 个文件 {} 行: 已记录抽查结果 {} 条, 与台账已有记录相同, 未重复记录 {} 行, 未填写 {} 行",
                "county spot checks: read {} files, {} rows: {} results recorded, {} rows as the ledger already has them (not recorded again), {} rows not filled in",
                c.files,
                c.rows,
                c.recorded,
                c.unchanged,
                c.not_filled
            )
        );
    }
    let recorded = summary.recorded
        + answered.as_ref().map_or(0, |a| a.recorded)
        + checked.as_ref().map_or(0, |c| c.recorded);
    if recorded == 0 {
        println!("{}", pick("线索台账未改动", "the clue ledger is unchanged"));
    }
    Ok(if rejects.is_empty() {
        Exit::Complete
    } else {
        Exit::Partial
    })
}
