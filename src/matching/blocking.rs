//! Blocking: which records a damaged- or missing-ID record is compared with.
//!
//! Queries are few (about one record in twenty), so the index is built over the queries and
//! every record is streamed past it once, in parallel. Keys:
//!
//! - ID prefix: a query blocks on the first 15 digits it can vouch for (region, birth date
//!   and the first sequence digit: what Excel's `000` damage keeps), or on 14 (region and
//!   birth date) when it vouches for no more; a candidate offers both, so either finds it.
//!   Fifteen digits rather than fourteen cut the block from everyone born on that day to
//!   about a tenth of them;
//! - name pinyin + township, and name pinyin + birth date (pinyin so that homophone typos
//!   and traditional characters land in the same block);
//! - each phone number (a caller's phone may be a household member's: scoring decides);
//! - household number;
//! - for a mistyped ID, every valid ID one keystroke away (substitution, adjacent swap,
//!   dropped or added digit) that passes the check, found by merging the sorted neighbour
//!   IDs with the sorted valid IDs.
//!
//! A key shared by more than `max_block_size` records is skipped and counted.

use rayon::prelude::*;

use super::compare::Fields;
use super::exact::{neighbours, pack_id, ExactGroups};
use super::hash::{self, U64Map};
use crate::model::PersonRecord;

pub struct Candidates {
    /// (query, candidate) record pairs, sorted, without duplicates or self-pairs.
    pub pairs: Vec<(u32, u32)>,
    /// Blocks skipped for being too large.
    pub skipped_blocks: usize,
}

/// Blocking keys of one record: two ID prefixes, two name keys, phones, household.
const MAX_KEYS: usize = 8;

/// Which end of a pair a record's keys are for: the ID prefix is keyed differently.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Query,
    Candidate,
}

struct Keys {
    keys: [u64; MAX_KEYS],
    len: usize,
}

impl Keys {
    fn of(f: &Fields, side: Side) -> Keys {
        let mut k = Keys {
            keys: [0; MAX_KEYS],
            len: 0,
        };
        let d = f.id_digits();
        let vouched = f.reliable().min(d.len());
        let prefix14 = || hash::bytes(b'a', &d[..14]);
        let prefix15 = || hash::bytes(b'A', &d[..15]);
        match side {
            Side::Query if vouched >= 15 => k.push(prefix15()),
            Side::Query if vouched >= 14 => k.push(prefix14()),
            Side::Query => {}
            Side::Candidate => {
                if vouched >= 14 {
                    k.push(prefix14());
                }
                if vouched >= 15 {
                    k.push(prefix15());
                }
            }
        }
        let sound = f.sound();
        if sound != 0 {
            if f.township != 0 {
                k.push(hash::key(b'b', sound, f.township));
            }
            if let Some(days) = f.birth_days() {
                k.push(hash::key(b'c', sound, days as u64));
            }
        }
        for &phone in f.phones() {
            k.push(hash::key(b'p', phone, 0));
        }
        if f.household != 0 {
            k.push(hash::key(b'h', f.household, 0));
        }
        let keys = &mut k.keys[..k.len];
        keys.sort_unstable();
        let mut unique = 0;
        for i in 0..keys.len() {
            if i == 0 || keys[i] != keys[i - 1] {
                keys[unique] = keys[i];
                unique += 1;
            }
        }
        k.len = unique;
        k
    }

    fn push(&mut self, key: u64) {
        self.keys[self.len] = key;
        self.len += 1;
    }
}

