//! Who is on which list: the rolls of the civil-affairs bureau and the screening extracts of
//! the other departments, drawn from the county with realistic overlap (most people on a
//! screening list are already covered) and with the traps of issue #4 planted on purpose.
//! Each list becomes a `Table` (noisy cells, as sent) and clean `Facts` (for the truth).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, NaiveDate};
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::model::Role;

use super::county::{age, County, Relation};
use super::noise::{IdDamage, Noiser};
use super::truth::{self, ChildAtRisk, Disability, Facts, Membership, Request, Unemployment};
use super::write::{Cell, FileFormat, Row, Table};
use super::{as_of, since, COUNTY_NAME};

pub const AGRICULTURE: &str = "农业农村局_防返贫监测对象.xlsx";
pub const MEDICAL: &str = "医保局_结算明细.csv";
pub const DISABILITY: &str = "残联_残疾人证.xlsx";
pub const PETITION: &str = "信访局_信访登记.xlsx";
pub const HOTLINE: &str = "12349热线_工单.csv";
pub const UNEMPLOYMENT: &str = "人社局_登记失业人员.xlsx";
pub const EMERGENCY: &str = "应急局_因疫因灾困难群众.csv";
pub const CHILDREN: &str = "困境儿童.xlsx";
pub const DIBAO: &str = "民政_低保.xlsx";
pub const TEKUN: &str = "民政_特困.xlsx";
pub const ORPHAN: &str = "民政_孤儿.xlsx";
pub const FUC: &str = "民政_事实无人抚养儿童.xlsx";
pub const TEMP_ASSISTANCE: &str = "民政_临时救助.csv";
pub const LOW_INCOME: &str = "民政_低收入家庭.xlsx";

/// Medical header; written by `super::write_medical` while streaming.
pub const MEDICAL_HEADERS: [&str; 6] = [
    "参保人姓名",
    "证件号码",
    "所属乡镇",
    "结算日期",
    "医疗总费用",
    "个人自付",
];

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
const PETITION_TOPICS: [(&str, &str, bool); 8] = [
    ("低保", "反映家庭生活困难，申请纳入低保", true),
    ("社会救助", "因病致贫，申请临时救助", true),
    ("生活困难", "家中无劳动力，请求帮助解决生活问题", true),
    ("民政", "询问特困供养申请条件", true),
    ("土地", "反映土地承包经营权纠纷", false),
    ("土地", "反映宅基地确权问题", false),
    ("城乡建设", "反映拆迁安置补偿问题", false),
    ("劳动保障", "反映拖欠工资问题", false),
];
const HOTLINE_TOPICS: [(&str, &str); 8] = [
    ("求助", "家中老人生病，生活困难，请求救助"),
    ("求助", "失业在家无收入，申请临时救助"),
    ("求助", "孩子上学费用困难，请求帮助"),
    ("咨询", "咨询低保申请条件"),
    ("咨询", "咨询残疾人两项补贴标准"),
    ("投诉", "投诉村干部低保评议不公"),
    ("建议", "建议简化救助申请手续"),
    ("求助", "房屋漏雨无力修缮，请求帮助"),
];
const EVENTS: [(&str, &str); 5] = [
    ("新冠肺炎疫情", "疫情期间无法外出务工，收入中断"),
    ("洪涝", "房屋进水，庄稼绝收"),
    ("地震", "房屋墙体开裂"),
    ("火灾", "住房及家当被烧毁"),
    ("冰雹", "农作物受灾严重"),
];

/// What each medical claimant's claims look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimProfile {
    /// A few small claims.
    Ordinary,
    /// Over 40,000 yuan out of pocket inside the window.
    Serious,
    /// Just under 40,000 inside the window.
    NearThreshold,
    /// Large claims, but only before `since`.
    BeforeSince,
}

pub struct Drawn {
    pub tables: Vec<Table>,
    pub facts: Facts,
    /// Medical claimants in person order, streamed by `super::write_medical`.
    pub claimants: Vec<(usize, ClaimProfile)>,
    /// Same-name trap: person → the name of a covered person of the same township.
    pub renamed: BTreeMap<usize, String>,
}

