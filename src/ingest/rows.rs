//! Ingest's output: the usable rows, typed, stored compactly in the pieces they were read in.
//!
//! A county has millions of rows. Kept one allocation per row with a 32-byte value per cell
//! (`RawRecord`), a 2,400,000-resident county's rows took 4.9 GiB, and a third of ingest's
//! cpu was the kernel handing out those pages. A piece keeps its rows' cells in one vector
//! of 16-byte cells and all their text in one string: three allocations per sheet or chunk.

use std::sync::Arc;

use chrono::{Datelike, NaiveDate};

use crate::model::{Field, RawRecord, SourceFile, SourceKind, SourceRef, Value};

/// Usable rows in order (by file name, then by row), in the pieces they were read in: a
/// sheet, or a 4 MiB chunk of a text file. The pieces are handed on as they are: gathering
/// a county's nine million rows into one store would copy them, into fresh memory, once
/// per level (chunk, file, county).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rows {
    pieces: Vec<RowPiece>,
}

impl Rows {
    pub fn len(&self) -> usize {
        self.pieces.iter().map(RowPiece::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.pieces.iter().all(RowPiece::is_empty)
    }

    pub fn iter(&self) -> impl Iterator<Item = RowRef<'_>> {
        self.pieces.iter().flat_map(RowPiece::iter)
    }

    /// The `index`th row, counting across pieces.
    pub fn get(&self, mut index: usize) -> Option<RowRef<'_>> {
        for piece in &self.pieces {
            match piece.row(index) {
                Some(row) => return Some(row),
                None => index -= piece.len(),
            }
        }
        None
    }

    /// Appends a piece read after every row already here.
    pub fn push(&mut self, piece: RowPiece) {
        if !piece.is_empty() {
            self.pieces.push(piece);
        }
    }

    /// Appends rows read after every row already here.
    pub fn append(&mut self, rows: Rows) {
        self.pieces.extend(rows.pieces);
    }

    /// The memory the rows hold (what the debug log reports of ingest).
    pub fn heap_bytes(&self) -> usize {
        self.pieces
            .iter()
            .map(|p| {
                p.rows.capacity() * std::mem::size_of::<RowEnd>()
                    + p.cells.capacity() * std::mem::size_of::<StoredCell>()
                    + p.text.capacity()
            })
            .sum()
    }

    /// The pieces by value, for a consumer that frees each once it is done with it.
    pub fn into_pieces(self) -> Vec<RowPiece> {
        self.pieces
    }
}

/// Rows built by hand: consecutive rows of one kind, file and sheet share a piece.
impl From<Vec<RawRecord>> for Rows {
    fn from(records: Vec<RawRecord>) -> Rows {
        let mut rows = Rows::default();
        let mut piece: Option<RowPiece> = None;
        for record in records {
            let source = &record.source;
            let same = piece
                .as_ref()
                .is_some_and(|p| p.kind == record.kind && p.origin == *source.origin());
            if !same {
                rows.extend(piece.replace(RowPiece::new(record.kind, source.origin().clone())));
            }
            let p = piece.as_mut().expect("set above");
            for (field, value) in &record.fields {
                p.push_cell(*field, value);
            }
            p.finish_row(source.row);
        }
        rows.extend(piece);
        rows
    }
}

impl From<RowPiece> for Rows {
    fn from(piece: RowPiece) -> Rows {
        let mut rows = Rows::default();
        rows.push(piece);
        rows
    }
}

impl Extend<RowPiece> for Rows {
    fn extend<I: IntoIterator<Item = RowPiece>>(&mut self, pieces: I) {
        pieces.into_iter().for_each(|piece| self.push(piece));
    }
}

/// The rows of one stretch of one table (a sheet, or a chunk of a text file): one kind, one
/// file, one sheet. Rows are built a cell at a time (`push_cell`), then kept
/// (`finish_row`) or dropped (`discard_row`).
#[derive(Debug, Clone, PartialEq)]
pub struct RowPiece {
    kind: SourceKind,
    /// Shared by every row's `SourceRef`.
    origin: Arc<SourceFile>,
    /// Per finished row: its row number in the file and where its cells end in `cells`.
    rows: Vec<RowEnd>,
    /// Every row's cells, a row's in field order; then the unfinished row's.
    cells: Vec<StoredCell>,
    /// The text of every text cell, back to back.
    text: String,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct RowEnd {
    row: u32,
    cells_end: u32,
}

/// A typed cell in 16 bytes; what `small` and `wide` hold depends on `tag`: a text's length
/// and offset into the piece's text, a date's days from the common era, an amount's bits,
/// a flag.
#[derive(Debug, Clone, Copy, PartialEq)]
struct StoredCell {
    field: Field,
    tag: Tag,
    small: u32,
    wide: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Text,
    Date,
    Amount,
    Bool,
}

impl RowPiece {
    pub fn new(kind: SourceKind, origin: Arc<SourceFile>) -> Self {
        RowPiece {
            kind,
            origin,
            rows: Vec::new(),
            cells: Vec::new(),
            text: String::new(),
        }
    }

