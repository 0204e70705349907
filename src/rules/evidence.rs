//! 依据: the facts behind a finding, in the Chinese a township clerk reads.
//!
//! The one place facts become words: findings carry typed `Fact`s, and the 依据 column is
//! worded from them here when the lists are written. Amounts carry two decimals and
//! thousands separators (`52,310.00 元`), dates are ISO (`2020-05-03`), grades are words
//! (`二级肢体残疾`), and each fact names its source.

use chrono::{Datelike, NaiveDate};

use crate::model::{
    Disability, Emergency, Fact, FactDetail, Monitoring, Request, RollEntry, SourceKind, Suspect,
    Unemployment,
};

/// Longest free-text excerpt (request content, hardship) quoted in a fact.
const EXCERPT_CHARS: usize = 30;

/// Short department name prefixed to each fact.
pub fn source_short(kind: SourceKind) -> &'static str {
    match kind {
        SourceKind::Agriculture => "农业农村",
        SourceKind::Medical => "医保",
        SourceKind::Disability => "残联",
        SourceKind::Petition => "信访",
        SourceKind::Hotline => "12349热线",
        SourceKind::Unemployment => "人社",
        SourceKind::Emergency => "应急",
        SourceKind::Children => "困境儿童",
        other => other.label_zh(),
    }
}

pub fn with_source(kind: SourceKind, text: &str) -> String {
    format!("{}: {text}", source_short(kind))
}

/// Fen → `52,310.00 元`.
pub fn yuan(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    let whole = (cents / 100).to_string();
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}.{:02} 元", cents % 100)
}

pub fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// `2020年以来` when the window starts on 1 January, else `2020-03-15 以来`.
pub fn since_phrase(since: NaiveDate) -> String {
    if since.ordinal() == 1 {
        format!("{}年以来", since.year())
    } else {
        format!("{} 以来", date(since))
    }
}

const GRADE_WORDS: [&str; 4] = ["一级", "二级", "三级", "四级"];

/// `二级肢体残疾`, `三级残疾` when the category is unknown.
pub fn disability_grade(d: &Disability) -> String {
    let grade = d
        .grade
        .and_then(|g| GRADE_WORDS.get(usize::from(g).checked_sub(1)?))
        .copied()
        .unwrap_or("等级不详");
    let category = d.category.map(|c| c.label_zh()).unwrap_or("");
    format!("{grade}{category}残疾")
}

/// `二级肢体残疾, 2020-05-03 发证`.
pub fn disability(d: &Disability) -> String {
    match d.issued {
        Some(issued) => format!("{}, {} 发证", disability_grade(d), date(issued)),
        None => format!("{}, 发证日期未填写", disability_grade(d)),
    }
}

/// `2020年以来个人自付 52,310.00 元(3 笔结算)`.
pub fn medical(since: NaiveDate, total_cents: i64, lines: u32) -> String {
    format!(
        "{}个人自付 {}({lines} 笔结算)",
        since_phrase(since),
        yuan(total_cents)
    )
}

fn excerpt(text: &str) -> String {
    let text = text.trim();
    if text.chars().count() <= EXCERPT_CHARS {
        text.to_string()
    } else {
        let head: String = text.chars().take(EXCERPT_CHARS).collect();
        format!("{head}…")
    }
}

/// `防返贫监测对象(脱贫不稳定户), 2020-03-01 纳入, 风险类型: 因病`.
pub fn monitoring(monitoring: &Monitoring) -> String {
    let mut s = String::from("防返贫监测对象");
    if let Some(category) = &monitoring.category {
        s.push_str(&format!("({category})"));
    }
    if let Some(d) = monitoring.since {
        s.push_str(&format!(", {} 纳入", date(d)));
    }
    if let Some(risk) = &monitoring.risk {
        s.push_str(&format!(", 风险类型: {risk}"));
    }
    if monitoring.risk_cleared == Some(true) {
        s.push_str(", 风险已消除");
    }
    s
}

