//! What goes into a message's text: attribute values made safe to show, one-line subjects,
//! and the reset link.

/// Makes an attribute value safe to show: control and bidi-override characters dropped,
/// white space collapsed, reserved placeholders removed (repeatedly, so `{##{####}##}`
/// cannot reassemble one), and cut to `max` characters.
pub fn display_value(raw: &str, reserved: &[&str], max: usize) -> String {
    let mut s: String = raw
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .filter(|c| !c.is_control() && !is_bidi_control(*c))
        .collect();
    loop {
        let before = s.len();
        for r in reserved.iter().filter(|r| !r.is_empty()) {
            s = s.replace(r, "");
        }
        if s.len() == before {
            break;
        }
    }
    let collapsed = s.split_whitespace().collect::<Vec<_>>().join(" ");
    // Measured in UTF-16 units, as SMS (UCS-2) and Cognito's limits count them: a character
    // outside the Basic Multilingual Plane (an emoji) takes two.
    if collapsed.encode_utf16().count() > max {
        let mut units = 0;
        let cut: String = collapsed
            .chars()
            .take_while(|c| {
                units += c.len_utf16();
                units < max
            })
            .collect();
        format!("{}…", cut.trim_end())
    } else {
        collapsed
    }
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{061c}')
}

/// Joins lines and collapses white space: an email subject never carries a line break.
pub(super) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The reset deep link: `base#username=<encoded>&code=<code>`. Both go in the fragment,
/// which browsers never send to a server: SES click tracking, mail link scanners, access logs
/// and `Referer` headers see the page, not the code. A base with a fragment of its own (a hash
/// router: `https://app.example.com/#/reset`) gets them as that fragment's query. The username
/// is always percent-encoded. A real code is encoded too; Cognito's placeholder is left
/// verbatim so Cognito can find and replace it (the digits it becomes need no encoding).
pub fn reset_link(base: &str, username: &str, code: &str, encode_code: bool) -> String {
    use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
    const COMPONENT: &percent_encoding::AsciiSet =
        &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');
    let sep = match base.split_once('#') {
        None => "#",
        Some((_, "")) => "",
        Some((_, fragment)) if fragment.contains('?') => "&",
        Some(_) => "?",
    };
    let user = utf8_percent_encode(username, COMPONENT);
    if encode_code {
        format!(
            "{base}{sep}username={user}&code={}",
            utf8_percent_encode(code, COMPONENT)
        )
    } else {
        format!("{base}{sep}username={user}&code={code}")
    }
}
