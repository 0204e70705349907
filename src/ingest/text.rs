//! Delimited text (.csv, .tsv, .txt): the encoding (UTF-8, UTF-8 with BOM, GB18030/GBK,
//! UTF-16 from Excel's "Unicode text") and the delimiter are detected, not configured.

use std::borrow::Cow;
use std::ops::{ControlFlow, Range};

use encoding_rs::{GB18030, UTF_16BE, UTF_16LE};
use rayon::prelude::*;

use crate::config::{InputLimits, SourceSpec};

use super::recognise::{Context, Vocabulary};
use super::table::{
    header_texts, locate_header, undecodable_row, Row, TableReader, HEADER_SCAN_ROWS, HEAD_ROWS,
};
use super::values::Cell;
use super::{FileError, Rows, SheetOutput};
use crate::lang::pick;
use crate::tr;

const DELIMITERS: [u8; 4] = [b',', b'\t', b';', b'|'];

/// How far into a file NUL bytes betray a binary file.
const SNIFF_BYTES: usize = 8192;

/// Decodes the whole file; the name of the encoding goes into the file report.
pub fn decode<'a>(bytes: &'a [u8], file: &str) -> Result<(Cow<'a, str>, &'static str), FileError> {
    match decode_marked(bytes, file) {
        Some(decoded) => decoded,
        None => decode_unmarked(bytes, file),
    }
}

/// A file whose encoding its first bytes or a strict UTF-8 check decide: a byte-order mark,
/// binary content, or valid UTF-8. `None` for anything else: GB18030, or damaged text.
fn decode_marked<'a>(
    bytes: &'a [u8],
    file: &str,
) -> Option<Result<(Cow<'a, str>, &'static str), FileError>> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return Some(Ok(match std::str::from_utf8(rest) {
            Ok(text) => (Cow::Borrowed(text), "utf-8-bom"),
            Err(_) => (String::from_utf8_lossy(rest), lossy(LOSSY_UTF8_BOM)),
        }));
    }
    for (bom, encoding, name) in [
        (&b"\xFF\xFE"[..], UTF_16LE, "utf-16le"),
        (&b"\xFE\xFF"[..], UTF_16BE, "utf-16be"),
    ] {
        if let Some(rest) = bytes.strip_prefix(bom) {
            return Some(
                encoding
                    .decode_without_bom_handling_and_without_replacement(rest)
                    .map(|text| (text, name))
                    .ok_or_else(|| undecodable(file)),
            );
        }
    }
    if looks_binary(bytes) {
        return Some(Err(FileError::Binary {
            file: file.to_string(),
        }));
    }
    std::str::from_utf8(bytes)
        .ok()
        .map(|text| Ok((Cow::Borrowed(text), "utf-8")))
}

/// A file without a byte-order mark that is not valid UTF-8: strict GB18030, else whichever
/// of UTF-8 and GB18030 needs fewer replacements.
fn decode_unmarked<'a>(
    bytes: &'a [u8],
    file: &str,
) -> Result<(Cow<'a, str>, &'static str), FileError> {
    if let Some(text) = GB18030.decode_without_bom_handling_and_without_replacement(bytes) {
        return Ok((text, "gb18030"));
    }
    // A few bad bytes (a truncated copy, a stray byte from another encoding) cost only the
    // rows they are in: those rows hold U+FFFD and are rejected one by one. The encoding
    // that needs fewer replacements is the file's.
    let utf8 = String::from_utf8_lossy(bytes);
    let (gb, _) = GB18030.decode_without_bom_handling(bytes);
    let bad = |t: &str| {
        t.chars()
            .filter(|c| *c == char::REPLACEMENT_CHARACTER)
            .count()
    };
    let (text, name) = if bad(&utf8) <= bad(&gb) {
        (utf8, lossy(LOSSY_UTF8))
    } else {
        (gb, lossy(LOSSY_GB18030))
    };
    // Mostly undecodable: not a text table in any encoding loubao reads.
    if bad(&text) * 20 > text.chars().count().max(1) {
        return Err(undecodable(file));
    }
    Ok((text, name))
}

fn undecodable(file: &str) -> FileError {
    FileError::Undecodable {
        file: file.to_string(),
    }
}

