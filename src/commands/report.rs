//! `loubao report monthly|final`: workbooks drawn from the clue ledger, written into the
//! outbox.

use std::path::{Path, PathBuf};

use super::{Context, Error};
use crate::ledger::{report, Ledger, LedgerError};
use crate::ops::Exit;

pub fn monthly(pipeline_path: &Path, month: &str) -> Result<Exit, Error> {
    let Some(month) = report::parse_month(month) else {
        return Err(Error::BadMonth(month.to_string()));
    };
    let ctx = Context::load(pipeline_path)?;
    let p = &ctx.loaded;
    write_from_ledger(&ctx, |ledger| {
        let figures = ledger.monthly(&p.pipeline.townships, month, &p.deadlines())?;
        report::write_monthly(&figures, &p.pipeline.county, &p.outbox)
    })
}

pub fn final_lists(pipeline_path: &Path) -> Result<Exit, Error> {
    let ctx = Context::load(pipeline_path)?;
    let p = &ctx.loaded;
    let deadlines = p.deadlines();
    let exit = write_from_ledger(&ctx, |ledger| {
        let lists = ledger.final_report(&p.pipeline.townships, p.as_of, &deadlines)?;
        report::write_final(&lists, &p.outbox)
    })?;
    println!("三项清单报送截止: {}", deadlines.final_by);
    Ok(exit)
}

/// Opens the ledger, writes a report from it and says where.
fn write_from_ledger(
    ctx: &Context,
    write: impl FnOnce(&Ledger) -> Result<PathBuf, LedgerError>,
) -> Result<Exit, Error> {
    let ledger = ctx.open_ledger()?;
    let path = write(&ledger)?;
    println!("已写出 {}", path.display());
    Ok(Exit::Complete)
}
