//! A person's consecutive claim lines with one valid ID become one record carrying every
//! line; anything else stays a record per row.

use super::*;
use crate::model::{Claim, Observation};

/// A medical claim line of `name` (and `id`, when given) paying `yuan` on 2021-01-`day`.
fn claim(row: u32, name: &str, id: Option<&str>, yuan: i64) -> RawRecord {
    let mut fields = vec![
        (Field::Name, Value::Text(name.into())),
        (Field::OutOfPocket, Value::Amount(yuan as f64)),
        (
            Field::SettlementDate,
            Value::Date(date(2021, 1, 1 + row % 28)),
        ),
    ];
    if let Some(id) = id {
        fields.push((Field::IdNumber, Value::Text(id.into())));
    }
    fields.sort_by_key(|(f, _)| *f);
    RawRecord {
        kind: SourceKind::Medical,
        source: SourceRef::new("医保.csv", None, row),
        fields,
    }
}

/// Each record's first row, its rows and its amounts in yuan.
fn records(out: &NormaliseOutput) -> Vec<(u32, Vec<u32>, Vec<i64>)> {
    out.persons
        .iter()
        .map(|p| {
            let Observation::Claims(lines) = &p.observation else {
                panic!("a claim record")
            };
            let yuan = lines
                .iter()
                .map(|c: &Claim| c.out_of_pocket_cents.unwrap() / 100)
                .collect();
            (p.source.row, p.sources().map(|s| s.row).collect(), yuan)
        })
        .collect()
}

/// A valid ID ending in `000`, which Excel's rounding may have made.
fn zero_padded_id() -> String {
    (1..=28)
        .map(|day| id18(&format!("110105198503{day:02}000")))
        .find(|id| id.ends_with("000"))
        .expect("one birth day in 28 gives the check character 0")
}

#[test]
fn consecutive_lines_with_one_valid_id_are_one_record() {
    let other_id = id18("41012319680217395");
    let padded = zero_padded_id();
    let rows = vec![
        claim(2, "张伟", Some(X_ID), 10),
        claim(3, "张伟", Some(X_ID), 20),
        claim(4, "张伟", Some(X_ID), 30),
        // Another valid ID: another person, however alike the name.
        claim(5, "张伟", Some(&other_id), 40),
        // The same person after a row that is not his: a record of his own again.
        claim(7, "张伟", Some(X_ID), 50),
        // No ID, and a valid ID that Excel may have padded: matched row by row.
        claim(8, "李娜", None, 60),
        claim(9, "李娜", None, 70),
        claim(10, "王芳", Some(&padded), 80),
        claim(11, "王芳", Some(&padded), 90),
        // One valid ID, a name spelt differently: the rows disagree on who this is.
        claim(12, "张伟", Some(X_ID), 100),
        claim(13, "张 玮", Some(X_ID), 110),
    ];
    let out = normalise(rows, &townships());
    assert_eq!(
        records(&out),
        [
            (2, vec![2, 3, 4], vec![10, 20, 30]),
            (5, vec![5], vec![40]),
            (7, vec![7], vec![50]),
            (8, vec![8], vec![60]),
            (9, vec![9], vec![70]),
            (10, vec![10], vec![80]),
            (11, vec![11], vec![90]),
            (12, vec![12], vec![100]),
            (13, vec![13], vec![110]),
        ]
    );
    // Every row still counts: in the ID figures and as a person record.
    assert_eq!(out.person_rows(), 11);
    assert_eq!(out.id_quality[&SourceKind::Medical][&IdQuality::Clean], 9);
    assert_eq!(out.missing_ids[&SourceKind::Medical], 2);
}

#[test]
fn a_persons_lines_join_across_the_rows_normalised_apart() {
    // More lines than a batch: they are normalised in parts on both cores, and joined
    // where one part ends and the next begins. The record before them is kept.
    let lines = BATCH_ROWS + PART_ROWS + 7;
    let mut rows = vec![claim(1, "李娜", Some(&id18("41012319680217395")), 5)];
    rows.extend((0..lines as u32).map(|k| claim(2 + k, "张伟", Some(X_ID), 1 + i64::from(k))));
    rows.push(claim(2 + lines as u32, "李娜", None, 5));
    let out = normalise(rows, &townships());
    let found = records(&out);
    assert_eq!(
        found.len(),
        3,
        "the first person, 张伟's lines, the last person"
    );
    assert_eq!(found[0], (1, vec![1], vec![5]));
    let (first, rows, yuan) = &found[1];
    assert_eq!(*first, 2);
    assert_eq!(*rows, (2..2 + lines as u32).collect::<Vec<_>>());
    assert_eq!(*yuan, (1..=lines as i64).collect::<Vec<_>>());
    assert_eq!(found[2].0, 2 + lines as u32);
    assert_eq!(out.person_rows(), lines + 2);
}

#[test]
fn lines_alike_but_for_their_own_cells_are_joined_and_each_counted() {
    // Three lines of one person in a township the pipeline does not name, each with its
    // own total cost, then one that gives a phone: another contact, a record of its own.
    let line = |row: u32, extra: Option<(Field, Value)>| {
        let mut r = claim(row, "张伟", Some(X_ID), i64::from(row));
        r.fields
            .push((Field::Township, Value::Text("黄河镇".into())));
        r.fields
            .push((Field::TotalCost, Value::Amount(f64::from(row) * 3.0)));
        r.fields.extend(extra);
        r.fields.sort_by_key(|(f, _)| *f);
        r
    };
    let rows = vec![
        line(2, None),
        line(3, None),
        line(4, None),
        line(5, Some((Field::Phone, Value::Text("13812345678".into())))),
    ];
    let out = normalise(rows, &townships());
    assert_eq!(
        records(&out),
        [(2, vec![2, 3, 4], vec![2, 3, 4]), (5, vec![5], vec![5])]
    );
    assert_eq!(
        out.unknown_townships[&(SourceKind::Medical, "黄河镇".to_string())],
        4,
        "every row's unknown township is counted"
    );
    assert_eq!(out.id_quality[&SourceKind::Medical][&IdQuality::Clean], 4);
}
