//! Fellegi–Sunter weights: for each comparison level, log2(m/u), where m is the chance of
//! the level among true matches and u among non-matches.
//!
//! u comes from random record pairs (almost all non-matches), m from the pairs the exact-ID
//! join already linked (a free training set of true matches). What the data cannot teach —
//! the ID levels of a damaged ID, whose training pairs all agree by construction — comes
//! from the fallback table below, as does everything when the input is too small to
//! estimate from.
//!
//! A score is a posterior log2 odds: the prior (one person among the county's population)
//! plus the summed weights. Phone, household number and place are evidence of the same
//! household as much as of the same person, so among those only the strongest agreement
//! counts (disagreements all count).

use std::borrow::Cow;
use std::ops::AddAssign;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use super::compare::{
    compare, Agree, BirthLevel, Comparison, Fields, IdLevel, NameLevel, PlaceLevel, RecordFields,
    FIXED_ID_LEVELS, ID_LEVELS, MIN_PREFIX,
};
use super::exact::ExactGroups;
use super::hash::U64Map;
use crate::config::MatchSettings;
use crate::model::{FieldEvidence, PersonRecord};

/// Below this many records, m and u are not estimated.
const MIN_RECORDS_TO_ESTIMATE: usize = 2_000;
/// Below this many exact-ID training pairs, m stays at the fallback.
const MIN_TRAINING_PAIRS: usize = 500;
/// Below this many persons with a phone, phone u stays at the random-pair estimate.
const MIN_PHONE_OWNERS: usize = 100;
const RANDOM_PAIRS: usize = 200_000;
const TRAINING_PAIRS: usize = 200_000;
const SEED: u64 = 0x6c6f_7562_616f;

/// (m, u) when not estimated. u of the agreeing levels is what a county of a few hundred
/// thousand people gives for two random records.
mod fallback {
    pub const ID: [(f64, f64); 6] = [
        (0.90, 2e-6), // equal
        (0.45, 2e-6), // one digit (or one dropped) — a typo
        (0.15, 1e-6), // adjacent swap
        (0.10, 3e-5), // same birth date, ID otherwise different
        (0.05, 0.99), // different
        (0.05, 1e-6), // the 15 digits of an upgraded ID agree, the inferred century not
    ];
    /// m of an intact reliable prefix; u per prefix length 6..=17 (region, then century,
    /// year, month, day, sequence).
    pub const PREFIX_M: f64 = 0.95;
    pub const PREFIX_U: [f64; 12] = [
        0.5, 0.4, 0.4, 0.04, 0.005, 0.0025, 4e-4, 1.5e-4, 3e-5, 1.4e-5, 3e-6, 1e-6,
    ];
    pub const BIRTH: [(f64, f64); 3] = [(0.92, 3e-5), (0.04, 0.012), (0.04, 0.988)];
    pub const NAME: [(f64, f64); 4] = [(0.90, 1e-4), (0.04, 2e-4), (0.03, 0.02), (0.03, 0.98)];
    pub const PLACE: [(f64, f64); 4] = [(0.85, 0.003), (0.90, 0.05), (0.03, 0.05), (0.05, 0.95)];
    pub const PHONE: [(f64, f64); 2] = [(0.60, 2e-5), (0.40, 0.99998)];
    pub const HOUSEHOLD: [(f64, f64); 2] = [(0.70, 1e-4), (0.30, 0.9999)];
    pub const SEX: [(f64, f64); 2] = [(0.97, 0.5), (0.03, 0.5)];
}

#[derive(Clone)]
pub struct Weights {
    id: [f64; ID_LEVELS],
    birth: [f64; 3],
    name: [f64; 4],
    place: [f64; 4],
    phone: [f64; 2],
    household: [f64; 2],
    sex: [f64; 2],
    /// log2 prior odds that a record is a given other person.
    pub prior: f64,
    /// Ceiling on any name weight: name + township + sex alone must stay below the lower
    /// threshold, so that 同名同姓 never links without further agreement.
    name_cap: f64,
    /// m of an equal name; u is the name's own frequency when estimated.
    name_equal_m: f64,
    /// Record counts of the query names, for term-frequency u; `None` in fallback mode.
    /// Keyed by the name's hash (`Fields::name`).
    name_counts: Option<U64Map<u32>>,
    /// For each query name, how many persons with a valid ID carry it (distinct exact-ID
    /// groups). Empty in fallback mode.
    name_carriers: U64Map<u32>,
    records: usize,
    pub estimated_u: bool,
    pub estimated_m: bool,
}

