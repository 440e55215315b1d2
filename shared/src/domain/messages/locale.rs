//! Locale tags and the fallback chain (`pt-BR` -> `pt` -> default -> `en`).
//!
//! Written by hand rather than with a BCP 47 crate (`unic-langid`, `language-tags`): those
//! validate tags strictly, where this must accept what users and SDKs really send
//! (`pt_br`, `de-DE,de;q=0.9`, `fr-FR.UTF-8`) and only needs the case rules and the fallback,
//! in the custom message function, whose binary is held under 2 MB.

/// Normalizes a locale tag as users and SDKs write it (`pt_br`, `PT-BR`, `de-DE,de;q=0.9`,
/// `fr-FR.UTF-8`) to BCP 47 case (`pt-BR`). Returns `None` for anything that is not a
/// plausible language tag, so junk never selects a template.
pub fn normalize(tag: &str) -> Option<String> {
    let first = tag.split([',', ';']).next()?.trim();
    let first = first.split('.').next()?.trim();
    let mut parts = first.split(['-', '_']);
    let language = parts.next()?;
    if !(2..=3).contains(&language.len()) || !language.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let mut out = language.to_ascii_lowercase();
    for part in parts {
        if part.is_empty() || part.len() > 8 || !part.chars().all(|c| c.is_ascii_alphanumeric()) {
            break;
        }
        out.push('-');
        match part.len() {
            2 => out.push_str(&part.to_ascii_uppercase()),
            4 => {
                let mut cs = part.chars();
                if let Some(c) = cs.next() {
                    out.push(c.to_ascii_uppercase());
                }
                out.extend(cs.map(|c| c.to_ascii_lowercase()));
            }
            _ => out.push_str(&part.to_ascii_lowercase()),
        }
    }
    Some(out)
}

/// The tags to try for a request, most specific first: each candidate with its subtags
/// dropped one by one, then the default locale, then `en`. Duplicates are removed.
pub fn chain<'a>(candidates: impl IntoIterator<Item = &'a str>, default: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |tag: String| {
        if !out.contains(&tag) {
            out.push(tag);
        }
    };
    for tag in candidates.into_iter().filter_map(normalize).chain(normalize(default)) {
        let mut t = tag.as_str();
        loop {
            push(t.to_owned());
            match t.rfind('-') {
                Some(i) => t = &t[..i],
                None => break,
            }
        }
    }
    push("en".to_owned());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_common_spellings() {
        assert_eq!(normalize("pt_br").as_deref(), Some("pt-BR"));
        assert_eq!(normalize("PT-BR").as_deref(), Some("pt-BR"));
        assert_eq!(normalize("de-DE,de;q=0.9,en;q=0.8").as_deref(), Some("de-DE"));
        assert_eq!(normalize("fr_FR.UTF-8").as_deref(), Some("fr-FR"));
        assert_eq!(normalize("zh-hant-tw").as_deref(), Some("zh-Hant-TW"));
        assert_eq!(normalize(" es ").as_deref(), Some("es"));
        assert_eq!(normalize("../../etc/passwd"), None);
        assert_eq!(normalize(""), None);
        assert_eq!(normalize("english"), None);
        assert_eq!(normalize("e1"), None);
    }

    #[test]
    fn chain_falls_back_from_region_to_language_to_default_to_en() {
        assert_eq!(chain(["pt-BR"], "es"), ["pt-BR", "pt", "es", "en"]);
        assert_eq!(chain(["de", "fr-CA"], "en"), ["de", "fr-CA", "fr", "en"]);
        assert_eq!(chain(["bogus!!"], "fr"), ["fr", "en"]);
        assert_eq!(chain([], "en"), ["en"]);
    }
}
