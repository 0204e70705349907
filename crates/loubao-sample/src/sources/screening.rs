//! The other departments' screening extracts (SPEC 3.2), with their noise, and the medical
//! claim lines of each claimant profile.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, NaiveDate};
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::county::age;
use crate::noise::IdDamage;
use crate::truth::{ChildAtRisk, Disability, Request, Unemployment};
use crate::write::{Cell, FileFormat, Row, Table};
use crate::{as_of, since, COUNTY_NAME};
use loubao_model::Role;

use super::*;

const DISABILITY_CATEGORIES: [(&str, u8); 7] = [
    ("视力", 1),
    ("听力", 2),
    ("言语", 3),
    ("肢体", 4),
    ("智力", 5),
    ("精神", 6),
    ("多重", 7),
];
const GRADES: [&str; 4] = ["一级", "二级", "三级", "四级"];
const OPEN_STATUSES: [&str; 5] = ["办理中", "未办结", "待办理", "未办理", ""];
const PETITION_TOPICS: [(&str, &str, bool); 11] = [
    ("低保", "反映家庭生活困难，申请纳入低保", true),
    ("社会救助", "因病致贫，申请临时救助", true),
    ("生活困难", "家中无劳动力，请求帮助解决生活问题", true),
    ("民政", "询问特困供养申请条件", true),
    ("土地", "反映土地承包经营权纠纷", false),
    ("土地", "反映宅基地确权问题", false),
    ("城乡建设", "反映拆迁安置补偿问题", false),
    ("劳动保障", "反映拖欠工资问题", false),
    // Complaints about how a case was handled (R07): by content, or by category.
    (
        "民政",
        "反映镇民政办工作人员办理低保申请时态度恶劣、相互推诿",
        true,
    ),
    ("投诉", "投诉经办人员对残疾人补贴申请长期拖延不办", false),
    (
        "社会救助",
        "反映申请临时救助时被村干部刁难，脸难看、事难办",
        true,
    ),
];
const HOTLINE_TOPICS: [(&str, &str); 11] = [
    ("求助", "家中老人生病，生活困难，请求救助"),
    ("求助", "失业在家无收入，申请临时救助"),
    ("求助", "孩子上学费用困难，请求帮助"),
    ("咨询", "咨询低保申请条件"),
    ("咨询", "咨询残疾人两项补贴标准"),
    ("投诉", "投诉村干部低保评议不公"),
    ("建议", "建议简化救助申请手续"),
    ("求助", "房屋漏雨无力修缮，请求帮助"),
    // Complaints about how a case was handled (R07): by type, or by content under another.
    ("投诉", "投诉乡镇民政所工作人员不作为"),
    ("咨询", "申请低保被乡镇以材料不全为由不予受理，咨询如何办理"),
    ("求助", "申请临时救助多次被推诿，请求帮助"),
];
const EVENTS: [(&str, &str); 5] = [
    ("新冠肺炎疫情", "疫情期间无法外出务工，收入中断"),
    ("洪涝", "房屋进水，庄稼绝收"),
    ("地震", "房屋墙体开裂"),
    ("火灾", "住房及家当被烧毁"),
    ("冰雹", "农作物受灾严重"),
];

pub(super) fn agriculture_households(
    ctx: &mut Ctx<'_>,
    dibao: &[usize],
    low_income: &[usize],
) -> Vec<usize> {
    let n = ctx.count(0.02 / 2.9, 8);
    let poor: Vec<usize> = dibao.iter().chain(low_income).copied().collect();
    let all: Vec<usize> = (0..ctx.county.households.len()).collect();
    ctx.draw(&all, &poor, n, 0.5)
}

/// Severely disabled or seriously ill members of low-income or monitored households (R02).
pub(super) fn r02_plants(
    ctx: &mut Ctx<'_>,
    low_income: &[usize],
    agriculture: &[usize],
) -> (Vec<usize>, Vec<usize>) {
    let county = ctx.county;
    let mut pool: Vec<usize> = low_income
        .iter()
        .chain(agriculture)
        .flat_map(|h| county.households[*h].members.clone())
        .filter(|p| !ctx.gone.contains(p))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    pool.shuffle(&mut ctx.rng);
    let k = (pool.len() / 10).max(4).min(pool.len());
    let (severe, ill) = pool[..k].split_at(k / 2);
    (severe.to_vec(), ill.to_vec())
}

