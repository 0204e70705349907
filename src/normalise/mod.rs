//! Normalise: turn typed rows into `PersonRecord`s with cleaned resident IDs, names, phones
//! and canonical townships (SPEC 4). Pure functions; no I/O.
//!
//! Each row yields its subject, and for children-at-risk rows also the father and
//! mother, in that order. A person's consecutive claim lines with one valid ID yield one
//! record carrying every line: the rows name one person, and a county's millions of lines
//! need not each be linked, screened and held as a record. A row naming nobody (no usable
//! name, no ID digits) is rejected with a reason the clerk can act on. Damaged IDs are
//! kept, counted per source and per kind of damage, so the summary can tell a department
//! that its ID column is broken.

pub mod ids;
pub mod names;
mod observe;
pub mod phones;
pub mod places;
#[cfg(test)]
mod tests;

use std::cell::OnceCell;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::sync::Arc;

use compact_str::CompactString;
use rayon::prelude::*;

use crate::config::Township;
use crate::ingest::{RowPiece, RowRef, Rows};
use crate::model::{
    Claim, Contact, Field, IdQuality, Observation, PersonName, PersonRecord, Place, Reject,
    ResidentId, Role, Sex, SourceFile, SourceKind, SourceRef,
};

pub use ids::{parse_certificate, parse_resident_id, Certificate};
pub use names::normalise_name;
pub use observe::{observe, to_cents};

use crate::lang::pick;
use crate::tr;
pub use phones::normalise_phones;
pub use places::Gazetteer;

/// Reject reason for a row that names nobody.
pub fn reason_no_identity() -> String {
    tr!(
        "姓名为空且无可识别的身份证号，无法确定是谁",
        "no name and no recognisable resident ID: cannot tell who this is"
    )
}

#[derive(Debug, Clone, Default)]
pub struct NormaliseOutput {
    pub persons: Vec<PersonRecord>,
    pub rejects: Vec<Reject>,
    /// How many IDs of each quality each source had (clean, repaired, damaged …), counted
    /// per person record (a children row's parents included).
    pub id_quality: BTreeMap<SourceKind, BTreeMap<IdQuality, usize>>,
    /// Person records without any ID, per source.
    pub missing_ids: BTreeMap<SourceKind, usize>,
    /// Township cells that name no configured township or alias: (source, text) → rows.
    /// A clerk must learn that 大孟乡 is missing from the pipeline file.
    pub unknown_townships: BTreeMap<(SourceKind, String), usize>,
}

impl NormaliseOutput {
    /// How many source rows the person records stand for, a children row's parents apart
    /// (a person's claim lines joined into one record count each).
    pub fn person_rows(&self) -> usize {
        self.persons.iter().map(PersonRecord::lines).sum()
    }

    /// The sources that gave at least one person record: each record is counted in
    /// `id_quality` or in `missing_ids`.
    pub fn kinds(&self) -> BTreeSet<SourceKind> {
        self.id_quality
            .keys()
            .chain(self.missing_ids.keys())
            .copied()
            .collect()
    }

    /// `大孟乡: 12 条 (低保 10, 医保局 2)`, most rows first.
    pub fn unknown_township_lines(&self) -> Vec<String> {
        let mut by_name: BTreeMap<&str, Vec<(SourceKind, usize)>> = BTreeMap::new();
        for ((kind, name), n) in &self.unknown_townships {
            by_name.entry(name).or_default().push((*kind, *n));
        }
        let mut lines: Vec<(usize, String)> = by_name
            .into_iter()
            .map(|(name, sources)| {
                let total: usize = sources.iter().map(|(_, n)| n).sum();
                let detail = sources
                    .iter()
                    .map(|(k, n)| format!("{} {n}", pick(k.label_zh(), k.label_en())))
                    .collect::<Vec<_>>()
                    .join(", ");
                (
                    total,
                    tr!(
                        "{name}: {total} 条 ({detail})",
                        "{name}: {total} records ({detail})"
                    ),
                )
            })
            .collect();
        lines.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        lines.into_iter().map(|(_, l)| l).collect()
    }
}

