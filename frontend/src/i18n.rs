//! English and Persian: the text catalogue, the reading direction, digits, numbers and dates
//! (Solar Hijri in Persian). Every word the app shows comes from the catalogue below; each
//! entry carries both languages, so a translation cannot be missing.

use chrono::{DateTime, Datelike, Timelike, Utc};
use crm_api_types::{ActivityKind, LifecycleStage, Source};
use crm_domain::calendar::{Jalali, MONTHS_FA};
use leptos::prelude::*;

/// Text the app shows, in both languages.
pub trait Text: Copy + Send + Sync + 'static {
    fn en(self) -> &'static str;
    fn fa(self) -> &'static str;
}

macro_rules! catalogue {
    ($(#[$doc:meta])* $name:ident; $($key:ident => $en:literal, $fa:literal;)*) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name { $($key),* }

        impl $name {
            #[cfg(test)]
            pub const ALL: &'static [$name] = &[$($name::$key),*];
        }

        impl Text for $name {
            fn en(self) -> &'static str {
                match self { $($name::$key => $en),* }
            }

            fn fa(self) -> &'static str {
                match self { $($name::$key => $fa),* }
            }
        }
    };
}

catalogue! {
    /// A piece of text the app shows.
    T;
    Brand => "CRM", "سی‌آر‌ام";
    NavContacts => "Contacts", "مخاطبان";
    ImportFile => "Import", "ورود از فایل";
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
    SortNewest => "Newest first", "جدیدترین";
    SortOldest => "Oldest first", "قدیمی‌ترین";
    SortName => "Name A–Z", "نام (الفبایی)";
    SortChanged => "Recently changed", "تازه‌ویرایش‌شده";
    MineOnly => "Mine only", "فقط مال من";
    NoContactsHint => "Try fewer filters, or search by part of a name, an email or the last digits of a phone number.", "فیلترها را کم کنید، یا بخشی از نام، ایمیل یا رقم‌های آخر تلفن را جست‌وجو کنید.";
    ContactCount => "{n} contacts", "{n} مخاطب";
    Name => "Name", "نام";
    Company => "Company", "شرکت";
    Phone => "Phone", "تلفن";
    Stage => "Stage", "مرحله";
    Previous => "← Previous", "→ قبلی";
    Next => "Next →", "بعدی ←";
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
    NavBoard => "Pipeline", "قیف فروش";
    NavLeads => "Leads", "سرنخ‌ها";
    NavMyDay => "My day", "روز من";
    NavSearch => "Search  Ctrl K", "جست‌وجو  Ctrl K";
    NewContact => "New contact", "مخاطب جدید";
    FirstName => "First name", "نام";
    LastName => "Last name", "نام خانوادگی";
    Save => "Save", "ذخیره";
    Saving => "Saving…", "در حال ذخیره…";
    Saved => "Saved", "ذخیره شد";
    Cancel => "Cancel", "انصراف";
    Close => "Close", "بستن";
    Open => "Open", "باز کردن";
    Status => "Status", "وضعیت";
    Owner => "Owner", "مسئول";
    Amount => "Amount", "مبلغ";
    CloseDate => "Close date", "تاریخ بستن";
    LineItems => "Line items", "اقلام";
    ErrRequired => "This is required.", "این مورد الزامی است.";
    ErrEmail => "This is not a valid email address.", "این نشانی ایمیل معتبر نیست.";
    ErrPhone => "This is not a valid phone number.", "این شمارهٔ تلفن معتبر نیست.";
    ErrTooLong => "This is too long.", "این مقدار بیش از حد طولانی است.";
    ErrDuplicate => "This is listed twice.", "این مورد دو بار آمده است.";
    ErrRequiredForStage => "This stage needs it.", "این مرحله به این مورد نیاز دارد.";
    ErrLossReason => "Say why the deal was lost.", "دلیل از دست رفتن معامله را بنویسید.";
    ErrAmount => "Write an amount such as 1250.50.", "مبلغ را مانند ۱۲۵۰٫۵۰ بنویسید.";
    ErrDate => "Write a date.", "یک تاریخ وارد کنید.";
    ErrPattern => "This is not in the expected form.", "این مقدار شکل درخواستی را ندارد.";
    ErrWrongType => "This value is not of the right kind for the field.", "این مقدار از نوعِ درستِ این فیلد نیست.";
    ErrNumber => "Write a number, e.g. 1250.5.", "یک عدد بنویسید، مثلاً ۱۲۵۰٫۵.";
    ErrOption => "Choose one of the options.", "یکی از گزینه‌ها را برگزینید.";
    ErrTooSmall => "This is below the least value allowed.", "این مقدار از کمینهٔ مجاز کمتر است.";
    ErrTooLarge => "This is above the greatest value allowed.", "این مقدار از بیشینهٔ مجاز بیشتر است.";
    ErrArchivedField => "This field is archived and takes no new values.", "این فیلد بایگانی شده و مقدار تازه نمی‌پذیرد.";
    ErrUnknownRecord => "No such record or person.", "چنین رکورد یا شخصی نیست.";
    ErrDuplicateValue => "Another record already has this value.", "رکورد دیگری همین مقدار را دارد.";
    ErrUrl => "Write a web address starting with http:// or https://.", "نشانی وبی بنویسید که با http:// یا https:// آغاز شود.";
    ErrFieldKey => "Use lower-case English letters, digits and _, starting with a letter.", "از حروف کوچک انگلیسی، رقم و _ استفاده کنید و با یک حرف آغاز کنید.";
    ErrKeyTaken => "Another field or a built-in field already has this key.", "فیلد دیگری یا یک فیلد پایه همین کلید را دارد.";
    ErrBound => "Write a number (for text: a number of characters) or a date.", "یک عدد (برای متن: شمار نویسه‌ها) یا یک تاریخ بنویسید.";
    ErrRange => "The minimum is above the maximum.", "کمینه از بیشینه بزرگ‌تر است.";
    ErrBadPattern => "This is not a valid regular expression.", "این عبارت منظم درست نیست.";
    ErrForbiddenField => "Your role may not read or write this field.", "نقش شما اجازهٔ خواندن یا نوشتن این فیلد را ندارد.";
    Webhooks => "Webhooks", "وب‌هوک‌ها";
    ApiKeys => "API keys", "کلیدهای API";
    YesValue => "Yes", "بله";
    NoValue => "No", "خیر";
    ClearFilters => "Clear filters", "پاک کردن فیلترها";
    Rials => "rials", "ریال";
    SetField => "Set a field…", "تعیین مقدار یک فیلد…";
    ApplyToSelected => "Apply", "اعمال";
    ClickToEdit => "Click to edit", "برای ویرایش کلیک کنید";
    YourChange => "Your change:", "تغییر شما:";
    ReapplyMine => "Apply my change on top", "اعمال تغییر من روی نسخهٔ جدید";
    KeepTheirs => "Keep theirs", "نگه‌داشتن نسخهٔ آن‌ها";
    Call => "Call", "تماس";
    SendEmail => "Email", "ایمیل";
    Pipeline => "Pipeline", "قیف فروش";
    ClosingIn => "Closing in", "بسته‌شدن در";
    OpenDeals => "{n} open deals", "{n} معاملهٔ باز";
    Weighted => "Weighted by the stage's win probability", "وزن‌دار با احتمال برد این مرحله";
    WeightedShort => "weighted", "وزنی";
    DropToWin => "Drop a deal here to mark it won", "برای برنده‌شدن، معامله را اینجا رها کنید";
    DropToLose => "Drop a deal here to mark it lost", "برای ازدست‌رفتن، معامله را اینجا رها کنید";
    NoOpenDeals => "No open deals here.", "معاملهٔ بازی اینجا نیست.";
    NoOpenDealsHint => "Clear the filters, pick another pipeline, or convert a qualified lead into a deal.", "فیلترها را پاک کنید، قیف دیگری برگزینید یا سرنخی را به معامله تبدیل کنید.";
    DealWon => "won", "برنده شد";
    DealLost => "lost", "از دست رفت";
    DealMoved => "moved", "جابه‌جا شد";
    DealChangedElsewhere => "The deal was changed by someone else; the board is up to date again.", "معامله را شخص دیگری تغییر داده بود؛ تابلو به‌روز شد.";
    LossDialogHint => "Say why the deal was lost; the pipeline keeps the reasons for reports.", "بگویید چرا معامله از دست رفت؛ دلیل‌ها برای گزارش نگه داشته می‌شوند.";
    StageNeedsFields => "This stage needs these fields before a deal can enter it.", "این مرحله پیش از ورود معامله به این فیلدها نیاز دارد.";
    LossReason => "Loss reason", "دلیل از دست رفتن";
    ChooseReason => "Choose a reason…", "یک دلیل برگزینید…";
    AddOnDealFirst => "Add these on the deal first:", "نخست این‌ها را روی معامله اضافه کنید:";
    MoveDeal => "Move deal", "جابه‌جایی معامله";
    PaletteLabel => "Search everything", "جست‌وجو در همه‌چیز";
    PalettePlaceholder => "Name, email, phone in any format, company, case…", "نام، ایمیل، تلفن با هر قالبی، شرکت، درخواست…";
    PaletteHint => "↑ ↓ to choose · Enter to open · Esc to close", "↑ ↓ برای انتخاب · Enter برای باز کردن · Esc برای بستن";
    NothingFound => "Nothing found.", "چیزی پیدا نشد.";
    KindContact => "Contact", "مخاطب";
    KindCompany => "Company", "شرکت";
    KindDeal => "Deal", "معامله";
    KindLead => "Lead", "سرنخ";
    KindCase => "Case", "درخواست";
    KeyboardShortcuts => "Keyboard shortcuts", "میان‌برهای صفحه‌کلید";
    ShortcutPalette => "Search everything", "جست‌وجو در همه‌چیز";
    ShortcutSearch => "Search this list", "جست‌وجو در این فهرست";
    ShortcutHelp => "Show these shortcuts", "نمایش این میان‌برها";
    ShortcutContacts => "Go to contacts", "رفتن به مخاطبان";
    ShortcutBoard => "Go to the pipeline", "رفتن به قیف فروش";
    ShortcutLeads => "Go to leads", "رفتن به سرنخ‌ها";
    ShortcutMyDay => "Go to my day", "رفتن به روز من";
    ShortcutNewContact => "New contact", "مخاطب جدید";
    ShortcutClose => "Close a dialog", "بستن پنجره";
    Leads => "Leads", "سرنخ‌ها";
    LeadCount => "{n} leads", "{n} سرنخ";
    NoLeadsHint => "Leads arrive from web forms and the API, or add one with New lead.", "سرنخ‌ها از فرم‌های وب و API می‌رسند، یا با «سرنخ جدید» یکی اضافه کنید.";
    LeadWorking => "Working", "در حال پیگیری";
    LeadQualified => "Qualified", "واجد شرایط";
    LeadDisqualified => "Disqualified", "رد شده";
    LeadConverted => "Converted", "تبدیل‌شده";
    Convert => "Convert", "تبدیل";
    ConvertLead => "Convert lead", "تبدیل سرنخ";
    ConvertHint => "The lead becomes a contact and, from its work email or company name, a company; existing ones are reused, not duplicated.", "سرنخ به مخاطب و، از ایمیل کاری یا نام شرکت، به شرکت تبدیل می‌شود؛ موارد موجود دوباره ساخته نمی‌شوند.";
    AlsoCreateDeal => "Also open a deal", "یک معامله هم باز شود";
    DealName => "Deal name", "نام معامله";
    NewDeal => "new deal", "معاملهٔ جدید";
    ContactCreated => "Contact created.", "مخاطب ساخته شد.";
    ContactMatched => "Matched an existing contact.", "با مخاطب موجود تطبیق داده شد.";
    CompanyCreated => "Company created.", "شرکت ساخته شد.";
    CompanyMatched => "Matched an existing company.", "با شرکت موجود تطبیق داده شد.";
    DealCreated => "Deal opened.", "معامله باز شد.";
    LeadConvertedToast => "Lead converted", "سرنخ تبدیل شد";
    Disqualify => "Disqualify", "رد کردن";
    DisqualifyReason => "Reason", "دلیل";
    MyDay => "My day", "روز من";
    OverdueTasks => "Overdue tasks", "کارهای عقب‌افتاده";
    OpenTasks => "Open tasks", "کارهای باز";
    TodaysCallsMeetings => "Today's calls and meetings", "تماس‌ها و جلسه‌های امروز";
    ClosingSoon => "My deals closing in the next two weeks", "معامله‌های من که تا دو هفتهٔ آینده بسته می‌شوند";
    NothingOverdue => "Nothing overdue.", "کار عقب‌افتاده‌ای نیست.";
    NoOpenTasks => "No open tasks.", "کار بازی نیست.";
    NoMeetingsToday => "No calls or meetings today.", "امروز تماس یا جلسه‌ای نیست.";
    NoDealsClosing => "None of your deals is expected to close soon.", "هیچ‌یک از معامله‌های شما به‌زودی بسته نمی‌شود.";
    MarkDone => "Mark done", "انجام شد";
    TaskDone => "done", "انجام شد";
    PriorityLow => "low", "کم";
    PriorityNormal => "normal", "عادی";
    PriorityHigh => "high", "زیاد";
    PriorityUrgent => "urgent", "فوری";
    ActCall => "call", "تماس";
    ActEmail => "email", "ایمیل";
    ActMeeting => "meeting", "جلسه";
    ActSms => "SMS", "پیامک";
    ActChat => "chat", "گفت‌وگو";
    ActWebVisit => "web visit", "بازدید وب";
    ActLetter => "letter", "نامه";
    ActStoreVisit => "store visit", "مراجعه به فروشگاه";
    ActFieldVisit => "field visit", "بازدید میدانی";
    ActNote => "note", "یادداشت";
    Toman => "Toman", "تومان";
    SolarHijriHint => "Solar Hijri date, year/month/day", "تاریخ خورشیدی، سال/ماه/روز";
    NavProducts => "Products", "محصولات";
    NavOrders => "Orders", "سفارش‌ها";
    NavCases => "Cases", "درخواست‌ها";
    NavAnalytics => "Analytics", "تحلیل مشتریان";
    NavSegments => "Segments", "بخش‌ها";
    SegmentChip => "Segment", "بخش";
    NavTasks => "Tasks", "کارها";
    NavActivities => "Activities", "فعالیت‌ها";
    NavDeals => "Deals", "معامله‌ها";
    Products => "Products", "محصولات";
    Orders => "Orders", "سفارش‌ها";
    Cases => "Cases", "درخواست‌ها";
    Tasks => "Tasks", "کارها";
    Activities => "Activities", "فعالیت‌ها";
    Deals => "Deals", "معامله‌ها";
    Yes => "yes", "بله";
    No => "no", "خیر";
    Me => "me", "من";
    SearchThisList => "Search this list", "جست‌وجو در این فهرست";
    AddFilter => "+ Filter", "+ فیلتر";
    RemoveFilter => "Remove filter", "حذف فیلتر";
    SortBy => "Sort by", "مرتب‌سازی";
    SortDue => "Due soonest", "نزدیک‌ترین موعد";
    Columns => "Columns", "ستون‌ها";
    SavedViews => "Saved views", "نماهای ذخیره‌شده";
    SaveView => "Save view", "ذخیرهٔ نما";
    ViewName => "Name of the view", "نام نما";
    ViewSaved => "View saved", "نما ذخیره شد";
    ViewDeleted => "View deleted", "نما حذف شد";
    DeleteView => "Delete view", "حذف نما";
    ShareView => "Share with the workspace", "اشتراک با همهٔ اعضای فضای کاری";
    MyViews => "My views", "نماهای من";
    SharedViews => "Shared by colleagues", "اشتراک‌گذاشته‌شده توسط همکاران";
    Records => "{n} records", "{n} رکورد";
    SelectAll => "Select all on this page", "انتخاب همه در این صفحه";
    SelectedCount => "{n} selected", "{n} انتخاب‌شده";
    Assign => "Assign", "واگذاری";
    Myself => "Me", "خودم";
    TagName => "Tag", "برچسب";
    AddTag => "Add tag", "افزودن برچسب";
    ExportCsv => "Export CSV", "خروجی CSV";
    ExportList => "Export all…", "خروجی همه…";
    FormatXlsx => "Excel (XLSX)", "اکسل (XLSX)";
    FormatCsv => "CSV", "CSV";
    NotAllowed => "Your role may not do this. An admin can change what each role may do.", "نقش شما اجازهٔ این کار را ندارد. مدیر سامانه می‌تواند دسترسی هر نقش را تغییر دهد.";
    Exporting => "Preparing the file of every matching record…", "در حال آماده‌کردن فایل همهٔ رکوردهای منطبق…";
    Delete => "Delete", "حذف";
    BulkDone => "{n} records changed", "{n} رکورد تغییر کرد";
    BulkFailed => "{n} records could not be changed (changed by someone else or not allowed)", "{n} رکورد تغییر نکرد (تغییر از سوی دیگری یا بدون اجازه)";
    NothingHere => "Nothing here yet.", "هنوز چیزی اینجا نیست.";
    ProductsHint => "Add products through the API (POST /api/v1/products) to price deals and orders from them.", "محصولات را از راه API بیفزایید تا معامله‌ها و سفارش‌ها از روی آن‌ها قیمت‌گذاری شوند.";
    OrdersHint => "Orders arrive from your shop through the API (PUT /api/v1/orders/external/{id}) or are entered with New order; clear the filters to see all.", "سفارش‌ها از فروشگاه شما از راه API می‌رسند یا با «سفارش تازه» ثبت می‌شوند؛ برای دیدن همه، فیلترها را پاک کنید.";
    CasesHint => "No case matches; clear the filters, or search by subject or number.", "درخواستی پیدا نشد؛ فیلترها را پاک کنید یا با موضوع یا شماره جست‌وجو کنید.";
    TasksHint => "No task matches; clear the filters to see every task you may see.", "کاری پیدا نشد؛ برای دیدن همهٔ کارها فیلترها را پاک کنید.";
    ActivitiesHint => "Calls, emails, meetings and visits logged on customers appear here.", "تماس‌ها، ایمیل‌ها، جلسه‌ها و بازدیدهای ثبت‌شده اینجا دیده می‌شوند.";
    DealsHint => "No deal matches; clear the filters, or open the pipeline board to add one.", "معامله‌ای پیدا نشد؛ فیلترها را پاک کنید.";
    Sku => "SKU", "کد کالا";
    Category => "Category", "دسته";
    UnitPrice => "Unit price", "قیمت واحد";
    UnitCost => "Unit cost", "بهای تمام‌شده";
    Active => "Active", "فعال";
    Number => "No.", "شماره";
    OrderedAt => "Ordered", "زمان سفارش";
    Channel => "Channel", "کانال";
    Total => "Total", "جمع";
    BaseTotal => "Total in base currency", "جمع به ارز پایه";
    Margin => "Margin", "حاشیهٔ سود";
    ExternalId => "External id", "شناسهٔ بیرونی";
    Subject => "Subject", "موضوع";
    Priority => "Priority", "اولویت";
    ResolutionDue => "Resolve by", "مهلت حل";
    SlaBreached => "SLA breached", "نقض SLA";
    Csat => "CSAT", "رضایت";
    DueAt => "Due", "موعد";
    Overdue => "Overdue", "عقب‌افتاده";
    RelatedTo => "Related to", "مرتبط با";
    When => "When", "زمان";
    Kind => "Kind", "نوع";
    Direction => "Direction", "جهت";
    Outcome => "Outcome", "نتیجه";
    DurationSeconds => "Duration (s)", "مدت (ثانیه)";
    WNew => "new", "جدید";
    WOpen => "open", "باز";
    WPending => "pending", "در انتظار";
    WResolved => "resolved", "حل‌شده";
    WClosed => "closed", "بسته";
    WInProgress => "in progress", "در حال انجام";
    WDone => "done", "انجام‌شده";
    WCancelled => "cancelled", "لغوشده";
    WPlaced => "placed", "ثبت‌شده";
    WPaid => "paid", "پرداخت‌شده";
    WFulfilled => "fulfilled", "تحویل‌شده";
    WRefunded => "refunded", "بازپرداخت‌شده";
    WOnline => "online", "آنلاین";
    WStore => "store", "فروشگاه";
    WPhone => "phone", "تلفن";
    WFieldSales => "field sales", "فروش میدانی";
    WMarketplace => "marketplace", "بازارگاه";
    WOther => "other", "سایر";
    WWeb => "web", "وب";
    WSocial => "social media", "شبکه‌های اجتماعی";
    WInPerson => "in person", "حضوری";
    WApi => "API", "API";
    WInbound => "inbound", "ورودی";
    WOutbound => "outbound", "خروجی";
    WWon => "won", "برنده";
    WLost => "lost", "ازدست‌رفته";
    WTrue => "yes", "بله";
    WFalse => "no", "خیر";
    BackToCases => "← Cases", "→ درخواست‌ها";
    BackToCompanies => "← Companies", "→ شرکت‌ها";
    BackToPipeline => "← Pipeline", "→ قیف فروش";
    StageHistory => "Stages", "مراحل";
    Quantity => "Quantity", "تعداد";
    NewOrder => "New order", "سفارش تازه";
    FindCustomer => "Find a contact or company by name, email or phone", "یافتن مخاطب یا شرکت با نام، ایمیل یا تلفن";
    ChangeCustomer => "Change customer", "تغییر مشتری";
    AddLine => "Add a line", "افزودن ردیف";
    EditLines => "Edit lines", "ویرایش ردیف‌ها";
    NoLineItems => "No line items: add products and the amount follows from them.", "ردیفی نیست: کالا بیفزایید تا مبلغ از آن‌ها حساب شود.";
    LinesConflict => "Someone else changed this deal meanwhile; their version is shown above. Your lines are kept: save again to apply them.", "کس دیگری در این میان این معامله را تغییر داد؛ نسخهٔ او در بالا آمده است. ردیف‌های شما مانده‌اند: برای اعمال دوباره ذخیره کنید.";
    ProductOrItem => "Product (or an item's name)", "کالا (یا نام یک قلم)";
    RemoveLine => "Remove this line", "حذف این ردیف";
    DiscountPercent => "Discount %", "درصد تخفیف";
    Discount => "Discount", "تخفیف";
    AnnualRevenue => "Annual revenue", "درآمد سالانه";
    Industry => "Industry", "صنعت";
    CompaniesHint => "No company matches; search by part of a name, a domain, a city or a phone number.", "شرکتی پیدا نشد؛ با بخشی از نام، دامنه، شهر یا شمارهٔ تلفن جست‌وجو کنید.";
    Employees => "Employees", "کارکنان";
    Country => "Country", "کشور";
    LogCall => "Log call", "ثبت تماس";
    TaskTitle => "Task", "عنوان کار";
    AddTask => "Add task", "افزودن کار";
    CallWith => "Call with", "تماس با";
    FollowUpWith => "Follow up with", "پیگیری";
    CallLogged => "Call logged", "تماس ثبت شد";
    TaskAdded => "Task added", "کار افزوده شد";
    DurationMinutes => "Duration (minutes)", "مدت (دقیقه)";
    OutcomeConnected => "connected", "پاسخ داد";
    OutcomeNoAnswer => "no answer", "بی‌پاسخ";
    OutcomeVoicemail => "left a voicemail", "پیام صوتی گذاشته شد";
    OutcomeInterested => "interested", "علاقه‌مند";
    DaysShort => "d", "روز";
    HoursShort => "h", "ساعت";
    MinutesShort => "min", "دقیقه";
    SlaMet => "met at", "انجام‌شده در";
    SlaMissed => "missed, done at", "از دست رفت، انجام‌شده در";
    SlaOverdueBy => "overdue by", "دیرکرد";
    SlaLeft => "left", "مانده";
    FirstResponse => "First response", "نخستین پاسخ";
    Resolution => "Resolution", "حل";
    Reopen => "Reopen", "بازگشایی";
    StartWork => "Start work", "شروع کار";
    WaitForCustomer => "Wait for customer", "در انتظار مشتری";
    Resolve => "Resolve", "حل شد";
    CloseCase => "Close", "بستن درخواست";
    ReopenCount => "Reopened", "دفعات بازگشایی";
    Description => "Description", "شرح";
    CsatComment => "What the customer said (optional)", "گفتهٔ مشتری (اختیاری)";
    Timeline => "Timeline", "رویدادها";
    TlAll => "All", "همه";
    TlCalls => "Calls", "تماس‌ها";
    TlEmails => "Emails", "ایمیل‌ها";
    TlMeetings => "Meetings", "جلسه‌ها";
    TlNotes => "Notes", "یادداشت‌ها";
    TlDeals => "Deals", "معامله‌ها";
    TlOrders => "Orders", "سفارش‌ها";
    TlOrder => "Order", "سفارش";
    TlCases => "Cases", "درخواست‌ها";
    TlChanges => "Changes", "تغییرها";
    TlEvents => "Web, shop & email", "وب، فروشگاه و ایمیل";
    TlEvent => "Event", "رخداد";
    TlFilters => "Show only", "فقط نمایش";
    TlDealOpened => "New deal", "معاملهٔ تازه";
    TlCaseOpened => "Case opened", "درخواست باز شد";
    TlWhatHappened => "What happened? The first line is the subject. Ctrl+Enter logs it.", "چه شد؟ خط نخست عنوان است. Ctrl+Enter ثبت می‌کند.";
    TlWriteSomething => "Write what happened first.", "نخست بنویسید چه شد.";
    TlLog => "Log", "ثبت";
    TlLogged => "Logged on the timeline", "در رویدادها ثبت شد";
    TlCtrlEnter => "Ctrl+Enter", "Ctrl+Enter";
    TlEmpty => "Nothing here yet. Log a call, a meeting or a note above; emails, orders and cases show up by themselves.", "هنوز چیزی نیست. تماس، جلسه یا یادداشتی در بالا ثبت کنید؛ ایمیل‌ها، سفارش‌ها و درخواست‌ها خودشان می‌آیند.";
    TlMore => "Show older", "قدیمی‌ترها";
    Follow => "Follow", "دنبال کردن";
    Unfollow => "Following ✓", "دنبال می‌کنید ✓";
    FollowingNow => "You will be told of everything that happens here", "از هر چه این‌جا رخ دهد باخبر می‌شوید";
    NotFollowing => "No longer following", "دیگر دنبال نمی‌کنید";
    Mention => "Mention…", "نام بردن از…";
    Inbox => "Inbox", "صندوق اعلان‌ها";
    Unread => "unread", "خوانده‌نشده";
    MarkAllRead => "Mark all read", "همه خوانده شد";
    InboxEmpty => "Nothing new. You hear here when someone @mentions you, gives you a record, or something happens to a record you follow.", "خبر تازه‌ای نیست. وقتی کسی از شما نام ببرد، رکوردی به شما بسپارد یا در رکوردی که دنبال می‌کنید اتفاقی بیفتد، این‌جا باخبر می‌شوید.";
    NMentioned => "mentioned you", "از شما نام برد";
    NAssigned => "assigned to you", "به شما سپرده شد";
    NFollowed => "followed", "دنبال‌شده";
    NTaskDue => "task due", "موعد کار";
    NSlaResponse => "first reply due soon", "مهلت پاسخ نزدیک است";
    NSlaResolution => "resolution due soon", "مهلت حل نزدیک است";
    Unassigned => "Unassigned", "بدون مسئول";
    HandOver => "Hand over", "سپردن به دیگری";
    HandedOverTo => "Handed over to", "سپرده شد به";
    HandoverNote => "Note for the new owner", "یادداشت برای مسئول تازه";
    NavFeed => "Feed", "رویدادها";
    FeedMine => "Mine", "مال من";
    FeedTeam => "My team", "تیم من";
    FeedAll => "Everything", "همه";
    FeedEmpty => "Nothing here yet. Calls, notes, emails, stage changes and orders on your records show up here as they happen.", "هنوز چیزی نیست. تماس‌ها، یادداشت‌ها، ایمیل‌ها، تغییر مرحله‌ها و سفارش‌های رکوردهای شما همین‌جا نمایان می‌شوند.";
    NavConsole => "Agent console", "میز تماس";
    ConsoleEmpty => "No call in progress. When your phone rings, the caller's card appears here, and over any page you have open, at once.", "تماسی در جریان نیست. وقتی تلفن شما زنگ بزند، کارت تماس‌گیرنده همین‌جا و روی هر صفحه‌ای که باز است، بی‌درنگ نمایان می‌شود.";
    LiveOn => "Live", "برخط";
    LiveOff => "Connecting…", "در حال اتصال…";
    CallUnknown => "Unknown caller", "تماس‌گیرندهٔ ناشناس";
    CallWithheld => "Number withheld", "شمارهٔ پنهان";
    CallCandidates => "Several contacts have this number", "چند مخاطب این شماره را دارند";
    CreateFromCall => "Create contact", "ساخت مخاطب";
    Segment => "Segment", "بخش";
    LifetimeRevenue => "Lifetime revenue", "درآمد کل";
    OrderCount => "{n} orders", "{n} سفارش";
    LastInteractions => "Last interactions", "آخرین تعامل‌ها";
    AfterCall => "After the call", "پس از تماس";
    SaveAndClose => "Save and close", "ذخیره و بستن";
    OpenConsole => "Open console", "باز کردن میز تماس";
    WRinging => "ringing", "در حال زنگ";
    WAnswered => "answered", "پاسخ داده شد";
    WEnded => "ended", "پایان یافت";
    CsatAfterResolution => "The customer can rate the service once the case is resolved.", "پس از حل درخواست، مشتری می‌تواند به خدمات امتیاز دهد.";
    SendNow => "Send", "ارسال";
    EmailSent => "Email sent and logged on the timeline", "ایمیل فرستاده و در رویدادها ثبت شد";
    EmailTo => "To", "به";
    PrimaryAddress => "the contact's primary address", "نشانی اصلی مخاطب";
    Template => "Template", "قالب";
    NoTemplate => "No template", "بدون قالب";
    MergeHint => "First line: subject. Merge fields such as {{contact.first_name|there}} are filled in when the email is sent.", "خط نخست: موضوع. فیلدهای ادغام مانند {{contact.first_name|there}} هنگام ارسال پر می‌شوند.";
    NavSettings => "Settings", "تنظیمات";
    Body => "Body", "متن";
    ConflictRecordTitle => "Someone else changed this record", "شخص دیگری این رکورد را تغییر داده است";
    ConflictRecordExplain => "Your edit was not saved because the record changed after you opened it. Their changes:", "ویرایش شما ذخیره نشد، چون رکورد پس از باز کردن شما تغییر کرده است. تغییرات آن‌ها:";
    NewLead => "New lead", "سرنخ جدید";
    NewTask => "New task", "کار جدید";
    NewProduct => "New product", "کالای جدید";
    NewCompany => "New company", "شرکت جدید";
    CreateDeal => "New deal", "معاملهٔ جدید";
    NewCase => "New case", "درخواست جدید";
    Notes => "Notes", "یادداشت‌ها";
    CompletedAt => "Completed", "انجام‌شده در";
    Subtotal => "Subtotal", "جمع جزء";
    Currency => "Currency", "ارز";
    CustomFields => "Custom fields", "فیلدهای سفارشی";
    ChangedMeanwhile => "Someone saved this record meanwhile; it now shows their version. Your value is still in the field: save it again to apply it.", "کس دیگری در این میان این رکورد را ذخیره کرد و اکنون نسخهٔ او نمایش داده می‌شود. مقدار شما هنوز در فیلد است: برای اعمال آن دوباره ذخیره کنید.";
    Ascending => "{label}, ascending", "{label}، صعودی";
    Descending => "{label}, descending", "{label}، نزولی";
    RoleAdmin => "Admin", "مدیر سامانه";
    RoleManager => "Manager", "مدیر فروش";
    RoleSalesRep => "Sales rep", "کارشناس فروش";
    RoleMarketing => "Marketing", "بازاریابی";
    RoleServiceAgent => "Service agent", "کارشناس پشتیبانی";
    RoleAnalyst => "Analyst", "تحلیلگر";
    RoleIntegration => "Integration", "یکپارچه‌سازی";
}

