//! SMS encoding and segment counting.
//!
//! A single SMS holds 160 characters of the GSM 03.38 default alphabet (7-bit), or 70 UTF-16
//! code units when any character falls outside it (UCS-2). Longer messages are split into
//! parts of 153 and 67, each billed as one message. Characters of the GSM extension table
//! (`{ } [ ] ~ \ | ^ €`) take two septets.
//!
//! Cognito's default code messages are one segment, and so must ours be: many carriers bill,
//! and some deliver, parts separately. [`fit`] applies what SMS providers call "smart
//! encoding": when a message would need UCS-2 and more than one part only because of Latin
//! accents (`ó`, `ç`, `ã` ...), it spells them with their GSM-7 base letters instead.

/// The GSM 03.38 basic character set (one septet each).
const GSM7_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/// The GSM 03.38 extension table (escape + one septet each).
const GSM7_EXTENSION: &str = "^{}\\[~]|€\u{0c}";

/// Single-part and per-part capacities.
const GSM7_SINGLE: usize = 160;
const GSM7_PART: usize = 153;
const UCS2_SINGLE: usize = 70;
const UCS2_PART: usize = 67;

/// How an SMS is encoded on the air.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Gsm7,
    Ucs2,
}

/// The encoding, size and number of parts of an SMS text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segments {
    pub encoding: Encoding,
    /// Septets for GSM-7, UTF-16 code units for UCS-2.
    pub units: usize,
    pub parts: usize,
}

fn gsm7_septets(c: char) -> Option<usize> {
    if GSM7_BASIC.contains(c) {
        Some(1)
    } else if GSM7_EXTENSION.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// Counts the parts `text` needs.
pub fn segments(text: &str) -> Segments {
    let septets: Option<usize> = text.chars().map(gsm7_septets).sum();
    let (encoding, units, single, part) = match septets {
        Some(n) => (Encoding::Gsm7, n, GSM7_SINGLE, GSM7_PART),
        None => (Encoding::Ucs2, text.encode_utf16().count(), UCS2_SINGLE, UCS2_PART),
    };
    let parts = if units <= single { 1 } else { units.div_ceil(part) };
    Segments { encoding, units, parts }
}

/// Spells a character with GSM-7 letters where a plain Latin equivalent exists.
fn transliterate(c: char) -> Option<&'static str> {
    Some(match c {
        'á' | 'â' | 'ã' | 'ā' | 'ą' => "a",
        'Á' | 'Â' | 'Ã' | 'À' | 'Ā' | 'Ą' => "A",
        'ç' | 'ć' | 'č' => "c",
        'Ć' | 'Č' => "C",
        'ê' | 'ë' | 'ē' | 'ę' | 'ě' => "e",
        'È' | 'Ê' | 'Ë' | 'Ē' | 'Ę' | 'Ě' => "E",
        'í' | 'î' | 'ï' | 'ī' => "i",
        'Í' | 'Ì' | 'Î' | 'Ï' => "I",
        'ó' | 'ô' | 'õ' | 'ō' | 'ő' => "o",
        'Ó' | 'Ò' | 'Ô' | 'Õ' | 'Ő' => "O",
        'ú' | 'û' | 'ū' | 'ű' | 'ů' => "u",
        'Ú' | 'Ù' | 'Û' | 'Ű' | 'Ů' => "U",
        'ý' | 'ÿ' => "y",
        'Ý' => "Y",
        'ś' | 'š' => "s",
        'Ś' | 'Š' => "S",
        'ź' | 'ż' | 'ž' => "z",
        'Ź' | 'Ż' | 'Ž' => "Z",
        'ł' => "l",
        'Ł' => "L",
        'œ' => "oe",
        'Œ' => "OE",
        '‘' | '’' | '‚' | '′' => "'",
        '“' | '”' | '„' | '″' => "\"",
        '–' | '—' | '−' => "-",
        '…' => "...",
        '\u{a0}' | '\u{2009}' | '\u{202f}' => " ",
        '«' => "<<",
        '»' => ">>",
        _ => return None,
    })
}

