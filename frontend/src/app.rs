//! The shell: routes, the signed-in layout and navigation, the language.

use crate::api;
use crate::i18n::{self, tr, T};
use crate::pages::inbox::{refresh_unread, Inbox, Unread};
use crate::pages::{
    board::Board,
    case::CasePage,
    company::CompanyPage,
    console::{CallPop, Console},
    contact::ContactPage,
    contact_new::NewContact,
    deal::DealPage,
    feed::Feed,
    leads::LeadPage,
    login::Login,
    my_day::MyDay,
    record::{NewRecord, RecordPage, ACTIVITY, CASE_NEW, COMPANY_NEW, DEAL_NEW, LEAD, ORDER, PRODUCT, TASK},
    records::{Activities, Cases, CompanyList, ContactList, DealList, Leads, Orders, Products, Tasks},
};
use crate::palette::{Palette, PaletteButton, PaletteOpen};
use crate::router;
use crate::ui::{provide_toasts, ToastStack};
use leptos::prelude::*;

#[component]
pub fn App() -> impl IntoView {
    i18n::provide();
    provide_toasts();
    crate::ui::show_left_messages();
    router::install();
    crate::custom::follow_changes();
    let signed_in_area = Memo::new(|_| router::path() != "/login");
    move || if signed_in_area.get() { view! { <Layout/> }.into_any() } else { view! { <Login/> }.into_any() }
}

/// The page for a path inside the signed-in frame.
fn page(path: &str) -> AnyView {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let id = |s: &str| s.to_owned();
    match segments.as_slice() {
        [""] => {
            router::redirect("/contacts");
            ().into_any()
        }
        ["contacts"] => view! { <ContactList/> }.into_any(),
        ["contacts", "new"] => view! { <NewContact/> }.into_any(),
        ["contacts", c] => view! { <ContactPage id=id(c)/> }.into_any(),
        ["companies"] => view! { <CompanyList/> }.into_any(),
        ["companies", "new"] => view! { <NewRecord spec=&COMPANY_NEW/> }.into_any(),
        ["companies", c] => view! { <CompanyPage id=id(c)/> }.into_any(),
        ["deals"] => view! { <Board/> }.into_any(),
        ["deals", "list"] => view! { <DealList/> }.into_any(),
        ["deals", "new"] => view! { <NewRecord spec=&DEAL_NEW/> }.into_any(),
        ["deals", d] => view! { <DealPage id=id(d)/> }.into_any(),
        ["leads"] => view! { <Leads/> }.into_any(),
        ["leads", "new"] => view! { <NewRecord spec=&LEAD/> }.into_any(),
        ["leads", l] => view! { <LeadPage id=id(l)/> }.into_any(),
        ["my-day"] => view! { <MyDay/> }.into_any(),
        ["products"] => view! { <Products/> }.into_any(),
        ["products", "new"] => view! { <NewRecord spec=&PRODUCT/> }.into_any(),
        ["products", p] => view! { <RecordPage spec=&PRODUCT id=id(p)/> }.into_any(),
        ["orders"] => view! { <Orders/> }.into_any(),
        // The order form is in the second bundle: few people record orders by hand.
        ["orders", "new"] => view! { <crate::admin::AdminHost/> }.into_any(),
        ["orders", o] => view! { <RecordPage spec=&ORDER id=id(o)/> }.into_any(),
        ["activities"] => view! { <Activities/> }.into_any(),
        ["activities", a] => view! { <RecordPage spec=&ACTIVITY id=id(a)/> }.into_any(),
        ["tasks"] => view! { <Tasks/> }.into_any(),
        ["tasks", "new"] => view! { <NewRecord spec=&TASK/> }.into_any(),
        ["tasks", t] => view! { <RecordPage spec=&TASK id=id(t)/> }.into_any(),
        ["cases"] => view! { <Cases/> }.into_any(),
        ["cases", "new"] => view! { <NewRecord spec=&CASE_NEW/> }.into_any(),
        ["cases", c] => view! { <CasePage id=id(c)/> }.into_any(),
        ["inbox"] => view! { <Inbox/> }.into_any(),
        ["console"] => view! { <Console/> }.into_any(),
        ["feed"] => view! { <Feed/> }.into_any(),
        // Settings and the analytics are in the second bundle, loaded when first opened.
        ["settings", ..] | ["analytics"] | ["segments", ..] | ["imports", ..] | ["contacts", _, "analytics"] => {
            view! { <crate::admin::AdminHost/> }.into_any()
        }
        _ => view! { <p class="empty">{tr(T::NotFound)}" "<a href="/contacts">{tr(T::GoToContacts)}</a></p> }.into_any(),
    }
}

