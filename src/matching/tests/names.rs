//! Records without a usable ID: names, phones, places and households decide.

use super::*;

#[test]
fn homophone_and_traditional_names_link_with_supporting_evidence() {
    let id = valid_id(ZHANG);
    let roll = with(
        with_valid(rec(SourceKind::Dibao, 3, "张伟", "zhang wei"), &id),
        |r| r.contact_mut().phones = vec!["13812345678".into()],
    );
    // 12349 caller: homophone 张玮, no ID, same phone and birth date.
    let caller = with(rec(SourceKind::Hotline, 11, "张玮", "zhang wei"), |r| {
        r.contact_mut().phones = vec!["13812345678".into()];
        r.birth_date = Some(birth_of(&id));
    });
    // Traditional 張偉: the normaliser's key is already simplified.
    let petition = with(rec(SourceKind::Petition, 5, "张伟", "zhang wei"), |r| {
        std::sync::Arc::make_mut(r.name.as_mut().unwrap()).display = "張偉".into();
        r.contact_mut().phones = vec!["13812345678".into()];
    });
    let l = run(&[roll, caller, petition]);
    let k = link_between(&l, 0, 1).unwrap();
    assert_eq!(k.decision, LinkDecision::Accepted);
    assert_eq!(level(&k, "拼音"), "拼音相同");
    assert_eq!(level(&k, "出生日期"), "一致");
    assert!(same_person(&l, 0, 2));
    assert_eq!(l.persons.len(), 1);
}

#[test]
fn hotline_caller_without_id_found_by_name_and_phone() {
    let id = valid_id("41012319720708101");
    let roll = with(
        with_valid(rec(SourceKind::LowIncome, 4, "赵桂兰", "zhao gui lan"), &id),
        |r| {
            r.contact_mut().phones = vec!["13900001111".into(), "037112345678".into()];
            r.place_mut().village = Some("东村".into());
        },
    );
    let caller = with(
        rec(SourceKind::Hotline, 20, "赵桂兰", "zhao gui lan"),
        |r| {
            r.contact_mut().phones = vec!["13900001111".into()];
            r.place_mut().township = None;
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
                r.place_mut().village = Some("东村".into());
                r.contact_mut().phones = vec!["13700000001".into()];
            },
        ),
        with_valid(rec(SourceKind::Disability, 4, "王伟", "wang wei"), &covered),
        // The uncovered 王伟 of 西村 calls the hotline without an ID.
        with(rec(SourceKind::Hotline, 9, "王伟", "wang wei"), |r| {
            r.place_mut().village = Some("西村".into());
            r.contact_mut().phones = vec!["13700000002".into()];
            r.sex = Some(Sex::Male);
        }),
        // The covered one calls too, from his own phone.
        with(rec(SourceKind::Hotline, 10, "王伟", "wang wei"), |r| {
            r.place_mut().village = Some("东村".into());
            r.contact_mut().phones = vec!["13700000001".into()];
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
            |r| r.place_mut().village = Some("南村".into()),
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
    assert_eq!(l.link(0).decision, LinkDecision::Uncertain);
    assert_eq!(l.persons[l.person_of[1]].uncertain, vec![0]);

    // A namesake in another township is no question at all.
    let mut elsewhere = records.clone();
    elsewhere[1].place_mut().township = Some("李集乡".into());
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
                r.contact_mut().phones = vec!["13600000000".into()];
                r.place_mut().village = Some("北村".into());
                r.contact_mut().household_id = Some("H001".into());
            },
        ),
        with(rec(SourceKind::Hotline, 4, "刘明", "liu ming"), |r| {
            r.contact_mut().phones = vec!["13600000000".into()];
            r.place_mut().village = Some("北村".into());
            r.contact_mut().household_id = Some("H001".into());
            r.sex = Some(Sex::Male);
        }),
    ];
    let l = run(&records);
    assert!(!same_person(&l, 0, 1));
    assert!(l.links.is_empty());
}

