//! Merged regions of an xlsx worksheet, read from the end of its XML.
//!
//! calamine finds a sheet's `<mergeCells>` by parsing the whole sheet XML a second time, and
//! exports with a merged title row over a million claim lines are common: that second parse
//! was a tenth of a run. The regions follow `</sheetData>`, so the sheet is only inflated
//! and scanned for its end. Anything unusual (a workbook laid out other than under `xl/`,
//! an entry that does not inflate, a reference that does not parse) returns `None`, and
//! calamine decides.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use calamine::Dimensions;
use quick_xml::events::Event;
use quick_xml::Reader;

/// Each sheet's XML entry, by sheet name: `xl/workbook.xml` names the sheets and their
/// relationship ids, `xl/_rels/workbook.xml.rels` gives each relationship's target. Read
/// once per workbook.
pub fn sheet_paths(bytes: &[u8]) -> Option<HashMap<String, String>> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let rels = read_entry(&mut archive, "xl/_rels/workbook.xml.rels")?;
    let mut targets = HashMap::new();
    let mut reader = Reader::from_reader(&rels[..]);
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "Relationship" => {
                let value = |key: &str| {
                    e.try_get_attribute(key)
                        .ok()
                        .flatten()
                        .and_then(|a| unescaped(&a.value))
                };
                if let (Some(id), Some(target)) = (value("Id"), value("Target")) {
                    // Absolute (`/xl/worksheets/sheet1.xml`) or relative to `xl/`.
                    let path = match target.strip_prefix('/') {
                        Some(absolute) => absolute.to_string(),
                        None => format!("xl/{target}"),
                    };
                    targets.insert(id, path);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let workbook = read_entry(&mut archive, "xl/workbook.xml")?;
    let mut paths = HashMap::new();
    let mut reader = Reader::from_reader(&workbook[..]);
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "sheet" => {
                let (mut name, mut id) = (None, None);
                for attr in e.attributes() {
                    let attr = attr.ok()?;
                    match attr.key.local_name().as_ref() {
                        "name" => name = Some(unescaped(&attr.value)?),
                        "id" => id = Some(unescaped(&attr.value)?),
                        _ => {}
                    }
                }
                if let (Some(name), Some(path)) = (name, id.and_then(|id| targets.remove(&id))) {
                    paths.insert(name, path);
                }
            }
            Event::Eof => return Some(paths),
            _ => {}
        }
    }
}

/// The merged regions of the worksheet at `path` (from `sheet_paths`), as calamine would
/// report them.
pub fn at(bytes: &[u8], path: &str) -> Option<Vec<Dimensions>> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let tail = after_sheet_data(archive.by_name(path).ok()?)?;
    merge_cells(&tail)
}

/// An attribute's text with its entities (`&amp;`) resolved, as calamine reads names.
fn unescaped(value: &str) -> Option<String> {
    quick_xml::escape::unescape(value)
        .ok()
        .map(|v| v.into_owned())
}

fn read_entry(archive: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> Option<Vec<u8>> {
    let mut bytes = Vec::new();
    archive.by_name(name).ok()?.read_to_end(&mut bytes).ok()?;
    Some(bytes)
}

/// What follows the last mention of `sheetData` (its closing tag, in a well-formed sheet),
/// read through a small buffer: the cells themselves are never kept.
fn after_sheet_data(mut xml: impl Read) -> Option<Vec<u8>> {
    const NEEDLE: &[u8] = b"sheetData";
    /// A sheet's end (merges, validations, page setup) is far shorter; past this, the last
    /// mention was the opening tag and what follows it is cell data.
    const MAX_TAIL: usize = 1 << 20;
    let finder = memchr::memmem::FinderRev::new(NEEDLE);
    let mut buffer = vec![0u8; 1 << 16];
    // After the last mention found so far; before one, only what could begin a mention
    // cut in two by the reads.
    let mut tail: Vec<u8> = Vec::new();
    let mut seen = false;
    loop {
        let read = xml.read(&mut buffer).ok()?;
        if read == 0 {
            return seen.then_some(tail);
        }
        let from = tail.len().saturating_sub(NEEDLE.len() - 1);
        tail.extend_from_slice(&buffer[..read]);
        if let Some(at) = finder.rfind(&tail[from..]) {
            seen = true;
            tail.drain(..from + at + NEEDLE.len());
        } else if !seen || tail.len() > MAX_TAIL {
            seen = false;
            let keep = NEEDLE.len() - 1;
            if tail.len() > keep {
                tail.drain(..tail.len() - keep);
            }
        }
    }
}

/// Every `<mergeCell ref="…"/>` inside `<mergeCells>`, in document order.
fn merge_cells(tail: &[u8]) -> Option<Vec<Dimensions>> {
    let mut reader = Reader::from_reader(tail);
    // The tail closes `<worksheet>`, which it never opened.
    reader.config_mut().allow_unmatched_ends = true;
    let mut merges = Vec::new();
    let mut inside = false;
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) if e.local_name().as_ref() == "mergeCells" => inside = true,
            Event::End(e) if e.local_name().as_ref() == "mergeCells" => inside = false,
            Event::Empty(e) | Event::Start(e)
                if inside && e.local_name().as_ref() == "mergeCell" =>
            {
                let reference = e.try_get_attribute("ref").ok()??;
                merges.push(dimensions(&reference.value)?);
            }
            Event::Eof => return Some(merges),
            _ => {}
        }
    }
}

