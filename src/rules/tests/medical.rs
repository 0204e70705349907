//! Medical totals, disability certificates, R01 and R02.

use super::*;

// --- Medical and R01 -------------------------------------------------------------------

#[test]
fn r01_fires_on_medical_total_above_threshold() {
    let mut f = Fixture::new();
    claim(&mut f, A, (2020, 3, 1), 30_000.0);
    claim(&mut f, A, (2021, 6, 30), 12_310.0);
    let s = f.screen();
    assert_eq!(codes(&s), vec![("张三".to_string(), vec![RuleCode::R01])]);
    let ev = evidence_of(&s, RuleCode::R01);
    assert!(
        ev.starts_with("医保: 2020年以来个人自付 42,310.00 元(2 笔结算)"),
        "{ev}"
    );
    assert_eq!(s.suspects[0].findings[0].records, vec![0, 1]);
    assert_eq!(s.screened[&SourceKind::Medical], 1);
}

#[test]
fn medical_total_of_39_999_99_does_not_exceed_40_000() {
    let mut f = Fixture::new();
    claim(&mut f, A, (2020, 3, 1), 20_000.0);
    claim(&mut f, A, (2020, 9, 1), 19_999.99);
    let s = f.screen();
    assert!(s.suspects.is_empty());
    assert_eq!(s.screened[&SourceKind::Medical], 0);
}

#[test]
fn claim_line_the_day_before_since_is_not_summed() {
    let mut f = Fixture::new();
    claim(&mut f, A, (2020, 1, 1), 39_000.0);
    claim(&mut f, A, (2019, 12, 31), 2_000.0);
    assert!(f.screen().suspects.is_empty());
    // The same line on `since` itself counts.
    let mut f = Fixture::new();
    claim(&mut f, A, (2020, 1, 1), 39_000.0);
    claim(&mut f, A, (2020, 1, 1), 2_000.0);
    assert_eq!(codes_of(&f.screen(), "张三"), vec![RuleCode::R01]);
}

#[test]
fn medical_aggregation_counts_undated_total_rows_and_sorts_by_person() {
    // Person 3: one dated line, one undated total row, one line before the window.
    // Person 7: exactly 40,000.00 in the window. Person 9: 50,000.00 on `as_of`.
    let totals = medical_totals_above(
        10,
        &[7, 3, 3, 7, 9, 3],
        &[Some(10), Some(11), None, Some(20), Some(12), Some(9)],
        &[4_000_000, 3_000_000, 1_000_001, 1, 5_000_000, 9_999_900],
        10,
        12,
        40_000.0,
    );
    assert_eq!(
        totals,
        vec![
            MedicalTotal {
                person: 3,
                total_cents: 4_000_001,
                lines: 2
            },
            MedicalTotal {
                person: 9,
                total_cents: 5_000_000,
                lines: 1
            },
        ]
    );
}

// --- Disability ------------------------------------------------------------------------

#[test]
fn r01_fires_on_severe_disability_issued_since() {
    let mut f = Fixture::new();
    disability(&mut f, A, "肢体", "二级", d(2020, 5, 3));
    let s = f.screen();
    assert_eq!(codes_of(&s, "张三"), vec![RuleCode::R01]);
    assert!(evidence_of(&s, RuleCode::R01).starts_with("残联: 二级肢体残疾, 2020-05-03 发证"));
}

#[test]
fn grade_3_limb_disability_is_not_severe() {
    let mut f = Fixture::new();
    disability(&mut f, A, "肢体残疾", "三级", d(2020, 5, 3));
    let s = f.screen();
    assert!(s.suspects.is_empty());
    assert_eq!(s.screened[&SourceKind::Disability], 0);
}

#[test]
fn grade_3_mental_disability_is_severe_and_certificate_digits_decide_when_columns_are_blank() {
    let mut f = Fixture::new();
    disability(&mut f, A, "精神", "3", d(2021, 1, 1));
    f.add(
        SourceKind::Disability,
        Some(B),
        "李四",
        vec![
            text(Field::CertNumber, "41012319850505234542"),
            date(Field::CertIssueDate, 2020, 2, 2),
        ],
    );
    let s = f.screen();
    assert_eq!(codes_of(&s, "张三"), vec![RuleCode::R01]);
    assert_eq!(codes_of(&s, "李四"), vec![RuleCode::R01]);
    assert!(crate::rules::evidence::finding(&s.suspects[1].findings[0])
        .contains("二级肢体残疾, 2020-02-02 发证"));
}

#[test]
fn severe_disability_issued_before_since_does_not_qualify_for_r01() {
    let mut f = Fixture::new();
    disability(&mut f, A, "视力", "一级", d(2019, 12, 31));
    assert!(f.screen().suspects.is_empty());
}

// --- R02 -------------------------------------------------------------------------------

#[test]
fn r02_fires_for_severely_disabled_member_of_low_income_household() {
    let mut f = Fixture::new();
    disability(&mut f, A, "4", "1", d(2015, 1, 1));
    roll(&mut f, SourceKind::LowIncome, A, "在保", None);
    let s = f.screen();
    assert_eq!(codes_of(&s, "张三"), vec![RuleCode::R02]);
    let ev = evidence_of(&s, RuleCode::R02);
    assert!(ev.contains("一级肢体残疾, 2015-01-01 发证"), "{ev}");
    assert!(ev.contains("低收入家庭名册在册"), "{ev}");
    assert_eq!(s.suspects[0].findings[0].records, vec![0, 1]);
    assert_eq!(s.suspects[0].match_note, "身份证号一致(低收入家庭)");
}

#[test]
fn r02_fires_for_seriously_ill_monitoring_subject() {
    let mut f = Fixture::new();
    claim(&mut f, A, (2021, 2, 1), 45_000.0);
    f.add(
        SourceKind::Agriculture,
        Some(A),
        "张三",
        vec![text(Field::MonitorCategory, "边缘易致贫户")],
    );
    let s = f.screen();
    assert_eq!(codes_of(&s, "张三"), vec![RuleCode::R01, RuleCode::R02]);
    assert!(evidence_of(&s, RuleCode::R02).contains("防返贫监测对象(边缘易致贫户)"));
}

#[test]
fn r02_does_not_fire_when_on_active_dibao() {
    let mut f = Fixture::new();
    disability(&mut f, A, "4", "1", d(2015, 1, 1));
    roll(&mut f, SourceKind::LowIncome, A, "在保", None);
    roll(&mut f, SourceKind::Dibao, A, "", None);
    assert!(f.screen().suspects.is_empty());
}
