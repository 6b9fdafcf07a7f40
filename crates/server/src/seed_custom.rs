//! The demo workspace's custom fields: what a distributor keeps beside the built-in fields (a
//! customer's account tier and next renewal, a company's region and credit limit, a deal's
//! competitor, a case's product serial), and their values on the demo records.

use anyhow::Context;
use crm_api_types::CustomFieldCreate;
use crm_domain::access::Entity;
use crm_domain::custom::FieldSet;
use crm_domain::Region;
use crm_store::DbConnection;
use rand::rngs::StdRng;
use rand::Rng;
use serde_json::{json, Map, Value};

/// The demo fields, as an admin would define them through `POST /api/v1/fields`.
fn definitions() -> Vec<Value> {
    let tiers = json!([
        {"key": "gold", "label_en": "Gold", "label_fa": "طلایی", "color": "#b8860b"},
        {"key": "silver", "label_en": "Silver", "label_fa": "نقره‌ای", "color": "#708090"},
        {"key": "bronze", "label_en": "Bronze", "label_fa": "برنزی", "color": "#8c5a2b"}
    ]);
    let channels = json!([
        {"key": "phone", "label_en": "Phone", "label_fa": "تلفن"},
        {"key": "email", "label_en": "Email", "label_fa": "ایمیل"},
        {"key": "whatsapp", "label_en": "WhatsApp", "label_fa": "واتس‌اپ"},
        {"key": "visit", "label_en": "Visit", "label_fa": "حضوری"}
    ]);
    let regions = json!([
        {"key": "tehran", "label_en": "Tehran", "label_fa": "تهران"},
        {"key": "isfahan", "label_en": "Isfahan", "label_fa": "اصفهان"},
        {"key": "shiraz", "label_en": "Shiraz", "label_fa": "شیراز"},
        {"key": "tabriz", "label_en": "Tabriz", "label_fa": "تبریز"},
        {"key": "mashhad", "label_en": "Mashhad", "label_fa": "مشهد"},
        {"key": "abroad", "label_en": "Abroad", "label_fa": "خارج از کشور"}
    ]);
    vec![
        json!({"entity": "contact", "key": "account_tier", "type": "choice", "label_en": "Account tier", "label_fa": "سطح حساب",
            "help_en": "Set by yearly revenue: gold above 5 billion rials", "options": tiers}),
        json!({"entity": "contact", "key": "next_renewal", "type": "date", "label_en": "Next renewal", "label_fa": "تمدید بعدی"}),
        json!({"entity": "contact", "key": "preferred_channel", "type": "choice", "label_en": "Preferred channel", "label_fa": "راه ارتباط ترجیحی", "options": channels}),
        json!({"entity": "contact", "key": "vip", "type": "yes_no", "label_en": "VIP", "label_fa": "مشتری ویژه"}),
        json!({"entity": "company", "key": "region", "type": "choice", "label_en": "Sales region", "label_fa": "منطقه فروش", "options": regions}),
        json!({"entity": "company", "key": "credit_limit", "type": "money", "label_en": "Credit limit", "label_fa": "سقف اعتبار", "currency": "IRR", "min": "0"}),
        json!({"entity": "company", "key": "tax_id", "type": "text", "label_en": "Tax id", "label_fa": "شناسه ملی", "unique": true, "pattern": "[0-9]{11}"}),
        json!({"entity": "deal", "key": "competitor", "type": "text", "label_en": "Competitor", "label_fa": "رقیب"}),
        json!({"entity": "case", "key": "product_serial", "type": "text", "label_en": "Product serial", "label_fa": "شماره سریال کالا"}),
    ]
}

/// Defines the demo fields the workspace does not have yet.
pub fn define(c: &mut DbConnection, ws: &str, now: i64) -> anyhow::Result<()> {
    for body in definitions() {
        let input: CustomFieldCreate = serde_json::from_value(body).context("a demo field")?;
        let (entity, spec) = input.validate().map_err(|e| anyhow::anyhow!("demo field {}: {e}", input.key))?;
        if fields(c, ws, entity)?.by_key(&spec.key).is_none() {
            crm_app::custom::define_in(c, ws, entity, &spec, now).map_err(|e| anyhow::anyhow!("demo field {}: {e}", spec.key))?;
        }
    }
    Ok(())
}

/// The fields of a kind, to fill demo records with (read in the seed's transaction, not cached).
pub fn fields(c: &mut DbConnection, ws: &str, entity: Entity) -> anyhow::Result<FieldSet> {
    Ok(crm_store::custom_fields::field_set(c, ws, entity.as_str())?)
}

