//! The civil-affairs bureau's own rolls: dibao and low-income households, tekun, orphans,
//! de facto unsupported children (with the children-at-risk list that feeds them) and
//! temporary assistance.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use rand::seq::SliceRandom;
use rand::Rng;

use crate::county::{age, Relation};
use crate::truth::{ChildAtRisk, Disability, Membership};
use crate::write::{Cell, FileFormat, Row, Table};
use crate::{as_of, since, COUNTY_NAME};
use loubao_model::Role;

use super::*;

/// Children under 18 listed by 民政/公安/教育 with their parents' situation; fills the orphan
/// and fuc rolls for most of them.
pub(super) fn children_at_risk(ctx: &mut Ctx<'_>) -> Vec<ChildAtRisk> {
    let county = ctx.county;
    let mut candidates: Vec<(usize, usize, usize)> = Vec::new();
    for h in &county.households {
        let mut parents = h.members.iter().copied().filter(|p| {
            matches!(
                county.residents[*p].relation,
                Relation::Head | Relation::Spouse
            )
        });
        let (Some(a), Some(b)) = (parents.next(), parents.next()) else {
            continue;
        };
        let (father, mother) = if county.residents[a].male {
            (a, b)
        } else {
            (b, a)
        };
        if let Some(child) = h.members.iter().copied().find(|p| {
            matches!(
                county.residents[*p].relation,
                Relation::Son | Relation::Daughter
            ) && age(county.residents[*p].birth, as_of()) < 18
        }) {
            candidates.push((child, father, mother));
        }
    }
    let n = ctx.count(0.005, 80).min(candidates.len());
    let chosen: Vec<(usize, usize, usize)> = candidates
        .choose_multiple(&mut ctx.rng, n)
        .copied()
        .collect();
    let absent = ["死亡", "死亡", "宣告死亡", "失踪"];
    let unable = [
        "重残",
        "重病",
        "服刑在押",
        "强制隔离戒毒",
        "其他限制人身自由",
        "失联",
    ];
    let mut out = Vec::new();
    for (child, father, mother) in chosen {
        let scenario = ctx.rng.gen_range(0..100);
        let (fs, ms, roll) = if scenario < 35 {
            let roll = ctx.rng.gen_bool(0.55).then_some(RollKind::Orphan);
            (
                pick(&mut ctx.rng, &absent),
                pick(&mut ctx.rng, &absent),
                roll,
            )
        } else if scenario < 65 {
            let roll = ctx.rng.gen_bool(0.55).then_some(RollKind::Fuc);
            let f = if ctx.rng.gen_bool(0.5) {
                pick(&mut ctx.rng, &absent)
            } else {
                pick(&mut ctx.rng, &unable)
            };
            (f, pick(&mut ctx.rng, &unable), roll)
        } else if scenario < 80 {
            // The mother's disability record makes her 重残 for this programme only.
            let category = pick(&mut ctx.rng, &["智力", "精神", "肢体"]);
            let grade = if category == "肢体" {
                ctx.rng.gen_range(1..=2)
            } else {
                4
            };
            ctx.facts.disability.push(Disability {
                pid: mother,
                category,
                grade,
                issued: day_between(&mut ctx.rng, ymd(2012, 1, 1), ymd(2019, 12, 31)),
            });
            let roll = ctx.rng.gen_bool(0.3).then_some(RollKind::Fuc);
            ("死亡", "", roll)
        } else {
            let f = pick(&mut ctx.rng, &["外出务工", "正常", "重病"]);
            (f, pick(&mut ctx.rng, &["正常", "死亡", ""]), None)
        };
        for (pid, status) in [(father, fs), (mother, ms)] {
            if absent.contains(&status) {
                ctx.gone.insert(pid);
            }
        }
        let start = day_between(&mut ctx.rng, ymd(2016, 1, 1), ymd(2021, 3, 31));
        let member = Membership {
            pid: child,
            status: "在保".into(),
            start: Some(start),
            end: None,
        };
        match roll {
            Some(RollKind::Orphan) => ctx.facts.orphan.push(member),
            Some(RollKind::Fuc) => ctx.facts.fuc.push(member),
            _ => {}
        }
        out.push(ChildAtRisk {
            child,
            birth: county.residents[child].birth,
            father: Some((father, fs.to_string())),
            mother: Some((mother, ms.to_string())),
        });
    }
    ctx.facts.children = out.clone();
    out
}