struct Ctx<'a> {
    county: &'a County,
    rng: ChaCha8Rng,
    screen: Noiser,
    roll: Noiser,
    facts: Facts,
    /// Parents dead or missing: they appear on no other list.
    gone: BTreeSet<usize>,
    renamed: BTreeMap<usize, String>,
    n: usize,
}

fn day_between(rng: &mut ChaCha8Rng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let span = (to - from).num_days().max(0);
    from + Duration::days(rng.gen_range(0..=span))
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn pick<T: Copy>(rng: &mut ChaCha8Rng, items: &[T]) -> T {
    *items.choose(rng).expect("non-empty list")
}

impl Ctx<'_> {
    /// At least `min`, else `rate` of the population.
    fn count(&self, rate: f64, min: usize) -> usize {
        ((self.n as f64 * rate).round() as usize).max(min)
    }

    /// `n` distinct people: about `covered_share` of them from `covered`, the rest from `pool`.
    fn draw(
        &mut self,
        pool: &[usize],
        covered: &[usize],
        n: usize,
        covered_share: f64,
    ) -> Vec<usize> {
        let from_covered = ((n as f64 * covered_share).round() as usize).min(covered.len());
        let mut out: BTreeSet<usize> = covered
            .choose_multiple(&mut self.rng, from_covered)
            .copied()
            .collect();
        let rest: Vec<usize> = pool
            .choose_multiple(&mut self.rng, (n - from_covered).min(pool.len()))
            .copied()
            .collect();
        out.extend(rest);
        out.into_iter().collect()
    }

    fn alive(&self, pred: impl Fn(usize) -> bool) -> Vec<usize> {
        (0..self.county.residents.len())
            .filter(|p| !self.gone.contains(p) && pred(*p))
            .collect()
    }

    fn covered(&self) -> Vec<usize> {
        let as_of = as_of();
        let f = &self.facts;
        let set: BTreeSet<usize> = [&f.dibao, &f.tekun, &f.orphan, &f.fuc]
            .into_iter()
            .flatten()
            .filter(|m| truth::active(m, as_of))
            .map(|m| m.pid)
            .filter(|p| !self.gone.contains(p))
            .collect();
        set.into_iter().collect()
    }

    /// The person's name after the same-name trap.
    fn name_of(&self, pid: usize) -> String {
        self.renamed
            .get(&pid)
            .cloned()
            .unwrap_or_else(|| self.county.residents[pid].name.clone())
    }

    /// Name, ID, township and address cells of a row, with their defects. A blank township
    /// cell means the township is only in the address.
    fn person_cells(
        &mut self,
        pid: usize,
        forced: Option<IdDamage>,
        screening: bool,
    ) -> PersonCells {
        let name = self.name_of(pid);
        let r = &self.county.residents[pid];
        let t = &self.county.townships[r.township];
        let noiser = if screening {
            &mut self.screen
        } else {
            &mut self.roll
        };
        let (name, mut noise) = noiser.name(&name);
        let (id, id_noise) = noiser.id(&r.id, forced);
        let (township, t_noise) = noiser.township(&t.name, &t.aliases);
        noise.extend(t_noise);
        let group = (r.household % 9) as u32 + 1;
        PersonCells {
            name,
            id,
            township: township.unwrap_or_default(),
            village: t.villages[r.village].clone(),
            address: self.county.address(pid, group),
            noise,
            id_noise,
        }
    }
}

struct PersonCells {
    name: String,
    id: String,
    township: String,
    village: String,
    address: String,
    /// Name and township defects.
    noise: Vec<&'static str>,
    id_noise: Vec<&'static str>,
}

impl PersonCells {
    /// The department did not record an ID for this row.
    fn omit_id(&mut self) {
        self.id.clear();
        self.id_noise = vec!["no_id"];
    }

    fn all_noise(&self) -> Vec<&'static str> {
        let mut all = self.noise.clone();
        all.extend(&self.id_noise);
        all
    }
}

fn seq(i: usize) -> Cell {
    Cell::Num((i + 1) as f64)
}

