//! The hard cases of SPEC 5, built by hand.

use chrono::NaiveDate;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::exact::neighbours;
use super::*;
use crate::idcheck::check_of;
use crate::model::{
    IdQuality, LinkDecision, Linkage, Observation, PersonName, PersonRecord, ResidentId, Role, Sex,
    SourceKind, SourceRef,
};

/// A valid ID from 17 digits (local MOD 11-2, independent of the normaliser).
fn valid_id(body: &str) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .bytes()
        .zip(W)
        .map(|(c, w)| u32::from(c - b'0') * w)
        .sum();
    format!("{body}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

fn birth_of(id: &str) -> NaiveDate {
    NaiveDate::parse_from_str(&id[6..14], "%Y%m%d").unwrap()
}

/// A record with a name (key and pinyin given, as the normaliser would) and a township.
fn rec(kind: SourceKind, row: u32, name: &str, pinyin: &str) -> PersonRecord {
    PersonRecord {
        kind,
        role: Role::Subject,
        source: SourceRef {
            file: format!("{}.xlsx", kind.key()),
            sheet: None,
            row,
        },
        name: Some(PersonName {
            display: name.into(),
            key: name.into(),
            pinyin: pinyin.into(),
        }),
        id: None,
        birth_date: None,
        sex: None,
        phones: vec![],
        township: Some("城关镇".into()),
        village: None,
        address: None,
        household_id: None,
        observation: Observation::IdentityOnly,
    }
}

fn with_valid(mut r: PersonRecord, id: &str) -> PersonRecord {
    r.birth_date = Some(birth_of(id));
    let seq = id.as_bytes()[16] - b'0';
    r.sex = Some(if seq % 2 == 1 { Sex::Male } else { Sex::Female });
    r.id = Some(ResidentId {
        digits: id.into(),
        quality: IdQuality::Clean,
        reliable_prefix: 18,
    });
    r
}

fn with_damaged(
    mut r: PersonRecord,
    digits: &str,
    quality: IdQuality,
    reliable: u8,
) -> PersonRecord {
    r.id = Some(ResidentId {
        digits: digits.into(),
        quality,
        reliable_prefix: reliable,
    });
    r
}

fn with(mut r: PersonRecord, f: impl FnOnce(&mut PersonRecord)) -> PersonRecord {
    f(&mut r);
    r
}

fn run(records: &[PersonRecord]) -> Linkage {
    link(records, &MatchSettings::default())
}

fn same_person(l: &Linkage, a: usize, b: usize) -> bool {
    l.person_of[a] == l.person_of[b]
}

/// The fuzzy link between two records, if any.
fn link_between(l: &Linkage, a: usize, b: usize) -> Option<&Link> {
    l.links
        .iter()
        .find(|k| (k.left, k.right) == (a.min(b), a.max(b)))
}

fn level<'a>(k: &'a Link, field: &str) -> &'a str {
    k.evidence
        .iter()
        .find(|e| e.field == field)
        .map(|e| e.level.as_ref())
        .unwrap_or("")
}

const ZHANG: &str = "41012319850312201";

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
    let k = &l.links[l.persons[0].links[0]];
    assert_eq!(k.decision, LinkDecision::Exact);
    assert_eq!(describe(k), "身份证号一致");
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
    assert_eq!(level(k, "身份证号"), "一位不同");
    assert_eq!(level(k, "姓名"), "一致");
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
    assert_eq!(level(k, "身份证号"), "相邻颠倒");
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
            |r| r.phones = vec!["13812345678".into()],
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
            |r| r.phones = vec!["13812345678".into()],
        ),
    ];
    let l = run(&records);
    assert_eq!(l.persons.len(), 1, "{:#?}", l.links);
    let k = link_between(&l, 0, 1).unwrap();
    assert_eq!(k.decision, LinkDecision::Accepted);
    assert_eq!(level(k, "身份证号"), "前缀一致(前15位)");
    let k = link_between(&l, 0, 2).unwrap();
    assert_eq!(level(k, "身份证号"), "前缀一致(前12位)");
    assert_eq!(level(k, "电话"), "一致");
}

