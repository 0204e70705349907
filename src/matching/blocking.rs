//! Blocking: which records a damaged- or missing-ID record is compared with.
//!
//! Queries are few (about one record in twenty), so the index is built over the queries and
//! every record is streamed past it once, in parallel; each query then gathers its
//! candidates from its own blocks when it is scored. Keys:
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

use super::compare::{Fields, RecordFields};
use super::exact::{neighbours, pack_id, ExactGroups};
use super::hash::{self, U64Map};
use crate::model::PersonRecord;

/// The blocks of every query, built once: each query then gathers its own candidates, so
/// that a county's millions of candidate pairs are never held, nor sorted, all at once.
pub struct Blocks<'a> {
    fields: &'a RecordFields,
    exact: &'a ExactGroups,
    keep: &'a [bool],
    max_block_size: usize,
    /// Query key → slot.
    slot_of: U64Map<u32>,
    /// The records worth comparing that carry each slot's key, ascending:
    /// `members[member_start[s]..member_start[s + 1]]`.
    member_start: Vec<usize>,
    members: Vec<u32>,
    /// (query, exact group) for every valid ID one keystroke from a query's mistyped ID,
    /// sorted.
    neighbour_groups: Vec<(u32, u32)>,
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
    fields: &RecordFields,
    exact: &ExactGroups,
) -> Vec<bool> {
    let copies: Vec<u32> = (0..exact.len() as u32)
        .into_par_iter()
        .flat_map_iter(|g| {
            let mut firsts: Vec<u32> = Vec::new();
            let mut copies = Vec::new();
            let mut last_run = u32::MAX;
            for r in exact.records(g) {
                // A record of the run before it (a claim line after the first) is a copy
                // without comparing.
                let run = fields.run_of(r as usize);
                let same = |&f: &u32| fields[f as usize] == fields[r as usize];
                if std::mem::replace(&mut last_run, run) == run || firsts.iter().any(same) {
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

impl<'a> Blocks<'a> {
    /// The blocks of `queries`, each of which stands for the run of equal fields it
    /// begins: only they are gathered for (`gather`).
    pub fn build(
        records: &[PersonRecord],
        fields: &'a RecordFields,
        keep: &'a [bool],
        queries: &[u32],
        exact: &'a ExactGroups,
        max_block_size: usize,
    ) -> Blocks<'a> {
        // Query index: every distinct key a query blocks on gets a slot.
        let mut keys: Vec<u64> = queries
            .par_iter()
            .flat_map_iter(|&q| {
                let keys = Keys::of(&fields[q as usize], Side::Query);
                (0..keys.len).map(move |i| keys.keys[i])
            })
            .collect();
        keys.par_sort_unstable();
        keys.dedup();
        let slot_of: U64Map<u32> = keys
            .iter()
            .enumerate()
            .map(|(slot, &k)| (k, slot as u32))
            .collect();

        // Stream all records past the index, then lay each slot's records out together
        // (a counting sort, which keeps them ascending).
        let hits: Vec<(u32, u32)> = fields
            .par_iter()
            .enumerate()
            .filter(|&(r, _)| keep[r])
            .flat_map_iter(|(r, f)| {
                let keys = Keys::of(f, Side::Candidate);
                let slot_of = &slot_of;
                (0..keys.len)
                    .filter_map(move |i| slot_of.get(&keys.keys[i]).map(|&s| (s, r as u32)))
            })
            .collect();
        let mut member_start = vec![0usize; keys.len() + 1];
        for &(s, _) in &hits {
            member_start[s as usize + 1] += 1;
        }
        let skipped_blocks = member_start[1..]
            .iter()
            .filter(|&&n| n > max_block_size)
            .count();
        for s in 1..member_start.len() {
            member_start[s] += member_start[s - 1];
        }
        let mut filled = member_start.clone();
        let mut members = vec![0u32; hits.len()];
        for &(s, r) in &hits {
            members[filled[s as usize]] = r;
            filled[s as usize] += 1;
        }
        drop(hits);

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
        let mut neighbour_groups: Vec<(u32, u32)> = exact
            .find_sorted(&probes)
            .into_iter()
            .map(|(g, q)| (q, g))
            .collect();
        neighbour_groups.par_sort_unstable();
        Blocks {
            fields,
            exact,
            keep,
            max_block_size,
            slot_of,
            member_start,
            members,
            neighbour_groups,
            skipped_blocks,
        }
    }

    /// The records that share a block with query `q`, into `out`: ascending, without
    /// duplicates, `q` itself among them when its own keys find it. The records of one run
    /// of equal fields gather the same list, so a run of query copies gathers it once.
    pub fn gather(&self, q: u32, out: &mut Vec<u32>) {
        out.clear();
        let keys = Keys::of(&self.fields[q as usize], Side::Query);
        for key in &keys.keys[..keys.len] {
            let s = self.slot_of[key] as usize;
            let block = &self.members[self.member_start[s]..self.member_start[s + 1]];
            if block.len() <= self.max_block_size {
                out.extend_from_slice(block);
            }
        }
        let from = self.neighbour_groups.partition_point(|&(p, _)| p < q);
        for &(_, g) in self.neighbour_groups[from..]
            .iter()
            .take_while(|&&(p, _)| p == q)
        {
            out.extend(
                self.exact
                    .records(g)
                    .filter(|&r| self.keep[r as usize])
                    .take(self.max_block_size),
            );
        }
        out.sort_unstable();
        out.dedup();
    }
}
