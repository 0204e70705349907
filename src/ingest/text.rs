//! Delimited text (.csv, .tsv, .txt): the encoding (UTF-8, UTF-8 with BOM, GB18030/GBK,
//! UTF-16 from Excel's "Unicode text") and the delimiter are detected, not configured.

use std::borrow::Cow;

use encoding_rs::{GB18030, UTF_16BE, UTF_16LE};

use crate::config::{InputLimits, SourceSpec};

use super::table::{locate_header, TableReader, HEADER_SCAN_ROWS};
use super::{FileError, SheetOutput};

const DELIMITERS: [u8; 4] = [b',', b'\t', b';', b'|'];

/// How far into a file NUL bytes betray a binary file.
const SNIFF_BYTES: usize = 8192;

/// Decodes the whole file; the name of the encoding goes into the file report.
pub fn decode<'a>(bytes: &'a [u8], file: &str) -> Result<(Cow<'a, str>, &'static str), FileError> {
    let undecodable = || FileError::Undecodable {
        file: file.to_string(),
    };
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        let text = std::str::from_utf8(rest).map_err(|_| undecodable())?;
        return Ok((Cow::Borrowed(text), "utf-8-bom"));
    }
    for (bom, encoding, name) in [
        (&b"\xFF\xFE"[..], UTF_16LE, "utf-16le"),
        (&b"\xFE\xFF"[..], UTF_16BE, "utf-16be"),
    ] {
        if let Some(rest) = bytes.strip_prefix(bom) {
            return encoding
                .decode_without_bom_handling_and_without_replacement(rest)
                .map(|text| (text, name))
                .ok_or_else(undecodable);
        }
    }
    if bytes[..bytes.len().min(SNIFF_BYTES)].contains(&0) {
        return Err(FileError::Binary {
            file: file.to_string(),
        });
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok((Cow::Borrowed(text), "utf-8"));
    }
    GB18030
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|text| (text, "gb18030"))
        .ok_or_else(undecodable)
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

/// Reads one delimited text file into a single table.
pub fn read_text(
    bytes: &[u8],
    file: &str,
    spec: &SourceSpec,
    limits: &InputLimits,
) -> Result<(&'static str, SheetOutput), FileError> {
    let (text, encoding) = decode(bytes, file)?;
    let prefer_tab = file.to_lowercase().ends_with(".tsv");
    let delimiter = detect_delimiter(&text, prefer_tab);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());

    // The header is looked for among the first records; they are kept to be read as data.
    let mut head = Vec::with_capacity(HEADER_SCAN_ROWS);
    let mut record = csv::StringRecord::new();
    while head.len() < HEADER_SCAN_ROWS && read_next(&mut reader, &mut record) {
        let line = record.position().map_or(0, |p| p.line());
        head.push((line, record.clone()));
    }
    let head_text: Vec<Vec<String>> = head
        .iter()
        .map(|(_, r)| r.iter().map(|c| c.trim().to_string()).collect())
        .collect();
    let header =
        locate_header(spec.kind, &head_text, &spec.columns).ok_or_else(|| FileError::NoHeader {
            file: file.to_string(),
        })?;
    let header_index = header.row;
    let header_line = to_row(head[header_index].0);
    let mut table = TableReader::new(spec.kind, file, None, None, header, header_line, limits);
    for (line, rec) in &head[header_index + 1..] {
        push_record(&mut table, to_row(*line), rec, limits);
    }
    while read_next(&mut reader, &mut record) {
        let line = record.position().map_or(0, |p| p.line());
        push_record(&mut table, to_row(line), &record, limits);
    }
    Ok((
        encoding,
        SheetOutput {
            report: table.report,
            records: table.records,
            rejects: table.rejects,
        },
    ))
}

/// Reads the next record; a malformed record (only possible as invalid UTF-8, which decoding
/// rules out) ends the file rather than looping.
fn read_next(reader: &mut csv::Reader<&[u8]>, record: &mut csv::StringRecord) -> bool {
    reader.read_record(record).unwrap_or(false)
}

fn to_row(line: u64) -> u32 {
    u32::try_from(line).unwrap_or(u32::MAX)
}

fn push_record(
    table: &mut TableReader<'_>,
    row: u32,
    record: &csv::StringRecord,
    limits: &InputLimits,
) {
    let bytes = record.as_slice().len() + record.len();
    if bytes > limits.max_line_bytes {
        table.reject(
            row,
            format!("该行长度超过上限 {} 字节", limits.max_line_bytes),
        );
        return;
    }
    table.push(row, record);
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
