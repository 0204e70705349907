//! Normalise: turn typed rows into `PersonRecord`s with cleaned resident IDs, names, phones
//! and canonical townships (SPEC 4). Pure functions; no I/O.
//!
//! Each row yields its subject, and for children-at-risk rows also the father and
//! mother, in that order. A row naming nobody (no usable name, no ID digits) is rejected
//! with a reason the clerk can act on. Damaged IDs are kept, counted per source and per kind
//! of damage, so the summary can tell a department that its ID column is broken.

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
    Contact, Field, IdQuality, Observation, PersonName, PersonRecord, Place, Reject, ResidentId,
    Role, Sex, SourceFile, SourceKind, SourceRef,
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

/// Normalises every row, in order. The rows are taken by value and dropped batch by batch
/// as their persons are made: a county's millions of raw cells and its person records are
/// never all in memory at once.
pub fn normalise(records: impl Into<Rows>, townships: &[Township]) -> NormaliseOutput {
    let records: Rows = records.into();
    let gazetteer = Gazetteer::new(townships);
    let mut out = NormaliseOutput::default();
    let pieces = records.into_pieces();
    // Each row yields one person, a children's row up to three: reserved once, so that the
    // person list never doubles (and copies) itself.
    let rows: usize = pieces.iter().map(RowPiece::len).sum();
    let children: usize = pieces
        .iter()
        .filter(|p| p.kind() == SourceKind::Children)
        .map(RowPiece::len)
        .sum();
    out.persons.reserve_exact(rows + 2 * children);
    // Adding a batch's persons to the output is serial (moving them, counting ID
    // qualities): it runs while the next batch is normalised, so that no core waits. Each
    // piece is freed once its last batch is done.
    let mut done: Option<Vec<Outcome>> = None;
    for piece in pieces {
        for start in (0..piece.len()).step_by(BATCH_ROWS) {
            let batch = start..piece.len().min(start + BATCH_ROWS);
            let ((), outcomes) = rayon::join(
                || {
                    if let Some(outcomes) = done.take() {
                        out.add(outcomes, townships);
                    }
                },
                || normalise_batch(&piece, batch, &gazetteer),
            );
            done = Some(outcomes);
        }
    }
    if let Some(outcomes) = done {
        out.add(outcomes, townships);
    }
    tracing::debug!(
        persons = out.persons.len(),
        rejects = out.rejects.len(),
        "normalise done"
    );
    out
}

/// What one row yields: its persons, or why it names nobody.
type Outcome = Result<RowPersons, Reject>;

/// One batch of a piece's rows normalised on every core; `collect` on an indexed parallel
/// iterator keeps row order.
fn normalise_batch(piece: &RowPiece, batch: Range<usize>, gazetteer: &Gazetteer) -> Vec<Outcome> {
    batch
        .into_par_iter()
        .map_init(
            || Recent::new(piece),
            |recent, index| {
                let record = piece.row(index).expect("an index of the piece");
                persons_of(record, gazetteer, recent)
            },
        )
        .collect()
}

impl NormaliseOutput {
    /// Adds one batch's persons and rejects, counting ID qualities and unknown townships.
    fn add(&mut self, mut outcomes: Vec<Outcome>, townships: &[Township]) {
        // ID counts of this batch by (source, quality; `None`: no ID). A batch holds a
        // handful of such pairs, so a short list counts its persons cheaper than two map
        // lookups each; the maps take the sums once per batch.
        let mut tally: Vec<((SourceKind, Option<IdQuality>), usize)> = Vec::new();
        for outcome in &mut outcomes {
            let Ok(row) = outcome else { continue };
            // Without configured townships every name is unknown: nothing to say.
            if let Some(text) = row
                .unknown_township
                .take()
                .filter(|_| !townships.is_empty())
            {
                *self
                    .unknown_townships
                    .entry((row.subject.kind, text))
                    .or_default() += 1;
            }
            for person in std::iter::once(&row.subject).chain(&row.parents) {
                let key = (person.kind, person.id.as_ref().map(|id| id.quality));
                match tally.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, n)) => *n += 1,
                    None => tally.push((key, 1)),
                }
            }
        }
        for ((kind, quality), n) in tally {
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
        let one_person_each = outcomes
            .iter()
            .all(|o| o.as_ref().is_ok_and(|row| row.parents.is_empty()));
        if one_person_each {
            // The common batch, one person per row: an indexed parallel extend moves them
            // straight into the list's reserved room on both cores, so that first touching
            // its fresh pages (most of this step's time) is not left to one.
            self.persons
                .par_extend(outcomes.into_par_iter().map(|outcome| match outcome {
                    Ok(row) => row.subject,
                    Err(_) => unreachable!("a batch with a reject takes the serial path"),
                }));
            return;
        }
        for outcome in outcomes {
            match outcome {
                Ok(row) => {
                    self.persons.push(row.subject);
                    self.persons.extend(row.parents);
                }
                Err(reject) => self.rejects.push(reject),
            }
        }
    }
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
