//! The company list.

use crate::api;
use crate::i18n::{self, tr, T};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn Companies() -> impl IntoView {
    let lang = i18n::lang();
    // `?q=` (from the search palette) fills the box.
    let initial = leptos_router::hooks::use_query_map().with_untracked(|m| m.get("q").unwrap_or_default());
    let q = RwSignal::new(initial);
    let cursor = RwSignal::new(None::<String>);
    let page = LocalResource::new(move || api::companies(q.get(), cursor.get()));
    view! {
        <header class="page-head"><h1>{tr(T::Companies)}</h1></header>
        <div class="toolbar">
            <input id="company-search" type="search" placeholder=tr(T::SearchCompanies)
                prop:value=move || q.get() on:input=move |ev| { q.set(event_target_value(&ev)); cursor.set(None); }/>
        </div>
        <Transition fallback=|| view! { <div class="skeleton">{tr(T::LoadingCompanies)}</div> }>
            {move || Suspend::new(async move {
                let l = lang.get();
                match page.await {
                    Err(e) => view! { <p class="error" role="alert">{e.message(l)}</p> }.into_any(),
                    Ok(p) if p.items.is_empty() => view! { <div class="empty"><p>{tr(T::NoCompanies)}</p></div> }.into_any(),
                    Ok(p) => {
                        let next = p.next_cursor.clone();
                        view! {
                            <p class="count">{i18n::count(l, T::CompanyCount, p.total.unwrap_or(0))}</p>
                            <table class="list">
                                <thead><tr><th>{tr(T::Name)}</th><th>{tr(T::Domain)}</th><th>{tr(T::City)}</th><th>{tr(T::Phone)}</th><th>{tr(T::ContactsColumn)}</th></tr></thead>
                                <tbody>
                                    {p.items.into_iter().map(|c| view! {
                                        <tr>
                                            <td><A href=format!("/companies/{}", c.id) attr:class="company-link">{c.name.clone()}</A></td>
                                            <td class="ltr">{c.domain.clone().unwrap_or_default()}</td>
                                            <td>{c.city.clone().unwrap_or_default()}</td>
                                            <td class="ltr">{c.phones.first().map(|p| i18n::phone(l, &p.number)).unwrap_or_default()}</td>
                                            <td>{i18n::number(l, c.contact_count)}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <div class="pager">
                                <button disabled=next.is_none() on:click=move |_| cursor.set(next.clone())>{tr(T::Next)}</button>
                            </div>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