    /// Room for `rows` more rows, `cells` cells and `text` bytes of their text; reserved
    /// room is not touched (nor resident) until written.
    pub fn reserve(&mut self, rows: usize, cells: usize, text: usize) {
        self.rows.reserve(rows);
        self.cells.reserve(cells);
        self.text.reserve(text);
    }

    /// This piece's rows, leaving it empty for more rows of the same table.
    pub fn take(&mut self) -> RowPiece {
        let empty = RowPiece::new(self.kind, self.origin.clone());
        std::mem::replace(self, empty)
    }

    pub fn kind(&self) -> SourceKind {
        self.kind
    }

    /// The file (and sheet) the rows came from.
    pub fn origin(&self) -> &Arc<SourceFile> {
        &self.origin
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn row(&self, index: usize) -> Option<RowRef<'_>> {
        (index < self.rows.len()).then_some(RowRef { piece: self, index })
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = RowRef<'_>> {
        (0..self.rows.len()).map(|index| RowRef { piece: self, index })
    }

    /// Adds a cell to the unfinished row. Cells come in field order, at most one per field.
    pub fn push_cell<T: AsRef<str>>(&mut self, field: Field, value: &Value<T>) {
        let (tag, small, wide) = match value {
            Value::Text(text) => {
                let text = text.as_ref();
                let start = self.text.len() as u64;
                self.text.push_str(text);
                // A cell is bounded by `max_cell_chars`, far below 4 GiB.
                let len = u32::try_from(text.len()).expect("a cell under 4 GiB");
                (Tag::Text, len, start)
            }
            Value::Date(date) => (Tag::Date, date.num_days_from_ce() as u32, 0),
            Value::Amount(amount) => (Tag::Amount, 0, amount.to_bits()),
            Value::Bool(flag) => (Tag::Bool, u32::from(*flag), 0),
        };
        self.cells.push(StoredCell {
            field,
            tag,
            small,
            wide,
        });
    }

    /// The fields of the unfinished row's cells.
    pub fn unfinished_fields(&self) -> impl Iterator<Item = Field> + '_ {
        self.cells[self.finished_cells()..].iter().map(|c| c.field)
    }

    /// Keeps the unfinished row as the file's row `row`.
    pub fn finish_row(&mut self, row: u32) {
        let cells_end = u32::try_from(self.cells.len()).expect("a piece under 4 G cells");
        self.rows.push(RowEnd { row, cells_end });
    }

    /// Drops the unfinished row's cells (the row was rejected).
    pub fn discard_row(&mut self) {
        let start = self.finished_cells();
        if let Some(first_text) = self.cells[start..].iter().find(|c| c.tag == Tag::Text) {
            self.text.truncate(first_text.wide as usize);
        }
        self.cells.truncate(start);
    }

    fn finished_cells(&self) -> usize {
        self.rows.last().map_or(0, |r| r.cells_end as usize)
    }
}

/// One usable row, read from its piece: its cells typed and keyed by canonical field;
/// empty cells are absent.
#[derive(Debug, Clone, Copy)]
pub struct RowRef<'a> {
    piece: &'a RowPiece,
    index: usize,
}

impl<'a> RowRef<'a> {
    pub fn kind(&self) -> SourceKind {
        self.piece.kind
    }

    pub fn file(&self) -> &'a str {
        &self.piece.origin.file
    }

    pub fn sheet(&self) -> Option<&'a str> {
        self.piece.origin.sheet.as_deref()
    }

    /// The row's number in its file (or sheet).
    pub fn row(&self) -> u32 {
        self.piece.rows[self.index].row
    }

    pub fn source(&self) -> SourceRef {
        SourceRef::at(&self.piece.origin, self.row())
    }

    /// The row's cells in field order.
    pub fn fields(&self) -> impl Iterator<Item = (Field, Value<&'a str>)> + 'a {
        let piece = self.piece;
        self.cells().iter().map(move |c| (c.field, piece.value(c)))
    }

    /// Whether this row and `other` hold the same cells, those of the `skipped` fields
    /// aside (compared as stored: text by its bytes).
    pub fn same_cells_but(&self, other: &RowRef<'a>, skipped: &[Field]) -> bool {
        let kept = |row: &RowRef<'a>| {
            let piece = row.piece;
            row.cells()
                .iter()
                .filter(|c| !skipped.contains(&c.field))
                .map(move |c| (c.field, piece.value(c)))
        };
        kept(self).eq(kept(other))
    }

    pub fn get(&self, field: Field) -> Option<Value<&'a str>> {
        let cells = self.cells();
        // A row has a dozen cells or so: a scan beats a binary search.
        let cell = cells.iter().find(|c| c.field == field)?;
        Some(self.piece.value(cell))
    }

    pub fn text(&self, field: Field) -> Option<&'a str> {
        match self.get(field)? {
            Value::Text(text) => Some(text),
            _ => None,
        }
    }

    /// The field's text, trimmed; `None` when absent or blank.
    pub fn trimmed(&self, field: Field) -> Option<&'a str> {
        self.text(field).map(str::trim).filter(|s| !s.is_empty())
    }

    pub fn date(&self, field: Field) -> Option<NaiveDate> {
        self.get(field)?.as_date()
    }

    pub fn amount(&self, field: Field) -> Option<f64> {
        self.get(field)?.as_amount()
    }

    pub fn flag(&self, field: Field) -> Option<bool> {
        self.get(field)?.as_bool()
    }

    fn cells(&self) -> &'a [StoredCell] {
        let rows = &self.piece.rows;
        let start = match self.index {
            0 => 0,
            i => rows[i - 1].cells_end as usize,
        };
        &self.piece.cells[start..rows[self.index].cells_end as usize]
    }
}

