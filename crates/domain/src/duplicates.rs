//! Duplicate contacts (issue #30): what makes two records look like one person, and how a
//! merge chooses the surviving record's values field by field. Pure rules: the store finds the
//! candidates, the application layer writes the merge and its undo.

use crate::records::ContactDraft;
use crate::{Consent, LifecycleStage};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Why two contacts look like one person.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Evidence {
    /// The same email address (compared by its key: lower case).
    Email(String),
    /// The same phone number, compared in E.164.
    Phone(String),
    /// Names that read the same (the name as the first record has it), within one company.
    Name(String),
}

/// One character as names are compared: Arabic letters written for Persian ones become the
/// Persian ones (ي ى → ی, ك → ک, ة → ه, أ إ آ ٱ → ا, ؤ → و), digits of any script become ASCII,
/// joiners, tatweel and diacritics go, punctuation becomes a space, letters go lower case.
fn fold(c: char, out: &mut String) {
    match c {
        '\u{064A}' | '\u{0649}' => out.push('\u{06CC}'),
        '\u{0643}' => out.push('\u{06A9}'),
        '\u{0629}' => out.push('\u{0647}'),
        '\u{0623}' | '\u{0625}' | '\u{0622}' | '\u{0671}' => out.push('\u{0627}'),
        '\u{0624}' => out.push('\u{0648}'),
        '\u{200C}' | '\u{200D}' | '\u{200E}' | '\u{200F}' | '\u{FEFF}' | '\u{0640}' => {}
        '\u{064B}'..='\u{065F}' | '\u{0670}' => {}
        c if c.is_whitespace() || (c.is_ascii_punctuation() && c != '&') || c == '\u{060C}' => out.push(' '),
        c => match crate::digits::ascii_digit(c) {
            Some(d) => out.push(d),
            None => out.extend(c.to_lowercase()),
        },
    }
}

/// Text folded as names are compared ([`fold`]), its words one space apart: what a search of
/// the duplicates queue compares, so `علي` finds `علی`.
pub fn folded(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        fold(c, &mut out);
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A name as duplicates are found by: folded ([`fold`]), its words in order without spaces
/// (`compact`: "عبد الله" and "عبدالله" meet) and its words sorted (`sorted`: "Karimi Sara"
/// and "Sara Karimi" meet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameKey {
    pub compact: String,
    pub sorted: String,
    /// `compact`'s letters, for the one-letter comparison (made once per name, not per pair).
    letters: Vec<char>,
}

impl NameKey {
    pub fn of(first: &str, last: Option<&str>) -> NameKey {
        let mut folded = String::with_capacity(first.len() + last.map_or(0, str::len) + 1);
        for c in first.chars().chain(std::iter::once(' ')).chain(last.unwrap_or("").chars()) {
            fold(c, &mut folded);
        }
        let mut words: Vec<&str> = folded.split_whitespace().collect();
        let compact = words.concat();
        words.sort_unstable();
        NameKey { letters: compact.chars().collect(), sorted: words.join(" "), compact }
    }

    /// Whether two names read as one: the same compact or sorted form, or, for names of six
    /// letters or more, one letter apart (Mohammad and Mohamad, Hosseini and Hoseini).
    pub fn alike(&self, other: &NameKey) -> bool {
        if self.compact.is_empty() || other.compact.is_empty() {
            return false;
        }
        self.compact == other.compact
            || self.sorted == other.sorted
            || (self.letters.len() >= 6 && within_one_edit(&self.letters, &other.letters))
    }
}

/// Whether `b` is `a` with at most one letter added, removed or changed.
fn within_one_edit(a: &[char], b: &[char]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let start = short.iter().zip(long.iter()).take_while(|(x, y)| x == y).count();
    if short.len() == long.len() {
        short[start..].iter().skip(1).eq(long[start..].iter().skip(1))
    } else {
        short[start..].iter().eq(long[start + 1..].iter())
    }
}

/// Groups larger than this are compared by their exact keys only, not letter by letter.
pub const FUZZY_GROUP_LIMIT: usize = 300;

