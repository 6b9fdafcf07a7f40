//! Products, pipelines and deals from wire input to domain drafts.

use crate::deals::*;
use crate::validate::{id_ref, opt};
use crm_domain::deals::{decimal_e4, discount_bp, DealDraft, LineDraft, PipelineDraft, ProductDraft, StageDraft, StageKind};
use crm_domain::error::text;
use crm_domain::{parse_tags, Currency, FieldError, Money, ValidationErrors};

impl ProductCreate {
    pub fn validate(&self) -> Result<ProductDraft, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let sku = errs.collect(text("sku", &self.sku, 64));
        let name = errs.collect(text("name", &self.name, 200));
        let category = opt(&mut errs, "category", &self.category, 100);
        let description = opt(&mut errs, "description", &self.description, 4000);
        let currency = errs.collect(Currency::parse("unit_price.currency", &self.unit_price.currency));
        let unit_price = currency.and_then(|c| errs.collect(Money::parse("unit_price.amount", &self.unit_price.amount, c)));
        let unit_cost = self.unit_cost.as_ref().and_then(|m| {
            let c = errs.collect(Currency::parse("unit_cost.currency", &m.currency))?;
            if Some(c) != currency {
                errs.push(FieldError::new("unit_cost.currency", "currency_mismatch", "must be the currency of the unit price"));
                return None;
            }
            errs.collect(Money::parse("unit_cost.amount", &m.amount, c))
        });
        for (f, m) in [("unit_price.amount", unit_price), ("unit_cost.amount", unit_cost)] {
            if m.is_some_and(|m| m.amount_e4() < 0) {
                errs.push(FieldError::new(f, "negative_amount", "may not be negative"));
            }
        }
        errs.finish(|| ProductDraft {
            sku: sku.unwrap_or_default(),
            name: name.unwrap_or_default(),
            category,
            unit_price: unit_price.expect("checked"),
            unit_cost,
            active: self.active,
            description,
            custom: None,
        })
    }
}

impl ProductPatch {
    pub fn apply_to(&self, mut base: ProductCreate) -> ProductCreate {
        if let Some(v) = &self.sku {
            base.sku = v.clone();
        }
        if let Some(v) = &self.name {
            base.name = v.clone();
        }
        if let Some(v) = &self.category {
            base.category = v.clone();
        }
        if let Some(v) = &self.unit_price {
            base.unit_price = v.clone();
        }
        if let Some(v) = &self.unit_cost {
            base.unit_cost = v.clone();
        }
        if let Some(v) = self.active {
            base.active = v;
        }
        if let Some(v) = &self.description {
            base.description = v.clone();
        }
        base
    }
}

impl From<Product> for ProductCreate {
    fn from(p: Product) -> Self {
        Self {
            sku: p.sku,
            name: p.name,
            category: p.category,
            unit_price: p.unit_price,
            unit_cost: p.unit_cost,
            active: p.active,
            description: p.description,
            custom: p.custom,
        }
    }
}