catalogue! {
    /// Text only the settings screens show: compiled into their bundle alone, so the first
    /// load does not carry it.
    A;
    MailServer => "Outgoing mail server (SMTP)", "سرور ارسال ایمیل (SMTP)";
    MailReady => "Email can be sent from records.", "می‌توان از پرونده‌ها ایمیل فرستاد.";
    MailNotSet => "Not set up yet: emails can only be logged, not sent.", "هنوز تنظیم نشده است: ایمیل‌ها فقط ثبت می‌شوند، فرستاده نمی‌شوند.";
    MailHost => "Server", "سرور";
    MailSecurity => "Security", "امنیت";
    MailPort => "Port (empty: the usual one)", "درگاه (خالی: پیش‌فرض)";
    MailUser => "User name", "نام کاربری";
    PasswordKept => "stored; leave empty to keep it", "ذخیره شده؛ برای نگه‌داشتن خالی بگذارید";
    MailFrom => "From address", "نشانی فرستنده";
    MailFromName => "From name", "نام فرستنده";
    ErrPort => "A port is a number from 1 to 65535.", "درگاه عددی از ۱ تا ۶۵۵۳۵ است.";
    Analytics => "Customer analytics", "تحلیل مشتریان";
    Segments => "Segments", "بخش‌ها";
    NewSegment => "New segment", "بخش تازه";
    SegmentsEmpty => "No segments yet. A segment groups contacts by rules on their fields, tags, purchases, activity and life events; make one to see who matches.", "هنوز بخشی نیست. بخش، مخاطبان را با قاعده‌هایی بر فیلدها، برچسب‌ها، خریدها، فعالیت و رویدادهای زندگی‌شان گروه می‌کند؛ یکی بسازید تا ببینید چه کسانی در آن‌اند.";
    SegmentKindLabel => "Kind", "نوع";
    SegmentMembers => "Members", "اعضا";
    SegmentEvaluated => "Evaluated", "ارزیابی";
    SegmentShared => "shared", "مشترک";
    KindDynamic => "Dynamic", "پویا";
    KindSnapshot => "Snapshot", "ثابت";
    SegmentDescription => "Description", "توضیح";
    SegmentSnapshotLabel => "Snapshot: freeze the members when saved or evaluated", "ثابت: اعضا هنگام ذخیره یا ارزیابی ثابت شوند";
    SegmentShareLabel => "Share with the workspace", "با همهٔ فضای کار به اشتراک بگذار";
    DynamicHint => "Members are whoever matches the rules when the segment is read.", "اعضا هر کسی‌اند که هنگام خواندن بخش با قاعده‌ها جور باشد.";
    SnapshotHint => "Members stay as they were at the last evaluation until you evaluate it again.", "اعضا همان می‌مانند که در آخرین ارزیابی بودند، تا دوباره ارزیابی کنید.";
    SegmentMatches => "{n} contacts match now", "اکنون {n} مخاطب با این قاعده‌ها مطابقت دارند";
    SegmentSaved => "Segment saved.", "بخش ذخیره شد.";
    SegmentMoved => "Evaluated: {in} entered, {out} left.", "ارزیابی شد: {in} وارد و {out} خارج شدند.";
    ShowAllHistory => "Show the latest 50", "نمایش ۵۰ مورد آخر";
    SnapshotKept => "{n} members are kept, as evaluated", "{n} عضو نگه داشته شده‌اند، طبق ارزیابی";
    SegmentEvaluatedToast => "Evaluated.", "ارزیابی شد.";
    SegmentDeleteConfirm => "Delete this segment with its history?", "این بخش با تاریخچه‌اش حذف شود؟";
    SegmentShowMembers => "Show members", "نمایش اعضا";
    SegmentLinked => "Their records:", "سوابق اعضا:";
    Shipping => "Shipping", "هزینهٔ ارسال";
    Customer => "Customer", "مشتری";
    Tax => "Tax", "مالیات";
    SegmentEvaluate => "Evaluate now", "اکنون ارزیابی کن";
    SegmentHistory => "Who entered and left", "ورود و خروج اعضا";
    SegmentHistoryEmpty => "No one has entered or left yet.", "هنوز کسی وارد یا خارج نشده است.";
    SegmentEntered => "entered", "وارد شد";
    SegmentLeft => "left", "خارج شد";
    GroupMode => "How the rules combine", "ترکیب قاعده‌ها";
    MatchAll => "All of these hold", "همهٔ این‌ها برقرار باشد";
    MatchAny => "Any of these holds", "یکی از این‌ها برقرار باشد";
    AddCondition => "+ Condition", "+ شرط";
    AddGroup => "+ Group", "+ گروه";
    RemoveRule => "Remove", "حذف";
    RuleField => "Field", "فیلد";
    RuleOp => "Comparison", "مقایسه";
    DaysAgo => "days", "روز گذشته";
    DaysAhead => "days", "روز آینده";
    WithinLast => "in the last", "در";
    AnyTime => "any", "همه";
    CommaSeparated => "values separated by commas", "مقدارها با ویرگول جدا";
    SfFirstName => "First name", "نام";
    SfLastName => "Last name", "نام خانوادگی";
    SfTitle => "Job title", "سمت";
    SfSource => "Source", "منبع";
    SfStage => "Lifecycle stage", "مرحلهٔ چرخهٔ عمر";
    SfConsent => "Marketing consent", "رضایت بازاریابی";
    SfOwner => "Owner", "مسئول";
    SfCompany => "Company (id)", "شرکت (شناسه)";
    SfTag => "Tag", "برچسب";
    SfCreated => "Added", "تاریخ افزودن";
    SfOrders => "Purchases", "خریدها";
    SfRevenue => "Revenue (all time)", "درآمد (همهٔ دوران)";
    SfGrossMargin => "Gross margin (all time)", "حاشیهٔ سود ناخالص (همهٔ دوران)";
    SfFirstPurchase => "First purchase", "نخستین خرید";
    SfLastPurchase => "Last purchase", "آخرین خرید";
    SfRfmGroup => "RFM group", "گروه RFM";
    SfRecency => "Recency score", "امتیاز تازگی";
    SfFrequency => "Frequency score", "امتیاز دفعات";
    SfMonetary => "Monetary score", "امتیاز مبلغ";
    SfPropensity => "Propensity to buy (0–1)", "احتمال خرید (۰ تا ۱)";
    SfLastActivity => "Last activity", "آخرین فعالیت";
    SfBoughtProduct => "Bought product", "محصول خریده‌شده";
    SfOrderChannel => "Purchase channel", "کانال خرید";
    SfActivityChannel => "Activity channel", "کانال فعالیت";
    SfSegment => "Member of segment", "عضو بخش";
    OpIs => "is", "هست";
    OpIsNot => "is not", "نیست";
    OpIn => "is one of", "یکی از";
    OpNotIn => "is none of", "هیچ‌یک از";
    OpContains => "contains", "شامل";
    OpIsEmpty => "is empty", "خالی است";
    OpIsNotEmpty => "is not empty", "خالی نیست";
    OpGt => "more than", "بیش از";
    OpGte => "at least", "دست‌کم";
    OpLt => "less than", "کمتر از";
    OpLte => "at most", "حداکثر";
    OpBefore => "before", "پیش از";
    OpAfter => "after", "پس از";
    OpInLastDays => "in the last", "در";
    OpNotInLastDays => "not in the last", "نه در";
    OpInNextDays => "in the next", "در";
    OpAnniversary => "anniversary in the next", "سالگرد در";
    Recompute => "Recompute metrics", "محاسبهٔ دوبارهٔ شاخص‌ها";
    FitClv => "Fit lifetime value", "برازش ارزش طول عمر";
    ClvFitted => "Lifetime value fitted.", "ارزش طول عمر برازش شد.";
    MetricsRecomputed => "Metrics recomputed.", "شاخص‌ها دوباره محاسبه شد.";
    RfmEmpty => "No customer metrics yet. Recompute them to see the RFM grid.", "هنوز شاخصی محاسبه نشده است. برای دیدن جدول RFM آن‌ها را محاسبه کنید.";
    Clv => "Customer lifetime value", "ارزش طول عمر مشتری";
    ClvEmpty => "No lifetime-value fit yet. Fit it once customers have bought more than once.", "هنوز ارزش طول عمر برازش نشده است. وقتی مشتریان بیش از یک بار خرید کردند، آن را برازش کنید.";
    Rfm => "RFM", "RFM";
    RfmExplain => "Customers by recency (rows, 5 most recent) and frequency (columns, 5 most often); each cell shows customers and their revenue.", "مشتریان بر پایهٔ تازگی خرید (سطرها، ۵ تازه‌ترین) و دفعات خرید (ستون‌ها، ۵ بیشترین)؛ هر خانه شمار مشتریان و درآمد آنان را نشان می‌دهد.";
    RecencyFrequency => "R \\ F", "R \\ F";
    Group => "Group", "گروه";
    Customers => "Customers", "مشتریان";
    Revenue => "Revenue", "درآمد";
    ExportCsv => "Export CSV", "خروجی CSV";
    GroupChampions => "Champions", "قهرمانان";
    GroupLoyal => "Loyal", "وفادار";
    GroupPotential => "Potential loyalists", "وفادار بالقوه";
    GroupNew => "New customers", "مشتریان تازه";
    GroupPromising => "Promising", "امیدوارکننده";
    GroupNeedAttention => "Need attention", "نیازمند توجه";
    GroupAboutToSleep => "About to sleep", "در آستانهٔ خواب";
    GroupAtRisk => "At risk", "در خطر";
    GroupCantLose => "Can't lose them", "نباید از دست بروند";
    GroupHibernating => "Hibernating", "خفته";
    RepeatPurchases => "Repeat purchases", "خریدهای تکراری";
    Actual => "Actual", "واقعی";
    Predicted => "Predicted", "پیش‌بینی";
    Window => "Calibration window", "بازهٔ برازش";
    Cohorts => "Cohorts", "گروه‌های هم‌دوره";
    CohortsExplain => "Customers by the month of their first purchase: the share who bought again each month since (hover for revenue per customer), and the month their margin covers what a customer cost to win.", "مشتریان بر پایهٔ ماه نخستین خرید: سهم آنان که در هر ماه پس از آن دوباره خریدند (درآمد هر مشتری را با نگه‌داشتن نشانگر ببینید) و ماهی که حاشیهٔ سودشان هزینهٔ جذب هر مشتری را می‌پوشاند.";
    AcquisitionCost => "Cost to win a customer", "هزینهٔ جذب هر مشتری";
    Cohort => "First purchase", "نخستین خرید";
    MonthsSince => "Months since", "ماه‌های پس از آن";
    Retention => "Retention", "ماندگاری";
    BreakEven => "Break-even month", "ماه سربه‌سر";
    ModelParameters => "BG/NBD r, α, a, b", "پارامترهای BG/NBD (r، α، a، b)";
    MeanOrderValue => "Expected order value", "ارزش مورد انتظار هر سفارش";
    HoldoutCheck => "Check against the holdout", "سنجش با دورهٔ آزمون";
    HoldoutExplain => "After the window, customers made {a} repeat purchases; the fit expected {p}. Per customer, by repeat purchases in the window:", "پس از بازهٔ برازش، مشتریان {a} خرید تکراری کردند؛ مدل {p} پیش‌بینی کرده بود. به ازای هر مشتری، بر پایهٔ خریدهای تکراری در بازه:";
    Month => "Month", "ماه";
    Orders => "Orders", "سفارش‌ها";
    Cost => "Cost", "هزینه";
    Margin => "Gross margin", "حاشیهٔ سود ناخالص";
    MarginUnknown => "unknown: {n} orders without a cost", "نامعلوم: {n} سفارش بی‌هزینه";
    Service => "Service", "خدمات";
    ServiceTaken => "{c} cases · {h} hours", "{c} درخواست · {h} ساعت";
    ServiceCost => "Service cost", "هزینهٔ خدمات";
    ActivityHours => "Hours of activity", "ساعت‌های فعالیت";
    NetContribution => "Net contribution", "سهم خالص سود";
    ServiceUnpriced => "not priced: set the prices of service under Analytics", "قیمت‌گذاری نشده: قیمت خدمات را در بخش تحلیل تعیین کنید";
    ServiceCosts => "Prices of service", "قیمت خدمات";
    ServiceCostsExplain => "What serving a customer costs: each case, and each hour of calls, meetings and visits (an activity with several contacts is shared between them). A customer's net contribution is their gross margin less this.", "هزینهٔ خدمت‌رسانی به هر مشتری: هر درخواست، و هر ساعت تماس، جلسه و بازدید (فعالیتی با چند مخاطب میان آن‌ها تقسیم می‌شود). سهم خالص سود هر مشتری، حاشیهٔ سود ناخالص او منهای این هزینه است.";
    PerCase => "Per case", "هر درخواست";
    PerActivityHour => "Per hour of activity", "هر ساعت فعالیت";
    ServiceCostsSaved => "Prices of service saved.", "قیمت خدمات ذخیره شد.";
    CustomerAnalytics => "Customer analytics", "تحلیل مشتری";
    NotACustomer => "This contact has not bought yet.", "این مخاطب هنوز خریدی نکرده است.";
    PAlive => "Still a customer", "احتمال فعال بودن";
    ProfitOverTime => "Profitability over time", "سودآوری در گذر زمان";
    Propensity => "Propensity to buy", "تمایل به خرید";
    PropensityExplain => "The chance each contact buys in the next {n} days, from a model trained on this workspace's own history and checked on a later window it never saw.", "احتمال خرید هر مخاطب در {n} روز آینده، از مدلی که بر پایهٔ پیشینهٔ همین فضای کاری آموزش دیده و روی بازه‌ای تازه‌تر که ندیده بود سنجیده شده است.";
    TrainPropensity => "Train propensity model", "آموزش مدل تمایل به خرید";
    PropensityTrained => "Propensity model trained.", "مدل تمایل به خرید آموزش دید.";
    PropensityEmpty => "No propensity model yet. Train it once customers have a few months of orders.", "هنوز مدل تمایل به خرید نیست. وقتی مشتریان چند ماه سفارش داشتند، آن را آموزش دهید.";
    PropensityRefused => "This model did not pass its check on the later window ({why}), so its scores are not shown. Train it again when there is more history.", "این مدل در سنجش با بازهٔ تازه‌تر پذیرفته نشد ({why})، پس امتیازهایش نشان داده نمی‌شود. وقتی پیشینهٔ بیشتری بود دوباره آموزشش دهید.";
    Auc => "AUC on the holdout", "AUC در دورهٔ آزمون";
    Lift => "Top-decile lift", "بهبود دهک برتر";
    Calibration => "Calibration", "هم‌سنجی";
    Buyers => "Bought in the holdout", "خریداران دورهٔ آزمون";
    MostLikely => "Most likely to buy", "بیشترین احتمال خرید";
    LeastLikely => "Least likely to buy", "کمترین احتمال خرید";
    Chance => "Chance", "احتمال";
    Why => "Why", "چرا";
    AnyOwner => "Any owner", "همهٔ مسئولان";
    NoneInReach => "No contacts to show.", "مخاطبی برای نمایش نیست.";
    Factor => "Factor", "عامل";
    WhyNotEnoughData => "too few buyers in the later window to judge it", "خریداران بازهٔ تازه‌تر برای سنجش آن بسیار کم‌اند";
    WhyAucTooLow => "it ranked buyers barely better than chance", "خریداران را کمی بهتر از تصادف رتبه‌بندی کرد";
    WhyLiftTooLow => "its top tenth held too few more buyers than average", "دهک برترش خریداران چندان بیشتری از میانگین نداشت";
    WhyMiscalibrated => "its chances were far from how many actually bought", "احتمال‌هایش با شمار خریداران واقعی فاصلهٔ زیادی داشت";
    Effect => "Effect", "اثر";
    RDaysSincePurchase => "Last bought {n} days ago", "آخرین خرید {n} روز پیش";
    RNoPurchase => "No purchase in the last ten years", "هیچ خریدی در ده سال گذشته";
    ROrders30 => "Bought {n} times in the last 30 days", "{n} خرید در ۳۰ روز گذشته";
    ROrders90 => "Bought {n} times in the last 90 days", "{n} خرید در ۹۰ روز گذشته";
    ROrders365 => "Bought {n} times in the last year", "{n} خرید در یک سال گذشته";
    RRevenue365 => "Spent {m} in the last year", "خرید به ارزش {m} در یک سال گذشته";
    RAverageOrder => "Orders average {m}", "میانگین هر سفارش {m}";
    RCustomerDays => "First bought {n} days ago", "نخستین خرید {n} روز پیش";
    RTrendUp => "{n} more orders in the last {h} days than in the {h} before", "{n} سفارش بیشتر در {h} روز گذشته نسبت به {h} روز پیش از آن";
    RTrendDown => "{n} fewer orders in the last {h} days than in the {h} before", "{n} سفارش کمتر در {h} روز گذشته نسبت به {h} روز پیش از آن";
    RActs30 => "{n} activities in the last 30 days", "{n} فعالیت در ۳۰ روز گذشته";
    RActs90 => "{n} activities in the last 90 days", "{n} فعالیت در ۹۰ روز گذشته";
    RActsAll => "{n} activities in all", "روی هم {n} فعالیت";
    RDaysSinceActivity => "Last activity {n} days ago", "آخرین فعالیت {n} روز پیش";
    RNoActivity => "No activity in the last ten years", "هیچ فعالیتی در ده سال گذشته";
    RCases365 => "{n} service cases in the last year", "{n} درخواست پشتیبانی در یک سال گذشته";
    RCasesAll => "{n} service cases in all", "روی هم {n} درخواست پشتیبانی";
    RContactDays => "Known for {n} days", "{n} روز آشنایی";
    Templates => "Email templates", "قالب‌های ایمیل";
    NoTemplates => "No templates yet. Write one below; people pick it in the email tab of a record's timeline.", "هنوز قالبی نیست. یکی در زیر بنویسید؛ همکاران آن را در زبانهٔ ایمیل رویدادهای هر پرونده برمی‌گزینند.";
    NewTemplate => "New template", "قالب تازه";
    EditTemplate => "Edit template", "ویرایش قالب";
    Edit => "Edit", "ویرایش";
    MergeFields => "Merge fields (add |fallback for an empty value):", "فیلدهای ادغام (برای مقدار خالی |جایگزین بیفزایید):";
    NewApiKey => "New API key", "کلید API تازه";
    CreateKey => "Create key", "ساخت کلید";
    ApiKeyHint => "A system sends the key as Authorization: Bearer <key> or X-Api-Key: <key>. It acts with the role chosen here, in this workspace only. Give each system its own key, so each can be revoked alone.", "هر سامانه کلید را به شکل Authorization: Bearer <key> یا X-Api-Key: <key> می‌فرستد. کلید با نقشی که این‌جا برگزیده‌اید و فقط در همین فضای کاری کار می‌کند. به هر سامانه کلیدی جدا بدهید تا بتوان هر کدام را جداگانه باطل کرد.";
    ShownOnce => "Copy it now: it is shown this once and cannot be shown again.", "همین حالا رونوشت بگیرید: فقط همین یک بار نمایش داده می‌شود.";
    Copy => "Copy", "رونوشت";
    Copied => "Copied", "رونوشت گرفته شد";
    Done => "Done", "تمام";
    Role => "Role", "نقش";
    Key => "Key", "کلید";
    LastUsed => "Last used", "آخرین استفاده";
    Never => "never", "هرگز";
    Revoke => "Revoke", "باطل کردن";
    Revoked => "Revoked", "باطل شد";
    ConfirmRevoke => "Revoke this key? Systems using it are refused from now on.", "این کلید باطل شود؟ سامانه‌هایی که آن را به کار می‌برند از همین حالا پذیرفته نمی‌شوند.";
    NoApiKeys => "No API keys yet. Create one above for each system that talks to the CRM.", "هنوز کلید API نیست. برای هر سامانه‌ای که با سی‌آر‌ام کار می‌کند یکی در بالا بسازید.";
    NewWebhook => "New webhook", "وب‌هوک تازه";
    WebhookUrl => "Receiver URL", "نشانی گیرنده";
    Events => "Events", "رخدادها";
    EveryEvent => "Every event", "همهٔ رخدادها";
    Filter => "Filter", "صافی";
    WebhookFilter => "Filter (optional JSON: field → value or list of values)", "صافی (JSON اختیاری: فیلد → مقدار یا فهرست مقدارها)";
    ErrFilterJson => "Write a JSON object, e.g. {\"pipeline_id\": \"…\"}.", "یک شیء JSON بنویسید، مانند {\"pipeline_id\": \"…\"}.";
    AllowPrivate => "Allow a loopback or private address (a receiver on your own network)", "اجازهٔ نشانی محلی یا خصوصی (گیرنده‌ای در شبکهٔ خودتان)";
    Subscribe => "Subscribe", "اشتراک";
    NoWebhooks => "No webhooks yet. Subscribe a URL below: it receives a signed POST for each event you pick, retried until it answers.", "هنوز وب‌هوکی نیست. نشانی‌ای را در زیر مشترک کنید: برای هر رخدادی که برگزینید یک POST امضاشده می‌گیرد و تا پاسخ دهد دوباره فرستاده می‌شود.";
    On => "On", "روشن";
    Off => "Off", "خاموش";
    TurnOn => "Turn on", "روشن کردن";
    TurnOff => "Turn off", "خاموش کردن";
    FailingN => "{n} failures in a row", "{n} شکست پیاپی";
    SendPing => "Send test event", "فرستادن رخداد آزمایشی";
    PingQueued => "Test event queued; follow it in the log below.", "رخداد آزمایشی در صف است؛ آن را در گزارش زیر دنبال کنید.";
    RotateSecret => "New signing secret", "کلید امضای تازه";
    ConfirmRotate => "Replace the signing secret? The old one stops working at once.", "کلید امضا جایگزین شود؟ کلید پیشین بی‌درنگ از کار می‌افتد.";
    ConfirmDeleteWebhook => "Delete this webhook and its delivery log?", "این وب‌هوک و گزارش تحویلش حذف شود؟";
    SigningSecret => "Signing secret", "کلید امضا";
    Deliveries => "Delivery log", "گزارش تحویل";
    AllStatuses => "All", "همه";
    DPending => "Pending", "در انتظار";
    DSucceeded => "Delivered", "تحویل شد";
    DFailed => "Gave up", "رها شد";
    Attempts => "Attempts", "تلاش‌ها";
    Answer => "Answer", "پاسخ";
    Payload => "Payload", "محتوا";
    Replay => "Replay", "ارسال دوباره";
    Replayed => "Queued again, with the same event id.", "با همان شناسهٔ رخداد دوباره در صف است.";
    Refresh => "Refresh", "تازه‌سازی";
    NoDeliveries => "Nothing sent yet. Events you subscribed to appear here as they happen; send a test event to try the receiver.", "هنوز چیزی فرستاده نشده است. رخدادهای مشترک‌شده همین‌جا نمایان می‌شوند؛ برای آزمودن گیرنده یک رخداد آزمایشی بفرستید.";
    NextTry => "next try", "تلاش بعدی";
    Details => "Details", "جزئیات";
    KeyChangeWarning => "Integrations, imports and saved views that use the old key stop finding the field.", "یکپارچه‌سازی‌ها، درون‌ریزی‌ها و نماهای ذخیره‌شده‌ای که کلید پیشین را به کار می‌برند دیگر این فیلد را نمی‌یابند.";
    AddField => "Add a field", "افزودن فیلد";
    EditField => "Edit field", "ویرایش فیلد";
    FieldLabelEn => "Label (English)", "برچسب (انگلیسی)";
    FieldLabelFa => "Label (Persian)", "برچسب (فارسی)";
    FieldKey => "Key in the API", "کلید در API";
    FieldKeyHint => "Lower-case letters, digits and _; integrations read the value as custom.<key>.", "حروف کوچک لاتین، رقم و _؛ یکپارچه‌سازی‌ها مقدار را با custom.<key> می‌خوانند.";
    FieldTypeLabel => "Type", "نوع";
    HelpEn => "Help text (English)", "راهنما (انگلیسی)";
    HelpFa => "Help text (Persian)", "راهنما (فارسی)";
    RequiredField => "Required", "الزامی";
    UniqueField => "Unique: no two records share a value", "یکتا: هیچ دو رکوردی مقدار یکسان ندارند";
    IndexedField => "Fast filters and sorting (indexed)", "فیلتر و مرتب‌سازی سریع (نمایه‌شده)";
    SensitiveField => "Sensitive: only admins and the roles below read it", "حساس: فقط مدیران و نقش‌های زیر آن را می‌بینند";
    MinValue => "Minimum", "کمینه";
    MaxValue => "Maximum", "بیشینه";
    MinMaxHint => "For text, the least and greatest length.", "برای متن، کمترین و بیشترین طول.";
    PatternLabel => "Pattern (regular expression)", "الگو (عبارت منظم)";
    FixedCurrency => "Currency (empty for any)", "ارز (خالی برای هر ارزی)";
    LinksTo => "Links to", "پیوند به";
    OptionsLabel => "Options", "گزینه‌ها";
    AddOption => "Add an option", "افزودن گزینه";
    OptionKey => "Key", "کلید";
    ColourLabel => "Colour", "رنگ";
    RemoveOption => "Remove option", "حذف گزینه";
    DefaultValue => "Default for new records", "پیش‌فرض رکوردهای تازه";
    MoveUp => "Move up", "بالا بردن";
    MoveDown => "Move down", "پایین بردن";
    ArchiveField => "Archive", "بایگانی";
    UnarchiveField => "Restore", "بازگرداندن";
    ArchivedBadge => "archived", "بایگانی‌شده";
    RequiredBadge => "required", "الزامی";
    UniqueBadge => "unique", "یکتا";
    IndexedBadge => "indexed", "نمایه‌شده";
    SensitiveBadge => "sensitive", "حساس";
    ChangeType => "Change type", "تغییر نوع";
    NewType => "New type", "نوع تازه";
    CheckValues => "Check existing values", "بررسی مقادیر موجود";
    RecordsWithValue => "Records with a value: {n}", "رکوردهای دارای مقدار: {n}";
    ConvertibleCount => "Converted: {n}", "تبدیل‌شدنی: {n}";
    UnconvertibleCount => "Cannot be converted: {n}", "تبدیل‌نشدنی: {n}";
    ClearUnconvertible => "Clear the values that cannot be converted", "مقادیری که تبدیل نمی‌شوند پاک شوند";
    TypeChanged => "The type has changed.", "نوع تغییر کرد.";
    ConfirmDeleteField => "Delete this field and its values on every record? This cannot be undone.", "این فیلد و مقدارهایش در همهٔ رکوردها حذف شود؟ این کار بازگشت‌پذیر نیست.";
    ConfirmArchiveField => "Archive this field? Records keep their values; forms stop offering it.", "این فیلد بایگانی شود؟ رکوردها مقدارشان را نگه می‌دارند و فرم‌ها دیگر آن را نشان نمی‌دهند.";
    FieldDeleted => "The field has been deleted.", "فیلد حذف شد.";
    NoCustomFields => "No custom fields yet. Add one to keep a fact your team needs: a tier, a renewal date, a credit limit.", "هنوز فیلد سفارشی‌ای نیست. برای نگه‌داشتن دانسته‌ای که تیم شما لازم دارد یکی بیفزایید: سطح مشتری، تاریخ تمدید، سقف اعتبار.";
    RecordKind => "Kind of record", "نوع رکورد";
    TypeText => "Text", "متن";
    TypeLongText => "Long text", "متن بلند";
    TypeNumber => "Number", "عدد";
    TypeMoney => "Money", "مبلغ";
    TypePercent => "Percent", "درصد";
    TypeDate => "Date", "تاریخ";
    TypeDatetime => "Date and time", "تاریخ و ساعت";
    TypeYesNo => "Yes or no", "بله یا خیر";
    TypeChoice => "One choice", "یک گزینه";
    TypeChoices => "Several choices", "چند گزینه";
    TypeUser => "Person", "شخص";
    TypeRecord => "Link to a record", "پیوند به رکورد";
    TypeEmail => "Email", "ایمیل";
    TypePhone => "Phone", "تلفن";
    TypeUrl => "Web address", "نشانی وب";
    ImTitle => "Import contacts", "ورود مخاطبان از فایل";
    ImDrop => "Drop a CSV file here, or choose one", "فایل CSV را اینجا رها کنید، یا یکی را برگزینید";
    ImDropHint => "Exports of HubSpot, Salesforce, Zoho, Pipedrive and Odoo, and Excel sheets saved as CSV (UTF-8, UTF-16 or Windows-1256), up to 1 GiB. Nothing is written until you import.", "خروجی‌های هاب‌اسپات، سیلزفورس، زوهو، پایپ‌درایو و اودو و برگه‌های اکسل ذخیره‌شده به‌صورت CSV (یونیکد یا ویندوز-۱۲۵۶)، تا ۱ گیگابایت. تا وقتی وارد نکنید چیزی نوشته نمی‌شود.";
    ImUploading => "Uploading…", "در حال بارگذاری…";
    ImEarlier => "Earlier imports", "ورودهای پیشین";
    ImNone => "No imports yet.", "هنوز هیچ ورودی انجام نشده است.";
    ImFile => "File", "فایل";
    ImStatus => "Status", "وضعیت";
    ImDrySuffix => " (dry run)", " (آزمایشی)";
    ImBack => "← Imports", "→ ورودها";
    ImRowsAbout => "about {n} rows", "حدود {n} ردیف";
    ImRowsExact => "{n} rows", "{n} ردیف";
    ImKb => "{n} KB", "{n} کیلوبایت";
    ImEncoding => "Encoding", "کدگذاری";
    ImDelimiter => "Delimiter", "جداکننده";
    ImComma => "Comma ,", "ویرگول ,";
    ImSemicolon => "Semicolon ;", "نقطه‌ویرگول ;";
    ImTab => "Tab", "تب";
    ImColumn => "Column", "ستون";
    ImSamples => "First values", "نخستین مقدارها";
    ImGoesTo => "Goes to", "می‌رود به";
    ImFullName => "Full name (split)", "نام کامل (جداشده)";
    ImCompany => "Company (by name)", "شرکت (با نام)";
    ImOwner => "Owner (email or name)", "مسئول (ایمیل یا نام)";
    ImTagsTarget => "Tags", "برچسب‌ها";
    ImEmail => "Email", "ایمیل";
    ImMobile => "Mobile phone", "تلفن همراه";
    ImWorkPhone => "Work phone", "تلفن محل کار";
    ImHomePhone => "Home phone", "تلفن منزل";
    ImFax => "Fax", "نمابر";
    ImOtherPhone => "Other phone", "تلفن دیگر";
    ImOptedOut => "Opted out (yes/no)", "انصراف داده (بله/خیر)";
    ImNote => "Keep as a note", "نگه‌داشتن به‌صورت یادداشت";
    ImSkip => "Do not import", "وارد نشود";
    ImKey => "Find existing contacts by", "یافتن مخاطبان موجود با";
    ImKeyEmail => "Email", "ایمیل";
    ImKeyPhone => "Phone", "تلفن";
    ImKeyNone => "Nothing: every row is a new contact", "هیچ: هر ردیف مخاطبی تازه است";
    ImExisting => "When a contact exists", "وقتی مخاطب وجود دارد";
    ImFillEmpty => "Fill its empty fields", "فیلدهای خالی‌اش پر شود";
    ImOverwrite => "Overwrite with the file", "با فایل جایگزین شود";
    ImKeep => "Keep ours", "مال ما بماند";
    ImTags => "Tag every imported contact", "برچسب برای همهٔ مخاطبان واردشده";
    ImDryRun => "Try it (dry run)", "آزمایش (بدون نوشتن)";
    ImRun => "Import", "وارد کن";
    ImConfirmRun => "Import the file now? You can undo it afterwards.", "اکنون فایل وارد شود؟ بعداً می‌توانید آن را برگردانید.";
    ImCancel => "Stop", "توقف";
    ImDownload => "Download rejected rows", "دریافت ردیف‌های ردشده";
    ImUndo => "Undo import", "برگرداندن ورود";
    ImConfirmUndo => "Move the contacts this import created to the trash and give those it updated their values back?", "مخاطبانی که این ورود ساخت به سطل زباله بروند و مخاطبانی که به‌روز کرد مقدارهای پیشین خود را بازگیرند؟";
    ImUndoneSays => "Undone: {r} removed, {u} restored, {c} left as they were changed since.", "برگردانده شد: {r} حذف، {u} بازیابی، {c} دست‌نخورده چون پس از آن تغییر کرده‌اند.";
    ImRowsOf => "{done} of {total} rows", "{done} از {total} ردیف";
    ImRate => "{rate} rows a second, about {left} s left", "{rate} ردیف در ثانیه، حدود {left} ثانیه مانده";
    ImDryNote => "A dry run: nothing was written. This is what importing would do.", "آزمایشی: چیزی نوشته نشد. ورود واقعی چنین می‌کند.";
    ImCreated => "Created", "ساخته‌شده";
    ImUpdated => "Updated", "به‌روزشده";
    ImUnchanged => "Unchanged", "بدون تغییر";
    ImSkipped => "Skipped", "نادیده (تکراری)";
    ImRejected => "Rejected", "ردشده";
    ImConflict => "Changed since", "تغییرکرده از آن پس";
    ImProblems => "Rows with problems", "ردیف‌های دارای مشکل";
    ImRow => "Row", "ردیف";
    ImWhy => "Problem", "مشکل";
    ImStUploading => "Uploading", "در حال بارگذاری";
    ImStUploaded => "Ready to map", "آمادهٔ نگاشت";
    ImStRunning => "Running", "در حال اجرا";
    ImStCancelling => "Stopping", "در حال توقف";
    ImStDone => "Done", "انجام شد";
    ImStFailed => "Failed", "ناموفق";
    ImStCancelled => "Stopped", "متوقف شد";
    ImStUndone => "Undone", "برگردانده شد";
    DuTitle => "Duplicates", "تکراری‌ها";
    DuLink => "Find duplicates", "یافتن تکراری‌ها";
    DuBack => "← Imports", "→ ورود از فایل";
    DuHint => "Contacts that look like one person: the same email, the same phone, or names that read the same within a company (Persian and Arabic spellings count as one). Pick the values to keep, then merge; every merge can be undone.", "مخاطبانی که یک نفر به نظر می‌رسند: ایمیل یکسان، تلفن یکسان، یا نام‌هایی که در یک شرکت یکسان خوانده می‌شوند (نگارش فارسی و عربی یکی شمرده می‌شود). مقدارهای ماندنی را برگزینید و ادغام کنید؛ هر ادغام برگشت‌پذیر است.";
    DuScan => "Scan for duplicates", "جست‌وجوی تکراری‌ها";
    DuScanning => "Scanning…", "در حال جست‌وجو…";
    DuScanned => "{found} pairs look alike, {new} new.", "{found} جفت شبیه‌اند، {new} جفت تازه.";
    DuOpen => "To review", "برای بررسی";
    DuDismissed => "Not duplicates", "تکراری نیستند";
    DuMerged => "Merged", "ادغام‌شده";
    DuNoneOpen => "No duplicates to review. Scan to look for them.", "تکراری‌ای برای بررسی نیست. برای یافتن، جست‌وجو کنید.";
    DuNone => "Nothing here.", "چیزی اینجا نیست.";
    DuEmail => "Same email", "ایمیل یکسان";
    DuPhone => "Same phone", "تلفن یکسان";
    DuName => "Same name", "نام یکسان";
    DuKeeps => "Stays", "می‌ماند";
    DuGoes => "Merged into it", "در آن ادغام می‌شود";
    DuSwap => "Keep the other one", "دیگری بماند";
    DuMerge => "Merge", "ادغام";
    DuNotSame => "Not the same person", "یک نفر نیستند";
    DuReopen => "Review again", "بررسی دوباره";
    DuUndo => "Undo merge", "برگرداندن ادغام";
    DuForce => "This contact changed since the merge. Undo anyway and give it back its values from before the merge?", "این مخاطب پس از ادغام تغییر کرده است. باز هم برگردانده شود و مقدارهای پیش از ادغام را بازگیرد؟";
    DuMergedSays => "Merged: {n} linked records moved.", "ادغام شد: {n} رکورد پیوسته منتقل شد.";
    DuUndoneSays => "The merge was undone; both contacts are back.", "ادغام برگردانده شد؛ هر دو مخاطب بازگشتند.";
    DuSelect => "Select", "انتخاب";
    DuMergeSelected => "Merge {n} selected as proposed", "ادغام {n} جفت انتخاب‌شده به‌صورت پیشنهادی";
    DuBulkSays => "{merged} merged, {failed} could not be merged.", "{merged} ادغام شد، {failed} ادغام نشد.";
    DuBoth => "Both kept", "هر دو می‌مانند";
    DuMore => "Show more", "بیشتر";
    DuSearch => "Find by name, email or phone", "یافتن با نام، ایمیل یا تلفن";
    DuConfirmBulk => "Merge the selected pairs as proposed? In each, the older contact stays and keeps its values, filled from the other where empty; the values picked on the cards are not used. Each merge can be undone.", "جفت‌های انتخاب‌شده به‌صورت پیشنهادی ادغام شوند؟ در هر جفت مخاطب قدیمی‌تر می‌ماند و مقدارهایش را نگه می‌دارد و جاهای خالی از دیگری پر می‌شود؛ انتخاب‌های روی کارت‌ها به کار نمی‌رود. هر ادغام برگشت‌پذیر است.";
    DuOwner => "Owner", "مالک";
}

