//! Weights and comparisons: what agreement on a field scores, and the compared fields.

use super::*;

#[test]
fn a_shared_phone_counts_beside_the_place_only_when_the_names_agree() {
    let settings = MatchSettings::default();
    let w = Weights::fallback(10, 10, &settings);
    let cmp = |name| Comparison {
        id: None,
        birth: None,
        name: Some(name),
        place: Some(compare::PlaceLevel::SameTownship),
        phone: Some(compare::Agree::Equal),
        household: None,
        sex: None,
    };
    let place_only = Comparison {
        phone: None,
        ..cmp(compare::NameLevel::Equal)
    };
    let phone_only = Comparison {
        place: None,
        ..cmp(compare::NameLevel::Equal)
    };
    // Same name: the phone adds its full weight to the place.
    let both = w.score(&cmp(compare::NameLevel::Equal), 9.0);
    let sum = w.score(&place_only, 9.0) + w.score(&phone_only, 9.0)
        - w.score(
            &Comparison {
                place: None,
                phone: None,
                ..cmp(compare::NameLevel::Equal)
            },
            9.0,
        );
    assert!((both - sum).abs() < 1e-9, "{both} vs {sum}");
    // Another name (a household member): only the stronger of the two counts.
    let other = |c: Comparison| Comparison {
        name: Some(compare::NameLevel::Different),
        ..c
    };
    let both = w.score(&other(cmp(compare::NameLevel::Equal)), 9.0);
    let stronger = w
        .score(&other(place_only), 9.0)
        .max(w.score(&other(phone_only), 9.0));
    assert!((both - stronger).abs() < 1e-9, "{both} vs {stronger}");
}

/// A county large enough for estimated weights: persons with IDs on several records, a
/// phone each on one of them.
fn county_with_phones(n: usize) -> Vec<PersonRecord> {
    let mut out = Vec::new();
    for i in 0..n {
        let id = valid_id(&format!(
            "4101231970{:02}{:02}{:03}",
            1 + i % 12,
            1 + i % 28,
            i % 1000
        ));
        let name = format!("王{}", char::from_u32(0x4e00 + i as u32).unwrap());
        let pinyin = format!("wang x{i}");
        for row in 0..3 {
            out.push(with(
                with_valid(
                    rec(SourceKind::Medical, (i * 3 + row) as u32, &name, &pinyin),
                    &id,
                ),
                |r| {
                    if row == 0 {
                        r.contact_mut().phones = vec![format!("139{i:08}")];
                    }
                },
            ));
        }
    }
    out
}

#[test]
fn phone_weight_reflects_how_rarely_persons_share_a_number() {
    let records = county_with_phones(1_000);
    let mut fields = compare::RecordFields::of(&records);
    let exact = exact::ExactGroups::build(&fields);
    fields.set_groups(|record| exact.group_of(record));
    let queries: Vec<u32> = Vec::new();
    let w = Weights::estimate(
        &records,
        &fields,
        &queries,
        &exact,
        &MatchSettings::default(),
    );
    let agree = Comparison {
        id: None,
        birth: None,
        name: None,
        place: None,
        phone: Some(compare::Agree::Equal),
        household: None,
        sex: None,
    };
    // No two of 1,000 persons share a number: u is below one in a few hundred thousand,
    // far rarer than 200,000 random record pairs could show.
    let phone = w.score(&agree, 0.0) - w.prior;
    assert!(phone > 15.0, "phone weight {phone}");
}

#[test]
fn compared_fields_are_one_aligned_pair_of_cache_lines() {
    // Scoring reads `Fields` at random across millions of records: a third line per read
    // costs more than anything it could hold, and a pair straddling two aligned pairs
    // costs two misses instead of one.
    assert_eq!(std::mem::size_of::<compare::Fields>(), 128);
    assert_eq!(std::mem::align_of::<compare::Fields>(), 128);
}

