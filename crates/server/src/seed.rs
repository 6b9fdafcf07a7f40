//! Realistic demo data: users and teams, companies and contacts with English and Persian
//! names, phones in every common spelling, spread over two years.

use crate::config::Secret;
use anyhow::Context;
use crm_app::records::{create_with, Kind};
use crm_app::{AppResult, Caller, UnitOfWork};
use crm_domain::records::settle_primary;
use crm_domain::{
    CompanyDraft, Consent, ContactDraft, Currency, Email, EmailLabel, EmailPoint, LifecycleStage, Money, Phone, PhoneLabel, PhonePoint,
    Region, Role, Source, Tag,
};
use crm_store::record::Actor;
use crm_store::{identity, DbConnection};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// How much to create.
#[derive(Debug, Clone, Copy)]
pub struct SeedSize {
    pub companies: usize,
    pub contacts: usize,
    pub ops: crate::seed_ops::OpsSize,
}

impl Default for SeedSize {
    fn default() -> Self {
        Self { companies: 3000, contacts: 10_000, ops: crate::seed_ops::OpsSize::default() }
    }
}

const PERSIAN_FIRST: &[(&str, &str)] = &[
    ("علی", "ali"),
    ("مریم", "maryam"),
    ("رضا", "reza"),
    ("زهرا", "zahra"),
    ("محمد", "mohammad"),
    ("فاطمه", "fatemeh"),
    ("حسین", "hossein"),
    ("سارا", "sara"),
    ("امیر", "amir"),
    ("نگار", "negar"),
    ("مهدی", "mahdi"),
    ("لیلا", "leila"),
    ("کاوه", "kaveh"),
    ("شیرین", "shirin"),
    ("بابک", "babak"),
    ("نسرین", "nasrin"),
    ("پویا", "pouya"),
    ("الهام", "elham"),
    ("آرش", "arash"),
    ("مینا", "mina"),
    ("سعید", "saeed"),
    ("پریسا", "parisa"),
    ("امید", "omid"),
    ("نازنین", "nazanin"),
];
const PERSIAN_LAST: &[(&str, &str)] = &[
    ("احمدی", "ahmadi"),
    ("محمدی", "mohammadi"),
    ("حسینی", "hosseini"),
    ("رضایی", "rezaei"),
    ("کریمی", "karimi"),
    ("موسوی", "mousavi"),
    ("جعفری", "jafari"),
    ("رحیمی", "rahimi"),
    ("صادقی", "sadeghi"),
    ("کاظمی", "kazemi"),
    ("نوری", "nouri"),
    ("تهرانی", "tehrani"),
    ("شریفی", "sharifi"),
    ("قاسمی", "ghasemi"),
    ("فراهانی", "farahani"),
    ("امینی", "amini"),
    ("یزدانی", "yazdani"),
    ("اکبری", "akbari"),
];
const ENGLISH_FIRST: &[&str] = &[
    "James",
    "Emily",
    "Oliver",
    "Sophia",
    "William",
    "Charlotte",
    "Henry",
    "Amelia",
    "Lucas",
    "Grace",
    "Daniel",
    "Chloe",
    "Thomas",
    "Isla",
    "Noah",
    "Hannah",
    "Jack",
    "Ella",
    "Leo",
    "Ava",
];
const ENGLISH_LAST: &[&str] = &[
    "Smith", "Johnson", "Brown", "Taylor", "Wilson", "Clark", "Walker", "Hughes", "Müller", "Schmidt", "Dubois", "Rossi", "Evans",
    "Turner", "Parker", "Collins", "Murphy", "Bennett",
];
const PERSIAN_CO: &[(&str, &str)] = &[
    ("پارس", "pars"),
    ("آریا", "arya"),
    ("سپهر", "sepehr"),
    ("نوین", "novin"),
    ("البرز", "alborz"),
    ("کیان", "kian"),
    ("دماوند", "damavand"),
    ("زاگرس", "zagros"),
    ("مهر", "mehr"),
    ("آفتاب", "aftab"),
    ("پیشرو", "pishro"),
    ("رایان", "rayan"),
];
const PERSIAN_CO_KIND: &[(&str, &str)] = &[
    ("تجارت", "tejarat"),
    ("صنعت", "sanat"),
    ("داده", "dadeh"),
    ("پخش", "pakhsh"),
    ("سازه", "sazeh"),
    ("فناوری", "fanavari"),
    ("بازرگانی", "bazargani"),
    ("الکترونیک", "electronic"),
    ("گستر", "gostar"),
];
const ENGLISH_CO: &[&str] =
    &["Acme", "Northwind", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Wonka", "Tyrell", "Aperture", "Oceanic", "Monarch"];
const ENGLISH_CO_KIND: &[&str] = &["Trading", "Logistics", "Systems", "Foods", "Labs", "Partners", "Retail", "Energy", "Media", "Health"];
const IR_CITIES: &[&str] = &["Tehran", "Isfahan", "Shiraz", "Mashhad", "Tabriz", "Karaj", "Qom", "Ahvaz"];
const INTL: &[(&str, &str, &str)] = &[
    ("London", "United Kingdom", "+44 20 7946 "),
    ("Berlin", "Germany", "+49 30 901820"),
    ("Dubai", "United Arab Emirates", "+971 4 555 "),
    ("New York", "United States", "+1 212 555 "),
];
const INDUSTRIES: &[&str] = &[
    "Retail",
    "Manufacturing",
    "Software",
    "Logistics",
    "Food & Beverage",
    "Construction",
    "Healthcare",
    "Finance",
    "Energy",
    "Education",
];
const TITLES: &[&str] = &[
    "CEO",
    "Sales Manager",
    "Purchasing Manager",
    "CTO",
    "Marketing Lead",
    "Account Manager",
    "Operations Director",
    "Engineer",
    "Office Manager",
    "مدیر فروش",
    "مدیر عامل",
    "کارشناس خرید",
];
const TAGS: &[&str] = &["vip", "newsletter", "partner", "event-2026", "wholesale", "مشتری ویژه", "follow-up"];

struct DemoUser {
    name: &'static str,
    email: &'static str,
    role: Role,
}

const USERS: &[DemoUser] = &[
    DemoUser { name: "Mina Rahimi", email: "mina.rahimi@demo.example", role: Role::Manager },
    DemoUser { name: "Reza Ahmadi", email: "reza.ahmadi@demo.example", role: Role::SalesRep },
    DemoUser { name: "Emily Clark", email: "emily.clark@demo.example", role: Role::SalesRep },
    DemoUser { name: "Sara Hosseini", email: "sara.hosseini@demo.example", role: Role::SalesRep },
    DemoUser { name: "Daniel Brooks", email: "daniel.brooks@demo.example", role: Role::Marketing },
    DemoUser { name: "Neda Karimi", email: "neda.karimi@demo.example", role: Role::ServiceAgent },
    DemoUser { name: "Omid Jafari", email: "omid.jafari@demo.example", role: Role::Analyst },
];

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
}

