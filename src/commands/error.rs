//! Why a command failed, and the exit code each failure gives (`cli::exit_codes_help`).
//!
//! Every message is in the language of the run (`lang`) and already includes its cause's
//! (as the errors of `config`, `ops` and `ledger` do), so printing an error once prints its
//! whole chain; the binary does that in one place.

use std::fmt;
use std::io;
use std::path::PathBuf;

use crate::config::ConfigError;
use crate::ledger::LedgerError;
use crate::ops::{Exit, LockError};
use crate::tr;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The pipeline file cannot be read or is wrong.
    Config(#[from] ConfigError),
    /// `report monthly --month` is not a month.
    BadMonth(String),
    /// `report spotcheck --share` is not a share.
    BadShare(String),
    /// `explain` was asked about a rule that does not exist.
    UnknownRule(String),
    /// Another run holds the outbox lock, or the lock file cannot be made.
    Lock(#[from] LockError),
    /// The clue ledger cannot be opened, read or planned against.
    Ledger(#[from] LedgerError),
    /// The inbox held no usable assistance roll.
    NoRoll,
    /// The inbox held rolls only: nothing to screen.
    NoScreeningSource,
    Staging {
        outbox: PathBuf,
        source: io::Error,
    },
    Report(#[source] crate::report::Error),
    Finish(#[source] io::Error),
    /// The run folder is in place but the ledger does not know it yet: its manifest says
    /// so (outcome `unrecorded`) and the next run records it.
    Commit {
        folder: PathBuf,
        source: LedgerError,
    },
    Import(#[source] LedgerError),
    Eval(#[source] anyhow::Error),
    Sample(#[source] anyhow::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            Error::Config(e) => e.to_string(),
            Error::BadMonth(month) => tr!(
                "--month 应为 YYYY-MM, 例如 2021-06, 实为 {month}",
                "--month must be YYYY-MM, e.g. 2021-06, not {month}"
            ),
            Error::BadShare(share) => tr!(
                "--share 应为 0 到 100% 之间的比例, 例如 10% 或 0.1, 实为 {share}",
                "--share must be a share between 0 and 100%, e.g. 10% or 0.1, not {share}"
            ),
            Error::UnknownRule(code) => tr!(
                "没有规则 {code}: 可用的有 R01 至 R07",
                "there is no rule {code}: the rules are R01 to R07"
            ),
            Error::Lock(e) => e.to_string(),
            Error::Ledger(e) => e.to_string(),
            Error::NoRoll => tr!(
                "没有可用的救助名册: 至少需要一份救助名册和一份排查来源",
                "no usable assistance roll: a run needs at least one roll and one screening source"
            ),
            Error::NoScreeningSource => tr!(
                "没有可用的排查来源: 至少需要一份救助名册和一份排查来源",
                "no usable screening source: a run needs at least one roll and one screening source"
            ),
            Error::Staging { outbox, source } => tr!(
                "无法创建运行文件夹 {}: {source}",
                "cannot create the run folder in {}: {source}",
                outbox.display()
            ),
            Error::Report(e) => tr!("写出名单失败: {e}", "writing the lists failed: {e}"),
            Error::Finish(e) => tr!(
                "无法完成运行文件夹: {e}",
                "cannot complete the run folder: {e}"
            ),
            Error::Commit { folder, source } => tr!(
                "名单已写出到 {}, 但线索台账未能更新, 本次运行记为「{}」(见 manifest.json), 下次运行时补记: {source}",
                "the lists are written to {}, but the clue ledger could not be updated; the run is recorded as \"{}\" (see manifest.json) and the next run records it: {source}",
                folder.display(),
                crate::model::RunOutcome::Unrecorded.key()
            ),
            Error::Import(e) => tr!(
                "导入失败, 台账未改动: {e}",
                "import failed, the ledger is unchanged: {e}"
            ),
            Error::Eval(e) => tr!("评估失败: {e:#}", "evaluation failed: {e:#}"),
            Error::Sample(e) => tr!(
                "生成示例数据失败: {e:#}",
                "writing the sample county failed: {e:#}"
            ),
        };
        f.write_str(&text)
    }
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

    /// Under `--lang en` every failure, and the causes it includes, is English.
    #[test]
    fn english_messages_have_no_chinese() {
        use crate::lang::{has_han, with, Lang};
        let errors = with(Lang::En, || {
            let missing = io::Error::from(io::ErrorKind::NotFound);
            [
                Error::BadMonth("2021-13".into()),
                Error::BadShare("x".into()),
                Error::UnknownRule("R09".into()),
                Error::NoRoll,
                Error::NoScreeningSource,
                Error::Lock(LockError::Held {
                    path: "out/.loubao.lock".into(),
                    holder: "pid=1".into(),
                }),
                Error::Config(ConfigError::Read {
                    path: "p.toml".into(),
                    reason: crate::config::io_reason(&missing),
                }),
                Error::Import(LedgerError::TooNew {
                    found: 9,
                    supported: 3,
                }),
                Error::Commit {
                    folder: "out/2021-06-30".into(),
                    source: LedgerError::Write {
                        path: "out/ledger.sqlite3".into(),
                        source: missing,
                    },
                },
                Error::Report(crate::report::Error::Io(io::Error::other("disk full"))),
            ]
            .map(|e| e.to_string())
        });
        for text in errors {
            assert!(!has_han(&text), "{text}");
        }
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
