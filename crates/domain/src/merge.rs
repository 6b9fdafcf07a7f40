//! Email templates with merge fields: `Hello {{contact.first_name|there}},` names a field of
//! the record the email is sent from, with an optional fallback after `|` for when the field
//! is empty. Templates are checked when saved, so an unknown field never reaches a customer.

use crate::FieldError;

/// Every merge field a template may use.
pub const FIELDS: &[&str] = &[
    "contact.first_name",
    "contact.last_name",
    "contact.name",
    "contact.email",
    "contact.title",
    "company.name",
    "deal.name",
    "deal.amount",
    "deal.close_date",
    "case.number",
    "case.subject",
    "user.name",
    "user.email",
    "workspace.name",
];

/// One piece of a parsed template.
#[derive(Debug, Clone, PartialEq)]
pub enum Part<'a> {
    Text(&'a str),
    Field { name: &'a str, fallback: &'a str },
}

/// Splits a template into text and merge fields; `field` names the input in errors.
pub fn parse<'a>(field: &str, template: &'a str) -> Result<Vec<Part<'a>>, FieldError> {
    let mut parts = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        if start > 0 {
            parts.push(Part::Text(&rest[..start]));
        }
        let after = &rest[start + 2..];
        let end = after
            .find("}}")
            .ok_or_else(|| FieldError::new(field, "unclosed_merge_field", "a merge field opened with {{ is not closed with }}"))?;
        let inner = &after[..end];
        let (name, fallback) = match inner.split_once('|') {
            Some((n, f)) => (n.trim(), f.trim()),
            None => (inner.trim(), ""),
        };
        if !FIELDS.contains(&name) {
            return Err(FieldError::new(
                field,
                "unknown_merge_field",
                format!("{{{{{name}}}}} is not a merge field; use one of: {}", FIELDS.join(", ")),
            ));
        }
        parts.push(Part::Field { name, fallback });
        rest = &after[end + 2..];
    }
    if !rest.is_empty() {
        parts.push(Part::Text(rest));
    }
    Ok(parts)
}

/// Fills the merge fields with `value(name)`, or their fallback when it has none.
pub fn render(parts: &[Part<'_>], value: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::new();
    for p in parts {
        match p {
            Part::Text(t) => out.push_str(t),
            Part::Field { name, fallback } => match value(name).filter(|v| !v.trim().is_empty()) {
                Some(v) => out.push_str(&v),
                None => out.push_str(fallback),
            },
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_filled_and_fall_back_when_empty() {
        let parts = parse("body", "Hi {{ contact.first_name | there }}, about {{deal.name}}{{company.name|}}.").expect("valid");
        let filled = render(&parts, |n| match n {
            "contact.first_name" => Some("Sara".into()),
            "deal.name" => Some("Renewal".into()),
            _ => None,
        });
        assert_eq!(filled, "Hi Sara, about Renewal.");
        assert_eq!(render(&parts, |_| Some("  ".into())), "Hi there, about .");
    }

    #[test]
    fn unknown_and_unclosed_fields_are_named() {
        assert_eq!(parse("subject", "Hi {{contact.nickname}}").map_err(|e| e.code), Err("unknown_merge_field".to_owned()));
        assert_eq!(parse("body", "Hi {{contact.first_name").map_err(|e| e.code), Err("unclosed_merge_field".to_owned()));
        assert_eq!(parse("body", "no fields at all"), Ok(vec![Part::Text("no fields at all")]));
    }
}
