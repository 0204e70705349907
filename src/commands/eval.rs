//! `loubao eval`: score a pipeline's linkage and latest lists against the sample truth.

use std::path::Path;

use super::Error;
use crate::ops::Exit;

pub fn eval(pipeline: &Path, truth: &Path) -> Result<Exit, Error> {
    let report = crate::sample::evaluate(pipeline, truth).map_err(Error::Eval)?;
    print!("{report}");
    Ok(Exit::Complete)
}
