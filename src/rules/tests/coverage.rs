//! Coverage: whether a roll or an aid covers a person on the day.

use super::*;

#[test]
fn dibao_that_ended_before_as_of_does_not_cover() {
    let mut f = Fixture::new();
    disability(&mut f, A, "肢体", "二级", d(2020, 5, 3));
    roll(&mut f, SourceKind::Dibao, A, "停保", Some(d(2021, 3, 31)));
    let s = f.screen();
    assert_eq!(codes_of(&s, "张三"), vec![RuleCode::R01]);
    assert_eq!(
        evidence_of(&s, RuleCode::R01),
        "残联: 二级肢体残疾, 2020-05-03 发证; 低保: 停保, 2021-03-31 终止, 2021-06-30 不在册; \
         未纳入低保、特困、孤儿、事实无人抚养儿童保障, 期内未获临时救助"
    );
    assert_eq!(s.suspects[0].findings[0].records, vec![0, 1]);
    assert_eq!(s.suspects[0].sources, vec![SourceKind::Disability]);
    // Blank status, end date before as_of: the dates decide, not covered.
    let mut f = Fixture::new();
    disability(&mut f, A, "肢体", "二级", d(2020, 5, 3));
    roll(&mut f, SourceKind::Dibao, A, "", Some(d(2021, 6, 29)));
    assert_eq!(codes_of(&f.screen(), "张三"), vec![RuleCode::R01]);
}

#[test]
fn stopped_dibao_with_end_date_after_as_of_still_covers() {
    let mut f = Fixture::new();
    disability(&mut f, A, "肢体", "二级", d(2020, 5, 3));
    roll(&mut f, SourceKind::Dibao, A, "停保", Some(d(2021, 7, 31)));
    assert!(f.screen().suspects.is_empty());
}

#[test]
fn temporary_assistance_before_since_does_not_count_as_aided() {
    let mut f = Fixture::new();
    unemployed(&mut f, "登记失业", false);
    f.add(
        SourceKind::TempAssistance,
        Some(A),
        "张三",
        vec![date(Field::AidDate, 2019, 12, 31)],
    );
    assert_eq!(
        codes_of(&f.screen(), "张三"),
        vec![RuleCode::R01, RuleCode::R03]
    );
    let mut f = Fixture::new();
    unemployed(&mut f, "登记失业", false);
    f.add(
        SourceKind::TempAssistance,
        Some(A),
        "张三",
        vec![date(Field::AidDate, 2020, 1, 1)],
    );
    assert!(f.screen().suspects.is_empty());
}

#[test]
fn roll_activity_is_decided_on_the_record() {
    let settings = RuleSettings::default();
    let as_of = d(2021, 6, 30);
    let rec = |fields: Vec<(Field, Value)>| {
        let mut fields = fields;
        fields.sort_by_key(|(f, _)| *f);
        RawRecord {
            kind: SourceKind::Dibao,
            source: source(SourceKind::Dibao, 2),
            fields,
        }
    };
    let active = |fields| match observed(&rec(fields)) {
        Observation::Roll(entry) => active_on(&entry, &settings, as_of),
        other => panic!("a roll row gives a roll entry, not {other:?}"),
    };
    assert!(active(vec![text(Field::RollStatus, "在保")]));
    assert!(active(vec![
        text(Field::RollStatus, "终止"),
        date(Field::EndDate, 2021, 6, 30)
    ]));
    assert!(!active(vec![text(Field::RollStatus, "终止")]));
    assert!(!active(vec![
        text(Field::RollStatus, "退出"),
        date(Field::EndDate, 2021, 6, 29)
    ]));
    assert!(active(vec![date(Field::StartDate, 2021, 6, 30)]));
    assert!(!active(vec![date(Field::StartDate, 2021, 7, 1)]));
    assert!(active(vec![]));
    // Other counties' words: 停发 and 暂停 stop; 未停保 does not.
    assert!(!active(vec![text(Field::RollStatus, "停发")]));
    assert!(!active(vec![text(Field::RollStatus, "暂停发放")]));
    assert!(active(vec![text(Field::RollStatus, "未停保")]));
}
