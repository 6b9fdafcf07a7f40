//! The company list.

use crate::api;
use crate::format;
use leptos::prelude::*;

#[component]
pub fn Companies() -> impl IntoView {
    let q = RwSignal::new(String::new());
    let cursor = RwSignal::new(None::<String>);
    let page = LocalResource::new(move || api::companies(q.get(), cursor.get()));
    view! {
        <header class="page-head"><h1>"Companies"</h1></header>
        <div class="toolbar">
            <input id="company-search" type="search" placeholder="Search name, domain, city or phone"
                prop:value=move || q.get() on:input=move |ev| { q.set(event_target_value(&ev)); cursor.set(None); }/>
        </div>
        <Transition fallback=|| view! { <div class="skeleton">"Loading companies…"</div> }>
            {move || Suspend::new(async move {
                match page.await {
                    Err(e) => view! { <p class="error" role="alert">{e.message()}</p> }.into_any(),
                    Ok(p) if p.items.is_empty() => view! { <div class="empty"><p>"No companies match."</p></div> }.into_any(),
                    Ok(p) => {
                        let next = p.next_cursor.clone();
                        view! {
                            <p class="count">{format!("{} companies", p.total.unwrap_or(0))}</p>
                            <table class="list">
                                <thead><tr><th>"Name"</th><th>"Domain"</th><th>"City"</th><th>"Phone"</th><th>"Contacts"</th></tr></thead>
                                <tbody>
                                    {p.items.into_iter().map(|c| view! {
                                        <tr>
                                            <td>{c.name.clone()}</td>
                                            <td class="ltr">{c.domain.clone().unwrap_or_default()}</td>
                                            <td>{c.city.clone().unwrap_or_default()}</td>
                                            <td class="ltr">{c.phones.first().map(|p| format::phone(&p.number)).unwrap_or_default()}</td>
                                            <td>{c.contact_count}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <div class="pager">
                                <button disabled=next.is_none() on:click=move |_| cursor.set(next.clone())>"Next →"</button>
                            </div>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