#[test]
fn homophone_and_traditional_names_link_with_supporting_evidence() {
    let id = valid_id(ZHANG);
    let roll = with(
        with_valid(rec(SourceKind::Dibao, 3, "张伟", "zhang wei"), &id),
        |r| r.phones = vec!["13812345678".into()],
    );
    // 12349 caller: homophone 张玮, no ID, same phone and birth date.
    let caller = with(rec(SourceKind::Hotline, 11, "张玮", "zhang wei"), |r| {
        r.phones = vec!["13812345678".into()];
        r.birth_date = Some(birth_of(&id));
    });
    // Traditional 張偉: the normaliser's key is already simplified.
    let petition = with(rec(SourceKind::Petition, 5, "张伟", "zhang wei"), |r| {
        r.name.as_mut().unwrap().display = "張偉".into();
        r.phones = vec!["13812345678".into()];
    });
    let l = run(&[roll, caller, petition]);
    let k = link_between(&l, 0, 1).unwrap();
    assert_eq!(k.decision, LinkDecision::Accepted);
    assert_eq!(level(k, "拼音"), "拼音相同");
    assert_eq!(level(k, "出生日期"), "一致");
    assert!(same_person(&l, 0, 2));
    assert_eq!(l.persons.len(), 1);
}

#[test]
fn hotline_caller_without_id_found_by_name_and_phone() {
    let id = valid_id("41012319720708101");
    let roll = with(
        with_valid(rec(SourceKind::LowIncome, 4, "赵桂兰", "zhao gui lan"), &id),
        |r| {
            r.phones = vec!["13900001111".into(), "037112345678".into()];
            r.village = Some("东村".into());
        },
    );
    let caller = with(
        rec(SourceKind::Hotline, 20, "赵桂兰", "zhao gui lan"),
        |r| {
            r.phones = vec!["13900001111".into()];
            r.township = None;
        },
    );
    let l = run(&[roll, caller]);
    let k = link_between(&l, 0, 1).unwrap();
    assert_eq!(k.decision, LinkDecision::Accepted, "{k:?}");
    assert!(same_person(&l, 0, 1));
}

#[test]
fn two_wang_wei_in_one_township_are_kept_apart() {
    let covered = valid_id("41012319800101301");
    let records = vec![
        // The covered 王伟: dibao roll and disability list, 东村.
        with(
            with_valid(rec(SourceKind::Dibao, 3, "王伟", "wang wei"), &covered),
            |r| {
                r.village = Some("东村".into());
                r.phones = vec!["13700000001".into()];
            },
        ),
        with_valid(rec(SourceKind::Disability, 4, "王伟", "wang wei"), &covered),
        // The uncovered 王伟 of 西村 calls the hotline without an ID.
        with(rec(SourceKind::Hotline, 9, "王伟", "wang wei"), |r| {
            r.village = Some("西村".into());
            r.phones = vec!["13700000002".into()];
            r.sex = Some(Sex::Male);
        }),
        // The covered one calls too, from his own phone.
        with(rec(SourceKind::Hotline, 10, "王伟", "wang wei"), |r| {
            r.village = Some("东村".into());
            r.phones = vec!["13700000001".into()];
        }),
    ];
    let l = run(&records);
    assert!(same_person(&l, 0, 1));
    assert!(same_person(&l, 0, 3));
    assert!(!same_person(&l, 0, 2));
    assert!(link_between(&l, 0, 2).is_none() && link_between(&l, 1, 2).is_none());
    let uncovered = &l.persons[l.person_of[2]];
    assert!(uncovered.uncertain.is_empty());
    let near = uncovered.nearest.as_ref().unwrap();
    assert!(near.score < MatchSettings::default().lower_threshold);
    assert!(records[near.candidate].kind.is_roll());
}

