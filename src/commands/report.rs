//! `loubao report monthly|final|spotcheck`: workbooks drawn from the clue ledger, written
//! into the outbox.

use std::path::{Path, PathBuf};

use super::{Context, Error};
use crate::ledger::{report, spotcheck, Ledger, LedgerError};
use crate::ops::Exit;
use crate::tr;

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
    let due = deadlines.final_by;
    println!(
        "{}",
        tr!(
            "三项清单报送截止: {due}",
            "the three closing lists are due by {due}"
        )
    );
    Ok(exit)
}

/// `report spotcheck`: draws the county's spot checks and writes 县抽查清单.xlsx.
pub fn spot_check(pipeline_path: &Path, share: &str, seed: u64) -> Result<Exit, Error> {
    let Some(fraction) = parse_share(share) else {
        return Err(Error::BadShare(share.to_string()));
    };
    let ctx = Context::load(pipeline_path)?;
    // A draw writes to the ledger: no run may plan in between.
    let _lock = ctx.lock()?;
    let mut ledger = ctx.open_ledger()?;
    let drawn = ledger.draw_spot_checks(fraction, seed, ctx.today)?;
    let path = spotcheck::write_spot_checks(&drawn, &ctx.loaded.outbox)?;
    println!(
        "{}",
        tr!(
            "已抽取 {} 条线索, 已写出 {}",
            "{} clues drawn, written to {}",
            drawn.len(),
            path.display()
        )
    );
    Ok(Exit::Complete)
}

/// `10%`, `0.1`: a share in (0, 1].
fn parse_share(text: &str) -> Option<f64> {
    let text = text.trim();
    let share = match text.strip_suffix('%') {
        Some(percent) => percent.trim().parse::<f64>().ok()? / 100.0,
        None => text.parse::<f64>().ok()?,
    };
    (share > 0.0 && share <= 1.0).then_some(share)
}

/// Opens the ledger, writes a report from it and says where.
fn write_from_ledger(
    ctx: &Context,
    write: impl FnOnce(&Ledger) -> Result<PathBuf, LedgerError>,
) -> Result<Exit, Error> {
    let ledger = ctx.open_ledger()?;
    let path = write(&ledger)?;
    println!("{}", tr!("已写出 {}", "written: {}", path.display()));
    Ok(Exit::Complete)
}

#[cfg(test)]
mod tests {
    #[test]
    fn shares_are_percentages_or_fractions() {
        assert_eq!(super::parse_share("10%"), Some(0.1));
        assert_eq!(super::parse_share(" 0.25 "), Some(0.25));
        assert_eq!(super::parse_share("100%"), Some(1.0));
        assert_eq!(super::parse_share("0"), None);
        assert_eq!(super::parse_share("150%"), None);
        assert_eq!(super::parse_share("十分之一"), None);
    }
}
