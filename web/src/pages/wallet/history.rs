//! 「交易记录」: the signed-in wallet's history, newest first, filtered by type
//! and month, a page at a time; and the detail of one transaction.

use super::SignedIn;
use crate::app::Page;
use crate::env;
use crate::i18n;
use crate::router::Link;
use crate::store::use_store;
use leptos::prelude::*;
use qianbao_core::ledger::EntryKind;
use qianbao_core::money::Fen;
use qianbao_core::movement::{HistoryFilter, HistoryKind};

/// Lines per page of the history screen.
const PAGE: usize = 50;

/// One line of the history list.
struct HistoryRow {
    id: u64,
    kind: &'static str,
    other: String,
    at: String,
    amount: Fen,
}

#[component]
pub fn History() -> impl IntoView {
    view! {
        <SignedIn>
            <HistoryScreen />
        </SignedIn>
    }
}

#[component]
fn HistoryScreen() -> impl IntoView {
    let store = use_store();
    let t = move || store.text();
    let tw = move || store.wallet_world_text();
    let filter = RwSignal::new(HistoryFilter::default());
    let shown = RwSignal::new(PAGE);
    let months = move || {
        store.state.with(|s| {
            s.signed_in()
                .map(|a| s.history_months(a.id()))
                .unwrap_or_default()
        })
    };
    let set_kind = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        let kind = HistoryKind::ALL
            .into_iter()
            .find(|k| format!("{k:?}") == value);
        filter.update(|f| f.kind = kind);
        shown.set(PAGE);
    };
    let set_month = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        let month = value
            .split_once('-')
            .and_then(|(y, m)| Some((y.parse().ok()?, m.parse().ok()?)));
        filter.update(|f| f.month = month);
        shown.set(PAGE);
    };
    view! {
        <section class="card">
            <h1>{move || t().history}</h1>
            <div class="filters">
                <div>
                    <label for="filter-kind">{move || tw().filter_kind}</label>
                    <select id="filter-kind" on:change=set_kind>
                        <option value="">{move || t().all}</option>
                        {HistoryKind::ALL
                            .into_iter()
                            .map(|k| {
                                view! {
                                    <option value=format!("{k:?}")>{move || i18n::history_kind(store.locale.get(), k)}</option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
                <div>
                    <label for="filter-month">{move || tw().filter_month}</label>
                    <select id="filter-month" on:change=set_month>
                        <option value="">{move || t().all}</option>
                        {move || {
                            months()
                                .into_iter()
                                .map(|(y, m)| {
                                    view! { <option value=format!("{y}-{m}")>{(tw().month_label)(y, m)}</option> }
                                })
                                .collect_view()
                        }}
                    </select>
                </div>
            </div>
            <HistoryList filter=filter.into() limit=shown.into() />
            <Show when=move || {
                let total = store.state.with(|s| {
                    s.signed_in().map(|a| s.history(a.id(), filter.get()).take(shown.get() + 1).count()).unwrap_or(0)
                });
                total > shown.get()
            }>
                <button type="button" class="button" on:click=move |_| shown.update(|n| *n += PAGE)>
                    {move || tw().load_more}
                </button>
            </Show>
        </section>
    }
}

/// History lines of the signed-in wallet: the first `limit` matching `filter`.
#[component]
pub fn HistoryList(filter: Signal<HistoryFilter>, limit: Signal<usize>) -> impl IntoView {
    let store = use_store();
    let lines = move || {
        let locale = store.locale.get();
        store.state.with(|s| {
            let Some(me) = s.signed_in().map(|a| a.id()) else {
                return Vec::new();
            };
            s.history(me, filter.get())
                .take(limit.get())
                .map(|line| {
                    let other = s
                        .counterpart_of(line.entry, me)
                        .map(|c| i18n::counterpart(locale, &c))
                        .unwrap_or_default();
                    HistoryRow {
                        id: line.entry.id,
                        kind: i18n::history_kind(locale, line.kind),
                        other,
                        at: env::date_time(line.entry.at),
                        amount: line.amount,
                    }
                })
                .collect::<Vec<_>>()
        })
    };
    view! {
        <Show when=move || !lines().is_empty() fallback=move || view! { <p class="muted">{move || store.text().wallet.no_history}</p> }>
            <ul class="history">
                {move || {
                    lines()
                        .into_iter()
                        .map(|HistoryRow { id, kind, other, at, amount }| {
                            view! {
                                <li>
                                    <Link href=Page::HistoryDetail(id).href()>
                                        <span class="h-kind">{kind}</span>
                                        <span class="h-other">{other}</span>
                                        <time class="h-time">{at}</time>
                                        <span class="h-amount" class:income=amount.is_positive()>{amount.signed()}</span>
                                    </Link>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </Show>
    }
}

#[component]
pub fn HistoryDetail(id: u64) -> impl IntoView {
    view! {
        <SignedIn>
            <DetailCard id />
        </SignedIn>
    }
}

#[component]
fn DetailCard(id: u64) -> impl IntoView {
    let store = use_store();
    let t = move || store.text();
    let tw = move || store.wallet_world_text();
    let detail = move || {
        let locale = store.locale.get();
        store.state.with(|s| {
            let me = s.signed_in()?.id();
            let line = s.history_entry(me, id)?;
            let other = s
                .counterpart_of(line.entry, me)
                .map(|c| i18n::counterpart(locale, &c));
            let note = match &line.entry.kind {
                EntryKind::Transfer { note } => note.clone(),
                _ => String::new(),
            };
            Some((
                i18n::history_kind(locale, line.kind),
                line.amount,
                other,
                env::date_time(line.entry.at),
                note,
            ))
        })
    };
    move || {
        match detail() {
        Some((kind, amount, other, at, note)) => view! {
            <section class="card">
                <h1>{tw().detail_title}</h1>
                <p class="big-amount">{amount.signed()}</p>
                <dl class="facts">
                    <dt>{tw().filter_kind}</dt>
                    <dd>{kind}</dd>
                    <dt>{tw().counterpart}</dt>
                    <dd>{other}</dd>
                    <dt>{tw().time}</dt>
                    <dd>{at}</dd>
                    <dt>{tw().entry_no}</dt>
                    <dd>{id}</dd>
                    <dt>{tw().status}</dt>
                    <dd>{tw().status_success}</dd>
                    {(!note.is_empty()).then(|| view! { <dt>{tw().note}</dt><dd>{note.clone()}</dd> })}
                </dl>
                <Link href=Page::History.path()>{t().history}</Link>
            </section>
        }
        .into_any(),
        None => view! {
            <section class="card">
                <h1>{t().not_found_title}</h1>
                <Link href=Page::History.path()>{t().history}</Link>
            </section>
        }
        .into_any(),
    }
    }
}
