//! Exact linkage: every record with the same valid resident ID is the same person.
//!
//! A sort-based join on IDs packed into a `u64` (17 digits + check value 0–10 fit in 61
//! bits): consecutive records with one ID are sorted as one run, so that a county's
//! millions of claim lines are a few hundred thousand entries to sort, and no string is
//! hashed. A data-frame join would have to copy the IDs into a frame first, which alone
//! costs more than this whole join.

use std::sync::atomic::{AtomicU32, Ordering};

use rayon::prelude::*;

use super::compare::RecordFields;
use crate::idcheck::{check_of, weighted_sum, CHECK_CHARS, WEIGHTS};
use crate::model::ExactLinks;

/// Records grouped by valid ID.
pub struct ExactGroups {
    /// The groups, ordered by their smallest record: the run's exact links once matching
    /// is done with the lookups below.
    groups: ExactLinks,
    /// Group of each record, `NONE` when the record has no valid ID.
    group_of: Vec<u32>,
    /// The packed IDs in ascending order and the group of each, for probing the neighbours
    /// of a mistyped ID.
    ids: Vec<u64>,
    group_by_rank: Vec<u32>,
}

pub const NONE: u32 = u32::MAX;

impl ExactGroups {
    /// Groups the records by valid ID, read from their compared fields (the ID is inline
    /// there, so this pass chases no pointers).
    pub fn build(fields: &RecordFields) -> ExactGroups {
        let keyed = id_runs(fields);

        // Groups of equal IDs, in ID order: (first record, start, end) in `keyed`, whose
        // runs of one ID come in record order.
        let mut runs: Vec<(u32, usize, usize)> = Vec::new();
        let mut ids: Vec<u64> = Vec::new();
        let mut start = 0;
        while start < keyed.len() {
            let mut end = start + 1;
            while end < keyed.len() && keyed[end].id == keyed[start].id {
                end += 1;
            }
            runs.push((keyed[start].first, start, end));
            ids.push(keyed[start].id);
            start = end;
        }
        // Groups are numbered by their first (smallest) record, so that group numbers do
        // not depend on ID values.
        // First records are distinct record numbers: place each run at its first record and
        // read them back in record order, instead of sorting.
        let mut rank_at = vec![u32::MAX; fields.len()];
        for (rank, &(first, _, _)) in runs.iter().enumerate() {
            rank_at[first as usize] = rank as u32;
        }
        let order: Vec<u32> = rank_at.into_iter().filter(|&r| r != u32::MAX).collect();
        let mut group_by_rank = vec![0u32; runs.len()];
        let mut starts = Vec::with_capacity(runs.len() + 1);
        let mut total = 0u32;
        for (g, &rank) in order.iter().enumerate() {
            group_by_rank[rank as usize] = g as u32;
            starts.push(total);
            let (_, s, e) = runs[rank as usize];
            total += keyed[s..e]
                .iter()
                .map(|run| fields.lines_in(run.first..run.first + run.len))
                .sum::<u32>();
        }
        starts.push(total);
        // Every group's members written into their stretch by whichever core holds it.
        let mut members = vec![0u32; total as usize];
        fill_groups(&mut members, 0..order.len(), &starts, |g, out| {
            let (_, s, e) = runs[order[g] as usize];
            // A record of several claim lines is a member once per line.
            let records = keyed[s..e]
                .iter()
                .flat_map(|run| run.first..run.first + run.len)
                .flat_map(|r| std::iter::repeat_n(r, fields.lines_in(r..r + 1) as usize));
            for (slot, r) in out.iter_mut().zip(records) {
                *slot = r;
            }
        });
        // Each record is written once, from whichever core holds its group.
        let slots: Vec<AtomicU32> = (0..fields.len())
            .into_par_iter()
            .map(|_| AtomicU32::new(NONE))
            .collect();
        (0..order.len()).into_par_iter().for_each(|g| {
            let group = &members[starts[g] as usize..starts[g + 1] as usize];
            for &r in group {
                slots[r as usize].store(g as u32, Ordering::Relaxed);
            }
        });
        let group_of = slots.into_par_iter().map(AtomicU32::into_inner).collect();
        ExactGroups {
            groups: ExactLinks::new(members, starts),
            group_of,
            ids,
            group_by_rank,
        }
    }

