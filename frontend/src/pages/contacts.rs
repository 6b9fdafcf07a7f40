//! The contact list: search, filters, cursor paging.

use crate::api::{self, ContactQuery};
use crate::i18n::{self, tr, T};
use crm_api_types::LifecycleStage;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn Contacts() -> impl IntoView {
    let lang = i18n::lang();
    let q = RwSignal::new(String::new());
    let stage = RwSignal::new(String::new());
    let mine = RwSignal::new(false);
    let sort = RwSignal::new(String::from("-created_at"));
    // Cursors of the pages before this one, so "Previous" works with forward-only cursors.
    let history = RwSignal::new(Vec::<Option<String>>::new());
    let cursor = RwSignal::new(None::<String>);
    let reset = move || {
        history.set(Vec::new());
        cursor.set(None);
    };
    let page = LocalResource::new(move || {
        let query = ContactQuery { q: q.get(), stage: stage.get(), mine: mine.get(), sort: sort.get(), cursor: cursor.get() };
        api::contacts(query)
    });
    let search_ref = NodeRef::<leptos::html::Input>::new();
    let shortcut = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "/" && !crate::ui::typing(&ev) {
            ev.prevent_default();
            if let Some(input) = search_ref.get_untracked() {
                let _ = input.focus();
            }
        }
    });
    on_cleanup(move || shortcut.remove());
    view! {
        <header class="page-head">
            <h1>{tr(T::Contacts)}</h1>
            <A href="/contacts/new" attr:class="button" attr:id="new-contact">{tr(T::NewContact)}</A>
        </header>
        <div class="toolbar">
            <input
                id="search"
                node_ref=search_ref
                type="search"
                placeholder=tr(T::SearchContacts)
                prop:value=move || q.get()
                on:input=move |ev| {
                    q.set(event_target_value(&ev));
                    reset();
                }
            />
            <select id="stage" on:change=move |ev| { stage.set(event_target_value(&ev)); reset(); }>
                <option value="">{tr(T::AllStages)}</option>
                {LifecycleStage::ALL.iter().map(|s| view! { <option value=s.as_str()>{tr(i18n::stage(*s))}</option> }).collect_view()}
            </select>
            <select id="sort" on:change=move |ev| { sort.set(event_target_value(&ev)); reset(); }>
                <option value="-created_at">{tr(T::SortNewest)}</option>
                <option value="created_at">{tr(T::SortOldest)}</option>
                <option value="name">{tr(T::SortName)}</option>
                <option value="-updated_at">{tr(T::SortChanged)}</option>
            </select>
            <label class="check"><input id="mine" type="checkbox" on:change=move |ev| { mine.set(event_target_checked(&ev)); reset(); }/>" "{tr(T::MineOnly)}</label>
        </div>
        <Transition fallback=|| view! { <div class="skeleton">{tr(T::LoadingContacts)}</div> }>
            {move || Suspend::new(async move {
                let l = lang.get();
                match page.await {
                    Err(e) => view! { <p class="error" role="alert">{e.message(l)}</p> }.into_any(),
                    Ok(p) if p.items.is_empty() => view! {
                        <div class="empty">
                            <p>{tr(T::NoContacts)}</p>
                            <p class="hint">{tr(T::NoContactsHint)}</p>
                        </div>
                    }.into_any(),
                    Ok(p) => {
                        let next = p.next_cursor.clone();
                        let total = p.total.unwrap_or(0);
                        let shown = p.items.len();
                        view! {
                            <p class="count">{i18n::count(l, T::ContactCount, total)}</p>
                            <table class="list">
                                <thead><tr><th>{tr(T::Name)}</th><th>{tr(T::Company)}</th><th>{tr(T::Email)}</th><th>{tr(T::Phone)}</th><th>{tr(T::Stage)}</th></tr></thead>
                                <tbody>
                                    {p.items.into_iter().map(|c| {
                                        let href = format!("/contacts/{}", c.id);
                                        let email = c.emails.iter().find(|e| e.primary).map(|e| e.address.clone()).unwrap_or_default();
                                        let phone = c.phones.iter().find(|e| e.primary).map(|e| i18n::phone(l, &e.number)).unwrap_or_default();
                                        view! {
                                            <tr>
                                                <td><A href=href attr:class="contact-link">{c.display_name.clone()}</A></td>
                                                <td>{c.company_name.clone().unwrap_or_default()}</td>
                                                <td class="ltr">{email}</td>
                                                <td class="ltr">{phone}</td>
                                                <td><span class=format!("stage stage-{}", c.lifecycle_stage.as_str())>{tr(i18n::stage(c.lifecycle_stage))}</span></td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <div class="pager">
                                <button
                                    id="prev"
                                    disabled=move || history.with(|h| h.is_empty())
                                    on:click=move |_| {
                                        let prev = history.try_update(|h| h.pop()).flatten().flatten();
                                        cursor.set(prev);
                                    }
                                >{tr(T::Previous)}</button>
                                <span>{i18n::count(l, T::Shown, shown as i64)}</span>
                                <button
                                    id="next"
                                    disabled=next.is_none()
                                    on:click=move |_| {
                                        let current = cursor.get_untracked();
                                        history.update(|h| h.push(current));
                                        cursor.set(next.clone());
                                    }
                                >{tr(T::Next)}</button>
                            </div>
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
