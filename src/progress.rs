//! Progress on a terminal: one spinner per pipeline stage, finished with the stage's figures.
//! When stderr is not a terminal (cron, CI) or `--quiet` is given, nothing is drawn and the
//! log lines alone say what happened.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use crate::stage::Stage;

#[derive(Debug, Clone, Copy)]
pub struct Progress {
    enabled: bool,
}

impl Progress {
    pub fn new(quiet: bool) -> Progress {
        Progress {
            enabled: !quiet && std::io::stderr().is_terminal(),
        }
    }

    /// Starts a stage's spinner, e.g. `读取文件`.
    pub fn stage(&self, stage: Stage) -> Spinner {
        if !self.enabled {
            return Spinner { bar: None };
        }
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {prefix:<8} {elapsed:>4} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_prefix(stage.progress_zh());
        bar.enable_steady_tick(Duration::from_millis(120));
        Spinner { bar: Some(bar) }
    }
}

/// One stage's spinner (nothing when progress is off).
pub struct Spinner {
    bar: Option<ProgressBar>,
}

impl Spinner {
    /// Leaves the stage's line on screen with its figures (`14 个文件, 52,310 行`).
    pub fn finish(self, summary: String) {
        if let Some(bar) = self.bar {
            bar.finish_with_message(summary);
        }
    }
}
