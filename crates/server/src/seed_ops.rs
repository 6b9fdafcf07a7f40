//! Demo data for the operational CRM: products, exchange rates, orders and deals that moved
//! through the pipeline over two years (with stage history), leads, activities on every
//! channel, tasks and cases.

use crate::seed::{as_of, create_at};
use crm_app::activities::Activities;
use crm_app::cases::Cases;
use crm_app::deals::Deals;
use crm_app::leads::Leads;
use crm_app::orders::Orders;
use crm_app::records::update_with;
use crm_app::tasks::Tasks;
use crm_app::{AppError, Caller};
use crm_domain::commerce::{OrderChannel, OrderDraft, OrderStatus};
use crm_domain::deals::{DealDraft, LineDraft, ProductDraft, StageKind};
use crm_domain::operations::{
    ActivityDraft, ActivityKind, CaseChannel, CaseDraft, CaseStatus, Direction, LeadDraft, LeadStatus, Priority, RelatedType, TaskDraft,
    TaskStatus,
};
use crm_domain::{Currency, Email, Money, Phone, Region, Source};
use crm_store::{pipelines, DbConnection};
use rand::rngs::StdRng;
use rand::Rng;

const DAY: i64 = 24 * 3600 * 1_000_000;

/// What the earlier part of the seed made, for the operational records to refer to.
pub struct Refs<'a> {
    pub ws: &'a str,
    /// The workspace's system, which the demo records are written as.
    pub caller: &'a Caller,
    pub now: i64,
    /// Sales reps and the manager.
    pub owners: &'a [String],
    /// Service agents.
    pub agents: &'a [String],
    /// (company id, name, Persian)
    pub companies: &'a [(String, String, bool)],
    /// (contact id, company index)
    pub contacts: &'a [(String, Option<usize>)],
}

/// How many of each.
#[derive(Debug, Clone, Copy)]
pub struct OpsSize {
    pub deals: usize,
    pub leads: usize,
    pub activities: usize,
    pub tasks: usize,
    pub cases: usize,
    pub orders: usize,
}

impl OpsSize {
    /// The default mix for 10,000 contacts, scaled down for fewer (never up: bulk volumes for
    /// benchmarks come from contacts and companies).
    pub fn scaled(contacts: usize) -> Self {
        let d = Self::default();
        let f = |n: usize| n * contacts.min(10_000) / 10_000;
        Self {
            deals: f(d.deals),
            leads: f(d.leads),
            activities: f(d.activities),
            tasks: f(d.tasks),
            cases: f(d.cases),
            orders: f(d.orders),
        }
    }
}

impl Default for OpsSize {
    fn default() -> Self {
        Self { deals: 1200, leads: 600, activities: 5000, tasks: 1200, cases: 900, orders: 3000 }
    }
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
}

fn err(e: crm_domain::FieldError) -> anyhow::Error {
    anyhow::anyhow!("{}: {}", e.field, e.message)
}

const PRODUCTS: &[(&str, &str, &str, u64, u64)] = &[
    ("CRM-PRO", "CRM Pro seat (annual)", "Software", 120, 30),
    ("CRM-ENT", "CRM Enterprise seat (annual)", "Software", 240, 50),
    ("ONB-STD", "Onboarding package", "Services", 1500, 600),
    ("TRN-DAY", "Training day", "Services", 900, 300),
    ("INT-API", "Integration setup", "Services", 2500, 1000),
    ("SUP-PRM", "Premium support (annual)", "Support", 3000, 900),
    ("HW-POS", "Point-of-sale terminal", "Hardware", 650, 420),
    ("HW-SCN", "Barcode scanner", "Hardware", 180, 95),
    ("DATA-MIG", "Data migration", "Services", 2000, 700),
    ("SMS-10K", "SMS bundle (10,000)", "Messaging", 200, 120),
];

