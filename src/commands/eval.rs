//! `loubao eval`: score a pipeline's linkage and latest lists against the sample truth.

use std::path::Path;

use crate::ops::Exit;

pub fn eval(pipeline: &Path, truth: &Path) -> Exit {
    match crate::sample::evaluate(pipeline, truth) {
        Ok(report) => {
            print!("{report}");
            Exit::Complete
        }
        Err(e) => {
            eprintln!("评估失败: {e:#}");
            Exit::Config
        }
    }
}
