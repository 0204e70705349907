//! Why a command failed, and the exit code each failure gives (`cli::EXIT_CODES_HELP`).
//!
//! Every message is the clerk's Chinese and already includes its cause's (as the errors of
//! `config`, `ops` and `ledger` do), so printing an error once prints its whole chain; the
//! binary does that in one place.

use std::io;
use std::path::PathBuf;

use crate::config::ConfigError;
use crate::ledger::LedgerError;
use crate::ops::{Exit, LockError};

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The pipeline file cannot be read or is wrong.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// `report monthly --month` is not a month.
    #[error("--month 应为 YYYY-MM, 例如 2021-06, 实为 {0}")]
    BadMonth(String),
    /// `report spotcheck --share` is not a share.
    #[error("--share 应为 0 到 100% 之间的比例, 例如 10% 或 0.1, 实为 {0}")]
    BadShare(String),
    /// `explain` was asked about a rule that does not exist.
    #[error("没有规则 {0}: 可用的有 R01 至 R07")]
    UnknownRule(String),
    /// Another run holds the outbox lock, or the lock file cannot be made.
    #[error(transparent)]
    Lock(#[from] LockError),
    /// The clue ledger cannot be opened, read or planned against.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// The inbox held no usable assistance roll.
    #[error("没有可用的救助名册: 至少需要一份救助名册和一份排查来源")]
    NoRoll,
    /// The inbox held rolls only: nothing to screen.
    #[error("没有可用的排查来源: 至少需要一份救助名册和一份排查来源")]
    NoScreeningSource,
    #[error("无法创建运行文件夹 {}: {source}", .outbox.display())]
    Staging { outbox: PathBuf, source: io::Error },
    #[error("写出名单失败: {0}")]
    Report(#[source] crate::report::Error),
    #[error("无法完成运行文件夹: {0}")]
    Finish(#[source] io::Error),
    /// The run folder is in place but the ledger does not know it yet: its manifest says
    /// so (outcome `unrecorded`) and the next run records it.
    #[error(
        "名单已写出到 {}, 但线索台账未能更新, 本次运行记为「{}」(见 manifest.json), 下次运行时补记: {source}",
        .folder.display(),
        crate::model::RunOutcome::Unrecorded.label_zh()
    )]
    Commit {
        folder: PathBuf,
        source: LedgerError,
    },
    #[error("导入失败, 台账未改动: {0}")]
    Import(#[source] LedgerError),
    #[error("评估失败: {0:#}")]
    Eval(#[source] anyhow::Error),
    #[error("生成示例数据失败: {0:#}")]
    Sample(#[source] anyhow::Error),
}

impl Error {
    /// The exit code cron (or the clerk's shell) sees.
    pub fn exit(&self) -> Exit {
        match self {
            Error::Config(_)
            | Error::BadMonth(_)
            | Error::BadShare(_)
            | Error::UnknownRule(_)
            | Error::Eval(_) => Exit::Config,
            Error::Lock(LockError::Held { .. }) => Exit::LockHeld,
            Error::NoRoll | Error::NoScreeningSource => Exit::NoUsableInput,
            Error::Lock(LockError::Io { .. })
            | Error::Ledger(_)
            | Error::Staging { .. }
            | Error::Report(_)
            | Error::Finish(_)
            | Error::Commit { .. }
            | Error::Import(_)
            | Error::Sample(_) => Exit::Internal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_keep_their_exit_codes() {
        let held = Error::Lock(LockError::Held {
            path: "out/.loubao.lock".into(),
            holder: "pid=1".into(),
        });
        assert_eq!(held.exit(), Exit::LockHeld);
        assert!(held.to_string().starts_with("另一次运行正在进行"));
        let config = Error::Config(ConfigError::Read {
            path: "p.toml".into(),
            reason: "文件或文件夹不存在".into(),
        });
        assert_eq!(config.exit(), Exit::Config);
        assert_eq!(Error::UnknownRule("R09".into()).exit(), Exit::Config);
        assert_eq!(Error::NoRoll.exit(), Exit::NoUsableInput);
        assert_eq!(Error::Finish(io::Error::other("x")).exit(), Exit::Internal);
    }

    #[test]
    fn a_message_includes_its_cause() {
        let e = Error::Import(LedgerError::Corrupt {
            context: "读取线索",
            detail: "状态 x".into(),
        });
        assert_eq!(
            e.to_string(),
            "导入失败, 台账未改动: 线索台账中的记录损坏 (读取线索): 状态 x"
        );
        let e = Error::Eval(anyhow::anyhow!("没有运行记录").context("无法读取运行"));
        assert_eq!(e.to_string(), "评估失败: 无法读取运行: 没有运行记录");
    }
}
