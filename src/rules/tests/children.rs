//! Children at risk: R04 and R05, and the parents' statuses as counties word them.

use super::*;

#[test]
fn parents_worded_another_way_are_read_right() {
    let mut f = Fixture::new();
    f.child(CHILD, "已故", "下落不明");
    assert_eq!(codes_of(&f.screen(), "小明"), vec![RuleCode::R04]);
    // 未死亡 is alive: no orphan, and no unsupported child either.
    let mut f = Fixture::new();
    f.child(CHILD, "未死亡", "死亡");
    assert!(f.screen().suspects.is_empty());
}

#[test]
fn a_listed_child_of_unknown_age_is_kept_and_the_evidence_says_so() {
    let mut f = Fixture::new();
    let child = f.add(
        SourceKind::Children,
        None,
        "小明",
        vec![
            text(Field::FatherStatus, "死亡"),
            text(Field::MotherStatus, "死亡"),
        ],
    );
    let row = f.row_of(child);
    f.person(row, Role::Father, Some(FATHER), "父亲");
    f.person(row, Role::Mother, Some(MOTHER), "母亲");
    let s = f.screen();
    assert_eq!(codes_of(&s, "小明"), vec![RuleCode::R04]);
    assert!(evidence_of(&s, RuleCode::R04)
        .starts_with("困境儿童: 出生日期不详(无有效身份证号), 按困境儿童名单视为未满18周岁"));
}

#[test]
fn r04_fires_for_child_whose_parents_are_dead_and_missing() {
    let mut f = Fixture::new();
    f.child(CHILD, "死亡", "失踪");
    let s = f.screen();
    assert_eq!(codes_of(&s, "小明"), vec![RuleCode::R04]);
    assert_eq!(
        evidence_of(&s, RuleCode::R04),
        "困境儿童: 2010-05-01 出生; 父亲: 死亡; 母亲: 失踪; 未纳入孤儿保障"
    );
    // The child's finding names the parents' records too.
    assert_eq!(s.suspects[0].findings[0].records, vec![0, 1, 2]);
    assert_eq!(s.screened[&SourceKind::Children], 1);
}

#[test]
fn r04_does_not_fire_for_child_on_the_orphan_roll() {
    let mut f = Fixture::new();
    f.child(CHILD, "死亡", "宣告死亡");
    roll(&mut f, SourceKind::Orphan, CHILD, "正常", None);
    assert!(f.screen().suspects.is_empty());
}

#[test]
fn child_who_turns_18_on_as_of_is_not_under_18() {
    let mut f = Fixture::new();
    f.child("410123200306300011", "死亡", "死亡");
    assert!(f.screen().suspects.is_empty());
    let mut f = Fixture::new();
    f.child("410123200307010011", "死亡", "死亡");
    assert_eq!(codes_of(&f.screen(), "小明"), vec![RuleCode::R04]);
}

#[test]
fn r05_fires_when_both_parents_are_unable() {
    let mut f = Fixture::new();
    f.child(CHILD, "服刑在押", "重病");
    let s = f.screen();
    assert_eq!(codes_of(&s, "小明"), vec![RuleCode::R05]);
    assert!(evidence_of(&s, RuleCode::R05).contains("父亲: 服刑在押; 母亲: 重病"));
}

#[test]
fn one_parent_in_prison_and_the_other_normal_is_not_r05() {
    let mut f = Fixture::new();
    f.child(CHILD, "服刑", "正常");
    assert!(f.screen().suspects.is_empty());
}

#[test]
fn parent_with_grade_3_mental_disability_record_counts_as_severely_disabled() {
    let mut f = Fixture::new();
    f.child(CHILD, "服刑在押", "");
    disability(&mut f, MOTHER, "精神", "三级", d(2012, 1, 1));
    let s = f.screen();
    assert_eq!(codes_of(&s, "小明"), vec![RuleCode::R05]);
    assert!(evidence_of(&s, RuleCode::R05).contains("母亲: 三级精神残疾(残联记录)"));
    // The mother herself is not screened: grade 3 mental issued before since.
    assert_eq!(s.suspects.len(), 1);
    // Grade 3 limb is not 重残 under the children's programme either.
    let mut f = Fixture::new();
    f.child(CHILD, "服刑在押", "");
    disability(&mut f, MOTHER, "肢体", "三级", d(2012, 1, 1));
    assert!(f.screen().suspects.is_empty());
}

#[test]
fn dead_parent_stays_dead_whatever_his_disability_record_says() {
    let mut f = Fixture::new();
    f.child(CHILD, "死亡", "失踪");
    disability(&mut f, FATHER, "肢体", "一级", d(2012, 1, 1));
    assert_eq!(codes_of(&f.screen(), "小明"), vec![RuleCode::R04]);
    // One dead, the other with a 重残 record: R05.
    let mut f = Fixture::new();
    f.child(CHILD, "死亡", "");
    disability(&mut f, MOTHER, "智力", "4", d(2012, 1, 1));
    assert_eq!(codes_of(&f.screen(), "小明"), vec![RuleCode::R05]);
}

#[test]
fn r05_does_not_fire_for_child_on_the_fuc_roll() {
    let mut f = Fixture::new();
    f.child(CHILD, "失联", "强制隔离戒毒");
    roll(&mut f, SourceKind::Fuc, CHILD, "", None);
    assert!(f.screen().suspects.is_empty());
}
