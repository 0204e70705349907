//! A synthetic county: the output does not depend on threads, and typos are found
//! without false links.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::*;

/// A few thousand records: enough to estimate the weights rather than fall back.
fn synthetic(n: usize, seed: u64) -> Vec<PersonRecord> {
    synthetic_with_truth(n, seed).0
}

/// The records, and each record's true person number.
fn synthetic_with_truth(n: usize, seed: u64) -> (Vec<PersonRecord>, Vec<usize>) {
    const SURNAMES: [(&str, &str); 6] = [
        ("王", "wang"),
        ("李", "li"),
        ("张", "zhang"),
        ("刘", "liu"),
        ("陈", "chen"),
        ("杨", "yang"),
    ];
    const GIVEN: [(&str, &str); 8] = [
        ("伟", "wei"),
        ("芳", "fang"),
        ("娜", "na"),
        ("秀英", "xiu ying"),
        ("敏", "min"),
        ("静", "jing"),
        ("强", "qiang"),
        ("磊", "lei"),
    ];
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = Vec::new();
    let mut truth = Vec::new();
    for p in 0..n {
        let (s, sp) = SURNAMES[rng.gen_range(0..SURNAMES.len())];
        let (g, gp) = GIVEN[rng.gen_range(0..GIVEN.len())];
        let body = format!(
            "410123{}{:02}{:02}{:03}",
            rng.gen_range(1940..2015),
            rng.gen_range(1..13),
            rng.gen_range(1..29),
            p % 1000
        );
        let id = valid_id(&body);
        let town = format!("{}镇", rng.gen_range(0..10));
        let phone = format!("13{:09}", rng.gen_range(0..1_000_000_000u64));
        for copy in 0..rng.gen_range(1..4) {
            let kind = SourceKind::ALL[rng.gen_range(0..SourceKind::ALL.len())];
            let mut r = with_valid(
                rec(
                    kind,
                    (out.len() + 2) as u32,
                    &format!("{s}{g}"),
                    &format!("{sp} {gp}"),
                ),
                &id,
            );
            r.place_mut().township = Some(town.as_str().into());
            if rng.gen_bool(0.5) {
                r.contact_mut().phones = vec![phone.clone()];
            }
            if copy > 0 && rng.gen_bool(0.15) {
                let mut d = id.clone().into_bytes();
                let i = rng.gen_range(0..17);
                d[i] = b'0' + (d[i] - b'0' + 1) % 10;
                r = with_damaged(r, &String::from_utf8(d).unwrap(), IdQuality::BadCheck, 0);
            } else if copy > 0 && rng.gen_bool(0.1) {
                r.id = None;
            }
            out.push(r);
            truth.push(p);
        }
    }
    (out, truth)
}

#[test]
fn output_does_not_depend_on_thread_count() {
    let records = synthetic(1_500, 7);
    assert!(records.len() > 2_000);
    let in_pool = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| run(&records))
    };
    let one = in_pool(1);
    let two = in_pool(2);
    assert_eq!(
        serde_json::to_string(&one).unwrap(),
        serde_json::to_string(&two).unwrap()
    );
    assert!(one.stats.candidate_pairs > 0);
    assert!(one.stats.accepted_links > 0);
    assert!(!one.stats.score_histogram.is_empty());
    // Persons come out ordered by their smallest record.
    assert!(one
        .persons
        .windows(2)
        .all(|w| w[0].records[0] < w[1].records[0]));
}

#[test]
fn synthetic_typos_are_found_without_false_links() {
    let (records, truth) = synthetic_with_truth(1_500, 11);
    let l = run(&records);
    let truth = |i: usize| truth[i];
    let (mut found, mut damaged) = (0, 0);
    for (i, r) in records.iter().enumerate() {
        if r.id.as_ref().is_some_and(|id| !id.quality.is_valid()) {
            damaged += 1;
            let person = &l.persons[l.person_of[i]];
            if person
                .records
                .iter()
                .any(|&o| o != i && records[o].id.as_ref().is_some_and(|x| x.quality.is_valid()))
            {
                found += 1;
            }
        }
    }
    assert!(damaged > 50);
    assert!(found as f64 >= 0.95 * damaged as f64, "{found}/{damaged}");
    // Every accepted link joins records of one synthetic person.
    for k in l
        .links
        .iter()
        .filter(|k| k.decision == LinkDecision::Accepted)
    {
        assert_eq!(truth(k.ends().0), truth(k.ends().1), "{k:?}");
    }
}