fn random_tag(rng: &mut StdRng) -> anyhow::Result<Tag> {
    let t: &&str = pick(rng, TAGS);
    Tag::parse("tag", t).map_err(|e| anyhow::anyhow!(e.message))
}

/// A random Iranian mobile number written the way people write them.
fn iran_mobile(rng: &mut StdRng) -> String {
    let n = format!("9{}{:08}", rng.gen_range(0..4), rng.gen_range(0..100_000_000u32));
    match rng.gen_range(0..5) {
        0 => format!("0{n}"),
        1 => format!("+98 {} {} {}", &n[0..3], &n[3..6], &n[6..]),
        2 => format!("0098{n}"),
        3 => format!("0{}-{}-{}", &n[0..3], &n[3..6], &n[6..]),
        _ => format!("+98{n}"),
    }
}

/// Creates demo users, teams, companies and contacts in workspace `ws`.
pub fn seed(conn: &mut DbConnection, ws: &str, password: &Secret, size: SeedSize) -> anyhow::Result<()> {
    fill(conn, ws, password, size)?;
    // From now on, leads from web forms and integrations go round the Tehran sales team, and
    // cases to the least busy service agent.
    if crm_store::assignment::rules(conn, ws)?.is_empty() {
        let teams = identity::list_teams(conn, ws)?;
        let team = |name: &str| teams.iter().find(|(_, n, _)| n == name).map(|(id, ..)| id.clone());
        let rule = |entity: &str, team_id: String, method: &str| crm_store::assignment::Rule {
            entity: entity.into(),
            team_id,
            method: method.into(),
            conditions: "[]".into(),
        };
        let mut rules = Vec::new();
        if let Some(t) = team("Sales Tehran") {
            rules.push(rule("lead", t, "round_robin"));
        }
        if let Some(t) = team("Customer Service") {
            rules.push(rule("case", t, "load"));
        }
        crm_store::write_tx(conn, |c| crm_store::assignment::set_rules(c, ws, &rules))?;
    }
    // The analytics pages open on figures: prices of service, every customer's metrics and RFM scores, a
    // lifetime-value fit on all but the last 26 weeks (checked against them), and a propensity
    // model with every contact's score.
    crm_store::write_tx(conn, |c| {
        // Prices of service, so that customers' net contribution reads: 250,000 tomans a case,
        // 400,000 an hour of calls, meetings and visits (in rials, the demo's base currency).
        crm_store::metrics::save_service_rates(c, ws, Some(2_500_000 * 10_000), Some(4_000_000 * 10_000))?;
        let customers = crm_app::metrics::recompute_in(c, ws, crm_store::time::now_micros())?;
        if let Err(e) = crm_app::analytics::fit_in(c, ws, 26) {
            tracing::warn!(error = %e, customers, "the demo's lifetime-value fit failed");
        }
        match crm_app::propensity::train_in(c, ws, crm_store::time::now_micros()) {
            Ok(r) if r.refused.is_some() => tracing::warn!(refused = ?r.refused, "the demo's propensity model did not validate"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "the demo's propensity model could not be trained"),
        }
        Ok::<_, crm_app::AppError>(())
    })?;
    // Demo people start with an empty inbox, not one notification per record they were given.
    {
        use crm_store::schema::notifications;
        use diesel::prelude::*;
        diesel::delete(notifications::table.filter(notifications::workspace_id.eq(ws))).execute(conn)?;
    }
    // Fresh statistics, so the planners pick the right indexes for the new data.
    crm_store::db::analyze(conn, true)?;
    Ok(())
}

