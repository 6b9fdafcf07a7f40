//! Reading a file someone brings from a spreadsheet or another CRM: the encoding and delimiter
//! of a CSV file, which of our fields each column holds (by its header: our names, the export
//! layouts of HubSpot, Salesforce, Zoho, Pipedrive and Odoo, or Persian words), and the values
//! as people type them (Persian digits, several addresses in one cell, a whole name in one
//! column, a peer's lifecycle stages). Pure: the application streams the file and writes.
//!
//! The header words come from the peers' exports as researched in session 32 (the notes name
//! the sources): every peer writes field labels, so matching folds case, punctuation, Persian
//! letter forms and camel case, and drops a Pipedrive entity prefix (`Person - Email - Work`).

use crate::digits::to_ascii_digits;
use crate::{Consent, LifecycleStage, PhoneLabel, Source};

/// The encodings a CSV file may be read in, by their WHATWG labels: what Excel writes (UTF-8
/// with or without a byte-order mark, "Unicode text" in UTF-16) and Windows-1256, which Persian
/// Excel still saves CSV in.
pub const ENCODINGS: &[&str] = &["utf-8", "utf-16le", "utf-16be", "windows-1256"];

/// The delimiters a CSV file may use.
pub const DELIMITERS: &[char] = &[',', ';', '\t', '|'];

/// The encoding a file's first bytes show, and the length of its byte-order mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sniffed {
    pub encoding: &'static str,
    pub bom: usize,
}

/// The encoding of a file from its first bytes: a byte-order mark decides; else UTF-8 when the
/// bytes are valid UTF-8 (a character cut at the end of `prefix` still counts), UTF-16 when
/// every other byte is zero, and Windows-1256 otherwise.
pub fn sniff_encoding(prefix: &[u8]) -> Sniffed {
    match prefix {
        [0xEF, 0xBB, 0xBF, ..] => return Sniffed { encoding: "utf-8", bom: 3 },
        [0xFF, 0xFE, ..] => return Sniffed { encoding: "utf-16le", bom: 2 },
        [0xFE, 0xFF, ..] => return Sniffed { encoding: "utf-16be", bom: 2 },
        _ => {}
    }
    let valid = match std::str::from_utf8(prefix) {
        Ok(_) => true,
        // A cut character at the very end (`error_len` none) is not an error of the file.
        Err(e) => e.error_len().is_none() && prefix.len() - e.valid_up_to() < 4,
    };
    let pairs = prefix.len() / 2;
    let zeros = |odd: usize| prefix.iter().skip(odd).step_by(2).filter(|b| **b == 0).count();
    if pairs >= 2 && zeros(1) * 10 >= pairs * 9 && zeros(0) * 10 < pairs {
        return Sniffed { encoding: "utf-16le", bom: 0 };
    }
    if pairs >= 2 && zeros(0) * 10 >= pairs * 9 && zeros(1) * 10 < pairs {
        return Sniffed { encoding: "utf-16be", bom: 0 };
    }
    Sniffed { encoding: if valid { "utf-8" } else { "windows-1256" }, bom: 0 }
}

/// The delimiter of CSV text (its first lines, decoded): the candidate found the same number
/// of times (outside quotes) on most lines, preferring more columns; a comma when none is.
pub fn sniff_delimiter(text: &str) -> char {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).take(20).collect();
    // A last line may be cut short.
    let whole = if lines.len() > 2 { &lines[..lines.len() - 1] } else { &lines[..] };
    let mut best = (',', 0usize, 0usize);
    for &d in DELIMITERS {
        let counts: Vec<usize> = whole.iter().map(|l| count_outside_quotes(l, d)).collect();
        let Some(&first) = counts.first() else { continue };
        if first == 0 {
            continue;
        }
        let agree = counts.iter().filter(|c| **c == first).count();
        if (agree, first) > (best.1, best.2) {
            best = (d, agree, first);
        }
    }
    best.0
}

fn count_outside_quotes(line: &str, d: char) -> usize {
    let mut quoted = false;
    line.chars()
        .filter(|c| {
            if *c == '"' {
                quoted = !quoted;
            }
            !quoted && *c == d
        })
        .count()
}

/// The kinds of record a file can be imported as.
pub const KINDS: &[&str] = &["contact"];

