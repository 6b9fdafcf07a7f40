//! Sign-in.

use crate::api;
use crate::i18n::{self, tr, T};
use crate::router;
use leptos::prelude::*;

#[component]
pub fn Login() -> impl IntoView {
    let lang = i18n::lang();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match api::login(email.get_untracked(), password.get_untracked()).await {
                Ok(()) => {
                    // The language chosen here becomes the person's language.
                    let _ = api::set_locale(lang.get_untracked().code()).await;
                    router::navigate("/contacts")
                }
                Err(e) => {
                    error.set(Some(e.message(lang.get_untracked())));
                    busy.set(false);
                }
            }
        });
    };
    view! {
        <div class="login">
            <form on:submit=submit>
                <div class="login-head">
                    <h1>{tr(T::SignInTitle)}</h1>
                    <button type="button" class="link lang-switch" on:click=move |_| i18n::set(lang, lang.get_untracked().other())>
                        {tr(T::SwitchLanguage)}
                    </button>
                </div>
                <label for="email">{tr(T::Email)}</label>
                <input id="email" type="email" autocomplete="username" required bind:value=email autofocus class="ltr"/>
                <label for="password">{tr(T::Password)}</label>
                <input id="password" type="password" autocomplete="current-password" required bind:value=password/>
                <Show when=move || error.get().is_some()>
                    <p class="error" role="alert">{move || error.get().unwrap_or_default()}</p>
                </Show>
                <button type="submit" disabled=move || busy.get()>{move || i18n::text(lang.get(), if busy.get() { T::SigningIn } else { T::SignIn })}</button>
                <p class="hint">{tr(T::SignInHint)}</p>
            </form>
        </div>
    }
}
