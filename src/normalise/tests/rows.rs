//! The stage: rows become person records, with fallbacks, children's parents and rejects.

use super::*;

fn record(kind: SourceKind, row: u32, fields: Vec<(Field, Value)>) -> RawRecord {
    let mut fields = fields;
    fields.sort_by_key(|(f, _)| *f);
    RawRecord {
        kind,
        source: SourceRef::new("测试.xlsx", None, row),
        fields,
    }
}

fn t(s: &str) -> Value {
    Value::Text(s.into())
}

#[test]
fn a_row_becomes_a_normalised_person() {
    let rec = record(
        SourceKind::Medical,
        3,
        vec![
            (Field::Name, t("張偉")),
            (Field::IdNumber, t("11010519850315102x")),
            (Field::Township, t("城关")),
            (Field::Village, t("王庄村委会")),
            (Field::Address, t("城关镇王庄村3组")),
            (Field::Phone, t("138 1234 5678 / 0371-68881234")),
            (Field::HouseholdId, t(" H001 ")),
        ],
    );
    let out = normalise(vec![rec], &townships());
    assert!(out.rejects.is_empty());
    let [p] = &out.persons[..] else {
        panic!("one person")
    };
    assert_eq!(p.role, Role::Subject);
    assert_eq!(p.source.row, 3);
    assert_eq!(p.name.as_ref().unwrap().key, "张伟");
    assert_eq!(p.id.as_ref().unwrap().exact_key(), Some(X_ID));
    assert_eq!(p.birth_date, Some(date(1985, 3, 15)));
    assert_eq!(p.sex, Some(Sex::Female));
    assert_eq!(p.phones(), ["13812345678", "037168881234"]);
    assert_eq!(p.place.township.as_deref(), Some("城关镇"));
    assert_eq!(p.place.village.as_deref(), Some("王庄村"));
    assert_eq!(p.place.address.as_deref(), Some("城关镇王庄村3组"));
    assert_eq!(p.household_id(), Some("H001"));
    assert_eq!(
        out.id_quality[&SourceKind::Medical][&IdQuality::Reformatted],
        1
    );
}

#[test]
fn township_falls_back_to_the_address_then_stays_unknown() {
    let recs = [
        record(
            SourceKind::Hotline,
            2,
            vec![
                (Field::Name, t("李娜")),
                (Field::Address, t("XX县石桥乡李家村")),
            ],
        ),
        record(
            SourceKind::Hotline,
            3,
            vec![
                (Field::Name, t("王芳")),
                (Field::Address, t("外县某某路1号")),
            ],
        ),
        record(
            SourceKind::Hotline,
            4,
            vec![
                (Field::Name, t("赵磊")),
                (Field::Township, t("黄河镇")),
                (Field::Village, t("张庄")),
            ],
        ),
    ];
    let out = normalise(recs.to_vec(), &townships());
    let places: Vec<_> = out
        .persons
        .iter()
        .map(|p| (p.place.township.as_deref(), p.place.village.as_deref()))
        .collect();
    assert_eq!(
        places,
        [
            (Some("石桥乡"), Some("李家村")),
            (None, None),
            // An unlisted village is kept as typed; the township is decided later.
            (None, Some("张庄")),
        ]
    );
    assert_eq!(out.missing_ids[&SourceKind::Hotline], 3);
}

