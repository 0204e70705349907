//! List scores: the latest run's township lists against the expected codes.

use super::*;
use loubao_lang::tr;

/// The newest complete run folder: `2021-06-30`, `2021-06-30_2` …; staging folders are
/// hidden and never count.
pub(super) fn latest_run(outbox: &Path) -> anyhow::Result<Option<PathBuf>> {
    let Ok(entries) = std::fs::read_dir(outbox) else {
        return Ok(None);
    };
    let mut best: Option<((chrono::NaiveDate, u32), PathBuf)> = None;
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !entry.path().is_dir() {
            continue;
        }
        let (date, n) = name.split_once('_').unwrap_or((&name, "1"));
        let (Ok(date), Ok(n)) = (
            chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d"),
            n.parse::<u32>(),
        ) else {
            continue;
        };
        if best.as_ref().is_none_or(|(key, _)| (date, n) > *key) {
            best = Some(((date, n), entry.path()));
        }
    }
    Ok(best.map(|(_, p)| p))
}

#[derive(Debug, Clone)]
pub(super) struct SuspectRow {
    pub(super) township: String,
    /// The row's resident ID as written (blank or damaged digits when none was valid).
    pub(super) id_number: String,
    pub(super) codes: BTreeSet<RuleCode>,
    pub(super) refs: Vec<String>,
}

/// Every township list of the folder: the csv files whose first header is 线索编号.
pub(super) fn read_suspects(folder: &Path) -> anyhow::Result<Vec<SuspectRow>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(folder)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for path in paths {
        let bytes = std::fs::read(&path)?;
        let text = String::from_utf8_lossy(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes))
            .into_owned();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let headers = reader.headers()?.clone();
        if headers.get(0) != Some(ListColumn::ClueId.header()) {
            continue;
        }
        let col = |column: ListColumn| headers.iter().position(|h| h == column.header());
        if headers.iter().eq(ConductColumn::HEADERS) {
            out.extend(read_conduct(&path, &mut reader)?);
            continue;
        }
        let (Some(t), Some(c), Some(r), Some(i)) = (
            col(ListColumn::Township),
            col(ListColumn::Codes),
            col(ListColumn::SourceRefs),
            col(ListColumn::IdNumber),
        ) else {
            continue;
        };
        for rec in reader.records() {
            let rec = rec.with_context(|| tr!("无法读取 {}", "cannot read {}", path.display()))?;
            out.push(SuspectRow {
                township: rec[t].to_string(),
                // The CSV writes long digit runs after a tab so that spreadsheets keep them text.
                id_number: rec[i].trim().to_string(),
                codes: rec[c]
                    .split(';')
                    .filter_map(|s| RuleCode::from_code(s.trim()))
                    .collect(),
                refs: rec[r]
                    .split(';')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect(),
            });
        }
    }
    Ok(out)
}

/// The rows of the county's 服务问题线索 list: each an R07 of the complainant its reference
/// names (the ID is masked, so only the reference can say who).
fn read_conduct(path: &Path, reader: &mut csv::Reader<&[u8]>) -> anyhow::Result<Vec<SuspectRow>> {
    let mut out = Vec::new();
    for rec in reader.records() {
        let rec = rec.with_context(|| tr!("无法读取 {}", "cannot read {}", path.display()))?;
        out.push(SuspectRow {
            township: rec[ConductColumn::Township.index()].to_string(),
            id_number: String::new(),
            codes: [RuleCode::R07].into(),
            refs: rec[ConductColumn::SourceRefs.index()]
                .split(';')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
        });
    }
    Ok(out)
}

