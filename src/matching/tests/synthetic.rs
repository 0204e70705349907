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