/// The run log's line: the per-field weights in full, the per-name tables by their size
/// (a county's 150,000 query names made a line of 800 KB every night).
impl std::fmt::Debug for Weights {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Weights")
            .field("id", &self.id)
            .field("birth", &self.birth)
            .field("name", &self.name)
            .field("place", &self.place)
            .field("phone", &self.phone)
            .field("household", &self.household)
            .field("sex", &self.sex)
            .field("prior", &self.prior)
            .field("name_cap", &self.name_cap)
            .field("name_equal_m", &self.name_equal_m)
            .field("counted_names", &self.name_counts.as_ref().map(|c| c.len()))
            .field("carried_names", &self.name_carriers.len())
            .field("records", &self.records)
            .field("estimated_u", &self.estimated_u)
            .field("estimated_m", &self.estimated_m)
            .finish()
    }
}

/// The distinct names of the queries (hashes, `Fields::name`), each with its slot.
struct QueryNames {
    keys: Vec<u64>,
    slot: U64Map<usize>,
}

impl QueryNames {
    fn of(fields: &RecordFields, queries: &[u32]) -> QueryNames {
        let mut keys: Vec<u64> = queries
            .iter()
            .map(|&q| fields[q as usize].name)
            .filter(|&n| n != 0)
            .collect();
        keys.sort_unstable();
        keys.dedup();
        let slot = keys.iter().enumerate().map(|(i, &k)| (k, i)).collect();
        QueryNames { keys, slot }
    }

    /// How many persons with a valid ID carry each name: distinct exact-ID groups, so that
    /// one person's eight claim lines make a name no commoner.
    fn carriers(&self, fields: &RecordFields) -> U64Map<u32> {
        // A run's records share their group: one entry per run.
        let mut carried: Vec<(usize, u32)> = fields
            .runs()
            .map(|(_, f)| f)
            .filter(|f| f.group != super::exact::NONE)
            .filter_map(|f| self.slot.get(&f.name).map(|&s| (s, f.group)))
            .collect();
        carried.par_sort_unstable();
        carried.dedup();
        let mut carriers = vec![0u32; self.keys.len()];
        for (s, _) in carried {
            carriers[s] += 1;
        }
        self.keys.iter().copied().zip(carriers).collect()
    }
}

fn log2_ratio((m, u): (f64, f64)) -> f64 {
    (m / u).log2()
}

impl Weights {
    pub fn fallback(records: usize, persons: usize, settings: &MatchSettings) -> Weights {
        let mut id = [0.0; ID_LEVELS];
        for (i, mu) in fallback::ID.into_iter().enumerate() {
            id[i] = log2_ratio(mu);
        }
        for (p, u) in fallback::PREFIX_U.into_iter().enumerate() {
            id[FIXED_ID_LEVELS + p] = log2_ratio((fallback::PREFIX_M, u));
        }
        let mut w = Weights {
            id,
            birth: fallback::BIRTH.map(log2_ratio),
            name: fallback::NAME.map(log2_ratio),
            place: fallback::PLACE.map(log2_ratio),
            phone: fallback::PHONE.map(log2_ratio),
            household: fallback::HOUSEHOLD.map(log2_ratio),
            sex: fallback::SEX.map(log2_ratio),
            prior: -(persons.max(settings.min_population).max(2) as f64).log2(),
            name_cap: f64::INFINITY,
            name_equal_m: fallback::NAME[0].0,
            name_counts: None,
            name_carriers: U64Map::default(),
            records,
            estimated_u: false,
            estimated_m: false,
        };
        w.set_name_cap(settings);
        w
    }

    fn set_name_cap(&mut self, settings: &MatchSettings) {
        let township = self.place[PlaceLevel::SameTownship as usize].max(0.0);
        let sex = self.sex[Agree::Equal as usize].max(0.0);
        self.name_cap = settings.lower_threshold - self.prior - township - sex - 1.0;
    }