/// Where a column of a contacts file goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    FirstName,
    LastName,
    /// A whole name, split at its first space.
    FullName,
    /// One or more addresses (`;`, `,` or a line break between them).
    Email,
    /// One or more numbers of this kind.
    Phone(PhoneLabel),
    Title,
    /// The company by name: found among the workspace's companies, or created.
    Company,
    Source,
    LifecycleStage,
    /// A user by email or name.
    Owner,
    /// One or more tags.
    Tags,
    Consent,
    /// Yes/no: the person opted out of marketing (`Unsubscribed`, `Email Opt Out`, `Do Not Call`).
    OptedOut,
    /// Kept on the contact's timeline, as a line of one note per row (`Header: value`).
    Note,
    /// A custom field of contacts, by key.
    Custom(String),
    /// Not imported.
    Skip,
}

impl Target {
    /// The wire name: `first_name`, …, `phone.mobile`, `custom.<key>`, `skip`.
    pub fn name(&self) -> String {
        match self {
            Target::Phone(label) => format!("phone.{}", label.as_str()),
            Target::Custom(key) => format!("custom.{key}"),
            other => other.plain_name().to_owned(),
        }
    }

    fn plain_name(&self) -> &'static str {
        match self {
            Target::FirstName => "first_name",
            Target::LastName => "last_name",
            Target::FullName => "full_name",
            Target::Email => "email",
            Target::Title => "title",
            Target::Company => "company",
            Target::Source => "source",
            Target::LifecycleStage => "lifecycle_stage",
            Target::Owner => "owner",
            Target::Tags => "tags",
            Target::Consent => "consent",
            Target::OptedOut => "opted_out",
            Target::Note => "note",
            Target::Skip => "skip",
            Target::Phone(_) | Target::Custom(_) => "",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Target> {
        if let Some(label) = s.strip_prefix("phone.") {
            return PhoneLabel::parse(label).map(Target::Phone);
        }
        if let Some(key) = s.strip_prefix("custom.") {
            return (!key.is_empty()).then(|| Target::Custom(key.to_owned()));
        }
        if s == "phone" {
            return Some(Target::Phone(PhoneLabel::Work));
        }
        Self::PLAIN.iter().find(|t| t.plain_name() == s).cloned()
    }

    const PLAIN: &'static [Target] = &[
        Target::FirstName,
        Target::LastName,
        Target::FullName,
        Target::Email,
        Target::Title,
        Target::Company,
        Target::Source,
        Target::LifecycleStage,
        Target::Owner,
        Target::Tags,
        Target::Consent,
        Target::OptedOut,
        Target::Note,
        Target::Skip,
    ];

    /// Every wire name a column may be mapped to (custom fields besides).
    pub fn names() -> Vec<String> {
        let mut out: Vec<String> = Self::PLAIN.iter().map(Target::name).collect();
        out.extend(PhoneLabel::ALL.iter().map(|l| Target::Phone(*l).name()));
        out
    }

    /// Whether several columns may go to it (the others take one column each).
    pub fn takes_many(&self) -> bool {
        matches!(self, Target::Email | Target::Phone(_) | Target::Tags | Target::Note | Target::Skip)
    }
}

/// A header folded for matching: Persian letter forms and digits, invisible marks, camel case,
/// case, punctuation; `Person - ` and `Contact: ` prefixes dropped. `نام‌خانوادگي` and
/// `نام خانوادگی` fold alike once spaces are dropped too (see [`suggest`]).
pub fn header_key(header: &str) -> String {
    let mut s: String = header
        .trim_start_matches('\u{FEFF}')
        .chars()
        .filter(|c| !matches!(c, '\u{200C}' | '\u{200D}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{0640}' | '\u{064B}'..='\u{065F}' | '\u{0670}'))
        .map(|c| match c {
            'ي' | 'ى' => 'ی',
            'ك' => 'ک',
            'ة' | 'ۀ' => 'ه',
            'أ' | 'إ' | 'ٱ' => 'ا',
            other => other,
        })
        .collect();
    s = to_ascii_digits(&s);
    // `MailingPostalCode` → `Mailing Postal Code`, only for a header without spaces.
    if !s.trim().contains(' ') {
        let mut split = String::with_capacity(s.len() + 8);
        let mut prev_lower = false;
        for c in s.chars() {
            if c.is_uppercase() && prev_lower {
                split.push(' ');
            }
            prev_lower = c.is_lowercase() || c.is_ascii_digit();
            split.push(c);
        }
        s = split;
    }
    let mut s = s.to_lowercase();
    for prefix in ["person", "contact", "personne", "osoba"] {
        for sep in [" - ", " – ", " — ", ": "] {
            if let Some(rest) = s.strip_prefix(&format!("{prefix}{sep}")) {
                s = rest.to_owned();
            }
        }
    }
    let words: Vec<&str> = s.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty() && *w != "of" && *w != "the").collect();
    words.join(" ")
}