fn table(
    file: &str,
    format: FileFormat,
    title: Option<String>,
    unit: Option<&str>,
    headers: Vec<&'static str>,
) -> Table {
    Table {
        file: file.to_string(),
        format,
        title,
        unit: unit.map(str::to_string),
        groups: Vec::new(),
        headers,
        rows: Vec::new(),
        footer: format == FileFormat::Xlsx,
    }
}

pub fn draw(county: &County, rng: ChaCha8Rng, screen: Noiser, roll: Noiser) -> Drawn {
    let mut ctx = Ctx {
        county,
        rng,
        screen,
        roll,
        facts: Facts::default(),
        gone: BTreeSet::new(),
        renamed: BTreeMap::new(),
        n: county.residents.len(),
    };
    let mut tables = Vec::new();
    let children = children_at_risk(&mut ctx);
    let dibao_households = dibao(&mut ctx);
    let low_income_households = low_income(&mut ctx, &dibao_households);
    tekun(&mut ctx, &dibao_households);
    let covered = ctx.covered();
    let traps = Traps::plant(&mut ctx, &covered);

    let aided = temp_assistance_people(&mut ctx);
    let agriculture_households =
        agriculture_households(&mut ctx, &dibao_households, &low_income_households);
    let (severe_plants, ill_plants) =
        r02_plants(&mut ctx, &low_income_households, &agriculture_households);
    let claimants = medical_claimants(&mut ctx, &covered, &ill_plants, &traps);
    let unemployed = unemployment_people(&mut ctx, &covered);
    let one_off_aid: Vec<usize> = unemployed
        .iter()
        .filter(|(_, insured, current)| !insured && *current)
        .map(|(p, _, _)| *p)
        .filter(|_| ctx.rng.gen_bool(0.3))
        .collect();

    tables.push(write_dibao(&mut ctx, &dibao_households));
    tables.push(write_low_income(&mut ctx, &low_income_households));
    tables.push(write_roll(&mut ctx, TEKUN, RollKind::Tekun));
    tables.push(write_roll(&mut ctx, ORPHAN, RollKind::Orphan));
    tables.push(write_roll(&mut ctx, FUC, RollKind::Fuc));
    tables.push(write_temp_assistance(&mut ctx, &aided, &one_off_aid));
    tables.push(write_agriculture(&mut ctx, &agriculture_households));
    tables.push(write_disability(&mut ctx, &covered, &severe_plants));
    tables.push(write_petitions(&mut ctx, &covered));
    tables.push(write_hotline(&mut ctx, &covered, &traps));
    tables.push(write_unemployment(&mut ctx, &unemployed));
    tables.push(write_emergency(&mut ctx, &covered, &traps));
    tables.push(write_children(&mut ctx, &children));
    Drawn {
        tables,
        facts: ctx.facts,
        claimants,
        renamed: ctx.renamed,
    }
}

/// The planted traps of issue #4.
struct Traps {
    /// Not covered, same name as a covered person of the same township: in the medical file
    /// with a large bill, valid ID.
    twin_uncovered: Vec<usize>,
    /// The covered namesakes, and other covered people, whose ID is mistyped in the
    /// emergency file: must not be flagged.
    mistyped_covered: Vec<(usize, IdDamage)>,
    /// Dibao members whose membership ended before `as_of`, with a large medical bill.
    ended_members: Vec<usize>,
    /// Hotline callers known only by name and a household member's phone.
    phone_only: Vec<(usize, String)>,
}

