//! IDs: valid ones link exactly; typed wrong, damaged by Excel or upgraded from 15 digits,
//! they still find the roll person.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::*;
use crate::idcheck::check_of;
use crate::matching::exact::neighbours;

#[test]
fn valid_ids_link_exactly_and_parents_link_like_anyone() {
    let id = valid_id(ZHANG);
    let roll = with_valid(rec(SourceKind::Dibao, 3, "张伟", "zhang wei"), &id);
    let father = with(
        with_valid(rec(SourceKind::Children, 5, "张伟", "zhang wei"), &id),
        |r| r.role = Role::Father,
    );
    let other = with_valid(
        rec(SourceKind::Disability, 2, "李娜", "li na"),
        &valid_id("41012319900101202"),
    );
    let l = run(&[roll, other, father]);
    assert_eq!(l.persons.len(), 2);
    assert_eq!(l.persons[0].records, vec![0, 2]);
    assert_eq!(l.persons[1].records, vec![1]);
    assert_eq!(l.stats.exact_links, 1);
    let k = l.link(l.persons[0].links[0]);
    assert_eq!(k.decision, LinkDecision::Exact);
    assert_eq!(describe(&k), "身份证号一致");
    assert!(k.score > MatchSettings::default().upper_threshold);
}

#[test]
fn one_digit_typo_links_to_the_roll() {
    let id = valid_id(ZHANG);
    let mut typo = id.clone().into_bytes();
    typo[10] = if typo[10] == b'9' { b'8' } else { typo[10] + 1 };
    let typo = String::from_utf8(typo).unwrap();
    let records = vec![
        with_valid(rec(SourceKind::Dibao, 3, "张伟", "zhang wei"), &id),
        with_damaged(
            rec(SourceKind::Medical, 7, "张伟", "zhang wei"),
            &typo,
            IdQuality::BadCheck,
            0,
        ),
    ];
    let l = run(&records);
    assert!(same_person(&l, 0, 1));
    let k = link_between(&l, 0, 1).unwrap();
    assert_eq!(k.decision, LinkDecision::Accepted);
    assert_eq!(level(&k, "身份证号"), "一位不同");
    assert_eq!(level(&k, "姓名"), "一致");
}

#[test]
fn adjacent_transposition_links_to_the_roll() {
    let id = valid_id(ZHANG);
    let mut swapped = id.clone().into_bytes();
    swapped.swap(14, 15);
    assert_ne!(swapped, id.as_bytes());
    let swapped = String::from_utf8(swapped).unwrap();
    let records = vec![
        with_damaged(
            rec(SourceKind::Unemployment, 4, "张伟", "zhang wei"),
            &swapped,
            IdQuality::BadCheck,
            0,
        ),
        with_valid(rec(SourceKind::Tekun, 9, "张伟", "zhang wei"), &id),
    ];
    let l = run(&records);
    let k = link_between(&l, 0, 1).unwrap();
    assert_eq!(k.decision, LinkDecision::Accepted);
    assert_eq!(level(&k, "身份证号"), "相邻颠倒");
}

#[test]
fn excel_damaged_ids_are_compared_as_prefixes() {
    let id = valid_id(ZHANG);
    // Float rounding left 000 at the end: 15 reliable digits, region and birth date.
    let trailing = format!("{}000", &id[..15]);
    // Scientific notation kept 12 significant digits; the phone does the rest.
    let float = id[..12].to_string();
    let records = vec![
        with(
            with_valid(rec(SourceKind::Dibao, 3, "张伟", "zhang wei"), &id),
            |r| r.contact_mut().phones = vec!["13812345678".into()],
        ),
        with_damaged(
            rec(SourceKind::Agriculture, 8, "张伟", "zhang wei"),
            &trailing,
            IdQuality::Trailing000,
            15,
        ),
        with(
            with_damaged(
                rec(SourceKind::Emergency, 6, "张伟", "zhang wei"),
                &float,
                IdQuality::ExcelFloat,
                12,
            ),
            |r| r.contact_mut().phones = vec!["13812345678".into()],
        ),
    ];
    let l = run(&records);
    assert_eq!(l.persons.len(), 1, "{:#?}", l.links);
    let k = link_between(&l, 0, 1).unwrap();
    assert_eq!(k.decision, LinkDecision::Accepted);
    assert_eq!(level(&k, "身份证号"), "前缀一致(前15位)");
    let k = link_between(&l, 0, 2).unwrap();
    assert_eq!(level(&k, "身份证号"), "前缀一致(前12位)");
    assert_eq!(level(&k, "电话"), "一致");
}