/// Records worth comparing: all but the later copies, inside an exact-ID group, of a
/// record with the same compared fields (claim lines of one person mostly are such
/// copies). A copy scores exactly as its first, and ties go to the smaller record, so
/// leaving copies out changes no decision.
pub fn representatives(
    records: &[PersonRecord],
    fields: &[Fields],
    exact: &ExactGroups,
) -> Vec<bool> {
    let copies: Vec<u32> = (0..exact.len() as u32)
        .into_par_iter()
        .flat_map_iter(|g| {
            let group = exact.group(g);
            let mut firsts: Vec<u32> = Vec::new();
            let mut copies = Vec::new();
            for &r in group {
                let same = |&f: &u32| fields[f as usize] == fields[r as usize];
                if firsts.iter().any(same) {
                    copies.push(r);
                } else {
                    firsts.push(r);
                }
            }
            copies
        })
        .collect();
    let mut keep = vec![true; records.len()];
    for r in copies {
        keep[r as usize] = false;
    }
    keep
}

pub fn candidate_pairs(
    records: &[PersonRecord],
    fields: &[Fields],
    keep: &[bool],
    queries: &[u32],
    exact: &ExactGroups,
    max_block_size: usize,
) -> Candidates {
    // Query index: key → slot, slot → queries.
    let mut keyed: Vec<(u64, u32)> = queries
        .par_iter()
        .flat_map_iter(|&q| {
            let keys = Keys::of(&fields[q as usize], Side::Query);
            (0..keys.len).map(move |i| (keys.keys[i], q))
        })
        .collect();
    keyed.par_sort_unstable();
    let mut slot_of: U64Map<u32> = U64Map::default();
    let mut slot_start: Vec<usize> = Vec::new();
    for (i, &(k, _)) in keyed.iter().enumerate() {
        if i == 0 || keyed[i - 1].0 != k {
            slot_of.insert(k, slot_start.len() as u32);
            slot_start.push(i);
        }
    }
    slot_start.push(keyed.len());

    // Stream all records past the index.
    let hits: Vec<(u32, u32)> = fields
        .par_iter()
        .enumerate()
        .filter(|&(r, _)| keep[r])
        .flat_map_iter(|(r, f)| {
            let keys = Keys::of(f, Side::Candidate);
            let slot_of = &slot_of;
            (0..keys.len).filter_map(move |i| slot_of.get(&keys.keys[i]).map(|&s| (s, r as u32)))
        })
        .collect();
    let mut block_size = vec![0usize; slot_start.len() - 1];
    for &(s, _) in &hits {
        block_size[s as usize] += 1;
    }
    let skipped_blocks = block_size.iter().filter(|&&n| n > max_block_size).count();

    let mut pairs: Vec<(u32, u32)> = hits
        .par_iter()
        .filter(|(s, _)| block_size[*s as usize] <= max_block_size)
        .flat_map_iter(|&(s, r)| {
            let s = s as usize;
            keyed[slot_start[s]..slot_start[s + 1]]
                .iter()
                .filter(move |&&(_, q)| q != r)
                .map(move |&(_, q)| (q, r))
        })
        .collect();

    // One-keystroke neighbours of mistyped IDs, found by one merge of sorted lists.
    let mut probes: Vec<(u64, u32)> = queries
        .par_iter()
        .flat_map_iter(|&q| {
            // Only a damaged ID can be a typo; the neighbours of a valid one are other people.
            let digits = records[q as usize]
                .id
                .as_ref()
                .filter(|id| !id.quality.is_valid())
                .map(|id| id.digits.as_bytes())
                .unwrap_or_default();
            neighbours(digits)
                .into_iter()
                .filter_map(|id| pack_id(&id))
                .map(move |key| (key, q))
        })
        .collect();
    probes.par_sort_unstable();
    let holders = exact.find_sorted(&probes);
    pairs.par_extend(holders.par_iter().flat_map_iter(|&(g, q)| {
        exact
            .group(g)
            .iter()
            .filter(|&&r| keep[r as usize])
            .take(max_block_size)
            .map(move |&r| (q, r))
    }));

    // One 64-bit key compares faster than a tuple, field by field.
    pairs.par_sort_unstable_by_key(|&(q, r)| (u64::from(q) << 32) | u64::from(r));
    pairs.dedup();
    Candidates {
        pairs,
        skipped_blocks,
    }
}