impl RowPiece {
    fn value(&self, cell: &StoredCell) -> Value<&str> {
        match cell.tag {
            Tag::Text => {
                let start = cell.wide as usize;
                Value::Text(&self.text[start..start + cell.small as usize])
            }
            Tag::Date => Value::Date(
                NaiveDate::from_num_days_from_ce_opt(cell.small as i32)
                    .expect("stored from a date"),
            ),
            Tag::Amount => Value::Amount(f64::from_bits(cell.wide)),
            Tag::Bool => Value::Bool(cell.small != 0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(file: &str, row: u32, fields: Vec<(Field, Value)>) -> RawRecord {
        RawRecord {
            kind: SourceKind::Medical,
            source: SourceRef::new(file, None, row),
            fields,
        }
    }

    #[test]
    fn rows_keep_their_cells_typed_and_in_order_across_pieces() {
        let date = NaiveDate::from_ymd_opt(2021, 3, 4).unwrap();
        let mut rows = Rows::from(vec![
            record(
                "a.csv",
                2,
                vec![
                    (Field::Name, Value::Text("张三".into())),
                    (
                        Field::Address,
                        Value::Text("城关镇东街村一组 12 号院内".into()),
                    ),
                    (Field::SettlementDate, Value::Date(date)),
                    (Field::OutOfPocket, Value::Amount(-12.5)),
                ],
            ),
            record("a.csv", 3, vec![(Field::Name, Value::Text("李四".into()))]),
        ]);
        rows.append(Rows::from(vec![record(
            "b.csv",
            7,
            vec![(Field::RiskCleared, Value::Bool(true))],
        )]));
        rows.append(Rows::default());
        assert_eq!(rows.len(), 3);
        assert!(!rows.is_empty() && Rows::default().is_empty());
        let sources: Vec<String> = rows.iter().map(|r| r.source().to_string()).collect();
        assert_eq!(sources, ["a.csv#2", "a.csv#3", "b.csv#7"]);

        let first = rows.get(0).unwrap();
        assert_eq!(
            first.text(Field::Address),
            Some("城关镇东街村一组 12 号院内")
        );
        assert_eq!(first.date(Field::SettlementDate), Some(date));
        assert_eq!(first.amount(Field::OutOfPocket), Some(-12.5));
        assert_eq!(first.text(Field::IdNumber), None);
        assert_eq!(first.fields().count(), 4);
        assert_eq!(rows.get(1).unwrap().text(Field::Name), Some("李四"));
        assert_eq!(rows.get(2).unwrap().flag(Field::RiskCleared), Some(true));
        assert!(rows.get(3).is_none());
    }

    #[test]
    fn a_discarded_row_leaves_no_cells_or_text_behind() {
        let mut piece = RowPiece::new(SourceKind::Dibao, SourceFile::shared("低保.xlsx", None));
        piece.push_cell(Field::Name, &Value::Text("王五"));
        piece.finish_row(2);
        piece.push_cell(Field::Name, &Value::Text("被拒的行"));
        piece.push_cell(Field::Amount, &Value::<&str>::Amount(3.0));
        assert_eq!(piece.unfinished_fields().count(), 2);
        piece.discard_row();
        piece.push_cell(Field::Name, &Value::Text("赵六"));
        piece.finish_row(4);
        let names: Vec<_> = piece
            .iter()
            .map(|r| (r.row(), r.text(Field::Name)))
            .collect();
        assert_eq!(names, [(2, Some("王五")), (4, Some("赵六"))]);
        assert_eq!(piece.text, "王五赵六");
        assert_eq!(piece.iter().nth(1).unwrap().fields().count(), 1);
    }
}