/// The side navigation's links, in order.
const NAV: [(&str, T); 15] = [
    ("/my-day", T::NavMyDay),
    ("/feed", T::NavFeed),
    ("/console", T::NavConsole),
    ("/contacts", T::NavContacts),
    ("/companies", T::NavCompanies),
    ("/leads", T::NavLeads),
    ("/deals", T::NavBoard),
    ("/deals/list", T::NavDeals),
    ("/products", T::NavProducts),
    ("/orders", T::NavOrders),
    ("/activities", T::NavActivities),
    ("/tasks", T::NavTasks),
    ("/cases", T::NavCases),
    ("/analytics", T::NavAnalytics),
    ("/segments", T::NavSegments),
];

/// The signed-in frame: navigation on the side, the page beside it. Sends signed-out
/// visitors to the sign-in page.
#[component]
pub fn Layout() -> AnyView {
    let lang = i18n::lang();
    if !api::signed_in() {
        router::redirect("/login");
        return ().into_any();
    }
    provide_context(PaletteOpen(RwSignal::new(false)));
    let unread = RwSignal::new(0i64);
    provide_context(Unread(unread));
    let live = crate::live::start(unread);
    // The bell: now, every 30 seconds, and on every navigation.
    refresh_unread();
    let path = Memo::new(|_| router::path());
    Effect::new(move || {
        path.track();
        refresh_unread();
    });
    let poll = set_interval_with_handle(
        move || {
            leptos::task::spawn_local(async move {
                if let Ok(u) = api::unread_count().await {
                    unread.try_set(u.unread);
                }
            });
        },
        std::time::Duration::from_secs(30),
    );
    if let Ok(handle) = poll {
        on_cleanup(move || handle.clear());
    }
    let me = LocalResource::new(api::me);
    // The person's language, as remembered on the server.
    Effect::new(move || {
        if let Some(Ok(m)) = me.get() {
            i18n::adopt(lang, &m.locale);
        }
    });
    let sign_out = move |_| {
        leptos::task::spawn_local(async move {
            api::logout().await;
            router::navigate("/login");
        });
    };
    let links: Vec<&str> = ["/inbox", "/settings"].into_iter().chain(NAV.iter().map(|(href, _)| *href)).collect();
    let active = Memo::new(move |_| path.with(|p| router::active_of(p, &links)));
    let current = move |href: &'static str| move || (active.get() == Some(href)).then_some("page");
    view! {
        <div class="shell" data-live=move || live.connected.get().to_string()>
            <nav class="side">
                <div class="brand">{tr(T::Brand)}</div>
                <PaletteButton/>
                <a href="/inbox" id="nav-inbox" aria-current=current("/inbox")>
                    {tr(T::Inbox)}
                    <Show when=move || { unread.get() > 0 }>
                        " "<span class="unread-count" id="unread-count" aria-label=tr(T::Unread)>{move || i18n::number(lang.get(), unread.get())}</span>
                    </Show>
                </a>
                {NAV.iter().map(|&(href, label)| view! { <a href=href aria-current=current(href)>{tr(label)}</a> }).collect_view()}
                <Show when=move || matches!(me.get(), Some(Ok(m)) if m.role == crm_api_types::Role::Admin)>
                    <a href="/settings" id="nav-settings" aria-current=current("/settings")>{tr(T::NavSettings)}</a>
                </Show>
                <a href="/api/docs/" target="_blank">{tr(T::NavExplorer)}</a>
                <div class="me">
                    {move || match me.get() {
                        Some(Ok(m)) => view! { <span class="who">{m.name}" · "{m.role.to_string()}</span> }.into_any(),
                        Some(Err(api::ApiError::SignedOut)) => {
                            router::redirect("/login");
                            ().into_any()
                        }
                        _ => ().into_any(),
                    }}
                    <button id="lang" class="link" on:click=move |_| i18n::set(lang, lang.get_untracked().other())>{tr(T::SwitchLanguage)}</button>
                    <button class="link" on:click=sign_out>{tr(T::SignOut)}</button>
                </div>
            </nav>
            <main class="content">{move || path.with(|p| page(p))}</main>
            <Palette/>
            <CallPop/>
            <ToastStack/>
        </div>
    }
    .into_any()
}
