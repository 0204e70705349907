//! `loubao report monthly|final`: workbooks drawn from the clue ledger, written into the
//! outbox.

use std::path::{Path, PathBuf};

use crate::config::LoadedPipeline;
use crate::ledger::{report, Ledger, LedgerError};
use crate::ops::Exit;

pub fn monthly(pipeline_path: &Path, month: &str) -> Exit {
    let Some(month) = report::parse_month(month) else {
        eprintln!("--month 应为 YYYY-MM, 例如 2021-06, 实为 {month}");
        return Exit::Config;
    };
    with_ledger(pipeline_path, |loaded, ledger| {
        let figures = ledger.monthly(&loaded.pipeline.townships, month)?;
        report::write_monthly(&figures, &loaded.pipeline.county, &loaded.outbox)
    })
}

pub fn final_lists(pipeline_path: &Path) -> Exit {
    with_ledger(pipeline_path, |loaded, ledger| {
        let lists = ledger.final_report(&loaded.pipeline.townships)?;
        report::write_final(&lists, &loaded.outbox)
    })
}

fn with_ledger(
    pipeline_path: &Path,
    write: impl FnOnce(&LoadedPipeline, &Ledger) -> Result<PathBuf, LedgerError>,
) -> Exit {
    let loaded = match LoadedPipeline::load(pipeline_path, super::today()) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{e}");
            return Exit::Config;
        }
    };
    let written = Ledger::open(&loaded.ledger).and_then(|ledger| write(&loaded, &ledger));
    match written {
        Ok(path) => {
            println!("已写出 {}", path.display());
            Exit::Complete
        }
        Err(e) => {
            eprintln!("{e}");
            Exit::Internal
        }
    }
}