/// Rows normalised per parallel batch: small enough that a batch's persons, on their way
/// into the output, are a sliver of the county, large enough to keep both cores busy.
const BATCH_ROWS: usize = 1 << 16;
/// Consecutive rows one worker normalises into one `Part`: a person's claim lines are
/// joined inside a part, and across parts only where one part ends and the next begins.
const PART_ROWS: usize = 1 << 12;

/// Normalises every row, in order. The rows are taken by value and dropped batch by batch
/// as their persons are made: a county's millions of raw cells and its person records are
/// never all in memory at once.
pub fn normalise(records: impl Into<Rows>, townships: &[Township]) -> NormaliseOutput {
    let records: Rows = records.into();
    let gazetteer = Gazetteer::new(townships);
    let mut out = NormaliseOutput::default();
    let pieces = records.into_pieces();
    // Adding a batch's parts to the output is serial (moving them, summing counts): it
    // runs while the next batch is normalised, so that no core waits. Each piece is freed
    // once its last batch is done.
    let mut done: Option<Vec<Part>> = None;
    for piece in pieces {
        for start in (0..piece.len()).step_by(BATCH_ROWS) {
            let batch = start..piece.len().min(start + BATCH_ROWS);
            let ((), parts) = rayon::join(
                || {
                    if let Some(parts) = done.take() {
                        out.add(parts);
                    }
                },
                || normalise_batch(&piece, batch, &gazetteer, !townships.is_empty()),
            );
            done = Some(parts);
        }
    }
    if let Some(parts) = done {
        out.add(parts);
    }
    tracing::debug!(
        persons = out.persons.len(),
        rows = out.person_rows(),
        rejects = out.rejects.len(),
        "normalise done"
    );
    out
}

/// What one row yields: its persons, or why it names nobody.
type Outcome = Result<RowPersons, Reject>;

/// One batch of a piece's rows normalised on every core, a part of consecutive rows per
/// task, in row order. `townships`: the pipeline names townships (without, every township
/// cell is unknown, and nothing is said of it).
fn normalise_batch(
    piece: &RowPiece,
    batch: Range<usize>,
    gazetteer: &Gazetteer,
    townships: bool,
) -> Vec<Part> {
    let starts: Vec<usize> = batch.clone().step_by(PART_ROWS).collect();
    starts
        .into_par_iter()
        .map(|start| {
            let mut recent = Recent::new(piece);
            let mut part = Part::default();
            for index in start..batch.end.min(start + PART_ROWS) {
                let record = piece.row(index).expect("an index of the piece");
                let previous = (index > start).then(|| piece.row(index - 1)).flatten();
                if !previous.is_some_and(|p| part.add_line(p, record, &recent, townships)) {
                    part.add(persons_of(record, gazetteer, &mut recent), townships);
                }
            }
            part.claims.close(&mut part.persons);
            part
        })
        .collect()
}

/// What a stretch of consecutive rows yields: its persons (a person's claim lines joined),
/// rejects, ID counts and unknown township cells.
#[derive(Default)]
struct Part {
    persons: Vec<PersonRecord>,
    claims: OpenClaims,
    rejects: Vec<Reject>,
    /// Person records by (source, ID quality; `None`: no ID). A part holds a handful of
    /// such pairs, so a short list counts them cheaper than two map lookups each.
    ids: Vec<((SourceKind, Option<IdQuality>), usize)>,
    /// Rows whose township cell names no configured township or alias, by (source, cell).
    unknown_townships: Vec<((SourceKind, String), usize)>,
}

