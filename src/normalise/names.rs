//! Person names: one comparable key per spelling, plus a pinyin key for homophone typos.

use std::sync::LazyLock;

use ferrous_opencc::config::BuiltinConfig;
use ferrous_opencc::OpenCC;
use pinyin::ToPinyin;

use crate::model::PersonName;

/// The one middle dot of minority names (`阿依古丽·买买提`).
pub const MIDDLE_DOT: char = '·';

/// CJK Extension A up to the CJK compatibility ideographs: every block a traditional
/// character of a Chinese name falls in.
const T2S_FIRST: u32 = 0x3400;
const T2S_LAST: u32 = 0xFAFF;
const T2S_BLOCKS: [(u32, u32); 3] = [(0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF)];

/// Traditional → simplified per character, precomputed once from OpenCC's t2s tables.
///
/// Names are compared, not read: converting per character (rather than by phrase) makes the
/// key of a name independent of its neighbours, and turns the hot path into an array lookup.
static T2S: LazyLock<Vec<char>> = LazyLock::new(build_t2s_table);

fn build_t2s_table() -> Vec<char> {
    let mut table: Vec<char> = (T2S_FIRST..=T2S_LAST)
        .map(|c| char::from_u32(c).unwrap_or('\u{FFFD}'))
        .collect();
    let opencc = match OpenCC::from_config(BuiltinConfig::T2s) {
        Ok(opencc) => opencc,
        Err(err) => {
            // Embedded data: only a broken build gets here. Names still compare within
            // one script, so keep going rather than abort the night's run.
            tracing::error!(
                %err,
                "{}",
                crate::lang::pick(
                    "繁简转换表不可用, 姓名不做繁简转换",
                    "the traditional-to-simplified table is unavailable: names are not converted"
                )
            );
            return table;
        }
    };
    for (first, last) in T2S_BLOCKS {
        let chars: Vec<char> = (first..=last).filter_map(char::from_u32).collect();
        // One character per line so that no phrase rule joins neighbouring code points.
        let joined: String = chars.iter().flat_map(|&c| [c, '\n']).collect::<String>();
        let converted = opencc.convert(&joined);
        for (orig, conv) in chars.iter().zip(converted.split('\n')) {
            let mut it = conv.chars();
            if let (Some(simple), None) = (it.next(), it.next()) {
                table[(*orig as u32 - T2S_FIRST) as usize] = simple;
            }
        }
    }
    table
}

fn simplify(c: char) -> char {
    let code = c as u32;
    if (T2S_FIRST..=T2S_LAST).contains(&code) {
        T2S[(code - T2S_FIRST) as usize]
    } else {
        c
    }
}

/// Fullwidth ASCII forms (`Ａ`, `１`) to their ASCII letters and digits.
fn halfwidth(c: char) -> char {
    match c as u32 {
        code @ 0xFF01..=0xFF5E => char::from_u32(code - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

fn is_middle_dot(c: char) -> bool {
    matches!(c, '·' | '•' | '.' | '．' | '・' | '･' | '‧' | '∙' | '⋅')
}

/// Cleans a name cell; `None` when nothing name-like is left.
///
/// `key`: no whitespace at all (U+3000 included), halfwidth, simplified, every middle-dot
/// variant written `·` (runs collapsed, none at the ends). `pinyin`: toneless syllables of
/// the Han characters and lower-cased runs of anything else, space-separated, dots ignored,
/// so `阿依古丽买买提` and `阿依古丽·买买提` share it.
pub fn normalise_name(raw: &str) -> Option<PersonName> {
    let display = raw.trim();
    let mut key = String::with_capacity(display.len());
    let mut after_dot = true;
    for c in display.chars() {
        if c.is_whitespace() {
            continue;
        }
        let c = halfwidth(c);
        if is_middle_dot(c) {
            if !after_dot {
                key.push(MIDDLE_DOT);
                after_dot = true;
            }
            continue;
        }
        key.push(if c.is_ascii() { c } else { simplify(c) });
        after_dot = false;
    }
    if key.ends_with(MIDDLE_DOT) {
        key.pop();
    }
    if !key.chars().any(char::is_alphanumeric) {
        return None;
    }
    let pinyin = pinyin_key(&key);
    Some(PersonName {
        display: display.into(),
        key: key.into(),
        pinyin: pinyin.into(),
    })
}

fn pinyin_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len() * 2);
    let mut in_run = false;
    for c in key.chars() {
        if c == MIDDLE_DOT {
            continue;
        }
        match c.to_pinyin() {
            Some(syllable) => {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(syllable.plain());
                in_run = false;
            }
            None => {
                if !in_run && !out.is_empty() {
                    out.push(' ');
                }
                out.extend(c.to_lowercase());
                in_run = true;
            }
        }
    }
    out
}