/// The synthetic county with some records turned into runs of 2–6 medical claim lines:
/// each run as one record of its lines (joined, as normalise makes them) and as one record
/// per line (apart), with the apart index of each joined record's first line.
fn claim_runs(seed: u64) -> (Vec<PersonRecord>, Vec<PersonRecord>, Vec<usize>) {
    use crate::model::Claim;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (mut joined, mut apart, mut first_line) = (Vec::new(), Vec::new(), Vec::new());
    for mut r in synthetic(1_500, seed) {
        let clean = r.id.as_ref().is_some_and(|id| id.names_its_person());
        let lines = if clean && rng.gen_bool(0.3) {
            rng.gen_range(2..=6)
        } else {
            1
        };
        first_line.push(apart.len());
        if lines > 1 {
            r.kind = SourceKind::Medical;
            r.contact = None;
            let claim = |k: i64| Claim {
                out_of_pocket_cents: Some(100 * k),
                settled: None,
            };
            for k in 0..lines {
                apart.push(with(r.clone(), |line| {
                    line.source.row += k as u32;
                    line.observation = Observation::Claims(Box::new([claim(k)]));
                }));
            }
            r.observation = Observation::Claims((0..lines).map(claim).collect());
        } else {
            apart.push(r.clone());
        }
        joined.push(r);
    }
    (joined, apart, first_line)
}

#[test]
fn claim_lines_joined_into_one_record_link_as_they_did_apart() {
    let (joined, apart, first_line) = claim_runs(5);
    assert!(apart.len() > joined.len() + 500, "enough runs to tell");
    let (j, a) = (run(&joined), run(&apart));
    // Weights, candidates and decisions: every figure counts the rows as before.
    let figures = |l: &Linkage| serde_json::to_string(&l.stats).unwrap();
    assert_eq!(figures(&j), figures(&a));
    assert!(j.stats.accepted_links > 0 && j.stats.exact_links > 0);
    let fuzzy = |l: &Linkage, at: &dyn Fn(u32) -> u32| -> Vec<String> {
        l.links
            .iter()
            .filter(|k| k.decision != LinkDecision::Exact)
            .map(|k| {
                format!(
                    "{} {} {:?} {}",
                    at(k.left),
                    at(k.right),
                    k.decision,
                    k.score
                )
            })
            .collect()
    };
    let at_line = |r: u32| first_line[r as usize] as u32;
    assert_eq!(fuzzy(&j, &at_line), fuzzy(&a, &|r| r));
    // The same persons: every line is with the lines and records it was with apart.
    let joined_of_line: Vec<usize> = (0..joined.len())
        .flat_map(|r| std::iter::repeat_n(r, joined[r].lines()))
        .collect();
    let mut person_for: BTreeMap<usize, usize> = BTreeMap::new();
    for (line, &r) in joined_of_line.iter().enumerate() {
        let seen = *person_for
            .entry(a.person_of[line])
            .or_insert(j.person_of[r]);
        assert_eq!(seen, j.person_of[r], "line {line}");
    }
    assert_eq!(person_for.len(), j.persons.len());
    assert_eq!(a.persons.len(), j.persons.len());
}

#[test]
fn every_row_finds_the_record_standing_for_it() {
    let (joined, apart, _) = claim_runs(9);
    let fields = compare::RecordFields::of(&joined);
    assert_eq!(fields.lines(), apart.len());
    let expected = (0..joined.len()).flat_map(|r| std::iter::repeat_n(r, joined[r].lines()));
    for (line, record) in expected.enumerate() {
        assert_eq!(fields.record_of_line(line), record, "row {line}");
    }
}
