//! Rule fixtures: tiny hand-built records, linked by ID the way matching would, one test
//! per rule that fires and one per near miss.

use chrono::NaiveDate;

use super::*;
use crate::model::{
    Field, FieldEvidence, IdQuality, Link, LinkDecision, NearMiss, Observation, Person, PersonName,
    RawRecord, ResidentId, RuleCode, SourceRef, Value,
};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn text(field: Field, s: &str) -> (Field, Value) {
    (field, Value::Text(s.to_string()))
}
fn date(field: Field, y: i32, m: u32, day: u32) -> (Field, Value) {
    (field, Value::Date(d(y, m, day)))
}
fn amount(field: Field, a: f64) -> (Field, Value) {
    (field, Value::Amount(a))
}
fn flag(field: Field, b: bool) -> (Field, Value) {
    (field, Value::Bool(b))
}

const A: &str = "410123199001011234";
const B: &str = "410123198505052345";
const CHILD: &str = "410123201005010011";
const FATHER: &str = "410123198001010033";
const MOTHER: &str = "410123198202020044";

/// Records and their persons. Records sharing a valid ID form one person with exact links,
/// as matching would link them; extra fuzzy or uncertain links can be added by hand.
struct Fixture {
    raw: Vec<RawRecord>,
    records: Vec<PersonRecord>,
    settings: RuleSettings,
    /// (left, right, decision, score, evidence) added on top of the ID links.
    links: Vec<(usize, usize, LinkDecision, f64)>,
    nearest: Vec<(usize, usize, f64)>,
}

impl Fixture {
    fn new() -> Fixture {
        Fixture {
            raw: Vec::new(),
            records: Vec::new(),
            settings: RuleSettings::default(),
            links: Vec::new(),
            nearest: Vec::new(),
        }
    }

    /// Adds one source row describing one person (the subject) and returns its record.
    fn add(
        &mut self,
        kind: SourceKind,
        id: Option<&str>,
        name: &str,
        fields: Vec<(Field, Value)>,
    ) -> usize {
        let row = self.raw.len() as u32 + 2;
        let mut fields = fields;
        fields.sort_by_key(|(f, _)| *f);
        self.raw.push(RawRecord {
            kind,
            source: source(kind, row),
            fields,
        });
        self.person(self.raw.len() - 1, Role::Subject, id, name)
    }

    /// Adds a person record for `role` on an existing row.
    fn person(&mut self, raw: usize, role: Role, id: Option<&str>, name: &str) -> usize {
        let row = &self.raw[raw];
        let kind = row.kind;
        let observation = match role {
            Role::Subject => observed(row),
            Role::Father | Role::Mother => Observation::IdentityOnly,
        };
        let birth_date = id
            .filter(|i| i.len() == 18)
            .and_then(|i| NaiveDate::parse_from_str(&i[6..14], "%Y%m%d").ok())
            .or(row.date(Field::BirthDate).filter(|_| role == Role::Subject));
        self.records.push(PersonRecord {
            kind,
            role,
            source: self.raw[raw].source.clone(),
            name: Some(PersonName {
                display: name.to_string(),
                key: name.to_string(),
                pinyin: String::new(),
            }),
            id: id.map(|digits| ResidentId {
                digits: digits.to_string(),
                quality: if digits.len() == 18 {
                    IdQuality::Clean
                } else {
                    IdQuality::WrongLength
                },
                reliable_prefix: digits.len().min(18) as u8,
            }),
            birth_date,
            sex: None,
            phones: Vec::new(),
            township: Some("城关镇".to_string()),
            village: Some("东关村".to_string()),
            address: None,
            household_id: None,
            observation,
        });
        self.records.len() - 1
    }