pub(super) fn medical_claimants(
    ctx: &mut Ctx<'_>,
    covered: &[usize],
    ill_plants: &[usize],
    traps: &Traps,
) -> Vec<(usize, ClaimProfile)> {
    let mut profile: BTreeMap<usize, ClaimProfile> = BTreeMap::new();
    let pool = ctx.alive(|_| true);
    let ordinary = ctx.count(0.35, 10).min(pool.len());
    for p in pool
        .choose_multiple(&mut ctx.rng, ordinary)
        .copied()
        .collect::<Vec<_>>()
    {
        profile.insert(p, ClaimProfile::Ordinary);
    }
    let serious_n = ctx.count(0.01, 12);
    for p in ctx.draw(&pool, covered, serious_n, 0.6) {
        profile.insert(p, ClaimProfile::Serious);
    }
    let near_n = ctx.count(0.002, 4);
    for p in ctx.draw(&pool, &[], near_n, 0.0) {
        profile.insert(p, ClaimProfile::NearThreshold);
    }
    for p in ctx.draw(&pool, &[], near_n, 0.0) {
        profile.insert(p, ClaimProfile::BeforeSince);
    }
    for &p in ill_plants
        .iter()
        .chain(&traps.twin_uncovered)
        .chain(&traps.ended_members)
    {
        profile.insert(p, ClaimProfile::Serious);
    }
    profile.into_iter().collect()
}

/// (person, insured, currently registered).
pub(super) fn unemployment_people(
    ctx: &mut Ctx<'_>,
    covered: &[usize],
) -> Vec<(usize, bool, bool)> {
    let county = ctx.county;
    let working = |p: usize| (18..60).contains(&age(county.residents[p].birth, as_of()));
    let pool = ctx.alive(working);
    let covered: Vec<usize> = covered.iter().copied().filter(|p| working(*p)).collect();
    let n = ctx.count(0.015, 60);
    ctx.draw(&pool, &covered, n, 0.5)
        .into_iter()
        .map(|p| (p, ctx.rng.gen_bool(0.3), ctx.rng.gen_bool(0.75)))
        .collect()
}

pub(super) fn write_agriculture(ctx: &mut Ctx<'_>, households: &[usize]) -> Table {
    let mut t = table(
        AGRICULTURE,
        FileFormat::Xlsx,
        Some(format!("{COUNTY_NAME}防止返贫监测对象明细表")),
        Some("填报单位：示例县农业农村局（乡村振兴局）"),
        vec![
            "序号",
            "户编号",
            "姓名",
            "公民身份号码",
            "与户主关系",
            "乡镇(街道)",
            "行政村",
            "家庭住址",
            "联系电话",
            "监测对象类别",
            "识别/纳入时间",
            "风险类型",
            "风险是否消除",
            "备注",
        ],
    );
    for &h in households {
        let hh = &ctx.county.households[h];
        let category = pick(
            &mut ctx.rng,
            &["脱贫不稳定户", "边缘易致贫户", "突发严重困难户"],
        );
        let date = day_between(&mut ctx.rng, ymd(2019, 1, 1), ymd(2021, 5, 31));
        let risk = pick(
            &mut ctx.rng,
            &["因病", "因残", "因学", "因灾", "因意外事故", "缺劳动力"],
        );
        let cleared = pick(&mut ctx.rng, &["是", "否", "否"]);
        let code = format!("J{}", &hh.code[6..]);
        for &m in &hh.members.clone() {
            if ctx.gone.contains(&m) {
                continue;
            }
            let c = ctx.person_cells(m, None, RowKind::WithAddress);
            let r = &ctx.county.residents[m];
            ctx.facts.agriculture.push(m);
            t.rows.push(Row {
                cells: vec![
                    seq(t.rows.len()),
                    Cell::text(code.clone()),
                    Cell::text(c.name.clone()),
                    Cell::text(c.id.clone()),
                    Cell::text(r.relation.label()),
                    Cell::text(c.township.clone()),
                    Cell::text(c.village.clone()),
                    Cell::text(c.address.clone()),
                    Cell::opt(r.phone.clone()),
                    Cell::text(category),
                    Cell::Date(date),
                    Cell::text(risk),
                    Cell::text(cleared),
                    Cell::Empty,
                ],
                people: vec![(Role::Subject, m)],
                noise: c.all_noise(),
            });
        }
    }
    t
}

