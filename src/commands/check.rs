//! `loubao check`: show, file by file, what ingest understood — kind, encoding, sheet,
//! header row, the mapping of canonical fields to headers, rows read and rejected.

use std::collections::BTreeMap;
use std::path::Path;

use crate::config::LoadedPipeline;
use crate::ingest::{self, headers, FileReport};
use crate::model::Field;
use crate::ops::Exit;

pub fn check(pipeline_path: &Path) -> Exit {
    let loaded = match LoadedPipeline::load(pipeline_path, super::today()) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{e}");
            return Exit::Config;
        }
    };
    let p = &loaded.pipeline;
    let output = ingest::ingest(&loaded.inbox, &p.sources, &p.limits);
    let mut missing_fields = Vec::new();
    for file in &output.files {
        print_file(file, &output.rejects);
        missing_fields.extend(lacking_fields(file));
    }
    println!();
    if missing_fields.is_empty() {
        println!("检查通过: {} 个文件", output.files.len());
        Exit::Complete
    } else {
        for line in &missing_fields {
            println!("缺少必要字段: {line}");
        }
        Exit::Config
    }
}

fn print_file(file: &FileReport, rejects: &[crate::model::Reject]) {
    let kind = file.kind.map(|k| format!("{} ({})", k.key(), k.label_zh()));
    println!(
        "\n{}\n  类型: {}  编码: {}  大小: {} 字节",
        file.file_name,
        kind.as_deref().unwrap_or("未识别"),
        file.encoding.as_deref().unwrap_or("-"),
        file.bytes
    );
    if let Some(error) = &file.error {
        println!("  无法使用: {error}");
    }
    for sheet in &file.sheets {
        if let Some(name) = &sheet.sheet {
            println!("  工作表: {name}");
        }
        println!("  表头行: 第 {} 行", sheet.header_row);
        for (field, header) in &sheet.mapping {
            let canonical = headers::canonical_header(*field);
            let key = headers::field_key(*field);
            println!("    {canonical} [{key}] ← {header}");
        }
        println!(
            "  读取 {} 行, 拒收 {} 行",
            sheet.rows_read, sheet.rows_rejected
        );
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
        println!("    拒收原因 {count} 行: {reason}");
    }
}

/// "file: kind needs one of 姓名/身份证号" for each required group the mapping lacks.
fn lacking_fields(file: &FileReport) -> Vec<String> {
    let Some(kind) = file.kind else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for sheet in &file.sheets {
        for group in ingest::required_fields(kind) {
            if !group
                .iter()
                .any(|f| sheet.mapping.iter().any(|(m, _)| m == f))
            {
                let names: Vec<&str> = group
                    .iter()
                    .map(|f: &Field| headers::canonical_header(*f))
                    .collect();
                out.push(format!(
                    "{} ({}): 需要 {} 之一",
                    file.file_name,
                    kind.key(),
                    names.join(" / ")
                ));
            }
        }
    }
    out
}