    pub fn len(&self) -> usize {
        self.groups.groups()
    }

    /// Group `g`'s records, each once (a record of several claim lines is a member once
    /// per line, its copies side by side).
    pub fn records(&self, g: u32) -> impl Iterator<Item = u32> + '_ {
        let group = self.groups.group(g as usize);
        group
            .iter()
            .enumerate()
            .filter(|&(i, &r)| i == 0 || group[i - 1] != r)
            .map(|(_, &r)| r)
    }

    /// Exact links: members (source rows) in groups beyond the first of each.
    pub fn linked(&self) -> usize {
        self.groups.len()
    }

    /// The ends of exact link `i`, in the order of `groups`: its group's first record and a
    /// later one.
    pub fn link_ends(&self, i: usize) -> (u32, u32) {
        self.groups.ends(i)
    }

    pub fn group_of(&self, record: usize) -> u32 {
        self.group_of[record]
    }

    /// The groups as the run's exact links; the lookups are dropped.
    pub fn into_links(self) -> ExactLinks {
        self.groups
    }

    /// The groups holding the packed IDs of `probes` (sorted by ID), as (group, tag) for
    /// each probe that hits. One merge pass over the sorted IDs: a county's typos probe a
    /// million neighbour IDs, and a random lookup each costs a cache miss.
    pub fn find_sorted(&self, probes: &[(u64, u32)]) -> Vec<(u32, u32)> {
        let mut hits = Vec::new();
        let mut at = 0;
        for &(key, tag) in probes {
            while at < self.ids.len() && self.ids[at] < key {
                at += 1;
            }
            if self.ids.get(at) == Some(&key) {
                hits.push((self.group_by_rank[at], tag));
            }
        }
        hits
    }

    /// Records per group, for the initial union-find forest.
    pub fn groups(&self) -> impl Iterator<Item = &[u32]> {
        self.groups.iter_groups()
    }
}

/// Consecutive records `first..first + len` sharing one valid ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct IdRun {
    id: u64,
    first: u32,
    len: u32,
}

/// Calls `fill(g, stretch)` for every group `g` in `groups` with its stretch of `out`
/// (`starts[g]..starts[g + 1]`, counted from `starts[groups.start]`), halving the groups
/// between the cores.
fn fill_groups(
    out: &mut [u32],
    groups: std::ops::Range<usize>,
    starts: &[u32],
    fill: impl Fn(usize, &mut [u32]) + Sync + Copy,
) {
    const SERIAL_GROUPS: usize = 4_096;
    if groups.len() <= SERIAL_GROUPS {
        let base = starts[groups.start];
        for g in groups {
            fill(
                g,
                &mut out[(starts[g] - base) as usize..(starts[g + 1] - base) as usize],
            );
        }
        return;
    }
    let mid = groups.start + groups.len() / 2;
    let (low, high) = out.split_at_mut((starts[mid] - starts[groups.start]) as usize);
    rayon::join(
        || fill_groups(low, groups.start..mid, starts, fill),
        || fill_groups(high, mid..groups.end, starts, fill),
    );
}

/// The runs of records with a valid ID, sorted by ID and then by record: the runs of
/// equal compared fields (`RecordFields`) that have one, so that a county's millions of
/// claim lines are a few hundred thousand entries to sort. Neighbouring runs of one ID
/// stay two entries, side by side after the sort.
fn id_runs(fields: &RecordFields) -> Vec<IdRun> {
    let mut runs: Vec<IdRun> = fields
        .runs()
        .filter_map(|(records, f)| {
            Some(IdRun {
                id: pack_id(f.valid_id()?)?,
                first: records.start,
                len: records.end - records.start,
            })
        })
        .collect();
    runs.par_sort_unstable();
    runs
}