/// Writes demo history as the workspace's own system would have at `at`: through the use
/// cases the API runs, in one unit of work dated then (its audit entries and timeline items
/// too), inside the seed's transaction.
pub(crate) fn as_of<T>(
    c: &mut DbConnection,
    caller: &Caller,
    at: i64,
    write: impl FnOnce(&mut DbConnection, &mut UnitOfWork) -> AppResult<T>,
) -> AppResult<T> {
    let mut uow = UnitOfWork::at(caller, at);
    let out = write(c, &mut uow)?;
    uow.commit(c)?;
    Ok(out)
}

/// Creates one demo record of kind `K` at `at` (see [`as_of`]).
pub(crate) fn create_at<K: Kind>(c: &mut DbConnection, caller: &Caller, at: i64, draft: K::Draft) -> AppResult<K::Read> {
    as_of(c, caller, at, |c, uow| create_with::<K>(c, caller, uow, draft))
}

fn fill(conn: &mut DbConnection, ws: &str, password: &Secret, size: SeedSize) -> anyhow::Result<()> {
    let mut rng = StdRng::seed_from_u64(20261122);
    let hash = crm_http::auth::password::hash(password.expose()).map_err(|e| anyhow::anyhow!("hashing: {e}"))?;
    let region = Region::IR;
    let irr = Currency::parse("c", "IRR").map_err(|e| anyhow::anyhow!(e.message))?;
    let usd = Currency::parse("c", "USD").map_err(|e| anyhow::anyhow!(e.message))?;
    let now = crm_store::time::now_micros();
    let two_years = 730 * 24 * 3600 * 1_000_000i64;
    let caller = Caller::system(ws.to_owned(), Actor::system());
    crm_store::write_tx(conn, |c| -> anyhow::Result<()> {
        let mut owners = Vec::new();
        for u in USERS {
            let user = match identity::find_user_by_email(c, u.email)? {
                Some(existing) => existing,
                None => identity::create_user(
                    c,
                    u.email,
                    u.name,
                    &hash,
                    if u.name.contains("Clark") || u.name.contains("Brooks") { "en" } else { "fa" },
                )?,
            };
            if identity::role_in(c, ws, &user.id)?.is_none() {
                identity::add_member(c, ws, &user.id, u.role)?;
            }
            if matches!(u.role, Role::SalesRep | Role::Manager) {
                owners.push(user.id.clone());
            }
        }
        let ids: Vec<String> = USERS.iter().filter_map(|u| identity::find_user_by_email(c, u.email).ok().flatten().map(|x| x.id)).collect();
        if identity::list_teams(c, ws)?.is_empty() && ids.len() == USERS.len() {
            identity::create_team(c, ws, "Sales Tehran", &[ids[1].clone(), ids[3].clone()])?;
            identity::create_team(c, ws, "Sales International", &[ids[2].clone()])?;
            identity::create_team(c, ws, "Customer Service", &[ids[5].clone()])?;
        }
        crate::seed_custom::define(c, ws, now)?;
        let contact_fields = crate::seed_custom::fields(c, ws, crm_domain::access::Entity::Contact)?;
        let company_fields = crate::seed_custom::fields(c, ws, crm_domain::access::Entity::Company)?;
        // Custom values draw from their own sequence, so the rest of the demo data stays as it was.
        let mut custom_rng = StdRng::seed_from_u64(28);
        let today = now / (24 * 3600 * 1_000_000);

        let mut company_refs: Vec<(String, String, bool)> = Vec::with_capacity(size.companies);
        let mut company_names: Vec<(String, String, bool)> = Vec::with_capacity(size.companies);
        let mut contact_refs: Vec<(String, Option<usize>)> = Vec::with_capacity(size.contacts);
        for i in 0..size.companies {
            let persian = rng.gen_bool(0.6);
            let (name, slug, city, country, phone) = if persian {
                let (a, al) = pick(&mut rng, PERSIAN_CO);
                let (b, bl) = pick(&mut rng, PERSIAN_CO_KIND);
                let city = *pick(&mut rng, IR_CITIES);
                let phone = format!(
                    "0{} {:04} {:04}",
                    pick(&mut rng, &["21", "31", "71", "51", "41"]),
                    rng.gen_range(1000..9999),
                    rng.gen_range(0..9999)
                );
                (format!("{a} {b} {}", i % 97 + 1), format!("{al}{bl}{i}.ir"), city.to_owned(), "Iran".to_owned(), phone)
            } else {
                let a = pick(&mut rng, ENGLISH_CO);
                let b = pick(&mut rng, ENGLISH_CO_KIND);
                let (city, country, prefix) = pick(&mut rng, INTL);
                let phone = format!("{prefix}{:04}", rng.gen_range(0..9999));
                (
                    format!("{a} {b} {}", i % 97 + 1),
                    format!("{}-{}-{i}.com", a.to_lowercase(), b.to_lowercase()),
                    (*city).to_owned(),
                    (*country).to_owned(),
                    phone,
                )
            };
            let phones = Phone::parse("phone", &phone, region)
                .map(|p| vec![PhonePoint { phone: p, label: PhoneLabel::Work, primary: true }])
                .unwrap_or_default();
            let emails = Email::parse("email", &format!("info@{slug}"))
                .map(|e| vec![EmailPoint { email: e, label: EmailLabel::Work, primary: true }])
                .unwrap_or_default();
            let revenue = if persian {
                Money::parse("a", &format!("{}", rng.gen_range(1..5000u64) * 1_000_000_000), irr).ok()
            } else {
                Money::parse("a", &format!("{}", rng.gen_range(50..50_000u64) * 1000), usd).ok()
            };
            let draft = CompanyDraft {
                custom: crate::seed_custom::stored(&company_fields, crate::seed_custom::company(&mut custom_rng, persian)),
                name,
                domain: Some(slug.clone()),
                industry: Some((*pick(&mut rng, INDUSTRIES)).to_owned()),
                city: Some(city),
                country: Some(country),
                emails,
                phones,
                annual_revenue: revenue,
                employee_count: Some(rng.gen_range(2..5000)),
                owner_id: Some(pick(&mut rng, &owners).clone()),
                tags: if rng.gen_bool(0.2) { vec![random_tag(&mut rng)?] } else { Vec::new() },
            };
            let at = now - rng.gen_range(0..two_years);
            let (row, _) = create_at::<crm_app::companies::Companies>(c, &caller, at, draft)?;
            company_names.push((row.id.clone(), row.name.clone(), persian));
            company_refs.push((row.id, slug, persian));
        }

        for _ in 0..size.contacts {
            let company_index =
                if company_refs.is_empty() || rng.gen_bool(0.1) { None } else { Some(rng.gen_range(0..company_refs.len())) };
            let company = company_index.map(|i| company_refs[i].clone());
            let persian = company.as_ref().map(|c| c.2).unwrap_or_else(|| rng.gen_bool(0.6));
            let (first, last, first_l, last_l) = if persian {
                let (f, fl) = pick(&mut rng, PERSIAN_FIRST);
                let (l, ll) = pick(&mut rng, PERSIAN_LAST);
                ((*f).to_owned(), (*l).to_owned(), (*fl).to_owned(), (*ll).to_owned())
            } else {
                let f = *pick(&mut rng, ENGLISH_FIRST);
                let l = *pick(&mut rng, ENGLISH_LAST);
                (f.to_owned(), l.to_owned(), f.to_lowercase(), l.to_lowercase().replace('ü', "ue"))
            };
            let n: u32 = rng.gen_range(1..999);
            let domain = company
                .as_ref()
                .map(|c| c.1.clone())
                .unwrap_or_else(|| (*pick(&mut rng, &["gmail.com", "yahoo.com", "outlook.com"])).to_owned());
            let mut emails = vec![];
            if rng.gen_bool(0.92) {
                if let Ok(e) = Email::parse("e", &format!("{first_l}.{last_l}{n}@{domain}")) {
                    emails.push(EmailPoint {
                        email: e,
                        label: if company.is_some() { EmailLabel::Work } else { EmailLabel::Personal },
                        primary: true,
                    });
                }
            }
            if rng.gen_bool(0.2) {
                if let Ok(e) = Email::parse("e", &format!("{first_l}{n}@gmail.com")) {
                    emails.push(EmailPoint { email: e, label: EmailLabel::Personal, primary: false });
                }
            }
            let mut phones = vec![];
            let raw = if persian || rng.gen_bool(0.3) {
                iran_mobile(&mut rng)
            } else {
                format!("{}{:04}", pick(&mut rng, INTL).2, rng.gen_range(0..9999))
            };
            if let Ok(p) = Phone::parse("p", &raw, region) {
                phones.push(PhonePoint { phone: p, label: PhoneLabel::Mobile, primary: true });
            }
            if rng.gen_bool(0.15) {
                if let Ok(p) = Phone::parse("p", &format!("021{:08}", rng.gen_range(10_000_000..99_999_999u32)), region) {
                    if !phones.iter().any(|x| x.phone == p) {
                        phones.push(PhonePoint { phone: p, label: PhoneLabel::Work, primary: false });
                    }
                }
            }
            settle_primary(&mut phones, |p| p.primary, |p, v| p.primary = v);
            let stage = match rng.gen_range(0..100) {
                0..=29 => LifecycleStage::Lead,
                30..=54 => LifecycleStage::Prospect,
                55..=91 => LifecycleStage::Customer,
                _ => LifecycleStage::Churned,
            };
            let mut tags = Vec::new();
            if rng.gen_bool(0.25) {
                tags.push(random_tag(&mut rng)?);
            }
            let draft = ContactDraft {
                custom: crate::seed_custom::stored(
                    &contact_fields,
                    crate::seed_custom::contact(&mut custom_rng, stage == LifecycleStage::Customer, today),
                ),
                first_name: first,
                last_name: Some(last),
                title: rng.gen_bool(0.7).then(|| (*pick(&mut rng, TITLES)).to_owned()),
                company_id: company.map(|c| c.0),
                emails,
                phones,
                lifecycle_stage: stage,
                source: Some(*pick(&mut rng, Source::ALL)),
                consent: *pick(&mut rng, Consent::ALL),
                owner_id: Some(pick(&mut rng, &owners).clone()),
                tags,
            };
            let at = now - rng.gen_range(0..two_years);
            let (row, _) = create_at::<crm_app::contacts::Contacts>(c, &caller, at, draft).context("creating a demo contact")?;
            contact_refs.push((row.id, company_index));
        }
        let agents: Vec<String> = USERS
            .iter()
            .filter(|u| u.role == Role::ServiceAgent)
            .filter_map(|u| identity::find_user_by_email(c, u.email).ok().flatten().map(|x| x.id))
            .collect();
        let refs = crate::seed_ops::Refs {
            ws,
            caller: &caller,
            now,
            owners: &owners,
            agents: &agents,
            companies: &company_names,
            contacts: &contact_refs,
        };
        crate::seed_ops::fill(c, &mut rng, &refs, size.ops).context("creating demo deals, leads, activities, tasks and cases")?;
        Ok(())
    })
}