pub(super) fn score_lists(report: &mut EvalReport, truth: &Truth, suspects: &[SuspectRow]) {
    // A suspect row with a resident ID is the person holding that ID; without one, it is
    // the true person most of its refs name.
    let mut predicted: BTreeMap<String, BTreeSet<RuleCode>> = BTreeMap::new();
    let mut unmapped: Vec<&SuspectRow> = Vec::new();
    for row in suspects {
        let mut votes: BTreeMap<&str, usize> = BTreeMap::new();
        for r in &row.refs {
            if let Some((p, weight)) = truth.subject_of(r) {
                *votes.entry(p).or_default() += weight;
            }
        }
        let by_id = truth.by_id.get(&row.id_number).map(String::as_str);
        let by_votes = votes
            .iter()
            .max_by_key(|(p, n)| (**n, std::cmp::Reverse(**p)))
            .map(|(p, _)| *p);
        let Some(person) = by_id.or(by_votes) else {
            unmapped.push(row);
            continue;
        };
        // A conduct clue names the township it concerns, not where a suspect is listed.
        if !row.codes.iter().all(|c| c.is_conduct()) {
            report.right_township.1 += 1;
            if truth.township.get(person) == Some(&row.township) {
                report.right_township.0 += 1;
            }
        }
        predicted
            .entry(person.to_string())
            .or_default()
            .extend(&row.codes);
    }
    let mut misses = Vec::new();
    for code in RuleCode::ALL {
        let exp: BTreeSet<&String> = truth
            .expected
            .iter()
            .filter(|(_, c)| c.contains(&code))
            .map(|(p, _)| p)
            .collect();
        let got: BTreeSet<&String> = predicted
            .iter()
            .filter(|(_, c)| c.contains(&code))
            .map(|(p, _)| p)
            .collect();
        let unmapped_fp = unmapped.iter().filter(|r| r.codes.contains(&code)).count();
        report.codes.push(CodeScore {
            code,
            true_positives: exp.intersection(&got).count(),
            false_positives: got.difference(&exp).count() + unmapped_fp,
            false_negatives: exp.difference(&got).count(),
        });
        for p in exp.difference(&got) {
            misses.push(Miss {
                false_positive: false,
                person_id: (*p).clone(),
                code,
                reason: miss_reason(truth, p),
            });
        }
        for p in got.difference(&exp) {
            let reason = match truth.expected.get(*p) {
                Some(codes) if !codes.is_empty() => {
                    let codes: Vec<&str> = codes.iter().map(|c| c.code()).collect();
                    tr!("应为 {}", "should be {}", codes.join(";"))
                }
                _ => tr!(
                    "不应检出: 已纳入保障、已获救助或未达条件",
                    "should not be found: covered, aided or not qualifying"
                ),
            };
            misses.push(Miss {
                false_positive: true,
                person_id: (*p).clone(),
                code,
                reason,
            });
        }
        for r in unmapped.iter().filter(|r| r.codes.contains(&code)) {
            misses.push(Miss {
                false_positive: true,
                person_id: "?".into(),
                code,
                reason: tr!(
                    "来源记录无法对应真实人员: {}",
                    "source records name no true person: {}",
                    r.refs.join(";")
                ),
            });
        }
    }
    // Misses of rarer codes first: each weighs more on that code's F1.
    let weight = |m: &Miss| {
        let c = &report.codes[m.code as usize];
        c.true_positives + c.false_negatives
    };
    misses.sort_by_key(|m| (weight(m), m.code, m.person_id.clone()));
    misses.truncate(MAX_MISSES);
    report.misses = misses;

    let mut by_noise: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut by_source: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (person, codes) in &truth.expected {
        for code in codes {
            let found = predicted.get(person).is_some_and(|c| c.contains(code));
            let mut labels: BTreeSet<String> = BTreeSet::new();
            let mut files: BTreeSet<String> = BTreeSet::new();
            for (source, noise) in truth.screening_rows(person) {
                files.insert(source_file(source).to_string());
                labels.extend(noise_labels(noise));
            }
            // A person is clean only when every row is (or has none).
            if labels.len() > 1 {
                labels.remove("clean");
            }
            if labels.is_empty() {
                labels.insert("clean".into());
            }
            for (map, keys) in [(&mut by_noise, labels), (&mut by_source, files)] {
                for k in keys {
                    let e = map.entry(k).or_default();
                    e.1 += 1;
                    e.0 += usize::from(found);
                }
            }
        }
    }
    report.recall_by_noise = by_noise.into_iter().map(|(k, (a, b))| (k, a, b)).collect();
    report.recall_by_source = by_source.into_iter().map(|(k, (a, b))| (k, a, b)).collect();
}

/// Why an expected suspect may have been missed: its screening rows and their defects.
fn miss_reason(truth: &Truth, person: &str) -> String {
    let rows: Vec<String> = truth
        .screening_rows(person)
        .take(3)
        .map(|(source, noise)| match noise.as_str() {
            "" => source.clone(),
            n => format!("{source} ({n})"),
        })
        .collect();
    tr!(
        "未出现在名单中; 来源行: {}",
        "not on the lists; source rows: {}",
        rows.join(", ")
    )
}