/// Headers (as [`header_key`] folds them) of each contact target, from our own names, the
/// peers' exports and Persian sheets.
const CONTACT_HEADERS: &[(&str, &[&str])] = &[
    (
        "skip",
        &[
            "ردیف",
            "row",
            "no",
            "#",
            "record id",
            "contact id",
            "id",
            "external id",
            "person id",
            "شناسه",
            "کد مشتری",
            "create date",
            "created date",
            "created time",
            "person created",
            "تاریخ ایجاد",
            "تاریخ ثبت",
        ],
    ),
    ("first_name", &["first name", "firstname", "given name", "forename", "نام", "اسم", "نام کوچک"]),
    ("last_name", &["last name", "lastname", "surname", "family name", "نام خانوادگی", "فامیل", "فامیلی"]),
    (
        "full_name",
        &[
            "name",
            "full name",
            "contact name",
            "contact",
            "person name",
            "customer name",
            "نام و نام خانوادگی",
            "نام کامل",
            "نام مخاطب",
            "نام تماس",
            "مشتری",
        ],
    ),
    (
        "email",
        &[
            "email",
            "e mail",
            "email address",
            "emails",
            "work email",
            "email work",
            "email home",
            "email other",
            "secondary email",
            "additional email addresses",
            "ایمیل",
            "رایانامه",
            "پست الکترونیک",
            "پست الکترونیکی",
            "آدرس ایمیل",
            "ایمیل اصلی",
            "ایمیل ثانویه",
        ],
    ),
    (
        "phone.mobile",
        &[
            "mobile",
            "mobile phone",
            "mobile phone number",
            "cell",
            "cell phone",
            "phone mobile",
            "whatsapp phone number",
            "موبایل",
            "تلفن همراه",
            "شماره همراه",
            "شماره موبایل",
            "همراه",
        ],
    ),
    (
        "phone.work",
        &[
            "phone",
            "phone number",
            "work phone",
            "phone work",
            "business phone",
            "telephone",
            "office phone",
            "other phone",
            "phone other",
            "تلفن",
            "شماره تلفن",
            "تلفن ثابت",
            "تلفن محل کار",
            "تلفن دفتر",
            "تلفن اصلی",
            "تلفن ثانویه",
        ],
    ),
    ("phone.home", &["home phone", "phone home", "تلفن منزل", "تلفن خانه"]),
    ("phone.fax", &["fax", "fax number"]),
    ("title", &["title", "job title", "job position", "position", "role", "سمت", "سمت شغلی", "عنوان شغلی", "شغل", "پست سازمانی"]),
    (
        "company",
        &[
            "company",
            "company name",
            "organization",
            "organisation",
            "organization name",
            "account name",
            "account",
            "associated company",
            "related company",
            "شرکت",
            "نام شرکت",
            "سازمان",
            "نام سازمان",
            "محل کار",
        ],
    ),
    ("source", &["source", "lead source", "original source", "channel", "منبع", "منبع سرنخ", "نحوه آشنایی", "روش آشنایی", "کانال جذب"]),
    (
        "lifecycle_stage",
        &[
            "lifecycle stage",
            "stage",
            "status",
            "lead status",
            "customer status",
            "وضعیت",
            "مرحله",
            "وضعیت مشتری",
            "وضعیت سرنخ",
            "نوع مشتری",
        ],
    ),
    (
        "owner",
        &[
            "owner",
            "contact owner",
            "owner email",
            "salesperson",
            "sales rep",
            "assigned to",
            "account owner",
            "lead owner",
            "مسئول",
            "کارشناس",
            "کارشناس فروش",
            "فروشنده",
            "مسئول پیگیری",
            "محول شده به",
            "مالک",
        ],
    ),
    ("tags", &["tags", "tag", "labels", "label", "برچسب", "برچسب ها", "تگ", "دسته بندی", "گروه"]),
    ("consent", &["consent", "marketing consent", "marketing contact status", "رضایت", "اجازه ارسال", "عضویت خبرنامه"]),
    (
        "opted_out",
        &["unsubscribed", "unsubscribed from all email", "email opt out", "has opted out email", "do not call", "opted out", "تماس نگیرید"],
    ),
    ("note", &["notes", "note", "description", "comments", "توضیحات", "یادداشت", "ملاحظات", "شرح"]),
];

