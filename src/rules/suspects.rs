//! One `Suspect` row per consolidated person with at least one finding: the person's
//! stable key and clue id, where he lives, and how his records were linked (匹配说明).

use std::collections::{BTreeMap, BTreeSet};

use sha2::{Digest, Sha256};

use super::ScreeningInput;
use crate::mask::mask_id;
use crate::model::{
    FactDetail, Finding, LinkDecision, Observation, Person, PersonRecord, Request, ResidentId,
    Role, SourceKind, SourceRef, Suspect,
};

/// 线索编号: `LB` + the first 10 upper-case hex characters of SHA-256 of the person key.
pub fn clue_id(person_key: &str) -> String {
    let digest = Sha256::digest(person_key.as_bytes());
    let hex: String = digest[..5].iter().map(|b| format!("{b:02X}")).collect();
    format!("LB{hex}")
}

/// The person's records, screening subjects first, then rolls, then parent mentions: the
/// order in which display fields (name, township, address) are taken.
fn by_priority<'a>(input: &'a ScreeningInput<'_>, person: &Person) -> Vec<&'a PersonRecord> {
    let rank = |r: &PersonRecord| match (r.role, r.kind.is_roll()) {
        (Role::Subject, false) => 0,
        (Role::Subject, true) => 1,
        _ => 2,
    };
    let mut records: Vec<&PersonRecord> =
        person.records.iter().map(|&i| &input.records[i]).collect();
    records.sort_by_key(|r| rank(r));
    records
}

/// The valid ID most of the person's records agree on (ties: the smallest).
fn valid_id(records: &[&PersonRecord]) -> Option<String> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    // Counted by source row: a record of several claim lines counts each.
    for (id, lines) in records
        .iter()
        .filter_map(|r| Some((r.id.as_ref()?.exact_key()?, r.lines())))
    {
        *counts.entry(id).or_default() += lines;
    }
    let best = counts.values().copied().max()?;
    counts
        .into_iter()
        .find(|(_, n)| *n == best)
        .map(|(id, _)| id.to_string())
}

/// The damaged ID with the most trustworthy digits.
fn best_damaged_id(records: &[&PersonRecord]) -> Option<String> {
    records
        .iter()
        .filter_map(|r| r.id.as_deref())
        .filter(|id| !id.digits.is_empty())
        .max_by_key(|id| (id.reliable_prefix, id.digits.len()))
        .map(|id: &ResidentId| id.digits.to_string())
}

fn all_refs(input: &ScreeningInput<'_>, person: &Person) -> Vec<SourceRef> {
    let refs: BTreeSet<SourceRef> = person
        .records
        .iter()
        .flat_map(|&i| input.records[i].sources())
        .collect();
    refs.into_iter().collect()
}

/// The valid normalised ID, else `refs:` + the sorted source references joined by `;`.
fn person_key(valid_id: Option<&str>, refs: &[SourceRef]) -> String {
    if let Some(id) = valid_id {
        return id.to_string();
    }
    let mut refs: Vec<String> = refs.iter().map(ToString::to_string).collect();
    refs.sort();
    format!("refs:{}", refs.join(";"))
}

/// Display name, preferring a record that carries a valid ID.
pub(crate) fn display_name(input: &ScreeningInput<'_>, person: &Person) -> String {
    name_of(&by_priority(input, person))
}

/// `display_name` of records already in `by_priority` order.
fn name_of(records: &[&PersonRecord]) -> String {
    let valid = records
        .iter()
        .filter(|r| r.id.as_ref().is_some_and(|id| id.quality.is_valid()));
    valid
        .chain(records.iter())
        .find_map(|r| r.name.as_ref())
        .map(|n| n.display.to_string())
        .unwrap_or_else(|| "(姓名未填写)".to_string())
}

/// What is open about a listed person's identity, for 匹配说明.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Doubt {
    /// Nothing the row depends on.
    None,
    /// Open questions no answer to which would change the row.
    Moot,
    /// Questions on the review list; the row holds R06 alone meanwhile.
    Asked,
}

