//! Digit handling shared by phone parsing and search: people type Persian (U+06F0..) and
//! Arabic-Indic (U+0660..) digits as often as ASCII ones.

/// The ASCII digit a character stands for, if it is a decimal digit in ASCII, Persian or
/// Arabic-Indic script.
pub fn ascii_digit(c: char) -> Option<char> {
    match c {
        '0'..='9' => Some(c),
        '\u{06F0}'..='\u{06F9}' => char::from_digit(c as u32 - 0x06F0, 10),
        '\u{0660}'..='\u{0669}' => char::from_digit(c as u32 - 0x0660, 10),
        _ => None,
    }
}

/// Replaces Persian and Arabic-Indic digits by ASCII ones, leaving everything else alone.
pub fn to_ascii_digits(s: &str) -> String {
    s.chars().map(|c| ascii_digit(c).unwrap_or(c)).collect()
}

/// Replaces ASCII digits by Persian ones (for display in the Persian locale).
pub fn to_persian_digits(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(0x06F0 + (c as u32 - '0' as u32)).unwrap_or(c),
            _ => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn persian_and_arabic_digits_become_ascii() {
        assert_eq!(to_ascii_digits("۰۹۱۲ ١٢٣"), "0912 123");
    }

    #[test]
    fn ascii_digits_become_persian() {
        assert_eq!(to_persian_digits("2026-11"), "۲۰۲۶-۱۱");
    }
}
