//! Resident ID numbers (GB 11643-1999) and 20-digit disability certificate numbers.
//!
//! An ID is 6 region digits, 8 birth-date digits, 3 sequence digits (odd = male) and an
//! ISO 7064 MOD 11-2 check character. Parsing never fails on a non-blank cell: what cannot be
//! validated is kept as a *damaged* `ResidentId` whose `reliable_prefix` says how many leading
//! characters still deserve trust, so linkage can use it as fuzzy evidence.
//!
//! Damaged digits are kept in the 18-character layout whenever the original length is known
//! (a 15-digit ID gets its `19` inserted), so position `i` always means the same thing.

use std::sync::LazyLock;

use chrono::NaiveDate;

use crate::idcheck::check_byte;
use crate::model::{DisabilityCategory, IdQuality, ResidentId, Sex};

/// The check-digit arithmetic lives in `crate::idcheck`, shared with linkage.
pub use crate::idcheck::check_char;

/// Cleaned characters kept on the stack; anything longer is certainly not an ID.
const MAX_CLEAN: usize = 40;

/// A double holds 15 significant decimal digits faithfully; digits Excel or a float
/// formatter printed beyond that are rounding noise.
const FLOAT_DIGITS: usize = 15;

/// Birth dates after the run date are impossible; read once so a run is consistent.
static TODAY: LazyLock<NaiveDate> = LazyLock::new(|| chrono::Local::now().date_naive());

/// Parses a resident ID cell in any of the forms clerks and Excel produce.
/// `None` only when the cell holds no digit at all (blank, `无`, `/`).
pub fn parse_resident_id(raw: &str) -> Option<ResidentId> {
    let cleaned = Cleaned::new(raw);
    if !cleaned.has_digit() {
        return None;
    }
    if cleaned.foreign || cleaned.overflow {
        return Some(wrong_length(&digits_only(cleaned.bytes())));
    }
    if cleaned.float_syntax {
        return Some(classify_float(cleaned.bytes()));
    }
    Some(classify(cleaned.bytes(), cleaned.changed))
}

/// A disability certificate number: the holder's ID, then category and grade digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    /// Quality `FromCertificate` when the embedded ID is valid, else the damage found.
    pub id: ResidentId,
    pub category: DisabilityCategory,
    /// 1 (most severe) to 4.
    pub grade: u8,
}

/// Parses a 20-character certificate number (`<18-char ID><category 1-7><grade 1-4>`).
/// `None` when blank or not of that shape.
pub fn parse_certificate(raw: &str) -> Option<Certificate> {
    let cleaned = Cleaned::new(raw);
    if cleaned.foreign || cleaned.overflow || cleaned.float_syntax {
        return None;
    }
    let b = cleaned.bytes();
    let shape_ok = b.len() == 20
        && b[..17].iter().all(u8::is_ascii_digit)
        && (b[17].is_ascii_digit() || b[17] == b'X')
        && (b'1'..=b'7').contains(&b[18])
        && (b'1'..=b'4').contains(&b[19]);
    if !shape_ok {
        return None;
    }
    let mut id = classify(&b[..18], false);
    if id.quality.is_valid() {
        id.quality = IdQuality::FromCertificate;
    }
    Some(Certificate {
        id,
        category: DisabilityCategory::from_digit(u32::from(b[18] - b'0'))?,
        grade: b[19] - b'0',
    })
}

/// Birth date of a valid ID, or of a damaged one whose region and date digits survived.
pub fn birth_date(id: &ResidentId) -> Option<NaiveDate> {
    let b = id.digits.as_bytes();
    if id.reliable_prefix < 14 || b.len() < 14 {
        return None;
    }
    date_at(&b[6..14])
}

/// Sex from the parity of the sequence code, when that digit is trustworthy.
pub fn sex(id: &ResidentId) -> Option<Sex> {
    let b = id.digits.as_bytes();
    if id.reliable_prefix < 17 || b.len() < 17 || !b[16].is_ascii_digit() {
        return None;
    }
    Some(if (b[16] - b'0') % 2 == 1 {
        Sex::Male
    } else {
        Sex::Female
    })
}

