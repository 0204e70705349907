//! Comparison levels: how two person records agree, field by field. Pure and symmetric, so
//! a pair scores the same from either side.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::Arc;

use chrono::Datelike;

use rayon::prelude::*;

use super::hash;
use crate::model::{IdQuality, PersonRecord, Sex};

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
    pub fn label(self) -> Cow<'static, str> {
        match self {
            IdLevel::Equal => "一致".into(),
            IdLevel::OneDigit => "一位不同".into(),
            IdLevel::Transposed => "相邻颠倒".into(),
            IdLevel::SameBirthDate => "出生日期相同".into(),
            IdLevel::Different => "不同".into(),
            IdLevel::Same15 => "15位号码一致".into(),
            IdLevel::Prefix(p) => format!("前缀一致(前{p}位)").into(),
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

/// Longest ID (in characters) that is compared; anything longer is not an ID.
const MAX_ID: usize = 20;
/// Phones compared per record (no real record lists more).
const MAX_PHONES: usize = 3;
/// Name characters held inline; a longer name is read from its record.
const INLINE_NAME: usize = 4;

/// A record's fields as compared: the ID inline, text as 64-bit hashes (0: absent), so
/// that scoring millions of pairs reads one small struct per record instead of a dozen
/// heap strings. Built once per record, held once per run of equal ones (`RecordFields`).
/// Aligned to 128 bytes: each one is exactly the pair of cache lines that the processor's
/// adjacent-line prefetch fetches together, so a random read costs one miss, not two.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(align(128))]
pub struct Fields {
    id: [u8; MAX_ID],
    id_len: u8,
    /// Leading ID characters that can be trusted: 18 for a valid ID, 15 for one ending in
    /// Excel's `000`, the normaliser's reliable prefix for a damaged one.
    reliable: u8,
    upgraded15: bool,
    zero_padded: bool,
    valid: bool,
    /// Days since the common era, and the year.
    birth: Option<(i32, i32)>,
    sex: Option<Sex>,
    /// Name key; 0 when missing or empty.
    pub name: u64,
    /// The name key's characters, so that telling a one-character typo from another name
    /// reads no record; `name_len` above `INLINE_NAME`: too long, read the record.
    name_chars: [char; INLINE_NAME],
    name_len: u8,
    pinyin: u64,
    /// A name is present (its key may still be empty): see `sound`.
    named: bool,
    pub township: u64,
    village: u64,
    pub household: u64,
    phones: [u64; MAX_PHONES],
    phone_count: u8,
    /// From a roll (the nearest miss a clerk wants is a roll record).
    pub roll: bool,
    /// Exact-ID group, `exact::NONE` without a valid ID: read here so that scoring a pair
    /// touches no other array.
    pub group: u32,
}

/// Every record's compared fields, each distinct run held once: a person's claim lines
/// follow one another and compare equal (a generated 600,000-resident county's 2,356,963
/// records are 326,205 runs), so one `Fields` per run and a run number per record hold the
/// same view in a fraction of the memory. Indexed by record; passes that
/// count or key records can walk the runs instead.
pub struct RecordFields {
    runs: Vec<Fields>,
    /// Run `k` is records `starts[k]..starts[k + 1]`.
    starts: Vec<u32>,
    run_of: Vec<u32>,
    /// Record `r` stands for source rows `line_starts[r]..line_starts[r + 1]` of all
    /// records' rows: the weights count rows (claim lines), not records.
    line_starts: Vec<u32>,
    /// The record of every `LINE_STRIDE`th row: a row's record is searched among a few
    /// records from there, not among all (the weights look up 400,000 random rows).
    line_index: Vec<u32>,
}

/// Rows between two entries of `RecordFields::line_index`.
const LINE_STRIDE: usize = 64;

/// Records per parallel chunk when gathering runs; a run cut at a chunk boundary is held
/// twice, which changes nothing but memory.
const FIELDS_CHUNK: usize = 1 << 14;

impl RecordFields {
    pub fn of(records: &[PersonRecord]) -> RecordFields {
        // Per chunk: its runs and the first record of each, counted from the chunk's start.
        let chunks: Vec<(Vec<Fields>, Vec<u32>)> = records
            .par_chunks(FIELDS_CHUNK)
            .map(|chunk| {
                let (mut runs, mut starts) = (Vec::new(), Vec::new());
                for (i, r) in chunk.iter().enumerate() {
                    if i > 0 && Fields::same_source(&chunk[i - 1], r) {
                        continue;
                    }
                    let f = Fields::of(r, super::exact::NONE);
                    if runs.last() != Some(&f) {
                        runs.push(f);
                        starts.push(i as u32);
                    }
                }
                (runs, starts)
            })
            .collect();
        // Where each chunk's runs begin among all runs.
        let mut first_run = Vec::with_capacity(chunks.len());
        let mut held = 0;
        for (chunk_runs, _) in &chunks {
            first_run.push(held);
            held += chunk_runs.len();
        }
        // The chunks are joined on both cores: a county's runs are tens of MB, and one core
        // copying them into fresh pages kept the other idle.
        let run_at = |k: usize| {
            let c = first_run.partition_point(|&first| first <= k) - 1;
            (c, k - first_run[c])
        };
        let (mut runs, mut starts) = (Vec::with_capacity(held), Vec::with_capacity(held + 1));
        (0..held)
            .into_par_iter()
            .map(|k| {
                let (c, i) = run_at(k);
                (chunks[c].0[i], (c * FIELDS_CHUNK) as u32 + chunks[c].1[i])
            })
            .unzip_into_vecs(&mut runs, &mut starts);
        starts.push(records.len() as u32);
        let mut run_of = vec![0u32; records.len()];
        run_of
            .par_chunks_mut(FIELDS_CHUNK)
            .zip(&chunks)
            .zip(&first_run)
            .for_each(|((out, (_, chunk_starts)), &first)| {
                let ends = chunk_starts[1..].iter().copied().chain([out.len() as u32]);
                for (j, (start, end)) in chunk_starts.iter().zip(ends).enumerate() {
                    out[*start as usize..end as usize].fill((first + j) as u32);
                }
            });
        let mut line_starts = Vec::with_capacity(records.len() + 1);
        let mut line_index = Vec::new();
        let mut lines = 0u32;
        line_starts.push(0);
        for (r, record) in records.iter().enumerate() {
            lines += record.lines() as u32;
            line_starts.push(lines);
            // The strided rows among this record's rows are this record's.
            while line_index.len() * LINE_STRIDE < lines as usize {
                line_index.push(r as u32);
            }
        }
        RecordFields {
            runs,
            starts,
            run_of,
            line_starts,
            line_index,
        }
    }

    pub fn len(&self) -> usize {
        self.run_of.len()
    }

    /// How many source rows the records stand for.
    pub fn lines(&self) -> usize {
        self.line_starts.last().map_or(0, |&n| n as usize)
    }

    /// How many source rows `records` stand for.
    pub fn lines_in(&self, records: Range<u32>) -> u32 {
        self.line_starts[records.end as usize] - self.line_starts[records.start as usize]
    }

    /// The record standing for source row `line` (`line < lines()`).
    pub fn record_of_line(&self, line: usize) -> usize {
        let stride = line / LINE_STRIDE;
        let from = self.line_index[stride] as usize;
        let to = self
            .line_index
            .get(stride + 1)
            .map_or(self.len(), |&r| r as usize);
        let starts = &self.line_starts[from..=to];
        from + starts.partition_point(|&start| start as usize <= line) - 1
    }

    /// How many `Fields` are held: the runs.
    pub fn held(&self) -> usize {
        self.runs.len()
    }

    /// The run a record belongs to: records of one run have equal fields.
    pub fn run_of(&self, record: usize) -> u32 {
        self.run_of[record]
    }

    /// Each record's fields, in record order (the tests read them so; the stages walk runs).
    #[cfg(test)]
    pub fn iter(&self) -> impl Iterator<Item = &Fields> + '_ {
        self.run_of.iter().map(|&run| &self.runs[run as usize])
    }

    pub fn par_iter(&self) -> impl IndexedParallelIterator<Item = &Fields> + '_ {
        self.run_of.par_iter().map(|&run| &self.runs[run as usize])
    }

    /// Each run's records and fields, in record order.
    pub fn runs(&self) -> impl IndexedParallelIterator<Item = (Range<u32>, &Fields)> + '_ {
        self.runs
            .par_iter()
            .zip(self.starts.par_windows(2))
            .map(|(f, ends)| (ends[0]..ends[1], f))
    }

    /// Sets each record's exact-ID group; the records of a run share their valid ID, so
    /// the first record's group is the run's.
    pub fn set_groups(&mut self, group_of: impl Fn(usize) -> u32 + Sync) {
        self.runs
            .par_iter_mut()
            .zip(&self.starts)
            .for_each(|(f, &first)| f.group = group_of(first as usize));
    }
}