impl Part {
    fn add(&mut self, outcome: Outcome, townships: bool) {
        let mut row = match outcome {
            Ok(row) => row,
            Err(reject) => return self.rejects.push(reject),
        };
        if let Some(text) = row.unknown_township.take().filter(|_| townships) {
            count(&mut self.unknown_townships, (row.subject.kind, text));
        }
        for person in std::iter::once(&row.subject).chain(&row.parents) {
            count(
                &mut self.ids,
                (person.kind, person.id.as_ref().map(|id| id.quality)),
            );
        }
        self.claims.push(&mut self.persons, row.subject);
        for parent in row.parents {
            self.claims.push(&mut self.persons, parent);
        }
    }

    /// Adds `record` as one more line of the last person record when it is the next claim
    /// line of that record's run, with the same cells as the `previous` row but for the
    /// line's own: normalising it would only make the same person again. `recent` has
    /// seen the previous row's cells.
    fn add_line(
        &mut self,
        previous: RowRef<'_>,
        record: RowRef<'_>,
        recent: &Recent,
        townships: bool,
    ) -> bool {
        let Some(last) = self.persons.last() else {
            return false;
        };
        let lines = self.claims.lines.len() as u32;
        if lines == 0
            || record.row() != last.source.row + lines
            || previous.row() + 1 != record.row()
            || !record.same_cells_but(&previous, &observe::CLAIM_LINE_FIELDS)
        {
            return false;
        }
        self.claims.lines.push(observe::claim(record));
        let quality = last.id.as_ref().map(|id| id.quality);
        count(&mut self.ids, (record.kind(), quality));
        let unknown = recent
            .place
            .last
            .as_ref()
            .is_some_and(|(_, p)| p.unknown_township);
        if let Some(text) = record
            .trimmed(Field::Township)
            .filter(|_| unknown && townships)
        {
            count(
                &mut self.unknown_townships,
                (record.kind(), text.to_string()),
            );
        }
        true
    }
}

/// One more of `key` in a short list of counts.
fn count<K: PartialEq>(counts: &mut Vec<(K, usize)>, key: K) {
    match counts.iter_mut().find(|(k, _)| *k == key) {
        Some((_, n)) => *n += 1,
        None => counts.push((key, 1)),
    }
}

impl NormaliseOutput {
    /// Adds one batch's parts, in order: persons (a person's claim lines joined across
    /// parts), rejects, ID counts and unknown townships.
    fn add(&mut self, parts: Vec<Part>) {
        for part in parts {
            for ((kind, quality), n) in part.ids {
                match quality {
                    Some(q) => {
                        *self
                            .id_quality
                            .entry(kind)
                            .or_default()
                            .entry(q)
                            .or_default() += n
                    }
                    None => *self.missing_ids.entry(kind).or_default() += n,
                }
            }
            for (key, n) in part.unknown_townships {
                *self.unknown_townships.entry(key).or_default() += n;
            }
            self.rejects.extend(part.rejects);
            let mut persons = part.persons.into_iter();
            if let Some(last) = self.persons.last_mut() {
                if let Some(first) = persons.next().and_then(|first| join(last, first)) {
                    self.persons.push(first);
                }
            }
            self.persons.extend(persons);
        }
    }
}

/// Joins `next`'s claim lines to `last` when they continue its run (a person's lines cut
/// where one part of rows ends); gives `next` back otherwise.
fn join(last: &mut PersonRecord, next: PersonRecord) -> Option<PersonRecord> {
    if !(joinable(last) && joinable(&next) && continues(last, last.lines(), &next)) {
        return Some(next);
    }
    if let (Observation::Claims(earlier), Observation::Claims(later)) =
        (&mut last.observation, &next.observation)
    {
        *earlier = earlier.iter().chain(later.iter()).copied().collect();
    }
    None
}

/// The claim lines of the last person record while later rows may still join it: a
/// person's consecutive claim lines with one valid ID become one record, for those rows
/// name one person by his ID. Kept unboxed until the run ends, so that joining a line is
/// a push.
#[derive(Default)]
struct OpenClaims {
    /// The last record's lines; empty when it cannot take more.
    lines: Vec<Claim>,
}

