//! Sign-in.

use crate::api;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

#[component]
pub fn Login() -> impl IntoView {
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let navigate = use_navigate();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        error.set(None);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match api::login(email.get_untracked(), password.get_untracked()).await {
                Ok(()) => navigate("/contacts", Default::default()),
                Err(e) => {
                    error.set(Some(e.message()));
                    busy.set(false);
                }
            }
        });
    };
    view! {
        <div class="login">
            <form on:submit=submit>
                <h1>"Sign in to CRM"</h1>
                <label for="email">"Email"</label>
                <input id="email" type="email" autocomplete="username" required bind:value=email autofocus/>
                <label for="password">"Password"</label>
                <input id="password" type="password" autocomplete="current-password" required bind:value=password/>
                <Show when=move || error.get().is_some()>
                    <p class="error" role="alert">{move || error.get().unwrap_or_default()}</p>
                </Show>
                <button type="submit" disabled=move || busy.get()>{move || if busy.get() { "Signing in…" } else { "Sign in" }}</button>
                <p class="hint">"The first start of the server printed the admin's email and password."</p>
            </form>
        </div>
    }
}