#[test]
fn neighbours_of_a_typo_contain_the_true_id() {
    let id = valid_id(ZHANG);
    let mut typo = id.clone().into_bytes();
    typo[3] = if typo[3] == b'0' { b'7' } else { b'0' };
    let found = neighbours(&typo);
    assert!(found.iter().any(|n| n == id.as_bytes()));
    assert!(found.len() < 40, "{}", found.len());
    // A dropped digit is found too.
    let mut dropped = id.clone().into_bytes();
    dropped.remove(9);
    assert!(neighbours(&dropped).iter().any(|n| n == id.as_bytes()));
    assert_eq!(check_of(id.as_bytes()), Some(id.as_bytes()[17]));
}

#[test]
fn evidence_reads_as_chinese() {
    let id = valid_id(ZHANG);
    let mut typo = id.clone().into_bytes();
    typo[12] = if typo[12] == b'0' { b'1' } else { b'0' };
    let records = vec![
        with_valid(rec(SourceKind::Dibao, 3, "张伟", "zhang wei"), &id),
        with_damaged(
            rec(SourceKind::Medical, 7, "张伟", "zhang wei"),
            std::str::from_utf8(&typo).unwrap(),
            IdQuality::BadCheck,
            0,
        ),
    ];
    let l = run(&records);
    let text = describe(&link_between(&l, 0, 1).unwrap());
    assert!(text.starts_with("身份证号一位不同(+"), "{text}");
    assert!(text.contains("姓名一致"), "{text}");
}

#[test]
fn copies_of_one_damaged_id_join_the_roll_person() {
    let id = valid_id(ZHANG);
    let trailing = format!("{}000", &id[..15]);
    let damaged = |kind, row| {
        with_damaged(
            rec(kind, row, "张伟", "zhang wei"),
            &trailing,
            IdQuality::Trailing000,
            15,
        )
    };
    let records = vec![
        damaged(SourceKind::Medical, 4),
        damaged(SourceKind::Medical, 5),
        with_valid(rec(SourceKind::Dibao, 3, "张伟", "zhang wei"), &id),
    ];
    let l = run(&records);
    assert_eq!(l.persons.len(), 1);
    assert_eq!(l.persons[0].records, vec![0, 1, 2]);
    assert_eq!(
        link_between(&l, 0, 2).unwrap().decision,
        LinkDecision::Accepted
    );
    assert_eq!(
        link_between(&l, 1, 2).unwrap().decision,
        LinkDecision::Accepted
    );
}

#[test]
fn a_valid_id_ending_in_excel_zeros_is_also_matched_as_damaged() {
    let padded = padded_id();
    // An odd sequence digit: the padded copy reads as a woman, the real ID as a man.
    let real = valid_id(&format!("{}87", &padded[..15]));
    let roll = with(
        with_valid(rec(SourceKind::Dibao, 2, "钟洁", "zhong jie"), &real),
        |r| r.place_mut().village = Some("马岗村".into()),
    );
    let disabled = with(
        with_valid(rec(SourceKind::Disability, 9, "钟洁", "zhong jie"), &padded),
        |r| r.place_mut().village = Some("马岗村".into()),
    );
    let l = run(&[roll, disabled]);
    assert!(same_person(&l, 0, 1), "{:?}", l.links);
    let k = link_between(&l, 0, 1).unwrap();
    assert_eq!(k.decision, LinkDecision::Accepted);
    assert_eq!(level(&k, "身份证号"), "前缀一致(前15位)");
}