/// Dibao households; their members' memberships, some stopped before `as_of`, some with a
/// stopped status whose end date is still on or after `as_of` (active).
pub(super) fn dibao(ctx: &mut Ctx<'_>) -> Vec<usize> {
    let n = ctx.count(0.035 / 2.9, 8).min(ctx.county.households.len());
    let mut chosen: Vec<usize> = (0..ctx.county.households.len()).collect::<Vec<_>>();
    chosen = chosen.choose_multiple(&mut ctx.rng, n).copied().collect();
    chosen.sort_unstable();
    for &h in &chosen {
        let start = day_between(&mut ctx.rng, ymd(2012, 1, 1), ymd(2021, 5, 31));
        let x = ctx.rng.gen_range(0..100);
        let (status, end) = match x {
            0..=79 => ("在保", None),
            80..=87 => (
                "停保",
                Some(day_between(
                    &mut ctx.rng,
                    start.max(ymd(2020, 1, 1)),
                    ymd(2021, 6, 29),
                )),
            ),
            88..=92 => (
                "停保",
                Some(day_between(&mut ctx.rng, as_of(), ymd(2021, 12, 31))),
            ),
            93..=96 => ("", None),
            _ => ("正常", None),
        };
        let members = ctx.county.households[h].members.clone();
        // In some active households one member left (moved out, married away).
        let leaver = (status == "在保" && members.len() > 1 && ctx.rng.gen_bool(0.1))
            .then(|| members[members.len() - 1]);
        for m in members {
            let membership = if Some(m) == leaver {
                Membership {
                    pid: m,
                    status: "退出".into(),
                    start: Some(start),
                    end: Some(
                        day_between(&mut ctx.rng, ymd(2020, 1, 1), ymd(2021, 5, 31)).max(start),
                    ),
                }
            } else {
                Membership {
                    pid: m,
                    status: status.into(),
                    start: Some(start),
                    end,
                }
            };
            ctx.facts.dibao.push(membership);
        }
    }
    chosen
}

pub(super) fn low_income(ctx: &mut Ctx<'_>, dibao: &[usize]) -> Vec<usize> {
    let taken: BTreeSet<usize> = dibao.iter().copied().collect();
    let pool: Vec<usize> = (0..ctx.county.households.len())
        .filter(|h| !taken.contains(h))
        .collect();
    let n = ctx.count(0.025 / 2.9, 8).min(pool.len());
    let mut chosen: Vec<usize> = pool.choose_multiple(&mut ctx.rng, n).copied().collect();
    chosen.sort_unstable();
    for &h in &chosen {
        let start = day_between(&mut ctx.rng, ymd(2018, 1, 1), ymd(2021, 5, 31));
        let (status, end) = if ctx.rng.gen_bool(0.9) {
            ("有效", None)
        } else {
            (
                "终止",
                Some(day_between(&mut ctx.rng, ymd(2020, 1, 1), ymd(2021, 6, 29)).max(start)),
            )
        };
        for &m in &ctx.county.households[h].members {
            ctx.facts.low_income.push(Membership {
                pid: m,
                status: status.into(),
                start: Some(start),
                end,
            });
        }
    }
    chosen
}

