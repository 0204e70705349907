//! `待复核.xlsx/.csv`: every uncertain link, both person records side by side with the score
//! and the fields that agree, so a clerk can say whether they are one person. Full IDs are
//! shown: the run folder is owner-only.

use super::table::{Cell, Dropdown, Output, Table};
use super::{Error, RunReport, REVIEW};
use crate::model::PersonRecord;

const SIDE_FIELDS: [&str; 8] = [
    "姓名",
    "身份证号",
    "乡镇",
    "村社区",
    "电话",
    "来源",
    "来源记录",
    "地址",
];

/// Choices of the 复核结论 drop-down.
const VERDICTS: [&str; 3] = ["同一人", "不是同一人", "无法确定"];

fn headers() -> Vec<String> {
    let mut headers = vec![
        "序号".to_string(),
        "复核原因".to_string(),
        "匹配分值".to_string(),
        "一致字段".to_string(),
        "不一致字段".to_string(),
    ];
    for side in ["甲", "乙"] {
        headers.extend(SIDE_FIELDS.iter().map(|f| format!("{f}({side})")));
    }
    headers.push("复核结论".to_string());
    headers
}

fn side(record: Option<&PersonRecord>) -> Vec<Cell> {
    let Some(r) = record else {
        return vec![Cell::text(""); SIDE_FIELDS.len()];
    };
    vec![
        Cell::text(r.name.as_ref().map(|n| n.display.as_str()).unwrap_or("")),
        Cell::text(r.id.as_ref().map(|id| id.digits.as_str()).unwrap_or("")),
        Cell::text(r.township.as_deref().unwrap_or("")),
        Cell::text(r.village.as_deref().unwrap_or("")),
        Cell::text(r.phones.join(";")),
        Cell::text(r.kind.label_zh()),
        Cell::text(r.source.to_string()),
        Cell::text(r.address.as_deref().unwrap_or("")),
    ]
}

pub(crate) fn table(report: &RunReport<'_>) -> Table {
    let headers = headers();
    let mut table = Table {
        sheet: REVIEW.to_string(),
        rows: Vec::new(),
        // 身份证号 and 电话 of both sides.
        text_columns: vec![6, 9, 14, 17],
        dropdown: Some(Dropdown {
            column: headers.len() - 1,
            options: &VERDICTS,
        }),
        min_widths: Vec::new(),
        printable: false,
        headers,
    };
    // `rules::screen` already yields one item per link, in link order, reasons merged.
    for (n, item) in report.screening.review.iter().enumerate() {
        let Some(link) = report.linkage.links.get(item.link) else {
            continue;
        };
        let (agree, differ): (Vec<_>, Vec<_>) = link.evidence.iter().partition(|e| e.weight > 0.0);
        let describe = |list: Vec<&crate::model::FieldEvidence>| {
            list.iter()
                .map(|e| format!("{}:{}", e.field, e.level))
                .collect::<Vec<_>>()
                .join("; ")
        };
        let mut row = vec![
            Cell::Count(n + 1),
            Cell::text(&item.reason),
            Cell::Decimal(link.score),
            Cell::text(describe(agree)),
            Cell::text(describe(differ)),
        ];
        row.extend(side(report.normalised.persons.get(link.left)));
        row.extend(side(report.normalised.persons.get(link.right)));
        row.push(Cell::text(""));
        table.rows.push(row);
    }
    table
}

pub(crate) fn write(out: &mut Output, report: &RunReport<'_>) -> Result<(), Error> {
    out.write_table(REVIEW, &table(report))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_columns_are_the_id_and_phone_columns() {
        let headers = headers();
        let names: Vec<&str> = [6, 9, 14, 17]
            .iter()
            .map(|&i| headers[i].as_str())
            .collect();
        assert_eq!(
            names,
            ["身份证号(甲)", "电话(甲)", "身份证号(乙)", "电话(乙)"]
        );
    }
}