/// Matching's suspect IDs are the model's IDs that may be damaged, the ones normalise never
/// joins lines for: one rule, read two ways.
#[test]
fn a_suspect_id_is_one_that_may_be_damaged() {
    let padded = padded_id();
    let records = [
        with_valid(
            rec(SourceKind::Medical, 2, "张伟", "zhang wei"),
            &valid_id(ZHANG),
        ),
        with_valid(rec(SourceKind::Medical, 3, "张伟", "zhang wei"), &padded),
        with(
            with_valid(
                rec(SourceKind::Medical, 4, "张伟", "zhang wei"),
                &valid_id(ZHANG),
            ),
            |r| Arc::make_mut(r.id.as_mut().unwrap()).quality = IdQuality::Upgraded15,
        ),
        with_damaged(
            rec(SourceKind::Medical, 5, "张伟", "zhang wei"),
            "4101231985",
            IdQuality::ExcelFloat,
            10,
        ),
        rec(SourceKind::Medical, 6, "张伟", "zhang wei"),
    ];
    let fields = compare::RecordFields::of(&records);
    let suspect: Vec<bool> = fields.iter().map(|f| f.suspect()).collect();
    let may_be_damaged: Vec<bool> = (records.iter())
        .map(|r| r.id.as_ref().is_some_and(|id| id.may_be_damaged()))
        .collect();
    assert_eq!(suspect, [false, true, true, false, false]);
    assert_eq!(suspect, may_be_damaged);
}

#[test]
fn an_upgraded_15_digit_id_agrees_on_the_digits_it_had() {
    let id = valid_id("41012320190405091");
    let roll = with(
        with_valid(rec(SourceKind::Dibao, 2, "高志宇", "gao zhi yu"), &id),
        |r| r.place_mut().village = Some("任湾村".into()),
    );
    // The 15-digit 410123190405091 upgraded with the usual century 19.
    let upgraded = valid_id("41012319190405091");
    let relief = with(
        with_valid(
            rec(SourceKind::Emergency, 11, "高志宇", "gao zhi yu"),
            &upgraded,
        ),
        |r| {
            r.place_mut().village = Some("任湾村".into());
            if let Some(id) = r.id.as_mut() {
                Arc::make_mut(id).quality = IdQuality::Upgraded15;
            }
        },
    );
    let l = run(&[roll, relief]);
    let k = link_between(&l, 0, 1).unwrap();
    assert_eq!(k.decision, LinkDecision::Accepted, "{k:?}");
    assert_eq!(level(&k, "身份证号"), "15位号码一致");
}

#[test]
fn solved_substitutions_equal_trying_every_digit() {
    let brute = |typo: &[u8]| {
        let mut out: Vec<[u8; 18]> = Vec::new();
        for i in 0..18 {
            let alphabet: &[u8] = if i == 17 {
                b"0123456789X"
            } else {
                b"0123456789"
            };
            for &d in alphabet {
                let mut cand = [0u8; 18];
                cand.copy_from_slice(typo);
                if cand[i] != d {
                    cand[i] = d;
                    if exact::is_checked(&cand) {
                        out.push(cand);
                    }
                }
            }
        }
        out.sort_unstable();
        out
    };
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    for _ in 0..500 {
        let body: String = (0..17)
            .map(|_| char::from(b'0' + rng.gen_range(0..10u8)))
            .collect();
        let mut typo = valid_id(&body).into_bytes();
        let i = rng.gen_range(0..18);
        typo[i] = if i == 17 && rng.gen_bool(0.2) {
            b'X'
        } else {
            b'0' + rng.gen_range(0..10u8)
        };
        let mut solved: Vec<[u8; 18]> = neighbours(&typo)
            .into_iter()
            .filter(|n| n.iter().zip(&typo).filter(|(a, b)| a != b).count() == 1)
            .collect();
        solved.sort_unstable();
        assert_eq!(solved, brute(&typo), "{}", String::from_utf8_lossy(&typo));
    }
}