/// The row of person `index`.
pub(crate) fn build(
    input: &ScreeningInput<'_>,
    index: usize,
    findings: Vec<Finding>,
    doubt: Doubt,
) -> Suspect {
    let person = &input.linkage.persons[index];
    // Ordered records and references, computed once for the key, the name and the row.
    let records = by_priority(input, person);
    let source_refs = all_refs(input, person);
    let valid = valid_id(&records);
    let person_key = person_key(valid.as_deref(), &source_refs);
    let located = records.iter().find(|r| r.place.township.is_some());
    let township = located.and_then(|r| r.place.township.as_deref().map(str::to_string));
    let village = located
        .and_then(|r| r.place.village.as_deref())
        .or_else(|| records.iter().find_map(|r| r.place.village.as_deref()))
        .map(str::to_string);
    // 来源部门: the departments behind the findings; roll records cited as lapsed or as
    // low-income membership are not a source.
    let sources: BTreeSet<SourceKind> = findings
        .iter()
        .flat_map(|f| &f.records)
        .map(|&r| input.records[r].kind)
        .filter(|k| !k.is_roll())
        .collect();
    Suspect {
        clue_id: clue_id(&person_key),
        id_number: valid.or_else(|| best_damaged_id(&records)),
        person_key,
        township,
        village,
        name: name_of(&records),
        address: records
            .iter()
            .find_map(|r| r.place.address.as_deref().map(str::to_string)),
        findings,
        sources: sources.into_iter().collect(),
        match_note: match_note(input, person, doubt),
        confidence: confidence(input, person),
        source_refs,
    }
}

/// The conduct clue (R07) of one complaint by person `index`: its own clue id, made from
/// the person and the complaint (kind, date, type, content), so that it holds across runs
/// whatever the row order; the township it concerns is the one the complaint names, else
/// the complainant's; its references are the complaint's own.
pub(crate) fn conduct(input: &ScreeningInput<'_>, index: usize, finding: Finding) -> Suspect {
    let record = &input.records[finding.records[0]];
    let mut clue = build(input, index, vec![finding], Doubt::None);
    let request = match &record.observation {
        Observation::Request(r) => Some(&**r),
        _ => None,
    };
    fn field(f: Option<&Option<String>>) -> &str {
        f.and_then(Option::as_deref).unwrap_or_default()
    }
    let key = format!(
        "{}|{}|{}|{}|{}",
        clue.person_key,
        record.kind.key(),
        request
            .and_then(|r| r.date)
            .map(|d| d.to_string())
            .unwrap_or_default(),
        field(request.map(|r| &r.kind)),
        field(request.map(|r| &r.content)),
    );
    clue.clue_id = clue_id(&key);
    clue.person_key = key;
    if record.place.township.is_some()
        && record.place.township.as_deref() != clue.township.as_deref()
    {
        clue.township = record.place.township.as_deref().map(str::to_string);
        clue.village = record.place.village.as_deref().map(str::to_string);
    }
    clue.sources = vec![record.kind];
    clue.source_refs = vec![record.source.clone()];
    clue
}

/// The complaint behind a conduct clue: its request fact.
pub fn conduct_request(clue: &Suspect) -> Option<&Request> {
    clue.findings
        .iter()
        .flat_map(|f| &f.facts)
        .find_map(|fact| match &fact.detail {
            FactDetail::Request(r) => Some(r),
            _ => None,
        })
}

pub(crate) fn conduct_date(clue: &Suspect) -> Option<chrono::NaiveDate> {
    conduct_request(clue).and_then(|r| r.date)
}

