//! Masking for logs: phone numbers and email addresses are shown only as much as an operator
//! needs to tell users apart; codes, passwords and tokens are never shown at all.

use std::fmt;

/// A phone number shown as its country prefix and last two digits: `+1*******12`.
#[derive(Clone, Copy)]
pub struct Phone<'a>(pub &'a str);

impl fmt::Display for Phone<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let chars: Vec<char> = self.0.chars().filter(|c| !c.is_whitespace()).collect();
        if chars.len() < 7 {
            return f.write_str("***");
        }
        let head: usize = if chars[0] == '+' { 2 } else { 0 };
        let tail = 2;
        for (i, c) in chars.iter().enumerate() {
            if i < head || i >= chars.len() - tail {
                write!(f, "{c}")?;
            } else {
                f.write_str("*")?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Phone<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// An email address shown as the first letter of its local part and its top-level domain:
/// `j***@***.com`.
#[derive(Clone, Copy)]
pub struct Email<'a>(pub &'a str);

impl fmt::Display for Email<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some((local, domain)) = self.0.rsplit_once('@') else {
            return f.write_str("***");
        };
        let first = local.chars().next().filter(char::is_ascii_alphanumeric);
        let tld = domain
            .rsplit_once('.')
            .map(|(_, tld)| tld)
            .filter(|t| !t.is_empty() && t.len() <= 24 && t.chars().all(|c| c.is_ascii_alphanumeric()));
        match first {
            Some(c) => write!(f, "{c}***@")?,
            None => f.write_str("***@")?,
        }
        match tld {
            Some(t) => write!(f, "***.{t}"),
            None => f.write_str("***"),
        }
    }
}

impl fmt::Debug for Email<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_keep_only_prefix_and_last_two_digits() {
        assert_eq!(Phone("+12065551212").to_string(), "+1********12");
        assert_eq!(Phone("+44 7700 900123").to_string(), "+4*********23");
        assert_eq!(Phone("2065551212").to_string(), "********12");
        assert_eq!(Phone("+123").to_string(), "***");
        assert_eq!(Phone("").to_string(), "***");
    }

    #[test]
    fn emails_keep_only_first_letter_and_tld() {
        assert_eq!(Email("test-user@example.com").to_string(), "t***@***.com");
        assert_eq!(Email("jane@mail.example.co.uk").to_string(), "j***@***.uk");
        assert_eq!(Email("no-at-sign").to_string(), "***");
        assert_eq!(Email("<script>@x").to_string(), "***@***");
        assert!(!Email("alice.smith@corp.example").to_string().contains("smith"));
    }
}