#[test]
fn certificate_fills_a_missing_or_damaged_id() {
    let valid_cert = format!("{X_ID}42");
    let recs = [
        // ID column empty.
        record(
            SourceKind::Disability,
            2,
            vec![
                (Field::Name, t("张伟")),
                (Field::CertNumber, t(&valid_cert)),
            ],
        ),
        // ID column destroyed by Excel.
        record(
            SourceKind::Disability,
            3,
            vec![
                (Field::Name, t("张伟")),
                (Field::IdNumber, t("1.10105198503E+17")),
                (Field::CertNumber, t(&valid_cert)),
            ],
        ),
        // Certificate number typed into the ID column.
        record(
            SourceKind::Disability,
            4,
            vec![(Field::Name, t("张伟")), (Field::IdNumber, t(&valid_cert))],
        ),
        // Both valid and disagreeing: the ID column wins.
        record(
            SourceKind::Disability,
            5,
            vec![
                (Field::Name, t("李强")),
                (Field::IdNumber, t("410123199001011236")),
                (Field::CertNumber, t(&valid_cert)),
            ],
        ),
        // Numeric cell: a float that lost its tail, as ingest hands it on
        // (`values::number_text`).
        record(
            SourceKind::Disability,
            6,
            vec![
                (Field::Name, t("王军")),
                (Field::IdNumber, t("410123199001011000")),
            ],
        ),
    ];
    let out = normalise(recs.to_vec(), &[]);
    assert_eq!(out.persons.len(), 5);
    let ids: Vec<_> = out.persons[..4]
        .iter()
        .map(|p| p.id.as_ref().map(|i| (i.quality, i.digits.as_str())))
        .collect();
    assert_eq!(
        ids,
        [
            Some((IdQuality::FromCertificate, X_ID)),
            Some((IdQuality::FromCertificate, X_ID)),
            Some((IdQuality::FromCertificate, X_ID)),
            Some((IdQuality::Clean, "410123199001011236")),
        ]
    );
    // The float keeps 15 faithful digits.
    let float = out.persons[4].id.as_ref().unwrap();
    assert_eq!(float.quality, IdQuality::Trailing000);
    assert_eq!(float.reliable_prefix, 15);
    assert_eq!(&float.digits[..15], "410123199001011");
    assert_eq!(out.persons[4].birth_date, Some(date(1990, 1, 1)));
    // Both damaged: the certificate's bad check (17 digits) beats a 12-digit Excel float.
    let both_damaged = record(
        SourceKind::Disability,
        7,
        vec![
            (Field::Name, t("张伟")),
            (Field::IdNumber, t("1.10105198503E+17")),
            (Field::CertNumber, t("11010519850315102142")),
        ],
    );
    let id = normalise(vec![both_damaged], &[]).persons[0]
        .id
        .clone()
        .unwrap();
    assert_eq!((id.quality, id.reliable_prefix), (IdQuality::BadCheck, 17));

    let counts = &out.id_quality[&SourceKind::Disability];
    assert_eq!(counts[&IdQuality::FromCertificate], 3);
    assert_eq!(counts[&IdQuality::Trailing000], 1);
}

#[test]
fn birth_date_and_sex_fall_back_to_their_columns() {
    let recs = [
        record(
            SourceKind::Petition,
            2,
            vec![
                (Field::Name, t("刘洋")),
                (Field::BirthDate, Value::Date(date(1970, 5, 6))),
                (Field::Sex, t("女")),
            ],
        ),
        record(
            SourceKind::Petition,
            3,
            vec![
                (Field::Name, t("刘洋")),
                (Field::BirthDate, Value::Date(date(1970, 5, 6))),
                (Field::IdNumber, t("4.10123197005E+17")),
            ],
        ),
        // Damaged ID whose date digits survived, no date column.
        record(
            SourceKind::Petition,
            4,
            vec![
                (Field::Name, t("刘洋")),
                (Field::IdNumber, t("4.10123197005061E+17")),
            ],
        ),
    ];
    let out = normalise(recs.to_vec(), &[]);
    let got: Vec<_> = out.persons.iter().map(|p| (p.birth_date, p.sex)).collect();
    assert_eq!(
        got,
        [
            (Some(date(1970, 5, 6)), Some(Sex::Female)),
            (Some(date(1970, 5, 6)), None),
            (Some(date(1970, 5, 6)), None),
        ]
    );
}

#[test]
fn children_rows_yield_child_father_and_mother() {
    let father = id18("41012319800101123");
    let recs = [
        record(
            SourceKind::Children,
            5,
            vec![
                (Field::Name, t("王小明")),
                (Field::IdNumber, t(&id18("41012320150601123"))),
                (Field::Township, t("石桥")),
                (Field::Address, t("石桥乡李家村")),
                (Field::FatherName, t("王大山")),
                (Field::FatherId, t(&father)),
                (Field::MotherName, t("李秀英")),
                (Field::Phone, t("13812345678")),
            ],
        ),
        record(
            SourceKind::Children,
            6,
            vec![(Field::Name, t("赵小红")), (Field::FatherStatus, t("死亡"))],
        ),
    ];
    let out = normalise(recs.to_vec(), &townships());
    let roles: Vec<_> = out.persons.iter().map(|p| (p.source.row, p.role)).collect();
    assert_eq!(
        roles,
        [
            (5, Role::Subject),
            (5, Role::Father),
            (5, Role::Mother),
            (6, Role::Subject)
        ]
    );
    let (dad, mum) = (&out.persons[1], &out.persons[2]);
    assert_eq!(dad.id.as_ref().unwrap().exact_key(), Some(father.as_str()));
    assert_eq!(dad.birth_date, Some(date(1980, 1, 1)));
    assert_eq!(dad.sex, Some(Sex::Male));
    assert_eq!(mum.id, None);
    assert_eq!(mum.sex, Some(Sex::Female));
    for parent in [dad, mum] {
        assert_eq!(parent.place.township.as_deref(), Some("石桥乡"));
        assert_eq!(parent.place.village.as_deref(), Some("李家村"));
        assert_eq!(parent.place.address.as_deref(), Some("石桥乡李家村"));
        assert!(parent.phones().is_empty());
    }
    // Mother of row 0 and the child of row 1 have no ID.
    assert_eq!(out.missing_ids[&SourceKind::Children], 2);
}

