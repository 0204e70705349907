//! `loubao check`: show, file by file, what ingest understood — kind, encoding, sheet,
//! header row, each field and how it was found, the headers left unused, rows read and
//! rejected — and say loudly what would make the run fail or its results wrong.
//!
//! Exit codes: 0 all clear; 3 warnings (a field that changes results is missing, a file is
//! unusable, township names the pipeline does not know); 4 the pipeline cannot work as
//! written (a file claimed by two sources, a source whose glob matches nothing); 5 no input
//! (the inbox is missing or empty).

use std::collections::BTreeMap;
use std::path::Path;

use super::{Context, Error};
use crate::ingest::{self, headers, FileReport, SheetReport};
use crate::lang::{pick, Lang};
use crate::model::Reject;
use crate::normalise;
use crate::ops::Exit;
use crate::tr;

/// The verdict is the exit code (on stdout, with the report); only a pipeline file that
/// cannot be loaded is an `Error`.
pub fn check(pipeline_path: &Path) -> Result<Exit, Error> {
    let ctx = Context::load(pipeline_path)?;
    let p = &ctx.loaded.pipeline;
    let inbox = &ctx.loaded.inbox;
    if !inbox.is_dir() {
        println!(
            "{}",
            tr!(
                "错误: 收件文件夹不存在: {}",
                "error: the inbox does not exist: {}",
                inbox.display()
            )
        );
        return Ok(Exit::NoUsableInput);
    }
    let mut output = ingest::ingest(
        inbox,
        &p.sources,
        &p.limits,
        &ingest::Vocabulary::new(&p.townships, &p.rules),
    );
    if output.files.is_empty() {
        println!(
            "{}",
            tr!(
                "错误: 收件文件夹中没有文件: {}",
                "error: the inbox holds no files: {}",
                inbox.display()
            )
        );
        return Ok(Exit::NoUsableInput);
    }
    println!("{}", tr!("收件文件夹: {}", "inbox: {}", inbox.display()));

    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    for file in &output.files {
        print_file(file, &output.rejects);
        if file.claimed_by.len() > 1 {
            let claims = file
                .claimed_by
                .iter()
                .map(|&i| source_label(p, i))
                .collect::<Vec<_>>()
                .join(", ");
            errors.push(tr!(
                "{} 被多个来源同时匹配: {claims}",
                "{} is matched by several sources: {claims}",
                file.file_name
            ));
        } else if let Some(error) = &file.error {
            warnings.push(tr!(
                "{}: 无法使用 ({error})",
                "{}: unusable ({error})",
                file.file_name
            ));
        }
        for sheet in &file.sheets {
            warnings.extend(gap_warnings(file, sheet));
            for m in duplicated_headers(sheet) {
                warnings.push(tr!(
                    "{}: 表头「{}」出现多次, 只使用了第 {} 列: 请确认用的是对的一列, 或用 columns 指定",
                    "{}: the header \"{}\" appears more than once and only column {} is used: check that it is the right one, or name it with columns",
                    file.file_name,
                    m.header,
                    m.column + 1
                ));
            }
        }
    }
    for (index, _) in p.sources.iter().enumerate() {
        if !output.files.iter().any(|f| f.claimed_by.contains(&index)) {
            errors.push(tr!(
                "来源 {} 没有匹配到任何文件",
                "source {} matches no file",
                source_label(p, index)
            ));
        }
    }

    let normalised = normalise::normalise(std::mem::take(&mut output.records), &p.townships);
    let unknown = normalised.unknown_township_lines();
    if !unknown.is_empty() {
        println!(
            "\n{}",
            pick(
                "乡镇名称不在流水线文件中 (这些记录的乡镇将按地址或名册确定, 否则为未确定乡镇):",
                "township names not in the pipeline file (these records' township is taken from the address or a roll, else left undetermined):"
            )
        );
        for line in &unknown {
            println!("  {line}");
        }
        warnings.push(tr!(
            "{} 个乡镇名称不在流水线文件中: 请在 [[townships]] 中加入该乡镇, 或加入 aliases",
            "{} township names are not in the pipeline file: add each to [[townships]], or as aliases",
            unknown.len()
        ));
    }

    Ok(verdict(&errors, &warnings, output.files.len()))
}

/// Prints the errors, the warnings and the verdict line; returns the verdict's exit code.
fn verdict(errors: &[String], warnings: &[String], files: usize) -> Exit {
    println!();
    for e in errors {
        println!("{}", tr!("错误: {e}", "error: {e}"));
    }
    for w in warnings {
        println!("{}", tr!("警告: {w}", "warning: {w}"));
    }
    let (errors, warnings) = (errors.len(), warnings.len());
    if errors > 0 {
        println!(
            "{}",
            tr!(
                "检查未通过: {errors} 个错误, {warnings} 条警告",
                "check failed: {errors} errors, {warnings} warnings"
            )
        );
        Exit::Config
    } else if warnings > 0 {
        println!(
            "{}",
            tr!(
                "检查完成, 有 {warnings} 条警告: {files} 个文件",
                "check done with {warnings} warnings: {files} files"
            )
        );
        Exit::Partial
    } else {
        println!(
            "{}",
            tr!("检查通过: {files} 个文件", "check passed: {files} files")
        );
        Exit::Complete
    }
}

/// `hotline (glob "*热线*")`.
fn source_label(p: &crate::config::Pipeline, index: usize) -> String {
    let spec = &p.sources[index];
    format!("{} (glob \"{}\")", spec.kind.key(), spec.glob)
}