/// Adds `n` plain contacts fast (batched inserts, no audit trail), each with a unique mobile
/// number and email, for benchmarks at scale (a million contacts in about a minute).
pub fn bulk_contacts(conn: &mut DbConnection, ws: &str, n: usize) -> anyhow::Result<()> {
    let mut rng = StdRng::seed_from_u64(7);
    let owners: Vec<String> = identity::list_members(conn, ws)?.into_iter().map(|(u, _, _)| u.id).collect();
    let now = crm_store::time::now_micros();
    let start = crm_store::time::now_micros();
    // Numbers continue after the contacts already there, so repeated runs stay unique.
    let offset = {
        use crm_store::schema::contacts;
        use diesel::prelude::*;
        contacts::table.filter(contacts::workspace_id.eq(ws)).count().get_result::<i64>(conn)? as usize
    };
    // The demo contact fields get values too: a tier for most, a renewal date for many.
    let fields = crate::seed_custom::fields(conn, ws, crm_domain::access::Entity::Contact)?;
    let mut custom_rng = StdRng::seed_from_u64(28);
    let today = now / (24 * 3600 * 1_000_000);
    for batch in 0..n.div_ceil(5000) {
        let mut rows = Vec::with_capacity(5000);
        let mut points = Vec::with_capacity(10_000);
        for i in offset + batch * 5000..offset + ((batch + 1) * 5000).min(n) {
            let (first, first_l) = pick(&mut rng, PERSIAN_FIRST);
            let (last, last_l) = pick(&mut rng, PERSIAN_LAST);
            let phone = format!("+98935{:07}", i);
            let email = format!("{first_l}.{last_l}.{i}@bulk.example");
            let display = format!("{first} {last}");
            let search_text = format!("{} {email} {} ", display.to_lowercase(), &phone[1..]);
            let custom = crate::seed_custom::stored(&fields, crate::seed_custom::contact(&mut custom_rng, true, today)).unwrap_or_default();
            rows.push(crm_store::contacts::ContactRow {
                custom: serde_json::to_string(&custom)?,
                id: crm_store::new_id(),
                workspace_id: ws.to_owned(),
                first_name: (*first).to_owned(),
                last_name: Some((*last).to_owned()),
                sort_name: format!("{} {}", last, first).to_lowercase(),
                display_name: display,
                title: None,
                company_id: None,
                emails: serde_json::json!([{"address": email, "label": "work", "primary": true}]).to_string(),
                phones: serde_json::json!([{"number": phone, "label": "mobile", "primary": true}]).to_string(),
                lifecycle_stage: pick(&mut rng, LifecycleStage::ALL).as_str().to_owned(),
                source: Some(Source::Import.as_str().to_owned()),
                consent: Consent::Unknown.as_str().to_owned(),
                owner_id: owners.get(i % owners.len().max(1)).cloned(),
                tags: "[]".into(),
                search_text,
                version: 1,
                created_at: now - rng.gen_range(0..730 * 24 * 3600 * 1_000_000i64),
                updated_at: now,
                deleted_at: None,
            });
            points.push((email, phone));
        }
        crm_store::write_tx(conn, |c| -> anyhow::Result<()> {
            crm_store::contacts::insert_raw(c, &rows)?;
            let items: Vec<(&str, String, &str)> = rows
                .iter()
                .zip(&points)
                .flat_map(|(r, (e, p))| [("email", e.clone(), r.id.as_str()), ("phone", p.clone(), r.id.as_str())])
                .collect();
            crm_store::points::insert_batch(c, ws, crm_store::contacts::ENTITY, &items)?;
            let words: Vec<(&str, Vec<&str>)> =
                rows.iter().zip(&points).map(|(r, (e, _))| (r.id.as_str(), vec![r.display_name.as_str(), e.as_str()])).collect();
            crm_store::terms::insert_batch(c, ws, crm_store::contacts::ENTITY, &words)?;
            Ok(())
        })?;
        if batch % 20 == 19 {
            tracing::info!(done = (batch + 1) * 5000, secs = (crm_store::time::now_micros() - start) / 1_000_000, "bulk contacts");
        }
    }
    // Written without the application: their facts (which segments count on) in one go.
    crm_store::write_tx(conn, |c| crm_store::facts::rebuild(c, ws))?;
    crm_store::db::analyze(conn, true)?;
    Ok(())
}