pub(super) fn write_disability(
    ctx: &mut Ctx<'_>,
    covered: &[usize],
    severe_plants: &[usize],
) -> Table {
    let mut t = table(
        DISABILITY,
        FileFormat::Xlsx,
        Some(format!("{COUNTY_NAME}持证残疾人信息表")),
        None,
        vec![
            "序号",
            "残疾人姓名",
            "身份证号码",
            "性别",
            "残疾人证号",
            "残疾类别",
            "残疾等级",
            "发证日期",
            "乡镇",
            "村(社区)",
            "家庭住址",
            "联系电话",
        ],
    );
    // Parents' records made for the children scenarios are already facts; write them too.
    let mut records: BTreeMap<usize, Disability> = ctx
        .facts
        .disability
        .iter()
        .map(|d| (d.pid, d.clone()))
        .collect();
    let pool = ctx.alive(|_| true);
    let n = ctx.count(0.03, 20);
    for p in ctx.draw(&pool, covered, n, 0.5) {
        if records.contains_key(&p) {
            continue;
        }
        let (category, _) = pick(&mut ctx.rng, &DISABILITY_CATEGORIES);
        let grade = [1, 2, 2, 3, 3, 3, 4, 4, 4, 4][ctx.rng.gen_range(0..10)];
        let issued = day_between(&mut ctx.rng, ymd(2008, 1, 1), as_of());
        records.insert(
            p,
            Disability {
                pid: p,
                category,
                grade,
                issued,
            },
        );
    }
    for &p in severe_plants {
        let category = pick(&mut ctx.rng, &["肢体", "视力", "智力", "多重"]);
        let grade = ctx.rng.gen_range(1..=2);
        let issued = day_between(&mut ctx.rng, ymd(2010, 1, 1), as_of());
        records.insert(
            p,
            Disability {
                pid: p,
                category,
                grade,
                issued,
            },
        );
    }
    ctx.facts.disability = records.values().cloned().collect();
    for d in records.into_values() {
        let c = ctx.person_cells(d.pid, None, RowKind::WithAddress);
        let r = &ctx.county.residents[d.pid];
        let code = DISABILITY_CATEGORIES
            .iter()
            .find(|(n, _)| *n == d.category)
            .map_or(7, |(_, c)| *c);
        t.rows.push(Row {
            cells: vec![
                seq(t.rows.len()),
                Cell::text(c.name.clone()),
                Cell::text(c.id.clone()),
                Cell::text(if r.male { "男" } else { "女" }),
                Cell::text(format!("{}{code}{}", r.id, d.grade)),
                Cell::text(d.category),
                Cell::text(GRADES[usize::from(d.grade - 1)]),
                // The disability system exports dates as text.
                Cell::text(d.issued.format("%Y-%m-%d").to_string()),
                Cell::text(c.township.clone()),
                Cell::text(c.village.clone()),
                Cell::text(c.address.clone()),
                Cell::opt(r.phone.clone()),
            ],
            people: vec![(Role::Subject, d.pid)],
            noise: c.all_noise(),
        });
    }
    t
}

fn request_status(rng: &mut ChaCha8Rng) -> &'static str {
    if rng.gen_bool(0.55) {
        "已办结"
    } else {
        pick(rng, &OPEN_STATUSES)
    }
}

