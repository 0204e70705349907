//! `汇总.html`: the county summary as one self-contained page — inline CSS and SVG charts
//! drawn here, no script, no network, no web fonts — so it opens straight from the run
//! folder. Every chart is followed by its numbers as a table. All text is escaped.

use std::fmt::Write as _;

use super::summary::{tables, Figures};
use super::table::{display_width, Cell, Output, Table};
use super::{Error, RunReport, SUMMARY};
use crate::model::RuleCode;

/// One colour per rule code, in `RuleCode::ALL` order (readable on white, distinct in grey).
const CODE_COLOURS: [&str; RuleCode::ALL.len()] = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
];
const BAR_COLOUR: &str = "#4e79a7";

const STYLE: &str = "\
body{font-family:'Microsoft YaHei','PingFang SC','Noto Sans CJK SC','WenQuanYi Micro Hei',sans-serif;\
margin:24px auto;max-width:1100px;color:#222;padding:0 16px}\
h1{font-size:22px;border-bottom:2px solid #4e79a7;padding-bottom:6px}\
h2{font-size:18px;margin-top:32px;color:#1f3b63}\
table{border-collapse:collapse;margin:8px 0 16px;font-size:13px}\
th,td{border:1px solid #ccc;padding:3px 8px;text-align:left}\
th{background:#ddebf7}td.n{text-align:right;font-variant-numeric:tabular-nums}\
svg{display:block;margin:8px 0}svg text{font-size:12px;fill:#222}\
.legend span{display:inline-block;margin-right:14px;font-size:13px}\
.legend i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-1px}\
.empty{color:#777}footer{margin-top:40px;font-size:12px;color:#777}\
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}\
.card{border:1px solid #c9d6e8;border-radius:6px;padding:10px 16px;min-width:150px;background:#f7faff}\
.card b{display:block;font-size:28px;color:#1f3b63}.card span{font-size:13px;color:#555}\
.card.warn b{color:#b5472b}details{margin-top:32px}summary{font-size:16px;color:#1f3b63;cursor:pointer}";

