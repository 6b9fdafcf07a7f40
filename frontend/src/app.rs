//! The shell: routes, the signed-in layout and navigation, the language.

use crate::api;
use crate::i18n::{self, tr, T};
use crate::pages::inbox::{refresh_unread, Inbox, Unread};
use crate::pages::{
    board::Board,
    case::CasePage,
    company::CompanyPage,
    contact::ContactPage,
    contact_new::NewContact,
    deal::DealPage,
    leads::Leads,
    login::Login,
    my_day::MyDay,
    records::{Activities, Cases, CompanyList, ContactList, DealList, Orders, Products, Tasks},
};
use crate::palette::{Palette, PaletteButton, PaletteOpen};
use crate::ui::{provide_toasts, ToastStack};
use leptos::prelude::*;
use leptos_router::components::{Outlet, ParentRoute, Redirect, Route, Router, Routes, A};
use leptos_router::hooks::use_navigate;
use leptos_router::path;

#[component]
pub fn App() -> impl IntoView {
    i18n::provide();
    provide_toasts();
    view! {
        <Router>
            <Routes fallback=|| view! { <p class="empty">{tr(T::NotFound)}" "<a href="/contacts">{tr(T::GoToContacts)}</a></p> }>
                <Route path=path!("/login") view=Login/>
                <ParentRoute path=path!("") view=Layout>
                    <Route path=path!("") view=|| view! { <Redirect path="/contacts"/> }/>
                    <Route path=path!("contacts") view=ContactList/>
                    <Route path=path!("contacts/new") view=NewContact/>
                    <Route path=path!("contacts/:id") view=ContactPage/>
                    <Route path=path!("companies") view=CompanyList/>
                    <Route path=path!("companies/:id") view=CompanyPage/>
                    <Route path=path!("deals") view=Board/>
                    <Route path=path!("leads") view=Leads/>
                    <Route path=path!("my-day") view=MyDay/>
                    <Route path=path!("deals/list") view=DealList/>
                    <Route path=path!("deals/:id") view=DealPage/>
                    <Route path=path!("products") view=Products/>
                    <Route path=path!("orders") view=Orders/>
                    <Route path=path!("activities") view=Activities/>
                    <Route path=path!("tasks") view=Tasks/>
                    <Route path=path!("cases") view=Cases/>
                    <Route path=path!("cases/:id") view=CasePage/>
                    <Route path=path!("inbox") view=Inbox/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// The signed-in frame: navigation on the side, the page beside it. Sends signed-out
/// visitors to the sign-in page.
#[component]
pub fn Layout() -> impl IntoView {
    let lang = i18n::lang();
    let navigate = use_navigate();
    if !api::signed_in() {
        navigate("/login", Default::default());
    }
    provide_context(PaletteOpen(RwSignal::new(false)));
    let unread = RwSignal::new(0i64);
    provide_context(Unread(unread));
    // The bell: now, every 30 seconds, and on every navigation.
    refresh_unread();
    let location = leptos_router::hooks::use_location();
    Effect::new(move || {
        location.pathname.track();
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
    let to_login = navigate.clone();
    let sign_out = move |_| {
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            api::logout().await;
            navigate("/login", Default::default());
        });
    };
    view! {
        <div class="shell">
            <nav class="side">
                <div class="brand">{tr(T::Brand)}</div>
                <PaletteButton/>
                <A href="/inbox" attr:id="nav-inbox">
                    {tr(T::Inbox)}
                    <Show when=move || { unread.get() > 0 }>
                        " "<span class="unread-count" id="unread-count" aria-label=tr(T::Unread)>{move || i18n::number(lang.get(), unread.get())}</span>
                    </Show>
                </A>
                <A href="/my-day">{tr(T::NavMyDay)}</A>
                <A href="/contacts">{tr(T::NavContacts)}</A>
                <A href="/companies">{tr(T::NavCompanies)}</A>
                <A href="/leads">{tr(T::NavLeads)}</A>
                <A href="/deals">{tr(T::NavBoard)}</A>
                <A href="/deals/list">{tr(T::NavDeals)}</A>
                <A href="/products">{tr(T::NavProducts)}</A>
                <A href="/orders">{tr(T::NavOrders)}</A>
                <A href="/activities">{tr(T::NavActivities)}</A>
                <A href="/tasks">{tr(T::NavTasks)}</A>
                <A href="/cases">{tr(T::NavCases)}</A>
                <a href="/api/docs/" target="_blank">{tr(T::NavExplorer)}</a>
                <div class="me">
                    <Suspense fallback=|| ()>
                        {move || {
                            let to_login = to_login.clone();
                            Suspend::new(async move {
                            match me.await {
                                Ok(m) => view! { <span class="who">{m.name}" · "{m.role.to_string()}</span> }.into_any(),
                                Err(api::ApiError::SignedOut) => {
                                    to_login("/login", Default::default());
                                    ().into_any()
                                }
                                Err(_) => ().into_any(),
                            }
                        })}}
                    </Suspense>
                    <button id="lang" class="link" on:click=move |_| i18n::set(lang, lang.get_untracked().other())>{tr(T::SwitchLanguage)}</button>
                    <button class="link" on:click=sign_out>{tr(T::SignOut)}</button>
                </div>
            </nav>
            <main class="content"><Outlet/></main>
            <Palette/>
            <ToastStack/>
        </div>
    }
}
