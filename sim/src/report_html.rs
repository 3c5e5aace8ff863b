//! `report.html`: one self-contained file per run — the very content of `report.md` (rendered from
//! it, so the two cannot drift apart), with every chart inline as SVG and the style inline. No
//! network, no script, nothing to install: it opens in any browser from a CI artifact.

use crate::charts::Chart;

const STYLE: &str = "body{font-family:sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}\
table{border-collapse:collapse;margin:1em 0;font-size:13px}td,th{border:1px solid #ccc;padding:3px 8px;\
text-align:left;vertical-align:top}th{background:#f3f3f3}code,pre{font-family:monospace;background:#f6f6f6}\
pre{padding:8px;overflow-x:auto}figure{margin:1em 0}figcaption{font-size:13px;color:#555}\
svg{max-width:100%;height:auto}";

/// The HTML page of a report whose Markdown is `markdown`, with `charts` inline (an image in the
/// Markdown that names a chart's file becomes that chart's SVG).
pub fn render(markdown: &str, charts: &[Chart]) -> String {
    let title = markdown.lines().next().and_then(|l| l.strip_prefix("# ")).unwrap_or("svm-sim report");
    let mut html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(title)
    );
    let mut lines = markdown.lines().peekable();
    while let Some(line) = lines.next() {
        if line.starts_with("```") {
            html.push_str("<pre>");
            for code in lines.by_ref().take_while(|l| !l.starts_with("```")) {
                html.push_str(&escape(code));
                html.push('\n');
            }
            html.push_str("</pre>\n");
        } else if let Some(image) = image(line) {
            match charts.iter().find(|c| c.file == image) {
                Some(chart) => html.push_str(&format!(
                    "<figure>{}<figcaption>{}</figcaption></figure>\n",
                    strip_xml_declaration(&chart.svg),
                    escape(&chart.title)
                )),
                None => html.push_str(&format!("<p>(chart {} not drawn)</p>\n", escape(image))),
            }
        } else if line.starts_with('|') {
            let mut rows = vec![line];
            while let Some(next) = lines.next_if(|l| l.starts_with('|')) {
                rows.push(next);
            }
            html.push_str(&table(&rows));
        } else if let Some(item) = line.strip_prefix("- ") {
            html.push_str("<ul>\n");
            html.push_str(&format!("<li>{}</li>\n", inline(item)));
            while let Some(next) = lines.next_if(|l| l.starts_with("- ") || l.starts_with("  ")) {
                html.push_str(&format!("<li>{}</li>\n", inline(next.trim_start().trim_start_matches("- "))));
            }
            html.push_str("</ul>\n");
        } else if let Some((level, text)) = heading(line) {
            html.push_str(&format!("<h{level}>{}</h{level}>\n", inline(text)));
        } else if !line.trim().is_empty() {
            html.push_str(&format!("<p>{}</p>\n", inline(line)));
        }
    }
    html.push_str("</body>\n</html>\n");
    html
}

/// `![alt](file)` alone on a line: the file.
fn image(line: &str) -> Option<&str> {
    let rest = line.trim().strip_prefix("![")?;
    let (_, target) = rest.split_once("](")?;
    target.strip_suffix(')')
}

fn heading(line: &str) -> Option<(usize, &str)> {
    let level = line.chars().take_while(|&c| c == '#').count();
    (1..=4).contains(&level).then(|| line[level..].strip_prefix(' ')).flatten().map(|text| (level, text))
}

/// A Markdown table (header row, separator row, body rows).
fn table(rows: &[&str]) -> String {
    let cells = |row: &str| -> Vec<String> {
        row.trim().trim_start_matches('|').trim_end_matches('|').split('|').map(|c| inline(c.trim())).collect()
    };
    let mut out = String::from("<table>\n");
    for (i, row) in rows.iter().enumerate() {
        if row.trim_start_matches('|').starts_with("---") || row.replace(['|', '-', ' ', ':'], "").is_empty() {
            continue;
        }
        let tag = if i == 0 { "th" } else { "td" };
        out.push_str("<tr>");
        for cell in cells(row) {
            out.push_str(&format!("<{tag}>{cell}</{tag}>"));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
    out
}

/// Inline Markdown: `code` and **bold**, everything else escaped.
fn inline(text: &str) -> String {
    let mut out = String::new();
    for (i, part) in text.split('`').enumerate() {
        if i % 2 == 1 {
            out.push_str(&format!("<code>{}</code>", escape(part)));
        } else {
            for (j, piece) in part.split("**").enumerate() {
                if j % 2 == 1 {
                    out.push_str(&format!("<strong>{}</strong>", escape(piece)));
                } else {
                    out.push_str(&escape(piece));
                }
            }
        }
    }
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn strip_xml_declaration(svg: &str) -> &str {
    svg.find("<svg").map_or(svg, |at| &svg[at..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_becomes_html_with_charts_inline_and_text_escaped() {
        let chart = Chart { file: "gas.svg", title: "Gas".into(), svg: "<svg><text>1e3</text></svg>".into() };
        let md = "# run <7>\n\n- one `a<b`\n- **two**\n\n| a | b |\n|---|---|\n| 1 | x&y |\n\n![gas](gas.svg)\n\n![x](missing.svg)\n";
        let html = render(md, &[chart]);
        assert!(html.contains("<title>run &lt;7&gt;</title>"));
        assert!(html.contains("<li>one <code>a&lt;b</code></li>") && html.contains("<li><strong>two</strong></li>"));
        assert!(html.contains("<tr><th>a</th><th>b</th></tr>") && html.contains("<tr><td>1</td><td>x&amp;y</td></tr>"));
        assert!(html.contains("<figure><svg><text>1e3</text></svg><figcaption>Gas</figcaption></figure>"));
        assert!(html.contains("(chart missing.svg not drawn)"));
        assert!(!html.contains("<script"));
    }
}
