//! `服务问题线索.xlsx/.csv`: the county's list of complaints about how assistance was handled
//! (R07). They concern a township's staff, so the township's own list never holds them; the
//! county reads them, and the complainant's ID is masked.

use super::table::{Cell, Table};
use super::RunReport;
use crate::mask::mask_id;
use crate::model::{ConductColumn, Suspect};
use crate::rules::conduct_request;

/// One row, in the order of `ConductColumn::ALL`.
fn row(clue: &Suspect) -> Vec<Cell> {
    let request = conduct_request(clue);
    let text = |t: Option<&str>| Cell::text(t.unwrap_or_default());
    ConductColumn::ALL
        .into_iter()
        .map(|column| match column {
            ConductColumn::ClueId => Cell::text(&clue.clue_id),
            ConductColumn::Township => text(clue.township.as_deref()),
            ConductColumn::Complainant => Cell::text(&clue.name),
            ConductColumn::IdNumber => {
                Cell::text(clue.id_number.as_deref().map(mask_id).unwrap_or_default())
            }
            ConductColumn::Date => Cell::text(
                request
                    .and_then(|r| r.date)
                    .map(|d| d.format("%Y-%m-%d").to_string())
                    .unwrap_or_default(),
            ),
            // The type says what a bare content does not: 投诉, 求助 …
            ConductColumn::Content => {
                let kind = request.and_then(|r| r.kind.as_deref());
                let content = request.and_then(|r| r.content.as_deref());
                Cell::text(match (kind, content) {
                    (Some(k), Some(c)) => format!("[{k}] {c}"),
                    (k, c) => c.or(k).unwrap_or_default().to_string(),
                })
            }
            ConductColumn::Handling => text(request.and_then(|r| r.status.as_deref())),
            ConductColumn::SourceRefs => {
                let refs: Vec<String> = clue.source_refs.iter().map(|r| r.to_string()).collect();
                Cell::text(refs.join(";"))
            }
        })
        .collect()
}

pub(crate) fn table(report: &RunReport<'_>) -> Table {
    let mut table = Table::new("服务问题线索", &ConductColumn::HEADERS);
    table.text_columns = [
        ConductColumn::ClueId,
        ConductColumn::IdNumber,
        ConductColumn::SourceRefs,
    ]
    .map(ConductColumn::index)
    .to_vec();
    table.min_widths = vec![(ConductColumn::Content.index(), 40.0)];
    table.printable = true;
    table.rows = report.screening.conduct.iter().map(row).collect();
    table
}