impl OpenClaims {
    /// Adds `record` to `persons`: as one more line of the last record when it continues
    /// that record's run, else as a record of its own.
    fn push(&mut self, persons: &mut Vec<PersonRecord>, record: PersonRecord) {
        let line = opening_line(&record);
        if let (Some(line), Some(last)) = (line, persons.last()) {
            if !self.lines.is_empty() && continues(last, self.lines.len(), &record) {
                self.lines.push(line);
                return;
            }
        }
        self.close(persons);
        self.lines.extend(line);
        persons.push(record);
    }

    /// Gives the last record the lines joined to it.
    fn close(&mut self, persons: &mut [PersonRecord]) {
        if self.lines.len() > 1 {
            let last = persons.last_mut().expect("open lines belong to a record");
            last.observation = Observation::Claims(self.lines.as_slice().into());
        }
        self.lines.clear();
    }
}

/// The claim line of a record just made from its row, when later lines may join it.
fn opening_line(record: &PersonRecord) -> Option<Claim> {
    match &record.observation {
        Observation::Claims(lines) if lines.len() == 1 && joinable(record) => Some(lines[0]),
        _ => None,
    }
}

/// A claim line that later lines may join: its valid ID names its person, and cannot be
/// one Excel damaged (those are matched line by line, like any damaged ID).
fn joinable(record: &PersonRecord) -> bool {
    record.kind == SourceKind::Medical
        && record.role == Role::Subject
        && record
            .id
            .as_deref()
            .is_some_and(ResidentId::names_its_person)
}

/// Whether `next`, joinable itself, is the row after the `lines` rows of `last` in the same
/// file, with the same identity cells.
fn continues(last: &PersonRecord, lines: usize, next: &PersonRecord) -> bool {
    fn same<T: PartialEq>(a: &Option<Arc<T>>, b: &Option<Arc<T>>) -> bool {
        match (a, b) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b) || a == b,
            (None, None) => true,
            _ => false,
        }
    }
    let (from, to) = (last.source.origin(), next.source.origin());
    next.source.row == last.source.row + lines as u32
        && (Arc::ptr_eq(from, to) || from == to)
        && same(&last.id, &next.id)
        && same(&last.name, &next.name)
        && (Arc::ptr_eq(&last.place, &next.place) || last.place == next.place)
        && last.birth_date == next.birth_date
        && last.sex == next.sex
        && last.contact == next.contact
}

/// Township, village and address of a row, shared by the rows that repeat its place cells
/// (a child's parents share it too).
#[derive(Clone, Default)]
struct RowPlace {
    place: Arc<Place>,
    /// The township cell names no configured township or alias.
    unknown_township: bool,
}

/// The persons one row yields, and whether its township cell was a name the pipeline lacks.
struct RowPersons {
    subject: PersonRecord,
    /// A children-at-risk row's father and mother (no allocation for other rows).
    parents: Vec<PersonRecord>,
    /// The township cell, when it names no configured township or alias.
    unknown_township: Option<String>,
}

/// The subject's name, ID and place cells last normalised on this thread, and what they
/// became: a person's claim lines follow one another with the same name, ID and address, so
/// most of a county's millions of rows are cleaned (spelt in pinyin, their address parsed)
/// once per person instead of once each.
struct Recent {
    /// This worker's own copy of the rows' file reference, which every person it makes
    /// holds: one shared by both cores had its count bounce between them on every row
    /// (a fifth of this stage's time at county scale).
    origin: Arc<SourceFile>,
    name: Memo<Option<Arc<PersonName>>>,
    id: Memo<Option<Arc<ResidentId>>>,
    place: Memo<RowPlace>,
    /// The place cells of the current row joined, the place memo's key (reused per row).
    place_key: String,
}

impl Recent {
    fn new(piece: &RowPiece) -> Recent {
        Recent {
            origin: Arc::new(SourceFile::clone(piece.origin())),
            name: Memo::default(),
            id: Memo::default(),
            place: Memo::default(),
            place_key: String::new(),
        }
    }