#[test]
fn a_one_character_typo_is_told_apart_inline_and_beyond() {
    use compare::NameLevel;
    let name_level = |a: &str, b: &str| {
        let (x, y) = (
            rec(SourceKind::Dibao, 2, a, ""),
            rec(SourceKind::Dibao, 3, b, ""),
        );
        let (fx, fy) = (
            compare::Fields::of(&x, exact::NONE),
            compare::Fields::of(&y, exact::NONE),
        );
        compare::compare(&x, &fx, &y, &fy).name
    };
    assert_eq!(
        name_level("王小明", "王晓明"),
        Some(NameLevel::OneCharApart)
    );
    assert_eq!(name_level("王小明", "王明"), Some(NameLevel::OneCharApart));
    assert_eq!(name_level("王小明", "李晓明"), Some(NameLevel::Different));
    // Longer than the inline characters: read from the record, same answer.
    assert_eq!(
        name_level("阿依古丽买买提", "阿依古丽买卖提"),
        Some(NameLevel::OneCharApart)
    );
    assert_eq!(
        name_level("阿依古丽买买提", "阿依古"),
        Some(NameLevel::Different)
    );
    assert_eq!(
        name_level("阿依古丽", "阿依古丽买"),
        Some(NameLevel::OneCharApart)
    );
}

/// The records' fields are found chunk by chunk on every core, as runs of equal fields,
/// then joined: every record keeps its own fields and every run is a stretch of equal
/// records, also where runs meet a chunk's edge (chunks hold 16,384 records).
#[test]
fn record_fields_join_their_chunks_record_for_record() {
    let mut records = Vec::new();
    let mut person = 0u32;
    while records.len() < 3 * 16_384 + 100 {
        let name = format!("王{}", char::from_u32(0x4e00 + person % 20_000).unwrap());
        // Runs of 1 to 9 equal records, so that runs straddle the chunk edges.
        for _ in 0..=person % 9 {
            let row = records.len() as u32;
            records.push(rec(
                SourceKind::Medical,
                row,
                &name,
                &format!("wang {person}"),
            ));
        }
        person += 1;
    }
    let fields = compare::RecordFields::of(&records);
    assert_eq!(fields.len(), records.len());
    for (r, f) in fields.iter().enumerate() {
        assert!(
            *f == compare::Fields::of(&records[r], exact::NONE),
            "record {r}"
        );
    }
    let runs: Vec<_> = fields.runs().map(|(range, f)| (range, *f)).collect();
    assert_eq!(runs.len(), fields.held());
    let mut next = 0;
    for (range, f) in &runs {
        assert_eq!(range.start, next, "runs cover the records in order");
        assert!(range
            .clone()
            .all(|r| compare::Fields::of(&records[r as usize], exact::NONE) == *f));
        next = range.end;
    }
    assert_eq!(next as usize, records.len());
    // A run is cut only where the fields change or a chunk ends.
    assert!(runs
        .windows(2)
        .all(|w| w[0].1 != w[1].1 || w[1].0.start % 16_384 == 0));
}

/// Claim lines sharing their name, ID and place (as normalise makes them) are one run
/// without being hashed again; a line that differs in anything else the fields read still
/// begins a run of its own.
#[test]
fn lines_sharing_their_identity_share_a_run_unless_a_field_differs() {
    let first = with_valid(
        rec(SourceKind::Medical, 1, "张伟", "zhang wei"),
        &valid_id(ZHANG),
    );
    // A copy shares the first line's name, ID and place: the pointers, not only the values.
    let line = |row, change: &dyn Fn(&mut PersonRecord)| {
        let mut r = first.clone();
        r.source = SourceRef::new("medical.csv".to_string(), None, row);
        change(&mut r);
        r
    };
    let records = vec![
        line(1, &|_| {}),
        line(2, &|_| {}),
        line(3, &|r| r.birth_date = None),
        line(4, &|r| r.birth_date = None),
        line(5, &|r| r.sex = None),
        line(6, &|r| r.kind = SourceKind::Dibao),
        line(7, &|r| r.contact_mut().phones.push("13800000000".into())),
        line(8, &|_| {}),
    ];
    let fields = compare::RecordFields::of(&records);
    for (r, f) in fields.iter().enumerate() {
        assert!(
            *f == compare::Fields::of(&records[r], exact::NONE),
            "record {r}"
        );
    }
    let runs: Vec<_> = fields.runs().map(|(range, _)| range).collect();
    assert_eq!(runs, vec![0..2, 2..4, 4..5, 5..6, 6..7, 7..8]);
}

