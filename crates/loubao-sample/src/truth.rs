//! Ground truth: the clean facts behind every department file, and SPEC 6 computed on them by
//! a deliberately simple implementation that shares no code with `rules` — so that the
//! pipeline is measured against the spec, not against itself.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, NaiveDate};

use loubao_model::RuleCode;

use super::county::age;

const MEDICAL_THRESHOLD: f64 = 40_000.0;
const ASSISTANCE_WORDS: [&str; 6] = ["低保", "特困", "救助", "临时救助", "困难", "生活困难"];
const ACTIVE_STATUSES: [&str; 5] = ["在保", "正常", "有效", "在册", "享受中"];
const FINISHED_STATUSES: [&str; 6] = ["已办结", "办结", "已完成", "已处理", "已答复", "已回复"];
const UNEMPLOYED_STATUSES: [&str; 2] = ["登记失业", "失业"];
const PARENT_ABSENT: [&str; 3] = ["死亡", "宣告死亡", "失踪"];
const PARENT_UNABLE: [&str; 7] = [
    "重残",
    "重病",
    "服刑在押",
    "服刑",
    "强制隔离戒毒",
    "其他限制人身自由",
    "失联",
];
const OVERDUE_DAYS: i64 = 30;
/// R07: a complaint by type, or content naming how a case was handled.
const COMPLAINT_TYPE: &str = "投诉";
const CONDUCT_WORDS: [&str; 11] = [
    "态度",
    "推诿",
    "不作为",
    "不担当",
    "刁难",
    "拖延",
    "不予受理",
    "脸难看",
    "事难办",
    "吃拿卡要",
    "冷漠",
];

/// One membership of a roll with dates (dibao, low_income, tekun, orphan, fuc).
#[derive(Debug, Clone)]
pub struct Membership {
    pub pid: usize,
    pub status: String,
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
pub struct Disability {
    pub pid: usize,
    pub category: &'static str,
    pub grade: u8,
    pub issued: NaiveDate,
}

/// A petition or a hotline work order.
#[derive(Debug, Clone)]
pub struct Request {
    pub pid: usize,
    pub date: NaiveDate,
    /// Petition category or hotline type.
    pub category: String,
    pub content: String,
    pub status: String,
}

#[derive(Debug, Clone)]
pub struct Unemployment {
    pub pid: usize,
    pub insured: bool,
    pub status: String,
}

#[derive(Debug, Clone)]
pub struct ChildAtRisk {
    pub child: usize,
    pub birth: NaiveDate,
    pub father: Option<(usize, String)>,
    pub mother: Option<(usize, String)>,
}

/// Every clean fact the files were written from, by true person index.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub dibao: Vec<Membership>,
    pub low_income: Vec<Membership>,
    pub tekun: Vec<Membership>,
    pub orphan: Vec<Membership>,
    pub fuc: Vec<Membership>,
    pub temp_assistance: Vec<(usize, NaiveDate)>,
    pub agriculture: Vec<usize>,
    /// 个人自付 summed over claims dated in [since, as_of], per person (see `add_claim`).
    pub medical_window: BTreeMap<usize, f64>,
    pub disability: Vec<Disability>,
    pub petitions: Vec<Request>,
    pub hotline: Vec<Request>,
    pub unemployment: Vec<Unemployment>,
    pub emergency: Vec<(usize, NaiveDate)>,
    pub children: Vec<ChildAtRisk>,
}

/// The screening window and date.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub since: NaiveDate,
    pub as_of: NaiveDate,
}

impl Window {
    fn contains(self, d: NaiveDate) -> bool {
        self.since <= d && d <= self.as_of
    }
}

impl Facts {
    /// Records one claim line; only the window counts towards the threshold.
    pub fn add_claim(&mut self, w: Window, pid: usize, date: NaiveDate, out_of_pocket: f64) {
        if w.contains(date) {
            *self.medical_window.entry(pid).or_default() += out_of_pocket;
        }
    }
}

/// SPEC 3.2: active on `as_of` by status word, or by dates.
pub fn active(m: &Membership, as_of: NaiveDate) -> bool {
    ACTIVE_STATUSES.contains(&m.status.as_str())
        || (m.start.is_some_and(|s| s <= as_of) && m.end.is_none_or(|e| e >= as_of))
}

