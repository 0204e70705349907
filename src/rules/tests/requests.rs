//! Petitions and hotline requests (R06), registered unemployment (R03).

use super::*;

// --- Petitions, hotline and R06 --------------------------------------------------------

#[test]
fn r06_fires_on_overdue_unfinished_assistance_petition() {
    let mut f = Fixture::new();
    request(
        &mut f,
        SourceKind::Petition,
        d(2021, 4, 1),
        "社会救助",
        "家中生活困难, 申请低保",
        "办理中",
    );
    let s = f.screen();
    assert_eq!(codes_of(&s, "张三"), vec![RuleCode::R01, RuleCode::R06]);
    let ev = evidence_of(&s, RuleCode::R06);
    assert_eq!(
        ev,
        "信访: 2021-04-01 社会救助: 家中生活困难, 申请低保, 办理状态: 办理中; 超过 30 天未办结"
    );
}

#[test]
fn r06_needs_more_than_30_days_and_an_unfinished_status() {
    let mut f = Fixture::new();
    // Exactly 30 days before as_of: not yet overdue.
    request(
        &mut f,
        SourceKind::Petition,
        d(2021, 5, 31),
        "",
        "申请临时救助",
        "未办理",
    );
    assert_eq!(codes_of(&f.screen(), "张三"), vec![RuleCode::R01]);
    let mut f = Fixture::new();
    request(
        &mut f,
        SourceKind::Petition,
        d(2021, 1, 5),
        "",
        "申请临时救助",
        "已办结",
    );
    assert_eq!(codes_of(&f.screen(), "张三"), vec![RuleCode::R01]);
    // `未办结` contains `办结` but is not finished; a blank status is not finished either.
    for status in ["未办结", ""] {
        let mut f = Fixture::new();
        request(
            &mut f,
            SourceKind::Petition,
            d(2021, 1, 5),
            "",
            "申请临时救助",
            status,
        );
        assert_eq!(
            codes_of(&f.screen(), "张三"),
            vec![RuleCode::R01, RuleCode::R06]
        );
    }
}

#[test]
fn petition_about_land_does_not_qualify() {
    let mut f = Fixture::new();
    request(
        &mut f,
        SourceKind::Petition,
        d(2021, 1, 5),
        "土地",
        "土地承包纠纷",
        "办理中",
    );
    let s = f.screen();
    assert!(s.suspects.is_empty());
    assert_eq!(s.screened[&SourceKind::Petition], 0);
}

#[test]
fn hotline_help_request_fires_and_enquiry_does_not() {
    let mut f = Fixture::new();
    request(
        &mut f,
        SourceKind::Hotline,
        d(2021, 6, 20),
        "求助",
        "老人无人照料",
        "",
    );
    assert_eq!(codes_of(&f.screen(), "张三"), vec![RuleCode::R01]);
    let mut f = Fixture::new();
    request(
        &mut f,
        SourceKind::Hotline,
        d(2021, 1, 20),
        "咨询",
        "咨询低保申请条件",
        "办理中",
    );
    assert!(f.screen().suspects.is_empty());
}

// --- Unemployment and R03 --------------------------------------------------------------

#[test]
fn r03_fires_for_uninsured_registered_unemployed() {
    let mut f = Fixture::new();
    unemployed(&mut f, "登记失业", false);
    let s = f.screen();
    assert_eq!(codes_of(&s, "张三"), vec![RuleCode::R01, RuleCode::R03]);
    assert!(evidence_of(&s, RuleCode::R03).starts_with("人社: 2020-06-01 登记失业, 未参加失业保险"));
}

#[test]
fn insured_unemployed_gets_no_r03() {
    let mut f = Fixture::new();
    unemployed(&mut f, "登记失业", true);
    assert_eq!(codes_of(&f.screen(), "张三"), vec![RuleCode::R01]);
}

#[test]
fn employed_person_on_the_unemployment_list_is_not_current() {
    for status in ["已就业", "就业", "已注销", "注销登记", "退休"] {
        let mut f = Fixture::new();
        unemployed(&mut f, status, false);
        assert!(f.screen().suspects.is_empty(), "{status}");
    }
}

#[test]
fn statuses_a_county_words_its_own_way_still_count_as_registered() {
    for status in ["失业登记", "在册", "未就业", "登记失业中"] {
        let mut f = Fixture::new();
        unemployed(&mut f, status, false);
        assert_eq!(
            codes_of(&f.screen(), "张三"),
            vec![RuleCode::R01, RuleCode::R03],
            "{status}"
        );
    }
}

#[test]
fn finished_statuses_in_other_wordings_are_finished() {
    for (status, overdue) in [
        ("办结归档", false),
        ("已处理完毕", false),
        ("已结案", false),
        ("待办结", true),
        ("办理中", true),
    ] {
        let mut f = Fixture::new();
        request(
            &mut f,
            SourceKind::Petition,
            d(2021, 1, 5),
            "",
            "申请临时救助",
            status,
        );
        let want = if overdue {
            vec![RuleCode::R01, RuleCode::R06]
        } else {
            vec![RuleCode::R01]
        };
        assert_eq!(codes_of(&f.screen(), "张三"), want, "{status}");
    }
}
