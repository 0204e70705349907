//! Typing cells: dates, amounts and yes/no flags the way clerks type them, and numbers that
//! are really identifiers (ID, phone) rendered back to text without float damage.

use std::borrow::Cow;

use chrono::{Datelike, Duration, NaiveDate};

use crate::lang::pick;
use crate::model::{Field, FieldType, Value};
use crate::tr;

/// One cell as a reader delivers it, borrowed from the file's buffer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    Empty,
    Text(&'a str),
    Number(f64),
    /// An Excel date cell, as its serial number.
    Date(f64),
    Bool(bool),
}

impl<'a> Cell<'a> {
    /// Text cells trimmed; whitespace-only text is empty.
    pub fn text(s: &'a str) -> Cell<'a> {
        // Most cells neither begin nor end with a character that could be a space: seen
        // from the first byte of their first and last characters, without decoding them.
        let bytes = s.as_bytes();
        let last = bytes.iter().rposition(|&b| b & 0xc0 != 0x80);
        if let (Some(&first), Some(last)) = (bytes.first(), last) {
            if !may_begin_space(first) && !may_begin_space(bytes[last]) {
                return Cell::Text(s);
            }
        }
        let t = s.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
        if t.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(t)
        }
    }

    pub fn is_empty(&self) -> bool {
        matches!(self, Cell::Empty)
    }

    /// The cell as a clerk would read it, for header detection and messages.
    pub fn display(&self) -> String {
        match *self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.to_string(),
            Cell::Number(n) => number_text(n),
            Cell::Date(serial) => excel_serial_date(serial)
                .map(|d| d.to_string())
                .unwrap_or_else(|| number_text(serial)),
            Cell::Bool(b) => bool_text(b).to_string(),
        }
    }
}

/// Whether a character whose UTF-8 encoding begins with `lead` can be white space
/// (`char::is_whitespace`): U+0009–U+000D and U+0020, and the few others, which all lie in
/// U+0080–U+00BF (0xC2) or U+1000–U+3FFF (0xE1–0xE3). Han characters begin 0xE4 and up.
fn may_begin_space(lead: u8) -> bool {
    matches!(lead, 0x09..=0x0d | b' ' | 0xc2 | 0xe1..=0xe3)
}

/// Why a cell could not be typed; `Display` is the clerk-facing tail of a reject reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeError {
    pub raw: String,
    pub expected: FieldType,
}

impl TypeError {
    /// `结算日期 "abc" 不是有效日期`.
    pub fn reason(&self, header: &str) -> String {
        let raw = &self.raw;
        let what = match self.expected {
            FieldType::Date => pick("有效日期", "a valid date"),
            FieldType::Amount => pick("有效金额", "a valid amount"),
            FieldType::Bool => pick("有效的是/否", "a valid yes/no"),
            FieldType::Text => pick("有效文本", "valid text"),
        };
        tr!(
            "{header} \"{raw}\" 不是{what}",
            "{header} \"{raw}\" is not {what}"
        )
    }
}

