//! The synthetic county itself: townships with aliases and villages, households of one to six
//! people whose resident IDs agree with their birth dates, sex and relation to the head.
//! Nothing here knows about departments or noise.

use std::collections::HashSet;

use chrono::{Datelike, Duration, NaiveDate};
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::{as_of, COUNTY_NAME, REGION_CODE};

/// (canonical name, aliases). The first `n` are used, `n` drawn in 6..=10.
const TOWNSHIPS: [(&str, &[&str]); 10] = [
    ("城关镇", &["城关", "城关镇人民政府"]),
    ("柳林镇", &["柳林"]),
    ("白沙镇", &["白沙"]),
    ("黄店镇", &["黄店"]),
    ("十里铺乡", &["十里铺"]),
    ("大孟乡", &["大孟"]),
    ("岗李乡", &["岗李"]),
    ("石佛镇", &["石佛"]),
    ("龙王乡", &["龙王"]),
    ("新店镇", &["新店"]),
];

const COMMUNITIES: [&str; 6] = [
    "东关社区",
    "西关社区",
    "南街社区",
    "北街社区",
    "文化路社区",
    "建设路社区",
];

const VILLAGE_SUFFIXES: [&str; 10] = ["庄", "楼", "营", "寨", "集", "岗", "店", "屯", "湾", "坡"];

/// Regions of a few other counties: people registered elsewhere who live here.
const OTHER_REGIONS: [&str; 5] = ["410102", "410181", "411421", "412726", "341221"];

pub const SURNAMES: [&str; 60] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
    "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "贾", "韦", "邹",
];

const MALE_CHARS: [&str; 40] = [
    "伟", "强", "磊", "军", "勇", "杰", "涛", "明", "超", "刚", "平", "辉", "鹏", "华", "飞", "鑫",
    "波", "斌", "宇", "浩", "凯", "健", "俊", "帆", "帅", "旭", "宁", "龙", "林", "峰", "建", "国",
    "志", "海", "文", "东", "新", "庆", "红", "永",
];

const FEMALE_CHARS: [&str; 32] = [
    "丽", "敏", "静", "燕", "艳", "娟", "霞", "芳", "娜", "玲", "桂", "英", "秀", "兰", "梅", "琳",
    "雪", "婷", "慧", "莉", "萍", "红", "玉", "华", "倩", "洁", "丹", "颖", "春", "凤", "文", "新",
];

/// Uyghur names, written with the standard middle dot (noise varies the dot later).
const MINORITY_MALE: [&str; 6] = [
    "热合曼·托乎提",
    "买买提·吐尔逊",
    "努尔艾力·阿不都",
    "艾尔肯·吾斯曼",
    "阿不都热依木·买买提",
    "吐尔洪·艾则孜",
];
const MINORITY_FEMALE: [&str; 6] = [
    "阿依古丽·买买提",
    "古丽米拉·艾力",
    "迪丽娜尔·艾买提",
    "帕提古丽·吾买尔",
    "热依拉·托乎提",
    "米热古丽·阿不都",
];

#[derive(Debug, Clone)]
pub struct Township {
    pub name: String,
    pub aliases: Vec<String>,
    pub villages: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    Head,
    Spouse,
    Son,
    Daughter,
    Father,
    Mother,
    Grandson,
    Granddaughter,
}

