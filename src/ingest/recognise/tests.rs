use super::*;

fn cells(headers: &[&str]) -> Vec<HeaderCell> {
    headers
        .iter()
        .map(|h| HeaderCell {
            shown: h.to_string(),
            tries: vec![h.to_string()],
        })
        .collect()
}

fn rows(data: &[&[&str]]) -> Vec<Vec<String>> {
    data.iter()
        .map(|r| r.iter().map(|s| s.to_string()).collect())
        .collect()
}

fn mapped(kind: SourceKind, headers: &[&str], data: &[&[&str]]) -> Vec<(usize, Field)> {
    let vocabulary = Vocabulary::new(
        &[Township {
            name: "城关镇".into(),
            aliases: vec!["城关".into()],
            villages: vec!["东关社区".into(), "王庄村".into()],
        }],
        &RuleSettings::default(),
    );
    let overrides = BTreeMap::new();
    let ctx = Context {
        kind,
        overrides: &overrides,
        vocabulary: &vocabulary,
    };
    let data = rows(data);
    let sample: Vec<&[String]> = data.iter().map(Vec::as_slice).collect();
    recognise(&ctx, &cells(headers), &sample)
        .into_iter()
        .map(|c| (c.index, c.field))
        .collect()
}

const ROLL: &[&[&str]] = &[
    &[
        "张三",
        "410123199001011237",
        "在保",
        "2019-01-01",
        "",
        "城关镇",
    ],
    &[
        "李四",
        "410123198502021234",
        "停保",
        "2018-03-01",
        "2020-05-01",
        "城关镇",
    ],
    &[
        "王五",
        "410123197703031231",
        "在保",
        "2020-07-15",
        "",
        "城关",
    ],
    &[
        "赵六",
        "410123196604041238",
        "停保",
        "2016-01-01",
        "2016-12-31",
        "城关镇",
    ],
    &[
        "钱七",
        "410123195505051235",
        "在保",
        "2021-01-01",
        "2021-12-31",
        "城关镇",
    ],
    &[
        "孙八",
        "410123194406061232",
        "在保",
        "2021-02-01",
        "",
        "城关镇",
    ],
];

#[test]
fn keyword_headers_name_roll_status_and_dates() {
    let m = mapped(
        SourceKind::LowIncome,
        &[
            "户主",
            "证件号",
            "认定状态",
            "认定日期",
            "停保日期",
            "所在乡镇",
        ],
        ROLL,
    );
    assert_eq!(
        m,
        vec![
            (0, Field::Name),
            (1, Field::IdNumber),
            (5, Field::Township),
            (2, Field::RollStatus),
            (3, Field::StartDate),
            (4, Field::EndDate),
        ]
    );
}

#[test]
fn meaningless_headers_are_found_by_content() {
    let m = mapped(
        SourceKind::Dibao,
        &["姓名", "列2", "列3", "列4", "列5", "列6"],
        ROLL,
    );
    assert_eq!(
        m,
        vec![
            (0, Field::Name),
            (1, Field::IdNumber),
            (5, Field::Township),
            (2, Field::RollStatus),
            (3, Field::StartDate),
            (4, Field::EndDate),
        ]
    );
}

#[test]
fn a_handling_date_is_not_the_request_date() {
    let data: &[&[&str]] = &[
        &["张三", "2021-01-05 10:00", "2021-01-20", "求助"],
        &["李四", "2021-02-05 09:30", "2021-02-21", "咨询"],
        &["王五", "2021-03-05 11:00", "2021-03-09", "求助"],
        &["赵六", "2021-04-05 08:00", "2021-04-30", "投诉"],
        &["钱七", "2021-05-05 15:00", "2021-05-06", "求助"],
    ];
    let m = mapped(
        SourceKind::Hotline,
        &["来电人", "受理时间", "办结时间", "列4"],
        data,
    );
    assert_eq!(
        m,
        vec![
            (0, Field::Name),
            (1, Field::RequestDate),
            (3, Field::RequestType)
        ]
    );
}

#[test]
fn certificate_numbers_under_any_header_are_certificates() {
    let data: &[&[&str]] = &[
        &["张三", "41012319900101123741", "2020-03-01"],
        &["李四", "41012319850202123412", "2020-04-01"],
        &["王五", "41012319770303123153", "2020-05-01"],
        &["赵六", "41012319660404123864", "2020-06-01"],
        &["钱七", "41012319550505123522", "2020-07-01"],
    ];
    let m = mapped(SourceKind::Disability, &["姓名", "编码", "日期"], data);
    assert_eq!(
        m,
        vec![
            (0, Field::Name),
            (1, Field::CertNumber),
            (2, Field::CertIssueDate)
        ]
    );
    // 证号 over IDs is the ID column.
    let ids: Vec<Vec<&str>> = ROLL.iter().map(|r| vec![r[0], r[1], r[3]]).collect();
    let ids: Vec<&[&str]> = ids.iter().map(Vec::as_slice).collect();
    let m = mapped(SourceKind::Disability, &["姓名", "证号", "日期"], &ids);
    assert_eq!(
        m,
        vec![
            (0, Field::Name),
            (1, Field::IdNumber),
            (2, Field::CertIssueDate)
        ]
    );
}

#[test]
fn a_date_header_over_names_is_not_a_date() {
    let m = mapped(
        SourceKind::Dibao,
        &["起始日期", "身份证号", "保障状态"],
        &ROLL.iter().map(|r| &r[..3]).collect::<Vec<_>>(),
    );
    // Names by content: the header's claim to be a date is refused.
    assert_eq!(
        m,
        vec![
            (0, Field::Name),
            (1, Field::IdNumber),
            (2, Field::RollStatus)
        ]
    );
}

#[test]
fn a_member_id_column_found_by_content_beats_the_heads_id_header() {
    let data: Vec<Vec<&str>> = ROLL.iter().map(|r| vec![r[0], r[1], r[1]]).collect();
    let data: Vec<&[&str]> = data.iter().map(Vec::as_slice).collect();
    let m = mapped(SourceKind::Dibao, &["姓名", "户主身份证号", "列3"], &data);
    assert_eq!(m, vec![(0, Field::Name), (2, Field::IdNumber)]);
    // Alone, the head's ID is the person's.
    let m = mapped(SourceKind::Dibao, &["姓名", "户主身份证号"], &data);
    assert_eq!(m, vec![(0, Field::Name), (1, Field::IdNumber)]);
}