/// Packs an 18-character ID (`X` as 10) into a `u64`; `None` for anything else.
pub fn pack_id(id: &[u8]) -> Option<u64> {
    if id.len() != 18 {
        return None;
    }
    let mut v: u64 = 0;
    for &c in &id[..17] {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u64::from(c - b'0');
    }
    let check = match id[17] {
        c @ b'0'..=b'9' => u64::from(c - b'0'),
        b'X' | b'x' => 10,
        _ => return None,
    };
    Some(v * 11 + check)
}

/// A well-formed 18-character ID whose check character matches.
pub fn is_checked(id: &[u8]) -> bool {
    id.len() == 18 && check_of(id).is_some_and(|c| c == id[17].to_ascii_uppercase())
}

/// The valid IDs one substituted character away from an 18-character one whose first 17
/// characters are digits, solved rather than tried: the check sum is linear mod 11 and
/// every weight is invertible, so each position admits at most one digit. `None` when a
/// non-digit makes the shortcut inapplicable.
fn substitutions(id: &[u8]) -> Option<Vec<[u8; 18]>> {
    if id.len() != 18 || !id[..17].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum = weighted_sum(&id[..17]);
    let mut out = Vec::new();
    let mut with = |i: usize, c: u8| {
        let mut cand = [0u8; 18];
        cand.copy_from_slice(id);
        cand[i] = c;
        out.push(cand);
    };
    // The check character itself mistyped.
    let check = CHECK_CHARS[sum as usize];
    if check != id[17].to_ascii_uppercase() {
        with(17, check);
    }
    // A body digit mistyped: the sum the written check character needs.
    if let Some(need) = CHECK_CHARS
        .iter()
        .position(|&c| c == id[17].to_ascii_uppercase())
    {
        for (i, w) in WEIGHTS.into_iter().enumerate() {
            let old = u32::from(id[i] - b'0');
            let inverse = (1..11).find(|x| w * x % 11 == 1).unwrap_or(1);
            let rest = (sum + 11 * 11 - w * old % 11) % 11;
            let digit = (need as u32 + 11 - rest) % 11 * inverse % 11;
            if digit <= 9 && digit != old {
                with(i, b'0' + digit as u8);
            }
        }
    }
    Some(out)
}

/// Valid IDs one keystroke away from a damaged one: one substituted character, two
/// adjacent characters swapped, one digit dropped (17 long) or one added (19 long). Only
/// candidates passing the check are returned, so a typo has a few dozen at most.
pub fn neighbours(digits: &[u8]) -> Vec<[u8; 18]> {
    let mut out = Vec::new();
    let mut push = |cand: &[u8]| {
        if is_checked(cand) {
            let mut id = [0u8; 18];
            id.copy_from_slice(cand);
            id[17] = id[17].to_ascii_uppercase();
            out.push(id);
        }
    };
    match digits.len() {
        18 => {
            let mut cand = digits.to_vec();
            if let Some(subs) = substitutions(digits) {
                subs.iter().for_each(|c| push(c));
            } else {
                for i in 0..18 {
                    let orig = cand[i];
                    let alphabet: &[u8] = if i == 17 {
                        b"0123456789X"
                    } else {
                        b"0123456789"
                    };
                    for &d in alphabet {
                        if d != orig {
                            cand[i] = d;
                            push(&cand);
                        }
                    }
                    cand[i] = orig;
                }
            }
            for i in 0..17 {
                if cand[i] != cand[i + 1] {
                    cand.swap(i, i + 1);
                    push(&cand);
                    cand.swap(i, i + 1);
                }
            }
        }
        17 => {
            for i in 0..=17 {
                let alphabet: &[u8] = if i == 17 {
                    b"0123456789X"
                } else {
                    b"0123456789"
                };
                for &d in alphabet {
                    let mut cand = Vec::with_capacity(18);
                    cand.extend_from_slice(&digits[..i]);
                    cand.push(d);
                    cand.extend_from_slice(&digits[i..]);
                    push(&cand);
                }
            }
        }
        19 => {
            for i in 0..19 {
                let mut cand = digits.to_vec();
                cand.remove(i);
                push(&cand);
            }
        }
        _ => {}
    }
    out.sort_unstable();
    out.dedup();
    out
}