pub(super) fn write_petitions(ctx: &mut Ctx<'_>, covered: &[usize]) -> Table {
    let mut t = table(
        PETITION,
        FileFormat::Xlsx,
        Some(format!("{COUNTY_NAME}信访事项登记台账")),
        Some("填报单位：示例县信访局"),
        vec![
            "序号",
            "信访人姓名",
            "身份证号",
            "联系电话",
            "住址",
            "信访日期",
            "信访类别",
            "信访事项",
            "办理状态",
        ],
    );
    let county = ctx.county;
    let pool = ctx.alive(|p| age(county.residents[p].birth, as_of()) >= 18);
    let n = ctx.count(0.004, 30);
    let mut entries = Vec::new();
    for p in ctx.draw(&pool, covered, n, 0.6) {
        for _ in 0..ctx.rng.gen_range(1..=2) {
            let date = day_between(&mut ctx.rng, ymd(2019, 6, 1), as_of() - Duration::days(1));
            let (category, content, _) = pick(&mut ctx.rng, &PETITION_TOPICS);
            entries.push((date, p, category, content, request_status(&mut ctx.rng)));
        }
    }
    entries.sort();
    for (date, p, category, content, status) in entries {
        let mut c = ctx.person_cells(p, None, RowKind::WithAddress);
        // Petitions carry an ID about half the time, and the township only in the address.
        if ctx.rng.gen_bool(0.45) {
            c.omit_id();
        }
        let address = if c.township.is_empty()
            || c.township == county.townships[county.residents[p].township].name
        {
            c.address.clone()
        } else {
            c.address.replacen(
                &county.townships[county.residents[p].township].name,
                &c.township,
                1,
            )
        };
        ctx.facts.petitions.push(Request {
            pid: p,
            date,
            category: category.into(),
            content: content.into(),
            status: status.into(),
        });
        t.rows.push(Row {
            cells: vec![
                seq(t.rows.len()),
                Cell::text(c.name.clone()),
                Cell::text(c.id.clone()),
                Cell::opt(county.residents[p].phone.clone()),
                Cell::text(address),
                Cell::Date(date),
                Cell::text(category),
                Cell::text(content),
                Cell::text(status),
            ],
            people: vec![(Role::Subject, p)],
            noise: c.all_noise(),
        });
    }
    t
}

pub(super) fn write_hotline(ctx: &mut Ctx<'_>, covered: &[usize], traps: &Traps) -> Table {
    let mut t = table(
        HOTLINE,
        FileFormat::CsvUtf8Bom,
        None,
        None,
        vec![
            "来电时间",
            "来电人",
            "来电号码",
            "来电人身份证号",
            "所属乡镇",
            "工单类型",
            "诉求内容",
            "办理状态",
        ],
    );
    let county = ctx.county;
    let pool = ctx.alive(|p| age(county.residents[p].birth, as_of()) >= 18);
    let n = ctx.count(0.005, 30);
    // (date, person, topic, status, phone override)
    let mut entries: Vec<(NaiveDate, usize, usize, &str, Option<String>)> = Vec::new();
    for p in ctx.draw(&pool, covered, n, 0.6) {
        let date = day_between(&mut ctx.rng, ymd(2019, 6, 1), as_of() - Duration::days(1));
        let topic = ctx.rng.gen_range(0..HOTLINE_TOPICS.len());
        entries.push((date, p, topic, request_status(&mut ctx.rng), None));
    }
    for (p, phone) in &traps.phone_only {
        let date = day_between(&mut ctx.rng, since(), as_of() - Duration::days(1));
        entries.push((
            date,
            *p,
            0,
            request_status(&mut ctx.rng),
            Some(phone.clone()),
        ));
    }
    entries.sort();
    for (date, p, topic, status, phone) in entries {
        let mut c = ctx.person_cells(p, None, RowKind::Screening);
        let own_phone = county.residents[p].phone.clone();
        let household_phone = county.households[county.residents[p].household]
            .members
            .iter()
            .find_map(|m| county.residents[*m].phone.clone());
        let phone = phone.or_else(|| {
            if ctx.rng.gen_bool(0.2) {
                household_phone.clone()
            } else {
                own_phone.clone().or(household_phone.clone())
            }
        });
        // Callers rarely give an ID; without any phone the operator insists on one.
        let keep_id = phone.is_none()
            || (traps.phone_only.iter().all(|(q, _)| *q != p) && ctx.rng.gen_bool(0.35));
        if !keep_id {
            c.omit_id();
        }
        let (kind, content) = HOTLINE_TOPICS[topic];
        let time = format!(
            "{} {:02}:{:02}:{:02}",
            date.format("%Y-%m-%d"),
            ctx.rng.gen_range(8..18),
            ctx.rng.gen_range(0..60),
            ctx.rng.gen_range(0..60)
        );
        ctx.facts.hotline.push(Request {
            pid: p,
            date,
            category: kind.into(),
            content: content.into(),
            status: status.into(),
        });
        t.rows.push(Row {
            cells: vec![
                Cell::text(time),
                Cell::text(c.name.clone()),
                Cell::opt(phone),
                Cell::text(c.id.clone()),
                Cell::text(c.township.clone()),
                Cell::text(kind),
                Cell::text(content),
                Cell::text(status),
            ],
            people: vec![(Role::Subject, p)],
            noise: c.all_noise(),
        });
    }
    t
}

