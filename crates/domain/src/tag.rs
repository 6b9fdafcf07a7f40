//! Tags: short labels users put on records to group them.

use crate::error::FieldError;

/// A tag: 1 to 40 characters of letters, digits, spaces, `-` or `_`, lower-cased, trimmed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag(String);

impl Tag {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let t = raw.trim().to_lowercase();
        if t.is_empty() {
            return Err(FieldError::new(field, "required", "a tag must not be empty"));
        }
        if t.chars().count() > 40 {
            return Err(FieldError::new(field, "too_long", "a tag has at most 40 characters"));
        }
        if !t.chars().all(|c| c.is_alphanumeric() || c == ' ' || c == '-' || c == '_' || c == '\u{200C}') {
            return Err(FieldError::new(field, "invalid_tag", "a tag holds letters, digits, spaces, - and _ only"));
        }
        Ok(Self(t))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// Parses a list of tags, dropping duplicates and keeping the first spelling's order.
pub fn parse_tags(field: &str, raw: &[String]) -> Result<Vec<Tag>, FieldError> {
    if raw.len() > 50 {
        return Err(FieldError::new(field, "too_many", "a record has at most 50 tags"));
    }
    let mut out: Vec<Tag> = Vec::with_capacity(raw.len());
    for (i, r) in raw.iter().enumerate() {
        let t = Tag::parse(&format!("{field}[{i}]"), r)?;
        if !out.contains(&t) {
            out.push(t);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_lowercased_and_deduplicated() {
        let t = parse_tags("tags", &["VIP".into(), "vip".into(), "مشتری ویژه".into()]).expect("valid");
        assert_eq!(t.iter().map(Tag::as_str).collect::<Vec<_>>(), ["vip", "مشتری ویژه"]);
    }

    #[test]
    fn punctuation_is_rejected_with_the_index() {
        let e = parse_tags("tags", &["ok".into(), "<script>".into()]).expect_err("bad");
        assert_eq!(e.field, "tags[1]");
    }
}
