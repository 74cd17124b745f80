//! WeChat Pay's cashier (`/wechat/pay?mch=…&out_trade_no=…`): the merchant
//! and amount, the user's payment methods (every bound digital wallet, only
//! while bound), the 6-digit payment password and 「确认支付」; for flagged
//! merchants the wallet's extra confirmation; then 「支付成功」.
//!
//! In sandbox mode the page holds a window of the server's orders (see
//! `web/src/sandbox.rs`): an order of a merchant's backend outside it is
//! read from the server first, the screen saying so meanwhile.

use super::WeChatLogin;
use crate::components::{once_at_a_time, ErrorBox};
use crate::pages::shop::orders_href;
use crate::router::{use_nav, Link};
use crate::store::{use_store, Problem};
use leptos::prelude::*;
use qianbao_core::command::{CancelPayment, OpenCashier, PayOrder};
use qianbao_core::merchant::MerchantId;
use qianbao_core::payment::{CashierView, PayError, PayMethod};
use qianbao_core::wechat::PAY_PASSWORD_DIGITS;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Choose,
    Confirm,
    Paid,
}

#[component]
pub fn Cashier() -> impl IntoView {
    let store = use_store();
    let nav = use_nav();
    let tw = move || store.wechat_text();
    let failed = RwSignal::new(None::<Problem>);
    let ready = RwSignal::new(true);
    if crate::storage::on_server() {
        let encode = |v: &str| String::from(js_sys::encode_uri_component(v));
        let (prepay, mch, no) = untrack(|| {
            (
                nav.query("prepay_id"),
                nav.query("mch"),
                nav.query("out_trade_no"),
            )
        });
        let held = store.state.with_untracked(|s| match (&prepay, &mch, &no) {
            (Some(id), _, _) => s.order_by_prepay_id(id).is_some(),
            (None, Some(m), Some(no)) => {
                MerchantId::parse(m).is_some_and(|m| s.order(m, no).is_some())
            }
            _ => true,
        });
        let query = match (prepay, mch, no) {
            (Some(id), _, _) => format!("prepay_id={}", encode(&id)),
            (None, Some(m), Some(no)) => format!("mch={}&out_trade_no={}", encode(&m), encode(&no)),
            _ => String::new(),
        };
        if !held {
            ready.set(false);
            store.spawn(async move {
                match crate::sandbox::hold(store, query).await {
                    Ok(_) => ready.set(true),
                    Err(problem) => failed.set(Some(problem)),
                }
            });
        }
    }
    view! {
        <Show when=move || ready.get() fallback=move || view! {
            <section class="card wechat-world cashier">
                <h1>{move || tw().cashier_title}</h1>
                {move || match failed.get() {
                    None => view! { <p class="muted" role="status">{tw().cashier_reading}</p> }.into_any(),
                    Some(problem) => view! { <ErrorBox problem=Signal::stored(Some(problem)) /> }.into_any(),
                }}
            </section>
        }>
            <CashierScreen />
        </Show>
    }
}

