//! `待复核.xlsx/.csv`: one row per identity question — a group of records of one person in
//! one file against one candidate — both sides next to each other with the score and the
//! fields that agree and differ, so a person can say whether they are one. The answer
//! columns (复核结论, 复核人, 复核日期, 备注) are read back by `loubao review`, keyed by
//! 复核编号. Full IDs are shown: the run folder is owner-only.

use std::borrow::Cow;
use std::collections::BTreeSet;

use super::table::{Cell, Dropdown, Table};
use super::{RunReport, REVIEW};
use crate::model::{FieldEvidence, Link, LinkVerdict, PersonRecord, QuestionColumn, ReviewItem};

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

    /// The cell of one side: its first record's fields, every record's source row.
    fn cell(self, side: &[&PersonRecord]) -> Cell {
        let Some(r) = side.first() else {
            return Cell::text("");
        };
        match self {
            RecordField::Name => {
                Cell::text(r.name.as_ref().map(|n| n.display.as_str()).unwrap_or(""))
            }
            RecordField::IdNumber => {
                Cell::text(r.id.as_ref().map(|id| id.digits.as_str()).unwrap_or(""))
            }
            RecordField::Township => Cell::text(r.place.township.as_deref().unwrap_or("")),
            RecordField::Village => Cell::text(r.place.village.as_deref().unwrap_or("")),
            RecordField::Phone => Cell::text(r.phones().join(";")),
            RecordField::Source => Cell::text(r.kind.label_zh()),
            RecordField::SourceRef => {
                let refs: Vec<String> = side.iter().map(|r| r.source.to_string()).collect();
                Cell::text(refs.join("; "))
            }
            RecordField::Address => Cell::text(r.place.address.as_deref().unwrap_or("")),
        }
    }
}

/// A column of the review list, in file order: the question, both sides, the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Question,
    Reason,
    Score,
    /// How many records of 甲 ask the question (claim lines of one person, mostly).
    Records,
    Agreeing,
    Differing,
    Record(Side, RecordField),
    Answer(QuestionColumn),
}

impl Column {
    fn all() -> Vec<Column> {
        let mut columns = vec![
            Column::Question,
            Column::Reason,
            Column::Score,
            Column::Records,
            Column::Agreeing,
            Column::Differing,
        ];
        for side in [Side::Left, Side::Right] {
            columns.extend(RecordField::ALL.map(|f| Column::Record(side, f)));
        }
        columns.extend(QuestionColumn::FILLED_IN.map(Column::Answer));
        columns
    }

    fn header(self) -> String {
        match self {
            Column::Question => QuestionColumn::Question.header().into(),
            Column::Reason => "复核原因".into(),
            Column::Score => "匹配分值".into(),
            Column::Records => "记录数(甲)".into(),
            Column::Agreeing => "一致字段".into(),
            Column::Differing => "不一致字段".into(),
            Column::Record(side, field) => {
                let side = match side {
                    Side::Left => "甲",
                    Side::Right => "乙",
                };
                format!("{}({side})", field.header())
            }
            Column::Answer(column) => column.header().into(),
        }
    }

    /// IDs, phones and the question id: text, so that a spreadsheet keeps them as written.
    fn is_text(self) -> bool {
        match self {
            Column::Question => true,
            Column::Record(_, field) => field.is_text(),
            _ => false,
        }
    }
}

fn text_columns(columns: &[Column]) -> Vec<usize> {
    columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.is_text())
        .map(|(i, _)| i)
        .collect()
}

/// Both sides of a question: 甲 the record(s) asking, 乙 the candidate. A roll record is
/// put on the 乙 side, where a clerk looks for it.
fn sides<'a>(
    report: &'a RunReport<'_>,
    item: &ReviewItem,
) -> (Vec<&'a PersonRecord>, Vec<&'a PersonRecord>) {
    let persons = &report.normalised.persons;
    let links: Vec<Cow<Link>> = item
        .links
        .iter()
        .filter_map(|&l| report.linkage.links.get(l))
        .collect();
    let swap = links.first().is_some_and(|l| {
        let (left, right) = l.ends();
        persons[left].kind.is_roll() && !persons[right].kind.is_roll()
    });
    let side = |left: bool| {
        let ends: BTreeSet<usize> = links
            .iter()
            .map(|l| {
                let (first, second) = l.ends();
                if left != swap {
                    first
                } else {
                    second
                }
            })
            .collect();
        ends.into_iter().map(|r| &persons[r]).collect::<Vec<_>>()
    };
    (side(true), side(false))
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
                .position(|c| *c == Column::Answer(QuestionColumn::Verdict))
                .expect("the verdict is a column"),
            options: &LinkVerdict::LABELS,
        }),
        min_widths: Vec::new(),
        printable: false,
    };
    for item in &report.screening.review {
        let Some(link) = item
            .links
            .first()
            .and_then(|&l| report.linkage.links.get(l))
        else {
            continue;
        };
        let (agree, differ): (Vec<_>, Vec<_>) = link.evidence.iter().partition(|e| e.weight > 0.0);
        let describe = |list: &[&FieldEvidence]| {
            list.iter()
                .map(|e| format!("{}:{}", e.field, e.level))
                .collect::<Vec<_>>()
                .join("; ")
        };
        let (left, right) = sides(report, item);
        // An earlier 无法确定 is shown where it was written: the question is still open.
        let earlier = report
            .verdicts
            .get(&item.question)
            .filter(|v| v.verdict == LinkVerdict::Undetermined);
        let row = columns
            .iter()
            .map(|column| match *column {
                Column::Question => Cell::text(item.question.to_string()),
                Column::Reason => Cell::text(&item.reason),
                Column::Score => Cell::Decimal(link.score),
                Column::Records => Cell::Count(left.len()),
                Column::Agreeing => Cell::text(describe(&agree)),
                Column::Differing => Cell::text(describe(&differ)),
                Column::Record(Side::Left, field) => field.cell(&left),
                Column::Record(Side::Right, field) => field.cell(&right),
                Column::Answer(answer) => {
                    Cell::text(earlier.map_or(String::new(), |v| match answer {
                        QuestionColumn::Verdict => v.verdict.label_zh().to_string(),
                        QuestionColumn::Reviewer => v.reviewer.clone(),
                        QuestionColumn::ReviewDate => v.decided_on.to_string(),
                        QuestionColumn::Note => v.note.clone().unwrap_or_default(),
                        QuestionColumn::Question => item.question.to_string(),
                    }))
                }
            })
            .collect();
        table.rows.push(row);
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_columns_are_the_question_id_and_phone_columns() {
        let columns = Column::all();
        let names: Vec<String> = text_columns(&columns)
            .into_iter()
            .map(|i| columns[i].header())
            .collect();
        assert_eq!(
            names,
            [
                "复核编号",
                "身份证号(甲)",
                "电话(甲)",
                "身份证号(乙)",
                "电话(乙)"
            ]
        );
        assert_eq!(columns.len(), 26);
        let headers: Vec<String> = columns[22..].iter().map(|c| c.header()).collect();
        assert_eq!(headers, ["复核结论", "复核人", "复核日期", "备注"]);
    }
}
