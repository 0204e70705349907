//! What every command that reads a pipeline file starts from.

use std::path::Path;

use chrono::NaiveDate;

use super::Error;
use crate::config::LoadedPipeline;
use crate::ledger::Ledger;
use crate::ops::RunLock;

/// A loaded pipeline file and the day the command runs on, with the two shared resources a
/// command may take from it: the outbox lock and the clue ledger.
pub struct Context {
    pub loaded: LoadedPipeline,
    /// Today on this machine: the default `as_of`, and the day review imports are dated.
    pub today: NaiveDate,
}

impl Context {
    /// Loads the pipeline file (an error in it is a configuration error, exit 4).
    pub fn load(pipeline: &Path) -> Result<Context, Error> {
        let today = super::today();
        let loaded = LoadedPipeline::load(pipeline, today)?;
        Ok(Context { loaded, today })
    }

    /// Takes the outbox lock, held until the returned guard drops: a run holds it from
    /// planning against the ledger to committing, and a review import holds it too, so that
    /// neither slips in between the other's steps (exit 6 when another process holds it).
    pub fn lock(&self) -> Result<RunLock, Error> {
        Ok(RunLock::acquire(&self.loaded.outbox)?)
    }

    /// Opens (creating or migrating) the pipeline's clue ledger.
    pub fn open_ledger(&self) -> Result<Ledger, Error> {
        Ok(Ledger::open(&self.loaded.ledger)?)
    }
}