#[test]
fn rows_naming_nobody_are_rejected() {
    let recs = [
        record(
            SourceKind::Emergency,
            7,
            vec![(Field::Address, t("城关镇王庄村"))],
        ),
        record(
            SourceKind::Emergency,
            8,
            vec![(Field::Name, t(" / ")), (Field::IdNumber, t("无"))],
        ),
        // An ID without a name is still a person.
        record(
            SourceKind::Emergency,
            9,
            vec![(Field::IdNumber, t("4.10123199001E+17"))],
        ),
    ];
    let out = normalise(recs.to_vec(), &townships());
    assert_eq!(out.persons.len(), 1);
    assert_eq!(out.persons[0].source.row, 9);
    let rows: Vec<_> = out
        .rejects
        .iter()
        .map(|r| (r.reference(), r.reason.clone()))
        .collect();
    assert_eq!(
        rows,
        [
            ("测试.xlsx#7".to_string(), reason_no_identity()),
            ("测试.xlsx#8".to_string(), reason_no_identity()),
        ]
    );
    assert_eq!(out.rejects[0].kind, Some(SourceKind::Emergency));
}

#[test]
fn rows_keep_their_order_across_batches() {
    // More rows than one batch, a children's row on each side of the boundary, and a
    // reject among them: every person in row order, parents after their child.
    let rows: Vec<RawRecord> = (0..BATCH_ROWS as u32 + 10)
        .map(|i| {
            let row = i + 2;
            if i == 7 {
                record(SourceKind::Medical, row, vec![(Field::Township, t("城关"))])
            } else if i == BATCH_ROWS as u32 - 1 || i == BATCH_ROWS as u32 {
                record(
                    SourceKind::Children,
                    row,
                    vec![
                        (Field::Name, t("王小明")),
                        (Field::FatherName, t("王大山")),
                        (Field::MotherName, t("李秀英")),
                    ],
                )
            } else {
                record(SourceKind::Medical, row, vec![(Field::Name, t("张伟"))])
            }
        })
        .collect();
    let out = normalise(rows, &[]);
    assert_eq!(out.rejects.len(), 1);
    assert_eq!(out.rejects[0].row, Some(9));
    assert_eq!(out.persons.len(), BATCH_ROWS + 10 - 1 + 4);
    let order: Vec<(u32, Role)> = out.persons.iter().map(|p| (p.source.row, p.role)).collect();
    let mut sorted = order.clone();
    sorted.sort_by_key(|(row, role)| (*row, *role as u8));
    assert_eq!(order, sorted);
    let boundary = BATCH_ROWS as u32 + 2;
    let around: Vec<Role> = order
        .iter()
        .filter(|(row, _)| *row == boundary - 1 || *row == boundary)
        .map(|(_, role)| *role)
        .collect();
    assert_eq!(
        around,
        [Role::Subject, Role::Father, Role::Mother].repeat(2)
    );
}

#[test]
fn consecutive_lines_of_a_person_resolve_each_place_of_their_own() {
    // One person's claim lines, as a medical extract lists them: the place is resolved once
    // per distinct cells, never carried over to a line whose cells differ.
    let line = |row: u32, place: Vec<(Field, Value)>| {
        let mut fields = vec![
            (Field::Name, t("张伟")),
            (Field::IdNumber, t("11010519850315102X")),
        ];
        fields.extend(place);
        record(SourceKind::Medical, row, fields)
    };
    let recs = vec![
        line(2, vec![(Field::Address, t("石桥乡李家村"))]),
        line(3, vec![(Field::Address, t("石桥乡李家村"))]),
        line(4, vec![(Field::Address, t("城关镇王庄村3组"))]),
        line(5, vec![(Field::Township, t("石桥乡"))]),
        line(6, vec![(Field::Township, t("黄河镇"))]),
        line(7, vec![(Field::Village, t("石桥乡"))]),
        line(8, vec![]),
    ];
    let out = normalise(recs, &townships());
    // Lines with the same place are one record of two lines; each other line is its own.
    let places: Vec<_> = out
        .persons
        .iter()
        .map(|p| {
            (
                p.place.township.as_deref(),
                p.place.village.as_deref(),
                p.place.address.as_deref(),
                p.lines(),
            )
        })
        .collect();
    assert_eq!(
        places,
        [
            (Some("石桥乡"), Some("李家村"), Some("石桥乡李家村"), 2),
            (Some("城关镇"), Some("王庄村"), Some("城关镇王庄村3组"), 1),
            (Some("石桥乡"), None, None, 1),
            (None, None, None, 1),
            (None, Some("石桥乡"), None, 1),
            (None, None, None, 1),
        ]
    );
    // The unknown township is counted for its own line only.
    assert_eq!(
        out.unknown_townships[&(SourceKind::Medical, "黄河镇".to_string())],
        1
    );
}