impl std::ops::Index<usize> for RecordFields {
    type Output = Fields;

    fn index(&self, record: usize) -> &Fields {
        &self.runs[self.run_of[record] as usize]
    }
}

impl Fields {
    pub fn of(r: &PersonRecord, group: u32) -> Fields {
        let text = |tag: u8, t: Option<&str>| t.map_or(0, |t| hash::bytes(tag, t.as_bytes()));
        let mut f = Fields {
            id: [0; MAX_ID],
            id_len: 0,
            reliable: 0,
            upgraded15: false,
            zero_padded: false,
            valid: false,
            birth: r.birth_date.map(|d| (d.num_days_from_ce(), d.year())),
            sex: r.sex,
            name: 0,
            name_chars: ['\0'; INLINE_NAME],
            name_len: 0,
            pinyin: 0,
            named: false,
            township: text(b't', r.place.township.as_deref()),
            village: text(b'v', r.place.village.as_deref()),
            household: text(b'h', r.household_id()),
            phones: [0; MAX_PHONES],
            phone_count: 0,
            roll: r.kind.is_roll(),
            group,
        };
        if let Some(id) = &r.id {
            let d = id.digits.as_bytes();
            if !d.is_empty() && d.len() <= MAX_ID {
                f.id[..d.len()].copy_from_slice(d);
                f.id_len = d.len() as u8;
                let valid = id.quality.is_valid();
                f.valid = valid;
                f.zero_padded = valid && d.ends_with(b"000");
                f.upgraded15 = id.quality == IdQuality::Upgraded15;
                f.reliable = if !valid {
                    id.reliable_prefix.min(f.id_len)
                } else if f.zero_padded {
                    15
                } else {
                    18
                };
            }
        }
        if let Some(n) = &r.name {
            if !n.key.is_empty() {
                f.name = hash::bytes(b'n', n.key.as_bytes());
                for c in n.key.chars() {
                    if let Some(slot) = f.name_chars.get_mut(usize::from(f.name_len)) {
                        *slot = c;
                    }
                    f.name_len = f.name_len.saturating_add(1);
                }
            }
            if !n.pinyin.is_empty() {
                f.pinyin = hash::bytes(b'y', n.pinyin.as_bytes());
            }
            f.named = true;
        }
        for p in r.phones().iter().take(MAX_PHONES) {
            f.phones[usize::from(f.phone_count)] = hash::bytes(b'p', p.as_bytes());
            f.phone_count += 1;
        }
        f
    }

