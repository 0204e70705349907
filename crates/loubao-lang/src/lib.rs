//! The language of every message loubao prints: Chinese for the clerk by default, English
//! (`--lang en`, or `LOUBAO_LANG=en`) for maintainers. It is chosen once, before the command
//! line is even parsed, so that help and usage errors speak it too. A crate of its own so
//! that the synthetic-county generator, which knows only the model, speaks it as well.
//!
//! A message keeps both its languages side by side where it is written: [`tr!`] for
//! formatted text, [`pick`] for fixed text. What the county's own records say stays
//! Chinese in both languages: the township workbooks and CSVs, the 待复核 and spot-check lists
//! and the ledger's states (新增, 持续 …) are read back by their Chinese headers and words,
//! and the 依据 written into them is the townships' reading.

use std::ffi::OsString;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Chinese, for the clerk: the default.
    #[default]
    Zh,
    /// English, for maintainers.
    En,
}

/// The values `--lang` takes.
pub const NAMES: [&str; 2] = ["zh", "en"];

static LANG: OnceLock<Lang> = OnceLock::new();

/// Sets the language from the command line (`--lang en`, `--lang=en`, before or after the
/// subcommand) or else `LOUBAO_LANG`. clap validates the option itself later; a value it
/// will refuse leaves the default, so that the refusal is in Chinese.
pub fn init(args: &[OsString]) {
    let mut chosen = None;
    for (i, arg) in args.iter().enumerate() {
        match arg.to_str() {
            Some("--lang") => chosen = args.get(i + 1).and_then(|a| a.to_str()),
            Some(arg) if arg.starts_with("--lang=") => chosen = Some(&arg["--lang=".len()..]),
            _ => {}
        }
    }
    let env = std::env::var("LOUBAO_LANG").ok();
    let lang = match chosen.or(env.as_deref()) {
        Some("en") => Lang::En,
        _ => Lang::Zh,
    };
    let _ = LANG.set(lang);
}

/// The language messages are in.
pub fn current() -> Lang {
    THREAD_LANG
        .with(std::cell::Cell::get)
        .or_else(|| LANG.get().copied())
        .unwrap_or_default()
}

/// Fixed text in the current language.
pub fn pick<'a>(zh: &'a str, en: &'a str) -> &'a str {
    match current() {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// `tr!("中文 {x}", "English {x}", args…)`: `format!` of the current language's text. Both
/// texts take the same arguments; inline names (`{x}`) are the caller's variables.
#[macro_export]
macro_rules! tr {
    ($zh:literal, $en:literal $(,)?) => {
        match $crate::current() {
            $crate::Lang::Zh => format!($zh),
            $crate::Lang::En => format!($en),
        }
    };
    ($zh:literal, $en:literal, $($arg:tt)+) => {
        match $crate::current() {
            $crate::Lang::Zh => format!($zh, $($arg)+),
            $crate::Lang::En => format!($en, $($arg)+),
        }
    };
}

thread_local! {
    /// A language for this thread only, over the process-wide one: for unit tests, which
    /// share one process and check both languages.
    static THREAD_LANG: std::cell::Cell<Option<Lang>> = const { std::cell::Cell::new(None) };
}

/// Runs `f` with messages in `lang` on this thread (the unit tests of every crate).
pub fn with<T>(lang: Lang, f: impl FnOnce() -> T) -> T {
    THREAD_LANG.with(|l| l.set(Some(lang)));
    let out = f();
    THREAD_LANG.with(|l| l.set(None));
    out
}

/// Whether text has a Han character: an English message has none but its values'.
pub fn has_han(text: &str) -> bool {
    text.chars().any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_format_the_same_arguments() {
        let n = 3;
        let path = "p.toml";
        assert_eq!(
            with(Lang::Zh, || tr!("{n} 处需要修改", "{n} problems")),
            "3 处需要修改"
        );
        assert_eq!(
            with(Lang::En, || tr!("文件 {}: {n}", "file {}: {n}", path)),
            "file p.toml: 3"
        );
        assert_eq!(with(Lang::En, || pick("命令", "Commands")), "Commands");
    }
}
