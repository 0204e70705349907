//! A person's verdicts from 待复核 override the scores, keyed by identity cells.

use super::*;
use crate::model::{LinkVerdict, QuestionId};

/// 陈静 on the hotline, two 陈静 on the roll sharing her phone: two uncertain questions.
fn mother_daughter_and_caller() -> Vec<PersonRecord> {
    let mother = valid_id("41012319600303102");
    let daughter = valid_id("41012319880808102");
    vec![
        with(
            with_valid(rec(SourceKind::Dibao, 2, "陈静", "chen jing"), &mother),
            |r| r.contact_mut().phones = vec!["13500000000".into()],
        ),
        with(
            with_valid(rec(SourceKind::Dibao, 3, "陈静", "chen jing"), &daughter),
            |r| r.contact_mut().phones = vec!["13500000000".into()],
        ),
        with(rec(SourceKind::Hotline, 5, "陈静", "chen jing"), |r| {
            r.contact_mut().phones = vec!["13500000000".into()]
        }),
    ]
}

fn said(records: &[PersonRecord], a: usize, b: usize, verdict: LinkVerdict) -> Verdicts {
    Verdicts::new([(question_of(&records[a], &records[b]), verdict)])
}

#[test]
fn same_person_links_the_pair_and_settles_its_rivals() {
    let records = mother_daughter_and_caller();
    let verdicts = said(&records, 0, 2, LinkVerdict::SamePerson);
    let l = link(&records, &MatchSettings::default(), &verdicts);
    assert!(same_person(&l, 0, 2));
    assert_eq!(
        link_between(&l, 0, 2).unwrap().decision,
        LinkDecision::Confirmed
    );
    // The person said which 陈静 it is: the daughter is no longer a question.
    assert!(link_between(&l, 1, 2).is_none());
    assert!(l.persons[l.person_of[2]].uncertain.is_empty());
    assert!(l.questions.is_empty());
    assert_eq!((l.stats.decided_same, l.stats.decided_different), (1, 0));
}

#[test]
fn not_the_same_person_is_never_linked_and_leaves_the_other_question_open() {
    let records = mother_daughter_and_caller();
    let verdicts = said(&records, 2, 0, LinkVerdict::NotSamePerson);
    let l = link(&records, &MatchSettings::default(), &verdicts);
    assert!(link_between(&l, 0, 2).is_none());
    assert!(!same_person(&l, 0, 2));
    assert_eq!(
        link_between(&l, 1, 2).unwrap().decision,
        LinkDecision::Uncertain
    );
    let open: Vec<QuestionId> = l.questions.values().copied().collect();
    assert_eq!(open, [question_of(&records[1], &records[2])]);
    assert_eq!(l.stats.decided_different, 1);
}

#[test]
fn not_the_same_person_also_undoes_an_accepted_link() {
    let id = valid_id("41012319800101301");
    let records = vec![
        with(
            with_valid(rec(SourceKind::Dibao, 2, "王伟", "wang wei"), &id),
            |r| {
                r.place_mut().village = Some("东村".into());
                r.contact_mut().phones = vec!["13800000001".into()];
            },
        ),
        with(rec(SourceKind::Emergency, 3, "王伟", "wang wei"), |r| {
            r.place_mut().village = Some("东村".into());
            r.contact_mut().phones = vec!["13800000001".into()];
            r.birth_date = Some(birth_of(&id));
        }),
    ];
    let l = run(&records);
    assert_eq!(
        link_between(&l, 0, 1).unwrap().decision,
        LinkDecision::Accepted
    );
    let l = link(
        &records,
        &MatchSettings::default(),
        &said(&records, 0, 1, LinkVerdict::NotSamePerson),
    );
    assert!(!same_person(&l, 0, 1));
    // The clerk still sees whom the record came nearest to.
    assert_eq!(
        l.persons[l.person_of[1]]
            .nearest
            .as_ref()
            .unwrap()
            .candidate,
        0
    );
}

#[test]
fn a_question_is_named_by_identity_not_by_row_or_side() {
    let records = mother_daughter_and_caller();
    let q = question_of(&records[0], &records[2]);
    assert_eq!(q, question_of(&records[2], &records[0]));
    let mut moved = records.clone();
    moved[2].source.row = 900;
    assert_eq!(q, question_of(&records[0], &moved[2]));
    let mut other_phone = records.clone();
    other_phone[2].contact_mut().phones = vec!["13900000000".into()];
    assert_ne!(q, question_of(&records[0], &other_phone[2]));
    // 无法确定 decides nothing: the question stays.
    let l = link(
        &records,
        &MatchSettings::default(),
        &said(&records, 0, 2, LinkVerdict::Undetermined),
    );
    assert!(l.questions.values().any(|&x| x == q));
}