    fn source(&self, record: RowRef<'_>) -> SourceRef {
        SourceRef::at(&self.origin, record.row())
    }
}

/// One cell's text and the value it normalised to.
#[derive(Default)]
struct Memo<T> {
    last: Option<(CompactString, T)>,
}

impl<T: Clone> Memo<T> {
    fn get(&mut self, text: &str, normalise: impl FnOnce(&str) -> T) -> T {
        match &self.last {
            Some((seen, value)) if seen == text => value.clone(),
            _ => {
                let value = normalise(text);
                self.last = Some((text.into(), value.clone()));
                value
            }
        }
    }
}

fn persons_of(
    record: RowRef<'_>,
    gazetteer: &Gazetteer,
    recent: &mut Recent,
) -> Result<RowPersons, Reject> {
    let name = record
        .text(Field::Name)
        .and_then(|text| recent.name.get(text, |t| normalise_name(t).map(Arc::new)));
    // Parsed at most once: for the ID when the ID column fails, and for a certificate's
    // category and grade.
    let parsed = OnceCell::new();
    let certificate = || parsed.get_or_init(|| certificate_of(record)).as_ref();
    let id = subject_id(record, certificate, &mut recent.id);
    if name.is_none() && id.is_none() {
        return Err(Reject {
            file: record.file().to_string(),
            sheet: record.sheet().map(str::to_string),
            row: Some(record.row()),
            kind: Some(record.kind()),
            reason: reason_no_identity(),
        });
    }
    let place = place_memo(record, gazetteer, recent);
    let unknown_township = place
        .unknown_township
        .then(|| record.trimmed(Field::Township).map(str::to_string))
        .flatten();

    let valid_birth = id
        .as_deref()
        .filter(|id| id.quality.is_valid())
        .and_then(ids::birth_date);
    let birth_date = valid_birth
        .or_else(|| record.date(Field::BirthDate))
        .or_else(|| id.as_deref().and_then(ids::birth_date));
    let sex = id
        .as_deref()
        .and_then(ids::sex)
        .or_else(|| record.text(Field::Sex).and_then(parse_sex));

    let observation = observe(
        record,
        (record.kind() == SourceKind::Disability)
            .then(certificate)
            .flatten(),
    );
    let subject = PersonRecord {
        kind: record.kind(),
        role: Role::Subject,
        source: recent.source(record),
        name,
        id,
        birth_date,
        sex,
        contact: Contact::of(
            phones_of(record.text(Field::Phone)),
            text(record, Field::HouseholdId),
        ),
        place: place.place,
        observation,
    };

    let mut parents = Vec::new();
    if record.kind() == SourceKind::Children {
        let roles = [
            (Role::Father, Field::FatherName, Field::FatherId, Sex::Male),
            (
                Role::Mother,
                Field::MotherName,
                Field::MotherId,
                Sex::Female,
            ),
        ];
        for (role, name_field, id_field, role_sex) in roles {
            let name = record
                .text(name_field)
                .and_then(normalise_name)
                .map(Arc::new);
            let id = record
                .text(id_field)
                .and_then(parse_resident_id)
                .map(Arc::new);
            if name.is_none() && id.is_none() {
                continue;
            }
            parents.push(PersonRecord {
                kind: record.kind(),
                role,
                source: recent.source(record),
                name,
                birth_date: id.as_deref().and_then(ids::birth_date),
                sex: Some(id.as_deref().and_then(ids::sex).unwrap_or(role_sex)),
                id,
                contact: None,
                // Parents share the child's place.
                place: subject.place.clone(),
                observation: Observation::IdentityOnly,
            });
        }
    }
    Ok(RowPersons {
        subject,
        parents,
        unknown_township,
    })
}

