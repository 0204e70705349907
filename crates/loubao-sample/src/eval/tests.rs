use super::lists::SuspectRow;
use super::*;
use std::sync::Arc;

use loubao_model::{LinkDecision, Person, Place, SourceKind, SourceRef};

fn truth() -> Truth {
    let mut t = Truth {
        rows: BTreeMap::new(),
        by_person: BTreeMap::new(),
        township: BTreeMap::new(),
        by_id: BTreeMap::new(),
        expected: BTreeMap::new(),
    };
    for (source, person, noise) in [
        ("a.csv#2", "P1", ""),
        ("b.csv#3", "P1", "excel_float"),
        ("a.csv#3", "P2", ""),
        ("a.csv#4", "P3", ""),
    ] {
        t.rows.entry(source.into()).or_default().push(TruthRow {
            person: person.into(),
            role: "subject".into(),
            noise: noise.into(),
        });
        t.by_person
            .entry(person.into())
            .or_default()
            .push((source.into(), noise.into()));
        t.township.insert(person.into(), "城关镇".into());
    }
    t.expected.insert("P1".into(), [RuleCode::R01].into());
    t.expected
        .insert("P2".into(), [RuleCode::R01, RuleCode::R03].into());
    t
}

#[test]
fn suspects_map_to_the_majority_person_and_are_scored_per_code() {
    let rows = vec![
        SuspectRow {
            township: "城关镇".into(),
            id_number: String::new(),
            codes: [RuleCode::R01].into(),
            refs: vec!["a.csv#2".into(), "b.csv#3".into()],
        },
        SuspectRow {
            township: "柳林镇".into(),
            id_number: String::new(),
            codes: [RuleCode::R01].into(),
            refs: vec!["a.csv#4".into()],
        },
    ];
    let mut report = EvalReport::default();
    score_lists(&mut report, &truth(), &rows);
    let r01 = report.code(RuleCode::R01).unwrap();
    assert_eq!(
        (r01.true_positives, r01.false_positives, r01.false_negatives),
        (1, 1, 1)
    );
    let r03 = report.code(RuleCode::R03).unwrap();
    assert_eq!((r03.true_positives, r03.false_negatives), (0, 1));
    assert_eq!(report.right_township, (1, 2));
    assert!(report
        .recall_by_noise
        .contains(&("excel_float".into(), 1, 1)));
    assert_eq!(report.misses.len(), 3);
}

#[test]
fn a_child_row_outweighs_a_parent_record_cited_as_evidence() {
    let mut t = truth();
    for (role, person) in [("subject", "P7"), ("father", "P8"), ("mother", "P9")] {
        t.rows
            .entry("困境儿童.xlsx#4".into())
            .or_default()
            .push(TruthRow {
                person: person.into(),
                role: role.into(),
                noise: String::new(),
            });
    }
    t.rows
        .entry("残联_残疾人证.xlsx#9".into())
        .or_default()
        .push(TruthRow {
            person: "P9".into(),
            role: "subject".into(),
            noise: String::new(),
        });
    t.township.insert("P7".into(), "城关镇".into());
    t.expected.insert("P7".into(), [RuleCode::R05].into());
    let rows = vec![SuspectRow {
        township: "城关镇".into(),
        id_number: String::new(),
        codes: [RuleCode::R05].into(),
        refs: vec!["残联_残疾人证.xlsx#9".into(), "困境儿童.xlsx#4".into()],
    }];
    let mut report = EvalReport::default();
    score_lists(&mut report, &t, &rows);
    assert_eq!(report.code(RuleCode::R05).unwrap().true_positives, 1);
}

#[test]
fn a_row_with_a_resident_id_is_the_person_holding_it() {
    let mut t = truth();
    t.by_id.insert("410123199202181143".into(), "P2".into());
    // Its refs alone would name P1.
    let rows = vec![SuspectRow {
        township: "城关镇".into(),
        id_number: "410123199202181143".into(),
        codes: [RuleCode::R03].into(),
        refs: vec!["a.csv#2".into(), "b.csv#3".into()],
    }];
    let mut report = EvalReport::default();
    score_lists(&mut report, &t, &rows);
    assert_eq!(report.code(RuleCode::R03).unwrap().true_positives, 1);
}

fn person_record(kind: SourceKind, source: &str) -> PersonRecord {
    let (file, row) = source.split_once('#').unwrap();
    PersonRecord {
        kind,
        role: Role::Subject,
        source: SourceRef::new(file, None, row.parse().unwrap()),
        name: None,
        id: None,
        birth_date: None,
        sex: None,
        contact: None,
        place: Arc::new(Place {
            township: None,
            village: None,
            address: None,
        }),
        observation: loubao_model::Observation::IdentityOnly,
    }
}

