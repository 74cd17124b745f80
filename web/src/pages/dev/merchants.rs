//! 「商户与应用」 in the developer console: the merchants registered with the
//! sandbox server, their apps and API orders (with each order's payment
//! notifications), and — when the sandbox server serves the page — a form
//! that registers one, as `qianbao-sandbox merchant add` does.

use crate::sandbox_api;
use crate::storage;
use crate::store::use_store;
use leptos::prelude::*;
use qianbao_core::command::{SetLimited, SetNotifications};
use qianbao_core::merchant::MerchantId;
use qianbao_core::payapi::{check_registration, MerchantFaults};
use qianbao_core::sim::{parse_count, parse_notify_delay, NotifyPlan};

/// One registered merchant, as the console lists it.
struct Row {
    name: String,
    mchid: String,
    appid: String,
    notify_url: String,
    redirect_domain: String,
    /// How many API orders the merchant has.
    count: usize,
    /// What its own next calls meet (the test helper `faults`).
    faults: MerchantFaults,
    /// The ones shown: (out_trade_no, state, notifications sent, acknowledged)
    orders: Vec<(String, &'static str, usize, bool)>,
}

/// Of a merchant's orders, the console shows this many paid last and this
/// many placed last.
const SHOWN: usize = 10;

#[component]
pub fn Merchants() -> impl IntoView {
    let store = use_store();
    let tw = move || store.dev_text();
    let on_server = storage::on_server();
    let name = RwSignal::new(String::new());
    let notify_url = RwSignal::new(String::new());
    let domain = RwSignal::new(String::new());
    let credentials = RwSignal::new(None::<String>);
    let plan = move || store.state.with(|s| s.sim().notifications());
    let duplicate = RwSignal::new(plan().duplicate);
    let reorder = RwSignal::new(plan().reorder);
    let delay = RwSignal::new(plan().delay_secs.to_string());
    let delay_bad = RwSignal::new(false);
    let limited_now = move || store.state.with(|s| s.sim().limited());
    let limited = RwSignal::new(limited_now().to_string());
    let limited_bad = RwSignal::new(false);
    let apply_limited = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match parse_count(&limited.get_untracked()) {
            Ok(n) => {
                limited_bad.set(false);
                store.update(SetLimited { calls: n });
            }
            Err(_) => limited_bad.set(true),
        }
    };
    let apply_plan = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let secs = parse_notify_delay(&delay.get_untracked());
        delay_bad.set(secs.is_none());
        if let Some(delay_secs) = secs {
            let plan = NotifyPlan {
                duplicate: duplicate.get_untracked(),
                delay_secs,
                reorder: reorder.get_untracked(),
            };
            store.update(SetNotifications { plan });
        }
    };
    let refused = RwSignal::new(None::<String>);
    let checks = super::check::Checks::default();

    let rows = move || {
        store.state.with(|s| {
            s.registered_merchants()
                .iter()
                .map(|m| Row {
                    name: m.name.clone(),
                    mchid: m.mchid.to_string(),
                    appid: m.appid.clone(),
                    notify_url: m.notify_url.clone(),
                    redirect_domain: m.redirect_domain.clone(),
                    count: s.order_book().count(MerchantId::Registered(m.mchid)),
                    faults: m.faults,
                    // The latest payments, then the latest orders placed: a
                    // few of each, however many the merchant has (a load
                    // test's thousands would bury the ones a person paid).
                    orders: {
                        let id = MerchantId::Registered(m.mchid);
                        let paid = s.order_book().newest_paid(id, SHOWN);
                        let placed = s.order_book().newest(id, SHOWN);
                        let mut seen = std::collections::BTreeSet::new();
                        paid.into_iter()
                            .chain(placed)
                            .filter(|o| seen.insert(o.out_trade_no.clone()))
                            .filter_map(|o| {
                                let api = o.api.as_ref()?;
                                Some((
                                    o.out_trade_no.clone(),
                                    o.state.as_str(),
                                    api.attempts.len(),
                                    api.acknowledged_at.is_some(),
                                ))
                            })
                            .collect()
                    },
                })
                .collect::<Vec<_>>()
        })
    };
    let register = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (n, u, d) = (
            name.get_untracked(),
            notify_url.get_untracked(),
            domain.get_untracked(),
        );
        // The form's rules are core's: a refusal needs no request.
        if let Err(error) = check_registration(&n, &u, &d) {
            credentials.set(None);
            refused.set(Some(error.field().to_owned()));
            return;
        }
        // (The server's events bring the new merchant to every page.)
        store.spawn(async move {
            match sandbox_api::register_merchant(&n, &u, &d).await {
                Ok(json) => {
                    refused.set(None);
                    credentials.set(Some(json));
                }
                Err(field) => {
                    credentials.set(None);
                    refused.set(Some(field));
                }
            }
        });
    };
    let refusal = move || {
        refused.get().map(|field| {
            let t = tw();
            match field.as_str() {
                "name" => t.dev_register_name,
                "notify_url" => t.dev_register_notify_url,
                "redirect_domain" => t.dev_register_redirect_domain,
                "full" => t.dev_register_full,
                _ => t.dev_register_server,
            }
        })
    };

    view! {
        <h2>{move || tw().dev_merchants}</h2>
        <p class="muted">{move || tw().dev_merchants_intro}</p>
        <Show when=move || !rows().is_empty() fallback=move || view! { <p class="muted">{move || tw().dev_merchants_none}</p> }>
            <ul class="merchants" data-testid="merchants">
                {move || rows().into_iter().map(|row| {
                    let orders = row.count;
                    let mchid = row.mchid.clone();
                    let check_mchid = row.mchid.clone();
                    view! {
                        <li data-mchid=mchid>
                            <strong>{row.name}</strong>
                            <ul>
                                <li><code>"mchid"</code>" = " <code>{row.mchid}</code></li>
                                <li><code>"appid"</code>" = " <code>{row.appid}</code></li>
                                <li><code>"notify_url"</code>" = " <code>{row.notify_url}</code></li>
                                <li><code>"redirect_domain"</code>" = " <code>{row.redirect_domain}</code></li>
                            </ul>
                            {on_server.then(|| view! { <super::check::Check mchid=check_mchid checks=checks /> })}
                            {(!row.faults.is_none()).then(|| {
                                let f = row.faults;
                                view! { <p class="hint" data-testid="own-faults">{move || (tw().dev_merchant_faults)(f.network, f.limited, f.busy)}</p> }
                            })}
                            <p class="muted">{move || (tw().dev_merchant_orders)(orders)}</p>
                            <ul>
                                {row.orders.into_iter().map(|(no, state, sent, ok)| {
                                    let key = no.clone();
                                    view! {
                                    <li data-order=key data-state=state>
                                        <code>{no}</code>" " {state} " · " {move || (tw().dev_order_notified)(sent, ok)}
                                    </li>
                                    }
                                }).collect_view()}
                            </ul>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </Show>
        <form class="form" on:submit=apply_limited>
            <label for="api-limited">{move || tw().dev_limited}</label>
            <input id="api-limited" inputmode="numeric" maxlength="3" bind:value=limited />
            <button type="submit" class="button">{move || tw().dev_limited_apply}</button>
        </form>
        {move || limited_bad.get().then(|| view! { <p class="error" role="alert">{tw().dev_limited_bad}</p> })}
        <p class="muted" data-testid="limited">{move || (tw().dev_limited_now)(limited_now())}</p>
        <h3>{move || tw().dev_notify_plan}</h3>
        <form class="form" on:submit=apply_plan>
            <label><input type="checkbox" bind:checked=duplicate />" " {move || tw().dev_notify_duplicate}</label>
            <label for="notify-delay">{move || tw().dev_notify_delay}</label>
            <input id="notify-delay" inputmode="numeric" maxlength="4" bind:value=delay />
            <label><input type="checkbox" bind:checked=reorder />" " {move || tw().dev_notify_reorder}</label>
            <button type="submit" class="button">{move || tw().dev_notify_apply}</button>
        </form>
        {move || delay_bad.get().then(|| view! { <p class="error" role="alert">{tw().dev_notify_delay_bad}</p> })}
        <p class="muted" data-testid="notify-plan">{move || {
            let p = plan();
            (tw().dev_notify_now)(p.duplicate, p.delay_secs, p.reorder)
        }}</p>
        <super::refunds::Refunds />
        {if on_server {
            view! {
                <form class="form" on:submit=register>
                    <label for="mch-name">{move || tw().dev_merchant_name}</label>
                    <input id="mch-name" maxlength="32" bind:value=name />
                    <label for="mch-notify">{move || tw().dev_notify_url}</label>
                    <input id="mch-notify" type="url" maxlength="255" placeholder="http://127.0.0.1:3000/notify" bind:value=notify_url />
                    <label for="mch-domain">{move || tw().dev_redirect_domain}</label>
                    <input id="mch-domain" maxlength="253" placeholder="127.0.0.1:3000" bind:value=domain />
                    <button type="submit" class="button primary">{move || tw().dev_register}</button>
                </form>
                {move || refusal().map(|text| view! { <p class="error" role="alert">{text}</p> })}
                {move || credentials.get().map(|json| view! {
                    <p role="status">{move || tw().dev_credentials}</p>
                    <pre class="credentials" data-testid="credentials">{json}</pre>
                })}
                <super::platform::PlatformKeys />
            }
            .into_any()
        } else {
            view! { <p class="muted">{move || tw().dev_merchants_static}</p> }.into_any()
        }}
    }
}