/// 匹配说明 from the links' evidence: exact ID agreement per source, fuzzy links with their
/// agreeing fields and score, and the nearest roll candidate when none matched.
fn match_note(input: &ScreeningInput<'_>, person: &Person, doubt: Doubt) -> String {
    let linkage = input.linkage;
    let kind_of = |r: usize| input.records[r].kind;
    let mut exact: BTreeSet<SourceKind> = BTreeSet::new();
    let mut parts: Vec<String> = Vec::new();
    for link in person.links.iter().map(|&l| linkage.link(l)) {
        // Name the roll side when there is one: that is what the clerk checks against.
        let (left, right) = link.ends();
        let other = if kind_of(left).is_roll() {
            kind_of(left)
        } else {
            kind_of(right)
        };
        match link.decision {
            LinkDecision::Exact => {
                exact.insert(other);
            }
            LinkDecision::Confirmed => {
                let note = format!("人工复核确认同一人({})", other.label_zh());
                if !parts.contains(&note) {
                    parts.push(note);
                }
            }
            LinkDecision::Accepted | LinkDecision::Uncertain => {
                let agreeing: Vec<String> = link
                    .evidence
                    .iter()
                    .filter(|e| e.weight > 0.0)
                    .map(|e| format!("{}{}", e.field, e.level))
                    .collect();
                let note = format!(
                    "模糊匹配({}): {}, 得分 {:.1}",
                    other.label_zh(),
                    agreeing.join("+"),
                    link.score
                );
                if !parts.contains(&note) {
                    parts.push(note);
                }
            }
        }
    }
    if !exact.is_empty() {
        let kinds: Vec<&str> = exact.iter().map(|k| k.label_zh()).collect();
        parts.insert(0, format!("身份证号一致({})", kinds.join("、")));
    }
    let (doubt, open) = match doubt {
        Doubt::None => ("", &[][..]),
        Doubt::Moot => ("不影响结论", &person.uncertain[..]),
        Doubt::Asked => ("见待复核", &person.uncertain[..]),
    };
    for link in open.iter().map(|&l| linkage.link(l)) {
        let other = link.other_end(|r| person.records.binary_search(&r).is_ok());
        let name = input.records[other]
            .name
            .as_ref()
            .map_or("(姓名未填写)", |n| n.display.as_str());
        let note = format!(
            "与{}{name}是否同一人未确定, {doubt}",
            kind_of(other).label_zh()
        );
        if !parts.contains(&note) {
            parts.push(note);
        }
    }
    let on_roll = person.records.iter().any(|&r| kind_of(r).is_roll());
    if !on_roll {
        parts.push(match &person.nearest {
            Some(near) => {
                let candidate = &input.records[near.candidate];
                let name = candidate
                    .name
                    .as_ref()
                    .map(|n| n.display.as_str())
                    .unwrap_or("(姓名未填写)");
                let id = candidate
                    .id
                    .as_ref()
                    .map(|id| format!(" {}", mask_id(&id.digits)))
                    .unwrap_or_default();
                format!(
                    "未匹配到名册; 最接近: {name}{id}, 得分 {:.1}, 低于阈值",
                    near.score
                )
            }
            None => "未匹配到名册".to_string(),
        });
    }
    parts.join("; ")
}

/// `None` for a person of one record (nothing was linked, so there is nothing to be sure
/// of); 1.0 when every link is an exact ID match or confirmed by a person; otherwise the
/// weakest fuzzy link's score mapped linearly from [lower, 2·upper − lower] onto
/// [0.5, 1.0], so a link just at the acceptance threshold reads 0.75.
fn confidence(input: &ScreeningInput<'_>, person: &Person) -> Option<f64> {
    let linkage = input.linkage;
    if person.links.is_empty() {
        return None;
    }
    let weakest = person
        .links
        .iter()
        .map(|&l| linkage.link(l))
        .filter(|l| !matches!(l.decision, LinkDecision::Exact | LinkDecision::Confirmed))
        .map(|l| l.score)
        .min_by(f64::total_cmp);
    let Some(score) = weakest else {
        return Some(1.0);
    };
    let (lower, upper) = (linkage.stats.lower_threshold, linkage.stats.upper_threshold);
    let scaled = if upper > lower {
        0.5 + 0.5 * (score - lower) / (2.0 * (upper - lower))
    } else {
        // No thresholds recorded: read the log2 likelihood ratio as odds.
        1.0 / (1.0 + (-score).exp2())
    };
    Some((scaled.clamp(0.0, 1.0) * 100.0).round() / 100.0)
}
