//! `loubao explain [CODE]`: what each rule checks, with the thresholds of a pipeline file.

use std::path::Path;

use super::{Context, Error};
use crate::config::RuleSettings;
use crate::model::RuleCode;
use crate::ops::Exit;

pub fn explain(code: Option<&str>, pipeline: Option<&Path>) -> Result<Exit, Error> {
    let settings = match pipeline {
        Some(path) => Context::load(path)?.loaded.pipeline.rules,
        None => RuleSettings::default(),
    };
    let codes: Vec<RuleCode> = match code {
        None => RuleCode::ALL.to_vec(),
        Some(text) => match RuleCode::from_code(&text.trim().to_uppercase()) {
            Some(c) => vec![c],
            None => return Err(Error::UnknownRule(text.to_string())),
        },
    };
    for code in codes {
        println!("{}\n", crate::rules::explain(code, &settings));
    }
    Ok(Exit::Complete)
}
