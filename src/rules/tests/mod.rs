//! Rule fixtures: tiny hand-built records, linked by ID the way matching would, one test
//! per rule that fires and one per near miss.
//!
//! The fixture and its helpers are here; the tests, by topic, in the submodules.

use std::sync::Arc;

use chrono::NaiveDate;

use super::*;
use crate::model::{
    Field, FieldEvidence, IdQuality, Link, LinkDecision, NearMiss, Observation, Person, PersonName,
    Place, RawRecord, ResidentId, RuleCode, SourceRef, Value,
};

mod children;
mod coverage;
mod medical;
mod requests;
mod review;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn text(field: Field, s: &str) -> (Field, Value) {
    (field, Value::Text(s.into()))
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
            .or(row
                .fields
                .iter()
                .find_map(|(f, v)| v.as_date().filter(|_| *f == Field::BirthDate))
                .filter(|_| role == Role::Subject));
        self.records.push(PersonRecord {
            kind,
            role,
            source: self.raw[raw].source.clone(),
            name: Some(Arc::new(PersonName {
                display: name.into(),
                key: name.into(),
                pinyin: Default::default(),
            })),
            id: id
                .map(|digits| ResidentId {
                    digits: digits.into(),
                    quality: if digits.len() == 18 {
                        IdQuality::Clean
                    } else {
                        IdQuality::WrongLength
                    },
                    reliable_prefix: digits.len().min(18) as u8,
                })
                .map(Arc::new),
            birth_date,
            sex: None,
            contact: None,
            place: Arc::new(Place {
                township: Some("城关镇".into()),
                village: Some("东关村".into()),
                address: None,
            }),
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
                        left: j as u32,
                        right: i as u32,
                        decision: LinkDecision::Exact,
                        score: 30.0,
                        evidence: Box::new([FieldEvidence {
                            field: "身份证号",
                            level: "一致".into(),
                            weight: 30.0,
                        }]),
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
                left: left as u32,
                right: right as u32,
                decision,
                score,
                evidence: Box::new([
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
                ]),
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
        let questions = links
            .iter()
            .enumerate()
            .filter(|(_, l)| l.decision == LinkDecision::Uncertain)
            .map(|(i, l)| {
                let (left, right) = l.ends();
                let q = crate::matching::question_of(&self.records[left], &self.records[right]);
                (i, q)
            })
            .collect();
        Linkage {
            persons,
            links: links.into(),
            person_of,
            questions,
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
    let rows = crate::ingest::Rows::from(vec![row.clone()]);
    let row = rows.get(0).expect("one row");
    crate::normalise::observe(row, crate::normalise::certificate_of(row).as_ref())
}

fn source(kind: SourceKind, row: u32) -> SourceRef {
    SourceRef::new(format!("{}.xlsx", kind.label_zh()), None, row)
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
        .map(crate::rules::evidence::finding)
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