pub(super) fn tekun(ctx: &mut Ctx<'_>, dibao: &[usize]) {
    let in_dibao: BTreeSet<usize> = dibao
        .iter()
        .flat_map(|h| ctx.county.households[*h].members.clone())
        .collect();
    let county = ctx.county;
    let pool =
        ctx.alive(|p| age(county.residents[p].birth, as_of()) >= 60 && !in_dibao.contains(&p));
    let n = ctx.count(0.006, 5).min(pool.len());
    let mut chosen: Vec<usize> = pool.choose_multiple(&mut ctx.rng, n).copied().collect();
    chosen.sort_unstable();
    for p in chosen {
        let start = day_between(&mut ctx.rng, ymd(2010, 1, 1), ymd(2021, 5, 31));
        let (status, end) = if ctx.rng.gen_bool(0.9) {
            (pick(&mut ctx.rng, &["在保", "正常"]), None)
        } else {
            (
                "终止",
                Some(day_between(&mut ctx.rng, ymd(2020, 1, 1), ymd(2021, 6, 29)).max(start)),
            )
        };
        ctx.facts.tekun.push(Membership {
            pid: p,
            status: status.into(),
            start: Some(start),
            end,
        });
    }
}

/// Temporary assistance: a third dated before `since` (not "aided" for this campaign).
pub(super) fn temp_assistance_people(ctx: &mut Ctx<'_>) -> Vec<usize> {
    let pool = ctx.alive(|_| true);
    let n = ctx.count(0.012, 8).min(pool.len());
    let mut chosen: Vec<usize> = pool.choose_multiple(&mut ctx.rng, n).copied().collect();
    chosen.sort_unstable();
    chosen
}

pub(super) fn write_dibao(ctx: &mut Ctx<'_>, households: &[usize]) -> Table {
    let mut t = table(
        DIBAO,
        FileFormat::Xlsx,
        Some(format!("{COUNTY_NAME}2021年6月城乡低保保障对象花名册")),
        Some("填报单位：示例县民政局"),
        vec![
            "序号",
            "户编号",
            "户主",
            "成员姓名",
            "成员身份证号",
            "与户主关系",
            "乡镇",
            "村(社区)",
            "联系电话",
            "保障状态",
            "起始日期",
            "终止日期",
        ],
    );
    let by_pid: BTreeMap<usize, Membership> =
        ctx.facts.dibao.iter().map(|m| (m.pid, m.clone())).collect();
    for &h in households {
        let hh = &ctx.county.households[h];
        let head = ctx.name_of(hh.members[0]);
        for &m in &hh.members.clone() {
            let ms = &by_pid[&m];
            let c = ctx.person_cells(m, None, RowKind::Roll);
            let r = &ctx.county.residents[m];
            t.rows.push(Row {
                cells: vec![
                    seq(t.rows.len()),
                    Cell::text(hh.code.clone()),
                    Cell::text(head.clone()),
                    Cell::text(ctx.name_of(m)),
                    Cell::text(c.id.clone()),
                    Cell::text(r.relation.label()),
                    Cell::text(c.township.clone()),
                    Cell::text(c.village.clone()),
                    Cell::opt(r.phone.clone()),
                    Cell::text(ms.status.clone()),
                    ms.start.map_or(Cell::Empty, Cell::Date),
                    ms.end.map_or(Cell::Empty, Cell::Date),
                ],
                people: vec![(Role::Subject, m)],
                noise: c.all_noise(),
            });
        }
    }
    t
}

pub(super) fn write_low_income(ctx: &mut Ctx<'_>, households: &[usize]) -> Table {
    let mut t = table(
        LOW_INCOME,
        FileFormat::Xlsx,
        Some(format!("{COUNTY_NAME}低收入家庭(低保边缘家庭)名册")),
        None,
        vec![
            "序号",
            "户号",
            "户主",
            "姓名",
            "身份证件号码",
            "与户主的关系",
            "所属乡镇",
            "村社区",
            "享受状态",
            "起始时间",
            "终止时间",
        ],
    );
    let by_pid: BTreeMap<usize, Membership> = ctx
        .facts
        .low_income
        .iter()
        .map(|m| (m.pid, m.clone()))
        .collect();
    for &h in households {
        let hh = &ctx.county.households[h];
        let head = ctx.name_of(hh.members[0]);
        for &m in &hh.members.clone() {
            let ms = &by_pid[&m];
            let c = ctx.person_cells(m, None, RowKind::Roll);
            let r = &ctx.county.residents[m];
            t.rows.push(Row {
                cells: vec![
                    seq(t.rows.len()),
                    Cell::text(hh.code.clone()),
                    Cell::text(head.clone()),
                    Cell::text(ctx.name_of(m)),
                    Cell::text(c.id.clone()),
                    Cell::text(r.relation.label()),
                    Cell::text(c.township.clone()),
                    Cell::text(c.village.clone()),
                    Cell::text(ms.status.clone()),
                    // The low-income system exports dates as text.
                    Cell::opt(ms.start.map(|d| d.format("%Y.%m.%d").to_string())),
                    Cell::opt(ms.end.map(|d| d.format("%Y.%m.%d").to_string())),
                ],
                people: vec![(Role::Subject, m)],
                noise: c.all_noise(),
            });
        }
    }
    t
}

