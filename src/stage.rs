//! The stages of a run: each one's key in the manifest's `timings`, its name in the 汇总's
//! 用时 rows and on its terminal spinner, and the stopwatch that times them. A leaf: it
//! depends on nothing else in the crate but `lang`, the leaf that says which language.

use std::time::Instant;

/// One stage of `loubao run`, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Stage {
    Ingest,
    Normalise,
    Matching,
    Rules,
    /// Writing the run folder. Not timed: the manifest, which holds the timings, is written
    /// inside it.
    Report,
}

impl Stage {
    pub const ALL: [Stage; 5] = [
        Stage::Ingest,
        Stage::Normalise,
        Stage::Matching,
        Stage::Rules,
        Stage::Report,
    ];

    /// The manifest's `timings[].stage`.
    pub fn key(self) -> &'static str {
        match self {
            Stage::Ingest => "ingest",
            Stage::Normalise => "normalise",
            Stage::Matching => "matching",
            Stage::Rules => "rules",
            Stage::Report => "report",
        }
    }

    /// The 汇总's 运行信息 line: `用时 读取 (秒)`.
    pub fn label_zh(self) -> &'static str {
        match self {
            Stage::Ingest => "读取",
            Stage::Normalise => "标准化",
            Stage::Matching => "匹配",
            Stage::Rules => "筛查",
            Stage::Report => "输出",
        }
    }

    /// The terminal spinner's prefix while the stage runs.
    pub fn progress_label(self) -> &'static str {
        let (zh, en) = match self {
            Stage::Ingest => ("读取文件", "reading files"),
            Stage::Normalise => ("规范身份", "normalising"),
            Stage::Matching => ("比对名册", "linking"),
            Stage::Rules => ("规则筛查", "screening"),
            Stage::Report => ("写出名单", "writing lists"),
        };
        crate::lang::pick(zh, en)
    }
}

/// Wall time per stage, in the order the stages ran: each lap is the time since the
/// previous one (or since the start).
pub struct Stopwatch {
    clock: Instant,
    laps: Vec<(Stage, f64)>,
}

impl Stopwatch {
    pub fn start() -> Stopwatch {
        Stopwatch {
            clock: Instant::now(),
            laps: Vec::new(),
        }
    }

    /// Records `stage` as having taken the time since the last lap. The debug log also
    /// says the process's peak memory so far, to see which stage sets it.
    pub fn lap(&mut self, stage: Stage) {
        let seconds = self.clock.elapsed().as_secs_f64();
        tracing::debug!(
            stage = stage.key(),
            seconds,
            peak_mib = peak_memory_kib().map(|k| k / 1024),
            "Stage timed."
        );
        self.laps.push((stage, seconds));
        self.clock = Instant::now();
    }

    /// (stage, seconds), in the order recorded.
    pub fn laps(&self) -> &[(Stage, f64)] {
        &self.laps
    }
}

/// The process's peak resident memory (VmHWM), where the system says it (Linux).
fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_labels_are_distinct() {
        let keys: std::collections::BTreeSet<_> = Stage::ALL.iter().map(|s| s.key()).collect();
        let labels: std::collections::BTreeSet<_> =
            Stage::ALL.iter().map(|s| s.label_zh()).collect();
        assert_eq!(keys.len(), Stage::ALL.len());
        assert_eq!(labels.len(), Stage::ALL.len());
    }

    #[test]
    fn laps_are_recorded_in_order() {
        let mut watch = Stopwatch::start();
        watch.lap(Stage::Ingest);
        watch.lap(Stage::Rules);
        let stages: Vec<Stage> = watch.laps().iter().map(|(s, _)| *s).collect();
        assert_eq!(stages, [Stage::Ingest, Stage::Rules]);
        assert!(watch.laps().iter().all(|(_, secs)| *secs >= 0.0));
    }
}