/// When each customer buys, as the BG/NBD model says customers do, so that the analytics have
/// something real to find: each buys at their own rate λ ~ Gamma(0.9, 0.35/week) from their
/// first purchase (spread over the first twenty months) and stops for good after any purchase
/// with their own probability p ~ Beta(0.8, 3); some come back every few weeks for two years,
/// most buy a few times and go quiet. Each customer also has their own order size, and one in
/// five grows it with every purchase. Returns (contact index, ordered at, quantity scale), at
/// most `orders` of them, from distinct contacts drawn at random.
pub(crate) fn purchases(rng: &mut StdRng, contacts: usize, orders: usize, from: i64, to: i64) -> Vec<(usize, i64, f64)> {
    const WEEK: f64 = 7.0 * DAY as f64;
    let mut plan = Vec::with_capacity(orders);
    let order: Vec<usize> = rand::seq::index::sample(rng, contacts, contacts.min(orders)).into_vec();
    for ci in order {
        if plan.len() >= orders {
            break;
        }
        let rate = gamma(rng, 0.9) * 0.35;
        let (u, v) = (gamma(rng, 0.8), gamma(rng, 3.0));
        let stop = u / (u + v);
        let size = 0.6 + gamma(rng, 2.0) * 0.5;
        let grows = rng.gen_bool(0.2);
        let mut at = from + rng.gen_range(0..(to - from) * 5 / 6);
        let mut n = 0.0;
        while at < to && plan.len() < orders {
            plan.push((ci, at, if grows { size * (1.0 + 0.25 * n) } else { size }));
            n += 1.0;
            if rng.gen_bool(stop.clamp(0.0, 1.0)) {
                break;
            }
            // The wait for the next purchase: exponential at the customer's rate.
            let wait = -(1.0 - rng.gen::<f64>()).ln() / rate.max(1e-3);
            at += (wait * WEEK) as i64 + DAY;
        }
    }
    plan
}

/// A Gamma(shape, 1) draw (Marsaglia & Tsang 2000; shape below 1 by the boost u^(1/shape)).
fn gamma(rng: &mut StdRng, shape: f64) -> f64 {
    if shape < 1.0 {
        return gamma(rng, shape + 1.0) * rng.gen::<f64>().powf(1.0 / shape);
    }
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        // A standard normal draw by Box-Muller.
        let (u1, u2): (f64, f64) = (1.0 - rng.gen::<f64>(), rng.gen());
        let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        let v = (1.0 + c * z).powi(3);
        if v <= 0.0 {
            continue;
        }
        let u: f64 = 1.0 - rng.gen::<f64>();
        if u.ln() < 0.5 * z * z + d - d * v + d * v.ln() {
            return d * v;
        }
    }
}