/// A language of the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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

pub fn text(lang: Lang, key: impl Text) -> &'static str {
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
    // The other bundle switched: follow it without drawing anything anew (a form keeps what
    // was typed in it).
    let other = window_event_listener(leptos::ev::Custom::<web_sys::Event>::new(SWITCHED), move |_| {
        if let Some(now) = storage().and_then(|s| s.get_item(STORED).ok().flatten()).and_then(|c| Lang::from_code(&c)) {
            if lang.get_untracked() != now {
                lang.set(now);
            }
        }
    });
    on_cleanup(move || other.remove());
    provide_context(lang);
}

/// The event a switch of language in one bundle sends the other.
const SWITCHED: &str = "crm:language";

/// The current language (reactive).
pub fn lang() -> RwSignal<Lang> {
    use_context::<RwSignal<Lang>>().unwrap_or_else(|| RwSignal::new(Lang::En))
}

/// Switches the language and remembers the choice, in this browser and, when signed in, on
/// the server for the person's other devices.
pub fn set(lang_signal: RwSignal<Lang>, lang: Lang) {
    adopt(lang_signal, lang.code());
    if crate::api::signed_in() {
        leptos::task::spawn_local(async move {
            let _ = crate::api::set_locale(lang.code()).await;
        });
    }
}