pub(super) fn write_unemployment(ctx: &mut Ctx<'_>, people: &[(usize, bool, bool)]) -> Table {
    let mut t = table(
        UNEMPLOYMENT,
        FileFormat::Xlsx,
        Some(format!("{COUNTY_NAME}2021年登记失业人员花名册")),
        Some("填报单位：示例县人力资源和社会保障局"),
        vec![
            "序号",
            "姓名",
            "公民身份号码",
            "性别",
            "乡镇街道",
            "社区",
            "现住址",
            "联系电话",
            "失业登记日期",
            "是否参加失业保险",
            "是否领取失业保险金",
            "人员状态",
        ],
    );
    for &(p, insured, current) in people {
        let c = ctx.person_cells(p, None, RowKind::WithAddress);
        let r = &ctx.county.residents[p];
        let date = day_between(&mut ctx.rng, ymd(2018, 1, 1), ymd(2021, 6, 1));
        let status = if current { "登记失业" } else { "已就业" };
        let benefit = insured && current && ctx.rng.gen_bool(0.5);
        ctx.facts.unemployment.push(Unemployment {
            pid: p,
            insured,
            status: status.into(),
        });
        t.rows.push(Row {
            cells: vec![
                seq(t.rows.len()),
                Cell::text(c.name.clone()),
                Cell::text(c.id.clone()),
                Cell::text(if r.male { "男" } else { "女" }),
                Cell::text(c.township.clone()),
                Cell::text(c.village.clone()),
                Cell::text(c.address.clone()),
                Cell::opt(r.phone.clone()),
                Cell::Date(date),
                Cell::text(if insured { "是" } else { "否" }),
                Cell::text(if benefit { "是" } else { "否" }),
                Cell::text(status),
            ],
            people: vec![(Role::Subject, p)],
            noise: c.all_noise(),
        });
    }
    t
}

pub(super) fn write_emergency(ctx: &mut Ctx<'_>, covered: &[usize], traps: &Traps) -> Table {
    let mut t = table(
        EMERGENCY,
        FileFormat::CsvGb18030,
        Some(format!("{COUNTY_NAME}因疫因灾困难群众名单")),
        None,
        vec![
            "序号",
            "受灾人员姓名",
            "身份证件号码",
            "乡镇",
            "村",
            "住址",
            "灾害类型",
            "受灾日期",
            "困难情况",
        ],
    );
    let pool = ctx.alive(|_| true);
    let n = ctx.count(0.006, 15);
    let mut people: BTreeMap<usize, Option<IdDamage>> = ctx
        .draw(&pool, covered, n, 0.6)
        .into_iter()
        .map(|p| (p, None))
        .collect();
    for &(p, damage) in &traps.mistyped_covered {
        people.insert(p, Some(damage));
    }
    for (p, forced) in people {
        let c = ctx.person_cells(p, forced, RowKind::WithAddress);
        let (event, hardship) = pick(&mut ctx.rng, &EVENTS);
        let date = day_between(&mut ctx.rng, ymd(2019, 6, 1), as_of() - Duration::days(1));
        ctx.facts.emergency.push((p, date));
        t.rows.push(Row {
            cells: vec![
                seq(t.rows.len()),
                Cell::text(c.name.clone()),
                Cell::text(c.id.clone()),
                Cell::text(c.township.clone()),
                Cell::text(c.village.clone()),
                Cell::text(c.address.clone()),
                Cell::text(event),
                Cell::text(date.format("%Y年%m月%d日").to_string()),
                Cell::text(hardship),
            ],
            people: vec![(Role::Subject, p)],
            noise: c.all_noise(),
        });
    }
    t
}

