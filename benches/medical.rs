//! Medical out-of-pocket aggregation (SPEC 9: the claim-line extract can run to millions of
//! lines). Benches the per-person sum on 5 million synthetic lines, and
//! separately the records → columns step that feeds it.

use std::hint::black_box;
use std::sync::Arc;

use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use loubao::model::{Claim, Observation, PersonRecord, Place, Role, SourceKind, SourceRef};
use loubao::rules::qualify::epoch_days;
use loubao::rules::{medical_columns, medical_totals_above, MedicalColumns};

const LINES: usize = 5_000_000;
const PERSONS: u32 = 800_000;
/// Building RawRecords costs far more memory per line than the columns; a smaller batch
/// measures the per-line cost just as well.
const RECORD_LINES: usize = 500_000;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn synthetic_columns(lines: usize) -> MedicalColumns {
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    let (first, last) = (epoch_days(d(2019, 1, 1)), epoch_days(d(2021, 12, 31)));
    let mut cols = MedicalColumns::default();
    for i in 0..lines {
        cols.person.push(rng.gen_range(0..PERSONS));
        // One line in fifty is an undated per-person total.
        cols.date
            .push((i % 50 != 0).then(|| rng.gen_range(first..=last)));
        // Skewed so that a few thousand persons cross 40,000 yuan.
        let base: f64 = rng.gen_range(0.0..2_000.0);
        let amount = if rng.gen_ratio(1, 200) {
            base * 20.0
        } else {
            base
        };
        cols.out_of_pocket_cents
            .push((amount * 100.0).round() as i64);
        cols.record.push(i as u32);
    }
    cols
}

fn aggregate(c: &mut Criterion) {
    let cols = synthetic_columns(LINES);
    let (since, as_of) = (epoch_days(d(2020, 1, 1)), epoch_days(d(2021, 6, 30)));
    let mut group = c.benchmark_group("medical");
    group.sample_size(10);
    group.throughput(Throughput::Elements(LINES as u64));
    group.bench_function("aggregate_5m_lines", |b| {
        b.iter(|| {
            let totals = medical_totals_above(
                PERSONS as usize,
                black_box(&cols.person),
                black_box(&cols.date),
                black_box(&cols.out_of_pocket_cents),
                since,
                as_of,
                40_000.0,
            );
            black_box(totals.len())
        })
    });
    group.finish();
}

fn records_to_columns(c: &mut Criterion) {
    let source = SourceRef::new("医保结算明细.xlsx", None, 0);
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let records: Vec<PersonRecord> = (0..RECORD_LINES)
        .map(|i| {
            let settled = d(2020, 1, 1) + chrono::Days::new(rng.gen_range(0..540));
            let yuan: f64 = rng.gen_range(0.0..2_000.0);
            PersonRecord {
                kind: SourceKind::Medical,
                role: Role::Subject,
                source: SourceRef::at(source.origin(), i as u32 + 2),
                name: None,
                id: None,
                birth_date: None,
                sex: None,
                contact: None,
                place: Arc::new(Place {
                    township: None,
                    village: None,
                    address: None,
                }),
                observation: Observation::Claims(Box::new([Claim {
                    out_of_pocket_cents: Some((yuan * 100.0).round() as i64),
                    settled: Some(settled),
                }])),
            }
        })
        .collect();
    let person_of: Vec<usize> = (0..RECORD_LINES).map(|i| i / 6).collect();
    let mut group = c.benchmark_group("medical");
    group.sample_size(10);
    group.throughput(Throughput::Elements(RECORD_LINES as u64));
    group.bench_function("records_to_columns_500k", |b| {
        // Batched so that dropping the built columns stays out of the timing.
        b.iter_batched(
            || (),
            |_| medical_columns(black_box(&records), &person_of, 0..records.len()),
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, aggregate, records_to_columns);
criterion_main!(benches);