/// The 6-digit administrative region code of the registered residence.
pub fn region(id: &ResidentId) -> Option<&str> {
    (id.reliable_prefix >= 6 && id.digits.len() >= 6).then(|| &id.digits[..6])
}

/// A cell reduced to ID characters (`0-9`, `X`) plus float syntax, without allocating.
struct Cleaned {
    buf: [u8; MAX_CLEAN],
    len: usize,
    /// Something besides outer whitespace was removed or rewritten.
    changed: bool,
    /// `.`, `E` or `+` seen: Excel or a float formatter wrote the number.
    float_syntax: bool,
    /// A character that belongs in no form of an ID (letters, CJK).
    foreign: bool,
    overflow: bool,
}

impl Cleaned {
    fn new(raw: &str) -> Cleaned {
        let mut c = Cleaned {
            buf: [0; MAX_CLEAN],
            len: 0,
            changed: false,
            float_syntax: false,
            foreign: false,
            overflow: false,
        };
        for ch in raw.trim().chars() {
            let byte = match ch {
                '0'..='9' | 'X' => ch as u8,
                'x' | 'Ｘ' | 'ｘ' => {
                    c.changed = true;
                    b'X'
                }
                '０'..='９' => {
                    c.changed = true;
                    b'0' + (ch as u32 - '０' as u32) as u8
                }
                '.' | '．' | 'E' | 'e' | '+' => {
                    c.float_syntax = true;
                    match ch {
                        '．' => b'.',
                        'e' => b'E',
                        _ => ch as u8,
                    }
                }
                '-' | '－' | '—' | '–' | '_' | '\'' | '‘' | '’' | '`' | '"' | '“' | '”' =>
                {
                    c.changed = true;
                    continue;
                }
                _ if ch.is_whitespace() => {
                    c.changed = true;
                    continue;
                }
                _ => {
                    c.foreign = true;
                    continue;
                }
            };
            if c.len == MAX_CLEAN {
                c.overflow = true;
                break;
            }
            c.buf[c.len] = byte;
            c.len += 1;
        }
        c
    }

    fn bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    fn has_digit(&self) -> bool {
        self.bytes().iter().any(u8::is_ascii_digit)
    }
}

/// Classifies plain ID characters (no float syntax).
fn classify(b: &[u8], reformatted: bool) -> ResidentId {
    let digits_before_last = b.len() > 1 && b[..b.len() - 1].iter().all(u8::is_ascii_digit);
    match b.len() {
        18 if digits_before_last && (b[17].is_ascii_digit() || b[17] == b'X') => {
            let check_ok = check_byte(&b[..17]) == b[17];
            let date_ok = date_at(&b[6..14]).is_some();
            let (quality, reliable) = match (check_ok, date_ok) {
                (true, true) if reformatted => (IdQuality::Reformatted, 18),
                (true, true) => (IdQuality::Clean, 18),
                // Excel keeps 15 significant digits and pads with zeros.
                (false, _) if &b[15..] == b"000" => (IdQuality::Trailing000, 15),
                (_, false) => (IdQuality::BadDate, 6),
                (false, true) => (IdQuality::BadCheck, 17),
            };
            id(b, quality, reliable)
        }
        15 if b.iter().all(u8::is_ascii_digit) => {
            let mut upgraded = [0u8; 18];
            upgraded[..6].copy_from_slice(&b[..6]);
            upgraded[6..8].copy_from_slice(b"19");
            upgraded[8..17].copy_from_slice(&b[6..]);
            if date_at(&upgraded[6..14]).is_none() {
                return id(&upgraded[..17], IdQuality::BadDate, 6);
            }
            upgraded[17] = check_byte(&upgraded[..17]);
            id(&upgraded, IdQuality::Upgraded15, 18)
        }
        _ => wrong_length(b),
    }
}

