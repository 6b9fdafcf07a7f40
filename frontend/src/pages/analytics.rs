//! Customer analytics, in the second bundle (fetched the first time someone opens it): the RFM
//! grid as a heat map with counts and revenue, the named groups, and the lifetime-value fit
//! with its holdout check (`/analytics`); and one contact's figures, month by month
//! (`/contacts/{id}/analytics`). Every chart has its numbers in a table beside it and a CSV
//! export; Persian reads right to left with Persian digits, tomans and Solar Hijri months.
//!
//! The charts are tables drawn with CSS (a heat map is a table whose cells are shaded; a bar is
//! a cell's width): they need no chart library in the bundle, read in both directions and stay
//! readable without colour.

use crate::api;
use crate::i18n::{self, tr, Lang, A, T};
use crate::ui::{save_as, toast};
use crm_api_types::{ClvFit, ContactClv, CustomerMetrics, MoneyDto, PropensityModelDto, PropensityReason, PropensityScore, RfmReport};
use leptos::prelude::*;

/// A CSV file of `rows` (the first is the header), offered as a download named `name`: UTF-8
/// with a byte-order mark, so spreadsheet programs read Persian right.
fn export_csv(name: &str, rows: Vec<Vec<String>>) {
    let quote = |s: &String| {
        if s.contains([',', '"', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.clone()
        }
    };
    let text: String = rows.iter().map(|r| r.iter().map(quote).collect::<Vec<_>>().join(",") + "\r\n").collect();
    let encoded: String = format!("\u{feff}{text}")
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect();
    save_as(&format!("data:text/csv;charset=utf-8,{encoded}"), name);
}

/// Hours with at most two decimals, in the language's digits.
fn hours(lang: Lang, h: f64) -> String {
    crate::custom::decimal(lang, &format!("{}", (h * 100.0).round() / 100.0))
}

fn money(lang: Lang, m: &MoneyDto) -> String {
    i18n::money_str(lang, &m.amount, &m.currency)
}

/// A fraction as a percentage for reading.
fn percent(lang: Lang, f: f64) -> String {
    let sign = if lang == Lang::Fa { '٪' } else { '%' };
    i18n::digits(lang, &format!("{:.0}{sign}", f * 100.0))
}

/// A decimal figure for reading (`0.49`, `۰٫۴۹`).
fn figure(lang: Lang, v: f64, places: usize) -> String {
    let s = format!("{v:.places$}");
    i18n::digits(lang, &if lang == Lang::Fa { s.replace('.', "٫") } else { s })
}

/// A month as the API names it (`YYYY-MM`): a Solar Hijri one (`solar`, asked for in Persian)
/// by its name, `آذر ۱۴۰۵`; a Gregorian one as its digits, `2026-12`, `۲۰۲۶-۱۲`.
fn month_label(lang: Lang, ym: &str, solar: bool) -> String {
    let month = ym.split_once('-').and_then(|(_, m)| m.parse::<usize>().ok()).filter(|m| (1..=12).contains(m));
    match month.filter(|_| solar && lang == Lang::Fa) {
        Some(m) => format!("{} {}", crm_domain::calendar::MONTHS_FA[m - 1], i18n::digits(lang, &ym[..4])),
        None => i18n::digits(lang, ym),
    }
}

/// The label of an RFM group.
pub fn group_label(group: &str) -> A {
    match group {
        "champions" => A::GroupChampions,
        "loyal" => A::GroupLoyal,
        "potential_loyalists" => A::GroupPotential,
        "new_customers" => A::GroupNew,
        "promising" => A::GroupPromising,
        "need_attention" => A::GroupNeedAttention,
        "about_to_sleep" => A::GroupAboutToSleep,
        "at_risk" => A::GroupAtRisk,
        "cant_lose_them" => A::GroupCantLose,
        _ => A::GroupHibernating,
    }
}

/// The customer analytics page.
#[component]
pub fn AnalyticsPage() -> impl IntoView {
    let lang = i18n::lang();
    let rfm = RwSignal::new(None::<Result<RfmReport, String>>);
    let clv = RwSignal::new(None::<Result<ClvFit, String>>);
    let busy = RwSignal::new(false);
    // Admins, managers and analysts recompute and fit; the others only read.
    let analyst = RwSignal::new(false);
    let admin = RwSignal::new(false);
    leptos::task::spawn_local(async move {
        if let Ok(me) = api::me().await {
            use crm_api_types::Role;
            analyst.try_set(matches!(me.role, Role::Admin | Role::Manager | Role::Analyst));
            admin.try_set(me.role == Role::Admin);
        }
    });
    let load = move || {
        leptos::task::spawn_local(async move {
            let l = lang.get_untracked();
            rfm.try_set(Some(api::rfm_report().await.map_err(|e| e.message(l))));
            clv.try_set(Some(api::clv_fit().await.map_err(|e| e.message(l))));
        });
    };
    load();
    let run = move |fit: bool| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            let l = lang.get_untracked();
            let done = if fit {
                // The fit keeps its last 26 weeks aside to be checked against (the browser's
                // clock: chrono's has none in wasm).
                let today = chrono::DateTime::from_timestamp_millis(crate::ui::js_now()).map(|t| t.date_naive()).unwrap_or_default();
                api::fit_clv(today - chrono::Days::new(182)).await.map(|_| ())
            } else {
                api::recompute_metrics().await.map(|_| ())
            };
            busy.try_set(false);
            match done {
                Ok(()) => {
                    toast(i18n::text(l, if fit { A::ClvFitted } else { A::MetricsRecomputed }), false);
                    load();
                }
                Err(e) => toast(e.message(l), true),
            }
        });
    };
    view! {
        <header class="page-head">
            <h1>{tr(A::Analytics)}</h1>
            <Show when=move || analyst.get()>
                <div class="actions">
                    <button id="recompute" class="button" disabled=move || busy.get() on:click=move |_| run(false)>{tr(A::Recompute)}</button>
                    <button id="fit-clv" class="button" disabled=move || busy.get() on:click=move |_| run(true)>{tr(A::FitClv)}</button>
                </div>
            </Show>
        </header>
        {move || match rfm.get() {
            None => view! { <div class="skeleton">{tr(T::Loading)}</div> }.into_any(),
            Some(Err(e)) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
            Some(Ok(r)) if r.recomputed_at.is_none() => view! { <p class="empty" id="rfm-empty">{tr(A::RfmEmpty)}</p> }.into_any(),
            Some(Ok(r)) => view! { <RfmPanel report=r/> }.into_any(),
        }}
        <CohortPanel/>
        <PropensityPanel analyst=analyst/>
        {move || match clv.get() {
            None => ().into_any(),
            Some(Err(_)) => view! { <section class="panel"><h2>{tr(A::Clv)}</h2><p class="empty" id="clv-empty">{tr(A::ClvEmpty)}</p></section> }.into_any(),
            Some(Ok(f)) => view! { <ClvPanel fit=f/> }.into_any(),
        }}
        <ServicePanel admin=admin/>
    }
}