    /// Whether `a` and `b` hold the same values `of` reads, by the pointers normalise
    /// shares among a person's claim lines: then their fields are equal without hashing
    /// them again (a county's millions of lines cost one comparison each).
    fn same_source(a: &PersonRecord, b: &PersonRecord) -> bool {
        fn same<T>(a: &Option<Arc<T>>, b: &Option<Arc<T>>) -> bool {
            match (a, b) {
                (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                (None, None) => true,
                _ => false,
            }
        }
        Arc::ptr_eq(&a.place, &b.place)
            && same(&a.name, &b.name)
            && same(&a.id, &b.id)
            && a.contact.is_none()
            && b.contact.is_none()
            && a.birth_date == b.birth_date
            && a.sex == b.sex
            && a.kind.is_roll() == b.kind.is_roll()
    }

    /// `ResidentId::may_be_damaged`, read from the inline fields: such a record joins its
    /// exact-ID group and is also matched like a damaged one.
    pub fn suspect(&self) -> bool {
        self.valid && (self.upgraded15 || self.zero_padded)
    }

    /// The ID when valid: the exact-linkage key.
    pub fn valid_id(&self) -> Option<&[u8]> {
        self.valid.then(|| self.id_digits())
    }

    pub fn id_digits(&self) -> &[u8] {
        &self.id[..usize::from(self.id_len)]
    }

    /// ID characters that can be trusted.
    pub fn reliable(&self) -> usize {
        usize::from(self.reliable)
    }

    pub fn birth_days(&self) -> Option<i32> {
        self.birth.map(|(days, _)| days)
    }

    pub fn phones(&self) -> &[u64] {
        &self.phones[..usize::from(self.phone_count)]
    }

    /// What name blocks use: the pinyin, else the key; 0 without a name. Derived rather
    /// than stored, to keep `Fields` within two cache lines.
    pub fn sound(&self) -> u64 {
        if self.pinyin != 0 {
            self.pinyin
        } else if self.name != 0 {
            self.name
        } else if self.named {
            hash::bytes(b'n', b"")
        } else {
            0
        }
    }

    /// The name key's characters when held inline.
    fn inline_name(&self) -> Option<&[char]> {
        self.name_chars.get(..usize::from(self.name_len))
    }
}

/// Compares two records; `fa`/`fb` are their `Fields`. Only a name longer than the
/// inline characters that differs in key and pinyin is read from the record itself.
pub fn compare(a: &PersonRecord, fa: &Fields, b: &PersonRecord, fb: &Fields) -> Comparison {
    let id = compare_id(fa, fb);
    let birth = match (id, fa.birth, fb.birth) {
        (None, Some(x), Some(y)) => Some(if x.0 == y.0 {
            BirthLevel::Equal
        } else if x.1 == y.1 {
            BirthLevel::SameYear
        } else {
            BirthLevel::Different
        }),
        _ => None,
    };
    let (pa, pb) = (fa.phones(), fb.phones());
    let some = |h: u64| (h != 0).then_some(h);
    Comparison {
        id,
        birth,
        name: compare_name(a, fa, b, fb),
        place: compare_place(fa, fb),
        phone: (!pa.is_empty() && !pb.is_empty())
            .then(|| Agree::of(pa.iter().any(|p| pb.contains(p)))),
        household: match (some(fa.household), some(fb.household)) {
            (Some(x), Some(y)) => Some(Agree::of(x == y)),
            _ => None,
        },
        // The sex digit of an ID ending in Excel's `000` may be padding, and a typo in the
        // sex digit itself (the 17th) makes the sex read from it wrong: the ID level has
        // already weighed that digit.
        sex: match (fa.sex, fb.sex) {
            (Some(x), Some(y))
                if !fa.zero_padded && !fb.zero_padded && !sex_digit_typo(id, fa, fb) =>
            {
                Some(Agree::of(x == y))
            }
            _ => None,
        },
    }
}

/// Position of the sex digit in an 18-character ID.
const SEX_DIGIT: usize = 16;

/// The two IDs are one keystroke apart, and that keystroke touched the sex digit.
fn sex_digit_typo(id: Option<IdLevel>, fa: &Fields, fb: &Fields) -> bool {
    matches!(id, Some(IdLevel::OneDigit | IdLevel::Transposed))
        && fa.id_digits().get(SEX_DIGIT) != fb.id_digits().get(SEX_DIGIT)
}

fn compare_id(fa: &Fields, fb: &Fields) -> Option<IdLevel> {
    let (da, db) = (fa.id_digits(), fb.id_digits());
    if da.is_empty() || db.is_empty() {
        return None;
    }
    if da == db {
        return Some(IdLevel::Equal);
    }
    // Region, 2-digit year, month, day and sequence are what a 15-digit ID holds.
    if (fa.upgraded15 || fb.upgraded15)
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
    let reliable = fa.reliable().min(fb.reliable()).min(da.len()).min(db.len());
    if reliable < 18 && reliable >= usize::from(MIN_PREFIX) && da[..reliable] == db[..reliable] {
        return Some(IdLevel::Prefix(reliable.min(17) as u8));
    }
    match (fa.birth, fb.birth) {
        (Some(x), Some(y)) if x.0 == y.0 => Some(IdLevel::SameBirthDate),
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

/// One character substituted, dropped or added.
fn one_char_apart(x: &[char], y: &[char]) -> bool {
    if x.len() == y.len() {
        x.iter().zip(y).filter(|(p, q)| p != q).count() == 1
    } else {
        x.len().abs_diff(y.len()) == 1 && one_deletion_apart(x, y)
    }
}

fn compare_name(a: &PersonRecord, fa: &Fields, b: &PersonRecord, fb: &Fields) -> Option<NameLevel> {
    if fa.name == 0 || fb.name == 0 {
        return None;
    }
    if fa.name == fb.name {
        return Some(NameLevel::Equal);
    }
    if fa.pinyin != 0 && fa.pinyin == fb.pinyin {
        return Some(NameLevel::SamePinyin);
    }
    let one_apart = match (fa.inline_name(), fb.inline_name()) {
        (Some(x), Some(y)) => one_char_apart(x, y),
        _ => {
            let (x, y) = (&a.name.as_ref()?.key, &b.name.as_ref()?.key);
            let (cx, cy): (Vec<char>, Vec<char>) = (x.chars().collect(), y.chars().collect());
            one_char_apart(&cx, &cy)
        }
    };
    Some(if one_apart {
        NameLevel::OneCharApart
    } else {
        NameLevel::Different
    })
}

fn compare_place(fa: &Fields, fb: &Fields) -> Option<PlaceLevel> {
    let villages = (fa.village != 0 && fb.village != 0).then_some(fa.village == fb.village);
    if fa.township != 0 && fb.township != 0 {
        Some(if fa.township != fb.township {
            PlaceLevel::OtherTownship
        } else {
            match villages {
                Some(true) => PlaceLevel::SameVillage,
                Some(false) => PlaceLevel::OtherVillage,
                None => PlaceLevel::SameTownship,
            }
        })
    } else {
        // Without both townships only an agreeing village says something.
        (villages == Some(true)).then_some(PlaceLevel::SameVillage)
    }
}