#[test]
fn same_name_alone_does_not_link_and_a_namesake_on_a_roll_goes_to_review() {
    let records = vec![
        with(
            with_valid(
                rec(SourceKind::Tekun, 2, "李强", "li qiang"),
                &valid_id("41012319650505203"),
            ),
            |r| r.village = Some("南村".into()),
        ),
        with(rec(SourceKind::Petition, 6, "李强", "li qiang"), |r| {
            r.sex = Some(Sex::Male)
        }),
    ];
    let l = run(&records);
    assert!(!same_person(&l, 0, 1));
    // Nothing tells the ID-less petitioner from the namesake on the roll: neither linked nor
    // dismissed, the pair goes to review.
    assert_eq!(l.links.len(), 1);
    assert_eq!(l.links[0].decision, LinkDecision::Uncertain);
    assert_eq!(l.persons[l.person_of[1]].uncertain, vec![0]);

    // A namesake in another township is no question at all.
    let mut elsewhere = records.clone();
    elsewhere[1].township = Some("李集乡".into());
    assert!(run(&elsewhere).links.is_empty());

    // A birth date that differs tells them apart.
    let mut older = records;
    older[1].birth_date = chrono::NaiveDate::from_ymd_opt(1990, 1, 1);
    let l = run(&older);
    assert!(l.links.is_empty());
}

#[test]
fn household_member_sharing_a_phone_is_not_the_same_person() {
    let mother = valid_id("41012319580202104");
    let records = vec![
        with(
            with_valid(rec(SourceKind::Dibao, 3, "刘芳", "liu fang"), &mother),
            |r| {
                r.phones = vec!["13600000000".into()];
                r.village = Some("北村".into());
                r.household_id = Some("H001".into());
            },
        ),
        with(rec(SourceKind::Hotline, 4, "刘明", "liu ming"), |r| {
            r.phones = vec!["13600000000".into()];
            r.village = Some("北村".into());
            r.household_id = Some("H001".into());
            r.sex = Some(Sex::Male);
        }),
    ];
    let l = run(&records);
    assert!(!same_person(&l, 0, 1));
    assert!(l.links.is_empty());
}

#[test]
fn same_name_same_village_goes_to_review() {
    let records = vec![
        with(
            with_valid(
                rec(SourceKind::Dibao, 2, "王伟", "wang wei"),
                &valid_id("41012319800101301"),
            ),
            |r| r.village = Some("东村".into()),
        ),
        with(rec(SourceKind::Emergency, 3, "王伟", "wang wei"), |r| {
            r.village = Some("东村".into())
        }),
    ];
    let l = run(&records);
    let k = link_between(&l, 0, 1).unwrap();
    assert_eq!(k.decision, LinkDecision::Uncertain);
    assert!(!same_person(&l, 0, 1));
    let i = l.links.iter().position(|x| x == k).unwrap();
    assert_eq!(l.persons[l.person_of[0]].uncertain, vec![i]);
    assert_eq!(l.persons[l.person_of[1]].uncertain, vec![i]);
    assert_eq!(l.stats.uncertain_links, 1);
}

