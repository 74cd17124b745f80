//! 「理财」: the provider's savings product — its published rate and the
//! interest rule, the balance, what it has earned, and moving money in and
//! out. Opening the screen brings the interest up to date (on the console's
//! clock).

use super::SignedIn;
use crate::app::Page;
use crate::components::{once_at_a_time, ErrorBox};
use crate::i18n::finance::{percent, text};
use crate::router::Link;
use crate::store::{use_store, Problem};
use leptos::prelude::*;
use qianbao_core::command::{AccrueInterest, MoveSavings};
use qianbao_core::provider::Feature;

#[component]
pub fn Savings() -> impl IntoView {
    view! {
        <SignedIn>
            <SavingsPanel />
        </SignedIn>
    }
}

#[component]
fn SavingsPanel() -> impl IntoView {
    let store = use_store();
    let f = move || text(store.locale.get());
    let wallet = move || store.state.with(|s| s.signed_in().map(|a| a.id()));
    let offered = move || {
        store.state.with(|s| {
            s.signed_in()
                .is_some_and(|a| a.provider().offers(Feature::Wealth))
        })
    };
    let error = RwSignal::new(None::<Problem>);
    let amount = RwSignal::new(String::new());
    // One key per submission: a double click or a retry moves money once.
    let key = RwSignal::new(store.new_key());
    let busy = RwSignal::new(false);

    // Bring the interest up to date when the screen opens and when the
    // console's clock moves.
    // (A memo: the effect must not re-run on the state change it makes.)
    let offset = Memo::new(move |_| store.state.with(|s| s.sim().clock_offset()));
    Effect::new(move |_| {
        offset.track();
        if let (Some(_), true) = (untrack(wallet), untrack(offered)) {
            store.dispatch(AccrueInterest {}, move |result| {
                error.set(result.err());
            });
        }
    });

    let submit = move |into: bool| {
        let (a, k) = (amount.get_untracked(), key.get_untracked());
        once_at_a_time(busy, move || async move {
            let command = MoveSavings {
                key: k,
                amount: a,
                into,
            };
            match store.run(command).await {
                Ok(_) => {
                    amount.set(String::new());
                    key.set(store.new_key());
                    error.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let view_of = move || wallet().map(|w| store.state.with(|s| s.savings_view(w)));

    view! {
        <section class="card savings">
            <h1>{move || f().savings}</h1>
            <Show
                when=offered
                fallback=move || {
                    view! {
                        <p>{move || f().not_offered}</p>
                        <Link href=Page::Choose.path()>{move || store.text().wallet.choose_wallet}</Link>
                    }
                }
            >
                {move || {
                    view_of()
                        .map(|v| {
                            view! {
                                <dl class="facts">
                                    <dt>{f().rate}</dt>
                                    <dd data-testid="savings-rate">{percent(v.rate_bp)}</dd>
                                    <dt>{f().savings_balance}</dt>
                                    <dd data-testid="savings-balance">{v.balance.to_string()}</dd>
                                    <dt>{f().earned}</dt>
                                    <dd data-testid="savings-earned">{v.earned.to_string()}</dd>
                                    <dt>{f().last_day}</dt>
                                    <dd>{v.last_day.to_string()}</dd>
                                </dl>
                                <h2>{f().rule}</h2>
                                <p class="hint">{(f().savings_intro)(&percent(v.rate_bp))}</p>
                            }
                        })
                }}
                <form on:submit=|ev| ev.prevent_default() novalidate>
                    <label for="savings-amount">{move || f().amount}</label>
                    <input id="savings-amount" inputmode="decimal" bind:value=amount />
                    <ErrorBox problem=error />
                    <div class="actions">
                        <button type="button" class="button primary" on:click=move |_| submit(true)>
                            {move || f().move_in}
                        </button>
                        <button type="button" class="button" on:click=move |_| submit(false)>
                            {move || f().move_out}
                        </button>
                    </div>
                </form>
            </Show>
        </section>
    }
}
