//! Ingest: find department files in the inbox, decode them (xlsx/xls/csv/tsv/txt, UTF-8 or
//! GB18030), locate the header row, map headers to canonical fields and type the cells.
//! Output: `RawRecord`s with their source references, plus `Reject`s for everything unusable.
//!
//! Files are independent and read in parallel; the output order is by file name, then by row.

use std::io::Read;
use std::path::{Path, PathBuf};

pub mod headers;
mod table;
mod text;
mod values;
mod workbook;

use globset::{GlobBuilder, GlobMatcher};
use rayon::prelude::*;
use serde::Serialize;

use crate::config::{InputLimits, SourceSpec};
use crate::model::{Field, RawRecord, Reject, SourceKind};
use crate::report::sha256_hex;

pub use values::{parse_amount, parse_bool, parse_date};

/// What ingest understood of one input file (printed by `check`, kept in the manifest).
#[derive(Debug, Clone, Default, Serialize)]
pub struct FileReport {
    pub file_name: String,
    pub kind: Option<SourceKind>,
    pub bytes: u64,
    pub sha256: String,
    /// "xlsx", "xls", "utf-8", "utf-8-bom", "gb18030" (also "utf-16le"/"utf-16be", "xlsb",
    /// "ods").
    pub encoding: Option<String>,
    pub sheets: Vec<SheetReport>,
    pub rows_read: usize,
    pub rows_rejected: usize,
    /// Set when the whole file could not be used.
    pub error: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SheetReport {
    pub sheet: Option<String>,
    /// Physical 1-based row of the header.
    pub header_row: u32,
    /// Canonical field ← header text as written.
    pub mapping: Vec<(Field, String)>,
    pub rows_read: usize,
    pub rows_rejected: usize,
    /// Blank, totals (合计) and footer (制表人) rows passed over.
    pub rows_skipped: usize,
    /// Cells of optional typed fields that did not parse and were left out (the row was kept).
    pub cells_dropped: usize,
}

#[derive(Debug, Clone, Default)]
pub struct IngestOutput {
    pub records: Vec<RawRecord>,
    pub rejects: Vec<Reject>,
    pub files: Vec<FileReport>,
}

/// Why a whole file could not be used. The text is what the clerk reads.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FileError {
    #[error("文件名不匹配任何来源")]
    Unclaimed,
    #[error("文件 {file} 无法读取: {source}")]
    Read {
        file: String,
        source: std::io::Error,
    },
    #[error("文件 {file} 有 {bytes} 字节，超过上限 {max} 字节")]
    TooLarge { file: String, bytes: u64, max: u64 },
    #[error(
        "文件 {file} 在读取过程中被修改 (可能仍在复制中), 本次不使用, 请下次运行前确认文件完整"
    )]
    ChangedWhileReading { file: String },
    #[error("文件 {file} 解压后 {unpacked} 字节, 超过上限 {max} 字节 (疑似压缩炸弹或异常工作簿)")]
    Unpacked {
        file: String,
        unpacked: u64,
        max: u64,
    },
    #[error("文件 {file} 是空文件")]
    Empty { file: String },
    #[error("文件 {file} 是二进制文件，不是文本表格")]
    Binary { file: String },
    #[error("文件 {file} 的编码无法识别（不是 UTF-8 或 GB18030/GBK）")]
    Undecodable { file: String },
    #[error("文件 {file} 不是有效的 Excel 工作簿（文件已损坏或格式不对）: {message}")]
    Workbook { file: String, message: String },
    #[error("文件 {file} 中没有名为 {sheet} 的工作表")]
    NoSuchSheet { file: String, sheet: String },
    #[error("文件 {file} 中找不到可识别的表头（需要姓名、身份证号或残疾人证号等列）")]
    NoHeader { file: String },
}

/// The records of one sheet (or of a text file) and what was understood of it.
#[derive(Debug)]
struct SheetOutput {
    report: SheetReport,
    records: Vec<RawRecord>,
    rejects: Vec<Reject>,
}

/// Everything one file yields.
struct FileOutput {
    report: FileReport,
    records: Vec<RawRecord>,
    rejects: Vec<Reject>,
}