/// Takes the language remembered on the server (`en`, `fa`) without sending it back.
pub fn adopt(lang_signal: RwSignal<Lang>, code: &str) {
    let Some(lang) = Lang::from_code(code) else { return };
    if let Some(s) = storage() {
        let _ = s.set_item(STORED, lang.code());
    }
    if lang_signal.get_untracked() != lang {
        lang_signal.set(lang);
        if let Some(ev) = web_sys::window().and_then(|w| web_sys::Event::new(SWITCHED).ok().map(|e| (w, e))) {
            let _ = ev.0.dispatch_event(&ev.1);
        }
    }
}

/// The text of `key` in the current language, reactively.
pub fn tr<K: Text>(key: K) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let l = lang();
    move || text(l.get(), key)
}

/// A text with `{n}` replaced by a number written for the language.
pub fn count(lang: Lang, key: impl Text, n: i64) -> String {
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
pub fn local_offset_minutes() -> i64 {
    #[cfg(target_arch = "wasm32")]
    {
        -(js_sys::Date::new_0().get_timezone_offset() as i64)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0
    }
}

const MONTHS_EN: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// A date as `YYYY-MM-DD` (chrono's strftime machinery is left out of the bundle).
pub fn ymd(d: chrono::NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

/// Reads `YYYY-MM-DD`.
pub fn parse_ymd(s: &str) -> Option<chrono::NaiveDate> {
    let mut parts = s.trim().splitn(3, '-');
    let (y, m, d) = (parts.next()?.parse().ok()?, parts.next()?.parse().ok()?, parts.next()?.parse().ok()?);
    chrono::NaiveDate::from_ymd_opt(y, m, d)
}

/// A date and time in local time: `22 Nov 2026, 14:05`, or `۱ آذر ۱۴۰۵، ۱۴:۰۵` (Solar Hijri).
pub fn date_time(lang: Lang, t: &DateTime<Utc>) -> String {
    let local = t.naive_utc() + chrono::Duration::minutes(local_offset_minutes());
    let time = format!("{:02}:{:02}", local.hour(), local.minute());
    match lang {
        Lang::En => format!("{} {} {}, {time}", local.day(), MONTHS_EN[local.month0() as usize], local.year()),
        Lang::Fa => match Jalali::from_gregorian(local.date()) {
            Some(j) => digits(lang, &format!("{} {} {}، {time}", j.day, MONTHS_FA[(j.month - 1) as usize], j.year)),
            None => digits(lang, &format!("{} {time}", local.date())),
        },
    }
}

/// A phone number for reading, grouped (always left to right).
pub fn phone(lang: Lang, e164: &str) -> String {
    let d = e164.trim_start_matches('+');
    let grouped = if d.starts_with("98") && d.len() == 12 && d[2..].starts_with('9') {
        format!("+98 {} {} {}", &d[2..5], &d[5..8], &d[8..])
    } else if d.starts_with("98") && d.len() == 12 {
        // Iranian landlines: a two-digit area code, then eight digits in fours.
        format!("+98 {} {} {}", &d[2..4], &d[4..8], &d[8..])
    } else if d.starts_with('1') && d.len() == 11 {
        format!("+1 {} {} {}", &d[1..4], &d[4..7], &d[7..])
    } else {
        e164.to_owned()
    };
    digits(lang, &grouped)
}

/// An amount held in ten-thousandths (`amount_e4`) written for reading: `USD 1,250.50`,
/// `IRR 12,500,000`; in Persian, rials are shown as tomans (a tenth) with Persian digits and
/// separators: `۱٬۲۵۰٬۰۰۰ تومان`.
pub fn money(lang: Lang, amount_e4: i64, currency: &str) -> String {
    let decimals = crm_domain::Currency::parse("currency", currency).map(|c| c.decimals()).unwrap_or(2);
    let (value, decimals, unit) = if lang == Lang::Fa && currency == "IRR" {
        (amount_e4 / 10, 0, text(lang, T::Toman).to_owned())
    } else {
        (amount_e4, decimals, currency.to_owned())
    };
    let whole = value / 10_000;
    let mut out = number(lang, whole);
    if decimals > 0 {
        let frac = (value % 10_000).unsigned_abs() / 10u64.pow(4 - decimals.min(4));
        let sep = if lang == Lang::Fa { '٫' } else { '.' };
        out.push(sep);
        out.push_str(&digits(lang, &format!("{frac:0width$}", width = decimals as usize)));
    }
    match lang {
        Lang::En => format!("{unit} {out}"),
        Lang::Fa => format!("{out} {unit}"),
    }
}

/// [`money`] for a decimal string as the API returns it.
pub fn money_str(lang: Lang, amount: &str, currency: &str) -> String {
    match crm_domain::Currency::parse("currency", currency).and_then(|c| crm_domain::Money::parse("amount", amount, c)) {
        Ok(m) => money(lang, m.amount_e4(), currency),
        Err(_) => format!("{currency} {amount}"),
    }
}

/// A calendar date (`YYYY-MM-DD`): `20 Dec 2026`, or `۲۹ آذر ۱۴۰۵`.
pub fn date(lang: Lang, ymd: &str) -> String {
    let Some(d) = parse_ymd(ymd) else { return ymd.to_owned() };
    match lang {
        Lang::En => format!("{} {} {}", d.day(), MONTHS_EN[d.month0() as usize], d.year()),
        Lang::Fa => match Jalali::from_gregorian(d) {
            Some(j) => digits(lang, &format!("{} {} {}", j.day, MONTHS_FA[(j.month - 1) as usize], j.year)),
            None => digits(lang, ymd),
        },
    }
}

pub fn activity_kind(k: ActivityKind) -> T {
    match k {
        ActivityKind::Call => T::ActCall,
        ActivityKind::Email => T::ActEmail,
        ActivityKind::Meeting => T::ActMeeting,
        ActivityKind::Sms => T::ActSms,
        ActivityKind::Chat => T::ActChat,
        ActivityKind::WebVisit => T::ActWebVisit,
        ActivityKind::Letter => T::ActLetter,
        ActivityKind::StoreVisit => T::ActStoreVisit,
        ActivityKind::FieldVisit => T::ActFieldVisit,
        ActivityKind::Note => T::ActNote,
    }
}

/// The catalogue entry of a wire value (`in_progress`, `field_sales`, …), when there is one.
pub fn word_key(wire: &str) -> Option<T> {
    Some(match wire {
        "new" => T::WNew,
        "open" => T::WOpen,
        "pending" => T::WPending,
        "resolved" => T::WResolved,
        "closed" => T::WClosed,
        "in_progress" => T::WInProgress,
        "done" => T::WDone,
        "cancelled" => T::WCancelled,
        "placed" => T::WPlaced,
        "paid" => T::WPaid,
        "fulfilled" => T::WFulfilled,
        "refunded" => T::WRefunded,
        "online" => T::WOnline,
        "store" => T::WStore,
        "phone" => T::WPhone,
        "field_sales" => T::WFieldSales,
        "marketplace" => T::WMarketplace,
        "other" => T::WOther,
        "web" => T::WWeb,
        "social" => T::WSocial,
        "in_person" => T::WInPerson,
        "api" => T::WApi,
        "inbound" => T::WInbound,
        "ringing" => T::WRinging,
        "answered" => T::WAnswered,
        "ended" => T::WEnded,
        "outbound" => T::WOutbound,
        "won" => T::WWon,
        "lost" => T::WLost,
        "true" => T::WTrue,
        "false" => T::WFalse,
        "low" => T::PriorityLow,
        "normal" => T::PriorityNormal,
        "high" => T::PriorityHigh,
        "urgent" => T::PriorityUrgent,
        "prospect" => T::StageProspect,
        "customer" => T::StageCustomer,
        "churned" => T::StageChurned,
        "contact" => T::KindContact,
        "company" => T::KindCompany,
        "deal" => T::KindDeal,
        "lead" => T::StageLead,
        "case" => T::KindCase,
        "email" => T::ActEmail,
        "chat" => T::ActChat,
        "working" => T::LeadWorking,
        "qualified" => T::LeadQualified,
        "disqualified" => T::LeadDisqualified,
        "unknown" => T::ConsentUnknown,
        "opted_in" => T::ConsentOptedIn,
        "opted_out" => T::ConsentOptedOut,
        "work" => T::LabelWork,
        "personal" => T::LabelPersonal,
        "mobile" => T::LabelMobile,
        "home" => T::LabelHome,
        "fax" => T::LabelFax,
        "admin" => T::RoleAdmin,
        "manager" => T::RoleManager,
        "sales_rep" => T::RoleSalesRep,
        "marketing" => T::RoleMarketing,
        "service_agent" => T::RoleServiceAgent,
        "analyst" => T::RoleAnalyst,
        "integration" => T::RoleIntegration,
        other => return ActivityKind::parse(other).map(activity_kind).or_else(|| Source::parse(other).map(source)),
    })
}

/// A wire value in words: from the catalogue, else with its underscores as spaces.
pub fn word(lang: Lang, wire: &str) -> String {
    match word_key(wire) {
        Some(k) => text(lang, k).to_owned(),
        None => wire.replace('_', " "),
    }
}

pub fn stage(s: LifecycleStage) -> T {
    match s {
        LifecycleStage::Lead => T::StageLead,
        LifecycleStage::Prospect => T::StageProspect,
        LifecycleStage::Customer => T::StageCustomer,
        LifecycleStage::Churned => T::StageChurned,
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
        fn check<K: Text + std::fmt::Debug>(all: &[K]) {
            for &k in all {
                assert!(!k.en().trim().is_empty() && !k.fa().trim().is_empty(), "{k:?} is empty");
                assert_eq!(k.en().matches("{n}").count(), k.fa().matches("{n}").count(), "{k:?} placeholders differ");
            }
        }
        check(T::ALL);
        check(A::ALL);
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
        assert_eq!(phone(Lang::En, "+982188880000"), "+98 21 8888 0000");
        assert_eq!(date(Lang::En, "2026-12-20"), "20 Dec 2026");
        assert_eq!(date(Lang::Fa, "2026-12-20"), "۲۹ آذر ۱۴۰۵");
    }

    #[test]
    fn amounts_in_both_languages_and_rials_as_tomans() {
        assert_eq!(money(Lang::En, 12_505_000, "USD"), "USD 1,250.50");
        assert_eq!(money(Lang::En, 125_000_000_000, "IRR"), "IRR 12,500,000");
        assert_eq!(money(Lang::Fa, 125_000_000_000, "IRR"), "۱٬۲۵۰٬۰۰۰ تومان");
        assert_eq!(money(Lang::Fa, 12_505_000, "USD"), "۱٬۲۵۰٫۵۰ USD");
        assert_eq!(money_str(Lang::En, "99.5", "EUR"), "EUR 99.50");
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