    /// Estimates from the data where there is enough of it.
    pub fn estimate(
        records: &[PersonRecord],
        fields: &RecordFields,
        queries: &[u32],
        exact: &ExactGroups,
        settings: &MatchSettings,
    ) -> Weights {
        // Counted in source rows: a record of several claim lines weighs as its lines
        // did as records of their own. Rows without a valid ID: all but the exact groups'
        // members.
        let n = fields.lines();
        let unkeyed = n - (exact.linked() + exact.len());
        let mut w = Weights::fallback(n, exact.len() + unkeyed, settings);
        if !settings.estimate_weights || n < MIN_RECORDS_TO_ESTIMATE {
            // A count, not an estimate: a name's carriers are known however few records.
            w.name_carriers = QueryNames::of(fields, queries).carriers(fields);
            return w;
        }

        let mut rng = ChaCha8Rng::seed_from_u64(SEED);
        // Rows drawn in order from one seed; their records and groups (cache misses) are
        // looked up on every core.
        let drawn: Vec<(usize, usize)> = (0..RANDOM_PAIRS)
            .map(|_| (rng.gen_range(0..n), rng.gen_range(0..n)))
            .collect();
        let pairs: Vec<(u32, u32)> = drawn
            .into_par_iter()
            .filter_map(|(a, b)| {
                let (ra, rb) = (fields.record_of_line(a), fields.record_of_line(b));
                // Pairs the exact join already linked are matches, not part of u.
                let known = exact.group_of(ra) != super::exact::NONE
                    && exact.group_of(ra) == exact.group_of(rb);
                (a != b && !known).then_some((ra as u32, rb as u32))
            })
            .collect();
        let u = count_levels(records, fields, &pairs);
        w.id = u.id_weights();
        w.birth = smoothed(&fallback::BIRTH, &u.birth, None);
        w.name = smoothed(&fallback::NAME, &u.name, None);
        w.place = smoothed(&fallback::PLACE, &u.place, None);
        w.phone = smoothed(&fallback::PHONE, &u.phone, None);
        w.household = smoothed(&fallback::HOUSEHOLD, &u.household, None);
        w.sex = smoothed(&fallback::SEX, &u.sex, None);
        w.estimated_u = true;

        // m from exact-ID links, spread evenly over the groups.
        let linked = exact.linked();
        let stride = linked.div_ceil(TRAINING_PAIRS).max(1);
        let training: Vec<(u32, u32)> = (0..linked.div_ceil(stride))
            .into_par_iter()
            .map(|k| exact.link_ends(k * stride))
            .collect();
        if training.len() >= MIN_TRAINING_PAIRS {
            let m = count_levels(records, fields, &training);
            w.name = smoothed(&fallback::NAME, &u.name, Some(&m.name));
            w.place = smoothed(&fallback::PLACE, &u.place, Some(&m.place));
            w.phone = smoothed(&fallback::PHONE, &u.phone, Some(&m.phone));
            w.household = smoothed(&fallback::HOUSEHOLD, &u.household, Some(&m.household));
            w.sex = smoothed(&fallback::SEX, &u.sex, Some(&m.sex));
            w.name_equal_m = smooth(&m.name)[NameLevel::Equal as usize];
            w.estimated_m = true;
            if let Some(u) = phone_u(fields) {
                let m = smooth(&m.phone);
                w.phone = [
                    (m[Agree::Equal as usize] / u).log2(),
                    (m[Agree::Different as usize] / (1.0 - u)).log2(),
                ];
            }
        }

        // Term frequency: how often each query's name occurs among all records, a run of
        // equal records at a time. Hashing is the cost, so it runs in parallel; adding up
        // the found slots is then trivial.
        let names = QueryNames::of(fields, queries);
        let hits: Vec<(usize, u32)> = fields
            .runs()
            .filter_map(|(records, f)| {
                let slot = *names.slot.get(&f.name)?;
                Some((slot, fields.lines_in(records)))
            })
            .collect();
        let mut tally = vec![0u32; names.keys.len()];
        for (slot, n) in hits {
            tally[slot] += n;
        }
        w.name_counts = Some(names.keys.iter().copied().zip(tally).collect());
        w.name_carriers = names.carriers(fields);
        w.set_name_cap(settings);
        w
    }

