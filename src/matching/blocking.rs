//! Blocking: which records a damaged- or missing-ID record is compared with.
//!
//! Queries are few (about one record in twenty), so the index is built over the queries and
//! every record is streamed past it once, in parallel. Keys:
//!
//! - region + birth date: the first 14 ID digits, from a valid ID or a damaged one whose
//!   reliable prefix still covers them (Excel `000` damage, 15-digit damage);
//! - name pinyin + township, and name pinyin + birth date (pinyin so that homophone typos
//!   and traditional characters land in the same block);
//! - each phone number (a caller's phone may be a household member's: scoring decides);
//! - household number;
//! - for a mistyped ID, every valid ID one keystroke away (substitution, adjacent swap,
//!   dropped or added digit) that passes the check, looked up in the exact-ID table.
//!
//! A key shared by more than `max_block_size` records is skipped and counted.

use std::collections::HashMap;

use chrono::Datelike;
use rayon::prelude::*;

use super::exact::{neighbours, ExactGroups};
use crate::model::PersonRecord;

pub struct Candidates {
    /// (query, candidate) record pairs, sorted, without duplicates or self-pairs.
    pub pairs: Vec<(u32, u32)>,
    /// Blocks skipped for being too large.
    pub skipped_blocks: usize,
}

/// FNV-1a over the parts of a key, with a tag so that different key kinds never collide.
pub(super) fn key_hash(tag: u8, parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |b: u8| {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    };
    eat(tag);
    for part in parts {
        part.iter().copied().for_each(&mut eat);
        eat(0xff);
    }
    h
}

fn record_keys(r: &PersonRecord, out: &mut Vec<u64>) {
    out.clear();
    if let Some(id) = &r.id {
        let reliable = if id.quality.is_valid() {
            18
        } else {
            usize::from(id.reliable_prefix)
        };
        if reliable >= 14 && id.digits.len() >= 14 {
            out.push(key_hash(b'a', &[&id.digits.as_bytes()[..14]]));
        }
    }
    if let Some(name) = &r.name {
        let sound = if name.pinyin.is_empty() {
            &name.key
        } else {
            &name.pinyin
        };
        if let Some(township) = &r.township {
            out.push(key_hash(b'b', &[sound.as_bytes(), township.as_bytes()]));
        }
        if let Some(birth) = r.birth_date {
            let day = birth.num_days_from_ce().to_le_bytes();
            out.push(key_hash(b'c', &[sound.as_bytes(), &day]));
        }
    }
    for phone in &r.phones {
        out.push(key_hash(b'p', &[phone.as_bytes()]));
    }
    if let Some(household) = &r.household_id {
        out.push(key_hash(b'h', &[household.as_bytes()]));
    }
    out.sort_unstable();
    out.dedup();
}

pub fn candidate_pairs(
    records: &[PersonRecord],
    queries: &[u32],
    exact: &ExactGroups,
    max_block_size: usize,
) -> Candidates {
    // Query index: key → slot, slot → queries.
    let mut keyed: Vec<(u64, u32)> = queries
        .par_iter()
        .flat_map_iter(|&q| {
            let mut keys = Vec::new();
            record_keys(&records[q as usize], &mut keys);
            keys.into_iter().map(move |k| (k, q))
        })
        .collect();
    keyed.par_sort_unstable();
    let mut slot_of: HashMap<u64, u32> = HashMap::new();
    let mut slot_start: Vec<usize> = Vec::new();
    for (i, &(k, _)) in keyed.iter().enumerate() {
        if i == 0 || keyed[i - 1].0 != k {
            slot_of.insert(k, slot_start.len() as u32);
            slot_start.push(i);
        }
    }
    slot_start.push(keyed.len());

    // Stream all records past the index.
    let hits: Vec<(u32, u32)> = records
        .par_iter()
        .enumerate()
        .map_init(Vec::new, |keys, (r, rec)| {
            record_keys(rec, keys);
            keys.iter()
                .filter_map(|k| slot_of.get(k).map(|&s| (s, r as u32)))
                .collect::<Vec<_>>()
        })
        .flatten_iter()
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

    // One-keystroke neighbours of mistyped IDs.
    pairs.par_extend(queries.par_iter().flat_map_iter(|&q| {
        // Only a damaged ID can be a typo; the neighbours of a valid one are other people.
        let digits = records[q as usize]
            .id
            .as_ref()
            .filter(|id| !id.quality.is_valid())
            .map(|id| id.digits.as_bytes())
            .unwrap_or_default();
        neighbours(digits)
            .into_iter()
            .filter_map(|id| exact.find(&id))
            .flat_map(|g| exact.group(g).iter().take(max_block_size))
            .map(move |&r| (q, r))
            .collect::<Vec<_>>()
    }));

    pairs.par_sort_unstable();
    pairs.dedup();
    Candidates {
        pairs,
        skipped_blocks,
    }
}