/// Text in an 8-bit or UTF-8 encoding has no NUL or other C0 control bytes but tab and line
/// ends, bar a stray one (stripped later as a control character); a binary file or UTF-16
/// without a BOM has many.
fn looks_binary(bytes: &[u8]) -> bool {
    let sniff = &bytes[..bytes.len().min(SNIFF_BYTES)];
    let controls = sniff
        .iter()
        .filter(|b| **b < 0x20 && !matches!(**b, b'\t' | b'\n' | b'\r'))
        .count();
    controls * 100 > sniff.len()
}

/// Encoding names of files decoded with some bytes replaced (their rows are rejected).
/// In Chinese and English: the name is what `check` prints.
const LOSSY_UTF8: [&str; 2] = ["utf-8 (含无法识别的字节)", "utf-8 (with undecodable bytes)"];
const LOSSY_UTF8_BOM: [&str; 2] = [
    "utf-8-bom (含无法识别的字节)",
    "utf-8-bom (with undecodable bytes)",
];
const LOSSY_GB18030: [&str; 2] = [
    "gb18030 (含无法识别的字节)",
    "gb18030 (with undecodable bytes)",
];

fn lossy(name: [&'static str; 2]) -> &'static str {
    pick(name[0], name[1])
}

/// The file was decoded with replacements: rows holding U+FFFD are rejected.
pub fn is_lossy(encoding: &str) -> bool {
    [LOSSY_UTF8, LOSSY_UTF8_BOM, LOSSY_GB18030]
        .iter()
        .flatten()
        .any(|name| *name == encoding)
}

/// Picks the delimiter that splits the first lines into the most consistent number of
/// fields; title lines without any delimiter do not vote. `.tsv` breaks ties towards tab.
pub fn detect_delimiter(text: &str, prefer_tab: bool) -> u8 {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(HEADER_SCAN_ROWS)
        .collect();
    let mut best = (if prefer_tab { b'\t' } else { b',' }, 0usize);
    for delim in DELIMITERS {
        let mut counts: Vec<usize> = lines
            .iter()
            .map(|l| l.bytes().filter(|b| *b == delim).count())
            .filter(|n| *n > 0)
            .collect();
        counts.sort_unstable();
        // The most frequent field count, weighted by how many fields it gives.
        let mut score = 0;
        for run in counts.chunk_by(|a, b| a == b) {
            score = score.max(run.len() * (run[0] + 1));
        }
        if score > best.1 || (score == best.1 && score > 0 && prefer_tab && delim == b'\t') {
            best = (delim, score);
        }
    }
    best.0
}

/// One delimited record, its fields unquoted into a reused buffer.
#[derive(Debug, Clone, Default)]
pub struct Record {
    buf: String,
    /// Where the buffer's last field began.
    field_start: usize,
    /// Each field's text in `buf` as `Cell::text` trims it, found once: a row's cells are
    /// read several times (classified, bounded, typed).
    cells: Vec<(usize, usize)>,
}

impl Row for Record {
    fn width(&self) -> usize {
        self.cells.len()
    }
    fn cell(&self, col: usize) -> Cell<'_> {
        match self.cells.get(col) {
            Some(&(start, end)) if start < end => Cell::Text(&self.buf[start..end]),
            _ => Cell::Empty,
        }
    }
}

/// What the splitter found at the next physical line.
#[derive(Debug, PartialEq, Eq)]
enum Next {
    /// A record starting at this 1-based line (quoted fields may span lines).
    Record(u32),
    /// A record longer than the limit starting at this line; skipped up to its line end.
    TooLong(u32),
    End,
}

/// Splits delimited text into records with their physical line numbers. Quotes follow RFC
/// 4180 (`""` inside quotes); a stray quote inside an unquoted field is kept as text.
/// The csv crate is not used because its line positions drift on CRLF and blank lines.
struct Splitter<'a> {
    text: &'a str,
    pos: usize,
    line: u32,
    delimiter: u8,
    max_bytes: usize,
}

impl<'a> Splitter<'a> {
    fn next(&mut self, record: &mut Record) -> Next {
        self.advance(Some(record))
    }

    /// Moves past the next record without keeping its cells: finds where records start.
    fn skip(&mut self) -> Next {
        self.advance(None)
    }