pub(super) fn write_children(ctx: &mut Ctx<'_>, children: &[ChildAtRisk]) -> Table {
    let mut t = table(
        CHILDREN,
        FileFormat::Xlsx,
        Some(format!("{COUNTY_NAME}困境儿童信息统计表")),
        None,
        vec![
            "序号",
            "乡镇",
            "村(社区)",
            "姓名",
            "身份证号",
            "性别",
            "姓名",
            "身份证号",
            "状况",
            "姓名",
            "身份证号",
            "状况",
            "备注",
        ],
    );
    t.groups = vec![(3, 5, "儿童信息"), (6, 8, "父亲信息"), (9, 11, "母亲信息")];
    let mut children = children.to_vec();
    children.sort_by_key(|c| c.child);
    for c in children {
        let child = ctx.person_cells(c.child, None, RowKind::Screening);
        let (father, fs) = c.father.clone().expect("generated with both parents");
        let (mother, ms) = c.mother.clone().expect("generated with both parents");
        let f = ctx.person_cells(father, None, RowKind::Screening);
        let m = ctx.person_cells(mother, None, RowKind::Screening);
        let mut noise = child.all_noise();
        if !f.all_noise().is_empty() || !m.all_noise().is_empty() {
            noise.push("parent_noise");
        }
        t.rows.push(Row {
            cells: vec![
                seq(t.rows.len()),
                Cell::text(child.township),
                Cell::text(child.village),
                Cell::text(child.name),
                Cell::text(child.id),
                Cell::text(if ctx.county.residents[c.child].male {
                    "男"
                } else {
                    "女"
                }),
                Cell::text(f.name),
                Cell::text(f.id),
                Cell::text(fs),
                Cell::text(m.name),
                Cell::text(m.id),
                Cell::text(ms),
                Cell::Empty,
            ],
            people: vec![
                (Role::Subject, c.child),
                (Role::Father, father),
                (Role::Mother, mother),
            ],
            noise,
        });
    }
    t
}

/// One claimant's claim lines: (settlement date, total cost, out of pocket).
pub fn claims(rng: &mut ChaCha8Rng, profile: ClaimProfile) -> Vec<(NaiveDate, f64, f64)> {
    let cents = |x: f64| (x * 100.0).round() / 100.0;
    let line = |rng: &mut ChaCha8Rng, date: NaiveDate, oop: f64| {
        let oop = cents(oop);
        (date, cents(oop / rng.gen_range(0.2..0.7)), oop)
    };
    let mut out = Vec::new();
    let window = (since(), as_of());
    match profile {
        ClaimProfile::Ordinary => {
            for _ in 0..rng.gen_range(1..=20) {
                let date = day_between(rng, ymd(2019, 1, 1), as_of());
                let oop = rng.gen_range(20.0..1500.0);
                out.push(line(rng, date, oop));
            }
        }
        ClaimProfile::Serious => {
            let target = rng.gen_range(41_000.0..120_000.0);
            let k = rng.gen_range(3..=8);
            for _ in 0..k {
                let date = day_between(rng, window.0, window.1);
                out.push(line(rng, date, target / k as f64));
            }
            for _ in 0..rng.gen_range(0..=6) {
                let date = day_between(rng, ymd(2019, 1, 1), as_of());
                let oop = rng.gen_range(20.0..800.0);
                out.push(line(rng, date, oop));
            }
        }
        ClaimProfile::NearThreshold => {
            // Every in-window cent counts; keep the sum safely below 40,000 after rounding.
            let k = rng.gen_range(3..=6);
            let each = cents(rng.gen_range(38_500.0..39_990.0) / k as f64);
            for _ in 0..k {
                let date = day_between(rng, window.0, window.1);
                out.push(line(rng, date, each));
            }
            let date = day_between(rng, ymd(2019, 1, 1), ymd(2019, 12, 31));
            out.push(line(rng, date, 3_000.0));
        }
        ClaimProfile::BeforeSince => {
            for _ in 0..rng.gen_range(3..=6) {
                let date = day_between(rng, ymd(2019, 1, 1), ymd(2019, 12, 31));
                let oop = rng.gen_range(10_000.0..25_000.0);
                out.push(line(rng, date, oop));
            }
            let date = day_between(rng, window.0, window.1);
            let oop = rng.gen_range(100.0..2_000.0);
            out.push(line(rng, date, oop));
        }
    }
    out.sort_by_key(|line| line.0);
    out
}
