//! A small SVG line chart, so reports carry a picture without a plotting dependency.

/// One series: a name, a colour and its points (x, y).
pub struct Series<'a> {
    /// Legend text.
    pub name: &'a str,
    /// SVG colour.
    pub colour: &'a str,
    /// Points in data coordinates.
    pub points: Vec<(f64, f64)>,
}

/// An SVG chart of `series` (each scaled to its own maximum, so shapes compare), titled `title`.
pub fn line_chart(title: &str, x_label: &str, series: &[Series<'_>]) -> String {
    let (w, h, margin) = (800.0, 320.0, 50.0);
    let x_max = series.iter().flat_map(|s| s.points.iter().map(|p| p.0)).fold(1.0f64, f64::max);
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="{margin}" y="20" font-size="14">{title}</text>
<line x1="{margin}" y1="{y0}" x2="{x1}" y2="{y0}" stroke="black"/>
<line x1="{margin}" y1="{margin}" x2="{margin}" y2="{y0}" stroke="black"/>
<text x="{xl}" y="{yl}" text-anchor="end">{x_label} (0 to {x_max:.0})</text>
"#,
        y0 = h - margin,
        x1 = w - margin,
        xl = w - margin,
        yl = h - margin + 30.0,
    );
    for (i, s) in series.iter().enumerate() {
        let y_max = s.points.iter().map(|p| p.1).fold(f64::MIN_POSITIVE, f64::max);
        let path: Vec<String> = s
            .points
            .iter()
            .map(|(x, y)| {
                let px = margin + x / x_max * (w - 2.0 * margin);
                let py = h - margin - y / y_max * (h - 2.0 * margin);
                format!("{px:.1},{py:.1}")
            })
            .collect();
        svg.push_str(&format!(
            "<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"1.5\" points=\"{}\"/>\n<text x=\"{}\" y=\"{}\" fill=\"{}\">{} (max {:.0})</text>\n",
            s.colour,
            path.join(" "),
            margin + 10.0,
            margin + 15.0 * i as f64,
            s.colour,
            s.name,
            y_max
        ));
    }
    svg.push_str("</svg>\n");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_every_series() {
        let svg =
            line_chart("t", "tx", &[Series { name: "gas", colour: "blue", points: vec![(0.0, 1.0), (1.0, 3.0)] }]);
        assert!(svg.starts_with("<svg") && svg.contains("polyline") && svg.contains("gas (max 3)"));
    }
}