    /// The next record, its cells into `record` when given. One state machine for reading
    /// and for skipping, so that both agree on every record boundary and line number.
    fn advance(&mut self, mut record: Option<&mut Record>) -> Next {
        let bytes = self.text.as_bytes();
        if self.pos >= bytes.len() {
            return Next::End;
        }
        if let Some(record) = record.as_deref_mut() {
            record.buf.clear();
            record.field_start = 0;
            record.cells.clear();
        }
        let start = self.pos;
        let first_line = self.line + 1;
        let mut i = start;
        let mut in_quotes = false;
        let mut at_field_start = true;
        let mut newlines = 0;
        let mut seg = i;
        loop {
            if i - start > self.max_bytes {
                // Resume after the physical line the record started on.
                let line_end = bytes[start..]
                    .iter()
                    .position(|b| *b == b'\n' || *b == b'\r')
                    .map_or(bytes.len(), |p| {
                        let at = start + p;
                        if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
                            at + 2
                        } else {
                            at + 1
                        }
                    });
                self.pos = line_end;
                self.line = first_line;
                return Next::TooLong(first_line);
            }
            let Some(&b) = bytes.get(i) else {
                push_text(&mut record, &self.text[seg..i]);
                end_cell(&mut record);
                self.pos = i;
                self.line = first_line + newlines;
                return Next::Record(first_line);
            };
            if in_quotes {
                match b {
                    b'"' if bytes.get(i + 1) == Some(&b'"') => {
                        push_text(&mut record, &self.text[seg..=i]);
                        i += 2;
                        seg = i;
                    }
                    b'"' => {
                        push_text(&mut record, &self.text[seg..i]);
                        in_quotes = false;
                        i += 1;
                        seg = i;
                    }
                    b'\n' => {
                        newlines += 1;
                        i += 1;
                    }
                    // A bare CR (old Mac line end) is a line too.
                    b'\r' if bytes.get(i + 1) != Some(&b'\n') => {
                        newlines += 1;
                        i += 1;
                    }
                    // Inside quotes only a quote or a line end matters: on to the next.
                    _ => {
                        i += 1 + memchr::memchr3(b'"', b'\n', b'\r', &bytes[i + 1..])
                            .unwrap_or(bytes.len() - i - 1)
                    }
                }
                continue;
            }
            if b == b'"' && at_field_start {
                in_quotes = true;
                at_field_start = false;
                i += 1;
                seg = i;
            } else if b == self.delimiter {
                push_text(&mut record, &self.text[seg..i]);
                end_cell(&mut record);
                at_field_start = true;
                i += 1;
                seg = i;
            } else if b == b'\n' || b == b'\r' {
                // `\n`, `\r\n` and a bare `\r` all end the line, as spreadsheets read them.
                let after = if b == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                    i + 2
                } else {
                    i + 1
                };
                push_text(&mut record, &self.text[seg..i]);
                end_cell(&mut record);
                self.pos = after;
                self.line = first_line + newlines;
                return Next::Record(first_line);
            } else {
                // The rest of an unquoted cell holds no quote that matters: on to its end.
                at_field_start = false;
                i += 1 + memchr::memchr3(self.delimiter, b'\n', b'\r', &bytes[i + 1..])
                    .unwrap_or(bytes.len() - i - 1);
            }
        }
    }
}

fn push_text(record: &mut Option<&mut Record>, text: &str) {
    if let Some(record) = record {
        record.buf.push_str(text);
    }
}

fn end_cell(record: &mut Option<&mut Record>) {
    if let Some(record) = record {
        let (start, end) = (record.field_start, record.buf.len());
        let span = match Cell::text(&record.buf[start..end]) {
            Cell::Text(t) => {
                let at = t.as_ptr() as usize - record.buf.as_ptr() as usize;
                (at, at + t.len())
            }
            _ => (end, end),
        };
        record.cells.push(span);
        record.field_start = end;
    }
}

/// Bytes of text per chunk read in parallel: a large claim-line export is split at record
/// boundaries, and the chunks are typed on every core.
const CHUNK_BYTES: usize = 4 << 20;

/// Where the chunks of `text` from `start` begin: (byte position, lines before it), each at
/// a record boundary found by the same splitter that reads them.
fn chunk_starts(
    text: &str,
    (start, line): (usize, u32),
    delimiter: u8,
    max_bytes: usize,
    chunk_bytes: usize,
) -> Vec<(usize, u32)> {
    if every_line_a_record(&text.as_bytes()[start..]) {
        line_starts(text.as_bytes(), (start, line), chunk_bytes)
    } else {
        scanned_starts(text, (start, line), delimiter, max_bytes, chunk_bytes)
    }
}