/// The target a column's header suggests for a contacts file, if any: exact after folding,
/// then with spaces dropped.
pub fn suggest(header: &str) -> Option<Target> {
    let key = header_key(header);
    if key.is_empty() {
        return None;
    }
    let squash = |s: &str| s.split(' ').collect::<String>();
    let squashed = squash(&key);
    let exact = CONTACT_HEADERS.iter().find(|(_, hs)| hs.contains(&key.as_str()));
    let loose = || CONTACT_HEADERS.iter().find(|(_, hs)| hs.iter().any(|h| squash(h) == squashed));
    exact.or_else(loose).and_then(|(t, _)| Target::parse(t))
}

/// Suggestions for a whole header row: a target a single column takes goes to the first
/// column suggesting it (the later ones become notes, so nothing is lost).
pub fn suggest_all(headers: &[String]) -> Vec<Target> {
    let mut out: Vec<Target> = Vec::with_capacity(headers.len());
    for h in headers {
        let t = match suggest(h) {
            Some(t) if !t.takes_many() && out.contains(&t) => Target::Note,
            Some(t) => t,
            None if h.trim().is_empty() => Target::Skip,
            None => Target::Note,
        };
        out.push(t);
    }
    out
}

/// How a row finds the record it updates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Key {
    /// The contact with the row's first email address.
    #[default]
    Email,
    /// The contact with the row's first phone number (compared in E.164).
    Phone,
    /// None: every row is a new contact.
    None,
}

/// What a row does to a field of a record it updates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Policy {
    /// The file's value replaces ours (lists gain the file's values).
    Overwrite,
    /// The file's value is written only where ours is empty (lists gain the file's values).
    #[default]
    FillEmpty,
    /// Ours stays.
    Keep,
}

/// The choices of a run: where each column goes and how rows meet existing records.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Per column of the file, in order: a target (`first_name`, `email`, `phone.mobile`,
    /// `custom.<key>`, `note`, `skip`, …). Missing columns take the suggested target.
    #[serde(default)]
    pub columns: Vec<String>,
    #[serde(default)]
    pub key: Key,
    /// For a record that exists: what happens to its fields, unless `policies` says otherwise.
    #[serde(default)]
    pub existing: Policy,
    /// Per target: its own policy.
    #[serde(default)]
    pub policies: std::collections::BTreeMap<String, Policy>,
    /// Per target (`lifecycle_stage`, `source`, `owner`, `consent`): a file's value → ours (a
    /// stage or source name, an owner's email or user id).
    #[serde(default)]
    pub values: std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>,
    /// Tags every imported record gets (to find them again).
    #[serde(default)]
    pub tags: Vec<String>,
}

impl Config {
    /// The policy of a target.
    pub fn policy(&self, target: &Target) -> Policy {
        self.policies.get(&target.name()).copied().unwrap_or(self.existing)
    }

    /// The value `raw` of a target is mapped to, if the run maps it.
    pub fn mapped(&self, target: &str, raw: &str) -> Option<&str> {
        let by = self.values.get(target)?;
        by.get(raw.trim()).or_else(|| by.iter().find(|(k, _)| header_key(k) == header_key(raw)).map(|(_, v)| v)).map(String::as_str)
    }
}

/// A value folded for matching a choice: as a header is.
fn value_key(v: &str) -> String {
    header_key(v)
}