/// `2021-01-05 求助: 家中困难申请救助, 办理状态: 办理中`.
pub fn request(request: &Request) -> String {
    let when = request.date.map(date).unwrap_or_default();
    let kind = request.kind.as_deref().unwrap_or("诉求");
    let mut s = format!("{when} {kind}");
    if let Some(content) = &request.content {
        s.push_str(&format!(": {}", excerpt(content)));
    }
    let status = request.status.as_deref().unwrap_or("未填写");
    s.push_str(&format!(", 办理状态: {status}"));
    s
}

/// `2020-06-01 登记失业, 未参加失业保险`.
pub fn unemployment(unemployment: &Unemployment) -> String {
    let status = unemployment.status.as_deref().unwrap_or("登记失业");
    let mut s = match unemployment.registered {
        Some(d) => format!("{} {status}", date(d)),
        None => status.to_string(),
    };
    s.push_str(match unemployment.insured {
        Some(true) => ", 已参加失业保险",
        Some(false) => ", 未参加失业保险",
        None => ", 是否参加失业保险未填写",
    });
    s
}

/// `2020-07-20 洪涝, 房屋倒塌`.
pub fn emergency(emergency: &Emergency, event_date: NaiveDate) -> String {
    let event = emergency.event.as_deref().unwrap_or("突发事件");
    let mut s = format!("{} {event}", date(event_date));
    if let Some(hardship) = &emergency.hardship {
        s.push_str(&format!(", {}", excerpt(hardship)));
    }
    s
}

/// A roll record not active on `as_of`: `停保, 2021-03-31 终止, 2021-06-30 不在册`.
pub fn lapsed(entry: &RollEntry, as_of: NaiveDate) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(status) = &entry.status {
        parts.push(status.to_string());
    }
    match (entry.start, entry.end) {
        (_, Some(end)) => parts.push(format!("{} 终止", date(end))),
        (Some(start), None) => parts.push(format!("{} 起始", date(start))),
        (None, None) => {}
    }
    parts.push(format!("{} 不在册", date(as_of)));
    parts.join(", ")
}

/// `2010-05-01 出生; 父亲: 死亡; 母亲: 服刑在押`.
pub fn child(birth: Option<NaiveDate>, child_age: u32, father: &str, mother: &str) -> String {
    let born = match birth {
        Some(b) => format!("{} 出生", date(b)),
        None => format!("出生日期不详(无有效身份证号), 按困境儿童名单视为未满{child_age}周岁"),
    };
    format!("{born}; 父亲: {father}; 母亲: {mother}")
}

/// One fact in words, naming its source: `医保: 2020年以来个人自付 52,310.00 元(8 笔结算)`.
pub fn fact(fact: &Fact) -> String {
    let text = match &fact.detail {
        FactDetail::MedicalTotal {
            since,
            cents,
            lines,
        } => medical(*since, *cents, *lines),
        FactDetail::Monitoring(m) => monitoring(m),
        FactDetail::Disability(d) => disability(d),
        FactDetail::Request(r) => request(r),
        FactDetail::Unemployment(u) => unemployment(u),
        FactDetail::Emergency { emergency: e, date } => emergency(e, *date),
        FactDetail::Child {
            birth,
            child_age,
            father,
            mother,
        } => child(*birth, *child_age, father, mother),
        FactDetail::Lapsed { entry, as_of } => lapsed(entry, *as_of),
    };
    with_source(fact.source, &text)
}

/// One finding's 依据 on its own: its facts, then its conclusion.
pub fn finding(finding: &crate::model::Finding) -> String {
    let mut parts: Vec<String> = finding.facts.iter().map(fact).collect();
    if !finding.conclusion.is_empty() {
        parts.push(finding.conclusion.clone());
    }
    parts.join("; ")
}