fn print_file(file: &FileReport, rejects: &[Reject]) {
    let kind = file.kind.map_or_else(
        || pick("未识别", "not recognised").to_string(),
        |k| format!("{} ({})", k.key(), pick(k.label_zh(), k.label_en())),
    );
    let (encoding, bytes) = (file.encoding.as_deref().unwrap_or("-"), file.bytes);
    println!(
        "\n{}\n{}",
        file.file_name,
        tr!(
            "  类型: {kind}  编码: {encoding}  大小: {bytes} 字节",
            "  kind: {kind}  encoding: {encoding}  size: {bytes} bytes"
        )
    );
    if let Some(error) = &file.error {
        println!("{}", tr!("  无法使用: {error}", "  unusable: {error}"));
    }
    for sheet in &file.sheets {
        if let Some(name) = &sheet.sheet {
            println!("{}", tr!("  工作表: {name}", "  sheet: {name}"));
        }
        let row = sheet.header_row;
        println!("{}", tr!("  表头行: 第 {row} 行", "  header row: {row}"));
        for m in &sheet.mapping {
            let key = headers::field_key(m.field);
            let (header, evidence) = (&m.header, &m.evidence);
            match crate::lang::current() {
                Lang::Zh => {
                    let canonical = headers::canonical_header(m.field);
                    println!("    {canonical} [{key}] ← {header} ({evidence})");
                }
                Lang::En => println!("    {key} ← {header} ({evidence})"),
            }
        }
        if !sheet.unused_headers.is_empty() {
            let unused = sheet.unused_headers.join(", ");
            println!(
                "{}",
                tr!("  未使用的表头: {unused}", "  unused headers: {unused}")
            );
        }
        let (read, rejected) = (sheet.rows_read, sheet.rows_rejected);
        println!(
            "{}",
            tr!(
                "  读取 {read} 行, 拒收 {rejected} 行",
                "  {read} rows read, {rejected} rejected"
            )
        );
        if sheet.cells_dropped > 0 {
            println!(
                "{}",
                tr!(
                    "  {} 个单元格的值无法识别 (如日期写错), 已略过, 所在行仍使用",
                    "  {} cell values not understood (a wrong date, say): skipped, their rows still used",
                    sheet.cells_dropped
                )
            );
        }
        if sheet.rows_wider_than_header > 0 {
            println!(
                "{}",
                tr!(
                    "  {} 行的单元格多于表头: 表头右侧的单元格没有列名, 未使用",
                    "  {} rows are wider than the header: the cells right of it have no column name and are not used",
                    sheet.rows_wider_than_header
                )
            );
        }
        for gap in &sheet.gaps {
            let (fields, consequence) = (gap.fields_named(), gap.consequence);
            println!(
                "{}",
                tr!(
                    "  缺少 {fields}: {consequence}",
                    "  missing {fields}: {consequence}"
                )
            );
            println!("    {}", override_hint(sheet, gap));
        }
    }
    let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
    for r in rejects
        .iter()
        .filter(|r| r.file == file.file_name && r.row.is_some())
    {
        *reasons.entry(r.reason.as_str()).or_default() += 1;
    }
    let mut reasons: Vec<_> = reasons.into_iter().collect();
    reasons.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    for (reason, count) in reasons.into_iter().take(5) {
        println!(
            "{}",
            tr!(
                "    拒收原因 {count} 行: {reason}",
                "    rejected, {count} rows: {reason}"
            )
        );
    }
}

/// The exact line to add to the source's `[[sources]]` entry, with the unused headers as
/// the candidates.
fn override_hint(sheet: &SheetReport, gap: &ingest::Gap) -> String {
    let key = headers::field_key(gap.fields[0]);
    // 序号 and 备注 are never the missing field.
    let header = sheet
        .unused_headers
        .iter()
        .find(|h| !["序号", "备注", "编号"].contains(&h.as_str()))
        .map_or(pick("表头", "header"), String::as_str);
    let line = format!("columns = {{ {key} = \"{header}\" }}");
    if sheet.unused_headers.is_empty() {
        tr!(
            "若文件中有此列, 在该来源下加入: {line} (本表没有未使用的表头)",
            "if the file has this column, add under its source: {line} (this table has no unused headers)"
        )
    } else {
        let unused = sheet.unused_headers.join(", ");
        tr!(
            "若文件中有此列, 在该来源下加入: {line} (未使用的表头: {unused})",
            "if the file has this column, add under its source: {line} (unused headers: {unused})"
        )
    }
}

/// Mapped columns whose header text also heads an unused column.
fn duplicated_headers(sheet: &SheetReport) -> impl Iterator<Item = &ingest::MappedColumn> {
    sheet
        .mapping
        .iter()
        .filter(|m| sheet.unused_headers.contains(&m.header))
}

fn gap_warnings(file: &FileReport, sheet: &SheetReport) -> Vec<String> {
    let place = match &sheet.sheet {
        Some(name) if file.sheets.len() > 1 => format!("{}!{name}", file.file_name),
        _ => file.file_name.clone(),
    };
    sheet
        .gaps
        .iter()
        .map(|gap| {
            let (fields, consequence) = (gap.fields_named(), gap.consequence);
            tr!(
                "{place}: 缺少 {fields}: {consequence}",
                "{place}: missing {fields}: {consequence}"
            )
        })
        .collect()
}
