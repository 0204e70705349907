//! Ingest: find department files in the inbox, decode them (xlsx/xls/csv/tsv/txt, UTF-8 or
//! GB18030), locate the header row, map headers to canonical fields and type the cells.
//! Output: typed rows (`Rows`) with their source references, plus `Reject`s for everything
//! unusable.
//!
//! Files are independent and read in parallel; the output order is by file name, then by row.

use std::io::Read;
use std::path::{Path, PathBuf};

mod grid;
pub mod headers;
mod merges;
pub mod recognise;
mod rows;
mod table;
mod text;
mod values;
mod workbook;

use globset::{GlobBuilder, GlobMatcher};
use rayon::prelude::*;
use serde::Serialize;

use crate::config::{InputLimits, SourceSpec};
use crate::digest::sha256_hex;
use crate::lang::pick;
use crate::model::{Field, Reject, SourceKind};
use crate::tr;

pub use grid::{read_grids, BrokenSheet, Grid};
pub use recognise::{Evidence, Vocabulary};
pub use rows::{RowPiece, RowRef, Rows};
pub use values::{cell_date, parse_amount, parse_bool, parse_date, without_controls, Cell};

/// What ingest understood of one input file (printed by `check`, kept in the manifest).
#[derive(Debug, Clone, Default, Serialize)]
pub struct FileReport {
    pub file_name: String,
    pub kind: Option<SourceKind>,
    /// Indices of the pipeline's sources whose glob matches the file (one, when usable).
    pub claimed_by: Vec<usize>,
    pub bytes: u64,
    pub sha256: String,
    /// "xlsx", "xls", "utf-8", "utf-8-bom", "gb18030" (also "utf-16le"/"utf-16be", "xlsb",
    /// "ods").
    pub encoding: Option<String>,
    pub sheets: Vec<SheetReport>,
    pub rows_read: usize,
    pub rows_rejected: usize,
    /// Row rejects beyond the listing cap, counted but not listed one by one.
    pub rejects_not_listed: usize,
    /// Set when the whole file could not be used.
    pub error: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SheetReport {
    pub sheet: Option<String>,
    /// Physical 1-based row of the header.
    pub header_row: u32,
    /// Canonical field ← header text as written, and how it was found.
    pub mapping: Vec<MappedColumn>,
    /// Header texts no field was taken from.
    pub unused_headers: Vec<String>,
    /// Fields that change results and were not found: the sheet is read, and the gap is
    /// said in `check`, the summary and the manifest.
    pub gaps: Vec<Gap>,
    pub rows_read: usize,
    pub rows_rejected: usize,
    /// Blank, totals (合计) and footer (制表人) rows passed over.
    pub rows_skipped: usize,
    /// Cells of optional typed fields that did not parse and were left out (the row was kept).
    pub cells_dropped: usize,
    /// Rows with cells right of the last header (those cells have no column and are unused).
    pub rows_wider_than_header: usize,
}

/// One recognised column of a sheet.
#[derive(Debug, Clone, Serialize)]
pub struct MappedColumn {
    pub field: Field,
    /// 0-based column index in the sheet.
    pub column: usize,
    pub header: String,
    pub evidence: Evidence,
}

/// A result-changing field a sheet lacks, and what its absence does to the results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gap {
    /// Any one of these would have served.
    pub fields: Vec<Field>,
    pub consequence: &'static str,
}

impl Gap {
    /// `保障状态 [roll_status]` (alternatives joined by ` / `): the summary's words.
    pub fn fields_zh(&self) -> String {
        self.fields
            .iter()
            .map(|f| {
                format!(
                    "{} [{}]",
                    headers::canonical_header(*f),
                    headers::field_key(*f)
                )
            })
            .collect::<Vec<_>>()
            .join(" / ")
    }

    /// The fields in the language of the messages: in English, `roll_status`.
    pub fn fields_named(&self) -> String {
        match crate::lang::current() {
            crate::lang::Lang::Zh => self.fields_zh(),
            crate::lang::Lang::En => self
                .fields
                .iter()
                .map(|f| headers::field_key(*f))
                .collect::<Vec<_>>()
                .join(" / "),
        }
    }
}

impl IngestOutput {
    /// Rejects of the ingest stage, those listed and those only counted.
    pub fn reject_count(&self) -> usize {
        let unlisted: usize = self.files.iter().map(|f| f.rejects_not_listed).sum();
        let summary_lines = self
            .files
            .iter()
            .filter(|f| f.rejects_not_listed > 0)
            .count();
        self.rejects.len() + unlisted - summary_lines
    }
}