/// Stored values of a demo record from its wire values (the fields' own validation).
pub fn stored(set: &FieldSet, wire: Value) -> Option<Map<String, Value>> {
    let input = wire.as_object()?;
    set.accept(Some(input), None, Region::IR).ok().map(|a| a.values)
}

/// A demo contact's values: most customers have a tier, many a renewal date within a year.
pub fn contact(rng: &mut StdRng, customer: bool, now_days: i64) -> Value {
    let mut v = Map::new();
    if customer || rng.gen_bool(0.2) {
        let tier = match rng.gen_range(0..10) {
            0..=1 => "gold",
            2..=5 => "silver",
            _ => "bronze",
        };
        v.insert("account_tier".into(), tier.into());
        if rng.gen_bool(0.7) {
            v.insert("next_renewal".into(), day(now_days + rng.gen_range(-30..365)).into());
        }
        if tier == "gold" && rng.gen_bool(0.5) {
            v.insert("vip".into(), true.into());
        }
    }
    if rng.gen_bool(0.5) {
        let channel = ["phone", "email", "whatsapp", "visit"][rng.gen_range(0..4)];
        v.insert("preferred_channel".into(), channel.into());
    }
    Value::Object(v)
}

/// A demo company's values: its region, and a credit limit for a third of them.
pub fn company(rng: &mut StdRng, persian: bool) -> Value {
    let mut v = Map::new();
    let region = if persian { ["tehran", "tehran", "isfahan", "shiraz", "tabriz", "mashhad"][rng.gen_range(0..6)] } else { "abroad" };
    v.insert("region".into(), region.into());
    if rng.gen_bool(0.33) {
        v.insert("credit_limit".into(), json!({"amount": format!("{}", rng.gen_range(1..200u64) * 100_000_000), "currency": "IRR"}));
    }
    Value::Object(v)
}

/// `2026-12-06` for days since 1970-01-01.
pub fn day(days: i64) -> String {
    crm_domain::custom::day_text(days).unwrap_or_default()
}

/// Defines `n` more contact fields (`extra_01`, … alternately text and number, not indexed)
/// and adds two contacts: one with a value in every custom field, one with none. Returns their
/// ids, for the benchmark of reading a record with many custom fields.
pub fn wide_contact(conn: &mut DbConnection, ws: &str, n: usize) -> anyhow::Result<(String, String)> {
    use crm_app::contacts::Contacts;
    let now = crm_store::time::now_micros();
    let caller = crm_app::Caller::system(ws.to_owned(), crm_store::record::Actor::system());
    crm_store::write_tx(conn, |c| -> anyhow::Result<(String, String)> {
        define(c, ws, now)?;
        let mut wire = Map::new();
        for i in 1..=n {
            let key = format!("extra_{i:02}");
            let number = i % 2 == 0;
            let body =
                json!({"entity": "contact", "key": key, "type": if number { "number" } else { "text" }, "label_en": key, "indexed": false});
            let input: CustomFieldCreate = serde_json::from_value(body)?;
            let (entity, spec) = input.validate().map_err(|e| anyhow::anyhow!("{e}"))?;
            if fields(c, ws, entity)?.by_key(&key).is_none() {
                crm_app::custom::define_in(c, ws, entity, &spec, now).map_err(|e| anyhow::anyhow!("{e}"))?;
            }
            wire.insert(key, if number { json!(format!("{}.25", i * 1000)) } else { json!(format!("value {i} of a wide record")) });
        }
        wire.extend([("account_tier".to_owned(), json!("gold")), ("next_renewal".to_owned(), json!("2027-03-21"))]);
        let set = fields(c, ws, Entity::Contact)?;
        let draft = |name: &str, custom| crm_domain::ContactDraft {
            first_name: name.to_owned(),
            last_name: Some("Benchmark".into()),
            title: None,
            company_id: None,
            emails: Vec::new(),
            phones: Vec::new(),
            lifecycle_stage: crm_domain::LifecycleStage::Customer,
            source: None,
            consent: crm_domain::Consent::Unknown,
            owner_id: None,
            tags: Vec::new(),
            custom,
        };
        let values = stored(&set, Value::Object(wire)).context("the wide contact's values")?;
        let (wide, _) = crate::seed::create_at::<Contacts>(c, &caller, now, draft("Wide", Some(values)))?;
        let (plain, _) = crate::seed::create_at::<Contacts>(c, &caller, now, draft("Plain", None))?;
        Ok((wide.id, plain.id))
    })
}
