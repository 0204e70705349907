//! Consolidation: records joined by exact or accepted links form one person (union-find).
//! Uncertain links join nothing; they are attached to the persons on both ends.

use super::exact::ExactGroups;
use crate::model::{Link, LinkDecision, NearMiss, Person};

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

/// Persons and, for every record, the index of its person.
pub fn consolidate(
    records: usize,
    exact: &ExactGroups,
    links: &[Link],
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
    for link in links {
        if link.decision == LinkDecision::Accepted {
            forest.union(link.left as u32, link.right as u32);
        }
    }

    // Sizes first, so that every list is allocated once at its final length.
    let mut person_of = vec![0usize; records];
    let mut sizes: Vec<(usize, usize, usize)> = Vec::new();
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
    for link in links {
        let (pl, pr) = (person_of[link.left], person_of[link.right]);
        match link.decision {
            LinkDecision::Exact | LinkDecision::Accepted => sizes[pl].1 += 1,
            LinkDecision::Uncertain => {
                sizes[pl].2 += 1;
                if pr != pl {
                    sizes[pr].2 += 1;
                }
            }
        }
    }
    let mut persons: Vec<Person> = sizes
        .iter()
        .map(|&(records, links, uncertain)| Person {
            records: Vec::with_capacity(records),
            links: Vec::with_capacity(links),
            uncertain: Vec::with_capacity(uncertain),
            nearest: None,
        })
        .collect();
    for (r, &p) in person_of.iter().enumerate() {
        persons[p].records.push(r);
    }

    for (i, link) in links.iter().enumerate() {
        let (pl, pr) = (person_of[link.left], person_of[link.right]);
        match link.decision {
            LinkDecision::Exact | LinkDecision::Accepted => persons[pl].links.push(i),
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
