//! English and Persian: the text catalogue, the reading direction, digits, numbers and dates
//! (Solar Hijri in Persian). Every word the app shows comes from the catalogue below; each
//! entry carries both languages, so a translation cannot be missing.

use chrono::{DateTime, Datelike, Timelike, Utc};
use crm_api_types::{Consent, EmailLabel, LifecycleStage, PhoneLabel, Source};
use crm_domain::calendar::{Jalali, MONTHS_FA};
use leptos::prelude::*;

macro_rules! catalogue {
    ($($key:ident => $en:literal, $fa:literal;)*) => {
        /// A piece of text the app shows.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum T { $($key),* }

        impl T {
            #[cfg(test)]
            pub const ALL: &'static [T] = &[$(T::$key),*];

            pub fn en(self) -> &'static str {
                match self { $(T::$key => $en),* }
            }

            pub fn fa(self) -> &'static str {
                match self { $(T::$key => $fa),* }
            }
        }
    };
}

catalogue! {
    Brand => "CRM", "سی‌آر‌ام";
    NavContacts => "Contacts", "مخاطبان";
    NavCompanies => "Companies", "شرکت‌ها";
    NavExplorer => "API explorer", "کاوشگر API";
    SignOut => "Sign out", "خروج";
    SwitchLanguage => "فارسی", "English";
    NotFound => "This page does not exist.", "این صفحه وجود ندارد.";
    GoToContacts => "Go to contacts", "رفتن به مخاطبان";
    SignInTitle => "Sign in to CRM", "ورود به سی‌آر‌ام";
    Email => "Email", "ایمیل";
    Password => "Password", "گذرواژه";
    SignIn => "Sign in", "ورود";
    SigningIn => "Signing in…", "در حال ورود…";
    SignInHint => "The first start of the server printed the admin's email and password.", "نخستین اجرای سرور ایمیل و گذرواژهٔ مدیر را چاپ کرده است.";
    SessionEnded => "Your session has ended. Please sign in again.", "نشست شما به پایان رسیده است. لطفاً دوباره وارد شوید.";
    Unreachable => "The server could not be reached.", "دسترسی به سرور ممکن نشد.";
    Contacts => "Contacts", "مخاطبان";
    SearchContacts => "Search name, email, phone or company  ( / )", "جست‌وجوی نام، ایمیل، تلفن یا شرکت  ( / )";
    AllStages => "All stages", "همهٔ مراحل";
    SortNewest => "Newest first", "جدیدترین";
    SortOldest => "Oldest first", "قدیمی‌ترین";
    SortName => "Name A–Z", "نام (الفبایی)";
    SortChanged => "Recently changed", "تازه‌ویرایش‌شده";
    MineOnly => "Mine only", "فقط مال من";
    LoadingContacts => "Loading contacts…", "در حال بارگذاری مخاطبان…";
    NoContacts => "No contacts match.", "مخاطبی پیدا نشد.";
    NoContactsHint => "Try fewer filters, or search by part of a name, an email or the last digits of a phone number.", "فیلترها را کم کنید، یا بخشی از نام، ایمیل یا رقم‌های آخر تلفن را جست‌وجو کنید.";
    ContactCount => "{n} contacts", "{n} مخاطب";
    Name => "Name", "نام";
    Company => "Company", "شرکت";
    Phone => "Phone", "تلفن";
    Stage => "Stage", "مرحله";
    Previous => "← Previous", "→ قبلی";
    Next => "Next →", "بعدی ←";
    Shown => "{n} shown", "{n} نمایش داده شده";
    BackToContacts => "← Contacts", "→ مخاطبان";
    Loading => "Loading…", "در حال بارگذاری…";
    Title => "Title", "سمت";
    Emails => "Emails", "ایمیل‌ها";
    Phones => "Phones", "تلفن‌ها";
    SourceLabel => "Source", "منبع";
    ConsentLabel => "Consent", "رضایت";
    Tags => "Tags", "برچسب‌ها";
    Created => "Created", "ایجاد";
    Changed => "Changed", "آخرین تغییر";
    Version => "version {n}", "نسخهٔ {n}";
    History => "History", "تاریخچه";
    LoadingHistory => "Loading history…", "در حال بارگذاری تاریخچه…";
    By => "by", "توسط";
    ActionCreated => "created", "ایجاد شد";
    ActionUpdated => "updated", "ویرایش شد";
    ActionDeleted => "moved to the trash", "به سطل زباله رفت";
    ActionRestored => "restored", "بازیابی شد";
    ActionConverted => "converted", "تبدیل شد";
    Companies => "Companies", "شرکت‌ها";
    SearchCompanies => "Search name, domain, city or phone", "جست‌وجوی نام، دامنه، شهر یا تلفن";
    LoadingCompanies => "Loading companies…", "در حال بارگذاری شرکت‌ها…";
    NoCompanies => "No companies match.", "شرکتی پیدا نشد.";
    CompanyCount => "{n} companies", "{n} شرکت";
    Domain => "Domain", "دامنه";
    City => "City", "شهر";
    ContactsColumn => "Contacts", "مخاطبان";
    StageLead => "Lead", "سرنخ";
    StageProspect => "Prospect", "مشتری بالقوه";
    StageCustomer => "Customer", "مشتری";
    StageChurned => "Churned", "ازدست‌رفته";
    LabelWork => "work", "کاری";
    LabelPersonal => "personal", "شخصی";
    LabelOther => "other", "سایر";
    LabelMobile => "mobile", "همراه";
    LabelHome => "home", "منزل";
    LabelFax => "fax", "فکس";
    ConsentUnknown => "unknown", "نامشخص";
    ConsentOptedIn => "opted in", "موافق";
    ConsentOptedOut => "opted out", "مخالف";
    SourceWebForm => "web form", "فرم وب";
    SourceImport => "import", "درون‌ریزی";
    SourceApi => "API", "API";
    SourceReferral => "referral", "معرفی";
    SourceEvent => "event", "رویداد";
    SourceColdCall => "cold call", "تماس سرد";
    SourceEmail => "email", "ایمیل";
    SourceSocial => "social media", "شبکه‌های اجتماعی";
    SourcePartner => "partner", "شریک";
    SourceAdvertising => "advertising", "تبلیغات";
    SourceStoreVisit => "store visit", "مراجعه به فروشگاه";
    SourceOther => "other", "سایر";
}

