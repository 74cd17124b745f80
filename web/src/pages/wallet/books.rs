//! 「记账」: a month's spending by category (an SVG bar chart and totals that
//! match the ledger), the wallet's spending entries with their categories
//! (changeable), and cash written down by hand.

use super::SignedIn;
use crate::components::ErrorBox;
use crate::env;
use crate::i18n::finance::{spend_name, text};
use crate::store::{use_store, Problem};
use leptos::prelude::*;
use qianbao_core::command::{AddCash, RemoveCash, SetCategory};
use qianbao_core::finance::{CashEntry, Spend, MAX_CASH_NOTE_CHARS};
use qianbao_core::ledger::LedgerAccount;
use qianbao_core::money::Fen;
use qianbao_core::movement::HistoryFilter;
use qianbao_core::time::year_month_cst;

/// One of the month's spending entries, as the books list it.
struct SpendingRow {
    id: u64,
    when: String,
    kind: &'static str,
    amount: Fen,
    category: Spend,
    editable: bool,
}

#[component]
pub fn Books() -> impl IntoView {
    view! {
        <SignedIn>
            <BooksPanel />
        </SignedIn>
    }
}

fn spend_key(spend: Spend) -> &'static str {
    match spend {
        Spend::Food => "food",
        Spend::Books => "books",
        Spend::Electronics => "electronics",
        Spend::Utilities => "utilities",
        Spend::Telecom => "telecom",
        Spend::Transfers => "transfers",
        Spend::Transport => "transport",
        Spend::Shopping => "shopping",
        Spend::Other => "other",
    }
}

fn spend_of(value: &str) -> Option<Spend> {
    Spend::ALL.into_iter().find(|s| spend_key(*s) == value)
}