/// Types one cell for `field`. `Ok(None)` for an empty cell or a placeholder such as `-`.
pub fn type_cell(cell: Cell<'_>, field: Field) -> Result<Option<Value<Cow<'_, str>>>, TypeError> {
    let expected = field.field_type();
    let fail = || TypeError {
        raw: without_controls(&cell.display()).into_owned(),
        expected,
    };
    let value = match (expected, cell) {
        (_, Cell::Empty) => return Ok(None),
        (FieldType::Text, c) => {
            // A text cell is borrowed as read unless it must change: the piece copies it once.
            let text = match c {
                Cell::Text(s) => without_controls(s),
                other => {
                    let shown = other.display();
                    match without_controls(&shown) {
                        Cow::Borrowed(_) => Cow::Owned(shown),
                        cleaned => Cow::Owned(cleaned.into_owned()),
                    }
                }
            };
            // A cell starting with a printable ASCII byte is not blank: no need to trim it.
            let blank = match text.as_bytes().first() {
                Some(b) if b.is_ascii_graphic() => false,
                _ => text.trim().is_empty(),
            };
            if blank {
                return Ok(None);
            }
            Value::Text(text)
        }
        (FieldType::Date, Cell::Text(s)) => {
            if is_placeholder(s) {
                return Ok(None);
            }
            Value::Date(parse_date(s).ok_or_else(fail)?)
        }
        (FieldType::Date, Cell::Number(n)) => Value::Date(number_date(n).ok_or_else(fail)?),
        (FieldType::Date, Cell::Date(serial)) => {
            Value::Date(excel_serial_date(serial).ok_or_else(fail)?)
        }
        (FieldType::Amount, Cell::Text(s)) => {
            if is_placeholder(s) {
                return Ok(None);
            }
            Value::Amount(parse_amount(s).ok_or_else(fail)?)
        }
        (FieldType::Amount, Cell::Number(n)) if n.is_finite() => Value::Amount(n),
        (FieldType::Bool, Cell::Text(s)) => Value::Bool(parse_bool(s).ok_or_else(fail)?),
        (FieldType::Bool, Cell::Bool(b)) => Value::Bool(b),
        (FieldType::Bool, Cell::Number(n)) if n == 1.0 || n == 0.0 => Value::Bool(n == 1.0),
        _ => return Err(fail()),
    };
    Ok(Some(value))
}

/// A cell read as a date column reads it: text as clerks type dates (`parse_date`), a number
/// as yyyymmdd or an Excel serial, a date cell by Excel's 1900 date system.
pub fn cell_date(cell: Cell<'_>) -> Option<NaiveDate> {
    match cell {
        Cell::Text(s) => parse_date(s),
        Cell::Number(n) => number_date(n),
        Cell::Date(serial) => excel_serial_date(serial),
        Cell::Empty | Cell::Bool(_) => None,
    }
}

/// Text without control characters: a NUL or a stray escape in a name would break its link
/// to the rolls ("袁\0芳" is 袁芳) and travel into every list. Line breaks and tabs inside a
/// cell become spaces. Ingest cleans every text cell with it, and the report every cell it
/// writes.
pub fn without_controls(text: &str) -> Cow<'_, str> {
    if !has_control(text) {
        return text.into();
    }
    text.chars()
        .filter_map(|c| match c {
            '\n' | '\r' | '\t' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect::<String>()
        .into()
}

/// Whether `text` holds a control character (`char::is_control`: U+0000–U+001F and
/// U+007F–U+009F), read from its bytes: every text cell of a county passes here, and
/// decoding each character was a tenth of reading the claim lines. In UTF-8 those are the
/// bytes below 0x20, 0x7F, and 0xC2 followed by 0x80–0x9F.
fn has_control(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().any(|&b| b < 0x20 || b == 0x7f)
        || memchr::memchr_iter(0xc2, bytes)
            .any(|at| bytes.get(at + 1).is_some_and(|b| (0x80..=0x9f).contains(b)))
}

/// Marks clerks put in a cell to say "nothing here".
fn is_placeholder(s: &str) -> bool {
    matches!(
        s,
        "-" | "--" | "—" | "——" | "/" | "无" | "暂无" | "空" | "null" | "NULL" | "N/A" | "n/a"
    )
}

/// Parses 2021-03-05, 2021/3/5, 2021.3.5, 20210305, 2021年3月5日, `2021-03-05 10:22:00`,
/// `2021-03-05T10:22:00` and Excel serial numbers written as text (44260).
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    iso_date(text.as_bytes()).unwrap_or_else(|| any_date(text))
}

/// `parse_date` of trimmed text, every way of writing it.
fn any_date(text: &str) -> Option<NaiveDate> {
    // A time part after the date is dropped.
    let date_part = text
        .split(|c: char| c.is_whitespace() || c == 'T')
        .next()
        .unwrap_or("");
    let mut parts = [0u32; 3];
    let mut lens = [0usize; 3];
    let mut n = 0usize;
    let mut in_digits = false;
    let mut decimal_tail = false;
    for c in date_part.chars() {
        let digit = match c {
            '0'..='9' => Some(c as u32 - '0' as u32),
            '０'..='９' => Some(c as u32 - '０' as u32),
            _ => None,
        };
        match digit {
            Some(d) => {
                if !in_digits {
                    if n == 3 {
                        return None;
                    }
                    n += 1;
                    in_digits = true;
                }
                lens[n - 1] += 1;
                if lens[n - 1] > 8 {
                    return None;
                }
                parts[n - 1] = parts[n - 1] * 10 + d;
            }
            None => {
                if !matches!(
                    c,
                    '-' | '/' | '.' | '年' | '月' | '日' | '号' | '－' | '／' | '．'
                ) {
                    return None;
                }
                decimal_tail |= c == '.' && n == 1;
                in_digits = false;
            }
        }
    }
    match n {
        1 if lens[0] == 8 => ymd(
            (parts[0] / 10_000) as i32,
            parts[0] / 100 % 100,
            parts[0] % 100,
        ),
        1 if lens[0] == 5 => excel_serial_date(parts[0] as f64),
        // `44260.5`: a serial with a time fraction.
        2 if decimal_tail && lens[0] == 5 => excel_serial_date(parts[0] as f64),
        3 if lens[0] == 4 && lens[1] <= 2 && lens[2] <= 2 => {
            ymd(parts[0] as i32, parts[1], parts[2])
        }
        _ => None,
    }
}

/// `2021-03-05`, alone or before a space or `T` (a time part): how exports write dates,
/// read from the bytes. `None` for any other text, which the general reading takes; the
/// answer is the one it would give.
fn iso_date(b: &[u8]) -> Option<Option<NaiveDate>> {
    let digits = |range: std::ops::Range<usize>| {
        b[range].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let ends_date = b.len() == 10 || matches!(b.get(10), Some(b' ' | b'T'));
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' || !ends_date {
        return None;
    }
    let (y, m, d) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    Some(ymd(y as i32, m, d))
}

fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    if !(1900..=2200).contains(&y) {
        return None;
    }
    NaiveDate::from_ymd_opt(y, m, d)
}