impl SheetReport {
    pub fn has(&self, field: Field) -> bool {
        self.mapping.iter().any(|m| m.field == field)
    }
}

#[derive(Debug, Clone, Default)]
pub struct IngestOutput {
    /// The usable rows; a run hands them to normalise by value (they are the largest thing
    /// in memory), so read `record_count` for how many there were.
    pub records: Rows,
    /// How many usable rows ingest read.
    pub record_count: usize,
    pub rejects: Vec<Reject>,
    pub files: Vec<FileReport>,
}

/// Why a whole file could not be used. The text is what the clerk reads.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FileError {
    Unclaimed,
    AmbiguousName {
        file: String,
    },
    ClaimedTwice {
        file: String,
        claims: String,
    },
    Read {
        file: String,
        source: std::io::Error,
    },
    TooLarge {
        file: String,
        bytes: u64,
        max: u64,
    },
    ChangedWhileReading {
        file: String,
    },
    Unpacked {
        file: String,
        unpacked: u64,
        max: u64,
    },
    Empty {
        file: String,
    },
    Binary {
        file: String,
    },
    Undecodable {
        file: String,
    },
    Workbook {
        file: String,
        message: String,
    },
    NoSuchSheet {
        file: String,
        sheet: String,
    },
    NoHeader {
        file: String,
    },
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&match self {
            FileError::Unclaimed => tr!("文件名不匹配任何来源", "the file name matches no source"),
            FileError::AmbiguousName { file } => tr!(
                "文件 {file} 的名称含有 ; 或 #, 来源记录 (文件名#行号; …) 会有歧义: 请改名后再放入收件文件夹",
                "the name of {file} holds ; or #, which makes source references (file#row; …) ambiguous: rename it before putting it in the inbox"
            ),
            FileError::ClaimedTwice { file, claims } => tr!(
                "文件 {file} 同时匹配多个来源: {claims}; 请修改 glob 使每个文件只属于一个来源",
                "{file} matches several sources: {claims}; change the globs so that each file belongs to one source"
            ),
            FileError::Read { file, source } => tr!(
                "文件 {file} 无法读取: {source}",
                "cannot read {file}: {source}"
            ),
            FileError::TooLarge { file, bytes, max } => tr!(
                "文件 {file} 有 {bytes} 字节，超过上限 {max} 字节",
                "{file} has {bytes} bytes, more than the limit of {max}"
            ),
            FileError::ChangedWhileReading { file } => tr!(
                "文件 {file} 在读取过程中被修改 (可能仍在复制中), 本次不使用, 请下次运行前确认文件完整",
                "{file} changed while it was read (perhaps still being copied): not used this time; make sure it is complete before the next run"
            ),
            FileError::Unpacked { file, unpacked, max } => tr!(
                "文件 {file} 解压后 {unpacked} 字节, 超过上限 {max} 字节 (疑似压缩炸弹或异常工作簿)",
                "{file} unpacks to {unpacked} bytes, more than the limit of {max} (a zip bomb or a broken workbook)"
            ),
            FileError::Empty { file } => tr!("文件 {file} 是空文件", "{file} is empty"),
            FileError::Binary { file } => tr!(
                "文件 {file} 是二进制文件，不是文本表格",
                "{file} is a binary file, not a text table"
            ),
            FileError::Undecodable { file } => tr!(
                "文件 {file} 的编码无法识别（不是 UTF-8 或 GB18030/GBK）",
                "the encoding of {file} is not recognised (not UTF-8 or GB18030/GBK)"
            ),
            FileError::Workbook { file, message } => tr!(
                "文件 {file} 不是有效的 Excel 工作簿（文件已损坏或格式不对）: {message}",
                "{file} is not a valid Excel workbook (damaged or of another format): {message}"
            ),
            FileError::NoSuchSheet { file, sheet } => tr!(
                "文件 {file} 中没有名为 {sheet} 的工作表",
                "{file} has no sheet named {sheet}"
            ),
            FileError::NoHeader { file } => tr!(
                "文件 {file} 中找不到可识别的表头（需要姓名、身份证号或残疾人证号等列）",
                "no header row found in {file} (it needs columns such as name, resident ID or disability certificate number)"
            ),
        })
    }
}

/// The records of one sheet (or of a text file) and what was understood of it.
#[derive(Debug)]
struct SheetOutput {
    report: SheetReport,
    records: Rows,
    rejects: Vec<Reject>,
}

/// Everything one file yields.
struct FileOutput {
    report: FileReport,
    records: Rows,
    rejects: Vec<Reject>,
}

