//! 「银行卡」: the signed-in account's cards — bank, type, last four digits,
//! the simulated bank balance behind each — with 「添加银行卡」, set default
//! and remove.

use super::{BindButton, BindingStatus, SignedIn};
use crate::components::{once_at_a_time, ConfirmBox, ErrorBox};
use crate::i18n;
use crate::store::{use_store, Problem};
use leptos::prelude::*;
use qianbao_core::card::{self, CardId, CardKind, BINS, CVV_DIGITS};
use qianbao_core::command::{AddCard, RemoveCard, SetDefaultCard};
use qianbao_core::money::Fen;

/// 「支付方式管理」: bank cards, and the WeChat binding as a way to pay.
/// One card as the list shows it.
struct CardRow {
    id: CardId,
    label: String,
    kind: CardKind,
    funds: Fen,
    is_default: bool,
}

#[component]
pub fn Cards() -> impl IntoView {
    view! {
        <SignedIn>
            <CardList />
            <AddCard />
            <WeChatMethod />
        </SignedIn>
    }
}

#[component]
fn WeChatMethod() -> impl IntoView {
    let store = use_store();
    let tw = move || store.wallet_world_text();
    let bound = move || {
        store.state.with(|s| {
            s.signed_in()
                .is_some_and(|a| s.binding(a.id()).bound().is_some())
        })
    };
    view! {
        <section class="card">
            <h2>{move || tw().bind_wechat}</h2>
            <BindingStatus />
            <Show when=move || !bound()>
                <BindButton />
            </Show>
        </section>
    }
}