#[test]
fn copies_of_an_excel_destroyed_id_do_not_hide_the_roll_person() {
    let id = valid_id(ZHANG);
    // Scientific notation kept 10 digits: region and birth year.
    let float = id[..10].to_string();
    let line = |row| {
        with_damaged(
            rec(SourceKind::Medical, row, "张伟", "zhang wei"),
            &float,
            IdQuality::ExcelFloat,
            10,
        )
    };
    let records = vec![
        line(4),
        line(5),
        line(6),
        with_valid(rec(SourceKind::Orphan, 3, "张伟", "zhang wei"), &id),
    ];
    let l = run(&records);
    // The claim lines agree on everything with each other and are one person …
    assert!(same_person(&l, 0, 1) && same_person(&l, 0, 2));
    // … and the orphan roll record, which agrees on fewer digits, is not decided silently:
    // the pair goes to review with both records shown.
    assert!(!same_person(&l, 0, 3), "{:#?}", l.links);
    let held: Vec<Cow<Link>> = l
        .links
        .iter()
        .filter(|k| k.decision == LinkDecision::Uncertain && k.right == 3)
        .collect();
    assert!(!held.is_empty(), "{:#?}", l.links);
    assert_eq!(level(&held[0], "身份证号"), "前缀一致(前10位)");
    assert!(!l.persons[l.person_of[0]].uncertain.is_empty());
}

#[test]
fn a_typo_in_the_sex_digit_does_not_make_the_sexes_differ() {
    let id = valid_id(ZHANG);
    // The 16th and 17th digits swapped: the 17th is the sex digit, odd (male) in the true
    // ID and even in the typed one, so the sex read from the typed ID is wrong too.
    let mut swapped = id.clone().into_bytes();
    swapped.swap(15, 16);
    let swapped = String::from_utf8(swapped).unwrap();
    let records = vec![
        with(
            with_damaged(
                rec(SourceKind::Medical, 4, "张伟", "zhang wei"),
                &swapped,
                IdQuality::BadCheck,
                17,
            ),
            |r| {
                r.sex = Some(Sex::Female);
                r.birth_date = Some(birth_of(&id));
            },
        ),
        with_valid(rec(SourceKind::Dibao, 9, "张伟", "zhang wei"), &id),
    ];
    assert_eq!(records[1].sex, Some(Sex::Male));
    let l = run(&records);
    let k = link_between(&l, 0, 1).unwrap();
    assert_eq!(k.decision, LinkDecision::Accepted, "{k:#?}");
    assert_eq!(level(&k, "身份证号"), "相邻颠倒");
    assert_eq!(level(&k, "性别"), "", "the sex digit is the one in doubt");
}

/// `count` distinct valid IDs, of persons born on the 28 days from `first_birth` (yyyymmdd).
fn distinct_ids(count: u32, first_birth: u32) -> Vec<String> {
    (0..count)
        .map(|i| valid_id(&format!("410123{:08}{:03}", first_birth + i % 28, i / 28)))
        .collect()
}

#[test]
fn exact_links_looked_up_one_by_one_come_group_by_group() {
    // Groups of one to four records (a one-record group has no link), interleaved.
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let ids = distinct_ids(3_000, 19_500_101);
    let records: Vec<PersonRecord> = (0..9_000)
        .map(|row| {
            let id = &ids[rng.gen_range(0..ids.len())];
            with_valid(rec(SourceKind::Medical, row, "张伟", "zhang wei"), id)
        })
        .collect();
    let fields = compare::RecordFields::of(&records);
    let groups = ExactGroups::build(&fields);
    let in_order: Vec<(u32, u32)> = groups
        .groups()
        .flat_map(|g| g[1..].iter().map(move |&r| (g[0], r)))
        .collect();
    assert!(in_order.len() > 5_000);
    assert!(groups.groups().any(|g| g.len() == 1));
    let links = groups.into_links();
    assert_eq!(links.len(), in_order.len());
    assert_eq!(links.iter_ends().collect::<Vec<_>>(), in_order);
    // Link by link, as a person's list names them: the group found by search.
    let looked_up: Vec<(u32, u32)> = (0..links.len()).map(|i| links.ends(i)).collect();
    assert_eq!(looked_up, in_order);
}