/// A run's candidates ranked once give each copy what ranking them without its own entry
/// gives: the same best list in the same order, the same score counts, the same nearest
/// roll record (the first strongest in scored order), on random runs full of ties.
#[test]
fn a_run_ranked_once_ranks_for_each_copy_as_ranking_it_alone() {
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// The copy's ranking done alone: filter, sort stably, keep each anchor's best.
    fn alone(q: u32, scored: &[Scored], on_roll: &dyn Fn(u32) -> bool) -> Ranking {
        let mut nearest = None;
        let mut histogram: BTreeMap<i64, usize> = BTreeMap::new();
        let mut best: Vec<Scored> = scored.iter().filter(|c| c.record != q).copied().collect();
        for c in &best {
            if on_roll(c.record) && nearest.is_none_or(|(s, _)| c.score > s) {
                nearest = Some((c.score, c.record));
            }
            *histogram.entry(bucket(c.score)).or_default() += 1;
        }
        best.sort_by(|a, b| {
            (a.anchor.cmp(&b.anchor))
                .then(b.score.total_cmp(&a.score))
                .then(a.record.cmp(&b.record))
        });
        best.dedup_by_key(|c| c.anchor);
        best.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.record.cmp(&b.record)));
        let best = best.iter().map(|c| (c.record, c.score)).collect();
        (best, histogram.into_iter().collect(), nearest)
    }
    type Ranking = (Vec<(u32, f64)>, Vec<(i64, usize)>, Option<(f64, u32)>);

    let none = Comparison {
        id: None,
        birth: None,
        name: None,
        place: None,
        phone: None,
        household: None,
        sex: None,
    };
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let (mut ranked, mut best, mut histogram) = (RankedRun::default(), Vec::new(), Vec::new());
    let mut own_entries = 0;
    for _ in 0..2_000 {
        let rolls: Vec<bool> = (0..60).map(|_| rng.gen_bool(0.4)).collect();
        let on_roll = |r: u32| rolls[r as usize];
        let present: Vec<u32> = (0..60u32).filter(|_| rng.gen_bool(0.3)).collect();
        let scored: Vec<Scored> = present
            .into_iter()
            .map(|record| Scored {
                // A third in five exact-ID groups, the rest single records.
                anchor: if rng.gen_bool(0.3) {
                    rng.gen_range(0..5)
                } else {
                    ANCHOR_SINGLE | u64::from(record)
                },
                score: f64::from(rng.gen_range(-4..8)) * 1.5,
                record,
                cmp: none,
            })
            .collect();
        ranked.rank(&scored, on_roll);
        // Copies are single records (a query with a valid ID never scores its own group)
        // or not among the scored at all.
        let copies = scored
            .iter()
            .filter(|c| !c.has_valid_id())
            .map(|c| c.record)
            .chain([60]);
        for q in copies {
            own_entries += usize::from(q < 60);
            let roll = ranked.for_copy(q, &mut best, &mut histogram);
            histogram.sort_unstable();
            let once: Ranking = (
                best.iter().map(|c| (c.record, c.score)).collect(),
                histogram.clone(),
                roll.map(|(s, r, _)| (s, r)),
            );
            assert_eq!(
                once,
                alone(q, &scored, &on_roll),
                "copy {q} of {}",
                scored.len()
            );
        }
    }
    assert!(own_entries > 10_000, "{own_entries}");
}
