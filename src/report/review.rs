//! `待复核.xlsx/.csv`: every uncertain link, both person records side by side with the score
//! and the fields that agree, so a clerk can say whether they are one person. Full IDs are
//! shown: the run folder is owner-only.

use super::table::{Cell, Dropdown, Output, Table};
use super::{Error, RunReport, REVIEW};
use crate::model::{FieldEvidence, PersonRecord};

/// Which record of the link a column shows: 甲 (left) or 乙 (right).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Left,
    Right,
}

/// What the list shows of each record, in column order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RecordField {
    Name,
    IdNumber,
    Township,
    Village,
    Phone,
    Source,
    SourceRef,
    Address,
}

impl RecordField {
    const ALL: [RecordField; 8] = [
        RecordField::Name,
        RecordField::IdNumber,
        RecordField::Township,
        RecordField::Village,
        RecordField::Phone,
        RecordField::Source,
        RecordField::SourceRef,
        RecordField::Address,
    ];

    fn header(self) -> &'static str {
        match self {
            RecordField::Name => "姓名",
            RecordField::IdNumber => "身份证号",
            RecordField::Township => "乡镇",
            RecordField::Village => "村社区",
            RecordField::Phone => "电话",
            RecordField::Source => "来源",
            RecordField::SourceRef => "来源记录",
            RecordField::Address => "地址",
        }
    }

    /// IDs and phones: formatted as text so that a spreadsheet never turns them into numbers.
    fn is_text(self) -> bool {
        matches!(self, RecordField::IdNumber | RecordField::Phone)
    }

    fn cell(self, record: Option<&PersonRecord>) -> Cell {
        let Some(r) = record else {
            return Cell::text("");
        };
        match self {
            RecordField::Name => {
                Cell::text(r.name.as_ref().map(|n| n.display.as_str()).unwrap_or(""))
            }
            RecordField::IdNumber => {
                Cell::text(r.id.as_ref().map(|id| id.digits.as_str()).unwrap_or(""))
            }
            RecordField::Township => Cell::text(r.township.as_deref().unwrap_or("")),
            RecordField::Village => Cell::text(r.village.as_deref().unwrap_or("")),
            RecordField::Phone => Cell::text(r.phones.join(";")),
            RecordField::Source => Cell::text(r.kind.label_zh()),
            RecordField::SourceRef => Cell::text(r.source.to_string()),
            RecordField::Address => Cell::text(r.address.as_deref().unwrap_or("")),
        }
    }
}

/// A column of the review list, in file order: the link, both records, the clerk's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Number,
    Reason,
    Score,
    Agreeing,
    Differing,
    Record(Side, RecordField),
    Verdict,
}

impl Column {
    fn all() -> Vec<Column> {
        let mut columns = vec![
            Column::Number,
            Column::Reason,
            Column::Score,
            Column::Agreeing,
            Column::Differing,
        ];
        for side in [Side::Left, Side::Right] {
            columns.extend(RecordField::ALL.map(|f| Column::Record(side, f)));
        }
        columns.push(Column::Verdict);
        columns
    }

    fn header(self) -> String {
        match self {
            Column::Number => "序号".into(),
            Column::Reason => "复核原因".into(),
            Column::Score => "匹配分值".into(),
            Column::Agreeing => "一致字段".into(),
            Column::Differing => "不一致字段".into(),
            Column::Record(side, field) => {
                let side = match side {
                    Side::Left => "甲",
                    Side::Right => "乙",
                };
                format!("{}({side})", field.header())
            }
            Column::Verdict => "复核结论".into(),
        }
    }
}

/// Choices of the 复核结论 drop-down.
const VERDICTS: [&str; 3] = ["同一人", "不是同一人", "无法确定"];

fn text_columns(columns: &[Column]) -> Vec<usize> {
    columns
        .iter()
        .enumerate()
        .filter(|(_, c)| matches!(c, Column::Record(_, field) if field.is_text()))
        .map(|(i, _)| i)
        .collect()
}

pub(crate) fn table(report: &RunReport<'_>) -> Table {
    let columns = Column::all();
    let mut table = Table {
        sheet: REVIEW.to_string(),
        headers: columns.iter().map(|c| c.header()).collect(),
        rows: Vec::new(),
        text_columns: text_columns(&columns),
        dropdown: Some(Dropdown {
            column: columns
                .iter()
                .position(|c| *c == Column::Verdict)
                .expect("the verdict is a column"),
            options: &VERDICTS,
        }),
        min_widths: Vec::new(),
        printable: false,
    };
    // `rules::screen` already yields one item per link, in link order, reasons merged.
    for (n, item) in report.screening.review.iter().enumerate() {
        let Some(link) = report.linkage.links.get(item.link) else {
            continue;
        };
        let (agree, differ): (Vec<_>, Vec<_>) = link.evidence.iter().partition(|e| e.weight > 0.0);
        let describe = |list: &[&FieldEvidence]| {
            list.iter()
                .map(|e| format!("{}:{}", e.field, e.level))
                .collect::<Vec<_>>()
                .join("; ")
        };
        let persons = &report.normalised.persons;
        let row = columns
            .iter()
            .map(|column| match *column {
                Column::Number => Cell::Count(n + 1),
                Column::Reason => Cell::text(&item.reason),
                Column::Score => Cell::Decimal(link.score),
                Column::Agreeing => Cell::text(describe(&agree)),
                Column::Differing => Cell::text(describe(&differ)),
                Column::Record(Side::Left, field) => field.cell(persons.get(link.left)),
                Column::Record(Side::Right, field) => field.cell(persons.get(link.right)),
                Column::Verdict => Cell::text(""),
            })
            .collect();
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
        let columns = Column::all();
        let names: Vec<String> = text_columns(&columns)
            .into_iter()
            .map(|i| columns[i].header())
            .collect();
        assert_eq!(
            names,
            ["身份证号(甲)", "电话(甲)", "身份证号(乙)", "电话(乙)"]
        );
        assert_eq!(text_columns(&columns), [6, 9, 14, 17]);
        assert_eq!(columns.len(), 22);
        assert_eq!(columns[21].header(), "复核结论");
    }
}
