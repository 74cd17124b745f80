//! 「充值」, 「提现」, 「转账」 and 「缴费」: one screen in three steps — fill in,
//! confirm (「确认」, with the payee masked as 「*明」), done. The confirmation
//! carries one idempotency key, so a double click or a retry moves money once.

use super::{BindingStatus, SignedIn};
use crate::app::Page;
use crate::components::{once_at_a_time, ErrorBox};
use crate::i18n;
use crate::router::Link;
use crate::store::{use_store, Problem};
use leptos::prelude::*;
use qianbao_core::card::CardId;
use qianbao_core::command::{Commit, Form};
use qianbao_core::ledger::Biller;
use qianbao_core::movement::{Prepared, Receipt, MAX_NOTE_CHARS};
use qianbao_core::provider::{MovementKind, Policy};

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Fill,
    Review {
        form: Form,
        prepared: Prepared,
        key: String,
    },
    Done(Receipt),
}

#[component]
pub fn Movement(kind: MovementKind) -> impl IntoView {
    view! {
        <SignedIn>
            <MovementSteps kind />
        </SignedIn>
    }
}

#[component]
fn MovementSteps(kind: MovementKind) -> impl IntoView {
    let store = use_store();
    let t = move || store.text();
    let tw = move || store.wallet_world_text();
    let step = RwSignal::new(Step::Fill);
    let card = RwSignal::new(String::new());
    let amount = RwSignal::new(String::new());
    let payee = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let biller = RwSignal::new(Biller::Electricity);
    let account = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Problem>);
    let busy = RwSignal::new(false);

    // The cards this movement can use, and the one to preselect.
    let cards = move || {
        let locale = store.locale.get();
        store.state.with(|s| {
            let Some(me) = s.signed_in().map(|a| a.id()) else {
                return (Vec::new(), None);
            };
            let usable: Vec<(CardId, String)> = s
                .cards_for(me, kind)
                .map(|c| {
                    (
                        c.id(),
                        i18n::card_label(locale, c.bank(), c.kind(), c.last4()),
                    )
                })
                .collect();
            let preferred = s
                .default_card(me)
                .map(|c| c.id())
                .filter(|id| usable.iter().any(|(u, _)| u == id))
                .or_else(|| usable.first().map(|(id, _)| *id));
            (usable, preferred)
        })
    };
    Effect::new(move |_| {
        if card.with_untracked(String::is_empty) {
            if let Some(id) = cards().1 {
                card.set(id.get().to_string());
            }
        }
    });

    let title = move || i18n::movement_name(store.locale.get(), kind);
    // The signed-in account's provider sets the limits.
    let limit = store.state.with_untracked(|s| {
        s.signed_in()
            .map_or(Policy::STANDARD, |a| a.provider().policy)
            .limit(kind)
    });
    let next = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let card_id = card
            .with_untracked(|c| c.parse().ok().map(CardId::new))
            .unwrap_or(CardId::new(0));
        let (a, p, n, acc) = (
            amount.get_untracked(),
            payee.get_untracked(),
            note.get_untracked(),
            account.get_untracked(),
        );
        let form = match kind {
            MovementKind::TopUp => Form::TopUp {
                card: card_id,
                amount: a,
            },
            MovementKind::Withdraw => Form::Withdraw {
                card: card_id,
                amount: a,
            },
            MovementKind::Transfer => Form::Transfer {
                payee: p,
                amount: a,
                note: n,
            },
            MovementKind::Bill => Form::Bill {
                biller: biller.get_untracked(),
                account: acc,
                amount: a,
            },
            MovementKind::ToWeChat => Form::ToWeChat { amount: a },
            // Payments are made at WeChat Pay's cashier, not on this screen.
            MovementKind::Payment => return,
        };
        let now = store.now();
        match store
            .state
            .with_untracked(|s| s.prepare(form.borrowed(), now))
        {
            Ok(prepared) => {
                error.set(None);
                step.set(Step::Review {
                    form,
                    prepared,
                    key: store.new_key(),
                });
            }
            Err(e) => error.set(Some(e.into())),
        }
    };
    let commit = move || {
        let Step::Review {
            form,
            prepared,
            key,
        } = step.get_untracked()
        else {
            return;
        };
        once_at_a_time(busy, move || async move {
            let command = Commit {
                key,
                form,
                reviewed: prepared,
            };
            match store.run(command).await {
                Ok(receipt) => {
                    error.set(None);
                    step.set(Step::Done(receipt));
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let confirm = move |_| commit();
    // 「重试」 on a request that did not get through (「转入微信零钱」):
    // the same movement, the same key, so it moves money once.
    let retry = Callback::new(move |()| commit());
    let again = move |_| {
        amount.set(String::new());
        error.set(None);
        step.set(Step::Fill);
    };

    let fill = move || {
        let needs_card = matches!(kind, MovementKind::TopUp | MovementKind::Withdraw);
        // Read inside its own closure: the form itself must not re-render
        // when the state changes, or it would lose focus while typing.
        let no_cards = move || needs_card && cards().0.is_empty();
        view! {
            <form on:submit=next novalidate>
                {needs_card
                    .then(|| {
                        view! {
                            <label for="mv-card">
                                {move || if kind == MovementKind::Withdraw { tw().to_card } else { tw().from_card }}
                            </label>
                            <select id="mv-card" on:change=move |ev| card.set(event_target_value(&ev))>
                                {move || {
                                    let selected = card.get();
                                    cards()
                                        .0
                                        .into_iter()
                                        .map(|(id, label)| {
                                            let value = id.get().to_string();
                                            let is_selected = value == selected;
                                            view! { <option value=value selected=is_selected>{label}</option> }
                                        })
                                        .collect_view()
                                }}
                            </select>
                        }
                    })}
                {move || {
                    no_cards()
                        .then(|| {
                            view! {
                                <p class="hint">
                                    {tw().need_card} " " <Link href=Page::Cards.path()>{tw().add_card}</Link>
                                </p>
                            }
                        })
                }}
                {(kind == MovementKind::Transfer)
                    .then(|| {
                        view! {
                            <label for="mv-payee">{move || tw().payee}</label>
                            <input id="mv-payee" name="payee" autocomplete="off" aria-describedby="mv-payee-hint" bind:value=payee />
                            <p id="mv-payee-hint" class="hint">{move || tw().payee_hint}</p>
                        }
                    })}
                {(kind == MovementKind::Bill)
                    .then(|| {
                        view! {
                            <label for="mv-biller">{move || tw().biller}</label>
                            <select
                                id="mv-biller"
                                on:change=move |ev| {
                                    let value = event_target_value(&ev);
                                    if let Some(b) = Biller::ALL.into_iter().find(|b| format!("{b:?}") == value) {
                                        biller.set(b);
                                    }
                                }
                            >
                                {Biller::ALL
                                    .into_iter()
                                    .map(|b| {
                                        view! {
                                            <option value=format!("{b:?}") selected=move || biller.get() == b>
                                                {move || i18n::biller_name(store.locale.get(), b)}
                                            </option>
                                        }
                                    })
                                    .collect_view()}
                            </select>
                            <label for="mv-account">{move || tw().bill_account}</label>
                            <input id="mv-account" name="bill-account" inputmode="numeric" aria-describedby="mv-account-hint" bind:value=account />
                            <p id="mv-account-hint" class="hint">{move || (tw().bill_account_hint)(biller.get())}</p>
                        }
                    })}
                {(kind == MovementKind::ToWeChat).then(|| view! { <BindingStatus /><p class="hint">{move || tw().to_wechat_hint}</p> })}
                <label for="mv-amount">{move || t().amount}</label>
                <input id="mv-amount" name="amount" inputmode="decimal" autocomplete="off" placeholder="0.00" aria-describedby="mv-limits" bind:value=amount />
                <p id="mv-limits" class="hint">{move || (tw().limits)(&limit.single.to_string(), &limit.daily.to_string())}</p>
                {(kind == MovementKind::Transfer)
                    .then(|| {
                        view! {
                            <label for="mv-note">{move || tw().note}</label>
                            <input id="mv-note" name="note" maxlength=MAX_NOTE_CHARS bind:value=note />
                        }
                    })}
                <ErrorBox problem=error />
                <button type="submit" class="button primary" data-coach=(kind == MovementKind::TopUp).then_some("top-up-next")>{move || t().next}</button>
            </form>
        }
    };

    let review = move |prepared: Prepared| {
        let locale = store.locale.get();
        let other = store
            .state
            .with_untracked(|s| s.counterpart(&prepared))
            .map(|c| i18n::counterpart(locale, &c));
        let note_text = prepared.note().to_owned();
        view! {
            <div class="review" role="group" aria-label=tw().review_title>
                <h2>{tw().review_title}</h2>
                <p class="big-amount" data-testid="review-amount">{prepared.amount().to_string()}</p>
                <dl class="facts">
                    <dt>
                        {match kind {
                            MovementKind::TopUp => tw().from_card,
                            MovementKind::Withdraw => tw().to_card,
                            MovementKind::Transfer => tw().payee_label,
                            MovementKind::Bill => tw().biller,
                            MovementKind::ToWeChat => t().change_balance,
                            MovementKind::Payment => tw().counterpart,
                        }}
                    </dt>
                    <dd data-testid="review-counterpart">{other}</dd>
                    {(!note_text.is_empty()).then(|| view! { <dt>{tw().note}</dt><dd>{note_text.clone()}</dd> })}
                </dl>
                <ErrorBox problem=error retry />
                <div class="actions">
                    <button type="button" class="button primary" data-coach=(kind == MovementKind::TopUp).then_some("top-up-confirm") on:click=confirm disabled=move || busy.get()>
                        {t().confirm}
                    </button>
                    <button type="button" class="button" on:click=move |_| step.set(Step::Fill)>
                        {tw().back_to_edit}
                    </button>
                </div>
            </div>
        }
    };

    let done = move |receipt: Receipt| {
        view! {
            <div class="done" role="status">
                <h2>{tw().done_title}</h2>
                <p class="big-amount">{receipt.amount.to_string()}</p>
                <dl class="facts">
                    <dt>{tw().balance_now}</dt>
                    <dd data-testid="balance-after">{receipt.balance.to_string()}</dd>
                    <dt>{tw().entry_no}</dt>
                    <dd data-testid="entry-no">{receipt.entry}</dd>
                </dl>
                <div class="actions">
                    <Link href=Page::History.path() class="button">{t().history}</Link>
                    <button type="button" class="button" on:click=again>{tw().another}</button>
                    <Link href=Page::Home.path() class="button">{t().back_home}</Link>
                </div>
            </div>
        }
    };

    view! {
        <section class="card movement">
            <h1>{title}</h1>
            {move || match step.get() {
                Step::Fill => fill().into_any(),
                Step::Review { prepared, .. } => review(prepared).into_any(),
                Step::Done(receipt) => done(receipt).into_any(),
            }}
        </section>
    }
}
