//! `loubao review`: import the township workbooks returned with outcomes filled in. Every
//! rejected row is printed with its file and row; the exit code is 3 when any was rejected,
//! 0 otherwise (rows not filled in and rows already recorded are not errors).

use std::path::{Path, PathBuf};

use super::{Context, Error};
use crate::ledger::review;
use crate::ops::Exit;

pub fn review(pipeline_path: &Path, paths: &[PathBuf]) -> Result<Exit, Error> {
    let ctx = Context::load(pipeline_path)?;
    // A run plans against the ledger before it commits: no import may slip in between.
    let _lock = ctx.lock()?;
    let mut ledger = ctx.open_ledger()?;
    let (files, mut rejects) = review::collect_files(paths);
    let mut summary = ledger
        .import_reviews(&files, &ctx.loaded.pipeline.townships, ctx.today)
        .map_err(Error::Import)?;
    rejects.append(&mut summary.rejects);
    for reject in &rejects {
        println!("拒收 {}: {}", reject.reference(), reject.reason);
    }
    println!(
        "共读取 {} 个文件 {} 行: 已记录核查结果 {} 条, 与台账已有记录相同, 未重复记录 {} 行, 未填写 {} 行, 拒收 {} 条",
        summary.files,
        summary.rows,
        summary.recorded,
        summary.unchanged,
        summary.not_filled,
        rejects.len()
    );
    if summary.recorded == 0 {
        println!("线索台账未改动");
    }
    Ok(if rejects.is_empty() {
        Exit::Complete
    } else {
        Exit::Partial
    })
}