/// A language of the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Fa,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fa => "fa",
        }
    }

    pub fn dir(self) -> &'static str {
        match self {
            Lang::En => "ltr",
            Lang::Fa => "rtl",
        }
    }

    fn from_code(code: &str) -> Option<Self> {
        match code.get(..2) {
            Some("fa") => Some(Lang::Fa),
            Some("en") => Some(Lang::En),
            _ => None,
        }
    }

    pub fn other(self) -> Self {
        match self {
            Lang::En => Lang::Fa,
            Lang::Fa => Lang::En,
        }
    }
}

pub fn text(lang: Lang, key: T) -> &'static str {
    match lang {
        Lang::En => key.en(),
        Lang::Fa => key.fa(),
    }
}

const STORED: &str = "crm.lang";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// Shows the page in `lang`: the document's language and direction follow.
fn apply(lang: Lang) {
    if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
        let _ = root.set_attribute("lang", lang.code());
        let _ = root.set_attribute("dir", lang.dir());
    }
}

/// Makes the language available to every component: the one chosen before on this browser,
/// else the browser's own.
pub fn provide() {
    let stored = storage().and_then(|s| s.get_item(STORED).ok().flatten()).and_then(|c| Lang::from_code(&c));
    let browser = web_sys::window().and_then(|w| w.navigator().language()).and_then(|c| Lang::from_code(&c));
    let lang = RwSignal::new(stored.or(browser).unwrap_or(Lang::En));
    Effect::new(move || apply(lang.get()));
    provide_context(lang);
}