/// A number in a date column: yyyymmdd typed as a number, else an Excel serial.
fn number_date(n: f64) -> Option<NaiveDate> {
    if n.fract() == 0.0 && (19_000_101.0..=22_001_231.0).contains(&n) {
        let v = n as u32;
        return ymd((v / 10_000) as i32, v / 100 % 100, v % 100);
    }
    excel_serial_date(n)
}

/// Excel's 1900 date system, including its phantom 1900-02-29 (serial 60).
pub fn excel_serial_date(serial: f64) -> Option<NaiveDate> {
    if !serial.is_finite() || !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let days = serial.floor() as i64;
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    let days = if days < 61 { days + 1 } else { days };
    let date = base.checked_add_signed(Duration::days(days))?;
    (date.year() <= 2200).then_some(date)
}

/// Parses `52,310.00`, `1234.5元`, `￥800`, `¥ 1 200`.
pub fn parse_amount(text: &str) -> Option<f64> {
    let text = text.trim();
    if let Some(v) = plain_decimal(text.as_bytes()) {
        return Some(v);
    }
    if let Ok(v) = text.parse::<f64>() {
        return v.is_finite().then_some(v);
    }
    let cleaned: String = text
        .chars()
        .filter(|c| !matches!(c, ',' | '，' | '元' | '￥' | '¥' | ' ' | '\u{3000}'))
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '．' => '.',
            '－' => '-',
            c => c,
        })
        .collect();
    // `inf`/`nan` parse as floats but are no amount.
    if cleaned.is_empty()
        || !cleaned
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
    {
        return None;
    }
    cleaned.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// `1433.74` or `-12`: digits, then at most one dot and up to six digits, at most fifteen