/// A lifecycle stage from our names, a peer's (HubSpot's stages, Pipedrive's labels) or Persian.
pub fn lifecycle_stage(raw: &str) -> Option<LifecycleStage> {
    let key = value_key(raw);
    if let Some(s) = LifecycleStage::parse(&key.replace(' ', "_")) {
        return Some(s);
    }
    Some(match key.as_str() {
        "subscriber"
        | "new"
        | "open"
        | "new lead"
        | "cold lead"
        | "warm lead"
        | "hot lead"
        | "attempted to contact"
        | "not contacted"
        | "contacted"
        | "سرنخ"
        | "جدید" => LifecycleStage::Lead,
        "marketing qualified lead"
        | "marketingqualifiedlead"
        | "mql"
        | "sales qualified lead"
        | "salesqualifiedlead"
        | "sql"
        | "opportunity"
        | "qualified"
        | "in progress"
        | "open deal"
        | "مشتری احتمالی"
        | "مشتری بالقوه"
        | "فرصت" => LifecycleStage::Prospect,
        "customer" | "client" | "evangelist" | "active" | "won" | "مشتری" | "مشتری فعال" => LifecycleStage::Customer,
        "churned" | "former customer" | "lost" | "inactive" | "از دست رفته" | "ازدست رفته" | "غیرفعال" => {
            LifecycleStage::Churned
        }
        _ => return None,
    })
}

/// A source from our names, a peer's or Persian.
pub fn source(raw: &str) -> Option<Source> {
    let key = value_key(raw);
    if let Some(s) = Source::parse(&key.replace(' ', "_")) {
        return Some(s);
    }
    Some(match key.as_str() {
        "web" | "website" | "web site" | "form" | "organic search" | "direct traffic" | "وب سایت" | "وبسایت" | "سایت" | "فرم" => {
            Source::WebForm
        }
        "referrals" | "word of mouth" | "معرفی" | "معرف" => Source::Referral,
        "trade show" | "seminar" | "webinar" | "نمایشگاه" | "رویداد" | "همایش" => Source::Event,
        "cold call" | "phone" | "تماس سرد" | "تماس تلفنی" => Source::ColdCall,
        "email marketing" | "ایمیل" => Source::Email,
        "social media"
        | "organic social"
        | "paid social"
        | "facebook"
        | "instagram"
        | "linkedin"
        | "twitter"
        | "x"
        | "شبکه اجتماعی"
        | "شبکه های اجتماعی"
        | "اینستاگرام" => Source::Social,
        "partners" | "reseller" | "همکار" | "نماینده" => Source::Partner,
        "ads" | "paid search" | "advertisement" | "ppc" | "تبلیغات" | "آگهی" => Source::Advertising,
        "store" | "walk in" | "in person" | "حضوری" | "فروشگاه" => Source::StoreVisit,
        "offline sources" | "offline" | "سایر" | "دیگر" => Source::Other,
        _ => return None,
    })
}

/// A consent from our names, yes/no words or Persian.
pub fn consent(raw: &str) -> Option<Consent> {
    let key = value_key(raw);
    if let Some(c) = Consent::parse(&key.replace(' ', "_")) {
        return Some(c);
    }
    match yes_no(raw)? {
        true => Some(Consent::OptedIn),
        false => Some(Consent::OptedOut),
    }
}

/// A yes or no as spreadsheets write it (`true`, `1`, `yes`, `x`, `بله`, …).
pub fn yes_no(raw: &str) -> Option<bool> {
    match value_key(raw).as_str() {
        "true" | "yes" | "y" | "1" | "x" | "checked" | "subscribed" | "opted in" | "opt in" | "بله" | "بلی" | "آری" | "دارد" => {
            Some(true)
        }
        "false" | "no" | "n" | "0" | "unchecked" | "unsubscribed" | "opted out" | "opt out" | "خیر" | "نه" | "ندارد" => {
            Some(false)
        }
        _ => None,
    }
}

/// The parts of a cell holding several values: split at `;`, `,` and line breaks, trimmed,
/// empty ones dropped.
pub fn split_many(cell: &str) -> impl Iterator<Item = &str> {
    cell.split([';', ',', '\n', '\r', '،', '؛']).map(str::trim).filter(|s| !s.is_empty())
}

/// A whole name split into first and last at its first space (`Sara Karimi`, `محمد رضایی`).
pub fn split_name(full: &str) -> (String, Option<String>) {
    let full = full.split_whitespace().collect::<Vec<_>>().join(" ");
    match full.split_once(' ') {
        Some((first, last)) => (first.to_owned(), Some(last.to_owned())),
        None => (full, None),
    }
}