/// `chunk_starts` by running the splitter over the text.
fn scanned_starts(
    text: &str,
    (start, line): (usize, u32),
    delimiter: u8,
    max_bytes: usize,
    chunk_bytes: usize,
) -> Vec<(usize, u32)> {
    let mut starts = vec![(start, line)];
    let mut scanner = Splitter {
        text,
        pos: start,
        line,
        delimiter,
        max_bytes,
    };
    let mut next_cut = start + chunk_bytes;
    // No cut can fall past the end: the last chunk (and a small file) is never scanned.
    while next_cut < text.len() && scanner.skip() != Next::End {
        if scanner.pos >= next_cut && scanner.pos < text.len() {
            starts.push((scanner.pos, scanner.line));
            next_cut = scanner.pos + chunk_bytes;
        }
    }
    starts
}

/// Without quotes (no field spans lines) and without bare CRs, every line is a record and
/// every line feed ends one: what the splitter would find, without running it over the file.
fn every_line_a_record(bytes: &[u8]) -> bool {
    memchr::memchr(b'"', bytes).is_none()
        && memchr::memchr_iter(b'\r', bytes).all(|at| bytes.get(at + 1) == Some(&b'\n'))
}

/// `chunk_starts` for text where every line is a record: each cut just after a line feed.
fn line_starts(bytes: &[u8], (start, line): (usize, u32), chunk_bytes: usize) -> Vec<(usize, u32)> {
    let mut starts = vec![(start, line)];
    let (mut at, mut lines) = (start, line);
    loop {
        // The first line start at or past `at + chunk_bytes`, short of the end.
        let from = (at + chunk_bytes - 1).min(bytes.len());
        let Some(feed) = memchr::memchr(b'\n', &bytes[from..]) else {
            break;
        };
        let cut = from + feed + 1;
        if cut >= bytes.len() {
            break;
        }
        lines += memchr::memchr_iter(b'\n', &bytes[at..cut]).count() as u32;
        starts.push((cut, lines));
        at = cut;
    }
    starts
}

/// Reads one delimited text file into a single table.
pub fn read_text(
    bytes: &[u8],
    file: &str,
    spec: &SourceSpec,
    limits: &InputLimits,
    vocabulary: &Vocabulary,
) -> Result<(&'static str, SheetOutput), FileError> {
    let (text, encoding) = match decode_marked(bytes, file) {
        Some(decoded) => decoded?,
        None => {
            if let Some(read) = read_gb18030_in_chunks(bytes, file, spec, limits, vocabulary) {
                return read;
            }
            decode_unmarked(bytes, file)?
        }
    };
    let (table, after_head, delimiter) =
        read_head(&text, file, encoding, spec, limits, vocabulary)?;
    let starts = chunk_starts(
        &text,
        after_head,
        delimiter,
        limits.max_line_bytes,
        CHUNK_BYTES,
    );
    let chunks: Vec<TableReader<'_>> = starts
        .par_iter()
        .enumerate()
        .map(|(i, &start)| {
            let next = starts.get(i + 1);
            let end = next.map_or(text.len(), |&(p, _)| p);
            let next_line = next.map(|&(_, l)| l);
            read_records(
                table.fork(),
                &text[..end],
                start,
                next_line,
                delimiter,
                limits,
            )
        })
        .collect();
    Ok((encoding, finish(table, chunks)))
}

/// A file `decode_marked` left undecided, when it is GB18030 text where every line is a
/// record (no quotes, no bare CRs: the usual claim-line export) and larger than a chunk,
/// read without decoding the whole file first: its bytes are cut at line feeds (never part
/// of a GB18030 multi-byte character) and each chunk is decoded by the worker that reads
/// it. The decoding runs on every core, and the file's whole text never exists at once.
/// `None` for any other file, or when a chunk is not strict GB18030; `decode_unmarked` then
/// decides what the file is, as it always has.
fn read_gb18030_in_chunks(
    bytes: &[u8],
    file: &str,
    spec: &SourceSpec,
    limits: &InputLimits,
    vocabulary: &Vocabulary,
) -> Option<Result<(&'static str, SheetOutput), FileError>> {
    if bytes.len() <= CHUNK_BYTES || !every_line_a_record(bytes) {
        return None;
    }
    let strict = |range: Range<usize>| {
        GB18030.decode_without_bom_handling_and_without_replacement(&bytes[range])
    };
    let cuts = line_starts(bytes, (0, 0), CHUNK_BYTES);
    let first_end = cuts.get(1).map_or(bytes.len(), |&(p, _)| p);
    let first = strict(0..first_end)?;
    // The delimiter and the header are found in the first lines: they must all lie in the
    // first chunk, as they would in the whole text.
    if first.lines().take(HEAD_ROWS + 1).count() <= HEAD_ROWS {
        return None;
    }
    let encoding = "gb18030";
    let (table, after_head, delimiter) =
        match read_head(&first, file, encoding, spec, limits, vocabulary) {
            Ok(head) => head,
            Err(error) => return Some(Err(error)),
        };
    let chunks: Option<Vec<TableReader<'_>>> = cuts
        .par_iter()
        .enumerate()
        .map(|(i, &(start, line))| {
            let part = table.fork();
            let next = cuts.get(i + 1);
            let next_line = next.map(|&(_, l)| l);
            if i == 0 {
                return Some(read_records(
                    part, &first, after_head, next_line, delimiter, limits,
                ));
            }
            let end = next.map_or(bytes.len(), |&(p, _)| p);
            let text = strict(start..end)?;
            Some(read_records(
                part,
                &text,
                (0, line),
                next_line,
                delimiter,
                limits,
            ))
        })
        .collect();
    Some(Ok((encoding, finish(table, chunks?))))
}

