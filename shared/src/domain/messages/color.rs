//! Text colours that stay readable on any brand colour: `BRAND_COLOR` is the button's
//! background and the links' colour, and a light one (`#ffcc00`) would make white button text
//! or accent links on white unreadable. Contrast is WCAG 2's ratio of relative luminances
//! (<https://www.w3.org/TR/WCAG21/#dfn-contrast-ratio>); 4.5 is its minimum for body text.

/// WCAG's minimum contrast for normal text (success criterion 1.4.3, level AA).
pub const MIN_CONTRAST: f64 = 4.5;

/// The layout's text colour on its white card, and the card of its dark scheme.
pub const TEXT: &str = "#1f2328";
pub const CARD: &str = "#ffffff";

/// `#rgb` or `#rrggbb` as red, green and blue in 0..=255; `None` for anything else.
fn rgb(hex: &str) -> Option<[u8; 3]> {
    let h = hex.strip_prefix('#')?;
    let digit = |i: usize, len: usize| u8::from_str_radix(h.get(i..i + len)?, 16).ok();
    match h.len() {
        3 => Some([digit(0, 1)? * 17, digit(1, 1)? * 17, digit(2, 1)? * 17]),
        6 => Some([digit(0, 2)?, digit(2, 2)?, digit(4, 2)?]),
        _ => None,
    }
}

/// WCAG relative luminance of an sRGB colour.
fn luminance([r, g, b]: [u8; 3]) -> f64 {
    let channel = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.040_45 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
}

/// The contrast ratio of two colours, 1 to 21; `None` if either is not `#rgb`/`#rrggbb`.
pub fn contrast(a: &str, b: &str) -> Option<f64> {
    let (la, lb) = (luminance(rgb(a)?), luminance(rgb(b)?));
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    Some((hi + 0.05) / (lo + 0.05))
}

/// The button text on the brand colour: white, unless black reads better.
pub fn text_on(background: &str) -> &'static str {
    let white = contrast("#ffffff", background).unwrap_or(21.0);
    let black = contrast("#000000", background).unwrap_or(1.0);
    if white >= MIN_CONTRAST || white >= black {
        "#ffffff"
    } else {
        "#000000"
    }
}

/// The colour of links on the white card: the brand colour when it is readable there,
/// otherwise the text colour (the links stay underlined either way).
pub fn link_on_card(accent: &str) -> &str {
    match contrast(accent, CARD) {
        Some(c) if c >= MIN_CONTRAST => accent,
        _ => TEXT,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrast_matches_wcag_reference_values() {
        assert!((contrast("#ffffff", "#000000").unwrap() - 21.0).abs() < 1e-9);
        assert!((contrast("#fff", "#fff").unwrap() - 1.0).abs() < 1e-9);
        // WebAIM's checker: #767676 on white is 4.54:1, the lightest grey that passes AA.
        assert!((contrast("#767676", "#ffffff").unwrap() - 4.54).abs() < 0.01);
        assert_eq!(contrast("#12", "#fff"), None);
        assert_eq!(contrast("red", "#fff"), None);
    }

    #[test]
    fn button_text_turns_black_on_a_light_brand_colour() {
        assert_eq!(text_on("#2f6fed"), "#ffffff");
        assert_eq!(text_on("#ffcc00"), "#000000");
        assert_eq!(text_on("#fff"), "#000000");
        assert_eq!(text_on("#000"), "#ffffff");
    }

    /// Every colour is 4.5:1 or more against white or against black (the hardest, at a
    /// luminance near 0.18, is about 4.58:1), so the button text is readable whatever the
    /// brand colour: checked on all 4,096 short hex colours.
    #[test]
    fn the_button_text_reaches_wcag_aa_on_every_brand_colour() {
        let hex = b"0123456789abcdef";
        for n in 0..4096_usize {
            let accent: String = ['#', hex[n >> 8].into(), hex[(n >> 4) & 15].into(), hex[n & 15].into()]
                .into_iter()
                .collect();
            let shown = contrast(text_on(&accent), &accent).unwrap();
            assert!(
                shown >= MIN_CONTRAST,
                "{accent}: {} on it is {shown:.2}:1",
                text_on(&accent)
            );
        }
    }

    #[test]
    fn links_keep_the_brand_colour_only_where_it_reads() {
        assert_eq!(link_on_card("#2f6fed"), "#2f6fed");
        assert_eq!(link_on_card("#ffcc00"), TEXT);
        assert!(contrast(TEXT, CARD).unwrap() >= MIN_CONTRAST);
    }
}