/// digits in all, as every amount of an export is written; `None` for anything else.
/// The digits make an integer below 2^53 and the divisor is an exact power of ten, so the
/// one rounded division gives the nearest double, as `str::parse` does.
fn plain_decimal(b: &[u8]) -> Option<f64> {
    const TENS: [f64; 7] = [1.0, 10.0, 100.0, 1_000.0, 10_000.0, 100_000.0, 1_000_000.0];
    let (negative, b) = match b.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, b),
    };
    let (whole, fraction) = match b.iter().position(|&c| c == b'.') {
        Some(dot) => (&b[..dot], &b[dot + 1..]),
        None => (b, &b[..0]),
    };
    let plain = !whole.is_empty()
        && (b.len() == whole.len() || !fraction.is_empty())
        && fraction.len() < TENS.len()
        && whole.len() + fraction.len() <= 15;
    if !plain {
        return None;
    }
    let mantissa = whole.iter().chain(fraction).try_fold(0u64, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + u64::from(c - b'0'))
    })?;
    let value = mantissa as f64 / TENS[fraction.len()];
    Some(if negative { -value } else { value })
}

/// Parses 是/否, Y/N, 有/无, true/false, 1/0, √/×, and 已…/未… (已参保, 未参保).
pub fn parse_bool(text: &str) -> Option<bool> {
    let t = text.trim();
    match t {
        "是" | "有" | "1" | "√" | "✓" | "对" => return Some(true),
        "否" | "无" | "0" | "×" | "✗" | "没有" => return Some(false),
        _ => {}
    }
    if ["y", "yes", "true"]
        .iter()
        .any(|w| t.eq_ignore_ascii_case(w))
    {
        return Some(true);
    }
    if ["n", "no", "false"]
        .iter()
        .any(|w| t.eq_ignore_ascii_case(w))
    {
        return Some(false);
    }
    if t.starts_with('已') {
        Some(true)
    } else if t.starts_with('未') || t.starts_with('不') || t.starts_with('没') {
        Some(false)
    } else {
        None
    }
}

fn bool_text(b: bool) -> &'static str {
    if b {
        "是"
    } else {
        "否"
    }
}

/// A number cell shown as text. Whole numbers print without `.0`, so an ID or phone typed as a
/// number comes out as its digits; beyond 15 significant digits Excel has already rounded, and
/// the zeros it shows (`410123199001011000`) are kept so normalise can tell the ID is damaged.
pub fn number_text(n: f64) -> String {
    if !n.is_finite() {
        return n.to_string();
    }
    if n.fract() != 0.0 {
        return n.to_string();
    }
    if n.abs() < 1e15 {
        return format!("{n:.0}");
    }
    let sci = format!("{:.14e}", n.abs());
    let Some((mantissa, exp)) = sci.split_once('e') else {
        return format!("{n:.0}");
    };
    let Ok(exp) = exp.parse::<usize>() else {
        return format!("{n:.0}");
    };
    let mut digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if digits.len() > exp + 1 {
        digits.truncate(exp + 1);
    }
    while digits.len() < exp + 1 {
        digits.push('0');
    }
    if n < 0.0 {
        digits.insert(0, '-');
    }
    digits
}

#[cfg(test)]
mod tests {
    use super::*;