    /// Weight of an equal name for this query name (`Fields::name`).
    pub fn name_equal(&self, name: u64) -> f64 {
        let raw = match &self.name_counts {
            Some(counts) => {
                let c = counts.get(&name).copied().unwrap_or(1).max(1);
                (self.name_equal_m / (f64::from(c) / self.records as f64)).log2()
            }
            None => self.name[NameLevel::Equal as usize],
        };
        raw.min(self.name_cap)
    }

    /// Whether exactly one person with a valid ID carries this query name in the county.
    pub fn sole_carrier(&self, name: u64) -> bool {
        self.name_carriers.get(&name) == Some(&1)
    }

    /// The score of a pair agreeing on everything: what an exact ID link is worth.
    pub fn max_score(&self) -> f64 {
        let best = |w: &[f64]| w.iter().copied().fold(0.0, f64::max);
        self.prior
            + best(&self.id)
            + self.name_cap.min(best(&self.name))
            + best(&self.place).max(best(&self.household))
            + best(&self.phone)
            + best(&self.sex)
    }

    /// Weight per field, before the household grouping: id, birth, name, place, phone,
    /// household, sex.
    fn raw(&self, c: &Comparison, name_equal: f64) -> [Option<f64>; 7] {
        [
            c.id.map(|l| self.id[l.index()]),
            c.birth.map(|l| self.birth[l as usize]),
            c.name.map(|l| match l {
                NameLevel::Equal => name_equal,
                other => self.name[other as usize].min(self.name_cap),
            }),
            c.place.map(|l| self.place[l as usize]),
            c.phone.map(|l| self.phone[l as usize]),
            c.household.map(|l| self.household[l as usize]),
            c.sex.map(|l| self.sex[l as usize]),
        ]
    }

    /// Counted weights. Place, phone and household agree for every member of a household,
    /// so of those only the strongest agreement counts — unless the names agree too: a
    /// household member who shares the phone has a different name, so given an agreeing
    /// name a shared phone is evidence of its own. Place and household number stay one
    /// piece of evidence (the household fixes the village).
    fn counted(&self, c: &Comparison, name_equal: f64) -> [Option<f64>; 7] {
        const PLACE: usize = 3;
        const PHONE: usize = 4;
        const HOUSEHOLD: usize = 5;
        let mut w = self.raw(c, name_equal);
        let names_agree = matches!(c.name, Some(NameLevel::Equal | NameLevel::SamePinyin));
        let group: &[usize] = if names_agree {
            &[PLACE, HOUSEHOLD]
        } else {
            &[PLACE, PHONE, HOUSEHOLD]
        };
        let best = group
            .iter()
            .copied()
            .filter(|&i| w[i].is_some_and(|x| x > 0.0))
            .max_by(|&i, &j| w[i].unwrap_or(0.0).total_cmp(&w[j].unwrap_or(0.0)));
        for &i in group {
            if Some(i) != best {
                if let Some(x) = w[i].as_mut() {
                    *x = x.min(0.0);
                }
            }
        }
        w
    }

    pub fn score(&self, c: &Comparison, name_equal: f64) -> f64 {
        self.prior + self.counted(c, name_equal).iter().flatten().sum::<f64>()
    }