/// `A1:G1` (or a single `B3`) as 0-based (row, column) corners.
fn dimensions(reference: &str) -> Option<Dimensions> {
    let (start, end) = reference.split_once(':').unwrap_or((reference, reference));
    Some(Dimensions {
        start: cell(start)?,
        end: cell(end)?,
    })
}

/// `AB12` as (11, 27).
fn cell(reference: &str) -> Option<(u32, u32)> {
    let digits = reference.find(|c: char| c.is_ascii_digit())?;
    let (letters, number) = reference.split_at(digits);
    if letters.is_empty() || !letters.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    let column = letters.bytes().try_fold(0u32, |n, b| {
        n.checked_mul(26)?.checked_add(u32::from(b - b'A') + 1)
    })?;
    let row: u32 = number.parse().ok()?;
    Some((row.checked_sub(1)?, column - 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{open_workbook_auto_from_rs, Reader as _, Sheets};
    use rust_xlsxwriter::{Format, Workbook};

    fn of_sheet(bytes: &[u8], sheet: &str) -> Option<Vec<Dimensions>> {
        at(bytes, sheet_paths(bytes)?.get(sheet)?)
    }

    fn calamine_merges(bytes: &[u8]) -> Vec<Dimensions> {
        let Sheets::Xlsx(mut x) = open_workbook_auto_from_rs(Cursor::new(bytes)).unwrap() else {
            panic!("xlsx");
        };
        let name = x.sheet_names()[0].clone();
        x.merge_cells_by_sheet_name(&name).unwrap()
    }

    #[test]
    fn the_regions_are_calamines_on_a_long_sheet() {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet().set_name("结算 & 明细").unwrap();
        let plain = Format::new();
        ws.merge_range(0, 0, 0, 5, "XX县医保结算明细", &plain)
            .unwrap();
        ws.merge_range(1, 27, 3, 28, "合并", &plain).unwrap();
        // Enough rows that the sheet inflates through many reads, with a cell that says
        // "sheetData" on the way.
        for row in 4..40_000u32 {
            ws.write_string(row, 0, if row == 7 { "sheetData" } else { "张三" })
                .unwrap();
            ws.write_number(row, 1, f64::from(row)).unwrap();
        }
        let bytes = wb.save_to_buffer().unwrap();
        let ours = of_sheet(&bytes, "结算 & 明细").expect("the sheet");
        assert_eq!(ours, calamine_merges(&bytes));
        assert_eq!(ours.len(), 2);
        assert_eq!(ours[1].start, (1, 27));
        assert_eq!(ours[1].end, (3, 28));
    }

    #[test]
    fn each_sheet_of_a_workbook_has_its_own_regions() {
        let mut wb = Workbook::new();
        let plain = Format::new();
        wb.add_worksheet()
            .set_name("填表说明")
            .unwrap()
            .write_string(0, 0, "说明")
            .unwrap();
        let first = wb.add_worksheet().set_name("上半年").unwrap();
        first.merge_range(0, 0, 0, 3, "上半年明细", &plain).unwrap();
        let second = wb.add_worksheet().set_name("下半年 <2>").unwrap();
        second.merge_range(0, 0, 1, 1, "下半年", &plain).unwrap();
        second.merge_range(5, 2, 9, 2, "H001", &plain).unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        let Sheets::Xlsx(mut x) = open_workbook_auto_from_rs(Cursor::new(&bytes[..])).unwrap()
        else {
            panic!("xlsx");
        };
        for name in ["填表说明", "上半年", "下半年 <2>"] {
            let ours = of_sheet(&bytes, name).expect(name);
            assert_eq!(ours, x.merge_cells_by_sheet_name(name).unwrap(), "{name}");
        }
        assert_eq!(of_sheet(&bytes, "填表说明"), Some(Vec::new()));
        assert_eq!(of_sheet(&bytes, "下半年 <2>").unwrap().len(), 2);
        assert_eq!(of_sheet(&bytes, "没有这张表"), None);
        assert_eq!(of_sheet(b"not a zip", "上半年"), None);
    }

    #[test]
    fn references_parse_like_excel_names_them() {
        assert_eq!(cell("A1"), Some((0, 0)));
        assert_eq!(cell("AB12"), Some((11, 27)));
        assert_eq!(cell("XFD1048576"), Some((1_048_575, 16_383)));
        for bad in ["1A", "A0", "a1", "A", ""] {
            assert_eq!(cell(bad), None, "{bad}");
        }
        let single = dimensions("C3").unwrap();
        assert_eq!((single.start, single.end), ((2, 2), (2, 2)));
    }

    #[test]
    fn a_mention_cut_in_two_is_found() {
        /// Yields its bytes three at a time.
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
                let n = self.0.len().min(3).min(out.len());
                out[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let xml = b"<sheetData><row/></sheetData><mergeCells count=\"1\"><mergeCell ref=\"A1:B1\"/></mergeCells>";
        let tail = after_sheet_data(Trickle(xml)).unwrap();
        assert!(
            tail.starts_with(b"><mergeCells"),
            "{}",
            String::from_utf8_lossy(&tail)
        );
        assert_eq!(merge_cells(&tail).unwrap().len(), 1);
    }
}