/// Float text: `4.10123199001E+17`, `4.10123199001011E17`, `410123199001011000.0`.
fn classify_float(b: &[u8]) -> ResidentId {
    let (mantissa, exponent) = match b.iter().position(|&c| c == b'E') {
        Some(at) => (&b[..at], Some(&b[at + 1..])),
        None => (b, None),
    };
    let (int_part, frac_part) = match mantissa.iter().position(|&c| c == b'.') {
        Some(at) => (&mantissa[..at], &mantissa[at + 1..]),
        None => (mantissa, &[][..]),
    };
    let all_digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    if !all_digits(int_part) || !all_digits(frac_part) || int_part.is_empty() {
        return wrong_length(&digits_only(b));
    }
    let Some(exponent) = exponent else {
        // Decimal form: an integer printed with a zero fraction reads as its integer part.
        if frac_part.iter().all(|&c| c == b'0') {
            return classify(int_part, true);
        }
        return wrong_length(&digits_only(b));
    };
    let exponent = exponent.strip_prefix(b"+").unwrap_or(exponent);
    let exponent = std::str::from_utf8(exponent)
        .ok()
        .and_then(|e| e.parse::<usize>().ok());
    let (Some(exponent), [lead]) = (exponent, int_part) else {
        return wrong_length(&digits_only(b));
    };
    let mut present = Vec::with_capacity(MAX_CLEAN);
    present.push(*lead);
    present.extend_from_slice(frac_part);
    let length = exponent + 1;
    if present.len() >= length {
        // Every digit was written out; the rest must be zeros after the point.
        if present[length..].iter().all(|&c| c == b'0') {
            return classify(&present[..length], true);
        }
        return wrong_length(&present);
    }
    let reliable = present.len().min(FLOAT_DIGITS);
    match length {
        18 => id(&present, IdQuality::ExcelFloat, reliable as u8),
        // A 15-digit ID lost its tail: move the survivors into the 18-digit layout.
        15 if present.len() >= 6 => {
            let mut layout = Vec::with_capacity(present.len() + 2);
            layout.extend_from_slice(&present[..6]);
            layout.extend_from_slice(b"19");
            layout.extend_from_slice(&present[6..]);
            id(&layout, IdQuality::ExcelFloat, reliable as u8 + 2)
        }
        15 => id(&present, IdQuality::ExcelFloat, reliable as u8),
        _ => wrong_length(&present),
    }
}

fn digits_only(b: &[u8]) -> Vec<u8> {
    b.iter()
        .copied()
        .filter(|c| c.is_ascii_digit() || *c == b'X')
        .collect()
}

/// Neither 15 nor 18 ID characters. A 17-digit cell with a real date most likely lost its
/// check character (often an `X`); otherwise only region and date can be vouched for.
fn wrong_length(b: &[u8]) -> ResidentId {
    let plausible =
        b.len() >= 14 && b[..14].iter().all(u8::is_ascii_digit) && date_at(&b[6..14]).is_some();
    let reliable = match (plausible, b.len()) {
        (true, 17) => 17,
        (true, _) => 14,
        (false, _) => 0,
    };
    id(b, IdQuality::WrongLength, reliable)
}

fn id(b: &[u8], quality: IdQuality, reliable_prefix: u8) -> ResidentId {
    ResidentId {
        // Only ASCII digits and `X` reach here.
        digits: b.iter().map(|&c| char::from(c)).collect(),
        quality,
        reliable_prefix,
    }
}

/// `YYYYMMDD` as a real calendar date between 1900 and today.
fn date_at(b: &[u8]) -> Option<NaiveDate> {
    if b.len() != 8 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let num = |s: &[u8]| s.iter().fold(0u32, |n, c| n * 10 + u32::from(c - b'0'));
    let year = num(&b[..4]) as i32;
    if year < 1900 {
        return None;
    }
    NaiveDate::from_ymd_opt(year, num(&b[4..6]), num(&b[6..8])).filter(|d| *d <= *TODAY)
}