    /// The clerk-facing evidence of a pair, in field order, with the weight each counted.
    pub fn explain(&self, c: &Comparison, name_equal: f64) -> Vec<FieldEvidence> {
        let w = self.counted(c, name_equal);
        let mut out = Vec::new();
        let mut push = |field: &'static str, level: Cow<'static, str>, weight: Option<f64>| {
            out.push(FieldEvidence {
                field,
                level,
                weight: (weight.unwrap_or(0.0) * 100.0).round() / 100.0,
            });
        };
        if let Some(l) = c.id {
            push("身份证号", l.label(), w[0]);
        }
        if let Some(l) = c.birth {
            let level = match l {
                BirthLevel::Equal => "一致",
                BirthLevel::SameYear => "同年",
                BirthLevel::Different => "不同",
            };
            push("出生日期", level.into(), w[1]);
        }
        if let Some(l) = c.name {
            let (field, level) = match l {
                NameLevel::Equal => ("姓名", "一致"),
                NameLevel::SamePinyin => ("拼音", "拼音相同"),
                NameLevel::OneCharApart => ("姓名", "差一字"),
                NameLevel::Different => ("姓名", "不同"),
            };
            push(field, level.into(), w[2]);
        }
        if let Some(l) = c.place {
            let (field, level) = match l {
                PlaceLevel::SameVillage => ("村社区", "一致"),
                PlaceLevel::SameTownship => ("乡镇", "一致"),
                PlaceLevel::OtherVillage => ("村社区", "不同"),
                PlaceLevel::OtherTownship => ("乡镇", "不同"),
            };
            push(field, level.into(), w[3]);
        }
        for (field, level, weight) in [
            ("电话", c.phone, w[4]),
            ("户", c.household, w[5]),
            ("性别", c.sex, w[6]),
        ] {
            if let Some(l) = level {
                let text = if l == Agree::Equal {
                    "一致"
                } else {
                    "不同"
                };
                push(field, text.into(), weight);
            }
        }
        out
    }
}

/// Level counts over a set of pairs.
#[derive(Debug, Clone, Default)]
struct LevelCounts {
    id: [u64; FIXED_ID_LEVELS],
    /// Pairs with at least `MIN_PREFIX` digits on both sides, by common-prefix length.
    lcp: [u64; 19],
    birth: [u64; 3],
    name: [u64; 4],
    place: [u64; 4],
    phone: [u64; 2],
    household: [u64; 2],
    sex: [u64; 2],
}

impl AddAssign for LevelCounts {
    fn add_assign(&mut self, o: LevelCounts) {
        fn add<const N: usize>(a: &mut [u64; N], b: &[u64; N]) {
            a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        }
        add(&mut self.id, &o.id);
        add(&mut self.lcp, &o.lcp);
        add(&mut self.birth, &o.birth);
        add(&mut self.name, &o.name);
        add(&mut self.place, &o.place);
        add(&mut self.phone, &o.phone);
        add(&mut self.household, &o.household);
        add(&mut self.sex, &o.sex);
    }
}

impl LevelCounts {
    fn add_pair(&mut self, a: &PersonRecord, fa: &Fields, b: &PersonRecord, fb: &Fields) {
        let c = compare(a, fa, b, fb);
        if let Some(l) = c.id {
            // Prefix levels are estimated from the prefix histogram below.
            if l.index() < FIXED_ID_LEVELS {
                self.id[l.index()] += 1;
            }
        }
        let (x, y) = (fa.id_digits(), fb.id_digits());
        if x.len().min(y.len()) >= usize::from(MIN_PREFIX) {
            let common = x.iter().zip(y).take_while(|(p, q)| p == q).count();
            self.lcp[common.min(18)] += 1;
        }
        bump(&mut self.birth, c.birth.map(|l| l as usize));
        bump(&mut self.name, c.name.map(|l| l as usize));
        bump(&mut self.place, c.place.map(|l| l as usize));
        bump(&mut self.phone, c.phone.map(|l| l as usize));
        bump(&mut self.household, c.household.map(|l| l as usize));
        bump(&mut self.sex, c.sex.map(|l| l as usize));
    }

    /// ID weights with u from these (random) pairs and m from the fallback table.
    fn id_weights(&self) -> [f64; ID_LEVELS] {
        let mut w = [0.0; ID_LEVELS];
        let base = smoothed(&fallback::ID, &self.id, None);
        w[..FIXED_ID_LEVELS].copy_from_slice(&base);
        // Equal, one digit, swapped and 15-digit-equal IDs are far rarer among non-matches
        // than a sample can resolve, and what the sample does see of them are mostly
        // unrecognised matches: these keep the fallback u.
        let from_sample = [IdLevel::SameBirthDate.index(), IdLevel::Different.index()];
        for (i, mu) in fallback::ID.into_iter().enumerate() {
            if !from_sample.contains(&i) {
                w[i] = log2_ratio(mu);
            }
        }
        let total: u64 = self.lcp.iter().sum();
        for p in usize::from(MIN_PREFIX)..18 {
            let agree: u64 = self.lcp[p..].iter().sum();
            let u = (agree as f64 + 1.0) / (total as f64 + 2.0);
            // Never trust a prefix more than the fallback table's rarer estimate allows:
            // a small sample cannot see how rare a 17-digit agreement is.
            let u = u.max(fallback::PREFIX_U[p - usize::from(MIN_PREFIX)]);
            w[FIXED_ID_LEVELS + p - usize::from(MIN_PREFIX)] = log2_ratio((fallback::PREFIX_M, u));
        }
        w
    }
}