/// A number as people type it: Persian or Arabic digits, thousands separators (`,`, `٬`, spaces)
/// and a Persian decimal mark (`٫`), as a plain decimal string; none when it is not a number.
pub fn number(raw: &str) -> Option<String> {
    let s: String = to_ascii_digits(raw.trim())
        .chars()
        .filter(|c| !matches!(c, ',' | '\u{066C}' | ' ' | '\u{00A0}' | '\u{202F}' | '\''))
        .map(|c| if c == '\u{066B}' { '.' } else { c })
        .collect();
    let digits = s.strip_prefix('-').unwrap_or(&s);
    let ok = !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        && digits.matches('.').count() <= 1
        && digits.chars().any(|c| c.is_ascii_digit());
    ok.then_some(s)
}

/// A calendar date as sheets write it: `2026-12-07`, `2026/12/07` (a time after it is dropped),
/// or a Solar Hijri date (`1405/09/16`, in any digits: a year from 1300 to 1499 is Solar
/// Hijri); none when it is not a date that exists.
pub fn date(raw: &str) -> Option<chrono::NaiveDate> {
    let s = to_ascii_digits(raw.trim());
    let day = s.split(['T', ' ']).next()?;
    let parts: Vec<&str> = day.split(['-', '/', '.']).collect();
    let [y, m, d] = parts.as_slice() else { return None };
    let (y, m, d): (i32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    if (1300..1500).contains(&y) {
        return crate::calendar::Jalali { year: y, month: m, day: d }.to_gregorian();
    }
    chrono::NaiveDate::from_ymd_opt(y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_are_told_apart_by_their_first_bytes() {
        assert_eq!(sniff_encoding(b"\xEF\xBB\xBFname,email\n"), Sniffed { encoding: "utf-8", bom: 3 });
        assert_eq!(sniff_encoding(b"\xFF\xFEn\0a\0"), Sniffed { encoding: "utf-16le", bom: 2 });
        assert_eq!(sniff_encoding(b"\xFE\xFF\0n\0a"), Sniffed { encoding: "utf-16be", bom: 2 });
        assert_eq!(sniff_encoding("نام,ایمیل".as_bytes()).encoding, "utf-8");
        // "نام" in Windows-1256.
        assert_eq!(sniff_encoding(b"\xe4\xc7\xe3,email").encoding, "windows-1256");
        assert_eq!(sniff_encoding(b"n\0a\0m\0e\0,\0").encoding, "utf-16le");
        // A Persian letter cut at the end of the prefix is still UTF-8.
        let cut = "ab نام".as_bytes();
        assert_eq!(sniff_encoding(&cut[..cut.len() - 1]).encoding, "utf-8");
    }

    #[test]
    fn the_delimiter_is_the_one_every_line_agrees_on() {
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3\n"), ',');
        assert_eq!(sniff_delimiter("a;b;c\n\"1,5\";2;3\n4;5;6\n"), ';');
        assert_eq!(sniff_delimiter("a\tb\n1\t2\n"), '\t');
        assert_eq!(sniff_delimiter("name\nSara\n"), ',');
        assert_eq!(sniff_delimiter("\"a,b\"|c\n\"1,2\"|3\n"), '|');
    }

    #[test]
    fn headers_of_peer_exports_and_persian_sheets_find_their_fields() {
        let cases = [
            ("First Name", "first_name"),
            ("FirstName", "first_name"),
            ("Person - First name", "first_name"),
            ("Person - Email - Work", "email"),
            ("Person - Phone - Mobile", "phone.mobile"),
            ("Mobile Phone Number", "phone.mobile"),
            ("Phone Number", "phone.work"),
            ("HomePhone", "phone.home"),
            ("Contact owner", "owner"),
            ("Lifecycle Stage", "lifecycle_stage"),
            ("LeadSource", "source"),
            ("Job Title", "title"),
            ("Account Name", "company"),
            ("Person - Organization", "company"),
            ("Record ID", "skip"),
            ("Unsubscribed from all email", "opted_out"),
            ("HasOptedOutOfEmail", "opted_out"),
            ("نام", "first_name"),
            ("نام خانوادگي", "last_name"),
            ("نام‌خانوادگی", "last_name"),
            ("تلفن همراه", "phone.mobile"),
            ("ایمیل", "email"),
            ("شركت", "company"),
            ("ردیف", "skip"),
            ("Person - Name", "full_name"),
            ("Description", "note"),
        ];
        for (header, target) in cases {
            assert_eq!(suggest(header).map(|t| t.name()).as_deref(), Some(target), "{header}");
        }
        assert_eq!(suggest("Favourite colour"), None);
    }

    #[test]
    fn a_second_column_for_a_single_field_and_unknown_columns_become_notes() {
        let headers: Vec<String> = ["Email", "First Name", "Given name", "Shoe size", "Work email", ""].map(String::from).to_vec();
        let names: Vec<String> = suggest_all(&headers).iter().map(Target::name).collect();
        assert_eq!(names, ["email", "first_name", "note", "note", "email", "skip"]);
    }

    #[test]
    fn targets_round_trip_their_wire_names() {
        for name in Target::names() {
            assert_eq!(Target::parse(&name).map(|t| t.name()), Some(name.clone()));
        }
        assert_eq!(Target::parse("custom.size"), Some(Target::Custom("size".into())));
        assert_eq!(Target::parse("phone"), Some(Target::Phone(PhoneLabel::Work)));
        assert_eq!(Target::parse("custom."), None);
        assert_eq!(Target::parse("shoe"), None);
    }

    #[test]
    fn peer_values_map_to_ours() {
        assert_eq!(lifecycle_stage("Marketing Qualified Lead"), Some(LifecycleStage::Prospect));
        assert_eq!(lifecycle_stage("salesqualifiedlead"), Some(LifecycleStage::Prospect));
        assert_eq!(lifecycle_stage("Customer"), Some(LifecycleStage::Customer));
        assert_eq!(lifecycle_stage("مشتری"), Some(LifecycleStage::Customer));
        assert_eq!(lifecycle_stage("سرنخ"), Some(LifecycleStage::Lead));
        assert_eq!(lifecycle_stage("Gold"), None);
        assert_eq!(source("Paid Search"), Some(Source::Advertising));
        assert_eq!(source("cold_call"), Some(Source::ColdCall));
        assert_eq!(source("معرفی"), Some(Source::Referral));
        assert_eq!(consent("opted_in"), Some(Consent::OptedIn));
        assert_eq!(consent("No"), Some(Consent::OptedOut));
        assert_eq!(yes_no("بله"), Some(true));
        assert_eq!(yes_no("maybe"), None);
    }

    #[test]
    fn numbers_and_dates_read_as_people_type_them() {
        assert_eq!(number("۱۲٬۵۰۰٫۷۵").as_deref(), Some("12500.75"));
        assert_eq!(number("1,250,000").as_deref(), Some("1250000"));
        assert_eq!(number("-3.5").as_deref(), Some("-3.5"));
        assert_eq!(number("12a"), None);
        assert_eq!(number("1.2.3"), None);
        assert_eq!(number(""), None);
        let ymd = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(date("2026-12-07"), ymd(2026, 12, 7));
        assert_eq!(date("2026/12/07 13:45"), ymd(2026, 12, 7));
        assert_eq!(date("2026-12-07T10:00:00.000Z"), ymd(2026, 12, 7));
        assert_eq!(date("۱۴۰۵/۰۹/۱۶"), ymd(2026, 12, 7));
        assert_eq!(date("1405-9-16"), ymd(2026, 12, 7));
        assert_eq!(date("2026-02-30"), None, "a day that does not exist");
        assert_eq!(date("1405/12/30"), None, "1405 is not a leap year");
        assert_eq!(date("1403/12/30"), ymd(2025, 3, 20), "1403 is");
        assert_eq!(date("07/12/2026"), None, "day and month order is unknown");
    }

    #[test]
    fn cells_split_into_values_and_names_into_parts() {
        assert_eq!(split_many("a@x.ir; b@y.ir ,c@z.ir\n").collect::<Vec<_>>(), ["a@x.ir", "b@y.ir", "c@z.ir"]);
        assert_eq!(split_many("تهران، شیراز").collect::<Vec<_>>(), ["تهران", "شیراز"]);
        assert_eq!(split_name("  Sara   Karimi Rad "), ("Sara".to_owned(), Some("Karimi Rad".to_owned())));
        assert_eq!(split_name("Sara"), ("Sara".to_owned(), None));
    }
}