    /// A children-at-risk row: the child and both parents, with the parents' statuses.
    fn child(&mut self, id: &str, father: &str, mother: &str) -> usize {
        let child = self.add(
            SourceKind::Children,
            Some(id),
            "小明",
            vec![
                text(Field::FatherStatus, father),
                text(Field::MotherStatus, mother),
            ],
        );
        let row = self.row_of(child);
        self.person(row, Role::Father, Some(FATHER), "父亲");
        self.person(row, Role::Mother, Some(MOTHER), "母亲");
        child
    }

    /// The fixture row a record was read from.
    fn row_of(&self, record: usize) -> usize {
        let source = &self.records[record].source;
        self.raw.iter().position(|r| &r.source == source).unwrap()
    }

    fn linkage(&self) -> Linkage {
        let mut persons: Vec<Person> = Vec::new();
        let mut person_of = vec![usize::MAX; self.records.len()];
        let mut links = Vec::new();
        for (i, r) in self.records.iter().enumerate() {
            let same = r.id.as_ref().and_then(|id| id.exact_key()).and_then(|key| {
                (0..i)
                    .find(|&j| self.records[j].id.as_ref().and_then(|x| x.exact_key()) == Some(key))
            });
            match same {
                Some(j) => {
                    let p = person_of[j];
                    links.push(Link {
                        left: j,
                        right: i,
                        decision: LinkDecision::Exact,
                        score: 30.0,
                        evidence: vec![FieldEvidence {
                            field: "身份证号",
                            level: "一致".into(),
                            weight: 30.0,
                        }],
                    });
                    persons[p].records.push(i);
                    persons[p].links.push(links.len() - 1);
                    person_of[i] = p;
                }
                None => {
                    person_of[i] = persons.len();
                    persons.push(Person {
                        records: vec![i],
                        links: Vec::new(),
                        uncertain: Vec::new(),
                        nearest: None,
                    });
                }
            }
        }
        for &(left, right, decision, score) in &self.links {
            links.push(Link {
                left,
                right,
                decision,
                score,
                evidence: vec![
                    FieldEvidence {
                        field: "姓名",
                        level: "一致".into(),
                        weight: 8.0,
                    },
                    FieldEvidence {
                        field: "电话",
                        level: "一致".into(),
                        weight: 6.2,
                    },
                    FieldEvidence {
                        field: "出生日期",
                        level: "不同".into(),
                        weight: -2.0,
                    },
                ],
            });
            let l = links.len() - 1;
            let (pl, pr) = (person_of[left], person_of[right]);
            if decision == LinkDecision::Uncertain {
                persons[pl].uncertain.push(l);
                persons[pr].uncertain.push(l);
            } else {
                // Merge the right person into the left one.
                let moved = std::mem::take(&mut persons[pr].records);
                for &r in &moved {
                    person_of[r] = pl;
                }
                persons[pl].records.extend(moved);
                persons[pl].records.sort_unstable();
                let moved_links = std::mem::take(&mut persons[pr].links);
                persons[pl].links.extend(moved_links);
                persons[pl].links.push(l);
            }
        }
        for &(record, candidate, score) in &self.nearest {
            persons[person_of[record]].nearest = Some(NearMiss {
                record,
                candidate,
                score,
            });
        }
        Linkage {
            persons,
            links,
            person_of,
            stats: crate::model::LinkageStats {
                upper_threshold: 12.0,
                lower_threshold: 6.0,
                ..Default::default()
            },
        }
    }

    fn screen(&self) -> Screening {
        let linkage = self.linkage();
        screen(&ScreeningInput {
            records: &self.records,
            linkage: &linkage,
            settings: &self.settings,
            since: d(2020, 1, 1),
            as_of: d(2021, 6, 30),
        })
    }
}

/// A row's facts as normalise types them.
fn observed(row: &RawRecord) -> Observation {
    crate::normalise::observe(row, crate::normalise::certificate_of(row).as_ref())
}

fn source(kind: SourceKind, row: u32) -> SourceRef {
    SourceRef {
        file: format!("{}.xlsx", kind.label_zh()),
        sheet: None,
        row,
    }
}