/// Reads every file of the inbox that a source glob claims; files no glob claims are reported.
pub fn ingest(
    inbox: &Path,
    sources: &[SourceSpec],
    limits: &InputLimits,
    vocabulary: &Vocabulary,
) -> IngestOutput {
    let files = match list_inbox(inbox) {
        Ok(files) => files,
        Err(e) => {
            let reason = tr!(
                "无法读取收件文件夹 {}: {e}",
                "cannot read the inbox {}: {e}",
                inbox.display()
            );
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
    let matchers: Vec<(GlobMatcher, usize)> = sources
        .iter()
        .enumerate()
        .filter_map(|(index, spec)| {
            // Config loading validated the globs; one that still fails claims nothing.
            let glob = GlobBuilder::new(&spec.glob)
                .case_insensitive(true)
                .literal_separator(true)
                .build()
                .ok()?;
            Some((glob.compile_matcher(), index))
        })
        .collect();

    // Largest first: the claim file's serial start (its hash, its scans for line feeds)
    // then runs while the small workbooks keep the other core busy, and no core is left
    // alone with it at the end. The outputs are put back in name order.
    let mut largest_first: Vec<(u64, usize)> = (files.iter().enumerate())
        .map(|(i, (_, path))| (std::fs::metadata(path).map_or(0, |m| m.len()), i))
        .collect();
    largest_first.sort_by_key(|&(bytes, i)| (std::cmp::Reverse(bytes), i));
    let mut outputs: Vec<(usize, FileOutput)> = largest_first
        .par_iter()
        .map(|&(_, i)| {
            let (name, path) = (&files[i].0, &files[i].1);
            let claimed_by: Vec<usize> = matchers
                .iter()
                .filter(|(m, _)| m.is_match(name))
                .map(|(_, i)| *i)
                .collect();
            let claims: Vec<&SourceSpec> = claimed_by.iter().map(|i| &sources[*i]).collect();
            let mut output = read_file(name, path, &claims, limits, vocabulary);
            output.report.claimed_by = claimed_by;
            (i, output)
        })
        .collect();
    outputs.sort_by_key(|&(i, _)| i);

    let mut out = IngestOutput::default();
    for (_, file) in outputs {
        out.records.append(file.records);
        out.rejects.extend(file.rejects);
        out.files.push(file.report);
    }
    out.record_count = out.records.len();
    tracing::debug!(
        stage = crate::stage::Stage::Ingest.key(),
        files = out.files.len(),
        records = out.records.len(),
        rows_mib = out.records.heap_bytes() >> 20,
        rejects = out.rejects.len(),
        "Ingest finished."
    );
    out
}

/// A field (any one of `fields`) that the rules or the linkage depend on.
pub struct Need {
    pub fields: &'static [Field],
    /// What the absence does, in Chinese and in English.
    consequence: [&'static str; 2],
}

const fn need(fields: &'static [Field], zh: &'static str, en: &'static str) -> Need {
    Need {
        fields,
        consequence: [zh, en],
    }
}

const NO_ID: [&str; 2] = [
    "没有身份证号列: 本文件的人员只能按姓名、出生日期等模糊匹配, 多数会进入待复核",
    "no resident ID column: people in this file can only be matched fuzzily by name, birth date and the like, and most become identity questions for review",
];

/// Per kind, the fields that change results when missing (SPEC 3.1: never skipped
/// silently). The first is always the ID-bearing column.
pub fn result_fields(kind: SourceKind) -> &'static [Need] {
    use Field::*;
    const ID: Need = need(&[IdNumber], NO_ID[0], NO_ID[1]);
    const ROLL: &[Need] = &[
        ID,
        need(
            &[RollStatus],
            "无法按保障状态判断是否在保, 只按起止日期判断",
                    "cannot tell from a status whether a person is on the roll: only the start and end dates are used",
        ),
        need(
            &[StartDate],
            "无法判断保障从何时开始, 尚未开始的记录也算在保",
                    "cannot tell when assistance starts: records not yet started count as on the roll",
        ),
        need(
            &[EndDate],
            "无法判断保障何时终止: 只按保障状态判断, 没有状态的记录都算在保",
                    "cannot tell when assistance ends: only the status is used, and records without one count as on the roll",
        ),
    ];
    match kind {
        SourceKind::Agriculture => {
            const NEEDS: &[Need] = &[ID];
            NEEDS
        }
        SourceKind::Medical => {
            const NEEDS: &[Need] = &[
                ID,
                need(
                    &[OutOfPocket],
                    "无法计算个人自付, 本文件无人能按医疗支出入围",
                    "cannot compute out-of-pocket costs: no one in this file can qualify by medical spending",
                ),
                need(
                    &[SettlementDate],
                    "无法判断结算日期: 本文件的每笔结算都按排查期内计算",
                    "cannot tell settlement dates: every settlement in this file counts as inside the screening period",
                ),
            ];
            NEEDS
        }
        SourceKind::Disability => {
            const NEEDS: &[Need] = &[
                need(&[IdNumber, CertNumber], NO_ID[0], NO_ID[1]),
                need(
                    &[DisabilityGrade, CertNumber],
                    "无法判断残疾等级, 本文件无人能按重度残疾入围",
                    "cannot tell the disability grade: no one in this file can qualify as severely disabled",
                ),
                need(
                    &[DisabilityCategory, CertNumber],
                    "无法判断残疾类别, 智力/精神残疾的重度判定会出错",
                    "cannot tell the disability category: severity of intellectual/mental disability will be judged wrongly",
                ),
                need(
                    &[CertIssueDate],
                    "无法判断发证日期, 本文件无人能按新发证入围 R01",
                    "cannot tell the certificate's issue date: no one in this file can qualify for R01 by a new certificate",
                ),
            ];
            NEEDS
        }
        SourceKind::Petition => {
            const NEEDS: &[Need] = &[
                ID,
                need(&[RequestDate], "无法判断信访是否在排查期内, 本文件无人入围",
                    "cannot tell whether a petition is inside the screening period: no one in this file qualifies"),
                need(
                    &[RequestType, RequestContent],
                    "无法判断是否为救助诉求, 本文件无人入围",
                    "cannot tell whether a request asks for assistance: no one in this file qualifies",
                ),
                need(
                    &[HandlingStatus],
                    "无法判断是否办结, 超期信访都按未办结计入 R06",
                    "cannot tell whether a case is closed: every overdue petition counts as open for R06",
                ),
            ];
            NEEDS
        }
        SourceKind::Hotline => {
            const NEEDS: &[Need] = &[
                ID,
                need(&[RequestDate], "无法判断工单是否在排查期内, 本文件无人入围",
                    "cannot tell whether a ticket is inside the screening period: no one in this file qualifies"),
                need(&[RequestType], "无法判断诉求类型是否为求助, 本文件无人入围",
                    "cannot tell whether a request type is a request for help: no one in this file qualifies"),
                need(
                    &[HandlingStatus],
                    "无法判断是否办结, 超期工单都按未办结计入 R06",
                    "cannot tell whether a ticket is closed: every overdue ticket counts as open for R06",
                ),
            ];
            NEEDS
        }
        SourceKind::Unemployment => {
            const NEEDS: &[Need] = &[
                ID,
                need(
                    &[EmploymentStatus],
                    "无法判断是否仍登记失业, 已就业的人也会入围",
                    "cannot tell whether a person is still registered unemployed: people back in work qualify too",
                ),
                need(
                    &[Insured],
                    "无法判断是否参加失业保险, 所有人都按未参保计入 R03",
                    "cannot tell unemployment insurance: everyone counts as uninsured for R03",
                ),
            ];
            NEEDS
        }
        SourceKind::Emergency => {
            const NEEDS: &[Need] = &[
                ID,
                need(&[EventDate], "无法判断受灾是否在排查期内, 本文件无人入围",
                    "cannot tell whether an event is inside the screening period: no one in this file qualifies"),
            ];
            NEEDS
        }
        SourceKind::Children => {
            const NEEDS: &[Need] = &[
                ID,
                need(
                    &[FatherStatus, MotherStatus],
                    "无法判断父母状况, 本文件无人能入围 R04/R05",
                    "cannot tell the parents' situation: no one in this file can qualify for R04/R05",
                ),
            ];
            NEEDS
        }
        SourceKind::Dibao
        | SourceKind::Tekun
        | SourceKind::Orphan
        | SourceKind::Fuc
        | SourceKind::LowIncome => ROLL,
        SourceKind::TempAssistance => {
            const NEEDS: &[Need] = &[
                ID,
                need(
                    &[AidDate],
                    "无法判断救助日期, 本文件的救助都不计入 (人员会被当作未获救助)",
                    "cannot tell aid dates: no aid in this file counts (people are treated as not aided)",
                ),
            ];
            NEEDS
        }
    }
}

/// The result-changing fields a sheet's mapping lacks.
fn gaps(kind: SourceKind, mapping: &[MappedColumn]) -> Vec<Gap> {
    result_fields(kind)
        .iter()
        .filter(|need| {
            !need
                .fields
                .iter()
                .any(|f| mapping.iter().any(|m| m.field == *f))
        })
        .map(|need| Gap {
            fields: need.fields.to_vec(),
            consequence: pick(need.consequence[0], need.consequence[1]),
        })
        .collect()
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
    claims: &[&SourceSpec],
    limits: &InputLimits,
    vocabulary: &Vocabulary,
) -> FileOutput {
    let mut report = FileReport {
        file_name: name.to_string(),
        kind: claims.first().map(|s| s.kind),
        ..FileReport::default()
    };
    let result = match claims {
        [] => Err(FileError::Unclaimed),
        [_] if name.contains([';', '#']) => Err(FileError::AmbiguousName {
            file: name.to_string(),
        }),
        [spec] => read_bytes(name, path, limits).and_then(|bytes| {
            report.bytes = bytes.len() as u64;
            // Hashing a 150 MB claim file takes a tenth of a second: beside the parse.
            let (sha256, parsed) = rayon::join(
                || sha256_hex(&bytes),
                || parse(name, &bytes, spec, limits, vocabulary),
            );
            report.sha256 = sha256;
            parsed
        }),
        // Reading it as either kind would be a guess; the clerk decides in the pipeline.
        several => {
            report.kind = None;
            Err(FileError::ClaimedTwice {
                file: name.to_string(),
                claims: several
                    .iter()
                    .map(|s| format!("{} (glob \"{}\")", s.kind.key(), s.glob))
                    .collect::<Vec<_>>()
                    .join(", "),
            })
        }
    };
    match result {
        Ok((encoding, sheets)) => {
            report.encoding = Some(encoding.to_string());
            let mut records = Rows::default();
            let mut rejects = Vec::new();
            for sheet in sheets {
                for gap in &sheet.report.gaps {
                    tracing::warn!(
                        file = name,
                        sheet = sheet.report.sheet.as_deref().unwrap_or(""),
                        "{}",
                        tr!(
                            "缺少字段 {}: {}",
                            "missing field {}: {}",
                            gap.fields_named(),
                            gap.consequence
                        )
                    );
                }
                report.rows_read += sheet.report.rows_read;
                report.rows_rejected += sheet.report.rows_rejected;
                report.sheets.push(sheet.report);
                records.append(sheet.records);
                rejects.extend(sheet.rejects);
            }
            report.rejects_not_listed = cap_rejects(name, report.kind, &mut rejects);
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
            tracing::warn!(file = name, reason = %reason, "{}", pick("文件被拒收", "file rejected"));
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
                records: Rows::default(),
            }
        }
    }
}

/// Row rejects listed one by one per file; past this, one line says how many more there are
/// (a workbook with a million bad rows must not write a million reject lines). The file's
/// counts stay exact.
const MAX_ROW_REJECTS_LISTED: usize = 1000;

/// Returns how many rejects were left unlisted.
fn cap_rejects(file: &str, kind: Option<SourceKind>, rejects: &mut Vec<Reject>) -> usize {
    if rejects.len() <= MAX_ROW_REJECTS_LISTED {
        return 0;
    }
    let more = rejects.len() - MAX_ROW_REJECTS_LISTED;
    rejects.truncate(MAX_ROW_REJECTS_LISTED);
    rejects.push(Reject {
        file: file.to_string(),
        sheet: None,
        row: None,
        kind,
        reason: tr!(
            "另有 {more} 行被拒收, 未逐行列出 (每个文件只列出前 {MAX_ROW_REJECTS_LISTED} 行)",
            "{more} more rows rejected, not listed one by one (only the first {MAX_ROW_REJECTS_LISTED} of each file are)"
        ),
    });
    more
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
fn is_workbook(name: &str, bytes: &[u8]) -> bool {
    let ext = Path::new(name)
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if WORKBOOK_EXTENSIONS.contains(&ext.as_str()) {
        true
    } else if TEXT_EXTENSIONS.contains(&ext.as_str()) {
        false
    } else {
        bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"\xD0\xCF\x11\xE0")
    }
}

fn parse(
    name: &str,
    bytes: &[u8],
    spec: &SourceSpec,
    limits: &InputLimits,
    vocabulary: &Vocabulary,
) -> Result<(&'static str, Vec<SheetOutput>), FileError> {
    if is_workbook(name, bytes) {
        workbook::read_workbook(bytes, name, spec, limits, vocabulary)
    } else {
        text::read_text(bytes, name, spec, limits, vocabulary)
            .map(|(enc, sheet)| (enc, vec![sheet]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::has_han;

    /// What a missing field does is said in both languages, English without Chinese.
    #[test]
    fn every_consequence_is_said_in_both_languages() {
        for kind in SourceKind::ALL {
            for need in result_fields(kind) {
                let [zh, en] = need.consequence;
                assert!(has_han(zh) && !has_han(en), "{kind}: {zh} / {en}");
            }
        }
    }
}