impl Relation {
    pub fn label(self) -> &'static str {
        match self {
            Relation::Head => "户主",
            Relation::Spouse => "配偶",
            Relation::Son => "子",
            Relation::Daughter => "女",
            Relation::Father => "父亲",
            Relation::Mother => "母亲",
            Relation::Grandson => "孙子",
            Relation::Granddaughter => "孙女",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Resident {
    pub name: String,
    /// Valid 18-character resident ID.
    pub id: String,
    pub birth: NaiveDate,
    pub male: bool,
    pub township: usize,
    pub village: usize,
    pub household: usize,
    pub relation: Relation,
    pub phone: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Household {
    /// 户编号 as the civil-affairs system prints it.
    pub code: String,
    pub township: usize,
    pub village: usize,
    /// Resident indices; the head first.
    pub members: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct County {
    pub townships: Vec<Township>,
    pub residents: Vec<Resident>,
    pub households: Vec<Household>,
}

impl County {
    /// `示例县城关镇王庄村3组`: how an address is written.
    pub fn address(&self, pid: usize, group: u32) -> String {
        let r = &self.residents[pid];
        let t = &self.townships[r.township];
        format!("{COUNTY_NAME}{}{}{group}组", t.name, t.villages[r.village])
    }

    pub fn age_on(&self, pid: usize, day: NaiveDate) -> i32 {
        age(self.residents[pid].birth, day)
    }
}

pub fn age(birth: NaiveDate, day: NaiveDate) -> i32 {
    let mut years = day.year() - birth.year();
    if (day.month(), day.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    years
}

/// ISO 7064 MOD 11-2 check character of the first 17 digits.
pub fn check_char(first17: &str) -> char {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
        .sum();
    b"10X98765432"[(sum % 11) as usize] as char
}

#[cfg(test)]
pub fn is_valid_id(id: &str) -> bool {
    id.len() == 18
        && id[..17].bytes().all(|b| b.is_ascii_digit())
        && NaiveDate::parse_from_str(&id[6..14], "%Y%m%d").is_ok()
        && id[17..].starts_with(check_char(&id[..17]))
}

pub fn generate(rng: &mut ChaCha8Rng, persons: usize) -> County {
    let townships = townships(rng, persons);
    let mut county = County {
        townships,
        residents: Vec::with_capacity(persons),
        households: Vec::new(),
    };
    let mut ids = IdMaker::default();
    while county.residents.len() < persons {
        let size = household_size(rng).min(persons - county.residents.len());
        add_household(rng, &mut county, &mut ids, size);
    }
    county
}

fn townships(rng: &mut ChaCha8Rng, persons: usize) -> Vec<Township> {
    let n = rng.gen_range(6..=10);
    // About 900 people per village, at least 4 and at most 40 villages per township.
    let per_township = (persons / n / 900).clamp(4, 40);
    TOWNSHIPS[..n]
        .iter()
        .enumerate()
        .map(|(i, (name, aliases))| {
            let mut villages: Vec<String> = if i == 0 {
                COMMUNITIES.iter().map(|s| s.to_string()).collect()
            } else {
                Vec::new()
            };
            while villages.len() < per_township + if i == 0 { 2 } else { 0 } {
                let v = format!(
                    "{}{}村",
                    SURNAMES[rng.gen_range(0..SURNAMES.len())],
                    VILLAGE_SUFFIXES[rng.gen_range(0..VILLAGE_SUFFIXES.len())]
                );
                if !villages.contains(&v) {
                    villages.push(v);
                }
            }
            Township {
                name: name.to_string(),
                aliases: aliases.iter().map(|s| s.to_string()).collect(),
                villages,
            }
        })
        .collect()
}

fn household_size(rng: &mut ChaCha8Rng) -> usize {
    const WEIGHTS: [u32; 6] = [15, 25, 22, 20, 12, 6];
    let mut x = rng.gen_range(0..100);
    for (i, w) in WEIGHTS.iter().enumerate() {
        if x < *w {
            return i + 1;
        }
        x -= w;
    }
    6
}

/// Hands out resident IDs, never the same twice.
#[derive(Default)]
struct IdMaker {
    used: HashSet<String>,
}

impl IdMaker {
    fn make(&mut self, rng: &mut ChaCha8Rng, birth: NaiveDate, male: bool) -> String {
        let region = if rng.gen_bool(0.02) {
            OTHER_REGIONS[rng.gen_range(0..OTHER_REGIONS.len())]
        } else {
            REGION_CODE
        };
        loop {
            let mut seq = rng.gen_range(0..500) * 2 + if male { 1 } else { 0 };
            if seq == 0 {
                seq = 2;
            }
            let first17 = format!("{region}{}{seq:03}", birth.format("%Y%m%d"));
            let id = format!("{first17}{}", check_char(&first17));
            if self.used.insert(id.clone()) {
                return id;
            }
        }
    }
}

fn random_birth(rng: &mut ChaCha8Rng, min_age: i64, max_age: i64) -> NaiveDate {
    let days = rng.gen_range(min_age * 365..=max_age * 365 + 364);
    as_of() - Duration::days(days)
}

/// A birth `years` (20..40) after `parent`, never later than a month before `as_of`.
fn child_birth(rng: &mut ChaCha8Rng, parent: NaiveDate) -> Option<NaiveDate> {
    let birth = parent + Duration::days(rng.gen_range(20 * 365..40 * 365));
    (birth < as_of() - Duration::days(30)).then_some(birth)
}

pub fn random_name(rng: &mut ChaCha8Rng, male: bool, surname: Option<&str>) -> String {
    if rng.gen_bool(0.01) {
        let list = if male {
            &MINORITY_MALE
        } else {
            &MINORITY_FEMALE
        };
        return list.choose(rng).expect("non-empty").to_string();
    }
    let surname = surname.unwrap_or_else(|| SURNAMES.choose(rng).expect("non-empty"));
    let chars: &[&str] = if male { &MALE_CHARS } else { &FEMALE_CHARS };
    let mut name = surname.to_string();
    // One-character given names are common enough to make same-name people in a township.
    let len = if rng.gen_bool(0.35) { 1 } else { 2 };
    for _ in 0..len {
        name.push_str(chars.choose(rng).expect("non-empty"));
    }
    name
}

fn phone(rng: &mut ChaCha8Rng) -> String {
    let prefix = ["13", "15", "18", "17"].choose(rng).expect("non-empty");
    format!("{prefix}{:09}", rng.gen_range(0..1_000_000_000u32))
}

fn add_household(rng: &mut ChaCha8Rng, county: &mut County, ids: &mut IdMaker, size: usize) {
    // 城关镇 is the county seat and about twice as big as a rural township.
    let n = county.townships.len();
    let township = rng.gen_range(0..n + 1).saturating_sub(1);
    let village = rng.gen_range(0..county.townships[township].villages.len());
    let hh = county.households.len();
    let code = format!("{REGION_CODE}{:03}{:07}", township * 10 + 1, hh + 1);
    let head_male = rng.gen_bool(0.8);
    let head_birth = random_birth(rng, 22, 85);
    let surname = SURNAMES.choose(rng).expect("non-empty").to_string();
    let mut plan: Vec<(Relation, NaiveDate, bool)> = vec![(Relation::Head, head_birth, head_male)];
    let head_age = age(head_birth, as_of());
    if size >= 2 {
        let spouse = head_birth + Duration::days(rng.gen_range(-5 * 365..5 * 365));
        plan.push((Relation::Spouse, spouse, !head_male));
    }
    let younger = plan.iter().map(|p| p.1).max().expect("head present");
    let mut first_child: Option<NaiveDate> = None;
    while plan.len() < size {
        let slot = plan.len();
        if head_age <= 50 && size >= 5 && slot == size - 1 {
            let male = rng.gen_bool(0.5);
            let birth = head_birth - Duration::days(rng.gen_range(21 * 365..35 * 365));
            let rel = if male {
                Relation::Father
            } else {
                Relation::Mother
            };
            plan.push((rel, birth, male));
        } else if head_age >= 62 && slot >= 3 && first_child.is_some() {
            let male = rng.gen_bool(0.5);
            match child_birth(rng, first_child.expect("checked")) {
                Some(birth) => {
                    let rel = if male {
                        Relation::Grandson
                    } else {
                        Relation::Granddaughter
                    };
                    plan.push((rel, birth, male));
                }
                None => break,
            }
        } else {
            let male = rng.gen_bool(0.52);
            match child_birth(rng, younger) {
                Some(birth) => {
                    first_child.get_or_insert(birth);
                    let rel = if male {
                        Relation::Son
                    } else {
                        Relation::Daughter
                    };
                    plan.push((rel, birth, male));
                }
                None => break,
            }
        }
    }
    let mut members = Vec::with_capacity(plan.len());
    for (relation, birth, male) in plan {
        let pid = county.residents.len();
        // Children and the head share the surname; spouses and parents bring their own.
        let own_surname = matches!(
            relation,
            Relation::Head
                | Relation::Son
                | Relation::Daughter
                | Relation::Grandson
                | Relation::Granddaughter
        );
        let name = random_name(rng, male, own_surname.then_some(surname.as_str()));
        let adult = age(birth, as_of()) >= 18;
        county.residents.push(Resident {
            name,
            id: ids.make(rng, birth, male),
            birth,
            male,
            township,
            village,
            household: hh,
            relation,
            phone: (adult && rng.gen_bool(0.85)).then(|| phone(rng)),
        });
        members.push(pid);
    }
    county.households.push(Household {
        code,
        township,
        village,
        members,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn check_char_matches_known_id() {
        // The GB 11643-1999 worked example.
        assert_eq!(check_char("11010519491231002"), 'X');
        assert!(is_valid_id("11010519491231002X"));
        assert!(!is_valid_id("110105194912310021"));
    }

    #[test]
    fn residents_have_valid_ids_consistent_with_birth_and_sex() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let county = generate(&mut rng, 2000);
        assert_eq!(county.residents.len(), 2000);
        assert!((6..=10).contains(&county.townships.len()));
        for r in &county.residents {
            assert!(is_valid_id(&r.id), "{}", r.id);
            assert_eq!(&r.id[6..14], r.birth.format("%Y%m%d").to_string());
            let seq: u32 = r.id[14..17].parse().unwrap();
            assert_eq!(seq % 2 == 1, r.male);
            assert!(r.birth < as_of());
        }
        for h in &county.households {
            assert!((1..=6).contains(&h.members.len()));
            let head = &county.residents[h.members[0]];
            assert_eq!(head.relation, Relation::Head);
            for &m in &h.members[1..] {
                let r = &county.residents[m];
                match r.relation {
                    Relation::Son | Relation::Daughter => assert!(r.birth > head.birth),
                    Relation::Father | Relation::Mother => assert!(r.birth < head.birth),
                    _ => {}
                }
            }
        }
    }
}