/// Persons from groups of record indices; each link is attached as `consolidate` does.
fn linkage(records: usize, groups: &[&[usize]], links: Vec<Link>) -> Linkage {
    let mut person_of = vec![usize::MAX; records];
    let mut persons: Vec<Person> = Vec::new();
    for (p, group) in groups.iter().enumerate() {
        for &r in *group {
            person_of[r] = p;
        }
        persons.push(Person {
            records: group.to_vec(),
            links: vec![],
            uncertain: vec![],
            nearest: None,
        });
    }
    for (i, link) in links.iter().enumerate() {
        let (left, right) = link.ends();
        let (pl, pr) = (person_of[left], person_of[right]);
        if link.decision == LinkDecision::Uncertain {
            persons[pl].uncertain.push(i);
            persons[pr].uncertain.push(i);
        } else {
            persons[pl].links.push(i);
        }
    }
    Linkage {
        persons,
        links: links.into(),
        person_of,
        ..Linkage::default()
    }
}

fn link(left: u32, right: u32, decision: LinkDecision) -> Link {
    Link {
        left,
        right,
        decision,
        score: 5.0,
        evidence: Box::default(),
    }
}

#[test]
fn roll_links_are_scored_per_screening_record() {
    use SourceKind::{Dibao, Disability, Hotline, Medical, Orphan, Petition, Tekun};
    let rows = [
        // P1: linked to its roll record (found).
        (Dibao, "民政_低保.xlsx#4", "P1", ""),
        (Medical, "医保.csv#2", "P1", ""),
        // P2: left alone (missed).
        (Medical, "医保.csv#3", "P2", "excel_float"),
        (Tekun, "民政_特困.xlsx#5", "P2", ""),
        // P3: an uncertain link to its roll record (held for review).
        (Hotline, "热线.csv#4", "P3", "no_id;name_space"),
        (Dibao, "民政_低保.xlsx#6", "P3", ""),
        // P4: linked to P5's roll record (a wrong roll link, and missed).
        (Petition, "信访.xlsx#7", "P4", "homophone"),
        (Dibao, "民政_低保.xlsx#8", "P4", ""),
        (Dibao, "民政_低保.xlsx#9", "P5", ""),
        // P6: on no roll, joined to P5's roll record too: a wrong roll link that would
        // hide them from the lists, outside recall.
        (Medical, "医保.csv#10", "P6", ""),
        // P7: found, but its person also holds P8's roll record (a wrong roll link).
        (Disability, "残联.xlsx#11", "P7", ""),
        (Dibao, "民政_低保.xlsx#12", "P7", ""),
        (Orphan, "民政_孤儿.xlsx#13", "P8", ""),
    ];
    let mut t = truth();
    let mut records = Vec::new();
    for (kind, source, person, noise) in rows {
        t.rows.entry(source.into()).or_default().push(TruthRow {
            person: person.into(),
            role: "subject".into(),
            noise: noise.into(),
        });
        records.push(person_record(kind, source));
    }
    let linkage = linkage(
        records.len(),
        &[
            &[0, 1],
            &[2],
            &[3],
            &[4],
            &[5],
            &[6, 8, 9],
            &[7],
            &[10, 11, 12],
        ],
        vec![
            link(0, 1, LinkDecision::Exact),
            link(4, 5, LinkDecision::Uncertain),
            link(6, 8, LinkDecision::Accepted),
            link(8, 9, LinkDecision::Accepted),
            link(10, 11, LinkDecision::Exact),
            link(10, 12, LinkDecision::Accepted),
        ],
    );
    let score = roll_link_score(&Known::new(&records, &linkage, &t));
    let tally = |found, held, total| RollTally { found, held, total };
    assert_eq!(score.recall, tally(2, 1, 5));
    assert_eq!((score.linked_right, score.linked), (1, 4));
    assert_eq!(
        score.by_noise,
        vec![
            ("clean".to_string(), tally(2, 0, 2)),
            ("excel_float".to_string(), tally(0, 0, 1)),
            ("homophone".to_string(), tally(0, 0, 1)),
            ("name_space".to_string(), tally(0, 1, 1)),
            ("no_id".to_string(), tally(0, 1, 1)),
        ]
    );
    assert_eq!(
        score.by_source,
        vec![
            ("信访.xlsx".to_string(), tally(0, 0, 1)),
            ("医保.csv".to_string(), tally(1, 0, 2)),
            ("残联.xlsx".to_string(), tally(1, 0, 1)),
            ("热线.csv".to_string(), tally(0, 1, 1)),
        ]
    );
    let missed: Vec<(&str, bool)> = score
        .misses
        .iter()
        .map(|m| (m.source.as_str(), m.held))
        .collect();
    assert_eq!(
        missed,
        [
            ("医保.csv#3", false),
            ("热线.csv#4", true),
            ("信访.xlsx#7", false)
        ]
    );
}

#[test]
fn latest_run_orders_suffixes_numerically_and_skips_staging() {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "2021-06-30",
        "2021-06-30_2",
        "2021-06-30_10",
        ".staging-2021-07-01",
        "2021-06-29_3",
    ] {
        std::fs::create_dir(dir.path().join(name)).unwrap();
    }
    let best = latest_run(dir.path()).unwrap().unwrap();
    assert!(best.ends_with("2021-06-30_10"));
}