/// What serving a customer costs: the prices per case and per hour of activity, which admins
/// set and everyone else reads.
#[component]
fn ServicePanel(admin: RwSignal<bool>) -> impl IntoView {
    let lang = i18n::lang();
    let (case, hour, currency, busy) =
        (RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(false));
    leptos::task::spawn_local(async move {
        if let Ok(c) = api::service_costs().await {
            let l = lang.get_untracked();
            let shown = |m: Option<MoneyDto>| m.map(|m| crate::custom::decimal(l, &m.amount)).unwrap_or_default();
            case.try_set(shown(c.per_case));
            hour.try_set(shown(c.per_activity_hour));
            currency.try_set(c.currency);
        }
    });
    let save = move |_| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            let l = lang.get_untracked();
            // Typed with either digits, thousands separators and the Persian decimal mark.
            let wire = |s: String| {
                let s = crm_domain::digits::to_ascii_digits(s.trim()).replace('٫', ".").replace([',', '٬'], "");
                (!s.is_empty()).then_some(s)
            };
            let done = api::set_service_costs(wire(case.get_untracked()), wire(hour.get_untracked())).await;
            busy.try_set(false);
            match done {
                Ok(_) => toast(i18n::text(l, A::ServiceCostsSaved), false),
                Err(e) => toast(e.message(l), true),
            }
        });
    };
    let field = move |id: &'static str, label: A, value: RwSignal<String>| {
        view! {
            <label class="inline">{tr(label)}" "
                <input id=id inputmode="decimal" prop:value=move || value.get() on:input=move |e| value.set(event_target_value(&e)) disabled=move || !admin.get()/>
                " "<span class="muted">{move || currency.get()}</span>
            </label>
        }
    };
    view! {
        <section class="panel" id="service-costs">
            <h2>{tr(A::ServiceCosts)}</h2>
            <p class="muted">{tr(A::ServiceCostsExplain)}</p>
            <div class="row">
                {field("per-case", A::PerCase, case)}
                {field("per-activity-hour", A::PerActivityHour, hour)}
                <Show when=move || admin.get()>
                    <button id="save-service-costs" class="button" disabled=move || busy.get() on:click=save>{tr(T::Save)}</button>
                </Show>
            </div>
        </section>
    }
}