/// The subject's ID: the ID column when valid, else the ID inside a disability certificate
/// number (from its own column, or typed into the ID column), else the less damaged of the
/// two.
/// When both are valid and disagree, the ID column wins: it is what the department keys on.
fn subject_id<'a>(
    record: RowRef<'_>,
    certificate: impl FnOnce() -> Option<&'a Certificate>,
    recent: &mut Memo<Option<Arc<ResidentId>>>,
) -> Option<Arc<ResidentId>> {
    let column = record
        .text(Field::IdNumber)
        .and_then(|text| recent.get(text, |t| parse_resident_id(t).map(Arc::new)));
    if column.as_ref().is_some_and(|id| id.quality.is_valid()) {
        return column;
    }
    match certificate().cloned() {
        Some(cert) if cert.id.quality.is_valid() => Some(Arc::new(cert.id)),
        // Both damaged: keep whichever still vouches for more leading digits.
        Some(cert) => match column {
            Some(column) if column.reliable_prefix >= cert.id.reliable_prefix => Some(column),
            _ => Some(Arc::new(cert.id)),
        },
        None => column,
    }
}

/// The row's certificate number: its own column, or typed into the ID column.
pub fn certificate_of(record: RowRef<'_>) -> Option<Certificate> {
    record
        .text(Field::CertNumber)
        .and_then(parse_certificate)
        .or_else(|| record.text(Field::IdNumber).and_then(parse_certificate))
}

/// Phone fields are text-typed: ingest turns a numeric cell into the digits it shows
/// (`values::number_text`), so a float that lost its tail arrives as text too.
fn phones_of(text: Option<&str>) -> Vec<String> {
    text.map(normalise_phones).unwrap_or_default()
}

/// The row's place, resolved again only when its township, village or address cell differs
/// from the previous row's on this thread.
fn place_memo(record: RowRef<'_>, gazetteer: &Gazetteer, recent: &mut Recent) -> RowPlace {
    let key = &mut recent.place_key;
    key.clear();
    for field in [Field::Township, Field::Village, Field::Address] {
        // Separators no cell holds (ingest strips control characters); an absent cell
        // differs from a blank one.
        match record.text(field) {
            Some(text) => {
                key.push('\u{1f}');
                key.push_str(text);
            }
            None => key.push('\u{1e}'),
        }
    }
    recent.place.get(key, |_| place_of(record, gazetteer))
}

fn place_of(record: RowRef<'_>, gazetteer: &Gazetteer) -> RowPlace {
    let address: Option<Arc<str>> = record.trimmed(Field::Address).map(Arc::from);
    // Parsing the address is only a fallback for cells that do not resolve: do it at most
    // once, and only when asked.
    let parsed = OnceCell::new();
    let from_address = || {
        *parsed.get_or_init(|| {
            address
                .as_deref()
                .map(|a| gazetteer.parse_address(a))
                .unwrap_or_default()
        })
    };
    let village_cell = record.text(Field::Village);
    let from_cell = record
        .text(Field::Township)
        .map(|t| gazetteer.township_of(t));
    let township = from_cell
        .flatten()
        .or_else(|| from_address().0)
        // A village only one township has decides the township.
        .or_else(|| {
            village_cell
                .and_then(|v| gazetteer.village_of(None, v))
                .map(|(t, _)| t)
        });
    let village = village_cell
        .and_then(|v| gazetteer.village_of(township, v))
        .map(|(_, v)| v)
        .or_else(|| {
            let (address_township, address_village) = from_address();
            address_village.filter(|_| address_township == township)
        })
        .map(Arc::from)
        // A village the pipeline file does not list is still evidence as typed.
        .or_else(|| {
            village_cell
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(Arc::from)
        });
    RowPlace {
        place: Arc::new(Place {
            township: township.map(Arc::from),
            village,
            address,
        }),
        unknown_township: from_cell.is_some_and(|t| t.is_none()),
    }
}

fn text(record: RowRef<'_>, field: Field) -> Option<Box<str>> {
    record
        .text(field)
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(Box::from)
}

fn parse_sex(text: &str) -> Option<Sex> {
    match text.trim() {
        "男" | "男性" => Some(Sex::Male),
        "女" | "女性" => Some(Sex::Female),
        _ => None,
    }
}