impl PipelineInput {
    pub fn validate(&self) -> Result<PipelineDraft, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let name = errs.collect(text("name", &self.name, 120));
        if self.stages.is_empty() || self.stages.len() > 50 {
            errs.push(FieldError::new("stages", "invalid_stages", "a pipeline has 1 to 50 stages"));
        }
        let mut stages = Vec::with_capacity(self.stages.len());
        for (i, s) in self.stages.iter().enumerate() {
            let f = |n: &str| format!("stages[{i}].{n}");
            let name = errs.collect(text(&f("name"), &s.name, 80));
            if !(0..=100).contains(&s.probability) {
                errs.push(FieldError::new(f("probability"), "invalid_probability", "must be 0 to 100"));
            }
            let id = id_ref(&mut errs, &f("id"), s.id.as_deref());
            let mut required = s.required_fields.clone();
            required.sort_unstable();
            required.dedup();
            // In the order given, so a problem names the key's place.
            let required_custom = s
                .required_custom_fields
                .iter()
                .map(|k| crm_domain::deals::RequiredCustom { key: k.trim().to_owned(), storage_key: String::new() })
                .collect();
            if let Some(n) = name {
                if stages.iter().any(|x: &StageDraft| x.name.eq_ignore_ascii_case(&n)) {
                    errs.push(FieldError::new(f("name"), "duplicate_stage", "another stage has this name"));
                }
                stages.push(StageDraft {
                    id,
                    name: n,
                    probability: s.probability,
                    kind: s.kind,
                    required_fields: required,
                    required_custom,
                });
            }
        }
        let count = |k: StageKind| self.stages.iter().filter(|s| s.kind == k).count();
        if !self.stages.is_empty() {
            if count(StageKind::Open) == 0 {
                errs.push(FieldError::new("stages", "no_open_stage", "a pipeline needs at least one open stage"));
            }
            if count(StageKind::Won) != 1 {
                errs.push(FieldError::new("stages", "won_stage_count", "a pipeline needs exactly one won stage"));
            }
            if count(StageKind::Lost) != 1 {
                errs.push(FieldError::new("stages", "lost_stage_count", "a pipeline needs exactly one lost stage"));
            }
        }
        let mut loss_reasons: Vec<String> = Vec::new();
        for (i, r) in self.loss_reasons.iter().enumerate() {
            if let Some(r) = errs.collect(text(&format!("loss_reasons[{i}]"), r, 80)) {
                if !loss_reasons.contains(&r) {
                    loss_reasons.push(r);
                }
            }
        }
        errs.finish(|| PipelineDraft { name: name.unwrap_or_default(), is_default: self.is_default, stages, loss_reasons })
    }
}

impl DealCreate {
    /// Validates every field at once; amounts are read in the deal's currency, or `base` when
    /// the deal names none.
    pub fn validate(&self, base: Currency) -> Result<DealDraft, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let name = errs.collect(text("name", &self.name, 200));
        let currency = match &self.currency {
            Some(c) => errs.collect(Currency::parse("currency", c)).unwrap_or(base),
            None => base,
        };
        let amount_e4 = self.amount.as_deref().and_then(|a| {
            let m = errs.collect(Money::parse("amount", a, currency))?;
            if m.amount_e4() < 0 {
                errs.push(FieldError::new("amount", "negative_amount", "may not be negative"));
            }
            Some(m.amount_e4())
        });
        let close_date = self.close_date.as_deref().filter(|d| !d.trim().is_empty()).and_then(|d| {
            let d = crm_domain::digits::to_ascii_digits(d.trim());
            errs.collect(
                chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                    .map_err(|_| FieldError::new("close_date", "invalid_date", "must be a date written YYYY-MM-DD")),
            )
        });
        let mut contacts: Vec<(String, Option<String>)> = Vec::new();
        for (i, c) in self.contacts.iter().enumerate() {
            let Some(id) = id_ref(&mut errs, &format!("contacts[{i}].contact_id"), Some(&c.contact_id)) else {
                errs.push(FieldError::new(format!("contacts[{i}].contact_id"), "required", "is required"));
                continue;
            };
            let role = opt(&mut errs, &format!("contacts[{i}].role"), &c.role, 60);
            if contacts.iter().any(|(x, _)| *x == id) {
                errs.push(FieldError::new(format!("contacts[{i}].contact_id"), "duplicate_contact", "this contact is already on the deal"));
            } else {
                contacts.push((id, role));
            }
        }
        let lines = line_drafts(&mut errs, &self.line_items, currency, "line_items");
        let tags = errs.collect(parse_tags("tags", &self.tags)).unwrap_or_default();
        let pipeline_id = id_ref(&mut errs, "pipeline_id", self.pipeline_id.as_deref());
        let stage_id = id_ref(&mut errs, "stage_id", self.stage_id.as_deref());
        let owner_id = id_ref(&mut errs, "owner_id", self.owner_id.as_deref());
        let company_id = id_ref(&mut errs, "company_id", self.company_id.as_deref());
        let loss_reason = opt(&mut errs, "loss_reason", &self.loss_reason, 80);
        let external_id = opt(&mut errs, "external_id", &self.external_id, 128);
        errs.finish(|| DealDraft {
            // Checked against the workspace's fields by the application.
            custom: None,
            external_id,
            name: name.unwrap_or_default(),
            pipeline_id,
            stage_id,
            amount_e4,
            currency,
            close_date,
            owner_id,
            company_id,
            source: self.source,
            loss_reason,
            contacts,
            lines,
            tags,
        })
    }
}