/// Claim lines come in runs of one ID; the join sorts runs, not records. Groups must be
/// what grouping every record by its ID gives: members ascending, groups in order of their
/// first record, whether an ID's runs are apart, next to ID-less rows, or cut by the
/// boundary of the parallel chunks.
#[test]
fn exact_groups_from_runs_of_one_id_are_the_groups_of_every_record() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let ids = distinct_ids(4_000, 19_600_101);
    // Runs of 1 to 40 rows, one in ten without an ID; rows 65,530..65,545 one run across a
    // chunk boundary (65,536).
    let mut row_ids: Vec<Option<usize>> = Vec::new();
    while row_ids.len() < 70_000 {
        let id = (rng.gen_range(0..10) > 0).then(|| rng.gen_range(0..ids.len()));
        row_ids.extend(std::iter::repeat_n(id, rng.gen_range(1..=40)));
    }
    row_ids.truncate(70_000);
    row_ids[65_530..65_545].fill(Some(0));
    // One ID on both sides of rows without one: two runs, not one.
    row_ids[100..110].fill(Some(1));
    row_ids[110..115].fill(None);
    row_ids[115..120].fill(Some(1));
    let records: Vec<PersonRecord> = row_ids
        .iter()
        .enumerate()
        .map(|(row, id)| {
            let r = rec(SourceKind::Medical, row as u32, "张伟", "zhang wei");
            match id {
                Some(i) => with_valid(r, &ids[*i]),
                None => r,
            }
        })
        .collect();
    let fields = compare::RecordFields::of(&records);

    let mut by_id: std::collections::BTreeMap<usize, Vec<u32>> = Default::default();
    for (row, id) in row_ids.iter().enumerate() {
        if let Some(i) = id {
            by_id.entry(*i).or_default().push(row as u32);
        }
    }
    let mut expected: Vec<Vec<u32>> = by_id.into_values().collect();
    expected.sort_by_key(|members| members[0]);

    let groups = ExactGroups::build(&fields);
    let built: Vec<Vec<u32>> = groups.groups().map(<[u32]>::to_vec).collect();
    assert_eq!(built, expected);
    for (g, members) in built.iter().enumerate() {
        for &r in members {
            assert_eq!(groups.group_of(r as usize), g as u32);
        }
    }
    let unkeyed: Vec<usize> = (0..row_ids.len())
        .filter(|&r| row_ids[r].is_none())
        .collect();
    assert!(unkeyed.len() > 1_000);
    for r in unkeyed {
        assert_eq!(groups.group_of(r), exact::NONE);
    }
}

/// Records in runs of equal fields share one `Fields`; each record still reads exactly its
/// own fields, across the parallel chunks' boundaries, and its own exact-ID group.
#[test]
fn record_fields_hold_a_run_once_and_read_as_each_record() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let ids = distinct_ids(2_000, 19_700_101);
    let mut records: Vec<PersonRecord> = Vec::new();
    while records.len() < 40_000 {
        let id = (rng.gen_range(0..10) > 0).then(|| &ids[rng.gen_range(0..ids.len())]);
        let name = ["张伟", "王芳", "李娜"][rng.gen_range(0..3)];
        for _ in 0..rng.gen_range(1..=30) {
            let r = rec(SourceKind::Medical, records.len() as u32, name, "x");
            records.push(match id {
                Some(id) => with_valid(r, id),
                None => r,
            });
        }
    }
    let mut fields = compare::RecordFields::of(&records);
    assert_eq!(fields.len(), records.len());
    assert!(fields.held() * 5 < records.len(), "{} held", fields.held());
    for (i, r) in records.iter().enumerate() {
        assert_eq!(fields[i], compare::Fields::of(r, exact::NONE), "record {i}");
    }
    let exact = ExactGroups::build(&fields);
    fields.set_groups(|record| exact.group_of(record));
    for (i, f) in fields.iter().enumerate() {
        assert_eq!(f.group, exact.group_of(i), "record {i}");
    }
    assert!(fields.iter().any(|f| f.group == exact::NONE));
}