/// The pairs among the contacts of one company (id and name key, oldest first) whose names
/// read as one: each contact is paired with the oldest one it is alike, so a cluster of `n`
/// copies gives `n - 1` pairs, each with the original.
pub fn name_pairs(members: &[(String, NameKey)]) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    if members.len() <= FUZZY_GROUP_LIMIT {
        for (j, (id, key)) in members.iter().enumerate() {
            if let Some((first, _)) = members[..j].iter().find(|(_, k)| k.alike(key)) {
                out.push((first.as_str(), id.as_str()));
            }
        }
        return out;
    }
    let (mut compact, mut sorted): (HashMap<&str, &str>, HashMap<&str, &str>) = (HashMap::new(), HashMap::new());
    for (id, key) in members {
        if key.compact.is_empty() {
            continue;
        }
        let first = compact.get(key.compact.as_str()).or_else(|| sorted.get(key.sorted.as_str())).copied();
        match first {
            Some(first) => out.push((first, id.as_str())),
            None => {
                compact.insert(&key.compact, id);
                sorted.insert(&key.sorted, id);
            }
        }
    }
    out
}

/// Whose value a merged field keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The record that stays.
    Survivor,
    /// The record merged into it.
    Other,
}

/// The single-valued fields a merge picks from one side or the other. Emails, phones and tags
/// are the union of both; custom values are the survivor's, the other's where it has none.
pub const PICKED_FIELDS: [&str; 8] = ["first_name", "last_name", "title", "company_id", "lifecycle_stage", "source", "consent", "owner_id"];

