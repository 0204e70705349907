//! Linkage stage at county scale: wall time of `matching::link` and pairs compared per
//! second, at 20k and 100k residents (600k with `LOUBAO_BENCH_COUNTY=1`).
//!
//! The synthetic county: every resident appears in about four screening rows (claim lines
//! and lists), one in ten is on a roll; one screening row in twenty has a damaged or
//! missing ID (typo, Excel `000`, Excel float, blank), as in the real extracts.

use std::sync::Arc;
use std::time::Instant;

use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use loubao::config::MatchSettings;
use loubao::matching::{link, Verdicts};
use loubao::model::{
    Contact, IdQuality, Observation, PersonName, PersonRecord, Place, ResidentId, Role, Sex,
    SourceKind, SourceRef,
};
use loubao::normalise::ids::check_char;

const SURNAMES: [(&str, &str); 20] = [
    ("王", "wang"),
    ("李", "li"),
    ("张", "zhang"),
    ("刘", "liu"),
    ("陈", "chen"),
    ("杨", "yang"),
    ("赵", "zhao"),
    ("黄", "huang"),
    ("周", "zhou"),
    ("吴", "wu"),
    ("徐", "xu"),
    ("孙", "sun"),
    ("胡", "hu"),
    ("朱", "zhu"),
    ("高", "gao"),
    ("林", "lin"),
    ("何", "he"),
    ("郭", "guo"),
    ("马", "ma"),
    ("罗", "luo"),
];
const GIVEN: [(&str, &str); 40] = [
    ("伟", "wei"),
    ("芳", "fang"),
    ("娜", "na"),
    ("秀", "xiu"),
    ("英", "ying"),
    ("敏", "min"),
    ("静", "jing"),
    ("丽", "li"),
    ("强", "qiang"),
    ("磊", "lei"),
    ("军", "jun"),
    ("洋", "yang"),
    ("勇", "yong"),
    ("艳", "yan"),
    ("杰", "jie"),
    ("娟", "juan"),
    ("涛", "tao"),
    ("明", "ming"),
    ("超", "chao"),
    ("兰", "lan"),
    ("霞", "xia"),
    ("平", "ping"),
    ("刚", "gang"),
    ("桂", "gui"),
    ("华", "hua"),
    ("红", "hong"),
    ("玉", "yu"),
    ("建", "jian"),
    ("国", "guo"),
    ("春", "chun"),
    ("文", "wen"),
    ("辉", "hui"),
    ("鹏", "peng"),
    ("飞", "fei"),
    ("慧", "hui"),
    ("波", "bo"),
    ("宁", "ning"),
    ("海", "hai"),
    ("梅", "mei"),
    ("琳", "lin"),
];
const SCREENING: [SourceKind; 7] = SourceKind::DEPARTMENTS;
const ROLLS: [SourceKind; 3] = [SourceKind::Dibao, SourceKind::Tekun, SourceKind::LowIncome];

fn valid_id(body: &[u8; 17]) -> String {
    let body = std::str::from_utf8(body).unwrap();
    format!("{body}{}", check_char(body))
}

struct Resident {
    id: String,
    name: PersonName,
    birth: NaiveDate,
    sex: Sex,
    township: String,
    village: String,
    phone: Option<String>,
    household: String,
}

fn resident(rng: &mut ChaCha8Rng, n: usize) -> Resident {
    let (s, sp) = SURNAMES[rng.gen_range(0..SURNAMES.len())];
    let mut key = s.to_string();
    let mut pinyin = sp.to_string();
    for _ in 0..rng.gen_range(1..3) {
        let (g, gp) = GIVEN[rng.gen_range(0..GIVEN.len())];
        key.push_str(g);
        pinyin.push(' ');
        pinyin.push_str(gp);
    }
    let birth = NaiveDate::from_ymd_opt(1935, 1, 1).unwrap()
        + chrono::Duration::days(rng.gen_range(0..30_000));
    let region = ["410123", "410124", "410125"][n % 3];
    let seq = rng.gen_range(0..1000u32);
    let body = format!("{region}{}{seq:03}", birth.format("%Y%m%d"));
    let town = rng.gen_range(0..20);
    let household = n / 3;
    Resident {
        id: valid_id(body.as_bytes().try_into().unwrap()),
        name: PersonName {
            display: key.as_str().into(),
            key: key.into(),
            pinyin: pinyin.into(),
        },
        birth,
        sex: if seq % 2 == 1 { Sex::Male } else { Sex::Female },
        township: format!("{town}镇"),
        village: format!("{town}镇{}村", rng.gen_range(0..15)),
        phone: rng
            .gen_bool(0.7)
            .then(|| format!("13{:09}", (household as u64 * 7919) % 1_000_000_000)),
        household: format!("H{household}"),
    }
}

