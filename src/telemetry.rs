//! Logging: human lines on the terminal, a JSON log file per run, and masking of resident
//! IDs and phone numbers in everything that reaches a log (SPEC 8).
//!
//! Masking (with `crate::mask`) is applied by the writers themselves, so a log line can never
//! leak a full ID even if a call site forgets to mask.

use std::fs::File;
use std::io::{self, IsTerminal, Write};
use std::sync::{Arc, Mutex};

use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use crate::mask::{mask_id, mask_phone};

/// Masks every ID-shaped run (15 characters or more, digits ending possibly in X) and every
/// phone-shaped run (an 11-digit mobile, a landline with its area code) in free text.
pub fn scrub(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            if i < chars.len() && (chars[i] == 'X' || chars[i] == 'x') && i - start >= 14 {
                i += 1;
            }
            let run: String = chars[start..i].iter().collect();
            // The fraction of a decimal number (`-13.2877123`) is not an ID or a phone.
            let is_fraction =
                start >= 2 && chars[start - 1] == '.' && chars[start - 2].is_ascii_digit();
            if is_fraction {
                out.push_str(&run);
                continue;
            }
            // Only what has the shape of an ID (15 characters or more: IDs, damaged IDs,
            // certificates) or a phone (a mobile, a landline with its area code) is masked;
            // byte counts and row numbers stay readable.
            let phone_shaped = (run.len() == 11 && run.starts_with('1'))
                || ((10..=12).contains(&run.len()) && run.starts_with('0'));
            match run.len() {
                15.. => out.push_str(&mask_id(&run)),
                _ if phone_shaped => out.push_str(&mask_phone(&run)),
                _ => out.push_str(&run),
            }
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// A writer that scrubs each formatted event before passing it on.
pub struct ScrubbingWriter<W: Write> {
    inner: W,
}

impl<W: Write> Write for ScrubbingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.inner.write_all(scrub(&text).as_bytes())?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// The per-run JSON log file; set once the run's staging folder exists.
#[derive(Clone, Default)]
pub struct RunLogFile(Arc<Mutex<Option<File>>>);

impl RunLogFile {
    pub fn set(&self, file: Option<File>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = file;
    }
}

pub struct RunLogWriter(Arc<Mutex<Option<File>>>);

impl Write for RunLogWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut guard = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(file) = guard.as_mut() {
            let text = String::from_utf8_lossy(buf);
            file.write_all(scrub(&text).as_bytes())?;
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        let mut guard = self.0.lock().unwrap_or_else(|e| e.into_inner());
        match guard.as_mut() {
            Some(file) => file.flush(),
            None => Ok(()),
        }
    }
}

impl<'a> MakeWriter<'a> for RunLogFile {
    type Writer = RunLogWriter;
    fn make_writer(&'a self) -> Self::Writer {
        RunLogWriter(self.0.clone())
    }
}

#[derive(Clone, Copy)]
struct StderrScrubbed;

impl<'a> MakeWriter<'a> for StderrScrubbed {
    type Writer = AboveSpinner;
    fn make_writer(&'a self) -> Self::Writer {
        AboveSpinner(ScrubbingWriter {
            inner: io::stderr(),
        })
    }
}

/// Terminal log lines, drawn above a stage's spinner (see `progress`).
pub struct AboveSpinner(ScrubbingWriter<io::Stderr>);

impl Write for AboveSpinner {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        crate::progress::above_spinner(|| self.0.write(buf))
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// Timestamps of the run log in local time with its offset
/// (`2021-06-30T02:15:07.123+08:00`): what the clerk's clock said.
struct LocalTime;

impl tracing_subscriber::fmt::time::FormatTime for LocalTime {
    fn format_time(&self, w: &mut tracing_subscriber::fmt::format::Writer<'_>) -> std::fmt::Result {
        write!(
            w,
            "{}",
            chrono::Local::now().format("%Y-%m-%dT%H:%M:%S%.3f%:z")
        )
    }
}

/// Installs the global subscriber: terminal lines at the chosen verbosity, and a JSON layer
/// (debug level) that writes into the run's log file once one is set.
pub fn init(quiet: bool, verbose: u8) -> RunLogFile {
    let level = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "info",
        (false, 1) => "debug",
        _ => "trace",
    };
    let terminal_filter =
        EnvFilter::try_from_env("LOUBAO_LOG").unwrap_or_else(|_| EnvFilter::new(level));
    let run_log = RunLogFile::default();
    let terminal = tracing_subscriber::fmt::layer()
        .with_writer(StderrScrubbed)
        .with_target(false)
        .with_ansi(std::io::stderr().is_terminal())
        .without_time()
        .with_filter(terminal_filter);
    let json = tracing_subscriber::fmt::layer()
        .json()
        .with_timer(LocalTime)
        .with_writer(run_log.clone())
        .with_filter(EnvFilter::new("debug"));
    // A second init (tests calling `dispatch` twice) keeps the first subscriber.
    let _ = tracing_subscriber::registry()
        .with(terminal)
        .with(json)
        .try_init();
    run_log
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_log_times_are_local_with_their_offset() {
        use tracing_subscriber::fmt::time::FormatTime;
        let mut text = String::new();
        LocalTime
            .format_time(&mut tracing_subscriber::fmt::format::Writer::new(&mut text))
            .unwrap();
        // 2021-06-30T02:15:07.123+08:00
        let b = text.as_bytes();
        assert_eq!(text.len(), 29, "{text}");
        assert_eq!((b[10], b[19], b[26]), (b'T', b'.', b':'), "{text}");
        assert!(b[23] == b'+' || b[23] == b'-', "{text}");
    }

    #[test]
    fn scrub_masks_ids_and_phones_in_text() {
        let s = scrub("身份证 41012319900101123X 电话 13812345678, 第 12 行");
        assert_eq!(s, "身份证 410123********123X 电话 138****5678, 第 12 行");
        assert!(!s.contains("19900101"));
    }

    #[test]
    fn scrub_leaves_ordinary_numbers_alone() {
        assert_eq!(scrub("解压后 2334354618 字节"), "解压后 2334354618 字节");
        assert_eq!(scrub("共 1234567 行"), "共 1234567 行");
        assert_eq!(scrub("座机 03712345678"), "座机 037****5678");
        // A longer run may hide an ID: masked too.
        assert_eq!(scrub("41012319900101123400000"), "410123*************0000");
    }

    #[test]
    fn scrub_leaves_decimal_fractions_alone() {
        assert_eq!(
            scrub("prior=-13.287712379549449"),
            "prior=-13.287712379549449"
        );
        assert_eq!(scrub("电话.13812345678"), "电话.138****5678");
    }
}