/// Logs `n` activities on every channel over two years on one contact (the oldest), whose id
/// it returns: a long customer story for timeline benchmarks.
pub fn long_timeline(conn: &mut DbConnection, ws: &str, n: usize) -> anyhow::Result<String> {
    use crm_domain::operations::{ActivityDraft, ActivityKind, Direction};
    use crm_store::schema::contacts;
    use diesel::prelude::*;
    let contact: String = contacts::table
        .filter(contacts::workspace_id.eq(ws))
        .filter(contacts::deleted_at.is_null())
        .order(contacts::id.asc())
        .select(contacts::id)
        .first(conn)?;
    let owners: Vec<String> = identity::list_members(conn, ws)?.into_iter().map(|(u, _, _)| u.id).collect();
    let mut rng = StdRng::seed_from_u64(11);
    let now = crm_store::time::now_micros();
    let kinds = ActivityKind::ALL;
    let caller = Caller::system(ws.to_owned(), Actor::system());
    for batch in 0..n.div_ceil(1000) {
        crm_store::write_tx(conn, |c| -> anyhow::Result<()> {
            for i in batch * 1000..((batch + 1) * 1000).min(n) {
                let kind = kinds[i % kinds.len()];
                let d = ActivityDraft {
                    custom: None,
                    kind,
                    direction: Some(if i % 3 == 0 { Direction::Outbound } else { Direction::Inbound }),
                    subject: format!("{} #{i}", kind.as_str()),
                    body: Some("Talked about the renewal and the next order.".into()),
                    occurred_at: now - rng.gen_range(0..730 * 24 * 3600 * 1_000_000i64),
                    duration_seconds: Some(rng.gen_range(30..1800)),
                    outcome: None,
                    owner_id: owners.get(i % owners.len().max(1)).cloned(),
                    company_id: None,
                    deal_id: None,
                    case_id: None,
                    lead_id: None,
                    contact_ids: vec![contact.clone()],
                    user_ids: Vec::new(),
                };
                create_at::<crm_app::activities::Activities>(c, &caller, now, d)?;
            }
            Ok(())
        })?;
    }
    crm_store::db::analyze(conn, true)?;
    Ok(contact)
}