fn record(rng: &mut ChaCha8Rng, r: &Resident, kind: SourceKind, row: usize) -> PersonRecord {
    let mut id = Some(ResidentId {
        digits: r.id.as_str().into(),
        quality: IdQuality::Clean,
        reliable_prefix: 18,
    });
    let mut birth_date = Some(r.birth);
    let damage = if kind.is_roll() {
        1.0
    } else {
        rng.gen::<f64>()
    };
    if damage < 0.02 {
        let mut d = r.id.clone().into_bytes();
        let i = rng.gen_range(0..17);
        d[i] = b'0' + (d[i] - b'0' + rng.gen_range(1..10)) % 10;
        id = Some(ResidentId {
            digits: String::from_utf8(d).unwrap().into(),
            quality: IdQuality::BadCheck,
            reliable_prefix: 0,
        });
        birth_date = None;
    } else if damage < 0.03 {
        id = Some(ResidentId {
            digits: format!("{}000", &r.id[..15]).into(),
            quality: IdQuality::Trailing000,
            reliable_prefix: 15,
        });
    } else if damage < 0.035 {
        id = Some(ResidentId {
            digits: r.id[..6].into(),
            quality: IdQuality::ExcelFloat,
            reliable_prefix: 6,
        });
        birth_date = None;
    } else if damage < 0.05 {
        id = None;
        birth_date = None;
    }
    PersonRecord {
        kind,
        role: Role::Subject,
        source: SourceRef::new(format!("{}.xlsx", kind.key()), None, row as u32 + 2),
        name: Some(std::sync::Arc::new(r.name.clone())),
        id: id.map(Arc::new),
        birth_date,
        sex: Some(r.sex),
        contact: Contact::of(
            r.phone.iter().cloned().collect(),
            kind.is_roll().then(|| r.household.as_str().into()),
        ),
        place: Arc::new(Place {
            township: Some(r.township.as_str().into()),
            village: rng.gen_bool(0.6).then(|| r.village.as_str().into()),
            address: None,
        }),
        observation: Observation::IdentityOnly,
    }
}

/// About 4 screening rows per resident and a roll row for one resident in ten; with the
/// resident behind each record (the ground truth).
fn county(residents: usize) -> (Vec<PersonRecord>, Vec<usize>) {
    let mut rng = ChaCha8Rng::seed_from_u64(20210630);
    let mut out = Vec::with_capacity(residents * 41 / 10);
    let mut owner = Vec::with_capacity(residents * 41 / 10);
    for n in 0..residents {
        let r = resident(&mut rng, n);
        if n % 10 == 0 {
            let kind = ROLLS[rng.gen_range(0..ROLLS.len())];
            out.push(record(&mut rng, &r, kind, out.len()));
            owner.push(n);
        }
        for _ in 0..rng.gen_range(2..7) {
            let kind = SCREENING[rng.gen_range(0..SCREENING.len())];
            out.push(record(&mut rng, &r, kind, out.len()));
            owner.push(n);
        }
    }
    (out, owner)
}

/// Recall per ID damage (found: the record's person holds a valid-ID record of the same
/// resident) and accepted links joining different residents.
fn quality(records: &[PersonRecord], owner: &[usize], linkage: &loubao::model::Linkage) {
    let mut by_damage: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
    for (i, r) in records.iter().enumerate() {
        let label = match &r.id {
            None => "无身份证号",
            Some(id) if !id.quality.is_valid() => id.quality.label_zh(),
            _ => continue,
        };
        let person = &linkage.persons[linkage.person_of[i]];
        let found = person.records.iter().any(|&o| {
            owner[o] == owner[i] && records[o].id.as_ref().is_some_and(|x| x.quality.is_valid())
        });
        let e = by_damage.entry(label).or_default();
        e.0 += usize::from(found);
        e.1 += 1;
    }
    for (label, (found, total)) in by_damage {
        println!(
            "  recall {label}: {found}/{total} = {:.3}",
            found as f64 / total as f64
        );
    }
    let wrong = linkage
        .links
        .iter()
        .filter(|k| k.decision == loubao::model::LinkDecision::Accepted)
        .filter(|k| owner[k.ends().0] != owner[k.ends().1])
        .count();
    println!("  accepted links joining different residents: {wrong}");
}

fn bench_linkage(c: &mut Criterion) {
    // `LOUBAO_LOG=loubao=debug` shows matching's step timings.
    if let Ok(filter) = std::env::var("LOUBAO_LOG") {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_writer(std::io::stderr)
            .init();
    }
    let mut sizes = vec![20_000, 100_000];
    if std::env::var_os("LOUBAO_BENCH_COUNTY").is_some() {
        sizes.push(600_000);
    }
    let settings = MatchSettings::default();
    let mut group = c.benchmark_group("matching");
    group.sample_size(10);
    for residents in sizes {
        let (records, owner) = county(residents);
        let started = Instant::now();
        let linkage = link(&records, &settings, &Verdicts::default());
        let secs = started.elapsed().as_secs_f64();
        println!(
            "{residents} residents, {} records: link() {:.3} s, {} candidate pairs, {:.0} pairs/s, {} persons, {} accepted, {} uncertain",
            records.len(),
            secs,
            linkage.stats.candidate_pairs,
            linkage.stats.candidate_pairs as f64 / secs,
            linkage.persons.len(),
            linkage.stats.accepted_links,
            linkage.stats.uncertain_links,
        );
        quality(&records, &owner, &linkage);
        group.bench_function(format!("link_{residents}_residents"), |b| {
            b.iter(|| link(&records, &settings, &Verdicts::default()))
        });
    }
    group.finish();
}

criterion_group!(benches, bench_linkage);
criterion_main!(benches);
