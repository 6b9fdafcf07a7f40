//! The shell: routes, the signed-in layout and navigation, the language.

use crate::api;
use crate::i18n::{self, tr, T};
use crate::pages::{companies::Companies, contact::ContactPage, contacts::Contacts, login::Login};
use leptos::prelude::*;
use leptos_router::components::{Outlet, ParentRoute, Redirect, Route, Router, Routes, A};
use leptos_router::hooks::use_navigate;
use leptos_router::path;

#[component]
pub fn App() -> impl IntoView {
    i18n::provide();
    view! {
        <Router>
            <Routes fallback=|| view! { <p class="empty">{tr(T::NotFound)}" "<a href="/contacts">{tr(T::GoToContacts)}</a></p> }>
                <Route path=path!("/login") view=Login/>
                <ParentRoute path=path!("") view=Layout>
                    <Route path=path!("") view=|| view! { <Redirect path="/contacts"/> }/>
                    <Route path=path!("contacts") view=Contacts/>
                    <Route path=path!("contacts/:id") view=ContactPage/>
                    <Route path=path!("companies") view=Companies/>
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
    let me = LocalResource::new(api::me);
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
                <A href="/contacts">{tr(T::NavContacts)}</A>
                <A href="/companies">{tr(T::NavCompanies)}</A>
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
        </div>
    }
}