/// Finds the delimiter and the header among the first rows of `text`; the rows after the
/// header among them are read as data. Returns the table, where reading goes on (byte
/// position, lines before it) and the delimiter.
fn read_head<'a>(
    text: &str,
    file: &'a str,
    encoding: &str,
    spec: &SourceSpec,
    limits: &'a InputLimits,
    vocabulary: &Vocabulary,
) -> Result<(TableReader<'a>, (usize, u32), u8), FileError> {
    let prefer_tab = file.to_lowercase().ends_with(".tsv");
    let mut splitter = Splitter {
        text,
        pos: 0,
        line: 0,
        delimiter: detect_delimiter(text, prefer_tab),
        max_bytes: limits.max_line_bytes,
    };
    let mut head: Vec<(Next, Record)> = Vec::with_capacity(HEAD_ROWS);
    let mut record = Record::default();
    while head.len() < HEAD_ROWS {
        match splitter.next(&mut record) {
            Next::End => break,
            next => head.push((next, record.clone())),
        }
    }
    let head_text: Vec<Vec<String>> = head.iter().map(|(_, r)| header_texts(r, limits)).collect();
    let ctx = Context {
        kind: spec.kind,
        overrides: &spec.columns,
        vocabulary,
    };
    let header = locate_header(&ctx, &head_text).ok_or_else(|| FileError::NoHeader {
        file: file.to_string(),
    })?;
    let header_index = header.row;
    let header_line = match head[header_index].0 {
        Next::Record(line) | Next::TooLong(line) => line,
        Next::End => 0,
    };
    let mut table = TableReader::new(spec.kind, file, None, None, header, header_line, limits);
    table.reject_undecodable = is_lossy(encoding);
    for (next, rec) in &head[header_index + 1..] {
        push(&mut table, next, rec, limits);
    }
    Ok((table, (splitter.pos, splitter.line), splitter.delimiter))
}

/// Reads the records of `text` from `start` (byte position, lines before it) to its end,
/// where the next chunk starts at line `next_line` (`None`: the last chunk).
fn read_records<'a>(
    mut part: TableReader<'a>,
    text: &str,
    (pos, line): (usize, u32),
    next_line: Option<u32>,
    delimiter: u8,
    limits: &InputLimits,
) -> TableReader<'a> {
    let mut splitter = Splitter {
        text,
        pos,
        line,
        delimiter,
        max_bytes: limits.max_line_bytes,
    };
    // Room for every line's cells and text at once: grown by doubling instead, a chunk's
    // cell lists are copied on the way. The chunk starts know every chunk's lines but the
    // last one's.
    let rest = &text.as_bytes()[pos.min(text.len())..];
    let lines = match next_line {
        Some(next) => next.saturating_sub(line) as usize,
        None => memchr::memchr_iter(b'\n', rest).count() + 1,
    };
    part.reserve(lines, rest.len());
    let mut record = Record::default();
    loop {
        match splitter.next(&mut record) {
            Next::End => break,
            next => push(&mut part, &next, &record, limits),
        }
    }
    part
}

/// The head's rows, then each chunk's, as pieces: moved, not copied.
fn finish(mut table: TableReader<'_>, chunks: Vec<TableReader<'_>>) -> SheetOutput {
    let mut records = Rows::from(table.records.take());
    for part in chunks {
        records.push(table.absorb(part));
    }
    SheetOutput {
        report: table.report,
        records,
        rejects: table.rejects,
    }
}