/// The codes each suspect got, by name.
fn codes(s: &Screening) -> Vec<(String, Vec<RuleCode>)> {
    s.suspects
        .iter()
        .map(|x| (x.name.clone(), x.findings.iter().map(|f| f.code).collect()))
        .collect()
}

fn codes_of(s: &Screening, name: &str) -> Vec<RuleCode> {
    codes(s)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, c)| c)
        .unwrap_or_default()
}

fn evidence_of(s: &Screening, code: RuleCode) -> String {
    s.suspects
        .iter()
        .flat_map(|x| &x.findings)
        .find(|f| f.code == code)
        .map(|f| f.evidence())
        .unwrap_or_default()
}

fn claim(f: &mut Fixture, id: &str, (y, m, day): (i32, u32, u32), yuan: f64) -> usize {
    f.add(
        SourceKind::Medical,
        Some(id),
        "张三",
        vec![
            date(Field::SettlementDate, y, m, day),
            amount(Field::OutOfPocket, yuan),
        ],
    )
}

fn disability(f: &mut Fixture, id: &str, category: &str, grade: &str, issued: NaiveDate) -> usize {
    f.add(
        SourceKind::Disability,
        Some(id),
        "张三",
        vec![
            text(Field::DisabilityCategory, category),
            text(Field::DisabilityGrade, grade),
            (Field::CertIssueDate, Value::Date(issued)),
        ],
    )
}

fn roll(f: &mut Fixture, kind: SourceKind, id: &str, status: &str, end: Option<NaiveDate>) {
    let mut fields = vec![date(Field::StartDate, 2018, 1, 1)];
    if !status.is_empty() {
        fields.push(text(Field::RollStatus, status));
    }
    if let Some(end) = end {
        fields.push((Field::EndDate, Value::Date(end)));
    }
    f.add(kind, Some(id), "张三", fields);
}

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
        &[7, 3, 3, 7, 9, 3],
        &[Some(10), Some(11), None, Some(20), Some(12), Some(9)],
        &[4_000_000, 3_000_000, 1_000_001, 1, 5_000_000, 9_999_900],
        10,
        12,
        40_000.0,
    )
    .unwrap();
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
    assert!(s.suspects[1].findings[0]
        .evidence()
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

// --- Petitions, hotline and R06 --------------------------------------------------------

fn request(
    f: &mut Fixture,
    kind: SourceKind,
    when: NaiveDate,
    kind_text: &str,
    content: &str,
    status: &str,
) {
    let mut fields = vec![
        (Field::RequestDate, Value::Date(when)),
        text(Field::RequestType, kind_text),
        text(Field::RequestContent, content),
    ];
    if !status.is_empty() {
        fields.push(text(Field::HandlingStatus, status));
    }
    f.add(kind, Some(A), "张三", fields);
}

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

fn unemployed(f: &mut Fixture, status: &str, insured: bool) {
    f.add(
        SourceKind::Unemployment,
        Some(A),
        "张三",
        vec![
            text(Field::EmploymentStatus, status),
            date(Field::RegistrationDate, 2020, 6, 1),
            flag(Field::Insured, insured),
        ],
    );
}

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

// --- Coverage --------------------------------------------------------------------------

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

// --- Children: R04 and R05 -------------------------------------------------------------

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

// --- Uncertain links, suspect rows, ordering -------------------------------------------

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
    assert_eq!(s.review[0].link, 0);
    let reason = &s.review[0].reason;
    assert!(
        reason.starts_with("王五 有筛查资格(医保), 若匹配成立可能触发 R01"),
        "{reason}"
    );
    assert!(
        reason.contains("得分 8.2, 介于阈值 6.0 与 12.0 之间"),
        "{reason}"
    );
    assert_eq!(s.screened[&SourceKind::Medical], 1);
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
    assert_eq!(x.confidence, 1.0);
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
    assert_eq!(x.confidence, 0.84);
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
    f.records[b].village = Some("西关村".into());
    f.records[c].township = None;
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