/// Escapes text for HTML element content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Horizontal bars, one row per label, each bar stacked from its series values.
fn stacked_bars(rows: &[(String, Vec<usize>)], colours: &[&str]) -> String {
    if rows.is_empty() {
        return "<p class=\"empty\">无数据</p>".to_string();
    }
    const ROW_H: usize = 24;
    const BAR_W: f64 = 560.0;
    let label_w = rows
        .iter()
        .map(|(l, _)| display_width(l))
        .max()
        .unwrap_or(0)
        * 7
        + 12;
    let max = rows
        .iter()
        .map(|(_, v)| v.iter().sum::<usize>())
        .max()
        .unwrap_or(0)
        .max(1);
    let width = label_w + BAR_W as usize + 60;
    let height = rows.len() * ROW_H + 8;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" role=\"img\">"
    );
    for (i, (label, values)) in rows.iter().enumerate() {
        let y = i * ROW_H + 4;
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            label_w - 6,
            y + 15,
            escape(label)
        );
        let mut x = label_w as f64;
        for (j, &v) in values.iter().enumerate() {
            if v == 0 {
                continue;
            }
            let w = v as f64 / max as f64 * BAR_W;
            let _ = write!(
                svg,
                "<rect x=\"{x:.1}\" y=\"{y}\" width=\"{w:.1}\" height=\"{}\" fill=\"{}\"><title>{}</title></rect>",
                ROW_H - 6,
                colours[j % colours.len()],
                v
            );
            x += w;
        }
        let total: usize = values.iter().sum();
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{}\">{total}</text>",
            x + 4.0,
            y + 15
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Vertical bars for the score histogram, with the two thresholds marked.
fn histogram(buckets: &[(f64, usize)], (lower, upper): (f64, f64)) -> String {
    if buckets.is_empty() {
        return "<p class=\"empty\">无数据</p>".to_string();
    }
    const PLOT_H: f64 = 200.0;
    const LEFT: f64 = 50.0;
    let bar_w = (640.0 / buckets.len() as f64).clamp(4.0, 40.0);
    let width = LEFT + bar_w * buckets.len() as f64 + 20.0;
    let height = PLOT_H + 50.0;
    let max = buckets.iter().map(|b| b.1).max().unwrap_or(0).max(1);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" \
         viewBox=\"0 0 {width:.0} {height:.0}\" role=\"img\">"
    );
    let _ = write!(
        svg,
        "<line x1=\"{LEFT}\" y1=\"{PLOT_H}\" x2=\"{:.1}\" y2=\"{PLOT_H}\" stroke=\"#888\"/>\
         <text x=\"{:.1}\" y=\"14\" text-anchor=\"end\">{max}</text>",
        width - 10.0,
        LEFT - 6.0
    );
    // Bucket bounds are evenly spaced in practice; position thresholds between neighbours.
    let x_of = |score: f64| -> Option<f64> {
        let i = buckets.iter().rposition(|b| b.0 <= score)?;
        let start = buckets[i].0;
        let step = buckets.get(i + 1).map(|b| b.0 - start).unwrap_or(1.0);
        let frac = if step > 0.0 {
            ((score - start) / step).clamp(0.0, 1.0)
        } else {
            0.0
        };
        Some(LEFT + (i as f64 + frac) * bar_w)
    };
    let label_every = (buckets.len() / 12).max(1);
    for (i, &(bound, n)) in buckets.iter().enumerate() {
        let h = n as f64 / max as f64 * (PLOT_H - 20.0);
        let x = LEFT + i as f64 * bar_w;
        let _ = write!(
            svg,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{h:.1}\" fill=\"{BAR_COLOUR}\">\
             <title>{bound:.1}: {n}</title></rect>",
            x + 1.0,
            PLOT_H - h,
            (bar_w - 2.0).max(1.0)
        );
        if i % label_every == 0 {
            let _ = write!(
                svg,
                "<text x=\"{x:.1}\" y=\"{:.0}\">{bound:.0}</text>",
                PLOT_H + 16.0
            );
        }
    }
    for (score, label, colour) in [(lower, "下阈值", "#d62728"), (upper, "上阈值", "#2ca02c")]
    {
        if let Some(x) = x_of(score) {
            let _ = write!(
                svg,
                "<line x1=\"{x:.1}\" y1=\"10\" x2=\"{x:.1}\" y2=\"{PLOT_H}\" stroke=\"{colour}\" \
                 stroke-dasharray=\"4 3\"/><text x=\"{x:.1}\" y=\"{:.0}\" fill=\"{colour}\">{label} {score:.1}</text>",
                PLOT_H + 34.0
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

fn html_table(table: &Table) -> String {
    let mut html = String::from("<table><thead><tr>");
    for h in &table.headers {
        let _ = write!(html, "<th>{}</th>", escape(h));
    }
    html.push_str("</tr></thead><tbody>");
    if table.rows.is_empty() {
        let _ = write!(
            html,
            "<tr><td class=\"empty\" colspan=\"{}\">无</td></tr>",
            table.headers.len()
        );
    }
    for row in &table.rows {
        html.push_str("<tr>");
        for cell in row {
            match cell {
                Cell::Text(s) => {
                    let _ = write!(html, "<td>{}</td>", escape(s));
                }
                Cell::Count(n) => {
                    let _ = write!(html, "<td class=\"n\">{n}</td>");
                }
                Cell::Decimal(x) => {
                    let _ = write!(html, "<td class=\"n\">{x:.2}</td>");
                }
            }
        }
        html.push_str("</tr>");
    }
    html.push_str("</tbody></table>");
    html
}

/// The first screen: tonight's suspects, what waits for a person, what went wrong.
fn headline(f: &Figures) -> String {
    let h = &f.headline;
    let mut html = String::from("<div class=\"cards\">");
    let mut card = |value: String, label: &str, warn: bool| {
        let class = if warn { "card warn" } else { "card" };
        let _ = write!(
            html,
            "<div class=\"{class}\"><b>{}</b><span>{}</span></div>",
            escape(&value),
            escape(label)
        );
    };
    card(
        h.suspects.to_string(),
        // New and continuing count ledger clues: a person's suspicion, and separately each
        // R07 service clue, so the two figures need not add up to the persons.
        &format!(
            "疑似人数 (线索 {} 条: 新增 {}, 持续 {})",
            h.new + h.continuing,
            h.new,
            h.continuing
        ),
        false,
    );
    card(
        h.review_questions.to_string(),
        "待复核问题 (待复核.xlsx)",
        h.review_questions > 0,
    );
    card(
        h.rejects.to_string(),
        "拒收记录 (拒收记录.xlsx)",
        h.rejects > 0,
    );
    let missing: Vec<&str> = f.missing.iter().map(|k| k.label_zh()).collect();
    card(
        missing.len().to_string(),
        &if missing.is_empty() {
            "未提供的来源: 无".to_string()
        } else {
            format!("未提供的来源: {}", missing.join("、"))
        },
        !missing.is_empty(),
    );
    html.push_str("</div><p>");
    let codes: Vec<String> = RuleCode::ALL
        .iter()
        .map(|&c| format!("{} {} 人", c.code(), h.by_code[c]))
        .collect();
    let _ = write!(html, "按疑似类型: {}", escape(&codes.join(" · ")));
    html.push_str("</p>");
    html
}

/// Suspects listed night by night (new ones darker), from the ledger's runs and tonight's.
fn trend(nights: &[crate::ledger::NightCounts]) -> String {
    let mut html = String::from("<h2>历次运行</h2>");
    let rows: Vec<(String, Vec<usize>)> = nights
        .iter()
        .map(|n| {
            (
                n.run_id.clone(),
                vec![n.new, n.listed.saturating_sub(n.new)],
            )
        })
        .collect();
    html.push_str(
        "<div class=\"legend\"><span><i style=\"background:#1f3b63\"></i>新增</span>\
         <span><i style=\"background:#9fb8d8\"></i>持续</span></div>",
    );
    html.push_str(&stacked_bars(&rows, &["#1f3b63", "#9fb8d8"]));
    let mut table = Table::new(
        "历次运行",
        &[
            "运行",
            "列出疑似人数",
            "其中新增",
            "核查关闭未再列出",
            "已核销",
        ],
    );
    for n in nights {
        table.rows.push(vec![
            Cell::text(&n.run_id),
            Cell::Count(n.listed),
            Cell::Count(n.new),
            Cell::Count(n.suppressed),
            Cell::Count(n.written_off),
        ]);
    }
    html.push_str(&html_table(&table));
    html
}

pub(crate) fn render(report: &RunReport<'_>, f: &Figures) -> String {
    let county = report.pipeline.pipeline.county.trim();
    let title = format!("{county} 漏保漏救排查汇总 {}", report.run_id)
        .trim()
        .to_string();
    // The workbook's sheets, by name, so the page shows exactly the same tables.
    let sheets = tables(f);
    let sheet = |name: &str| {
        sheets
            .iter()
            .find(|t| t.sheet == name)
            .map(html_table)
            .unwrap_or_default()
    };

    let mut html = String::new();
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{t}</title><style>{STYLE}</style></head><body><h1>{t}</h1>",
        t = escape(&title)
    );

    html.push_str(&headline(f));
    html.push_str(&trend(&f.nights));

    // Bars count persons, as the tables do: a person with two codes is one bar's worth.
    html.push_str("<h2>各乡镇疑似人数</h2>");
    let rows: Vec<(String, Vec<usize>)> = f
        .townships
        .iter()
        .map(|t| (t.name.clone(), vec![t.persons]))
        .collect();
    html.push_str(&stacked_bars(&rows, &[BAR_COLOUR]));
    html.push_str("<h2>各疑似类型人数</h2>");
    let rows: Vec<(String, Vec<usize>)> = RuleCode::ALL
        .iter()
        .map(|&code| {
            let mut values = vec![0; RuleCode::ALL.len()];
            values[code as usize] = f.headline.by_code[code];
            (format!("{} {}", code.code(), code.label_zh()), values)
        })
        .collect();
    html.push_str(&stacked_bars(&rows, &CODE_COLOURS));
    html.push_str("<p>一人有多个疑似类型时, 在每个类型中各计一次。</p>");
    html.push_str(&sheet("乡镇×疑似类型"));
    html.push_str("<h2>各来源疑似人数</h2>");
    html.push_str(&sheet("来源"));

    html.push_str("<h2>未提供来源</h2>");
    html.push_str(&sheet("未提供来源"));
    html.push_str("<h2>数据质量 (缺少影响结果的字段、未知乡镇名称)</h2>");
    html.push_str(&sheet("数据质量"));
    html.push_str("<h2>各来源拒收条数</h2>");
    let rows: Vec<(String, Vec<usize>)> = f
        .rejects_per_source
        .iter()
        .map(|(source, n)| (source.clone(), vec![*n]))
        .collect();
    html.push_str(&stacked_bars(&rows, &["#e15759"]));
    html.push_str(&sheet("拒收"));
    html.push_str("<h2>各来源排查人数</h2>");
    html.push_str(&sheet("各来源排查人数"));

    // What maintainers read, folded away from the clerk's page.
    html.push_str("<details><summary>附录: 供维护人员参考 (匹配分值、来源重叠、身份证号质量、运行信息)</summary>");
    html.push_str("<h2>匹配分值分布</h2>");
    html.push_str(&histogram(&f.histogram, f.thresholds));
    html.push_str(&sheet("匹配分值分布"));
    html.push_str("<h2>来源重叠</h2><p>合并后每人出现在几个来源(含救助名册)中:</p>");
    let rows: Vec<(String, Vec<usize>)> = f
        .overlap_by_count
        .iter()
        .map(|(k, n)| (format!("{k} 个来源"), vec![*n]))
        .collect();
    html.push_str(&stacked_bars(&rows, &[BAR_COLOUR]));
    html.push_str(&sheet("来源重叠"));
    html.push_str("<p>两两来源同时出现的人数:</p>");
    html.push_str(&sheet("两两来源重叠"));
    html.push_str("<h2>身份证号质量</h2>");
    html.push_str(&sheet("身份证质量"));
    html.push_str("<h2>运行信息</h2>");
    html.push_str(&sheet("运行信息"));
    html.push_str("</details>");
    let _ = writeln!(
        html,
        "<footer>由 loubao {} 生成</footer></body></html>",
        env!("CARGO_PKG_VERSION")
    );
    html
}

pub(crate) fn write(out: &mut Output, report: &RunReport<'_>, f: &Figures) -> Result<(), Error> {
    out.write_bytes(&format!("{SUMMARY}.html"), render(report, f).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<b>\"张&三\"</b>'"),
            "&lt;b&gt;&quot;张&amp;三&quot;&lt;/b&gt;&#39;"
        );
    }

    #[test]
    fn stacked_bars_escape_labels_and_skip_zero_segments() {
        let svg = stacked_bars(&[("<镇>".into(), vec![2, 0, 1])], &CODE_COLOURS);
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("&lt;镇&gt;"));
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(svg.contains(">3</text>"));
    }

    #[test]
    fn histogram_marks_thresholds() {
        let buckets: Vec<(f64, usize)> = (0..20).map(|i| (i as f64, i * 3)).collect();
        let svg = histogram(&buckets, (6.0, 12.0));
        assert_eq!(svg.matches("<rect").count(), 20);
        assert!(svg.contains("下阈值 6.0"));
        assert!(svg.contains("上阈值 12.0"));
    }
}