/// Returns the text to send: unchanged when it already fits one part, otherwise with Latin
/// accents spelled in GSM-7 when that alone makes it fit, except inside `keep` (the code, a
/// temporary password, the username: what the user must type arrives exactly). A text that
/// cannot fit either way is returned unchanged (the caller decides whether more parts are
/// acceptable).
pub fn fit(text: &str, keep: &[&str]) -> String {
    if segments(text).parts == 1 {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let spell = |out: &mut String, part: &str| {
        for c in part.chars() {
            match transliterate(c) {
                Some(s) => out.push_str(s),
                None => out.push(c),
            }
        }
    };
    let mut rest = text;
    // The earliest (then longest) kept text in what is left, copied as it is.
    while let Some((at, len)) = keep
        .iter()
        .filter(|k| !k.is_empty())
        .filter_map(|k| rest.find(*k).map(|at| (at, k.len())))
        .min_by_key(|&(at, len)| (at, std::cmp::Reverse(len)))
    {
        spell(&mut out, &rest[..at]);
        out.push_str(&rest[at..at + len]);
        rest = &rest[at + len..];
    }
    spell(&mut out, rest);
    if segments(&out).parts < segments(text).parts {
        out
    } else {
        text.to_owned()
    }
}

/// Adds one-time-code autofill lines to an SMS: Android's SMS Retriever app hash (11
/// characters, which Google asks to be included in the message), then the origin-bound line
/// `@domain #code` that iOS/Safari and the WebOTP API read, which must be the last line.
pub fn with_autofill(text: &str, code: &str, otp_domain: Option<&str>, app_hash: Option<&str>) -> String {
    let mut out = text.trim_end().to_owned();
    if otp_domain.is_some() || app_hash.is_some() {
        out.push('\n');
    }
    if let Some(hash) = app_hash {
        out.push('\n');
        out.push_str(hash);
    }
    if let Some(domain) = otp_domain {
        out.push_str(&format!("\n@{domain} #{code}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn autofill_lines_go_last_with_the_origin_line_at_the_very_end() {
        let t = with_autofill("Code: 123456.", "123456", Some("app.example.com"), Some("FA+9qCX9VSu"));
        assert_eq!(t, "Code: 123456.\n\nFA+9qCX9VSu\n@app.example.com #123456");
        assert_eq!(with_autofill("Code: 1.", "1", None, None), "Code: 1.");
        assert_eq!(
            with_autofill("Code: 1. ", "1", Some("a.b"), None),
            "Code: 1.\n\n@a.b #1"
        );
    }

    #[test]
    fn gsm7_boundaries() {
        let s = "a".repeat(160);
        assert_eq!(
            segments(&s),
            Segments {
                encoding: Encoding::Gsm7,
                units: 160,
                parts: 1
            }
        );
        let s = "a".repeat(161);
        assert_eq!(segments(&s).parts, 2);
        assert_eq!(segments(&"a".repeat(306)).parts, 2);
        assert_eq!(segments(&"a".repeat(307)).parts, 3);
        assert_eq!(segments("").parts, 1);
    }

    #[test]
    fn extension_characters_take_two_septets() {
        let s = format!("{}{{", "a".repeat(158));
        assert_eq!(segments(&s).units, 160);
        assert_eq!(segments(&s).parts, 1);
        let s = format!("{}€", "a".repeat(159));
        assert_eq!(segments(&s).parts, 2);
    }

    #[test]
    fn one_non_gsm_character_switches_to_ucs2() {
        let s = format!("{}ó", "a".repeat(69));
        assert_eq!(
            segments(&s),
            Segments {
                encoding: Encoding::Ucs2,
                units: 70,
                parts: 1
            }
        );
        let s = format!("{}ó", "a".repeat(70));
        assert_eq!(segments(&s).parts, 2);
        assert_eq!(segments(&format!("{}ó", "a".repeat(133))).parts, 2);
        assert_eq!(segments(&format!("{}ó", "a".repeat(134))).parts, 3);
        // An emoji is two UTF-16 code units.
        assert_eq!(segments("😀").units, 2);
    }

    #[test]
    fn fit_spells_accents_only_when_that_saves_a_part() {
        let short = "Código: 123456";
        assert_eq!(fit(short, &[]), short, "fits as UCS-2 already");
        let long = format!("Seu código de redefinição de senha é 123456. {}", "x".repeat(40));
        assert_eq!(segments(&long).parts, 2);
        let fitted = fit(&long, &["123456"]);
        assert!(
            fitted.starts_with("Seu codigo de redefinicao de senha é 123456."),
            "é is GSM-7 and stays: {fitted}"
        );
        assert_eq!(
            segments(&fitted),
            Segments {
                encoding: Encoding::Gsm7,
                units: fitted.chars().count(),
                parts: 1
            }
        );
        // GSM-7 letters such as é and ñ are kept.
        let es = format!("Tu código es 123456 — señal {}", "y".repeat(60));
        let fitted = fit(&es, &["123456"]);
        assert!(
            fitted.contains("señal") && fitted.contains("codigo") && fitted.contains(" - "),
            "{fitted}"
        );
        // Text that cannot be helped is left alone.
        let cjk = "验证码".repeat(30);
        assert_eq!(fit(&cjk, &[]), cjk);
    }

    #[test]
    fn what_the_user_must_type_is_never_respelled() {
        // A temporary password and a username with letters transliteration would change.
        let text = format!(
            "Votre mot de passe temporaire : Pãsswörd1! Identifiant : Zoë. {}",
            "x".repeat(40)
        );
        let fitted = fit(&text, &["Pãsswörd1!", "Zoë"]);
        assert!(fitted.contains("Pãsswörd1!") && fitted.contains("Zoë"), "{fitted}");
        // What is kept decides the encoding: ã stays UCS-2, so nothing could be saved.
        assert_eq!(fitted, text);
        // Kept text that is GSM-7 already leaves the rest free to be respelled.
        let text = format!("Código de redefinição para jöe: 123456. {}", "x".repeat(60));
        let fitted = fit(&text, &["123456", "jöe"]);
        assert!(
            fitted.starts_with("Codigo de redefinicao para jöe: 123456."),
            "{fitted}"
        );
        assert_eq!(segments(&fitted).parts, 1);
    }
}
