//! Uncertain links and review, suspect rows, ordering, determinism.

use super::*;

#[test]
fn uncertain_person_gets_no_code_and_goes_to_review() {
    let mut f = Fixture::new();
    let claim_line = f.add(
        SourceKind::Medical,
        None,
        "王五",
        vec![
            date(Field::SettlementDate, 2021, 1, 1),
            amount(Field::OutOfPocket, 52_310.0),
        ],
    );
    let dibao = f.add(
        SourceKind::Dibao,
        Some(B),
        "王五",
        vec![text(Field::RollStatus, "在保")],
    );
    f.links
        .push((claim_line, dibao, LinkDecision::Uncertain, 8.2));
    let s = f.screen();
    assert!(s.suspects.is_empty());
    assert_eq!(s.review.len(), 1);
    assert_eq!(s.review[0].links, [0]);
    let reason = &s.review[0].reason;
    assert!(
        reason.starts_with("王五 有筛查资格(医保), 若不是同一人将列为 R01"),
        "{reason}"
    );
    assert!(
        reason.contains("得分 8.2, 介于阈值 6.0 与 12.0 之间"),
        "{reason}"
    );
    assert_eq!(s.screened[&SourceKind::Medical], 1);
}

#[test]
fn a_question_no_answer_could_change_is_not_asked() {
    // The doubtful candidate's 低保 ended last year: one person or two, R01 fires.
    let mut f = Fixture::new();
    let claim_line = f.add(
        SourceKind::Medical,
        None,
        "王五",
        vec![
            date(Field::SettlementDate, 2021, 1, 1),
            amount(Field::OutOfPocket, 52_310.0),
        ],
    );
    let lapsed = f.add(
        SourceKind::Dibao,
        Some(B),
        "王五",
        vec![
            text(Field::RollStatus, "停保"),
            date(Field::EndDate, 2020, 12, 31),
        ],
    );
    f.links
        .push((claim_line, lapsed, LinkDecision::Uncertain, 8.2));
    let s = f.screen();
    assert!(s.review.is_empty());
    assert_eq!(s.suspects.len(), 1);
    let codes: Vec<RuleCode> = s.suspects[0].findings.iter().map(|f| f.code).collect();
    assert_eq!(codes, [RuleCode::R01]);
    assert!(
        s.suspects[0]
            .match_note
            .contains("与低保王五是否同一人未确定, 不影响结论"),
        "{}",
        s.suspects[0].match_note
    );

    // On 低保 the answer decides R01: the person is asked about.
    let mut f = Fixture::new();
    let claim_line = f.add(
        SourceKind::Medical,
        None,
        "王五",
        vec![
            date(Field::SettlementDate, 2021, 1, 1),
            amount(Field::OutOfPocket, 52_310.0),
        ],
    );
    let dibao = f.add(
        SourceKind::Dibao,
        Some(B),
        "王五",
        vec![text(Field::RollStatus, "在保")],
    );
    f.links
        .push((claim_line, dibao, LinkDecision::Uncertain, 8.2));
    let s = f.screen();
    assert!(s.suspects.is_empty());
    assert_eq!(s.review.len(), 1);
}

#[test]
fn an_undecided_petitioner_still_gets_r06_but_no_coverage_code() {
    let mut f = Fixture::new();
    let petition = f.add(
        SourceKind::Petition,
        None,
        "张三",
        vec![
            date(Field::RequestDate, 2021, 4, 1),
            text(Field::RequestType, "社会救助"),
            text(Field::RequestContent, "家中生活困难, 申请低保"),
            text(Field::HandlingStatus, "办理中"),
        ],
    );
    let dibao = f.add(
        SourceKind::Dibao,
        Some(B),
        "张三",
        vec![text(Field::RollStatus, "在保")],
    );
    f.links
        .push((petition, dibao, LinkDecision::Uncertain, 5.0));
    let s = f.screen();
    assert_eq!(codes_of(&s, "张三"), vec![RuleCode::R06]);
    assert_eq!(s.review.len(), 1, "the doubt is still shown for review");
}

#[test]
fn anchored_person_keeps_codes_when_the_doubt_is_an_id_less_screening_record() {
    let mut f = Fixture::new();
    let claimant = claim(&mut f, A, (2021, 1, 1), 52_310.0);
    let hotline = f.add(
        SourceKind::Hotline,
        None,
        "张三",
        vec![
            date(Field::RequestDate, 2021, 3, 1),
            text(Field::RequestType, "求助"),
        ],
    );
    f.links
        .push((claimant, hotline, LinkDecision::Uncertain, 5.0));
    let s = f.screen();
    let claimant = s.suspects.iter().find(|x| x.person_key == A).unwrap();
    assert_eq!(
        claimant.findings[0].code,
        RuleCode::R01,
        "the claimant with a valid ID is decided"
    );
    // The caller's unanswered request is overdue whoever he is; nothing else fires for him.
    let caller: Vec<_> = s.suspects.iter().filter(|x| x.person_key != A).collect();
    assert_eq!(caller.len(), 1);
    let codes: Vec<RuleCode> = caller[0].findings.iter().map(|f| f.code).collect();
    assert_eq!(codes, vec![RuleCode::R06]);
    assert_eq!(s.review.len(), 1, "the ID-less caller goes to review");
}