/// The 依据 column: every fact once (several codes often rest on the same facts), then
/// each code's conclusion.
pub fn suspect(suspect: &Suspect) -> String {
    let mut facts: Vec<String> = Vec::new();
    for text in suspect.findings.iter().flat_map(|f| &f.facts).map(fact) {
        if !facts.contains(&text) {
            facts.push(text);
        }
    }
    let conclusions: Vec<String> = suspect
        .findings
        .iter()
        .map(|f| format!("{}: {}", f.code.code(), f.conclusion))
        .collect();
    if facts.is_empty() {
        conclusions.join("; ")
    } else {
        format!("{}；{}", facts.join("; "), conclusions.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_suspect_states_shared_facts_once_then_each_conclusion() {
        use crate::model::{Finding, RuleCode};
        let medical = Fact {
            source: SourceKind::Medical,
            detail: FactDetail::MedicalTotal {
                since: d(2020, 1, 1),
                cents: 5_231_000,
                lines: 8,
            },
        };
        let monitored = Fact {
            source: SourceKind::Agriculture,
            detail: FactDetail::Monitoring(Monitoring::default()),
        };
        let finding = |code, facts: Vec<Fact>, conclusion: &str| Finding {
            code,
            facts,
            conclusion: conclusion.into(),
            records: vec![0],
        };
        let suspect = Suspect {
            clue_id: "LB0000000000".into(),
            person_key: "k".into(),
            township: None,
            village: None,
            name: "张三".into(),
            id_number: None,
            address: None,
            findings: vec![
                finding(
                    RuleCode::R01,
                    vec![medical.clone()],
                    "未纳入保障, 期内未获临时救助",
                ),
                finding(RuleCode::R02, vec![medical, monitored], "未纳入低保或特困"),
            ],
            sources: vec![SourceKind::Medical],
            match_note: String::new(),
            confidence: Some(1.0),
            source_refs: Vec::new(),
        };
        let medical = "医保: 2020年以来个人自付 52,310.00 元(8 笔结算)";
        assert_eq!(
            super::suspect(&suspect),
            format!(
                "{medical}; 农业农村: 防返贫监测对象；\
                 R01: 未纳入保障, 期内未获临时救助; R02: 未纳入低保或特困"
            )
        );
        assert_eq!(
            super::finding(&suspect.findings[1]),
            format!("{medical}; 农业农村: 防返贫监测对象; 未纳入低保或特困")
        );
        assert_eq!(suspect.findings[1].amount_cents(), Some(5_231_000));
    }
    use crate::model::DisabilityCategory as Category;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn amounts_have_two_decimals_and_thousands_separators() {
        assert_eq!(yuan(5_231_000), "52,310.00 元");
        assert_eq!(yuan(3_999_999), "39,999.99 元");
        assert_eq!(yuan(12_345_678_905), "123,456,789.05 元");
        assert_eq!(yuan(99_900), "999.00 元");
        assert_eq!(yuan(5), "0.05 元");
        assert_eq!(yuan(-100_000), "-1,000.00 元");
    }

    #[test]
    fn medical_fact_names_the_window_and_line_count() {
        assert_eq!(
            medical(d(2020, 1, 1), 5_231_000, 3),
            "2020年以来个人自付 52,310.00 元(3 笔结算)"
        );
        assert_eq!(
            medical(d(2020, 3, 15), 4_000_001, 1),
            "2020-03-15 以来个人自付 40,000.01 元(1 笔结算)"
        );
    }

    #[test]
    fn disability_fact_has_grade_words_and_issue_date() {
        let dis = Disability {
            category: Some(Category::Physical),
            grade: Some(2),
            issued: Some(d(2020, 5, 3)),
        };
        assert_eq!(disability(&dis), "二级肢体残疾, 2020-05-03 发证");
        assert_eq!(
            with_source(SourceKind::Disability, &disability(&dis)),
            "残联: 二级肢体残疾, 2020-05-03 发证"
        );
        let unknown = Disability {
            category: None,
            grade: Some(1),
            issued: None,
        };
        assert_eq!(disability(&unknown), "一级残疾, 发证日期未填写");
    }

    #[test]
    fn long_content_is_cut_with_an_ellipsis() {
        let long = "家".repeat(40);
        let cut = excerpt(&long);
        assert_eq!(cut.chars().count(), EXCERPT_CHARS + 1);
        assert!(cut.ends_with('…'));
        assert_eq!(excerpt(" 申请低保 "), "申请低保");
    }
}