#[component]
fn BooksPanel() -> impl IntoView {
    let store = use_store();
    let tw = move || store.wallet_world_text();
    let f = move || text(store.locale.get());
    let wallet = move || store.state.with(|s| s.signed_in().map(|a| a.id()));
    let month = RwSignal::new(year_month_cst(store.now()));
    let months = move || {
        let mut months = wallet()
            .map(|w| store.state.with(|s| s.history_months(w)))
            .unwrap_or_default();
        let current = year_month_cst(store.clock.get());
        if !months.contains(&current) {
            months.insert(0, current);
        }
        months
    };
    let summary = Memo::new(move |_| {
        wallet().and_then(|w| store.state.with(|s| s.month_summary(w, month.get()).ok()))
    });
    let error = RwSignal::new(None::<Problem>);
    let amount = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let spend = RwSignal::new(Spend::Food);

    let set_month = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        let parsed = value
            .split_once('-')
            .and_then(|(y, m)| Some((y.parse().ok()?, m.parse().ok()?)));
        if let Some(chosen) = parsed {
            month.set(chosen);
        }
    };
    let add_cash = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (a, n, c) = (
            amount.get_untracked(),
            note.get_untracked(),
            spend.get_untracked(),
        );
        store.dispatch(
            AddCash {
                amount: a,
                category: c,
                note: n,
            },
            move |result| match result {
                Ok(_) => {
                    amount.set(String::new());
                    note.set(String::new());
                    error.set(None);
                }
                Err(e) => error.set(Some(e)),
            },
        );
    };

    // The month's spending entries of the wallet, newest first.
    let entries = move || {
        let Some(w) = wallet() else { return Vec::new() };
        let filter = HistoryFilter {
            kind: None,
            month: Some(month.get()),
        };
        store.state.with(|s| {
            s.history(w, filter)
                .filter_map(|line| {
                    Some(SpendingRow {
                        id: line.entry.id,
                        when: env::date_time(line.entry.at),
                        kind: crate::i18n::history_kind(store.locale.get(), line.kind),
                        amount: line.entry.net_for(LedgerAccount::Wallet(w)),
                        category: s.category_of(line.entry, w)?,
                        editable: s.can_set_category(line.entry, w),
                    })
                })
                .collect::<Vec<_>>()
        })
    };
    let cash = move || {
        wallet()
            .map(|w| {
                store.state.with(|s| {
                    s.cash_entries(w, month.get())
                        .into_iter()
                        .cloned()
                        .collect::<Vec<_>>()
                })
            })
            .unwrap_or_default()
    };

    view! {
        <section class="card">
            <h1>{move || f().books}</h1>
            <p class="muted">{move || f().books_intro}</p>
            <label for="books-month">{move || f().month}</label>
            <select id="books-month" on:change=set_month>
                {move || {
                    months()
                        .into_iter()
                        .map(|(y, m)| {
                            view! {
                                <option value=format!("{y}-{m}") selected=move || month.get() == (y, m)>
                                    {(tw().month_label)(y, m)}
                                </option>
                            }
                        })
                        .collect_view()
                }}
            </select>
            <h2>{move || f().by_category}</h2>
            {move || summary.get().map(|s| view! { <Chart summary=s.by_category.clone() month=month.get() /> })}
            <dl class="facts totals">
                <dt>{move || f().wallet_spent}</dt>
                <dd data-testid="wallet-spent">{move || summary.get().map(|s| s.wallet.to_string())}</dd>
                <dt>{move || f().cash_spent}</dt>
                <dd data-testid="cash-spent">{move || summary.get().map(|s| s.cash.to_string())}</dd>
                <dt>{move || f().total_spent}</dt>
                <dd data-testid="total-spent">{move || summary.get().map(|s| s.total.to_string())}</dd>
            </dl>
        </section>
        <section class="card">
            <h2>{move || f().wallet_entries}</h2>
            <ul class="book-entries">
                {move || {
                    entries()
                        .into_iter()
                        .map(|SpendingRow { id, when, kind, amount, category, editable }| {
                            let select_id = format!("cat-{id}");
                            let label_for = select_id.clone();
                            let label = format!("{} · {kind} {when}", f().category);
                            let change = move |ev: leptos::ev::Event| {
                                if let Some(chosen) = spend_of(&event_target_value(&ev)) {
                                    store.dispatch(
                                        SetCategory { entry: id, category: chosen },
                                        move |result| error.set(result.err()),
                                    );
                                }
                            };
                            view! {
                                <li data-entry=id>
                                    <span>{kind}" · "{when}</span>
                                    <strong>{amount.to_string()}</strong>
                                    <label for=label_for class="visually-hidden">{label}</label>
                                    <select id=select_id on:change=change disabled=!editable>
                                        {Spend::ALL
                                            .into_iter()
                                            .map(|s| {
                                                view! {
                                                    <option value=spend_key(s) selected=s == category>
                                                        {spend_name(store.locale.get_untracked(), s)}
                                                    </option>
                                                }
                                            })
                                            .collect_view()}
                                    </select>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </section>
        <section class="card">
            <h2>{move || f().cash_book}</h2>
            <p class="muted">{move || f().cash_intro}</p>
            <form on:submit=add_cash novalidate>
                <label for="cash-amount">{move || f().amount}</label>
                <input id="cash-amount" inputmode="decimal" bind:value=amount />
                <label for="cash-category">{move || f().category}</label>
                <select
                    id="cash-category"
                    on:change=move |ev| {
                        if let Some(chosen) = spend_of(&event_target_value(&ev)) {
                            spend.set(chosen);
                        }
                    }
                >
                    {Spend::ALL
                        .into_iter()
                        .map(|s| view! { <option value=spend_key(s)>{move || spend_name(store.locale.get(), s)}</option> })
                        .collect_view()}
                </select>
                <label for="cash-note">{move || f().note}</label>
                <input id="cash-note" maxlength=MAX_CASH_NOTE_CHARS bind:value=note />
                <ErrorBox problem=error />
                <button type="submit" class="button primary">{move || f().add_cash}</button>
            </form>
            <ul class="book-entries" data-testid="cash-entries">
                {move || {
                    cash()
                        .into_iter()
                        .map(|CashEntry { id, at, amount, category, note }| {
                            let when = env::date_time(at);
                            view! {
                                <li>
                                    <span>{spend_name(store.locale.get_untracked(), category)}" · "{when}" "{note}</span>
                                    <strong>{amount.to_string()}</strong>
                                    <button
                                        type="button"
                                        class="button"
                                        on:click=move |_| {
                                            store.dispatch(
                                                RemoveCash { id },
                                                move |result| error.set(result.err()),
                                            )
                                        }
                                    >
                                        {f().remove}
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </section>
    }
}

/// Horizontal bars, one per category, longest = full width.
#[component]
fn Chart(summary: Vec<(Spend, Fen)>, month: (i64, u32)) -> impl IntoView {
    let store = use_store();
    let locale = store.locale.get_untracked();
    if summary.is_empty() {
        return view! { <p class="muted">{text(locale).nothing_spent}</p> }.into_any();
    }
    let max = summary
        .iter()
        .map(|(_, f)| f.get())
        .max()
        .unwrap_or(1)
        .max(1);
    let row = 28;
    let height = row * summary.len();
    let label = (text(locale).chart_label)(&(crate::i18n::wallet_world::text(locale).month_label)(
        month.0, month.1,
    ));
    view! {
        <svg class="chart" viewBox=format!("0 0 320 {height}") role="img" aria-label=label data-testid="chart">
            {summary
                .into_iter()
                .enumerate()
                .map(|(i, (spend, amount))| {
                    let y = i * row;
                    // Integer arithmetic: at most 170 units wide.
                    let width = (amount.get().max(0) * 170 / max).max(1);
                    view! {
                        <g data-category=spend_key(spend)>
                            <text x="0" y=y + 18 class="chart-label">{spend_name(locale, spend)}</text>
                            <rect x="72" y=y + 6 width=width height="16" rx="3" class="chart-bar"></rect>
                            <text x=width + 78 y=y + 18 class="chart-value">{amount.to_string()}</text>
                        </g>
                    }
                })
                .collect_view()}
        </svg>
    }
    .into_any()
}