fn push(table: &mut TableReader<'_>, next: &Next, record: &Record, limits: &InputLimits) {
    match *next {
        Next::Record(line) => table.push(line, record),
        Next::TooLong(line) => table.reject(line, too_long(limits)),
        Next::End => {}
    }
}

fn too_long(limits: &InputLimits) -> String {
    tr!(
        "该行长度超过上限 {} 字节",
        "the line is longer than the limit of {} bytes",
        limits.max_line_bytes
    )
}

/// Every record of delimited text split on `delimiter`, with its physical line: its cells,
/// or why it is not used (longer than the limit; holding undecodable bytes when the text
/// was decoded with replacements). No header is looked for; `visit` may stop the reading.
pub fn for_each_record(
    text: &str,
    delimiter: u8,
    lossy: bool,
    limits: &InputLimits,
    mut visit: impl FnMut(u32, Result<&[Cell<'_>], String>) -> ControlFlow<()>,
) {
    let mut splitter = Splitter {
        text,
        pos: 0,
        line: 0,
        delimiter,
        max_bytes: limits.max_line_bytes,
    };
    let mut record = Record::default();
    loop {
        let flow = match splitter.next(&mut record) {
            Next::End => return,
            Next::TooLong(line) => visit(line, Err(too_long(limits))),
            Next::Record(line) => {
                let cells: Vec<Cell<'_>> = (0..record.width()).map(|c| record.cell(c)).collect();
                let undecodable = lossy
                    && cells.iter().any(
                        |c| matches!(c, Cell::Text(t) if t.contains(char::REPLACEMENT_CHARACTER)),
                    );
                if undecodable {
                    visit(line, Err(undecodable_row()))
                } else {
                    visit(line, Ok(&cells))
                }
            }
        };
        if flow.is_break() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record's cells are trimmed once, as `Cell::text` trims them, quoted or not; a blank
    /// cell is empty, and the row is as wide as its fields.
    #[test]
    fn cells_are_read_trimmed_and_blank_ones_empty() {
        let text = " 张三 ,\u{3000}410123\u{3000},  ,\" x \",\n";
        let mut splitter = Splitter {
            text,
            pos: 0,
            line: 0,
            delimiter: b',',
            max_bytes: 1 << 20,
        };
        let mut record = Record::default();
        assert_eq!(splitter.next(&mut record), Next::Record(1));
        assert_eq!(record.width(), 5);
        let cells: Vec<Cell<'_>> = (0..6).map(|c| record.cell(c)).collect();
        assert_eq!(
            cells,
            [
                Cell::Text("张三"),
                Cell::Text("410123"),
                Cell::Empty,
                Cell::Text("x"),
                Cell::Empty,
                Cell::Empty
            ]
        );
    }

    /// Every record of `text` from `start` as one splitter reads it: (what, cells).
    fn records_from(text: &str, start: (usize, u32), max_bytes: usize) -> Vec<(Next, Vec<String>)> {
        let mut splitter = Splitter {
            text,
            pos: start.0,
            line: start.1,
            delimiter: b',',
            max_bytes,
        };
        let mut record = Record::default();
        let mut out = Vec::new();
        loop {
            match splitter.next(&mut record) {
                Next::End => return out,
                next => {
                    let cells = (0..record.width())
                        .map(|c| record.cell(c).display())
                        .collect();
                    out.push((next, cells));
                }
            }
        }
    }

    #[test]
    fn chunks_cut_at_record_boundaries_read_what_one_splitter_reads() {
        // Quoted line breaks, CRLF and bare CR, escaped and stray quotes, blank lines, an
        // over-long record and no final line end: cut every few bytes, and at each record.
        let mut text = String::new();
        for i in 0..200 {
            match i % 7 {
                0 => text.push_str(&format!("\"多行\n内容{i}\",{i}\r\n")),
                1 => text.push_str(&format!("a\"b,{i}\r")),
                2 => text.push_str(&format!("\"引号\"\"{i}\"\"\",x\n\n")),
                3 => text.push_str(&format!("{},long\n", "长".repeat(30))),
                4 => text.push_str(&format!("\"跨\r\n行\",{i}\n")),
                _ => text.push_str(&format!("张{i},{i}\n")),
            }
        }
        text.push_str("末行,无换行");
        let max_bytes = 60;
        let whole = records_from(&text, (0, 0), max_bytes);
        for chunk_bytes in [1, 7, 64, 1000] {
            let starts = chunk_starts(&text, (0, 0), b',', max_bytes, chunk_bytes);
            assert!(starts.len() > 1 || chunk_bytes == 1000);
            let mut chunked = Vec::new();
            for (i, &start) in starts.iter().enumerate() {
                let end = starts.get(i + 1).map_or(text.len(), |&(p, _)| p);
                chunked.extend(records_from(&text[..end], start, max_bytes));
            }
            assert_eq!(chunked, whole, "chunks of {chunk_bytes} bytes");
        }
        assert!(whole.iter().any(|(n, _)| matches!(n, Next::TooLong(_))));
    }

    #[test]
    fn text_without_quotes_is_cut_where_the_splitter_would_cut_it() {
        let mut text = String::from("标题\r\n姓名,金额\r\n");
        for i in 0..300 {
            match i % 5 {
                0 => text.push_str(&format!("{},long\r\n", "长".repeat(30))),
                1 => text.push_str("\n\r\n"),
                _ => text.push_str(&format!("张{i},{i}\n")),
            }
        }
        text.push_str("末行,无换行");
        let bytes = text.as_bytes();
        assert!(every_line_a_record(bytes));
        for start in [(0, 0), (8, 1), (23, 2)] {
            for chunk_bytes in [1, 7, 64, 1000, 1 << 20] {
                assert_eq!(
                    line_starts(text.as_bytes(), start, chunk_bytes),
                    scanned_starts(&text, start, b',', 60, chunk_bytes),
                    "chunks of {chunk_bytes} bytes from {start:?}"
                );
            }
        }
        // A quote or a bare CR can make a record of several lines: the splitter decides.
        assert!(!every_line_a_record(b"a,\"b\nc\"\n"));
        assert!(!every_line_a_record(b"a,b\rc,d\n"));
        assert!(!every_line_a_record(b"a,b\r"));
    }

    #[test]
    fn encodings_are_detected() {
        let (text, enc) = decode("姓名,身份证号".as_bytes(), "a.csv").unwrap();
        assert_eq!((text.as_ref(), enc), ("姓名,身份证号", "utf-8"));

        let bom = [&b"\xEF\xBB\xBF"[..], "姓名".as_bytes()].concat();
        let (text, enc) = decode(&bom, "a.csv").unwrap();
        assert_eq!((text.as_ref(), enc), ("姓名", "utf-8-bom"));

        let (gbk, _, _) = GB18030.encode("姓名,身份证号,个人自付");
        let (text, enc) = decode(&gbk, "a.csv").unwrap();
        assert_eq!((text.as_ref(), enc), ("姓名,身份证号,个人自付", "gb18030"));

        // Excel's "Unicode text": UTF-16LE with a BOM, tab-separated.
        let mut with_bom = b"\xFF\xFE".to_vec();
        with_bom.extend("姓名\t身份证号".encode_utf16().flat_map(u16::to_le_bytes));
        let (text, enc) = decode(&with_bom, "a.txt").unwrap();
        assert_eq!((text.as_ref(), enc), ("姓名\t身份证号", "utf-16le"));
    }

    #[test]
    fn binary_and_undecodable_bytes_are_refused() {
        let binary = [0x50, 0x4B, 0x03, 0x04, 0x00, 0x00, 0xFF];
        assert!(matches!(
            decode(&binary, "a.csv"),
            Err(FileError::Binary { .. })
        ));
        // A lone 0xFF is neither UTF-8 nor GB18030.
        assert!(matches!(
            decode(b"abc\xFF,def", "a.csv"),
            Err(FileError::Undecodable { .. })
        ));
    }

    fn split(text: &str, max_bytes: usize) -> Vec<(Next, Vec<String>)> {
        let mut splitter = Splitter {
            text,
            pos: 0,
            line: 0,
            delimiter: b',',
            max_bytes,
        };
        let mut record = Record::default();
        let mut out = Vec::new();
        loop {
            let next = splitter.next(&mut record);
            if next == Next::End {
                return out;
            }
            let cells = (0..record.width())
                .map(|c| record.cell(c).display())
                .collect();
            out.push((next, cells));
        }
    }

    fn cells(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn records_keep_physical_line_numbers() {
        let text = "标题\r\n\r\n姓名,内容\r\n张三,\"第一行\n第二行, \"\"引号\"\"\"\r\n李四,x\"y";
        assert_eq!(
            split(text, 1000),
            vec![
                (Next::Record(1), cells(&["标题"])),
                (Next::Record(2), cells(&[""])),
                (Next::Record(3), cells(&["姓名", "内容"])),
                (
                    Next::Record(4),
                    cells(&["张三", "第一行\n第二行, \"引号\""])
                ),
                (Next::Record(6), cells(&["李四", "x\"y"])),
            ]
        );
    }

    /// Cells are read in strides to the next byte that can matter (delimiter, quote, line
    /// end): line ends of every kind, in and out of quotes, and an overlong record still end
    /// where a byte-by-byte reading ends them.
    #[test]
    fn cells_end_at_every_kind_of_line_end_in_and_out_of_quotes() {
        let text = "a,b\rc,\"x\r\ny\"\rlong,0123456789012345678901234567890\nend,\"q\"\"\"";
        let got = split(text, 20);
        assert_eq!(got.len(), 4);
        assert_eq!(got[0], (Next::Record(1), cells(&["a", "b"])));
        assert_eq!(got[1], (Next::Record(2), cells(&["c", "x\r\ny"])));
        assert_eq!(got[2].0, Next::TooLong(4));
        assert_eq!(got[3], (Next::Record(5), cells(&["end", "q\""])));
    }

    #[test]
    fn overlong_records_are_skipped_to_their_line_end() {
        let text = "a,b\n\"unclosed,quote\nand,more\nc,d\n";
        let got = split(text, 12);
        assert_eq!(got[0], (Next::Record(1), cells(&["a", "b"])));
        assert_eq!(got[1].0, Next::TooLong(2));
        assert_eq!(got[2], (Next::Record(3), cells(&["and", "more"])));
        assert_eq!(got[3], (Next::Record(4), cells(&["c", "d"])));
    }

    #[test]
    fn delimiters_are_detected() {
        let title = "XX县医保结算明细\n";
        assert_eq!(
            detect_delimiter(&format!("{title}姓名,身份证号,金额\n张三,1,2\n"), false),
            b','
        );
        assert_eq!(detect_delimiter("姓名\t身份证号\n张三\t1\n", false), b'\t');
        assert_eq!(
            detect_delimiter("姓名;身份证号;金额\n张三;1;2\n", false),
            b';'
        );
        assert_eq!(detect_delimiter("姓名|身份证号\n张三|1\n", false), b'|');
        // Commas inside content do not outvote the real delimiter.
        assert_eq!(
            detect_delimiter("姓名\t内容\n张三\t缺钱,没工作,生病\n李四\t困难\n", false),
            b'\t'
        );
    }

    /// The integration tests show that a large GB18030 file reads as its UTF-8 copy does,
    /// which the whole-file path would show too: this shows the chunked path is the one
    /// that ran, and that it steps aside for a bad byte or a quoted field.
    #[test]
    fn only_a_clean_large_gb18030_file_is_read_in_chunks() {
        let mut text = String::from("姓名,身份证号,个人自付\n");
        // Two chunks once encoded (a Han character is two bytes in GB18030, three here).
        while text.len() <= CHUNK_BYTES * 3 / 2 {
            text.push_str("王小明,410123196001010012,12.50\n");
        }
        let gb = GB18030.encode(&text).0.into_owned();
        assert!(gb.len() > CHUNK_BYTES);
        let spec = SourceSpec {
            kind: crate::model::SourceKind::Medical,
            glob: "医保*".into(),
            sheet: None,
            columns: Default::default(),
        };
        let (limits, vocabulary) = (InputLimits::default(), Vocabulary::default());
        let chunked = |bytes: &[u8]| {
            read_gb18030_in_chunks(bytes, "医保.csv", &spec, &limits, &vocabulary)
                .map(|read| read.map(|(encoding, sheet)| (encoding, sheet.records.len())))
        };
        let rows = text.lines().count() - 1;
        assert!(matches!(chunked(&gb), Some(Ok(("gb18030", n))) if n == rows));

        let mut bad = gb.clone();
        bad[gb.len() - 10] = 0xFF;
        assert!(chunked(&bad).is_none(), "a bad byte: the whole-file path");
        let quoted = [&gb[..], "\"王,五\",1,2\n".as_bytes()].concat();
        assert!(
            chunked(&quoted).is_none(),
            "a quoted field: the whole-file path"
        );
    }
}