/// The current language (reactive).
pub fn lang() -> RwSignal<Lang> {
    use_context::<RwSignal<Lang>>().unwrap_or_else(|| RwSignal::new(Lang::En))
}

/// Switches the language and remembers the choice.
pub fn set(lang_signal: RwSignal<Lang>, lang: Lang) {
    if let Some(s) = storage() {
        let _ = s.set_item(STORED, lang.code());
    }
    lang_signal.set(lang);
}

/// The text of `key` in the current language, reactively.
pub fn tr(key: T) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let l = lang();
    move || text(l.get(), key)
}

/// A text with `{n}` replaced by a number written for the language.
pub fn count(lang: Lang, key: T, n: i64) -> String {
    text(lang, key).replace("{n}", &number(lang, n))
}

/// Persian digits in Persian, as they are otherwise.
pub fn digits(lang: Lang, s: &str) -> String {
    match lang {
        Lang::En => s.to_owned(),
        Lang::Fa => s
            .chars()
            .map(|c| if c.is_ascii_digit() { char::from_u32(c as u32 - '0' as u32 + '۰' as u32).unwrap_or(c) } else { c })
            .collect(),
    }
}

/// A whole number with thousands separators: 12,345 or ۱۲٬۳۴۵.
pub fn number(lang: Lang, n: i64) -> String {
    let raw = n.unsigned_abs().to_string();
    let sep = if lang == Lang::Fa { '٬' } else { ',' };
    let mut out = String::with_capacity(raw.len() + raw.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in raw.chars().enumerate() {
        if i > 0 && (raw.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    digits(lang, &out)
}

/// Minutes to add to UTC for the browser's local time.
fn local_offset_minutes() -> i64 {
    #[cfg(target_arch = "wasm32")]
    {
        -(js_sys::Date::new_0().get_timezone_offset() as i64)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0
    }
}

/// A date and time in local time: `22 Nov 2026, 14:05`, or `۱ آذر ۱۴۰۵، ۱۴:۰۵` (Solar Hijri).
pub fn date_time(lang: Lang, t: &DateTime<Utc>) -> String {
    let local = t.naive_utc() + chrono::Duration::minutes(local_offset_minutes());
    let time = format!("{:02}:{:02}", local.hour(), local.minute());
    match lang {
        Lang::En => format!("{} {} {}, {time}", local.day(), local.format("%b"), local.year()),
        Lang::Fa => match Jalali::from_gregorian(local.date()) {
            Some(j) => digits(lang, &format!("{} {} {}، {time}", j.day, MONTHS_FA[(j.month - 1) as usize], j.year)),
            None => digits(lang, &format!("{} {time}", local.date())),
        },
    }
}

/// A phone number for reading, grouped (always left to right).
pub fn phone(lang: Lang, e164: &str) -> String {
    let d = e164.trim_start_matches('+');
    let grouped = if d.starts_with("98") && d.len() == 12 {
        format!("+98 {} {} {}", &d[2..5], &d[5..8], &d[8..])
    } else if d.starts_with('1') && d.len() == 11 {
        format!("+1 {} {} {}", &d[1..4], &d[4..7], &d[7..])
    } else {
        e164.to_owned()
    };
    digits(lang, &grouped)
}

pub fn stage(s: LifecycleStage) -> T {
    match s {
        LifecycleStage::Lead => T::StageLead,
        LifecycleStage::Prospect => T::StageProspect,
        LifecycleStage::Customer => T::StageCustomer,
        LifecycleStage::Churned => T::StageChurned,
    }
}

pub fn email_label(l: EmailLabel) -> T {
    match l {
        EmailLabel::Work => T::LabelWork,
        EmailLabel::Personal => T::LabelPersonal,
        EmailLabel::Other => T::LabelOther,
    }
}

pub fn phone_label(l: PhoneLabel) -> T {
    match l {
        PhoneLabel::Mobile => T::LabelMobile,
        PhoneLabel::Work => T::LabelWork,
        PhoneLabel::Home => T::LabelHome,
        PhoneLabel::Fax => T::LabelFax,
        PhoneLabel::Other => T::LabelOther,
    }
}

pub fn consent(c: Consent) -> T {
    match c {
        Consent::Unknown => T::ConsentUnknown,
        Consent::OptedIn => T::ConsentOptedIn,
        Consent::OptedOut => T::ConsentOptedOut,
    }
}

pub fn source(s: Source) -> T {
    match s {
        Source::WebForm => T::SourceWebForm,
        Source::Import => T::SourceImport,
        Source::Api => T::SourceApi,
        Source::Referral => T::SourceReferral,
        Source::Event => T::SourceEvent,
        Source::ColdCall => T::SourceColdCall,
        Source::Email => T::SourceEmail,
        Source::Social => T::SourceSocial,
        Source::Partner => T::SourcePartner,
        Source::Advertising => T::SourceAdvertising,
        Source::StoreVisit => T::SourceStoreVisit,
        Source::Other => T::SourceOther,
    }
}

/// The words for an audit action.
pub fn action(a: &str) -> Option<T> {
    Some(match a {
        "created" => T::ActionCreated,
        "updated" => T::ActionUpdated,
        "deleted" => T::ActionDeleted,
        "restored" => T::ActionRestored,
        "converted" => T::ActionConverted,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_has_both_languages_with_the_same_placeholders() {
        for k in T::ALL {
            assert!(!k.en().trim().is_empty() && !k.fa().trim().is_empty(), "{k:?} is empty");
            assert_eq!(k.en().matches("{n}").count(), k.fa().matches("{n}").count(), "{k:?} placeholders differ");
        }
    }

    #[test]
    fn persian_numbers_and_dates() {
        assert_eq!(number(Lang::En, 1234567), "1,234,567");
        assert_eq!(number(Lang::Fa, 1234567), "۱٬۲۳۴٬۵۶۷");
        assert_eq!(count(Lang::Fa, T::ContactCount, 10000), "۱۰٬۰۰۰ مخاطب");
        let t = chrono::DateTime::parse_from_rfc3339("2026-11-22T14:05:00Z").expect("time").with_timezone(&Utc);
        assert_eq!(date_time(Lang::En, &t), "22 Nov 2026, 14:05");
        assert_eq!(date_time(Lang::Fa, &t), "۱ آذر ۱۴۰۵، ۱۴:۰۵");
        assert_eq!(phone(Lang::Fa, "+989121234567"), "+۹۸ ۹۱۲ ۱۲۳ ۴۵۶۷");
    }

    /// Text shown in a view must come from the catalogue: a string literal right after a tag
    /// (`>"Save"`) or in a placeholder, title or aria-label is a hard-coded string.
    #[test]
    fn no_text_is_hard_coded_in_views() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut bad = Vec::new();
        let mut stack = vec![src];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("src").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                if path.file_name().is_some_and(|n| n == "i18n.rs") || path.extension().is_none_or(|e| e != "rs") {
                    continue;
                }
                let code = std::fs::read_to_string(&path).expect("read");
                for (i, line) in code.lines().enumerate() {
                    let hard = line.match_indices(">\"").any(|(p, _)| line[p + 2..].chars().next().is_some_and(char::is_alphabetic))
                        || ["placeholder=\"", "title=\"", "aria-label=\""].iter().any(|a| {
                            line.match_indices(a).any(|(p, _)| line[p + a.len()..].chars().next().is_some_and(char::is_alphabetic))
                        });
                    if hard {
                        bad.push(format!("{}:{}: {}", path.display(), i + 1, line.trim()));
                    }
                }
            }
        }
        assert!(bad.is_empty(), "hard-coded text; add it to the catalogue in i18n.rs:\n{}", bad.join("\n"));
    }
}
