//! Normalising one million resident IDs and names on one core (SPEC 9: well under a second).
//!
//! `cargo bench --bench normalise -- --warm-up-time 1 --measurement-time 5`

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use loubao::normalise::ids::check_char;
use loubao::normalise::{normalise_name, parse_resident_id};

const N: usize = 1_000_000;

const SURNAMES: [&str; 12] = [
    "王", "李", "張", "刘", "陳", "杨", "趙", "黄", "周", "吴", "徐", "孙",
];
const GIVEN: [&str; 12] = [
    "伟", "芳", "娜", "秀英", "敏", "靜", "麗", "强", "磊", "军", "洋", "國華",
];
const MINORITY: [&str; 4] = [
    "阿依古丽·买买提",
    "阿依古丽•买买提",
    "买买提．艾力",
    "古丽 · 吐尔逊",
];

/// A realistic mix: mostly clean IDs, some reformatted, 15-digit, Excel-damaged and mistyped.
fn inputs() -> Vec<(String, String)> {
    let mut rng = ChaCha8Rng::seed_from_u64(11643);
    (0..N)
        .map(|_| {
            let first17 = format!(
                "41{:04}{}{:02}{:02}{:03}",
                rng.gen_range(0..10_000),
                rng.gen_range(1930..2020),
                rng.gen_range(1..13),
                rng.gen_range(1..29),
                rng.gen_range(0..1000)
            );
            let id = format!("{first17}{}", check_char(&first17));
            let id = match rng.gen_range(0..100) {
                0..70 => id,
                70..78 => format!("'{}", id.to_lowercase()),
                78..83 => format!("{} {} {}", &id[..6], &id[6..14], &id[14..]),
                83..88 => format!("{}{}", &id[..6], &id[8..17]),
                88..93 => format!("{}.{}E+17", &id[..1], &id[1..12]),
                _ => format!("{}{}", &id[..17], (id.as_bytes()[17] - b'0' + 1) % 10),
            };
            let name = if rng.gen_range(0..100) < 5 {
                MINORITY[rng.gen_range(0..MINORITY.len())].to_string()
            } else {
                format!(
                    "{}{}",
                    SURNAMES[rng.gen_range(0..SURNAMES.len())],
                    GIVEN[rng.gen_range(0..GIVEN.len())]
                )
            };
            (id, name)
        })
        .collect()
}

fn bench_normalise(c: &mut Criterion) {
    let inputs = inputs();
    // Build the traditional→simplified table outside the measurement.
    black_box(normalise_name("張偉"));

    let mut group = c.benchmark_group("normalise");
    group.throughput(Throughput::Elements(N as u64));
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.bench_function("ids_and_names_1m_one_core", |b| {
        b.iter(|| {
            for (id, name) in &inputs {
                black_box(parse_resident_id(black_box(id)));
                black_box(normalise_name(black_box(name)));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench_normalise);
criterion_main!(benches);