impl Traps {
    fn plant(ctx: &mut Ctx<'_>, covered: &[usize]) -> Traps {
        let k = ctx.count(0.001, 3);
        let county = ctx.county;
        let covered_set: BTreeSet<usize> = covered.iter().copied().collect();
        let adult = |p: usize| age(county.residents[p].birth, as_of()) >= 18;
        let mut twin_uncovered = Vec::new();
        let mut mistyped_covered = Vec::new();
        let mut candidates: Vec<usize> = covered.iter().copied().filter(|p| adult(*p)).collect();
        candidates.shuffle(&mut ctx.rng);
        for &a in &candidates {
            if twin_uncovered.len() >= k {
                break;
            }
            let ra = &county.residents[a];
            // A random uncovered adult of the same township and sex takes a's name.
            let twin = (0..400)
                .map(|_| ctx.rng.gen_range(0..county.residents.len()))
                .find(|&b| {
                    let rb = &county.residents[b];
                    rb.household != ra.household
                        && rb.township == ra.township
                        && rb.male == ra.male
                        && adult(b)
                        && !covered_set.contains(&b)
                        && !ctx.gone.contains(&b)
                        && !ctx.renamed.contains_key(&b)
                        && !ctx.renamed.contains_key(&a)
                });
            if let Some(b) = twin {
                ctx.renamed.insert(b, ra.name.clone());
                twin_uncovered.push(b);
                mistyped_covered.push((a, IdDamage::CheckDigit));
            }
        }
        for (i, &p) in candidates.iter().rev().take(k).enumerate() {
            if !mistyped_covered.iter().any(|(q, _)| *q == p) {
                let damage = if i % 2 == 0 {
                    IdDamage::Transposition
                } else {
                    IdDamage::CheckDigit
                };
                mistyped_covered.push((p, damage));
            }
        }
        let ended_members: Vec<usize> = ctx
            .facts
            .dibao
            .iter()
            .filter(|m| !truth::active(m, as_of()) && !covered_set.contains(&m.pid) && adult(m.pid))
            .map(|m| m.pid)
            .take(k)
            .collect();
        let mut phone_only = Vec::new();
        for h in &county.households {
            if phone_only.len() >= k {
                break;
            }
            let caller = h.members.iter().copied().find(|p| {
                adult(*p) && county.residents[*p].phone.is_none() && !covered_set.contains(p)
            });
            let phone = h
                .members
                .iter()
                .find_map(|p| county.residents[*p].phone.clone());
            if let (Some(caller), Some(phone)) = (caller, phone) {
                if !ctx.gone.contains(&caller) && ctx.rng.gen_bool(0.3) {
                    phone_only.push((caller, phone));
                }
            }
        }
        Traps {
            twin_uncovered,
            mistyped_covered,
            ended_members,
            phone_only,
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum RollKind {
    Tekun,
    Orphan,
    Fuc,
}

/// Children under 18 listed by 民政/公安/教育 with their parents' situation; fills the orphan
/// and fuc rolls for most of them.
fn children_at_risk(ctx: &mut Ctx<'_>) -> Vec<ChildAtRisk> {
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
    let n = ctx.count(0.005, 40).min(candidates.len());
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
            let roll = ctx.rng.gen_bool(0.65).then_some(RollKind::Orphan);
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
fn dibao(ctx: &mut Ctx<'_>) -> Vec<usize> {
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

fn low_income(ctx: &mut Ctx<'_>, dibao: &[usize]) -> Vec<usize> {
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

fn tekun(ctx: &mut Ctx<'_>, dibao: &[usize]) {
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
fn temp_assistance_people(ctx: &mut Ctx<'_>) -> Vec<usize> {
    let pool = ctx.alive(|_| true);
    let n = ctx.count(0.012, 8).min(pool.len());
    let mut chosen: Vec<usize> = pool.choose_multiple(&mut ctx.rng, n).copied().collect();
    chosen.sort_unstable();
    chosen
}

fn agriculture_households(ctx: &mut Ctx<'_>, dibao: &[usize], low_income: &[usize]) -> Vec<usize> {
    let n = ctx.count(0.02 / 2.9, 8);
    let poor: Vec<usize> = dibao.iter().chain(low_income).copied().collect();
    let all: Vec<usize> = (0..ctx.county.households.len()).collect();
    ctx.draw(&all, &poor, n, 0.5)
}

/// Severely disabled or seriously ill members of low-income or monitored households (R02).
fn r02_plants(
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

fn medical_claimants(
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
    for p in ctx.draw(&pool, covered, serious_n, 0.5) {
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
fn unemployment_people(ctx: &mut Ctx<'_>, covered: &[usize]) -> Vec<(usize, bool, bool)> {
    let county = ctx.county;
    let working = |p: usize| (18..60).contains(&age(county.residents[p].birth, as_of()));
    let pool = ctx.alive(working);
    let covered: Vec<usize> = covered.iter().copied().filter(|p| working(*p)).collect();
    let n = ctx.count(0.015, 15);
    ctx.draw(&pool, &covered, n, 0.3)
        .into_iter()
        .map(|p| (p, ctx.rng.gen_bool(0.4), ctx.rng.gen_bool(0.75)))
        .collect()
}

fn write_dibao(ctx: &mut Ctx<'_>, households: &[usize]) -> Table {
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
            let c = ctx.person_cells(m, None, false);
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

fn write_low_income(ctx: &mut Ctx<'_>, households: &[usize]) -> Table {
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
            let c = ctx.person_cells(m, None, false);
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

fn write_roll(ctx: &mut Ctx<'_>, file: &str, kind: RollKind) -> Table {
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
        let c = ctx.person_cells(m.pid, None, false);
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

fn write_temp_assistance(ctx: &mut Ctx<'_>, aided: &[usize], one_off: &[usize]) -> Table {
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
        let c = ctx.person_cells(p, None, false);
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

fn write_agriculture(ctx: &mut Ctx<'_>, households: &[usize]) -> Table {
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
            let c = ctx.person_cells(m, None, true);
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

fn write_disability(ctx: &mut Ctx<'_>, covered: &[usize], severe_plants: &[usize]) -> Table {
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
    for p in ctx.draw(&pool, covered, n, 0.35) {
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
        let c = ctx.person_cells(d.pid, None, true);
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

fn write_petitions(ctx: &mut Ctx<'_>, covered: &[usize]) -> Table {
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
    let n = ctx.count(0.004, 15);
    let mut entries = Vec::new();
    for p in ctx.draw(&pool, covered, n, 0.4) {
        for _ in 0..ctx.rng.gen_range(1..=2) {
            let date = day_between(&mut ctx.rng, ymd(2019, 6, 1), as_of() - Duration::days(1));
            let (category, content, _) = pick(&mut ctx.rng, &PETITION_TOPICS);
            entries.push((date, p, category, content, request_status(&mut ctx.rng)));
        }
    }
    entries.sort();
    for (date, p, category, content, status) in entries {
        let mut c = ctx.person_cells(p, None, true);
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

fn write_hotline(ctx: &mut Ctx<'_>, covered: &[usize], traps: &Traps) -> Table {
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
    let n = ctx.count(0.005, 15);
    // (date, person, topic, status, phone override)
    let mut entries: Vec<(NaiveDate, usize, usize, &str, Option<String>)> = Vec::new();
    for p in ctx.draw(&pool, covered, n, 0.4) {
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
        let mut c = ctx.person_cells(p, None, true);
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

fn write_unemployment(ctx: &mut Ctx<'_>, people: &[(usize, bool, bool)]) -> Table {
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
            "联系电话",
            "失业登记日期",
            "是否参加失业保险",
            "是否领取失业保险金",
            "人员状态",
        ],
    );
    for &(p, insured, current) in people {
        let c = ctx.person_cells(p, None, true);
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

fn write_emergency(ctx: &mut Ctx<'_>, covered: &[usize], traps: &Traps) -> Table {
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
            "灾害类型",
            "受灾日期",
            "困难情况",
        ],
    );
    let pool = ctx.alive(|_| true);
    let n = ctx.count(0.006, 15);
    let mut people: BTreeMap<usize, Option<IdDamage>> = ctx
        .draw(&pool, covered, n, 0.35)
        .into_iter()
        .map(|p| (p, None))
        .collect();
    for &(p, damage) in &traps.mistyped_covered {
        people.insert(p, Some(damage));
    }
    for (p, forced) in people {
        let c = ctx.person_cells(p, forced, true);
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

fn write_children(ctx: &mut Ctx<'_>, children: &[ChildAtRisk]) -> Table {
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
        let child = ctx.person_cells(c.child, None, true);
        let (father, fs) = c.father.clone().expect("generated with both parents");
        let (mother, ms) = c.mother.clone().expect("generated with both parents");
        let f = ctx.person_cells(father, None, true);
        let m = ctx.person_cells(mother, None, true);
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
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}
