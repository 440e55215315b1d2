//! `bench/results.svg`: the cold starts and warm latencies side by side.

use super::*;

impl Results<'_> {
    /// Three bar charts (init, cold start, warm p50) on a log scale, grouped by function.
    pub fn svg(&self) -> String {
        let colors = [("Rust", "#dea584"), ("Python", "#3572a5"), ("Node.js", "#68a063")];
        type Metric = fn(&Measured) -> Duration;
        let metrics: [(&str, Metric); 3] = [
            ("init at the smallest memory size (ms, log scale)", |m| m.init),
            ("cold start: init + first invocation (ms, log scale)", |m| m.cold),
            ("warm p50 (ms, log scale)", |m| m.warm_p50),
        ];
        let functions = crate::subjects::CASES.map(|(label, ..)| label);
        let (width, panel_h, bar_w) = (1240.0_f64, 240.0_f64, 26.0_f64);
        let mut s = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{}\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n",
            panel_h * metrics.len() as f64 + 60.0
        );
        for (panel, (title, metric)) in metrics.iter().enumerate() {
            let top = 30.0 + panel as f64 * (panel_h + 20.0);
            let base = top + panel_h - 40.0;
            let _ = writeln!(
                s,
                "<text x=\"10\" y=\"{}\" font-weight=\"bold\">{title}</text>",
                top - 8.0
            );
            let value = |m: &Measured| ms(metric(m));
            let max = self
                .rows
                .iter()
                .filter_map(|(_, m)| m.as_ref().ok())
                .map(value)
                .fold(0.001_f64, f64::max);
            let (lo, hi) = (0.01_f64.log10(), (max * 2.0).log10());
            let scale = |v: f64| (v.max(0.01).log10() - lo) / (hi - lo) * (panel_h - 70.0);
            let mut x = 60.0;
            for function in functions {
                let group_start = x;
                for (language, color) in colors {
                    let Some((_, m)) = self
                        .rows
                        .iter()
                        .find(|(s, _)| s.label == function && s.language == language)
                    else {
                        continue;
                    };
                    match m {
                        Ok(m) => {
                            let h = scale(value(m));
                            let _ = writeln!(
                                s,
                                "<rect x=\"{x}\" y=\"{:.1}\" width=\"{bar_w}\" height=\"{h:.1}\" fill=\"{color}\"><title>{language} {:.3} ms</title></rect>",
                                base - h,
                                value(m)
                            );
                            let _ = writeln!(
                                s,
                                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{:.2}</text>",
                                x + bar_w / 2.0,
                                base - h - 4.0,
                                value(m)
                            );
                        }
                        Err(_) => {
                            let _ = writeln!(
                                s,
                                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#c00\">FAIL</text>",
                                x + bar_w / 2.0,
                                base - 4.0
                            );
                        }
                    }
                    x += bar_w + 6.0;
                }
                let _ = writeln!(
                    s,
                    "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{function}</text>",
                    (group_start + x) / 2.0,
                    base + 18.0
                );
                x += 60.0;
            }
            let _ = writeln!(
                s,
                "<line x1=\"50\" y1=\"{base}\" x2=\"{}\" y2=\"{base}\" stroke=\"#999\"/>",
                width - 20.0
            );
        }
        let mut lx = width - 240.0;
        for (language, color) in colors {
            let _ = writeln!(
                s,
                "<rect x=\"{lx}\" y=\"8\" width=\"12\" height=\"12\" fill=\"{color}\"/><text x=\"{}\" y=\"18\">{language}</text>",
                lx + 16.0
            );
            lx += 75.0;
        }
        s.push_str("</svg>\n");
        s
    }
}
