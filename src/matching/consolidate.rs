//! Consolidation: records joined by exact, accepted or confirmed links form one person
//! (union-find).
//! Uncertain links join nothing; they are attached to the persons on both ends.

use rayon::prelude::*;

use super::exact::ExactGroups;
use crate::model::{LinkDecision, NearMiss, Person};

/// Union-find whose root is always the smallest record of its set, so that persons come
/// out ordered by their smallest record whatever order the links were found in.
struct Forest {
    parent: Vec<u32>,
}

impl Forest {
    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let grand = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = grand;
            x = grand;
        }
        x
    }

    fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        let (low, high) = (ra.min(rb), ra.max(rb));
        self.parent[high as usize] = low;
    }
}

/// A fuzzy link as consolidation needs it: its ends and decision. Fuzzy links follow the
/// exact ones in the link list, in this order.
pub struct FuzzyEdge {
    pub left: u32,
    pub right: u32,
    pub decision: LinkDecision,
}

/// Persons and, for every record, the index of its person. Link indices are those of the
/// link list `link` builds: exact links first, group by group (each group's first record
/// to each later one), then `fuzzy`. It needs no `Link` value, so it runs while the
/// evidence of the fuzzy links is being written.
pub fn consolidate(
    records: usize,
    exact: &ExactGroups,
    fuzzy: &[FuzzyEdge],
    near_misses: &[NearMiss],
) -> (Vec<Person>, Vec<usize>) {
    let mut forest = Forest {
        parent: (0..records as u32).collect(),
    };
    // Exact groups are components already: point every member at the smallest one.
    for group in exact.groups() {
        for &r in &group[1..] {
            forest.parent[r as usize] = group[0];
        }
    }
    for edge in fuzzy {
        if edge.decision.joins() {
            forest.union(edge.left, edge.right);
        }
    }

    // Sizes first, so that every list is allocated once at its final length.
    let mut person_of = vec![0usize; records];
    // A person per root (a record that is its own parent): counted first, so that the sizes
    // list is allocated once instead of grown, and copied, by doubling.
    let roots = (forest.parent.iter().enumerate())
        .filter(|&(r, &parent)| parent as usize == r)
        .count();
    let mut sizes: Vec<(usize, usize, usize)> = Vec::with_capacity(roots);
    for r in 0..records {
        let root = forest.find(r as u32) as usize;
        person_of[r] = if root == r {
            sizes.push((0, 0, 0));
            sizes.len() - 1
        } else {
            person_of[root]
        };
        sizes[person_of[r]].0 += 1;
    }
    for group in exact.groups() {
        sizes[person_of[group[0] as usize]].1 += group.len() - 1;
    }
    for edge in fuzzy {
        let (pl, pr) = (
            person_of[edge.left as usize],
            person_of[edge.right as usize],
        );
        match edge.decision {
            LinkDecision::Exact | LinkDecision::Accepted | LinkDecision::Confirmed => {
                sizes[pl].1 += 1
            }
            LinkDecision::Uncertain => {
                sizes[pl].2 += 1;
                if pr != pl {
                    sizes[pr].2 += 1;
                }
            }
        }
    }
    // Each person's records, grouped in one counting pass: every record goes to its
    // person's next slot of one array, and the persons are made from their stretches on
    // every core. Pushing each record onto its person's own list was two cache misses a
    // record, on one core.
    let mut next: Vec<u32> = Vec::with_capacity(sizes.len());
    let mut end = 0u32;
    for &(count, _, _) in &sizes {
        next.push(end);
        end += count as u32;
    }
    let mut grouped = vec![0u32; records];
    for (r, &p) in person_of.iter().enumerate() {
        grouped[next[p] as usize] = r as u32;
        next[p] += 1;
    }
    // `next` now holds each person's end.
    let mut persons: Vec<Person> = sizes
        .par_iter()
        .zip(&next)
        .map(|(&(count, links, uncertain), &end)| {
            let end = end as usize;
            Person {
                records: grouped[end - count..end]
                    .iter()
                    .map(|&r| r as usize)
                    .collect(),
                links: Vec::with_capacity(links),
                uncertain: Vec::with_capacity(uncertain),
                nearest: None,
            }
        })
        .collect();

    let mut index = 0;
    for group in exact.groups() {
        let links = &mut persons[person_of[group[0] as usize]].links;
        links.extend(index..index + group.len() - 1);
        index += group.len() - 1;
    }
    for (i, edge) in fuzzy.iter().enumerate() {
        let i = index + i;
        let (pl, pr) = (
            person_of[edge.left as usize],
            person_of[edge.right as usize],
        );
        match edge.decision {
            LinkDecision::Exact | LinkDecision::Accepted | LinkDecision::Confirmed => {
                persons[pl].links.push(i)
            }
            LinkDecision::Uncertain => {
                persons[pl].uncertain.push(i);
                if pr != pl {
                    persons[pr].uncertain.push(i);
                }
            }
        }
    }

    for miss in near_misses {
        let p = person_of[miss.record];
        if person_of[miss.candidate] == p {
            continue;
        }
        let better = match &persons[p].nearest {
            None => true,
            Some(old) => {
                miss.score > old.score || (miss.score == old.score && miss.record < old.record)
            }
        };
        if better {
            persons[p].nearest = Some(miss.clone());
        }
    }
    (persons, person_of)
}
