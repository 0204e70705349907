//! Safe nightly operation (SPEC 8): the outbox lock, owner-only folders and files, staged
//! run folders that appear complete or not at all, and the exit codes cron sees.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::lang::pick;
use crate::tr;

/// Exit codes, documented in `--help` and the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Complete = 0,
    Internal = 1,
    Partial = 3,
    Config = 4,
    NoUsableInput = 5,
    LockHeld = 6,
}

/// Creates a folder (and parents) readable by its owner only.
pub fn create_private_dir(path: &Path) -> io::Result<()> {
    fs::create_dir_all(path)?;
    set_private(path, true)
}

/// Restricts an existing file (0600) or folder (0700) to its owner. No-op off Unix, where
/// the user profile's ACLs already apply.
pub fn set_private(path: &Path, is_dir: bool) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = if is_dir { 0o700 } else { 0o600 };
        fs::set_permissions(path, fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = (path, is_dir);
    Ok(())
}

/// Options that create a file owner-only (0600 from the start on Unix, so it is never
/// readable by others, not even briefly).
fn private_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
}

/// Opens a new owner-only file for writing.
pub fn create_private_file(path: &Path) -> io::Result<File> {
    private_options()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so a
/// crash leaves either the old file or the new one, never half of one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp{}", std::process::id()));
    {
        let mut file = create_private_file(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
    }
    fs::rename(&tmp, path)
}

/// An exclusive lock on the outbox, held for the whole run. The OS releases it when the
/// process dies, so a crashed run never blocks the next night's.
pub struct RunLock {
    file: File,
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    Held { path: PathBuf, holder: String },
    Io { path: PathBuf, source: io::Error },
}

impl std::fmt::Display for LockError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&match self {
            LockError::Held { path, holder } => tr!(
                "另一次运行正在进行 (锁文件 {}, {holder})",
                "another run is in progress (lock file {}, {holder})",
                path.display()
            ),
            LockError::Io { path, source } => tr!(
                "无法创建锁文件 {}: {source}",
                "cannot create the lock file {}: {source}",
                path.display()
            ),
        })
    }
}

impl RunLock {
    pub fn acquire(outbox: &Path) -> Result<RunLock, LockError> {
        let path = outbox.join(".loubao.lock");
        let io_err = |source| LockError::Io {
            path: path.clone(),
            source,
        };
        create_private_dir(outbox).map_err(io_err)?;
        let mut file = private_options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io_err)?;
        let previous = fs::read_to_string(&path).unwrap_or_default();
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                return Err(LockError::Held {
                    path,
                    holder: describe_holder(&previous),
                })
            }
            Err(fs::TryLockError::Error(e)) => return Err(io_err(e)),
        }
        if !previous.trim().is_empty() {
            tracing::warn!(
                lock = %path.display(),
                previous = previous.trim(),
                "{}",
                pick(
                    "上次运行未正常结束, 已接管其遗留的锁",
                    "the last run did not end cleanly: its lock is taken over"
                )
            );
        }
        file.set_len(0).map_err(io_err)?;
        writeln!(file, "pid={}", std::process::id()).map_err(io_err)?;
        file.sync_all().map_err(io_err)?;
        Ok(RunLock { file })
    }
}