#[component]
fn CardList() -> impl IntoView {
    let store = use_store();
    let t = move || store.text();
    let tw = move || store.wallet_world_text();
    let removing = RwSignal::new(None::<CardId>);
    let error = RwSignal::new(None::<Problem>);
    let cards = move || {
        let locale = store.locale.get();
        store.state.with(|s| {
            let Some(me) = s.signed_in().map(|a| a.id()) else {
                return Vec::new();
            };
            let default = s.default_card(me).map(|c| c.id());
            s.cards_of(me)
                .map(|c| CardRow {
                    id: c.id(),
                    label: i18n::card_label(locale, c.bank(), c.kind(), c.last4()),
                    kind: c.kind(),
                    funds: s.card_funds(c.id()),
                    is_default: Some(c.id()) == default,
                })
                .collect::<Vec<_>>()
        })
    };
    let set_default = move |id: CardId| {
        store.dispatch(SetDefaultCard { card: id }, move |result| {
            error.set(result.err())
        });
    };
    let remove = move |id: CardId| {
        store.dispatch(RemoveCard { card: id }, move |result| {
            removing.set(None);
            error.set(result.err());
        });
    };
    view! {
        <section class="card">
            <h1>{move || t().wallet.cards}</h1>
            <Show when=move || !cards().is_empty() fallback=move || view! { <p class="muted">{move || tw().cards_empty}</p> }>
                <ul class="card-list">
                    {move || {
                        cards()
                            .into_iter()
                            .map(|CardRow { id, label, kind, funds, is_default }| {
                                let funds_label = match kind {
                                    CardKind::Debit => tw().card_funds_debit,
                                    CardKind::Credit => tw().card_funds_credit,
                                };
                                let confirm_text = (tw().remove_card_confirm)(&label);
                                view! {
                                    <li class="bank-card" data-card-id=id.get()>
                                        <div class="bank-card-head">
                                            <strong>{label}</strong>
                                            {is_default.then(|| view! { <span class="tag">{tw().default_card}</span> })}
                                        </div>
                                        <p class="muted">{funds_label}": " {funds.to_string()}</p>
                                        <Show
                                            when=move || removing.get() == Some(id)
                                            fallback=move || {
                                                view! {
                                                    <div class="actions">
                                                        {(!is_default)
                                                            .then(|| {
                                                                view! {
                                                                    <button type="button" class="button" on:click=move |_| set_default(id)>
                                                                        {tw().set_default}
                                                                    </button>
                                                                }
                                                            })}
                                                        <button type="button" class="button danger" on:click=move |_| removing.set(Some(id))>
                                                            {tw().remove_card}
                                                        </button>
                                                    </div>
                                                }
                                            }
                                        >
                                            <ConfirmBox
                                                message=confirm_text.clone()
                                                on_confirm=Callback::new(move |()| remove(id))
                                                on_cancel=Callback::new(move |()| removing.set(None))
                                            />
                                        </Show>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
            </Show>
            <ErrorBox problem=error />
        </section>
    }
}

#[component]
fn AddCard() -> impl IntoView {
    let store = use_store();
    let tw = move || store.wallet_world_text();
    let number = RwSignal::new(String::new());
    let holder = RwSignal::new(String::new());
    let expiry = RwSignal::new(String::new());
    let cvv = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Problem>);
    let added = RwSignal::new(false);
    let busy = RwSignal::new(false);
    // Which bank and type the number belongs to, as it is typed.
    let identified = move || number.with(|n| card::identify(n));
    let is_credit = move || identified().is_some_and(|(_, kind)| kind == CardKind::Credit);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (n, h, e, c) = (
            number.get_untracked(),
            holder.get_untracked(),
            expiry.get_untracked(),
            cvv.get_untracked(),
        );
        // The security code is never kept, not even in the form.
        cvv.set(String::new());
        once_at_a_time(busy, move || async move {
            let form = AddCard {
                number: n.into(),
                holder: h,
                expiry: e,
                cvv: c.into(),
            };
            match store.run(form).await {
                Ok(_) => {
                    error.set(None);
                    added.set(true);
                    number.set(String::new());
                    expiry.set(String::new());
                }
                Err(e) => {
                    added.set(false);
                    error.set(Some(e));
                }
            }
        });
    };
    let samples: Vec<String> = BINS
        .iter()
        .filter(|(bin, _, _)| ["622202", "622588", "625330"].contains(bin))
        .map(|(bin, _, _)| card::test_card_number(bin, "0012345678"))
        .collect();
    view! {
        <section class="card">
            <h2>{move || tw().add_card}</h2>
            <form on:submit=submit novalidate>
                <label for="card-number">{move || tw().card_number}</label>
                <input id="card-number" name="card-number" inputmode="numeric" autocomplete="cc-number" aria-describedby="card-privacy" bind:value=number />
                {move || {
                    identified()
                        .map(|(bank, kind)| {
                            let locale = store.locale.get();
                            view! {
                                <p class="hint" role="status">
                                    {i18n::bank_name(locale, bank)} " " {i18n::card_kind(locale, kind)}
                                </p>
                            }
                        })
                }}
                <label for="card-holder">{move || tw().card_holder}</label>
                <input id="card-holder" name="card-holder" autocomplete="cc-name" bind:value=holder />
                <Show when=is_credit>
                    <label for="card-expiry">{move || tw().card_expiry}</label>
                    <input id="card-expiry" name="card-expiry" autocomplete="cc-exp" placeholder="MM/YY" bind:value=expiry />
                    <label for="card-cvv">{move || tw().card_cvv}</label>
                    <input id="card-cvv" name="card-cvv" type="password" inputmode="numeric" autocomplete="cc-csc" maxlength=CVV_DIGITS bind:value=cvv />
                </Show>
                <p id="card-privacy" class="hint">{move || tw().card_privacy}</p>
                <ErrorBox problem=error />
                {move || added.get().then(|| view! { <p class="success" role="status">{tw().card_added}</p> })}
                <button type="submit" class="button primary" data-coach="add-card">{move || tw().add_card}</button>
            </form>
            <details class="test-cards">
                <summary>{move || tw().test_cards}</summary>
                <ul>
                    {samples.into_iter().map(|n| view! { <li><code>{n}</code></li> }).collect_view()}
                </ul>
            </details>
        </section>
    }
}