/// Consecutive copies of a query are one run of fields, gathered, scored and ranked once:
/// each copy still decides as it does when the copies lie apart and are scored one by one.
#[test]
fn copies_scored_as_one_run_decide_as_copies_scored_apart() {
    for kind in [SourceKind::Medical, SourceKind::TempAssistance] {
        copies_decide_as_apart(kind, true);
        copies_decide_as_apart(kind, false);
    }
}

/// Three copies of a damaged-ID line of `kind`, with or without the roll person their ID
/// belongs to.
fn copies_decide_as_apart(kind: SourceKind, roll_person: bool) {
    let id = valid_id(ZHANG);
    let float = id[..10].to_string();
    let line = |row| {
        with_damaged(
            rec(kind, row, "张伟", "zhang wei"),
            &float,
            IdQuality::ExcelFloat,
            10,
        )
    };
    // Share no block with the claim lines nor with each other: other names, another
    // township, no ID.
    let stranger = |row, name, pinyin| {
        with(rec(SourceKind::Medical, row, name, pinyin), |r| {
            r.place_mut().township = Some("柳林镇".into())
        })
    };
    let roll = with_valid(rec(SourceKind::Orphan, 3, "张伟", "zhang wei"), &id);
    let mut together = vec![line(4), line(5), line(6), roll.clone()];
    let mut apart = vec![
        line(4),
        stranger(1, "刘芳", "liu fang"),
        line(5),
        stranger(2, "王强", "wang qiang"),
        line(6),
        roll,
    ];
    if !roll_person {
        together.pop();
        apart.pop();
    }
    let (t, a) = (run(&together), run(&apart));
    // Record i of `together` is record `moved[i]` of `apart`.
    let moved = &[0, 2, 4, 5][..together.len()];
    let links = |l: &Linkage, index: &dyn Fn(usize) -> usize| {
        let mut links: Vec<_> = l
            .links
            .iter()
            .filter(|k| k.decision != LinkDecision::Exact)
            .map(|k| (index(k.left as usize), index(k.right as usize), k.decision))
            .collect();
        links.sort_by_key(|&(x, y, d)| (x, y, d as u8));
        links
    };
    let fuzzy = links(&t, &|r| moved[r]);
    // Beside the roll person their damaged ID may name, the copies are held for review;
    // alone they simply join.
    assert_eq!(
        fuzzy.iter().any(|k| k.2 == LinkDecision::Uncertain),
        roll_person,
        "{fuzzy:?}"
    );
    assert_eq!(fuzzy, links(&a, &|r| r));
    assert_eq!(t.stats.candidate_pairs, a.stats.candidate_pairs);
    assert_eq!(t.stats.score_histogram, a.stats.score_histogram);
    // Each copy scored each of its candidates once, and never itself.
    let scored: usize = t.stats.score_histogram.iter().map(|(_, n)| n).sum();
    assert_eq!(scored, t.stats.candidate_pairs);
    assert!(t.links.iter().all(|k| k.left != k.right), "{:?}", t.links);
    for (i, &x) in moved.iter().enumerate() {
        for (j, &y) in moved.iter().enumerate() {
            assert_eq!(same_person(&t, i, j), same_person(&a, x, y), "{i} {j}");
        }
    }
}
