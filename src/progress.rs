//! Progress on a terminal: one spinner per pipeline stage while it runs, cleared when it
//! ends, so that the stage's log line (`读取完成: 14 个文件 …`) is its one line on screen.
//! Log lines written meanwhile are drawn above the spinner, never through it. When stderr
//! is not a terminal (cron, CI) or `--quiet` is given, nothing is drawn.

use std::io::IsTerminal;
use std::sync::Mutex;
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
            ProgressStyle::with_template("{spinner} {prefix:<8} {elapsed:>4}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_prefix(stage.progress_label());
        bar.enable_steady_tick(Duration::from_millis(120));
        *ACTIVE.lock().unwrap_or_else(|e| e.into_inner()) = Some(bar.clone());
        Spinner { bar: Some(bar) }
    }
}

/// The spinner on screen, if any: the terminal log writer draws above it.
static ACTIVE: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// Runs `write` (a log line to stderr) with the spinner, if one is drawn, lifted out of
/// the way, so that no spinner frame is left inside the line.
pub fn above_spinner<T>(write: impl FnOnce() -> T) -> T {
    let active = ACTIVE.lock().unwrap_or_else(|e| e.into_inner()).clone();
    match active {
        Some(bar) => bar.suspend(write),
        None => write(),
    }
}

/// One stage's spinner (nothing when progress is off).
pub struct Spinner {
    bar: Option<ProgressBar>,
}

impl Spinner {
    /// Clears the stage's spinner: its figures are in the stage's log line.
    pub fn finish(self) {
        if let Some(bar) = self.bar {
            *ACTIVE.lock().unwrap_or_else(|e| e.into_inner()) = None;
            bar.finish_and_clear();
        }
    }
}