/// Reads every file of the inbox that a source glob claims; files no glob claims are reported.
pub fn ingest(inbox: &Path, sources: &[SourceSpec], limits: &InputLimits) -> IngestOutput {
    let files = match list_inbox(inbox) {
        Ok(files) => files,
        Err(e) => {
            let reason = format!("无法读取收件文件夹 {}: {e}", inbox.display());
            tracing::error!("{reason}");
            return IngestOutput {
                rejects: vec![Reject {
                    file: inbox.display().to_string(),
                    sheet: None,
                    row: None,
                    kind: None,
                    reason,
                }],
                ..IngestOutput::default()
            };
        }
    };
    let matchers: Vec<(GlobMatcher, &SourceSpec)> = sources
        .iter()
        .filter_map(|spec| {
            // Config loading validated the globs; one that still fails claims nothing.
            let glob = GlobBuilder::new(&spec.glob)
                .case_insensitive(true)
                .literal_separator(true)
                .build()
                .ok()?;
            Some((glob.compile_matcher(), spec))
        })
        .collect();

    let outputs: Vec<FileOutput> = files
        .par_iter()
        .map(|(name, path)| {
            let spec = matchers
                .iter()
                .find(|(m, _)| m.is_match(name))
                .map(|(_, s)| *s);
            read_file(name, path, spec, limits)
        })
        .collect();

    let mut out = IngestOutput::default();
    for file in outputs {
        out.records.extend(file.records);
        out.rejects.extend(file.rejects);
        out.files.push(file.report);
    }
    tracing::debug!(
        stage = "ingest",
        files = out.files.len(),
        records = out.records.len(),
        rejects = out.rejects.len(),
        "Ingest finished."
    );
    out
}

/// The first required field group the sheet's mapping lacks, named as a clerk knows it.
fn missing_fields(kind: Option<SourceKind>, sheet: &SheetReport) -> Option<String> {
    let kind = kind?;
    required_fields(kind)
        .iter()
        .find(|group| {
            !group
                .iter()
                .any(|f| sheet.mapping.iter().any(|(m, _)| m == f))
        })
        .map(|group| {
            group
                .iter()
                .map(|f| headers::canonical_header(*f))
                .collect::<Vec<_>>()
                .join(" / ")
        })
}

/// Fields a kind cannot do without; `check` fails when a file lacks one. Each group is
/// satisfied by any one of its fields.
pub fn required_fields(kind: SourceKind) -> &'static [&'static [Field]] {
    use Field::*;
    const PERSON: &[Field] = &[Name, IdNumber, CertNumber];
    match kind {
        SourceKind::Agriculture => &[PERSON],
        SourceKind::Medical => &[PERSON, &[OutOfPocket], &[SettlementDate]],
        SourceKind::Disability => &[PERSON, &[DisabilityGrade, CertNumber], &[CertIssueDate]],
        SourceKind::Petition => &[PERSON, &[RequestDate], &[RequestType, RequestContent]],
        SourceKind::Hotline => &[PERSON, &[RequestDate], &[RequestType]],
        SourceKind::Unemployment => &[PERSON, &[EmploymentStatus], &[Insured]],
        SourceKind::Emergency => &[PERSON, &[EventDate]],
        SourceKind::Children => &[PERSON, &[FatherStatus, MotherStatus]],
        SourceKind::Dibao
        | SourceKind::Tekun
        | SourceKind::Orphan
        | SourceKind::Fuc
        | SourceKind::LowIncome => &[PERSON, &[RollStatus, StartDate]],
        SourceKind::TempAssistance => &[PERSON, &[AidDate]],
    }
}

/// Regular files at the top of the inbox, by name; hidden files and Excel's `~$` lock files
/// are not department files.
fn list_inbox(inbox: &Path) -> std::io::Result<Vec<(String, PathBuf)>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(inbox)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || name.starts_with("~$") {
            continue;
        }
        let path = entry.path();
        if path.is_file() {
            files.push((name, path));
        }
    }
    files.sort();
    Ok(files)
}

const WORKBOOK_EXTENSIONS: [&str; 5] = ["xlsx", "xlsm", "xls", "xlsb", "ods"];
const TEXT_EXTENSIONS: [&str; 3] = ["csv", "tsv", "txt"];

