//! Files read into plain rows of cells, without looking for a header or mapping fields: for
//! files whose header is known exactly, such as the township lists that `review` reads back.
//! What makes a file readable is ingest's own: the size limits, workbook or text by
//! extension, the workbook formats calamine knows, and the text encodings `text::decode`
//! detects (UTF-8 with or without BOM, GB18030/GBK, UTF-16).

use std::ops::ControlFlow;
use std::path::Path;

use calamine::{Data, Range};

use crate::config::InputLimits;

use super::table::Row;
use super::values::Cell;
use super::{is_workbook, read_bytes, text, workbook, FileError};

/// One sheet of a workbook, or the one table of a text file.
pub struct Grid {
    /// The sheet's name; `None` for a text file.
    pub sheet: Option<String>,
    body: Body,
}

enum Body {
    Sheet(Range<Data>),
    Text {
        text: String,
        delimiter: u8,
        /// Decoded with replacement characters: rows holding one are refused.
        lossy: bool,
    },
}

/// A sheet of a workbook that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenSheet {
    pub sheet: String,
    pub message: String,
}

/// Reads the file `path` (shown as `name`) into its sheets, in workbook order. Text files are
/// split on `delimiter` rather than a detected one: the caller knows what it wrote.
pub fn read_grids(
    name: &str,
    path: &Path,
    limits: &InputLimits,
    delimiter: u8,
) -> Result<Vec<Result<Grid, BrokenSheet>>, FileError> {
    let bytes = read_bytes(name, path, limits)?;
    if is_workbook(name, &bytes) {
        let sheets = workbook::read_ranges(&bytes, name, limits)?;
        return Ok(sheets
            .into_iter()
            .map(|(sheet, range)| match range {
                Ok(range) => Ok(Grid {
                    sheet: Some(sheet),
                    body: Body::Sheet(range),
                }),
                Err(message) => Err(BrokenSheet { sheet, message }),
            })
            .collect());
    }
    let (decoded, encoding) = text::decode(&bytes, name)?;
    Ok(vec![Ok(Grid {
        sheet: None,
        body: Body::Text {
            text: decoded.into_owned(),
            delimiter,
            lossy: text::is_lossy(encoding),
        },
    })])
}

impl Grid {
    /// Every row with its physical 1-based number — blank rows included, a sheet's rows from
    /// the first one used — as its cells (text trimmed) or why the reader refuses it.
    /// `visit` may stop the reading.
    pub fn for_each_row(
        &self,
        limits: &InputLimits,
        mut visit: impl FnMut(u32, Result<&[Cell<'_>], String>) -> ControlFlow<()>,
    ) {
        match &self.body {
            Body::Sheet(range) => {
                let first_row = range.start().map_or(0, |(row, _)| row) + 1;
                for (i, row) in range.rows().enumerate() {
                    let cells: Vec<Cell<'_>> = (0..row.width()).map(|c| row.cell(c)).collect();
                    if visit(first_row + i as u32, Ok(&cells)).is_break() {
                        return;
                    }
                }
            }
            Body::Text {
                text,
                delimiter,
                lossy,
            } => text::for_each_record(text, *delimiter, *lossy, limits, visit),
        }
    }
}