fn active_set(rolls: &[&[Membership]], as_of: NaiveDate) -> BTreeSet<usize> {
    rolls
        .iter()
        .flat_map(|r| r.iter())
        .filter(|m| active(m, as_of))
        .map(|m| m.pid)
        .collect()
}

fn severe(d: &Disability, any: u8, mental: u8) -> bool {
    d.grade <= any || (matches!(d.category, "智力" | "精神") && d.grade <= mental)
}

fn about_assistance(r: &Request) -> bool {
    ASSISTANCE_WORDS
        .iter()
        .any(|w| r.category.contains(w) || r.content.contains(w))
}

/// The codes each true person should get (SPEC 6), computed on clean facts.
pub fn expected(facts: &Facts, w: Window) -> BTreeMap<usize, BTreeSet<RuleCode>> {
    let as_of = w.as_of;
    let covered = active_set(
        &[&facts.dibao, &facts.tekun, &facts.orphan, &facts.fuc],
        as_of,
    );
    let dibao_tekun = active_set(&[&facts.dibao, &facts.tekun], as_of);
    let orphan_roll = active_set(&[&facts.orphan], as_of);
    let fuc_or_orphan = active_set(&[&facts.orphan, &facts.fuc], as_of);
    let aided: BTreeSet<usize> = facts
        .temp_assistance
        .iter()
        .filter(|(_, d)| w.contains(*d))
        .map(|(p, _)| *p)
        .collect();
    let seriously_ill: BTreeSet<usize> = facts
        .medical_window
        .iter()
        .filter(|(_, total)| **total > MEDICAL_THRESHOLD)
        .map(|(p, _)| *p)
        .collect();

    let qualifying_request = |r: &&Request, hotline: bool| {
        w.contains(r.date)
            && if hotline {
                r.category == "求助"
            } else {
                about_assistance(r)
            }
    };
    let mut qualifies: BTreeSet<usize> = BTreeSet::new();
    qualifies.extend(facts.agriculture.iter().copied());
    qualifies.extend(seriously_ill.iter().copied());
    qualifies.extend(
        facts
            .disability
            .iter()
            .filter(|d| severe(d, 2, 3) && d.issued >= w.since)
            .map(|d| d.pid),
    );
    qualifies.extend(
        facts
            .petitions
            .iter()
            .filter(|r| qualifying_request(r, false))
            .map(|r| r.pid),
    );
    qualifies.extend(
        facts
            .hotline
            .iter()
            .filter(|r| qualifying_request(r, true))
            .map(|r| r.pid),
    );
    let unemployed: Vec<&Unemployment> = facts
        .unemployment
        .iter()
        .filter(|u| UNEMPLOYED_STATUSES.contains(&u.status.as_str()))
        .collect();
    qualifies.extend(unemployed.iter().map(|u| u.pid));
    qualifies.extend(
        facts
            .emergency
            .iter()
            .filter(|(_, d)| w.contains(*d))
            .map(|(p, _)| *p),
    );

    let mut out: BTreeMap<usize, BTreeSet<RuleCode>> = BTreeMap::new();
    for &p in &qualifies {
        if !covered.contains(&p) && !aided.contains(&p) {
            out.entry(p).or_default().insert(RuleCode::R01);
        }
    }

    let low_income: BTreeSet<usize> = active_set(&[&facts.low_income], as_of)
        .into_iter()
        .chain(facts.agriculture.iter().copied())
        .collect();
    let severe_or_ill = facts
        .disability
        .iter()
        .filter(|d| severe(d, 2, 3))
        .map(|d| d.pid)
        .chain(seriously_ill.iter().copied());
    for p in severe_or_ill {
        if low_income.contains(&p) && !dibao_tekun.contains(&p) {
            out.entry(p).or_default().insert(RuleCode::R02);
        }
    }

    for u in &unemployed {
        if !u.insured && !dibao_tekun.contains(&u.pid) && !aided.contains(&u.pid) {
            out.entry(u.pid).or_default().insert(RuleCode::R03);
        }
    }

    let fuc_disabled: BTreeSet<usize> = facts
        .disability
        .iter()
        .filter(|d| severe(d, 2, 4))
        .map(|d| d.pid)
        .collect();
    let absent = |p: &Option<(usize, String)>| {
        p.as_ref()
            .is_some_and(|(_, s)| PARENT_ABSENT.contains(&s.as_str()))
    };
    let unable = |p: &Option<(usize, String)>| {
        p.as_ref().is_some_and(|(pid, s)| {
            PARENT_UNABLE.contains(&s.as_str()) || fuc_disabled.contains(pid)
        })
    };
    for c in &facts.children {
        if age(c.birth, as_of) >= 18 {
            continue;
        }
        let orphan = absent(&c.father) && absent(&c.mother);
        if orphan && !orphan_roll.contains(&c.child) {
            out.entry(c.child).or_default().insert(RuleCode::R04);
        }
        let (f_absent, m_absent) = (absent(&c.father), absent(&c.mother));
        let (f_unable, m_unable) = (unable(&c.father), unable(&c.mother));
        // Both parents unable, or one absent and the other unable.
        let fuc =
            !orphan && (f_unable || m_unable) && (f_unable || f_absent) && (m_unable || m_absent);
        if fuc && !fuc_or_orphan.contains(&c.child) {
            out.entry(c.child).or_default().insert(RuleCode::R05);
        }
    }

    let overdue_before = as_of - Duration::days(OVERDUE_DAYS);
    let open = |r: &Request| !FINISHED_STATUSES.contains(&r.status.as_str());
    let requests = facts
        .petitions
        .iter()
        .filter(|r| qualifying_request(r, false))
        .chain(facts.hotline.iter().filter(|r| qualifying_request(r, true)));
    for r in requests {
        if open(r) && r.date < overdue_before {
            out.entry(r.pid).or_default().insert(RuleCode::R06);
        }
    }

    let conduct = |r: &Request| {
        w.contains(r.date)
            && (r.category == COMPLAINT_TYPE || CONDUCT_WORDS.iter().any(|c| r.content.contains(c)))
    };
    for r in facts.petitions.iter().chain(&facts.hotline) {
        if conduct(r) {
            out.entry(r.pid).or_default().insert(RuleCode::R07);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn w() -> Window {
        Window {
            since: d(2020, 1, 1),
            as_of: d(2021, 6, 30),
        }
    }

    fn member(
        pid: usize,
        status: &str,
        start: Option<NaiveDate>,
        end: Option<NaiveDate>,
    ) -> Membership {
        Membership {
            pid,
            status: status.into(),
            start,
            end,
        }
    }

    fn codes(f: &Facts, pid: usize) -> Vec<RuleCode> {
        expected(f, w())
            .get(&pid)
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default()
    }

    #[test]
    fn activity_follows_status_then_dates() {
        let as_of = w().as_of;
        assert!(active(&member(0, "在保", None, None), as_of));
        assert!(active(
            &member(0, "停保", Some(d(2019, 1, 1)), Some(as_of)),
            as_of
        ));
        assert!(!active(
            &member(0, "停保", Some(d(2019, 1, 1)), Some(d(2021, 6, 29))),
            as_of
        ));
        assert!(active(&member(0, "", Some(d(2019, 1, 1)), None), as_of));
        assert!(!active(&member(0, "", Some(d(2021, 7, 1)), None), as_of));
    }

    #[test]
    fn medical_counts_only_the_window_and_covered_is_not_flagged() {
        let mut f = Facts::default();
        f.add_claim(w(), 1, d(2019, 12, 31), 30_000.0);
        f.add_claim(w(), 1, d(2020, 1, 1), 20_000.0);
        f.add_claim(w(), 2, d(2020, 3, 1), 40_000.01);
        f.add_claim(w(), 3, d(2020, 3, 1), 50_000.0);
        f.dibao.push(member(3, "在保", Some(d(2015, 1, 1)), None));
        f.add_claim(w(), 4, d(2020, 3, 1), 50_000.0);
        f.dibao.push(member(
            4,
            "退出",
            Some(d(2015, 1, 1)),
            Some(d(2020, 12, 31)),
        ));
        assert!(codes(&f, 1).is_empty());
        assert_eq!(codes(&f, 2), [RuleCode::R01]);
        assert!(codes(&f, 3).is_empty());
        assert_eq!(codes(&f, 4), [RuleCode::R01]);
    }

    #[test]
    fn aid_in_window_suppresses_r01_and_r03() {
        let mut f = Facts::default();
        for pid in [1, 2] {
            f.unemployment.push(Unemployment {
                pid,
                insured: false,
                status: "登记失业".into(),
            });
        }
        f.unemployment.push(Unemployment {
            pid: 3,
            insured: false,
            status: "已就业".into(),
        });
        f.temp_assistance.push((1, d(2020, 5, 1)));
        f.temp_assistance.push((2, d(2019, 5, 1)));
        assert!(codes(&f, 1).is_empty());
        assert_eq!(codes(&f, 2), [RuleCode::R01, RuleCode::R03]);
        assert!(codes(&f, 3).is_empty());
    }

    #[test]
    fn r02_needs_low_income_and_severity() {
        let mut f = Facts::default();
        f.low_income
            .push(member(1, "有效", Some(d(2019, 1, 1)), None));
        f.low_income
            .push(member(2, "有效", Some(d(2019, 1, 1)), None));
        f.disability.push(Disability {
            pid: 1,
            category: "智力",
            grade: 3,
            issued: d(2010, 1, 1),
        });
        f.disability.push(Disability {
            pid: 2,
            category: "肢体",
            grade: 3,
            issued: d(2010, 1, 1),
        });
        assert_eq!(codes(&f, 1), [RuleCode::R02]);
        assert!(codes(&f, 2).is_empty());
    }

    #[test]
    fn children_rules() {
        let child = |child, father: &str, mother: &str| ChildAtRisk {
            child,
            birth: d(2012, 1, 1),
            father: Some((100 + child, father.into())),
            mother: Some((200 + child, mother.into())),
        };
        let mut f = Facts::default();
        f.children.push(child(1, "死亡", "失踪"));
        f.children.push(child(2, "死亡", "服刑在押"));
        f.children.push(child(3, "重病", "正常"));
        f.children.push(child(4, "死亡", ""));
        f.disability.push(Disability {
            pid: 204,
            category: "精神",
            grade: 4,
            issued: d(2010, 1, 1),
        });
        f.children.push(child(5, "死亡", "死亡"));
        f.orphan.push(member(5, "在保", Some(d(2019, 1, 1)), None));
        assert_eq!(codes(&f, 1), [RuleCode::R04]);
        assert_eq!(codes(&f, 2), [RuleCode::R05]);
        assert!(codes(&f, 3).is_empty());
        assert_eq!(codes(&f, 4), [RuleCode::R05]);
        assert!(codes(&f, 5).is_empty());
    }

    #[test]
    fn r06_needs_open_overdue_assistance_request() {
        let req = |pid, date, category: &str, status: &str| Request {
            pid,
            date,
            category: category.into(),
            content: "反映问题".into(),
            status: status.into(),
        };
        let mut f = Facts::default();
        f.petitions.push(req(1, d(2021, 3, 1), "低保", "办理中"));
        f.petitions.push(req(2, d(2021, 3, 1), "土地", "办理中"));
        f.petitions.push(req(3, d(2021, 6, 20), "低保", ""));
        f.hotline.push(req(4, d(2021, 3, 1), "求助", "已办结"));
        f.hotline.push(req(5, d(2021, 3, 1), "咨询", "办理中"));
        assert_eq!(codes(&f, 1), [RuleCode::R01, RuleCode::R06]);
        assert!(codes(&f, 2).is_empty());
        assert_eq!(codes(&f, 3), [RuleCode::R01]);
        assert_eq!(codes(&f, 4), [RuleCode::R01]);
        assert!(codes(&f, 5).is_empty());
    }

    #[test]
    fn r07_is_a_complaint_by_type_or_by_content_in_the_window() {
        let req = |pid, date, category: &str, content: &str| Request {
            pid,
            date,
            category: category.into(),
            content: content.into(),
            status: "已办结".into(),
        };
        let mut f = Facts::default();
        f.hotline.push(req(1, d(2021, 3, 1), "投诉", "反映问题"));
        f.hotline.push(req(2, d(2021, 3, 1), "咨询", "被乡里推诿"));
        f.petitions
            .push(req(3, d(2019, 3, 1), "投诉", "工作人员态度差"));
        f.petitions
            .push(req(4, d(2021, 3, 1), "土地", "反映宅基地确权问题"));
        assert_eq!(codes(&f, 1), [RuleCode::R07]);
        assert_eq!(codes(&f, 2), [RuleCode::R07]);
        assert!(codes(&f, 3).is_empty(), "before since");
        assert!(codes(&f, 4).is_empty());
    }
}