/// The draft of the surviving record: for each of [`PICKED_FIELDS`] the side `pick` names, or
/// by default the survivor's value unless it has none (and an opt-out on either side is kept,
/// and a later lifecycle stage beats `lead`); the emails, phones and tags of both (the
/// survivor's primary ones stay primary); the survivor's custom values with the other's where
/// it has none.
pub fn merged(survivor: ContactDraft, other: ContactDraft, pick: impl Fn(&str) -> Option<Side>) -> ContactDraft {
    let mut d = survivor;
    let theirs = |field: &str, ours_empty: bool| match pick(field) {
        Some(side) => side == Side::Other,
        None => ours_empty,
    };
    if theirs("first_name", d.first_name.trim().is_empty()) {
        d.first_name = other.first_name;
    }
    if theirs("last_name", d.last_name.is_none()) {
        d.last_name = other.last_name;
    }
    if theirs("title", d.title.is_none()) {
        d.title = other.title;
    }
    if theirs("company_id", d.company_id.is_none()) {
        d.company_id = other.company_id;
    }
    if theirs("lifecycle_stage", d.lifecycle_stage == LifecycleStage::Lead) {
        d.lifecycle_stage = other.lifecycle_stage;
    }
    if theirs("source", d.source.is_none()) {
        d.source = other.source;
    }
    let opted_out = other.consent == Consent::OptedOut && d.consent != Consent::OptedOut;
    if theirs("consent", d.consent == Consent::Unknown || opted_out) {
        d.consent = other.consent;
    }
    if theirs("owner_id", d.owner_id.is_none()) {
        d.owner_id = other.owner_id;
    }
    for e in other.emails {
        if !d.emails.iter().any(|x| x.email.key() == e.email.key()) {
            let primary = d.emails.is_empty();
            d.emails.push(crate::EmailPoint { primary, ..e });
        }
    }
    for p in other.phones {
        if !d.phones.iter().any(|x| x.phone == p.phone) {
            let primary = d.phones.is_empty();
            d.phones.push(crate::PhonePoint { primary, ..p });
        }
    }
    for t in other.tags {
        if !d.tags.contains(&t) {
            d.tags.push(t);
        }
    }
    if let Some(theirs) = other.custom {
        let ours = d.custom.get_or_insert_with(Default::default);
        for (k, v) in theirs {
            if ours.get(&k).is_none_or(serde_json::Value::is_null) && !v.is_null() {
                ours.insert(k, v);
            }
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Email, EmailLabel, EmailPoint, Tag};

    fn key(first: &str, last: Option<&str>) -> NameKey {
        NameKey::of(first, last)
    }

    #[test]
    fn persian_names_meet_whatever_keyboard_typed_them() {
        // Arabic yeh and kaf, a zero-width non-joiner, a space inside the name, diacritics.
        assert!(key("علي", Some("كريمي")).alike(&key("علی", Some("کریمی"))));
        assert!(key("عبد الله", None).alike(&key("عبد\u{200C}الله", None)));
        assert!(key("مُحَمَّد", None).alike(&key("محمد", None)));
        assert!(key("Sara", Some("Karimi")).alike(&key("KARIMI", Some("sara"))));
        assert!(key("Mohammad", Some("Hosseini")).alike(&key("Mohamad", Some("Hosseini"))));
        assert_eq!(key("Room ۱۲", None).compact, "room12");
        assert_eq!(folded("  علي   كريمي "), "علی کریمی");
    }

    #[test]
    fn different_names_stay_apart() {
        assert!(!key("Sara", Some("Karimi")).alike(&key("Sima", Some("Karimi"))));
        // Short names one letter apart are different people (Ali, Ari).
        assert!(!key("Ali", None).alike(&key("Ari", None)));
        assert!(!key("", None).alike(&key("", None)));
        let edit = |a: &str, b: &str| within_one_edit(&a.chars().collect::<Vec<_>>(), &b.chars().collect::<Vec<_>>());
        assert!(!edit("abcdef", "abcxyz"));
        assert!(edit("abcdef", "abcdf"));
        assert!(edit("abcdef", "abcdefg"));
        assert!(edit("abcdef", "abcdeg"));
        assert!(!edit("abcdef", "abcd"));
    }

    #[test]
    fn a_cluster_of_copies_pairs_each_with_the_oldest() {
        let members: Vec<(String, NameKey)> = [("a", "Sara Karimi"), ("b", "Reza Ahmadi"), ("c", "sara karimi"), ("d", "Karimi, Sara")]
            .iter()
            .map(|(id, n)| (id.to_string(), key(n, None)))
            .collect();
        assert_eq!(name_pairs(&members), vec![("a", "c"), ("a", "d")]);
        // A large group is matched by exact keys only, with the same pairs.
        let mut many: Vec<(String, NameKey)> =
            (0..FUZZY_GROUP_LIMIT).map(|i| (format!("x{i}"), key(&format!("Person {i}"), None))).collect();
        many.extend(members);
        let pairs = name_pairs(&many);
        assert_eq!(pairs, vec![("a", "c"), ("a", "d")]);
    }

    fn draft(first: &str) -> ContactDraft {
        ContactDraft {
            first_name: first.into(),
            last_name: None,
            title: None,
            company_id: None,
            emails: vec![],
            phones: vec![],
            lifecycle_stage: LifecycleStage::Lead,
            source: None,
            consent: Consent::Unknown,
            owner_id: None,
            tags: vec![],
            custom: None,
        }
    }

    fn email(a: &str, primary: bool) -> EmailPoint {
        EmailPoint { email: Email::parse("e", a).expect("email"), label: EmailLabel::Work, primary }
    }

    #[test]
    fn a_merge_keeps_the_survivors_values_fills_its_gaps_and_unites_the_lists() {
        let mut s = draft("Sara");
        s.emails = vec![email("sara@example.com", true)];
        s.consent = Consent::OptedIn;
        s.tags = vec![Tag::parse("t", "vip").expect("tag")];
        let mut o = draft("S.");
        o.last_name = Some("Karimi".into());
        o.title = Some("CTO".into());
        o.lifecycle_stage = LifecycleStage::Customer;
        o.emails = vec![email("SARA@example.com", true), email("s.karimi@work.example", true)];
        o.consent = Consent::OptedOut;
        o.tags = vec![Tag::parse("t", "vip").expect("tag"), Tag::parse("t", "expo").expect("tag")];
        o.custom = Some(serde_json::from_str(r#"{"cf_a": "x"}"#).expect("json"));
        let m = merged(s.clone(), o.clone(), |_| None);
        assert_eq!(m.first_name, "Sara");
        assert_eq!(m.last_name.as_deref(), Some("Karimi"));
        assert_eq!(m.title.as_deref(), Some("CTO"));
        assert_eq!(m.lifecycle_stage, LifecycleStage::Customer);
        // An opt-out on either side is honoured.
        assert_eq!(m.consent, Consent::OptedOut);
        let addresses: Vec<(&str, bool)> = m.emails.iter().map(|e| (e.email.as_str(), e.primary)).collect();
        assert_eq!(addresses, vec![("sara@example.com", true), ("s.karimi@work.example", false)]);
        assert_eq!(m.tags.len(), 2);
        assert_eq!(m.custom.as_ref().and_then(|c| c.get("cf_a")).and_then(|v| v.as_str()), Some("x"));
        // Picks override the defaults both ways.
        let m = merged(s, o, |f| match f {
            "first_name" => Some(Side::Other),
            "last_name" | "consent" => Some(Side::Survivor),
            _ => None,
        });
        assert_eq!((m.first_name.as_str(), m.last_name, m.consent), ("S.", None, Consent::OptedIn));
    }
}
