//! Who is on which list: the rolls of the civil-affairs bureau and the screening extracts of
//! the other departments, drawn from the county with realistic overlap (most people on a
//! screening list are already covered) and with the traps of issue #4 planted on purpose.
//! Each list becomes a `Table` (noisy cells, as sent) and clean `Facts` (for the truth).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, NaiveDate};
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

mod rolls;
mod screening;
#[cfg(test)]
mod tests;

use super::as_of;
use super::county::{age, County};
use super::noise::{IdDamage, Noiser};
use super::truth::{self, Facts};
use super::write::{Cell, FileFormat, Table};
use rolls::*;
pub use screening::claims;
use screening::*;

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
    fn person_cells(&mut self, pid: usize, forced: Option<IdDamage>, kind: RowKind) -> PersonCells {
        let name = self.name_of(pid);
        let r = &self.county.residents[pid];
        let t = &self.county.townships[r.township];
        let noiser = match kind {
            RowKind::Roll => &mut self.roll,
            RowKind::Screening | RowKind::WithAddress => &mut self.screen,
        };
        let (name, mut noise) = noiser.name(&name);
        let (id, id_noise) = noiser.id(&r.id, forced);
        let (township, t_noise) =
            noiser.township(&t.name, &t.aliases, kind == RowKind::WithAddress);
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

/// Which noise a row gets: rolls only harmless formatting; screening rows everything, and
/// the township may hide in the address only where the file has an address column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowKind {
    Roll,
    Screening,
    WithAddress,
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
            .filter(|m| {
                !truth::active(m, as_of())
                    && !covered_set.contains(&m.pid)
                    && !ctx.gone.contains(&m.pid)
                    && adult(m.pid)
            })
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