/// Creates the operational demo records.
pub fn fill(c: &mut DbConnection, rng: &mut StdRng, r: &Refs<'_>, size: OpsSize) -> anyhow::Result<()> {
    if r.owners.is_empty() || r.companies.is_empty() || r.contacts.is_empty() {
        return Ok(());
    }
    let two_years = 730 * DAY;
    let usd = Currency::parse("c", "USD").map_err(err)?;
    let irr = Currency::parse("c", "IRR").map_err(err)?;
    let base = Currency::parse("c", &crm_store::identity::get_workspace(c, r.ws)?.base_currency).map_err(err)?;
    // Rial prices: one dollar taken as 600,000 rials for the demo.
    let rate = 600_000u64;

    let mut catalogue: Vec<(String, Currency)> = Vec::new();
    for (sku, name, category, price, cost) in PRODUCTS {
        for (cur, factor, suffix) in [(usd, 1, ""), (irr, rate, "-IR")] {
            let d = ProductDraft {
                sku: format!("{sku}{suffix}"),
                name: (*name).to_owned(),
                category: Some((*category).to_owned()),
                unit_price: Money::parse("p", &(price * factor).to_string(), cur).map_err(err)?,
                unit_cost: Some(Money::parse("c", &(cost * factor).to_string(), cur).map_err(err)?),
                active: true,
                description: None,
                custom: None,
            };
            let row = as_of(c, r.caller, r.now - two_years - DAY, |c, uow| crm_app::products::create_with(c, r.caller, uow, Ok(d), None))?;
            catalogue.push((row.record.id, cur));
        }
    }

    // Monthly dollar rates in rials (the demo's base currency), rising over the two years.
    let mut rates = Vec::new();
    for m in 0..=24 {
        let at = r.now - two_years + m * 30 * DAY;
        let day = chrono::DateTime::from_timestamp_micros(at).map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_default();
        let rials = 420_000 + m * 7_500 + rng.gen_range(0..5_000);
        if base == irr {
            rates.push(("USD".to_owned(), day.clone(), rials * 1_000_000_000_000));
        } else {
            // Other bases: rials and dollars both get a rate (dollars at par for the demo).
            rates.push(("IRR".to_owned(), day.clone(), 1_000_000_000_000 / rials));
            if base != usd {
                rates.push(("USD".to_owned(), day, 1_000_000_000_000));
            }
        }
    }
    crm_store::orders::set_rates(c, r.ws, &rates)?;

    // Deals, each walked through the stages it reached, at increasing times.
    // The default sales pipeline, and a second one for renewals with its own rules.
    let default_id = pipelines::default_id(c, r.ws)?.ok_or_else(|| anyhow::anyhow!("no pipeline"))?;
    let renewals = {
        use crm_domain::deals::{DealField, PipelineDraft, StageDraft};
        let stage = |name: &str, probability, kind, required_fields: Vec<DealField>| StageDraft {
            id: None,
            name: name.into(),
            probability,
            kind,
            required_fields,
            required_custom: Vec::new(),
        };
        pipelines::create(
            c,
            r.ws,
            &PipelineDraft {
                name: "Renewals".into(),
                is_default: false,
                stages: vec![
                    stage("Due in 90 days", 60, StageKind::Open, vec![]),
                    stage("Quote sent", 75, StageKind::Open, vec![DealField::Amount, DealField::CloseDate]),
                    stage("Renewed", 100, StageKind::Won, vec![DealField::Amount]),
                    stage("Churned", 0, StageKind::Lost, vec![]),
                ],
                loss_reasons: vec![
                    "Price".into(),
                    "Switched to a competitor".into(),
                    "Closed the business".into(),
                    "No longer needed".into(),
                ],
            },
        )?
        .0
        .id
    };
    let mut flows = Vec::new();
    for id in [default_id, renewals] {
        let (pipeline, stages) = pipelines::get(c, r.ws, &id)?;
        let open: Vec<pipelines::StageRow> = stages.iter().filter(|s| s.kind() == StageKind::Open).cloned().collect();
        let won = stages.iter().find(|s| s.kind() == StageKind::Won).cloned().ok_or_else(|| anyhow::anyhow!("no won stage"))?;
        let lost = stages.iter().find(|s| s.kind() == StageKind::Lost).cloned().ok_or_else(|| anyhow::anyhow!("no lost stage"))?;
        flows.push((id, open, won, lost, pipeline.loss_reasons()));
    }
    let mut deal_ids: Vec<(String, usize)> = Vec::with_capacity(size.deals);
    for _ in 0..size.deals {
        let (pipeline_id, open, won, lost, reasons) = if rng.gen_bool(0.8) { &flows[0] } else { &flows[1] };
        let ci = rng.gen_range(0..r.companies.len());
        let (company_id, company_name, persian) = &r.companies[ci];
        let currency = if *persian { irr } else { usd };
        let contact = r.contacts.iter().find(|(_, k)| *k == Some(ci)).map(|(id, _)| id.clone());
        let mut lines = Vec::new();
        for _ in 0..rng.gen_range(1..4) {
            let choices: Vec<&(String, Currency)> = catalogue.iter().filter(|(_, cur)| *cur == currency).collect();
            let (product_id, _) = pick(rng, &choices);
            if lines.iter().any(|l: &LineDraft| l.product_id.as_deref() == Some(product_id.as_str())) {
                continue;
            }
            lines.push(LineDraft {
                product_id: Some(product_id.clone()),
                name: None,
                quantity_e4: rng.gen_range(1..60) * 10_000,
                unit_price_e4: None,
                discount_bp: *pick(rng, &[0, 0, 0, 500, 1000, 1500]),
                unit_cost_e4: None,
            });
        }
        let created = r.now - rng.gen_range(0..two_years);
        let close = chrono::DateTime::from_timestamp_micros(created + rng.gen_range(20..120) * DAY).map(|t| t.date_naive());
        let mut d = DealDraft {
            custom: None,
            name: format!("{company_name}: {}", pick(rng, &["new seats", "renewal", "expansion", "pilot", "rollout", "upgrade"])),
            pipeline_id: Some(pipeline_id.clone()),
            stage_id: Some(open[0].id.clone()),
            amount_e4: None,
            currency,
            close_date: close,
            owner_id: Some(pick(rng, r.owners).clone()),
            company_id: Some(company_id.clone()),
            source: Some(*pick(rng, Source::ALL)),
            loss_reason: None,
            contacts: contact.into_iter().map(|c| (c, Some("decision_maker".to_owned()))).collect(),
            lines,
            tags: Vec::new(),
            external_id: None,
        };
        let (row, _) = create_at::<Deals>(c, r.caller, created, d.clone())?;
        let age_days = (r.now - created) / DAY;
        // How far it got: older deals are more often closed.
        let reached = rng.gen_range(0..open.len() + 2).min(if age_days > 90 { open.len() + 1 } else { open.len() - 1 });
        let mut at = created;
        let mut version = row.version;
        for step in 1..=reached {
            at += rng.gen_range(1..20) * DAY;
            if at >= r.now {
                break;
            }
            if step < open.len() {
                d.stage_id = Some(open[step].id.clone());
            } else if rng.gen_bool(0.45) {
                d.stage_id = Some(won.id.clone());
            } else {
                d.stage_id = Some(lost.id.clone());
                d.loss_reason = Some(pick(rng, reasons).clone());
            }
            let next = d.clone();
            version =
                as_of(c, r.caller, at, |c, uow| update_with::<Deals>(c, r.caller, uow, &row.id, Some(version), move |_, _| Ok(next)))?
                    .0
                    .version;
            if step >= open.len() {
                break;
            }
        }
        deal_ids.push((row.id, ci));
    }

    // Orders over two years from customers, on every channel, as customers really buy (below).
    let plan = purchases(rng, r.contacts.len(), size.orders, r.now - two_years, r.now - 2 * DAY);
    for (ci, at, scale) in plan {
        let (contact_id, company) = r.contacts[ci].clone();
        let persian = company.map(|k| r.companies[k].2).unwrap_or(true);
        let currency = if persian { irr } else { usd };
        let choices: Vec<&(String, Currency)> = catalogue.iter().filter(|(_, cur)| *cur == currency).collect();
        let mut lines: Vec<LineDraft> = Vec::new();
        for _ in 0..rng.gen_range(1..4) {
            let (product_id, _) = pick(rng, &choices);
            if !lines.iter().any(|l| l.product_id.as_deref() == Some(product_id.as_str())) {
                lines.push(LineDraft {
                    product_id: Some(product_id.clone()),
                    name: None,
                    quantity_e4: ((f64::from(rng.gen_range(1..4_u32)) * scale).round().clamp(1.0, 50.0) as i64) * 10_000,
                    unit_price_e4: None,
                    discount_bp: *pick(rng, &[0, 0, 500]),
                    unit_cost_e4: None,
                });
            }
        }
        let d = OrderDraft {
            custom: None,
            external_id: rng.gen_bool(0.6).then(|| format!("shop-{}", rng.gen_range(100_000..999_999u32))),
            contact_id: Some(contact_id),
            company_id: company.map(|k| r.companies[k].0.clone()),
            deal_id: None,
            ordered_at: at,
            channel: *pick(rng, OrderChannel::ALL),
            status: *pick(
                rng,
                &[
                    OrderStatus::Fulfilled,
                    OrderStatus::Fulfilled,
                    OrderStatus::Fulfilled,
                    OrderStatus::Fulfilled,
                    OrderStatus::Fulfilled,
                    OrderStatus::Paid,
                    OrderStatus::Paid,
                    OrderStatus::Cancelled,
                    OrderStatus::Refunded,
                ],
            ),
            currency,
            lines,
            shipping_e4: 0,
            tax_e4: 0,
            owner_id: Some(pick(rng, r.owners).clone()),
            notes: None,
        };
        match create_at::<Orders>(c, r.caller, at, (d, base)) {
            Ok(_) => {}
            // A random external id may repeat; the demo skips it.
            Err(AppError::Store(crm_store::StoreError::Conflict { code: "duplicate_external_id", .. })) => {}
            Err(e) => return Err(e.into()),
        }
    }

    // Leads from every source, in every status.
    for _ in 0..size.leads {
        let persian = rng.gen_bool(0.6);
        let (first, last) = if persian {
            (*pick(rng, &["آرمان", "یاسمن", "کیان", "ترانه", "بهزاد", "مهسا"]), *pick(rng, &["نوری", "صالحی", "افشار", "توکلی"]))
        } else {
            (*pick(rng, &["Liam", "Olivia", "Noah", "Ava", "Ethan", "Mia"]), *pick(rng, &["Turner", "Hughes", "Ward", "Price"]))
        };
        let n: u32 = rng.gen_range(1..99_999);
        let status = *pick(rng, &[LeadStatus::New, LeadStatus::New, LeadStatus::Working, LeadStatus::Qualified, LeadStatus::Disqualified]);
        let d = LeadDraft {
            custom: None,
            first_name: first.to_owned(),
            last_name: Some(last.to_owned()),
            email: Email::parse("e", &format!("lead{n}@{}", pick(rng, &["gmail.com", "example.ir", "startup.example"]))).ok(),
            phone: Phone::parse("p", &format!("0912{:07}", rng.gen_range(0..10_000_000u32)), Region::IR).ok(),
            company_name: rng
                .gen_bool(0.7)
                .then(|| format!("{} {}", pick(rng, &["Nova", "Arya", "Sepid", "Blue"]), pick(rng, &["Labs", "Trading", "Group"]))),
            title: None,
            status,
            disqualify_reason: (status == LeadStatus::Disqualified)
                .then(|| (*pick(rng, &["No budget", "Student", "Competitor", "Spam"])).to_owned()),
            source: Some(*pick(rng, Source::ALL)),
            owner_id: Some(pick(rng, r.owners).clone()),
            notes: None,
            tags: Vec::new(),
        };
        create_at::<Leads>(c, r.caller, r.now - rng.gen_range(0..180 * DAY), d)?;
    }

    // Cases walked through the workflow; older ones resolved, closed and often rated.
    let mut case_ids = Vec::with_capacity(size.cases);
    for _ in 0..size.cases {
        let (contact_id, company) = pick(rng, r.contacts).clone();
        let created = r.now - rng.gen_range(0..two_years);
        let mut d = CaseDraft {
            custom: None,
            subject: (*pick(
                rng,
                &[
                    "Invoice charged twice",
                    "Cannot sign in",
                    "Delivery is late",
                    "Refund request",
                    "Export to Excel fails",
                    "Change billing address",
                    "Damaged item received",
                    "سفارش هنوز نرسیده",
                    "درخواست بازگشت وجه",
                    "مشکل در ورود به حساب",
                ],
            ))
            .to_owned(),
            description: None,
            contact_id: Some(contact_id),
            company_id: company.map(|k| r.companies[k].0.clone()),
            channel: *pick(rng, CaseChannel::ALL),
            priority: *pick(rng, &[Priority::Low, Priority::Normal, Priority::Normal, Priority::High, Priority::Urgent]),
            status: CaseStatus::New,
            owner_id: Some(pick(rng, r.agents).clone()),
            team_id: None,
            csat: None,
            csat_comment: None,
            tags: Vec::new(),
            external_id: None,
        };
        let row = create_at::<Cases>(c, r.caller, created, d.clone())?;
        let mut at = created;
        let mut version = row.version;
        let age_days = (r.now - created) / DAY;
        let path: &[CaseStatus] = if age_days > 14 {
            &[CaseStatus::Open, CaseStatus::Pending, CaseStatus::Resolved, CaseStatus::Closed]
        } else {
            &[CaseStatus::Open, CaseStatus::Pending][..rng.gen_range(0..3)]
        };
        for s in path {
            at += rng.gen_range(10..(if d.priority == Priority::Urgent { 90 } else { 900 })) * 60_000_000;
            if at >= r.now {
                break;
            }
            d.status = *s;
            if *s == CaseStatus::Closed && rng.gen_bool(0.6) {
                d.csat = Some(*pick(rng, &[5, 5, 4, 4, 3, 2, 1]));
            }
            let next = d.clone();
            version =
                as_of(c, r.caller, at, |c, uow| update_with::<Cases>(c, r.caller, uow, &row.id, Some(version), move |_, _| Ok(next)))?
                    .version;
        }
        case_ids.push(row.id);
    }

    // Activities on every channel, by everyone, about everything.
    for _ in 0..size.activities {
        let (contact_id, company) = pick(rng, r.contacts).clone();
        let kind = *pick(rng, ActivityKind::ALL);
        let (subject, direction) = match kind {
            ActivityKind::Call => ("Phone call", Some(*pick(rng, &[Direction::Inbound, Direction::Outbound]))),
            ActivityKind::Email => ("Email", Some(*pick(rng, &[Direction::Inbound, Direction::Outbound]))),
            ActivityKind::Meeting => ("Meeting", Some(Direction::Outbound)),
            ActivityKind::Sms => ("SMS", Some(Direction::Outbound)),
            ActivityKind::Chat => ("Chat on the website", Some(Direction::Inbound)),
            ActivityKind::WebVisit => ("Visited the pricing page", Some(Direction::Inbound)),
            ActivityKind::Letter => ("Letter sent", Some(Direction::Outbound)),
            ActivityKind::StoreVisit => ("Visited the Tehran store", Some(Direction::Inbound)),
            ActivityKind::FieldVisit => ("Site visit", Some(Direction::Outbound)),
            ActivityKind::Note => ("Note", Some(Direction::Internal)),
        };
        let deal = deal_ids.iter().find(|(_, k)| Some(*k) == company).map(|(id, _)| id.clone()).filter(|_| rng.gen_bool(0.5));
        let timed = matches!(kind, ActivityKind::Call | ActivityKind::Meeting | ActivityKind::FieldVisit);
        let d = ActivityDraft {
            custom: None,
            kind,
            direction,
            subject: subject.to_owned(),
            body: None,
            occurred_at: r.now - rng.gen_range(0..two_years),
            duration_seconds: timed.then(|| rng.gen_range(60..3600)),
            outcome: (kind == ActivityKind::Call)
                .then(|| (*pick(rng, &["connected", "no_answer", "left_voicemail", "interested", "not_interested"])).to_owned()),
            owner_id: Some(pick(rng, r.owners).clone()),
            company_id: company.map(|k| r.companies[k].0.clone()),
            deal_id: deal,
            case_id: None,
            lead_id: None,
            contact_ids: vec![contact_id],
            user_ids: Vec::new(),
        };
        create_at::<Activities>(c, r.caller, d.occurred_at.min(r.now), d)?;
    }

    // Tasks around today: some overdue, some done.
    for _ in 0..size.tasks {
        let due = r.now + rng.gen_range(-30..30) * DAY + rng.gen_range(8..18) * 3600 * 1_000_000;
        let status = if due < r.now - 3 * DAY && rng.gen_bool(0.8) {
            TaskStatus::Done
        } else {
            *pick(rng, &[TaskStatus::Open, TaskStatus::Open, TaskStatus::InProgress])
        };
        let related = if rng.gen_bool(0.5) && !deal_ids.is_empty() {
            Some((RelatedType::Deal, pick(rng, &deal_ids).0.clone()))
        } else {
            Some((RelatedType::Contact, pick(rng, r.contacts).0.clone()))
        };
        let d = TaskDraft {
            custom: None,
            title: (*pick(
                rng,
                &["Call back", "Send the quote", "Follow up on the proposal", "Book a demo", "Check the contract", "Renewal reminder"],
            ))
            .to_owned(),
            notes: None,
            due_at: Some(due),
            reminder_at: Some(due - 3600 * 1_000_000),
            owner_id: Some(pick(rng, r.owners).clone()),
            priority: *pick(rng, Priority::ALL),
            status,
            related,
        };
        create_at::<Tasks>(c, r.caller, r.now - rng.gen_range(0..60 * DAY), d)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crm_analytics::clv::{histories, BgNbd};
    use rand::SeedableRng;

    #[test]
    fn the_demo_customers_buy_as_the_clv_model_can_learn() {
        let mut rng = StdRng::seed_from_u64(7);
        let (from, to) = (0, 730 * DAY);
        let plan = purchases(&mut rng, 10_000, 3_000, from, to);
        assert_eq!(plan.len(), 3_000);
        assert!(plan.iter().all(|p| p.1 >= from && p.1 < to), "within the two years");
        let by_day: Vec<(usize, i64, f64)> = plan.iter().map(|(c, at, _)| (*c, at / DAY, 1.0)).collect();
        let all: Vec<_> = histories(&by_day, 729).into_values().collect();
        assert!(all.len() > 300 && all.iter().filter(|h| h.x >= 5).count() > 50, "loyal customers and one-off buyers");
        let fit = BgNbd::fit(&all).expect("the demo's purchases fit");
        // Customers differ (r is small, as in real data) and some stop buying (a is not tiny).
        assert!(fit.model.r < 3.0 && fit.model.a > 0.05, "{fit:?}");
    }
}
