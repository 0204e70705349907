//! `loubao review`: import the township workbooks returned with outcomes filled in. Every
//! rejected row is printed with its file and row; the exit code is 3 when any was rejected.

use std::path::{Path, PathBuf};

use crate::config::LoadedPipeline;
use crate::ledger::{review, Ledger};
use crate::ops::{self, Exit, RunLock};

pub fn review(pipeline_path: &Path, paths: &[PathBuf]) -> Exit {
    let today = super::today();
    let loaded = match LoadedPipeline::load(pipeline_path, today) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{e}");
            return Exit::Config;
        }
    };
    // A run plans against the ledger before it commits: no import may slip in between.
    let _lock = match RunLock::acquire(&loaded.outbox) {
        Ok(lock) => lock,
        Err(e @ ops::LockError::Held { .. }) => {
            eprintln!("{e}");
            return Exit::LockHeld;
        }
        Err(e) => {
            eprintln!("{e}");
            return Exit::Internal;
        }
    };
    let mut ledger = match Ledger::open(&loaded.ledger) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("{e}");
            return Exit::Internal;
        }
    };
    let (files, mut rejects) = review::collect_files(paths);
    let mut summary = match ledger.import_reviews(&files, &loaded.pipeline.townships, today) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("导入失败, 台账未改动: {e}");
            return Exit::Internal;
        }
    };
    rejects.append(&mut summary.rejects);
    for reject in &rejects {
        println!("拒收 {}: {}", reject.reference(), reject.reason);
    }
    println!(
        "共读取 {} 个文件 {} 行: 已记录核查结果 {} 条, 尚未核查 {} 条, 拒收 {} 条",
        summary.files,
        summary.rows,
        summary.recorded,
        summary.not_verified,
        rejects.len()
    );
    if rejects.is_empty() {
        Exit::Complete
    } else {
        Exit::Partial
    }
}