#[test]
fn same_common_name_same_village_goes_to_review() {
    let records = vec![
        with(
            with_valid(
                rec(SourceKind::Dibao, 2, "王伟", "wang wei"),
                &valid_id("41012319800101301"),
            ),
            |r| r.place_mut().village = Some("东村".into()),
        ),
        with(rec(SourceKind::Emergency, 3, "王伟", "wang wei"), |r| {
            r.place_mut().village = Some("东村".into())
        }),
        // Another 王伟 in the county: the name does not say which one this is.
        with(
            with_valid(
                rec(SourceKind::Disability, 4, "王伟", "wang wei"),
                &valid_id("41012319900202301"),
            ),
            |r| r.place_mut().township = Some("李集乡".into()),
        ),
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
            |r| r.contact_mut().phones = vec!["13500000000".into()],
        ),
        with(
            with_valid(rec(SourceKind::Dibao, 3, "陈静", "chen jing"), &daughter),
            |r| r.contact_mut().phones = vec!["13500000000".into()],
        ),
        with(rec(SourceKind::Hotline, 5, "陈静", "chen jing"), |r| {
            r.contact_mut().phones = vec!["13500000000".into()]
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
fn name_one_character_apart() {
    let id = valid_id(ZHANG);
    let roll = with(
        with_valid(
            rec(SourceKind::Dibao, 3, "欧阳明华", "ou yang ming hua"),
            &id,
        ),
        |r| r.contact_mut().phones = vec!["13812345678".into()],
    );
    let dropped = with(
        rec(SourceKind::Hotline, 4, "欧阳明", "ou yang ming"),
        |r| r.contact_mut().phones = vec!["13812345678".into()],
    );
    let swapped = with(
        rec(SourceKind::Hotline, 5, "欧阳明花", "ou yang ming hua2"),
        |r| r.contact_mut().phones = vec!["13812345678".into()],
    );
    let l = run(&[roll, dropped, swapped]);
    assert_eq!(level(&link_between(&l, 0, 1).unwrap(), "姓名"), "差一字");
    assert_eq!(level(&link_between(&l, 0, 2).unwrap(), "姓名"), "差一字");
}

#[test]
fn a_rare_name_with_the_village_agreeing_is_settled_and_a_common_one_waits() {
    // 欧阳明 on the roll and an ID-less petitioner 欧阳明 from his village: he is the one
    // person with a valid ID the county knows by that name, so no one needs to be asked.
    let roll = with(
        with_valid(
            rec(SourceKind::Dibao, 2, "欧阳明", "ouyang ming"),
            &valid_id("41012319700707301"),
        ),
        |r| r.place_mut().village = Some("东村".into()),
    );
    let petitioner = with(
        rec(SourceKind::Petition, 3, "欧阳明", "ouyang ming"),
        |r| r.place_mut().village = Some("东村".into()),
    );
    let l = run(&[roll.clone(), petitioner.clone()]);
    assert_eq!(
        link_between(&l, 0, 1).unwrap().decision,
        LinkDecision::Accepted
    );
    assert!(same_person(&l, 0, 1));

    // A second 欧阳明 with a valid ID elsewhere in the county: the pair waits for a person.
    let namesake = with(
        with_valid(
            rec(SourceKind::Disability, 4, "欧阳明", "ouyang ming"),
            &valid_id("41012319850505301"),
        ),
        |r| {
            r.place_mut().township = Some("李集乡".into());
            r.place_mut().village = Some("西村".into());
        },
    );
    let l = run(&[roll.clone(), petitioner.clone(), namesake]);
    assert_eq!(
        link_between(&l, 0, 1).unwrap().decision,
        LinkDecision::Uncertain
    );

    // Agreement on the township alone does not settle even a rare name.
    let mut vague = petitioner;
    vague.place_mut().village = None;
    let l = run(&[roll, vague]);
    assert_ne!(
        link_between(&l, 0, 1).map(|k| k.decision),
        Some(LinkDecision::Accepted)
    );
}