/// Validates line items written in `currency`, naming problems `{prefix}[i].field`.
pub(crate) fn line_drafts(errs: &mut ValidationErrors, items: &[LineItemInput], currency: Currency, prefix: &str) -> Vec<LineDraft> {
    if items.len() > 200 {
        errs.push(FieldError::new(prefix, "too_many_lines", "at most 200 line items"));
    }
    let mut lines = Vec::with_capacity(items.len());
    for (i, l) in items.iter().enumerate() {
        let f = |n: &str| format!("{prefix}[{i}].{n}");
        let product_id = id_ref(errs, &f("product_id"), l.product_id.as_deref());
        let name = opt(errs, &f("name"), &l.name, 200);
        if product_id.is_none() && name.is_none() {
            errs.push(FieldError::new(f("name"), "required", "a line without a product needs a name"));
        }
        let quantity_e4 = errs.collect(decimal_e4(&f("quantity"), &l.quantity));
        if quantity_e4.is_some_and(|q| q <= 0) {
            errs.push(FieldError::new(f("quantity"), "invalid_quantity", "must be more than zero"));
        }
        let mut money = |field: String, v: &Option<String>| {
            let m = errs.collect(Money::parse(&field, v.as_deref()?, currency))?;
            if m.amount_e4() < 0 {
                errs.push(FieldError::new(field, "negative_amount", "may not be negative"));
            }
            Some(m.amount_e4())
        };
        let unit_price_e4 = money(f("unit_price"), &l.unit_price);
        let unit_cost_e4 = money(f("unit_cost"), &l.unit_cost);
        let discount = match &l.discount_percent {
            Some(d) => errs.collect(discount_bp(&f("discount_percent"), d)).unwrap_or(0),
            None => 0,
        };
        lines.push(LineDraft {
            product_id,
            name,
            quantity_e4: quantity_e4.unwrap_or(0),
            unit_price_e4,
            discount_bp: discount,
            unit_cost_e4,
        });
    }
    lines
}

impl DealPatch {
    pub fn apply_to(&self, mut base: DealCreate) -> DealCreate {
        macro_rules! set {
            ($($f:ident),*) => {$(
                if let Some(v) = &self.$f {
                    base.$f = v.clone();
                }
            )*};
        }
        if self.line_items.is_some() && self.amount.is_none() {
            // The amount follows the new lines.
            base.amount = None;
        }
        set!(name, amount, close_date, owner_id, company_id, source, loss_reason, contacts, line_items, tags, external_id);
        if let Some(p) = &self.pipeline_id {
            if base.pipeline_id.as_ref() != Some(p) && self.stage_id.is_none() {
                base.stage_id = None;
            }
            base.pipeline_id = Some(p.clone());
        }
        if let Some(s) = &self.stage_id {
            base.stage_id = Some(s.clone());
        }
        if let Some(c) = &self.currency {
            base.currency = Some(c.clone());
        }
        base
    }
}

