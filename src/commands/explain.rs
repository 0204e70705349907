//! `loubao explain [CODE]`: what each rule checks, with the thresholds of a pipeline file.

use std::path::Path;

use crate::config::{LoadedPipeline, RuleSettings};
use crate::model::RuleCode;
use crate::ops::Exit;

pub fn explain(code: Option<&str>, pipeline: Option<&Path>) -> Exit {
    let settings = match pipeline {
        Some(path) => match LoadedPipeline::load(path, super::today()) {
            Ok(p) => p.pipeline.rules,
            Err(e) => {
                eprintln!("{e}");
                return Exit::Config;
            }
        },
        None => RuleSettings::default(),
    };
    let codes: Vec<RuleCode> = match code {
        None => RuleCode::ALL.to_vec(),
        Some(text) => match RuleCode::from_code(&text.trim().to_uppercase()) {
            Some(c) => vec![c],
            None => {
                eprintln!("没有规则 {text}: 可用的有 R01 至 R06");
                return Exit::Config;
            }
        },
    };
    for code in codes {
        println!("{}\n", crate::rules::explain(code, &settings));
    }
    Exit::Complete
}