/// The RFM heat map (recency down, frequency across), its groups, and their numbers.
#[component]
fn RfmPanel(report: RfmReport) -> impl IntoView {
    let lang = i18n::lang();
    let most = report.cells.iter().map(|c| c.customers).max().unwrap_or(1).max(1);
    let cells = StoredValue::new(report.cells.clone());
    let groups = StoredValue::new(report.groups.clone());
    let cell = move |r: i32, f: i32| cells.with_value(|cs| cs.iter().find(|c| c.recency == r && c.frequency == f).cloned());
    let csv = move |_| {
        let l = lang.get_untracked();
        let mut rows =
            vec![vec![i18n::text(l, A::Group).to_owned(), i18n::text(l, A::Customers).to_owned(), i18n::text(l, A::Revenue).to_owned()]];
        groups.with_value(|gs| {
            for g in gs {
                rows.push(vec![i18n::text(l, group_label(&g.group)).to_owned(), g.customers.to_string(), g.revenue.amount.clone()]);
            }
        });
        export_csv("rfm-groups.csv", rows);
    };
    view! {
        <section class="panel" id="rfm">
            <h2>{tr(A::Rfm)}</h2>
            <p class="muted">{tr(A::RfmExplain)}</p>
            <table class="heat" id="rfm-grid">
                <thead><tr><th>{tr(A::RecencyFrequency)}</th>
                    {(1..=5).map(|f| view! { <th>{move || i18n::digits(lang.get(), &f.to_string())}</th> }).collect_view()}
                </tr></thead>
                <tbody>
                    {(1..=5).rev().map(|r| view! {
                        <tr><th>{move || i18n::digits(lang.get(), &r.to_string())}</th>
                            {(1..=5).map(|f| {
                                let c = cell(r, f);
                                let n = c.as_ref().map_or(0, |c| c.customers);
                                let shade = format!("--shade:{:.2}", n as f64 / most as f64);
                                let group = group_of(r, f);
                                view! {
                                    <td style=shade data-group=group title=move || i18n::text(lang.get(), group_label(group)).to_owned()>
                                        <strong>{move || i18n::number(lang.get(), n)}</strong>
                                        <small>{move || c.as_ref().map(|c| money(lang.get(), &c.revenue)).unwrap_or_default()}</small>
                                    </td>
                                }
                            }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <table class="list" id="rfm-groups">
                <thead><tr><th>{tr(A::Group)}</th><th>{tr(A::Customers)}</th><th>{tr(A::Revenue)}</th></tr></thead>
                <tbody>
                    {groups.get_value().into_iter().map(|g| {
                        let (label, n, revenue) = (group_label(&g.group), g.customers, g.revenue.clone());
                        view! {
                            <tr data-group=g.group>
                                <td>{move || i18n::text(lang.get(), label)}</td>
                                <td>{move || i18n::number(lang.get(), n)}</td>
                                <td>{move || money(lang.get(), &revenue)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <button class="button secondary" id="rfm-csv" on:click=csv>{tr(A::ExportCsv)}</button>
        </section>
    }
}

/// The group of a cell, as the server names it (the same map as `crm_analytics::rfm`).
fn group_of(r: i32, f: i32) -> &'static str {
    let (high_f, mid_f) = (f >= 4, (2..=3).contains(&f));
    match r {
        5 if high_f => "champions",
        3 | 4 if high_f => "loyal",
        4 | 5 if mid_f => "potential_loyalists",
        5 => "new_customers",
        4 => "promising",
        3 if f == 3 => "need_attention",
        3 => "about_to_sleep",
        _ if f >= 5 => "cant_lose_them",
        _ if f >= 3 => "at_risk",
        _ => "hibernating",
    }
}

/// The cohort triangle: customers by the month of their first purchase, the share of them who
/// bought in each month since, and when their margin covers what a customer cost to win.
#[component]
fn CohortPanel() -> impl IntoView {
    let lang = i18n::lang();
    let cost = RwSignal::new(String::new());
    let report = LocalResource::new(move || {
        let c = cost.get();
        async move { api::cohorts((!c.trim().is_empty()).then_some(c)).await }
    });
    let csv = move |_| {
        let Some(Ok(r)) = report.get_untracked() else { return };
        let l = lang.get_untracked();
        let mut rows = vec![vec![
            i18n::text(l, A::Cohort).to_owned(),
            i18n::text(l, A::Customers).to_owned(),
            i18n::text(l, A::MonthsSince).to_owned(),
            i18n::text(l, A::Retention).to_owned(),
            i18n::text(l, A::Revenue).to_owned(),
            i18n::text(l, A::Margin).to_owned(),
        ]];
        for c in &r.cohorts {
            for m in &c.months {
                rows.push(vec![
                    c.month.clone(),
                    c.customers.to_string(),
                    m.index.to_string(),
                    format!("{:.4}", m.retention),
                    m.revenue.amount.clone(),
                    m.margin.as_ref().map(|g| g.amount.clone()).unwrap_or_default(),
                ]);
            }
        }
        export_csv("cohorts.csv", rows);
    };
    view! {
        <section class="panel" id="cohorts">
            <h2>{tr(A::Cohorts)}</h2>
            <p class="muted">{tr(A::CohortsExplain)}</p>
            <label class="inline">{tr(A::AcquisitionCost)}" "
                <input id="acquisition-cost" inputmode="decimal" prop:value=move || cost.get() on:change=move |ev| cost.set(event_target_value(&ev))/>
            </label>
            {move || match report.get() {
                None => view! { <div class="skeleton">{tr(T::Loading)}</div> }.into_any(),
                Some(Err(e)) => view! { <p class="muted">{e.message(lang.get())}</p> }.into_any(),
                Some(Ok(r)) if r.cohorts.is_empty() => view! { <p class="empty">{tr(A::RfmEmpty)}</p> }.into_any(),
                Some(Ok(r)) => {
                    let width = r.cohorts.iter().map(|c| c.months.len()).max().unwrap_or(1).min(13);
                    view! {
                        <div class="scroll">
                            <table class="heat" id="cohort-triangle">
                                <thead><tr><th>{tr(A::Cohort)}</th><th>{tr(A::Customers)}</th><th>{tr(A::BreakEven)}</th>
                                    {(0..width).map(|k| view! { <th>{move || i18n::digits(lang.get(), &k.to_string())}</th> }).collect_view()}
                                </tr></thead>
                                <tbody>
                                    {r.cohorts.iter().map(|c| {
                                        let c = c.clone();
                                        view! {
                                            <tr data-cohort=c.month.clone()>
                                                <th>{month_label(lang.get(), &c.month, false)}</th>
                                                <td>{i18n::number(lang.get(), c.customers)}</td>
                                                <td class="break-even">{c.break_even_month.map(|k| i18n::number(lang.get(), k as i64)).unwrap_or_else(|| "—".into())}</td>
                                                {c.months.iter().take(width).map(|m| view! {
                                                    <td style=format!("--shade:{:.2}", m.retention) title=money(lang.get(), &m.revenue_per_customer)>{percent(lang.get(), m.retention)}</td>
                                                }).collect_view()}
                                                {(c.months.len()..width).map(|_| view! { <td class="blank"></td> }).collect_view()}
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        <button class="button secondary" id="cohorts-csv" on:click=csv>{tr(A::ExportCsv)}</button>
                    }.into_any()
                }
            }}
        </section>
    }
}

/// A factor of a score in words (the server's English for a feature this app does not know).
fn reason_text(lang: Lang, r: &PropensityReason, horizon: i64, currency: &str) -> String {
    let n = r.value.round() as i64;
    let say = |key: A| i18n::text(lang, key).replace("{n}", &i18n::number(lang, n.abs())).replace("{h}", &i18n::number(lang, horizon));
    let amount = || i18n::money_str(lang, &format!("{:.0}", r.value), currency);
    match r.feature.as_str() {
        "days_since_purchase" if r.value >= 3650.0 => say(A::RNoPurchase),
        "days_since_purchase" => say(A::RDaysSincePurchase),
        "orders_30d" => say(A::ROrders30),
        "orders_90d" => say(A::ROrders90),
        "orders_365d" => say(A::ROrders365),
        "revenue_365d" => say(A::RRevenue365).replace("{m}", &amount()),
        "average_order" => say(A::RAverageOrder).replace("{m}", &amount()),
        "customer_days" => say(A::RCustomerDays),
        "order_trend" => say(if n >= 0 { A::RTrendUp } else { A::RTrendDown }),
        "activities_30d" => say(A::RActs30),
        "activities_90d" => say(A::RActs90),
        "activities_all" => say(A::RActsAll),
        "days_since_activity" if r.value >= 3650.0 => say(A::RNoActivity),
        "days_since_activity" => say(A::RDaysSinceActivity),
        "cases_365d" => say(A::RCases365),
        "cases_all" => say(A::RCasesAll),
        "contact_days" => say(A::RContactDays),
        _ => r.text.clone(),
    }
}

/// Reasons as a list: each factor in words, raising (▲) or lowering (▼) the score.
fn reasons_view(lang: Lang, reasons: &[PropensityReason], horizon: i64, currency: &str) -> impl IntoView {
    view! {
        <ul class="reasons">
            {reasons.iter().map(|r| {
                let up = r.contribution >= 0.0;
                view! {
                    <li class=if up { "up" } else { "down" } data-feature=r.feature.clone()>
                        <span aria-hidden="true">{if up { "▲ " } else { "▼ " }}</span>{reason_text(lang, r, horizon, currency)}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

/// The propensity model's quality, and the most and least likely buyers with why.
#[component]
fn PropensityPanel(analyst: RwSignal<bool>) -> impl IntoView {
    let lang = i18n::lang();
    let most = RwSignal::new(true);
    let owner = RwSignal::new(String::new());
    let version = RwSignal::new(0u32);
    let busy = RwSignal::new(false);
    let model = LocalResource::new(move || {
        version.get();
        api::propensity_model()
    });
    let list = LocalResource::new(move || {
        version.get();
        let (m, o) = (most.get(), owner.get());
        async move { api::propensity_contacts(m, (!o.is_empty()).then_some(o)).await }
    });
    let members = LocalResource::new(api::members);
    let train = move |_| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            let l = lang.get_untracked();
            let done = api::train_propensity().await;
            busy.try_set(false);
            match done {
                Ok(_) => {
                    toast(i18n::text(l, A::PropensityTrained), false);
                    version.update(|v| *v += 1);
                }
                Err(e) => toast(e.message(l), true),
            }
        });
    };
    let csv = move |_| {
        let Some(Ok(r)) = list.get_untracked() else { return };
        let l = lang.get_untracked();
        let mut rows =
            vec![vec![i18n::text(l, T::NavContacts).to_owned(), i18n::text(l, A::Chance).to_owned(), i18n::text(l, A::Why).to_owned()]];
        for s in &r.items {
            let why: Vec<String> = s.reasons.iter().map(|x| reason_text(l, x, r.model.horizon_days, &r.currency)).collect();
            rows.push(vec![s.display_name.clone(), format!("{:.4}", s.probability), why.join("; ")]);
        }
        export_csv(if most.get_untracked() { "most-likely-buyers.csv" } else { "least-likely-buyers.csv" }, rows);
    };
    let quality = move |m: &PropensityModelDto| {
        let l = lang.get();
        let h = &m.holdout;
        let fig = move |v: Option<f64>| v.map(|v| figure(l, v, 2)).unwrap_or_else(|| "—".into());
        view! {
            <section class="facts"><dl id="propensity-quality">
                <dt>{tr(A::Auc)}</dt><dd id="propensity-auc">{fig(h.auc)}</dd>
                <dt>{tr(A::Lift)}</dt><dd>{fig(h.top_decile_lift)}</dd>
                <dt>{tr(A::Calibration)}</dt><dd>{fig(h.calibration)}</dd>
                <dt>{tr(A::Buyers)}</dt><dd>{format!("{} / {}", i18n::number(l, h.buyers as i64), i18n::number(l, h.contacts as i64))}</dd>
            </dl></section>
        }
    };
    view! {
        <section class="panel" id="propensity">
            <h2>{tr(A::Propensity)}</h2>
            <Show when=move || analyst.get()>
                <div class="actions">
                    <button id="train-propensity" class="button" disabled=move || busy.get() on:click=train>{tr(A::TrainPropensity)}</button>
                </div>
            </Show>
            {move || match model.get() {
                None => view! { <div class="skeleton">{tr(T::Loading)}</div> }.into_any(),
                Some(Err(_)) => view! { <p class="empty" id="propensity-empty">{tr(A::PropensityEmpty)}</p> }.into_any(),
                Some(Ok(m)) => {
                    let l = lang.get();
                    let explain = i18n::text(l, A::PropensityExplain).replace("{n}", &i18n::number(l, m.horizon_days));
                    let refused = m.refused.clone().map(|code| {
                        let why = match code.as_str() {
                            "not_enough_data" => i18n::text(l, A::WhyNotEnoughData).to_owned(),
                            "auc_too_low" => i18n::text(l, A::WhyAucTooLow).to_owned(),
                            "lift_too_low" => i18n::text(l, A::WhyLiftTooLow).to_owned(),
                            "miscalibrated" => i18n::text(l, A::WhyMiscalibrated).to_owned(),
                            _ => code,
                        };
                        view! { <p class="notice" id="propensity-refused" role="status">{i18n::text(l, A::PropensityRefused).replace("{why}", &why)}</p> }
                    });
                    view! { <p class="muted">{explain}</p>{quality(&m)}{refused} }.into_any()
                }
            }}
            <div class="toolbar">
                <div class="segmented" role="group">
                    <button id="most-likely" class="button secondary" aria-pressed=move || most.get().to_string() on:click=move |_| most.set(true)>{tr(A::MostLikely)}</button>
                    <button id="least-likely" class="button secondary" aria-pressed=move || (!most.get()).to_string() on:click=move |_| most.set(false)>{tr(A::LeastLikely)}</button>
                </div>
                <select id="propensity-owner" aria-label=move || i18n::text(lang.get(), T::Owner) on:change=move |ev| owner.set(event_target_value(&ev))>
                    <option value="">{tr(A::AnyOwner)}</option>
                    {move || members.get().and_then(Result::ok).unwrap_or_default().into_iter().map(|m| view! {
                        <option value=m.id.clone()>{m.name.clone()}</option>
                    }).collect_view()}
                </select>
            </div>
            {move || match list.get() {
                None => view! { <div class="skeleton">{tr(T::Loading)}</div> }.into_any(),
                Some(Err(_)) => ().into_any(),
                Some(Ok(r)) if r.items.is_empty() => view! { <p class="empty">{tr(A::NoneInReach)}</p> }.into_any(),
                Some(Ok(r)) => {
                    let l = lang.get();
                    let (horizon, currency) = (r.model.horizon_days, r.currency.clone());
                    view! {
                        <div class="scroll"><table class="list" id="propensity-list">
                            <thead><tr><th>{tr(T::NavContacts)}</th><th>{tr(A::Chance)}</th><th>{tr(A::Why)}</th></tr></thead>
                            <tbody>
                                {r.items.iter().map(|s: &PropensityScore| view! {
                                    <tr data-contact=s.contact_id.clone()>
                                        <td><a href=format!("/contacts/{}/analytics", s.contact_id)>{s.display_name.clone()}</a></td>
                                        <td><span class="bar actual" style=format!("--w:{:.3}", s.probability)></span>{percent(l, s.probability)}</td>
                                        <td>{reasons_view(l, &s.reasons, horizon, &currency)}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table></div>
                        <button class="button secondary" id="propensity-csv" on:click=csv>{tr(A::ExportCsv)}</button>
                    }.into_any()
                }
            }}
        </section>
    }
}

/// A contact's chance of buying now, and every factor behind it, largest first.
#[component]
fn ContactPropensityPanel(id: String) -> impl IntoView {
    let lang = i18n::lang();
    let score = LocalResource::new(move || {
        let id = id.clone();
        async move { api::contact_propensity(&id).await }
    });
    view! {
        <section class="panel" id="contact-propensity">
            <h2>{tr(A::Propensity)}</h2>
            {move || match score.get() {
                None => view! { <div class="skeleton">{tr(T::Loading)}</div> }.into_any(),
                Some(Err(e)) => view! { <p class="muted">{e.message(lang.get())}</p> }.into_any(),
                Some(Ok(c)) => {
                    let l = lang.get();
                    let mut all = c.score.contributions.clone();
                    all.sort_by(|a, b| b.contribution.abs().total_cmp(&a.contribution.abs()));
                    let widest = all.first().map_or(1.0, |r| r.contribution.abs()).max(1e-9);
                    let explain = i18n::text(l, A::PropensityExplain).replace("{n}", &i18n::number(l, c.model.horizon_days));
                    view! {
                        <p class="big" id="propensity-chance">{percent(l, c.score.probability)}</p>
                        <p class="muted">{explain}</p>
                        <div class="scroll"><table class="list bars" id="propensity-factors">
                            <thead><tr><th>{tr(A::Factor)}</th><th>{tr(A::Effect)}</th></tr></thead>
                            <tbody>
                                {all.iter().filter(|r| r.contribution.abs() >= 0.005).map(|r| {
                                    let up = r.contribution >= 0.0;
                                    view! {
                                        <tr class=if up { "up" } else { "down" } data-feature=r.feature.clone()>
                                            <td>{reason_text(l, r, c.model.horizon_days, &c.currency)}</td>
                                            <td><span class=if up { "bar actual" } else { "bar predicted" } style=format!("--w:{:.3}", r.contribution.abs() / widest)></span>
                                                {figure(l, r.contribution, 2)}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table></div>
                    }.into_any()
                }
            }}
        </section>
    }
}

/// The lifetime-value fit: its parameters and how it predicted the holdout.
#[component]
fn ClvPanel(fit: ClvFit) -> impl IntoView {
    let lang = i18n::lang();
    let fit = StoredValue::new(fit);
    let most = fit.with_value(|f| {
        f.holdout
            .as_ref()
            .map_or(1.0, |h| h.by_repeat_purchases.iter().map(|g| g.actual_mean.max(g.predicted_mean)).fold(0.0, f64::max))
            .max(1e-9)
    });
    let csv = move |_| {
        let l = lang.get_untracked();
        let mut rows = vec![vec![
            i18n::text(l, A::RepeatPurchases).to_owned(),
            i18n::text(l, A::Customers).to_owned(),
            i18n::text(l, A::Actual).to_owned(),
            i18n::text(l, A::Predicted).to_owned(),
        ]];
        fit.with_value(|f| {
            for g in f.holdout.iter().flat_map(|h| &h.by_repeat_purchases) {
                rows.push(vec![
                    g.repeat_purchases.clone(),
                    g.customers.to_string(),
                    format!("{:.4}", g.actual_mean),
                    format!("{:.4}", g.predicted_mean),
                ]);
            }
        });
        export_csv("clv-holdout.csv", rows);
    };
    view! {
        <section class="panel" id="clv">
            <h2>{tr(A::Clv)}</h2>
            <section class="facts"><dl>
                <dt>{tr(A::Customers)}</dt><dd id="clv-customers">{move || fit.with_value(|f| i18n::number(lang.get(), f.customers as i64))}</dd>
                <dt>{tr(A::Window)}</dt><dd>{move || fit.with_value(|f| format!("{} – {}", i18n::date(lang.get(), &f.calibration_start.to_string()), i18n::date(lang.get(), &f.calibration_end.to_string())))}</dd>
                <dt>{tr(A::ModelParameters)}</dt><dd>{move || fit.with_value(|f| { let p = &f.purchases; [p.r, p.alpha, p.a, p.b].map(|v| figure(lang.get(), v, 3)).join(" · ") })}</dd>
                <dt>{tr(A::MeanOrderValue)}</dt><dd>{move || fit.with_value(|f| f.spend.as_ref().map(|s| money(lang.get(), &s.mean_order_value)).or_else(|| f.spend_problem.clone()).unwrap_or_default())}</dd>
            </dl></section>
            {move || fit.with_value(|f| f.holdout.clone()).map(|h| view! {
                <h3>{tr(A::HoldoutCheck)}</h3>
                <p class="muted">{move || i18n::text(lang.get(), A::HoldoutExplain).replace("{a}", &i18n::number(lang.get(), h.actual as i64)).replace("{p}", &figure(lang.get(), h.predicted, 0))}</p>
                <table class="list bars" id="clv-holdout">
                    <thead><tr><th>{tr(A::RepeatPurchases)}</th><th>{tr(A::Customers)}</th><th>{tr(A::Actual)}</th><th>{tr(A::Predicted)}</th></tr></thead>
                    <tbody>
                        {h.by_repeat_purchases.iter().map(|g| {
                            let g = g.clone();
                            let (a, p) = (g.actual_mean, g.predicted_mean);
                            view! {
                                <tr>
                                    <td>{move || i18n::digits(lang.get(), &g.repeat_purchases)}</td>
                                    <td>{move || i18n::number(lang.get(), g.customers as i64)}</td>
                                    <td><span class="bar actual" style=format!("--w:{:.3}", a / most)></span>{move || figure(lang.get(), a, 2)}</td>
                                    <td><span class="bar predicted" style=format!("--w:{:.3}", p / most)></span>{move || figure(lang.get(), p, 2)}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                <button class="button secondary" id="clv-csv" on:click=csv>{tr(A::ExportCsv)}</button>
            })}
        </section>
    }
}

/// A contact's analytics: metrics, RFM, lifetime value, and profitability month by month.
#[component]
pub fn ContactAnalytics(id: String) -> impl IntoView {
    let lang = i18n::lang();
    let metrics = RwSignal::new(None::<Result<CustomerMetrics, String>>);
    let clv = RwSignal::new(None::<Option<ContactClv>>);
    let path = StoredValue::new(id.clone());
    Effect::new(move || {
        let calendar = if lang.get() == Lang::Fa { "solar_hijri" } else { "gregorian" };
        let id = path.get_value();
        leptos::task::spawn_local(async move {
            let l = lang.get_untracked();
            metrics.try_set(Some(api::contact_metrics(&id, calendar).await.map_err(|e| e.message(l))));
            clv.try_set(Some(api::contact_clv(&id).await.ok()));
        });
    });
    let csv = move |_| {
        let l = lang.get_untracked();
        let Some(Ok(m)) = metrics.get_untracked() else { return };
        let mut rows = vec![vec![
            i18n::text(l, A::Month).to_owned(),
            i18n::text(l, A::Orders).to_owned(),
            i18n::text(l, A::Revenue).to_owned(),
            i18n::text(l, A::Cost).to_owned(),
            i18n::text(l, A::Margin).to_owned(),
            i18n::text(l, T::Cases).to_owned(),
            i18n::text(l, A::ActivityHours).to_owned(),
            i18n::text(l, A::ServiceCost).to_owned(),
            i18n::text(l, A::NetContribution).to_owned(),
        ]];
        let amount = |m: &Option<MoneyDto>| m.as_ref().map(|m| m.amount.clone()).unwrap_or_default();
        for mo in &m.months {
            let t = &mo.totals;
            let s = mo.service.as_ref();
            rows.push(vec![
                mo.month.clone(),
                t.orders.to_string(),
                t.revenue.amount.clone(),
                t.cost.amount.clone(),
                amount(&t.gross_margin),
                s.map(|s| s.cases.to_string()).unwrap_or_default(),
                s.map(|s| s.activity_hours.to_string()).unwrap_or_default(),
                s.map(|s| amount(&s.service_cost)).unwrap_or_default(),
                s.map(|s| amount(&s.net_contribution)).unwrap_or_default(),
            ]);
        }
        export_csv("profitability.csv", rows);
    };
    view! {
        <p class="crumbs"><a href=format!("/contacts/{id}")>{tr(T::NavContacts)}</a></p>
        <header class="page-head"><h1>{tr(A::CustomerAnalytics)}</h1></header>
        <ContactPropensityPanel id=id.clone()/>
        {move || match metrics.get() {
            None => view! { <div class="skeleton">{tr(T::Loading)}</div> }.into_any(),
            Some(Err(e)) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
            Some(Ok(m)) if !m.customer => view! { <p class="empty" id="not-a-customer">{tr(A::NotACustomer)}</p> }.into_any(),
            Some(Ok(m)) => {
                let most = m.months.iter().filter_map(|mo| mo.totals.revenue.amount.parse::<f64>().ok()).fold(0.0, f64::max).max(1e-9);
                let t = m.totals.clone();
                let served = m.service.is_some();
                view! {
                    <section class="facts">
                        <dl id="customer-facts">
                            <dt>{tr(A::Orders)}</dt><dd id="metric-orders">{i18n::number(lang.get(), t.orders)}</dd>
                            <dt>{tr(A::Revenue)}</dt><dd id="metric-revenue">{money(lang.get(), &t.revenue)}</dd>
                            <dt>{tr(A::Margin)}</dt><dd id="metric-margin">{match &t.gross_margin {
                                Some(g) => money(lang.get(), g),
                                None => i18n::text(lang.get(), A::MarginUnknown).replace("{n}", &i18n::number(lang.get(), t.orders_without_cost)),
                            }}</dd>
                            {m.service.clone().map(|s| view! {
                                <dt>{tr(A::Service)}</dt>
                                <dd id="metric-service">{i18n::text(lang.get(), A::ServiceTaken).replace("{c}", &i18n::number(lang.get(), s.cases)).replace("{h}", &hours(lang.get(), s.activity_hours))}</dd>
                                <dt>{tr(A::ServiceCost)}</dt>
                                <dd id="metric-service-cost">{s.service_cost.as_ref().map(|c| money(lang.get(), c)).unwrap_or_else(|| i18n::text(lang.get(), A::ServiceUnpriced).to_owned())}</dd>
                                <dt>{tr(A::NetContribution)}</dt>
                                <dd id="metric-net">{s.net_contribution.as_ref().map(|c| money(lang.get(), c)).unwrap_or_else(|| "—".into())}</dd>
                            })}
                            <dt>{tr(A::Rfm)}</dt><dd id="metric-rfm">{m.rfm.as_ref().map(|s| format!("{} · R{} F{} M{}", i18n::text(lang.get(), group_label(&s.group)), s.recency, s.frequency, s.monetary)).map(|s| i18n::digits(lang.get(), &s)).unwrap_or_else(|| "—".into())}</dd>
                            {move || clv.get().flatten().map(|c| view! {
                                <dt>{tr(A::PAlive)}</dt><dd id="metric-alive">{c.p_alive.map(|p| percent(lang.get(), p)).unwrap_or_default()}</dd>
                                <dt>{tr(A::Clv)}</dt><dd id="metric-clv">{c.clv.as_ref().map(|v| money(lang.get(), v)).unwrap_or_else(|| "—".into())}</dd>
                            })}
                        </dl>
                    </section>
                    <section class="panel">
                        <h2>{tr(A::ProfitOverTime)}</h2>
                        <div class="scroll"><table class="list bars" id="months">
                            <thead><tr>
                                <th>{tr(A::Month)}</th><th>{tr(A::Orders)}</th><th>{tr(A::Revenue)}</th><th>{tr(A::Margin)}</th>
                                {served.then(|| view! { <th>{tr(A::ServiceCost)}</th><th>{tr(A::NetContribution)}</th> })}
                            </tr></thead>
                            <tbody>
                                {m.months.iter().map(|mo| {
                                    let share = mo.totals.revenue.amount.parse::<f64>().unwrap_or(0.0) / most;
                                    view! {
                                        <tr>
                                            <td>{month_label(lang.get(), &mo.month, true)}</td>
                                            <td>{i18n::number(lang.get(), mo.totals.orders)}</td>
                                            <td><span class="bar actual" style=format!("--w:{share:.3}")></span>{money(lang.get(), &mo.totals.revenue)}</td>
                                            <td>{mo.totals.gross_margin.as_ref().map(|g| money(lang.get(), g)).unwrap_or_else(|| "—".into())}</td>
                                            {mo.service.clone().map(|s| view! {
                                                <td>{s.service_cost.as_ref().map(|c| money(lang.get(), c)).unwrap_or_else(|| "—".into())}</td>
                                                <td>{s.net_contribution.as_ref().map(|c| money(lang.get(), c)).unwrap_or_else(|| "—".into())}</td>
                                            })}
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table></div>
                        <button class="button secondary" id="months-csv" on:click=csv>{tr(A::ExportCsv)}</button>
                    </section>
                }.into_any()
            }
        }}
    }
}