pub(super) fn write_roll(ctx: &mut Ctx<'_>, file: &str, kind: RollKind) -> Table {
    let (title, name_h, id_h, status_h, members) = match kind {
        RollKind::Tekun => (
            "特困人员供养花名册",
            "姓名",
            "身份证号",
            "供养状态",
            ctx.facts.tekun.clone(),
        ),
        RollKind::Orphan => (
            "孤儿基本生活保障名册",
            "儿童姓名",
            "儿童身份证号",
            "保障状态",
            ctx.facts.orphan.clone(),
        ),
        RollKind::Fuc => (
            "事实无人抚养儿童保障名册",
            "儿童姓名",
            "儿童身份证号",
            "保障状态",
            ctx.facts.fuc.clone(),
        ),
    };
    let mut t = table(
        file,
        FileFormat::Xlsx,
        Some(format!("{COUNTY_NAME}{title}")),
        None,
        vec![
            "序号",
            name_h,
            id_h,
            "乡镇",
            "村(社区)",
            status_h,
            "纳入日期",
            "终止日期",
        ],
    );
    let mut members = members;
    members.sort_by_key(|m| m.pid);
    for m in members {
        let c = ctx.person_cells(m.pid, None, RowKind::Roll);
        t.rows.push(Row {
            cells: vec![
                seq(t.rows.len()),
                Cell::text(ctx.name_of(m.pid)),
                Cell::text(c.id.clone()),
                Cell::text(c.township.clone()),
                Cell::text(c.village.clone()),
                Cell::text(m.status.clone()),
                m.start.map_or(Cell::Empty, Cell::Date),
                m.end.map_or(Cell::Empty, Cell::Date),
            ],
            people: vec![(Role::Subject, m.pid)],
            noise: c.all_noise(),
        });
    }
    t
}

pub(super) fn write_temp_assistance(
    ctx: &mut Ctx<'_>,
    aided: &[usize],
    one_off: &[usize],
) -> Table {
    let mut t = table(
        TEMP_ASSISTANCE,
        FileFormat::CsvGb18030,
        None,
        None,
        vec![
            "序号",
            "救助对象姓名",
            "身份证号码",
            "乡镇",
            "救助日期",
            "救助金额",
            "救助类型",
        ],
    );
    let mut entries: Vec<(usize, NaiveDate, &str)> = Vec::new();
    for &p in aided {
        let date = day_between(&mut ctx.rng, ymd(2019, 1, 1), as_of());
        entries.push((p, date, pick(&mut ctx.rng, &["急难型", "支出型"])));
    }
    for &p in one_off {
        let date = day_between(&mut ctx.rng, since(), as_of());
        entries.push((p, date, "一次性临时救助金"));
    }
    entries.sort();
    for (p, date, kind) in entries {
        let c = ctx.person_cells(p, None, RowKind::Roll);
        let amount = f64::from(ctx.rng.gen_range(5..=60u32)) * 100.0;
        ctx.facts.temp_assistance.push((p, date));
        t.rows.push(Row {
            cells: vec![
                seq(t.rows.len()),
                Cell::text(ctx.name_of(p)),
                Cell::text(c.id.clone()),
                Cell::text(c.township.clone()),
                Cell::text(date.format("%Y/%m/%d").to_string()),
                Cell::Num(amount),
                Cell::text(kind),
            ],
            people: vec![(Role::Subject, p)],
            noise: c.all_noise(),
        });
    }
    t
}
