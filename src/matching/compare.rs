//! Comparison levels: how two person records agree, field by field. Pure and symmetric, so
//! a pair scores the same from either side.

use chrono::Datelike;

use crate::model::{IdQuality, PersonRecord, ResidentId};

/// Resident ID. `Prefix(p)`: the first `p` digits agree, where `p` is the shorter reliable
/// prefix — an ID that Excel destroyed still holds its leading digits, and those are
/// compared as a prefix, never by edit distance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdLevel {
    Equal,
    OneDigit,
    Transposed,
    SameBirthDate,
    Different,
    /// The 15 digits of an old 15-digit ID agree; only the century the upgrade inferred
    /// (and the check character computed from it) differ.
    Same15,
    Prefix(u8),
}

/// Shortest prefix that says anything (the region code).
pub const MIN_PREFIX: u8 = 6;
/// Levels before the prefix levels.
pub const FIXED_ID_LEVELS: usize = 6;
pub const ID_LEVELS: usize = FIXED_ID_LEVELS + (18 - MIN_PREFIX as usize);

impl IdLevel {
    pub fn index(self) -> usize {
        match self {
            IdLevel::Equal => 0,
            IdLevel::OneDigit => 1,
            IdLevel::Transposed => 2,
            IdLevel::SameBirthDate => 3,
            IdLevel::Different => 4,
            IdLevel::Same15 => 5,
            IdLevel::Prefix(p) => {
                FIXED_ID_LEVELS + usize::from(p.clamp(MIN_PREFIX, 17) - MIN_PREFIX)
            }
        }
    }
    pub fn label(self) -> String {
        match self {
            IdLevel::Equal => "一致".into(),
            IdLevel::OneDigit => "一位不同".into(),
            IdLevel::Transposed => "相邻颠倒".into(),
            IdLevel::SameBirthDate => "出生日期相同".into(),
            IdLevel::Different => "不同".into(),
            IdLevel::Same15 => "15位号码一致".into(),
            IdLevel::Prefix(p) => format!("前缀一致(前{p}位)"),
        }
    }
}

/// Birth date, compared only when one side has no ID digits at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BirthLevel {
    Equal,
    SameYear,
    Different,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameLevel {
    Equal,
    SamePinyin,
    OneCharApart,
    Different,
}

/// Township and village together: village agreement implies township agreement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaceLevel {
    SameVillage,
    SameTownship,
    OtherVillage,
    OtherTownship,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agree {
    Equal,
    Different,
}

impl Agree {
    fn of(equal: bool) -> Agree {
        if equal {
            Agree::Equal
        } else {
            Agree::Different
        }
    }
}

/// A pair's levels; `None` where a side lacks the field (weight 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Comparison {
    pub id: Option<IdLevel>,
    pub birth: Option<BirthLevel>,
    pub name: Option<NameLevel>,
    pub place: Option<PlaceLevel>,
    pub phone: Option<Agree>,
    pub household: Option<Agree>,
    pub sex: Option<Agree>,
}

pub fn compare(a: &PersonRecord, b: &PersonRecord) -> Comparison {
    let id = compare_id(a, b);
    let birth = match (id, a.birth_date, b.birth_date) {
        (None, Some(x), Some(y)) => Some(if x == y {
            BirthLevel::Equal
        } else if x.year() == y.year() {
            BirthLevel::SameYear
        } else {
            BirthLevel::Different
        }),
        _ => None,
    };
    Comparison {
        id,
        birth,
        name: compare_name(a, b),
        place: compare_place(a, b),
        phone: (!a.phones.is_empty() && !b.phones.is_empty())
            .then(|| Agree::of(a.phones.iter().any(|p| b.phones.contains(p)))),
        household: match (&a.household_id, &b.household_id) {
            (Some(x), Some(y)) => Some(Agree::of(x == y)),
            _ => None,
        },
        // The sex digit of an ID ending in Excel's `000` may be padding.
        sex: match (a.sex, b.sex) {
            (Some(x), Some(y)) if !zero_padded(a) && !zero_padded(b) => Some(Agree::of(x == y)),
            _ => None,
        },
    }
}

/// A valid ID that may still be damaged: one ending in `000` (Excel pads a rounded
/// number with zeros, and one padded ID in eleven passes the check by chance), or one
/// upgraded from 15 digits (its century is inferred, not read). Such a record joins its
/// exact-ID group and is also matched like a damaged one.
pub fn is_suspect(id: &ResidentId) -> bool {
    id.quality.is_valid()
        && (id.quality == IdQuality::Upgraded15 || id.digits.as_bytes().ends_with(b"000"))
}

/// Digits of an ID and how many leading ones can be trusted (18 for a valid ID, 15 for
/// one ending in Excel's `000`).
fn id_digits(r: &PersonRecord) -> Option<(&[u8], usize)> {
    let id = r.id.as_ref()?;
    let d = id.digits.as_bytes();
    if d.is_empty() {
        return None;
    }
    let reliable = if !id.quality.is_valid() {
        usize::from(id.reliable_prefix).min(d.len())
    } else if d.ends_with(b"000") {
        15
    } else {
        18
    };
    Some((d, reliable))
}