/// Chance that two different persons share a phone number, from how the numbers are
/// spread over persons (a person: an exact-ID group, or a record without a valid ID). A
/// random sample sees too few shared phones to tell 1 in 1,000 from 1 in 100,000.
fn phone_u(fields: &RecordFields) -> Option<f64> {
    // A run of records shares its phones and its group: a group owns its numbers once
    // (its copies would be deduplicated), a record without a valid ID on its own.
    let mut owners: Vec<(u64, u64)> = fields
        .runs()
        .filter(|(_, f)| !f.phones().is_empty())
        .flat_map_iter(|(records, f)| {
            let owners: Vec<u64> = if f.group == super::exact::NONE {
                records.map(|r| (1 << 32) | u64::from(r)).collect()
            } else {
                vec![u64::from(f.group)]
            };
            let phones = f.phones();
            owners
                .into_iter()
                .flat_map(move |person| phones.iter().map(move |&p| (p, person)))
        })
        .collect();
    owners.par_sort_unstable();
    owners.dedup();
    // Persons with a phone: a group counts once, a record without a valid ID on its own.
    let phoned = || fields.runs().filter(|(_, f)| !f.phones().is_empty());
    let unkeyed: usize = phoned()
        .filter(|(_, f)| f.group == super::exact::NONE)
        .map(|(records, _)| records.len())
        .sum();
    let mut groups: Vec<u32> = phoned()
        .filter(|(_, f)| f.group != super::exact::NONE)
        .map(|(_, f)| f.group)
        .collect();
    groups.par_sort_unstable();
    groups.dedup();
    let persons = unkeyed + groups.len();
    let n = persons as f64;
    if n < MIN_PHONE_OWNERS as f64 {
        return None;
    }
    // Ordered pairs of different persons sharing a number, over all ordered pairs.
    let mut shared = 0.0;
    for run in owners.chunk_by(|a, b| a.0 == b.0) {
        let k = run.len() as f64;
        shared += k * (k - 1.0);
    }
    Some(((shared + 1.0) / (n * (n - 1.0))).clamp(1e-7, 0.5))
}

fn bump<const N: usize>(counts: &mut [u64; N], level: Option<usize>) {
    if let Some(l) = level {
        counts[l] += 1;
    }
}

fn count_levels(
    records: &[PersonRecord],
    fields: &RecordFields,
    pairs: &[(u32, u32)],
) -> LevelCounts {
    pairs
        .par_chunks(4_096)
        .map(|chunk| {
            let mut c = LevelCounts::default();
            for &(a, b) in chunk {
                let (a, b) = (a as usize, b as usize);
                c.add_pair(&records[a], &fields[a], &records[b], &fields[b]);
            }
            c
        })
        .reduce(LevelCounts::default, |mut a, b| {
            a += b;
            a
        })
}

/// Laplace-smoothed level frequencies.
fn smooth<const N: usize>(counts: &[u64; N]) -> [f64; N] {
    let total: u64 = counts.iter().sum();
    counts.map(|c| (c as f64 + 1.0) / (total as f64 + N as f64))
}

/// log2(m/u) per level, with u from `u_counts` and m from `m_counts` or the fallback.
fn smoothed<const N: usize>(
    table: &[(f64, f64); N],
    u_counts: &[u64; N],
    m_counts: Option<&[u64; N]>,
) -> [f64; N] {
    let u = smooth(u_counts);
    let m = match m_counts {
        Some(c) => smooth(c),
        None => table.map(|(m, _)| m),
    };
    std::array::from_fn(|i| (m[i] / u[i]).log2())
}