impl From<Deal> for DealCreate {
    fn from(d: Deal) -> Self {
        let lines = d
            .line_items
            .into_iter()
            .map(|l| LineItemInput {
                product_id: l.product_id,
                name: Some(l.name),
                quantity: l.quantity,
                unit_price: Some(l.unit_price),
                discount_percent: Some(l.discount_percent),
                unit_cost: l.unit_cost,
            })
            .collect();
        Self {
            custom: d.custom.clone(),
            name: d.name,
            pipeline_id: Some(d.pipeline_id),
            stage_id: Some(d.stage_id),
            amount: d.amount.map(|m| m.amount),
            currency: Some(d.currency),
            close_date: d.close_date,
            owner_id: d.owner_id,
            company_id: d.company_id,
            source: d.source,
            loss_reason: d.loss_reason,
            contacts: d.contacts,
            line_items: lines,
            tags: d.tags,
            external_id: d.external_id,
        }
    }
}

impl crate::commerce::OrderInput {
    /// Validates every field at once; amounts are read in the order's currency, or `base`.
    pub fn validate(
        &self,
        base: Currency,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<crm_domain::commerce::OrderDraft, ValidationErrors> {
        use crm_domain::commerce::{OrderChannel, OrderDraft, OrderStatus};
        let mut errs = ValidationErrors::new();
        let currency = match &self.currency {
            Some(c) => errs.collect(Currency::parse("currency", c)).unwrap_or(base),
            None => base,
        };
        let external_id = opt(&mut errs, "external_id", &self.external_id, 128);
        if self.line_items.is_empty() {
            errs.push(FieldError::new("line_items", "required", "an order has at least one line"));
        }
        let lines = line_drafts(&mut errs, &self.line_items, currency, "line_items");
        let mut amount = |field: &str, v: &Option<String>| -> i64 {
            let Some(v) = v.as_deref() else { return 0 };
            match errs.collect(Money::parse(field, v, currency)) {
                Some(m) if m.amount_e4() < 0 => {
                    errs.push(FieldError::new(field, "negative_amount", "may not be negative"));
                    0
                }
                Some(m) => m.amount_e4(),
                None => 0,
            }
        };
        let shipping_e4 = amount("shipping", &self.shipping);
        let tax_e4 = amount("tax", &self.tax);
        let contact_id = id_ref(&mut errs, "contact_id", self.contact_id.as_deref());
        let company_id = id_ref(&mut errs, "company_id", self.company_id.as_deref());
        let deal_id = id_ref(&mut errs, "deal_id", self.deal_id.as_deref());
        let owner_id = id_ref(&mut errs, "owner_id", self.owner_id.as_deref());
        let notes = opt(&mut errs, "notes", &self.notes, 10_000);
        errs.finish(|| OrderDraft {
            // Checked against the workspace's fields by the application.
            custom: None,
            external_id,
            contact_id,
            company_id,
            deal_id,
            ordered_at: self.ordered_at.unwrap_or(now).timestamp_micros(),
            channel: self.channel.unwrap_or(OrderChannel::Online),
            status: self.status.unwrap_or(OrderStatus::Placed),
            currency,
            lines,
            shipping_e4,
            tax_e4,
            owner_id,
            notes,
        })
    }
}

impl From<crate::commerce::Order> for crate::commerce::OrderInput {
    fn from(o: crate::commerce::Order) -> Self {
        Self {
            custom: o.custom,
            external_id: o.external_id,
            contact_id: o.contact_id,
            company_id: o.company_id,
            deal_id: o.deal_id,
            ordered_at: Some(o.ordered_at),
            channel: Some(o.channel),
            status: Some(o.status),
            currency: Some(o.currency),
            line_items: o
                .line_items
                .into_iter()
                .map(|l| LineItemInput {
                    product_id: l.product_id,
                    name: Some(l.name),
                    quantity: l.quantity,
                    unit_price: Some(l.unit_price),
                    discount_percent: Some(l.discount_percent),
                    unit_cost: l.unit_cost,
                })
                .collect(),
            shipping: Some(o.shipping.amount),
            tax: Some(o.tax.amount),
            owner_id: o.owner_id,
            notes: o.notes,
        }
    }
}
