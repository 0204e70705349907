//! `拒收记录.xlsx/.csv`: every input file, sheet or row that could not be used — from ingest
//! and from normalise — with its source reference and the reason. Nothing is dropped
//! silently (SPEC 7).

use super::table::{Cell, Table};
use super::{RunReport, REJECTS};
use crate::model::Reject;

const COLUMNS: [&str; 7] = ["来源记录", "文件", "工作表", "行号", "来源", "环节", "原因"];

fn row(reject: &Reject, stage: &str) -> Vec<Cell> {
    vec![
        Cell::text(reject.reference()),
        Cell::text(reject.file.as_str()),
        Cell::text(reject.sheet.as_deref().unwrap_or("")),
        match reject.row {
            Some(row) => Cell::Count(row as usize),
            None => Cell::text("整个文件/工作表"),
        },
        Cell::text(reject.kind.map(|k| k.label_zh()).unwrap_or("未识别")),
        Cell::text(stage),
        Cell::text(reject.reason.as_str()),
    ]
}

pub(crate) fn table(report: &RunReport<'_>) -> Table {
    let mut table = Table::new(REJECTS, &COLUMNS);
    table.text_columns = vec![0];
    table.rows = report
        .ingest
        .rejects
        .iter()
        .map(|r| row(r, "读取"))
        .chain(report.normalised.rejects.iter().map(|r| row(r, "标准化")))
        .collect();
    table
}