/// Adds `n` orders fast (batched inserts, no lines, audit trail or timeline) from the
/// workspace's contacts, who buy as the demo's customers do (see `seed_ops::purchases`): for
/// the analytics benchmarks at a million contacts. Revenue orders in the base currency, most
/// with a cost of 40–70%, one in ten without. Customers' metrics are not kept by this: recompute
/// them after.
pub fn bulk_orders(conn: &mut DbConnection, ws: &str, n: usize) -> anyhow::Result<()> {
    use crm_store::schema::contacts;
    use diesel::prelude::*;
    let mut rng = StdRng::seed_from_u64(29);
    let ids: Vec<(String, Option<String>)> = contacts::table
        .filter(contacts::workspace_id.eq(ws))
        .filter(contacts::deleted_at.is_null())
        .select((contacts::id, contacts::owner_id))
        .load(conn)?;
    let now = crm_store::time::now_micros();
    let day = 24 * 3600 * 1_000_000i64;
    let plan = crate::seed_ops::purchases(&mut rng, ids.len(), n, now - 730 * day, now - day);
    let currency = crm_store::identity::get_workspace(conn, ws)?.base_currency;
    let first = crm_store::write_tx(conn, |c| crm_store::numbers::reserve(c, ws, "order", plan.len() as i64))?;
    let started = crm_store::time::now_micros();
    for (batch, chunk) in plan.chunks(5000).enumerate() {
        let rows: Vec<crm_store::orders::OrderRow> = chunk
            .iter()
            .enumerate()
            .map(|(i, (ci, at, scale))| {
                let number = first + (batch * 5000 + i) as i64;
                let total = ((rng.gen_range(200_000..2_000_000) as f64 * scale).round() as i64) * 10_000;
                let cost = rng.gen_bool(0.9).then(|| total / 100 * rng.gen_range(40..70));
                let (contact, owner) = &ids[*ci];
                crm_store::orders::OrderRow {
                    id: crm_store::new_id(),
                    workspace_id: ws.to_owned(),
                    number,
                    external_id: None,
                    contact_id: Some(contact.clone()),
                    company_id: None,
                    deal_id: None,
                    ordered_at: *at,
                    channel: "online".into(),
                    status: if rng.gen_bool(0.92) { "fulfilled" } else { "refunded" }.into(),
                    currency: currency.clone(),
                    subtotal_e4: total,
                    shipping_e4: 0,
                    tax_e4: 0,
                    total_e4: total,
                    cost_e4: cost,
                    base_total_e4: total,
                    line_items: "[]".into(),
                    owner_id: owner.clone(),
                    notes: None,
                    sort_name: format!("{number:010}"),
                    version: 1,
                    created_at: *at,
                    updated_at: *at,
                    deleted_at: None,
                    custom: "{}".into(),
                }
            })
            .collect();
        crm_store::write_tx(conn, |c| crm_store::orders::insert_raw(c, &rows))?;
        if batch % 20 == 19 {
            tracing::info!(done = (batch + 1) * 5000, secs = (crm_store::time::now_micros() - started) / 1_000_000, "bulk orders");
        }
    }
    crm_store::db::analyze(conn, true)?;
    Ok(())
}