#[test]
fn two_persons_equally_likely_make_the_link_uncertain() {
    // Mother and daughter both 陈静 on the roll, sharing the household phone.
    let mother = valid_id("41012319600303102");
    let daughter = valid_id("41012319880808102");
    let records = vec![
        with(
            with_valid(rec(SourceKind::Dibao, 2, "陈静", "chen jing"), &mother),
            |r| r.phones = vec!["13500000000".into()],
        ),
        with(
            with_valid(rec(SourceKind::Dibao, 3, "陈静", "chen jing"), &daughter),
            |r| r.phones = vec!["13500000000".into()],
        ),
        with(rec(SourceKind::Hotline, 5, "陈静", "chen jing"), |r| {
            r.phones = vec!["13500000000".into()]
        }),
    ];
    let l = run(&records);
    let a = link_between(&l, 0, 2).unwrap();
    let b = link_between(&l, 1, 2).unwrap();
    assert_eq!(a.decision, LinkDecision::Uncertain);
    assert_eq!(b.decision, LinkDecision::Uncertain);
    assert_eq!(l.persons.len(), 3);
    assert_eq!(l.persons[l.person_of[2]].uncertain.len(), 2);
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
            r.township = Some(town.clone());
            if rng.gen_bool(0.5) {
                r.phones = vec![phone.clone()];
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
        assert_eq!(truth(k.left), truth(k.right), "{k:?}");
    }
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
    let text = describe(link_between(&l, 0, 1).unwrap());
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
fn name_one_character_apart() {
    let id = valid_id(ZHANG);
    let roll = with(
        with_valid(
            rec(SourceKind::Dibao, 3, "欧阳明华", "ou yang ming hua"),
            &id,
        ),
        |r| r.phones = vec!["13812345678".into()],
    );
    let dropped = with(
        rec(SourceKind::Hotline, 4, "欧阳明", "ou yang ming"),
        |r| r.phones = vec!["13812345678".into()],
    );
    let swapped = with(
        rec(SourceKind::Hotline, 5, "欧阳明花", "ou yang ming hua2"),
        |r| r.phones = vec!["13812345678".into()],
    );
    let l = run(&[roll, dropped, swapped]);
    assert_eq!(level(link_between(&l, 0, 1).unwrap(), "姓名"), "差一字");
    assert_eq!(level(link_between(&l, 0, 2).unwrap(), "姓名"), "差一字");
}

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
                        r.phones = vec![format!("139{i:08}")];
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
    let mut fields: Vec<compare::Fields> = records
        .iter()
        .map(|r| compare::Fields::of(r, exact::NONE))
        .collect();
    let exact = exact::ExactGroups::build(&fields);
    for (i, f) in fields.iter_mut().enumerate() {
        f.group = exact.group_of(i);
    }
    let queries: Vec<u32> = Vec::new();
    let w = Weights::estimate(
        &records,
        &fields,
        &vec![true; records.len()],
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
fn a_valid_id_ending_in_excel_zeros_is_also_matched_as_damaged() {
    // A birth date whose `000`-padded ID passes the check by chance (one in eleven do).
    let padded = (1..=28)
        .flat_map(|day| (0..10).map(move |d| format!("410123196810{day:02}{d}00")))
        .map(|body| valid_id(&body))
        .find(|id| id.ends_with('0'))
        .unwrap();
    // An odd sequence digit: the padded copy reads as a woman, the real ID as a man.
    let real = valid_id(&format!("{}87", &padded[..15]));
    let roll = with(
        with_valid(rec(SourceKind::Dibao, 2, "钟洁", "zhong jie"), &real),
        |r| r.village = Some("马岗村".into()),
    );
    let disabled = with(
        with_valid(rec(SourceKind::Disability, 9, "钟洁", "zhong jie"), &padded),
        |r| r.village = Some("马岗村".into()),
    );
    let l = run(&[roll, disabled]);
    assert!(same_person(&l, 0, 1), "{:?}", l.links);
    let k = link_between(&l, 0, 1).unwrap();
    assert_eq!(k.decision, LinkDecision::Accepted);
    assert_eq!(level(k, "身份证号"), "前缀一致(前15位)");
}

#[test]
fn an_upgraded_15_digit_id_agrees_on_the_digits_it_had() {
    let id = valid_id("41012320190405091");
    let roll = with(
        with_valid(rec(SourceKind::Dibao, 2, "高志宇", "gao zhi yu"), &id),
        |r| r.village = Some("任湾村".into()),
    );
    // The 15-digit 410123190405091 upgraded with the usual century 19.
    let upgraded = valid_id("41012319190405091");
    let relief = with(
        with_valid(
            rec(SourceKind::Emergency, 11, "高志宇", "gao zhi yu"),
            &upgraded,
        ),
        |r| {
            r.village = Some("任湾村".into());
            if let Some(id) = r.id.as_mut() {
                id.quality = IdQuality::Upgraded15;
            }
        },
    );
    let l = run(&[roll, relief]);
    let k = link_between(&l, 0, 1).unwrap();
    assert_eq!(k.decision, LinkDecision::Accepted, "{k:?}");
    assert_eq!(level(k, "身份证号"), "15位号码一致");
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
    let held: Vec<&Link> = l
        .links
        .iter()
        .filter(|k| k.decision == LinkDecision::Uncertain && k.right == 3)
        .collect();
    assert!(!held.is_empty(), "{:#?}", l.links);
    assert_eq!(level(held[0], "身份证号"), "前缀一致(前10位)");
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
    assert_eq!(level(k, "身份证号"), "相邻颠倒");
    assert_eq!(level(k, "性别"), "", "the sex digit is the one in doubt");
}