#[component]
fn CashierScreen() -> impl IntoView {
    let store = use_store();
    let nav = use_nav();
    let t = move || store.text();
    let tw = move || store.wechat_text();
    // A JSAPI order (a merchant's app under the sandbox server) comes as
    // its `prepay_id`; any other as the merchant and its order number.
    let prepaid = untrack(|| nav.query("prepay_id"))
        .and_then(|id| store.state.with_untracked(|s| s.order_by_prepay_id(&id)));
    let (merchant, out_trade_no) = match prepaid {
        Some((merchant, no)) => (Some(merchant), no),
        None => (
            untrack(|| nav.query("mch")).and_then(|m| MerchantId::parse(&m)),
            untrack(|| nav.query("out_trade_no")).unwrap_or_default(),
        ),
    };
    // Opened by the JS bridge for a merchant's page (`bridge=1`): the page
    // learns how the payment ended.
    let bridge = untrack(|| nav.query("bridge")).as_deref() == Some("1");
    // An H5 order's `redirect_url` (the merchant added it to its h5_url):
    // where the cashier returns, if it is on the merchant's domain.
    let h5_return = untrack(|| nav.query("redirect_url")).map(|url| {
        merchant.ok_or(PayError::NoSuchOrder).and_then(|m| {
            store
                .state
                .with_untracked(|s| s.h5_return(m, &out_trade_no, &url))
        })
    });
    let h5_refused = h5_return.clone().and_then(Result::err);
    let h5_return = h5_return.and_then(Result::ok);
    let step = RwSignal::new(Step::Choose);
    let method = RwSignal::new(None::<PayMethod>);
    let pay_password = RwSignal::new(String::new());
    let wallet_password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Problem>);
    // One key per visit to the cashier: a double click or retry pays once.
    let key = store.new_key();
    let busy = RwSignal::new(false);

    let logged_in = move || store.state.with(|s| s.wechat().signed_in().is_some());
    let opened = RwSignal::new(false);
    let no = out_trade_no.clone();
    // Opening the cashier marks the order USERPAYING (once, after login).
    Effect::new(move |_| {
        if logged_in() && !opened.get_untracked() {
            opened.set(true);
            if let Some(m) = merchant {
                let command = OpenCashier {
                    merchant: m,
                    out_trade_no: no.clone(),
                };
                store.dispatch(command, move |result| {
                    if let Err(e) = result {
                        error.set(Some(e));
                    }
                });
            }
        }
    });
    // Core names what the cashier shows: the order, the methods and the
    // one chosen until the person picks another.
    let shown = {
        let no = out_trade_no.clone();
        Memo::new(move |_| merchant.map(|m| store.state.with(|s| s.cashier_view(m, &no))))
    };
    let order = move || shown.get().and_then(|v| v.order);
    let pay = {
        let no = out_trade_no.clone();
        move || {
            let Some(m) = merchant else {
                error.set(Some(Problem::Pay(PayError::NoSuchOrder)));
                return;
            };
            let chosen = method.get_untracked();
            let (pp, wp) = (
                pay_password.get_untracked(),
                wallet_password.get_untracked(),
            );
            let confirming = step.get_untracked() == Step::Confirm;
            let (no, key) = (no.clone(), key.clone());
            once_at_a_time(busy, move || async move {
                let request = PayOrder {
                    merchant: m,
                    out_trade_no: no,
                    method: chosen,
                    pay_password: pp.into(),
                    wallet_password: confirming.then_some(wp.into()),
                    key,
                };
                match store.run(request).await {
                    Ok(_) => {
                        error.set(None);
                        step.set(Step::Paid);
                        if bridge {
                            report_to_opener("ok");
                        }
                    }
                    Err(Problem::Pay(PayError::NeedsConfirmation)) => {
                        error.set(None);
                        step.set(Step::Confirm);
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        }
    };
    // 「重试」 on a request that did not get through: the same payment, the
    // same key.
    let retry = {
        let pay = pay.clone();
        Callback::new(move |()| pay())
    };
    let submit = {
        let pay = pay.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            pay();
        }
    };
    // The bridge's 「取消支付」: the order back to NOTPAY, the page told
    // `cancel`, the window closed.
    let leave = {
        let no = out_trade_no.clone();
        move || {
            if let Some(m) = merchant {
                let command = CancelPayment {
                    merchant: m,
                    out_trade_no: no.clone(),
                };
                store.dispatch(command, move |_| {
                    report_to_opener("cancel");
                    close_window();
                });
            }
        }
    };
    let cancel = {
        let no = out_trade_no.clone();
        move |_| {
            if let Some(m) = merchant {
                let command = CancelPayment {
                    merchant: m,
                    out_trade_no: no.clone(),
                };
                store.dispatch(command, move |result| error.set(result.err()));
            }
            step.set(Step::Choose);
            wallet_password.set(String::new());
        }
    };
    let merchant_name = move || {
        let names = merchant.and_then(|m| store.state.with(|s| s.merchant_names(m)));
        names
            .map(|(zh, en)| store.locale.get().pick(zh, en))
            .unwrap_or_default()
    };
    // A demo store's orders page; a registered merchant's backend has its own.
    let back = merchant
        .filter(|m| m.demo().is_some())
        .map(|m| orders_href(m, &out_trade_no));

    view! {
        <section class="card wechat-world cashier">
            <h1>{move || tw().cashier_title}</h1>
            <Show when=logged_in fallback=WeChatLogin>
                {
                    let submit = submit.clone();
                    let leave = leave.clone();
                    let cancel = cancel.clone();
                    let back = back.clone();
                    let h5_return = h5_return.clone();
                    let h5_refused = h5_refused.clone();
                    move || match order() {
                        None => view! { <ErrorBox problem=Signal::stored(Some(Problem::Pay(PayError::NoSuchOrder))) /> }.into_any(),
                        Some(_) if h5_refused.is_some() => view! { <ErrorBox problem=Signal::stored(h5_refused.clone().map(Problem::Pay)) /> }.into_any(),
                        Some((amount, description)) => {
                            let header = view! {
                                <p class="muted">{merchant_name()} " · " {description}</p>
                                <p class="big-amount" data-testid="pay-amount">{amount.to_string()}</p>
                            };
                            match step.get() {
                                Step::Paid => view! {
                                    {header}
                                    <h2 class="success" role="status">{tw().pay_success}</h2>
                                    {back.clone().map(|href| view! { <Link href=href class="button primary">{t().back_to_merchant}</Link> })}
                                    {bridge.then(|| view! { <button type="button" class="button primary" on:click=move |_| close_window()>{tw().bridge_done}</button> })}
                                    {h5_return.clone().map(|href| view! { <a href=href class="button primary">{tw().h5_back}</a> })}
                                }
                                .into_any(),
                                Step::Confirm => view! {
                                    {header}
                                    <form on:submit=submit.clone() novalidate class="extra-confirmation">
                                        <h2>{tw().extra_confirmation_title}</h2>
                                        <p>{tw().extra_confirmation_intro}</p>
                                        <label for="pay-wallet-password">{tw().wallet_password}</label>
                                        <input id="pay-wallet-password" type="password" autocomplete="current-password" bind:value=wallet_password />
                                        <ErrorBox problem=error retry />
                                        <div class="actions">
                                            <button type="submit" class="button wechat" data-coach="extra-confirm">{t().confirm}</button>
                                            <button type="button" class="button" on:click=cancel.clone()>{t().cancel}</button>
                                        </div>
                                    </form>
                                }
                                .into_any(),
                                Step::Choose => view! {
                                    {header}
                                    <form on:submit=submit.clone() novalidate>
                                        <fieldset class="methods">
                                            <legend>{tw().pay_with}</legend>
                                            {move || {
                                                let Some(CashierView { methods: list, chosen, .. }) = shown.get() else {
                                                    return ().into_any();
                                                };
                                                if list.is_empty() {
                                                    return view! { <p class="hint">{tw().no_methods}</p> }.into_any();
                                                }
                                                list.into_iter()
                                                    .enumerate()
                                                    .map(|(i, (m, balance))| {
                                                        let id = format!("method-{i}");
                                                        let checked = method.get().or(chosen) == Some(m);
                                                        view! {
                                                            <div class="switch-row">
                                                                <input type="radio" name="method" id=id.clone() data-coach=matches!(m, PayMethod::Wallet(_)).then_some("wallet-method") prop:checked=checked on:change=move |_| method.set(Some(m)) />
                                                                <label for=id>
                                                                    {match m {
                                                                        PayMethod::Wallet(_) => (tw().wallet_method)(&balance.to_string()),
                                                                        PayMethod::Change => (tw().change_method)(&balance.to_string()),
                                                                    }}
                                                                </label>
                                                            </div>
                                                        }
                                                    })
                                                    .collect_view()
                                                    .into_any()
                                            }}
                                        </fieldset>
                                        <label for="pay-password">{t().pay_password}</label>
                                        <input id="pay-password" type="password" inputmode="numeric" maxlength=PAY_PASSWORD_DIGITS autocomplete="off" bind:value=pay_password />
                                        <ErrorBox problem=error retry />
                                        <button type="submit" class="button wechat" data-coach="confirm-pay">{tw().confirm_pay}</button>
                                        {bridge.then(|| {
                                            let leave = leave.clone();
                                            view! { <button type="button" class="button" on:click=move |_| leave()>{tw().bridge_cancel}</button> }
                                        })}
                                    </form>
                                }
                                .into_any(),
                            }
                        }
                    }
                }
            </Show>
        </section>
    }
}

/// In the JS bridge's window: tells the merchant's page (the opener) how
/// the payment ended (`ok`, `cancel`), as `getBrandWCPayRequest` reports it.
fn report_to_opener(result: &str) {
    use wasm_bindgen::JsCast;
    // (The merchant's page is of another origin: its window is no
    // `instanceof Window` here, but takes postMessage.)
    let Some(opener) = web_sys::window()
        .and_then(|w| w.opener().ok())
        .filter(|o| !o.is_null() && !o.is_undefined())
        .map(|o| o.unchecked_into::<web_sys::Window>())
    else {
        return;
    };
    let message = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&message, &"qianbao".into(), &"getBrandWCPayRequest".into());
    let _ = js_sys::Reflect::set(&message, &"result".into(), &result.into());
    let _ = opener.post_message(&message, "*");
}

/// Closes the JS bridge's window (the merchant's page carries on).
fn close_window() {
    if let Some(window) = web_sys::window() {
        let _ = window.close();
    }
}
