//! The hard cases of SPEC 5, built by hand.
//!
//! The record builders and link lookups are here; the cases, by topic, in the submodules.

use std::borrow::Cow;
use std::sync::Arc;

use chrono::NaiveDate;

use super::*;
use crate::model::{
    IdQuality, LinkDecision, Linkage, Observation, PersonName, PersonRecord, Place, ResidentId,
    Role, Sex, SourceKind, SourceRef,
};

mod decisions;
mod ids;
mod names;
mod scoring;
mod synthetic;

/// A valid ID from 17 digits (local MOD 11-2, independent of the normaliser).
fn valid_id(body: &str) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .bytes()
        .zip(W)
        .map(|(c, w)| u32::from(c - b'0') * w)
        .sum();
    format!("{body}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

/// A valid ID ending in Excel's `000` padding: a birth date whose padded ID passes the
/// check by chance (one in eleven do).
fn padded_id() -> String {
    (1..=28)
        .flat_map(|day| (0..10).map(move |d| format!("410123196810{day:02}{d}00")))
        .map(|body| valid_id(&body))
        .find(|id| id.ends_with('0'))
        .expect("one padded ID in eleven passes the check")
}

fn birth_of(id: &str) -> NaiveDate {
    NaiveDate::parse_from_str(&id[6..14], "%Y%m%d").unwrap()
}

/// A record with a name (key and pinyin given, as the normaliser would) and a township.
fn rec(kind: SourceKind, row: u32, name: &str, pinyin: &str) -> PersonRecord {
    PersonRecord {
        kind,
        role: Role::Subject,
        source: SourceRef::new(format!("{}.xlsx", kind.key()), None, row),
        name: Some(Arc::new(PersonName {
            display: name.into(),
            key: name.into(),
            pinyin: pinyin.into(),
        })),
        id: None,
        birth_date: None,
        sex: None,
        contact: None,
        place: Arc::new(Place {
            township: Some("城关镇".into()),
            village: None,
            address: None,
        }),
        observation: Observation::IdentityOnly,
    }
}

fn with_valid(mut r: PersonRecord, id: &str) -> PersonRecord {
    r.birth_date = Some(birth_of(id));
    let seq = id.as_bytes()[16] - b'0';
    r.sex = Some(if seq % 2 == 1 { Sex::Male } else { Sex::Female });
    r.id = Some(Arc::new(ResidentId {
        digits: id.into(),
        quality: IdQuality::Clean,
        reliable_prefix: 18,
    }));
    r
}

fn with_damaged(
    mut r: PersonRecord,
    digits: &str,
    quality: IdQuality,
    reliable: u8,
) -> PersonRecord {
    r.id = Some(Arc::new(ResidentId {
        digits: digits.into(),
        quality,
        reliable_prefix: reliable,
    }));
    r
}

fn with(mut r: PersonRecord, f: impl FnOnce(&mut PersonRecord)) -> PersonRecord {
    f(&mut r);
    r
}

fn run(records: &[PersonRecord]) -> Linkage {
    link(records, &MatchSettings::default(), &Verdicts::default())
}

fn same_person(l: &Linkage, a: usize, b: usize) -> bool {
    l.person_of[a] == l.person_of[b]
}

/// The fuzzy link between two records, if any.
fn link_between(l: &Linkage, a: usize, b: usize) -> Option<Cow<'_, Link>> {
    l.links.iter().find(|k| k.ends() == (a.min(b), a.max(b)))
}

fn level<'a>(k: &'a Link, field: &str) -> &'a str {
    k.evidence
        .iter()
        .find(|e| e.field == field)
        .map(|e| e.level.as_ref())
        .unwrap_or("")
}

const ZHANG: &str = "41012319850312201";