fn zero_padded(r: &PersonRecord) -> bool {
    r.id.as_ref()
        .is_some_and(|id| id.quality.is_valid() && id.digits.as_bytes().ends_with(b"000"))
}

fn upgraded15(r: &PersonRecord) -> bool {
    r.id.as_ref()
        .is_some_and(|id| id.quality == IdQuality::Upgraded15)
}

fn compare_id(a: &PersonRecord, b: &PersonRecord) -> Option<IdLevel> {
    let (da, ra) = id_digits(a)?;
    let (db, rb) = id_digits(b)?;
    if da == db {
        return Some(IdLevel::Equal);
    }
    // Region, 2-digit year, month, day and sequence are what a 15-digit ID holds.
    if (upgraded15(a) || upgraded15(b))
        && da.len() == 18
        && db.len() == 18
        && da[..6] == db[..6]
        && da[8..17] == db[8..17]
    {
        return Some(IdLevel::Same15);
    }
    if da.len() == db.len() {
        // Hot loop: look at the first three differing positions without allocating.
        let mut diffs = (0..da.len()).filter(|&i| da[i] != db[i]);
        match (diffs.next(), diffs.next(), diffs.next()) {
            (Some(_), None, _) => return Some(IdLevel::OneDigit),
            (Some(i), Some(j), None) if j == i + 1 && da[i] == db[j] && da[j] == db[i] => {
                return Some(IdLevel::Transposed)
            }
            _ => {}
        }
    } else if da.len().abs_diff(db.len()) == 1 && one_deletion_apart(da, db) {
        return Some(IdLevel::OneDigit);
    }
    // A prefix comparison only means something when one side is damaged (a shorter
    // reliable prefix) and the whole of that prefix agrees.
    let reliable = ra.min(rb);
    if reliable < 18 && reliable >= usize::from(MIN_PREFIX) && da[..reliable] == db[..reliable] {
        return Some(IdLevel::Prefix(reliable.min(17) as u8));
    }
    match (a.birth_date, b.birth_date) {
        (Some(x), Some(y)) if x == y => Some(IdLevel::SameBirthDate),
        _ => Some(IdLevel::Different),
    }
}

/// The longer slice with one element removed is the shorter one.
fn one_deletion_apart<T: PartialEq>(x: &[T], y: &[T]) -> bool {
    let (short, long) = if x.len() < y.len() { (x, y) } else { (y, x) };
    let first = short
        .iter()
        .zip(long)
        .position(|(s, l)| s != l)
        .unwrap_or(short.len());
    short[first..] == long[first + 1..]
}

/// The longer string with one character removed is the shorter one.
fn one_char_dropped(x: &str, y: &str) -> bool {
    let (short, long) = if x.len() < y.len() { (x, y) } else { (y, x) };
    let split = short
        .char_indices()
        .zip(long.chars())
        .find(|((_, c), d)| c != d)
        .map_or(short.len(), |((i, _), _)| i);
    let dropped = long[split..].chars().next().map_or(0, char::len_utf8);
    short[split..] == long[split + dropped..]
}

fn compare_name(a: &PersonRecord, b: &PersonRecord) -> Option<NameLevel> {
    let (x, y) = (a.name.as_ref()?, b.name.as_ref()?);
    if x.key.is_empty() || y.key.is_empty() {
        return None;
    }
    if x.key == y.key {
        return Some(NameLevel::Equal);
    }
    if !x.pinyin.is_empty() && x.pinyin == y.pinyin {
        return Some(NameLevel::SamePinyin);
    }
    let (nx, ny) = (x.key.chars().count(), y.key.chars().count());
    let one_apart = if nx == ny {
        x.key
            .chars()
            .zip(y.key.chars())
            .filter(|(p, q)| p != q)
            .count()
            == 1
    } else {
        nx.abs_diff(ny) == 1 && one_char_dropped(&x.key, &y.key)
    };
    Some(if one_apart {
        NameLevel::OneCharApart
    } else {
        NameLevel::Different
    })
}

fn compare_place(a: &PersonRecord, b: &PersonRecord) -> Option<PlaceLevel> {
    let villages = match (&a.village, &b.village) {
        (Some(x), Some(y)) => Some(x == y),
        _ => None,
    };
    match (&a.township, &b.township) {
        (Some(x), Some(y)) if x != y => Some(PlaceLevel::OtherTownship),
        (Some(_), Some(_)) => Some(match villages {
            Some(true) => PlaceLevel::SameVillage,
            Some(false) => PlaceLevel::OtherVillage,
            None => PlaceLevel::SameTownship,
        }),
        // Without both townships only an agreeing village says something.
        _ => (villages == Some(true)).then_some(PlaceLevel::SameVillage),
    }
}