#[test]
fn anchored_person_is_undecided_when_the_doubt_is_a_roll_record() {
    let mut f = Fixture::new();
    let claimant = claim(&mut f, A, (2021, 1, 1), 52_310.0);
    let dibao = f.add(
        SourceKind::Dibao,
        None,
        "张三",
        vec![text(Field::RollStatus, "在保")],
    );
    f.links
        .push((claimant, dibao, LinkDecision::Uncertain, 5.0));
    let s = f.screen();
    assert!(s.suspects.is_empty(), "coverage is in doubt");
    assert_eq!(s.review.len(), 1);
}

#[test]
fn suspect_row_carries_key_clue_id_note_and_refs() {
    let mut f = Fixture::new();
    claim(&mut f, A, (2021, 1, 1), 52_310.0);
    roll(&mut f, SourceKind::Dibao, A, "停保", Some(d(2020, 12, 31)));
    let s = f.screen();
    let x = &s.suspects[0];
    assert_eq!(x.person_key, A);
    assert_eq!(x.clue_id, clue_id(A));
    assert_eq!(x.clue_id.len(), 12);
    assert!(x.clue_id.starts_with("LB"));
    assert!(x.clue_id[2..]
        .chars()
        .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase()));
    assert_eq!(x.id_number.as_deref(), Some(A));
    assert_eq!(x.township.as_deref(), Some("城关镇"));
    assert_eq!(x.match_note, "身份证号一致(低保)");
    assert_eq!(x.confidence, Some(1.0));
    assert_eq!(x.sources, vec![SourceKind::Medical]);
    assert_eq!(
        x.source_refs
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        vec!["低保.xlsx#3", "医保局个人自付.xlsx#2"]
    );
}

#[test]
fn suspect_without_valid_id_is_keyed_by_refs_and_shows_nearest_candidate() {
    let mut f = Fixture::new();
    let line = f.add(
        SourceKind::Hotline,
        Some("4101231990"),
        "张伟",
        vec![
            date(Field::RequestDate, 2021, 6, 1),
            text(Field::RequestType, "求助"),
        ],
    );
    let dibao = f.add(SourceKind::Dibao, Some(A), "张玮", vec![]);
    f.nearest.push((line, dibao, 3.1));
    let s = f.screen();
    let x = &s.suspects[0];
    assert_eq!(x.person_key, "refs:12349热线.xlsx#2");
    assert_eq!(
        x.confidence, None,
        "one record, nothing linked: 置信度 is blank"
    );
    assert_eq!(x.clue_id, clue_id("refs:12349热线.xlsx#2"));
    assert_eq!(x.id_number.as_deref(), Some("4101231990"));
    assert_eq!(
        x.match_note,
        "未匹配到名册; 最接近: 张玮 410123********1234, 得分 3.1, 低于阈值"
    );
}

#[test]
fn fuzzy_link_note_and_confidence_come_from_the_score() {
    let mut f = Fixture::new();
    let line = f.add(
        SourceKind::Emergency,
        None,
        "赵六",
        vec![
            date(Field::EventDate, 2020, 7, 20),
            text(Field::EventType, "洪涝"),
        ],
    );
    let roll_rec = f.add(
        SourceKind::Dibao,
        Some(B),
        "赵六",
        vec![text(Field::RollStatus, "停保")],
    );
    f.links.push((line, roll_rec, LinkDecision::Accepted, 14.2));
    let s = f.screen();
    let x = &s.suspects[0];
    assert_eq!(x.match_note, "模糊匹配(低保): 姓名一致+电话一致, 得分 14.2");
    // 0.5 + 0.5 · (14.2 − 6) / 12 = 0.8417 → 0.84.
    assert_eq!(x.confidence, Some(0.84));
    // The valid ID came from the roll record.
    assert_eq!(x.person_key, B);
    assert!(evidence_of(&s, RuleCode::R01).starts_with("应急: 2020-07-20 洪涝"));
}

#[test]
fn suspects_sort_by_township_village_code_count_and_name() {
    let mut f = Fixture::new();
    unemployed(&mut f, "登记失业", false); // 张三: R01+R03
    let b = f.add(
        SourceKind::Emergency,
        Some(B),
        "李四",
        vec![date(Field::EventDate, 2020, 7, 20)],
    );
    let c = f.add(
        SourceKind::Emergency,
        Some("410123197001010055"),
        "王五",
        vec![date(Field::EventDate, 2020, 7, 20)],
    );
    f.records[b].place_mut().village = Some("西关村".into());
    f.records[c].place_mut().township = None;
    let s = f.screen();
    let order: Vec<&str> = s.suspects.iter().map(|x| x.name.as_str()).collect();
    assert_eq!(order, vec!["张三", "李四", "王五"]);
    assert_eq!(s.suspects[2].township, None);
}

#[test]
fn screening_is_deterministic() {
    let mut f = Fixture::new();
    claim(&mut f, A, (2021, 1, 1), 52_310.0);
    f.child(CHILD, "死亡", "失踪");
    unemployed(&mut f, "登记失业", false);
    let a = f.screen();
    let b = f.screen();
    assert_eq!(a.suspects, b.suspects);
    assert_eq!(a.screened, b.screened);
}

#[test]
fn an_uncertain_score_is_worded_against_the_thresholds_truthfully() {
    assert_eq!(
        super::score_in_words(-6.3, 2.0, 8.0),
        "得分 -6.3, 低于下阈值 2.0, 但无法排除是同一人"
    );
    assert_eq!(
        super::score_in_words(5.0, 2.0, 8.0),
        "得分 5.0, 介于阈值 2.0 与 8.0 之间"
    );
    assert_eq!(
        super::score_in_words(9.1, 2.0, 8.0),
        "得分 9.1, 达到上阈值 8.0, 但另有得分相近的候选"
    );
}