impl Drop for RunLock {
    fn drop(&mut self) {
        // Empty content marks a clean release; the OS lock goes with the handle.
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}

fn describe_holder(content: &str) -> String {
    let content = content.trim();
    if content.is_empty() {
        pick("进程未知", "process unknown").to_string()
    } else {
        content.to_string()
    }
}

/// A run folder being written: everything goes into a hidden staging folder that is renamed
/// to its dated name only when complete.
pub struct StagedRun {
    pub staging: PathBuf,
    pub final_dir: PathBuf,
    pub run_id: String,
}

impl StagedRun {
    /// Picks the dated name after every one used so far (`2021-06-30`, then `2021-06-30_2`,
    /// …) and creates its staging folder. Leftover staging folders of crashed runs are
    /// removed first. `taken`: run ids the ledger has recorded, whose folders may have been
    /// deleted since. An id is never reused, not even a gap left by a deleted folder: lists
    /// sent out under that name, or an old run's ledger row, would be confused with the new.
    pub fn begin(
        outbox: &Path,
        date: NaiveDate,
        taken: &std::collections::BTreeSet<String>,
    ) -> io::Result<StagedRun> {
        create_private_dir(outbox)?;
        for entry in fs::read_dir(outbox)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(".staging-") && entry.path().is_dir() {
                tracing::warn!(
                    folder = %name,
                    "{}",
                    pick(
                        "删除上次中断运行留下的临时文件夹",
                        "removing the staging folder an interrupted run left"
                    )
                );
                fs::remove_dir_all(entry.path())?;
            }
        }
        let base = date.format("%Y-%m-%d").to_string();
        // `2021-06-30` is run 1 of its day, `2021-06-30_2` run 2.
        let number = |id: &str| match id.strip_prefix(base.as_str())? {
            "" => Some(1),
            rest => rest.strip_prefix('_')?.parse::<u32>().ok(),
        };
        let folders: Vec<String> = fs::read_dir(outbox)?
            .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
            .collect::<io::Result<_>>()?;
        let last = folders
            .iter()
            .chain(taken)
            .filter_map(|id| number(id))
            .max();
        // Every existing name that could collide was counted, so the next one is free.
        let run_id = match last {
            None => base,
            Some(n) => format!("{base}_{}", n + 1),
        };
        let staging = outbox.join(format!(".staging-{run_id}"));
        create_private_dir(&staging)?;
        Ok(StagedRun {
            final_dir: outbox.join(&run_id),
            staging,
            run_id,
        })
    }

    /// Makes the run folder appear, complete.
    pub fn finish(self) -> io::Result<PathBuf> {
        fs::rename(&self.staging, &self.final_dir)?;
        Ok(self.final_dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_lock_is_refused_and_released_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let first = RunLock::acquire(dir.path()).unwrap();
        assert!(matches!(
            RunLock::acquire(dir.path()),
            Err(LockError::Held { .. })
        ));
        drop(first);
        RunLock::acquire(dir.path()).unwrap();
    }

    #[test]
    fn staged_runs_get_suffixes_and_appear_on_finish() {
        let dir = tempfile::tempdir().unwrap();
        let date = NaiveDate::from_ymd_opt(2021, 6, 30).unwrap();
        let none = std::collections::BTreeSet::new();
        let first = StagedRun::begin(dir.path(), date, &none).unwrap();
        assert!(!first.final_dir.exists());
        let first_dir = first.finish().unwrap();
        assert!(first_dir.ends_with("2021-06-30"));
        let second = StagedRun::begin(dir.path(), date, &none).unwrap();
        assert_eq!(second.run_id, "2021-06-30_2");
    }

    #[test]
    fn a_run_id_the_ledger_knows_is_not_reused_after_its_folder_is_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let date = NaiveDate::from_ymd_opt(2021, 6, 30).unwrap();
        let taken = ["2021-06-30".to_string(), "2021-06-30_2".to_string()].into();
        let next = StagedRun::begin(dir.path(), date, &taken).unwrap();
        assert_eq!(next.run_id, "2021-06-30_3");
        // A gap is not filled either: run 6 is known, so the next is 7, whatever is missing
        // below it; other days and other names do not count.
        let taken = [
            "2021-06-30".to_string(),
            "2021-06-30_6".to_string(),
            "2021-07-01_9".to_string(),
        ]
        .into();
        fs::create_dir(dir.path().join("2021-06-30_old")).unwrap();
        let next = StagedRun::begin(dir.path(), date, &taken).unwrap();
        assert_eq!(next.run_id, "2021-06-30_7");
        fs::create_dir(dir.path().join("2021-06-30_8")).unwrap();
        let next = StagedRun::begin(dir.path(), date, &taken).unwrap();
        assert_eq!(next.run_id, "2021-06-30_9");
    }

    #[cfg(unix)]
    #[test]
    fn private_files_are_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        write_atomic(&path, b"x").unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}