    /// No white-space character begins with a byte `may_begin_space` rules out, and cells
    /// are trimmed as before on both paths.
    #[test]
    fn spaces_begin_only_where_the_quick_test_looks() {
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            let mut lead = [0u8; 4];
            c.encode_utf8(&mut lead);
            assert!(!c.is_whitespace() || may_begin_space(lead[0]), "{c:?}");
        }
        for (text, cell) in [
            ("张三", Cell::Text("张三")),
            (" 张三\u{3000}", Cell::Text("张三")),
            (
                "\u{a0}41012319900101123X\t",
                Cell::Text("41012319900101123X"),
            ),
            ("、", Cell::Text("、")),
            ("\u{2003}", Cell::Empty),
            ("", Cell::Empty),
        ] {
            assert_eq!(Cell::text(text), cell, "{text:?}");
        }
    }

    /// Plain decimals read from their bytes are the doubles `str::parse` gives, bit for
    /// bit; other spellings are left to it.
    #[test]
    fn plain_decimals_are_the_doubles_parse_gives() {
        let mut texts: Vec<String> = [
            "0",
            "-0",
            "-0.00",
            "1433.74",
            "0.1",
            "0.3",
            "2.675",
            "999999999999999",
            "123456789.012345",
            "100000000000000.0",
            "7.",
            ".5",
            "+5",
            "1e3",
            "1.2.3",
            "-",
            "12a",
            "1,433.74",
            "0.0000001",
        ]
        .map(String::from)
        .to_vec();
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let cents = x % 10_000_000_000;
            texts.push(format!("{}.{:02}", cents / 100, cents % 100));
            texts.push(format!(
                "{}.{:06}",
                (x >> 20) % 1_000_000_000,
                x % 1_000_000
            ));
        }
        for text in &texts {
            match plain_decimal(text.as_bytes()) {
                Some(v) => assert_eq!(
                    v.to_bits(),
                    text.parse::<f64>().unwrap().to_bits(),
                    "{text}"
                ),
                None => assert!(
                    [
                        ".5",
                        "+5",
                        "1e3",
                        "1.2.3",
                        "-",
                        "12a",
                        "1,433.74",
                        "7.",
                        "0.0000001",
                        "100000000000000.0",
                    ]
                    .contains(&text.as_str()),
                    "{text}"
                ),
            }
        }
    }

    /// The ISO fast path answers as the general reading does, on dates it takes and on
    /// near misses it leaves to it.
    #[test]
    fn iso_dates_read_fast_as_the_general_reading_reads_them() {
        for text in [
            "2019-03-23",
            "2019-03-23 00:00:00",
            "2019-03-23T10:22:00",
            "2019-02-30",
            "2019-13-01",
            "1899-12-31",
            "2019-3-23",
            "2019-03-2",
            "2019-03-23x",
            "2019-03-23\u{3000}09:00",
            "20190323",
            "2019/03/23",
            "2019-0a-23",
        ] {
            assert_eq!(parse_date(text), any_date(text), "{text:?}");
        }
        assert_eq!(iso_date(b"2019-03-23 00:00:00"), Some(Some(d(2019, 3, 23))));
        assert_eq!(iso_date(b"2019-02-30"), Some(None));
        assert_eq!(iso_date(b"2019/03/23"), None);
    }

    /// The byte test agrees with `char::is_control` on every character class it reads:
    /// ASCII controls and DEL, C1 controls (U+0080–U+009F, 0xC2 0x80–0x9F), and their
    /// neighbours that are no controls (U+00A0, U+00FF, Han, fullwidth).
    #[test]
    fn control_characters_are_found_from_the_bytes_as_from_the_chars() {
        let mut texts: Vec<String> = (0u32..0x200)
            .chain([0x3000, 0x4e2d, 0xff10, 0x1f600])
            .filter_map(char::from_u32)
            .map(|c| format!("张{c}三"))
            .collect();
        texts
            .extend(["", "410123199001011234", "袁\u{0}芳", "a\u{85}", "\u{9f}"].map(String::from));
        for text in &texts {
            assert_eq!(
                has_control(text),
                text.chars().any(char::is_control),
                "{text:?}"
            );
        }
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn dates_as_clerks_type_them() {
        for text in [
            "2021-03-05",
            "2021/3/5",
            "2021.3.5",
            "20210305",
            "2021年3月5日",
            "2021-03-05 10:22:00",
            "2021-03-05T10:22:00",
            " 2021-3-05 ",
            "２０２１年３月５日",
            "44260",
        ] {
            assert_eq!(parse_date(text), Some(d(2021, 3, 5)), "{text}");
        }
    }

    #[test]
    fn impossible_or_foreign_dates_fail() {
        for text in [
            "abc",
            "2021-02-30",
            "2021-13-01",
            "2021年3月",
            "20211305",
            "1234",
            "3/5/2021",
            "2021-03-05-07",
        ] {
            assert_eq!(parse_date(text), None, "{text}");
        }
    }

    #[test]
    fn excel_serials_follow_the_1900_system() {
        assert_eq!(excel_serial_date(1.0), Some(d(1900, 1, 1)));
        assert_eq!(excel_serial_date(59.0), Some(d(1900, 2, 28)));
        assert_eq!(excel_serial_date(61.0), Some(d(1900, 3, 1)));
        assert_eq!(excel_serial_date(44260.75), Some(d(2021, 3, 5)));
        assert_eq!(excel_serial_date(0.0), None);
        assert_eq!(excel_serial_date(f64::NAN), None);
    }

    #[test]
    fn numbers_in_date_columns() {
        assert_eq!(number_date(20210305.0), Some(d(2021, 3, 5)));
        assert_eq!(number_date(44260.0), Some(d(2021, 3, 5)));
    }

    #[test]
    fn amounts_with_separators_and_units() {
        assert_eq!(parse_amount("52,310.00"), Some(52310.0));
        assert_eq!(parse_amount("1234.5元"), Some(1234.5));
        assert_eq!(parse_amount("￥800"), Some(800.0));
        assert_eq!(parse_amount("¥ 1 200"), Some(1200.0));
        assert_eq!(parse_amount("-35.5"), Some(-35.5));
        assert_eq!(parse_amount("１２３"), Some(123.0));
        assert_eq!(parse_amount("abc"), None);
        assert_eq!(parse_amount("inf"), None);
        assert_eq!(parse_amount("NaN"), None);
    }

    #[test]
    fn booleans() {
        for t in ["是", "Y", "y", "有", "true", "TRUE", "1", "已参保"] {
            assert_eq!(parse_bool(t), Some(true), "{t}");
        }
        for t in ["否", "N", "无", "false", "0", "未参保", "不领取"] {
            assert_eq!(parse_bool(t), Some(false), "{t}");
        }
        assert_eq!(parse_bool("也许"), None);
    }

    #[test]
    fn id_numbers_typed_as_numbers_keep_their_digits() {
        assert_eq!(number_text(13800138000.0), "13800138000");
        assert_eq!(number_text(410123199001011000.0), "410123199001011000");
        assert_eq!(number_text(12.5), "12.5");
    }

    #[test]
    fn typing_cells_per_field() {
        let date = type_cell(Cell::Text("abc"), Field::SettlementDate).unwrap_err();
        assert_eq!(date.reason("结算日期"), "结算日期 \"abc\" 不是有效日期");
        assert_eq!(
            type_cell(Cell::Date(44260.0), Field::SettlementDate),
            Ok(Some(Value::Date(d(2021, 3, 5))))
        );
        assert_eq!(type_cell(Cell::Text("-"), Field::OutOfPocket), Ok(None));
        assert_eq!(
            type_cell(Cell::Number(410123199001011234.0), Field::IdNumber),
            Ok(Some(Value::Text("410123199001011000".into())))
        );
        assert_eq!(
            type_cell(Cell::Text("410123199001011234"), Field::IdNumber),
            Ok(Some(Value::Text("410123199001011234".into())))
        );
        assert_eq!(
            type_cell(Cell::Number(1.0), Field::Insured),
            Ok(Some(Value::Bool(true)))
        );
        assert_eq!(type_cell(Cell::Empty, Field::Name), Ok(None));
    }
}