fn read_file(
    name: &str,
    path: &Path,
    spec: Option<&SourceSpec>,
    limits: &InputLimits,
) -> FileOutput {
    let mut report = FileReport {
        file_name: name.to_string(),
        kind: spec.map(|s| s.kind),
        ..FileReport::default()
    };
    let result = match spec {
        None => Err(FileError::Unclaimed),
        Some(spec) => read_bytes(name, path, limits).and_then(|bytes| {
            report.bytes = bytes.len() as u64;
            report.sha256 = sha256_hex(&bytes);
            parse(name, &bytes, spec, limits)
        }),
    };
    match result {
        Ok((encoding, sheets)) => {
            report.encoding = Some(encoding.to_string());
            let mut records = Vec::new();
            let mut rejects = Vec::new();
            for mut sheet in sheets {
                if let Some(missing) = missing_fields(report.kind, &sheet.report) {
                    // A file of the wrong kind, or one that lost a column: its rows would
                    // qualify nobody, so the whole sheet is refused and said so.
                    rejects.push(Reject {
                        file: name.to_string(),
                        sheet: sheet.report.sheet.clone(),
                        row: None,
                        kind: report.kind,
                        reason: format!("缺少必要字段: {missing} (文件类型不对或列被删除)"),
                    });
                    sheet.report.rows_rejected += sheet.records.len();
                    sheet.report.rows_read = 0;
                    sheet.records.clear();
                }
                report.rows_read += sheet.report.rows_read;
                report.rows_rejected += sheet.report.rows_rejected;
                report.sheets.push(sheet.report);
                records.extend(sheet.records);
                rejects.extend(sheet.rejects);
            }
            FileOutput {
                report,
                records,
                rejects,
            }
        }
        Err(error) => {
            if let FileError::TooLarge { bytes, .. } = error {
                report.bytes = bytes;
            }
            let reason = error.to_string();
            tracing::warn!(file = name, reason = %reason, "文件被拒收");
            report.error = Some(reason.clone());
            FileOutput {
                rejects: vec![Reject {
                    file: name.to_string(),
                    sheet: None,
                    row: None,
                    kind: report.kind,
                    reason,
                }],
                report,
                records: Vec::new(),
            }
        }
    }
}

/// Reads the file once, refusing more than `max_file_bytes` even if it grows meanwhile.
fn read_bytes(name: &str, path: &Path, limits: &InputLimits) -> Result<Vec<u8>, FileError> {
    let read_error = |source| FileError::Read {
        file: name.to_string(),
        source,
    };
    let file = std::fs::File::open(path).map_err(read_error)?;
    let too_large = |bytes| FileError::TooLarge {
        file: name.to_string(),
        bytes,
        max: limits.max_file_bytes,
    };
    let before = file.metadata().map_err(read_error)?;
    let len = before.len();
    if len > limits.max_file_bytes {
        return Err(too_large(len));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(limits.max_file_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(read_error)?;
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(too_large(bytes.len() as u64));
    }
    if bytes.is_empty() {
        return Err(FileError::Empty {
            file: name.to_string(),
        });
    }
    // A department still copying its file into the inbox: what was read is not one version
    // of the file, so none of it is used.
    let after = std::fs::metadata(path).map_err(read_error)?;
    if after.len() != bytes.len() as u64 || after.modified().ok() != before.modified().ok() {
        return Err(FileError::ChangedWhileReading {
            file: name.to_string(),
        });
    }
    Ok(bytes)
}

/// Workbook or text by extension; an unknown extension is decided by the file's magic bytes.
fn parse(
    name: &str,
    bytes: &[u8],
    spec: &SourceSpec,
    limits: &InputLimits,
) -> Result<(&'static str, Vec<SheetOutput>), FileError> {
    let ext = Path::new(name)
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let is_workbook = if WORKBOOK_EXTENSIONS.contains(&ext.as_str()) {
        true
    } else if TEXT_EXTENSIONS.contains(&ext.as_str()) {
        false
    } else {
        bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"\xD0\xCF\x11\xE0")
    };
    if is_workbook {
        workbook::read_workbook(bytes, name, spec, limits)
    } else {
        text::read_text(bytes, name, spec, limits).map(|(enc, sheet)| (enc, vec![sheet]))
    }
}
