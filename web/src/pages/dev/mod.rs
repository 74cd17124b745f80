//! The developer console (`/dev`): every simulated request and response,
//! fault injection (read by `core`: a field out of range is refused with its
//! range and changes nothing), the simulated clock, and the sandbox's data —
//! export, import (validated: a bad file changes nothing), reset.

mod check;
mod merchants;
mod platform;
mod refunds;

use crate::components::{ConfirmBox, ErrorBox, WordedErrorBox};
use crate::env;
use crate::i18n;
use crate::storage;
use crate::store::{use_store, Problem};
use leptos::prelude::*;
use qianbao_core::command::{AdvanceClock, ClearLog, ResendNotify, ResetClock, SetFaults};
use qianbao_core::merchant::MerchantId;
use qianbao_core::sim::{Faults, FaultsError};
use std::time::Duration;
use wasm_bindgen::JsCast;

/// One request in the console's log, as it lists it.
struct LogRow {
    id: u64,
    at: String,
    endpoint: String,
    request: Vec<(String, String)>,
    response: Vec<(String, String)>,
    /// The error code, when the request failed, and what it means.
    code: Option<String>,
    meaning: Option<String>,
}

#[component]
pub fn Console() -> impl IntoView {
    let store = use_store();
    let tw = move || store.dev_text();
    let error = RwSignal::new(None::<Problem>);
    let faults_error = RwSignal::new(None::<FaultsError>);
    let imported = RwSignal::new(false);
    let confirming_reset = RwSignal::new(false);

    // The form shows the plan as it is; a field the person has not edited
    // follows it (a request spends a fault, another person sets one), and
    // 「应用」 sends only the fields they changed.
    let faults = move || store.state.with(|s| s.sim().faults());
    let shown = RwSignal::new(untrack(faults));
    let network = RwSignal::new(shown.get_untracked().network.to_string());
    let busy = RwSignal::new(shown.get_untracked().busy.to_string());
    let latency = RwSignal::new(shown.get_untracked().latency_ms.to_string());
    Effect::new(move |_| {
        let now = faults();
        let before = shown.get_untracked();
        for (field, was, is) in [
            (network, before.network, now.network),
            (busy, before.busy, now.busy),
            (latency, before.latency_ms, now.latency_ms),
        ] {
            if field.get_untracked() == was.to_string() {
                field.set(is.to_string());
            }
        }
        shown.set(now);
    });
    let apply_faults = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let change = Faults::change(
            shown.get_untracked(),
            &network.get_untracked(),
            &busy.get_untracked(),
            &latency.get_untracked(),
        );
        match change {
            Ok(change) => {
                faults_error.set(None);
                store.update(SetFaults { change });
            }
            Err(e) => faults_error.set(Some(e)),
        }
    };
    let advance = move |by: Duration| store.update(AdvanceClock { secs: by.as_secs() });
    let clock = move || {
        let now = store.clock.get();
        store.state.with(|s| {
            (
                env::date_time(s.sim().now(now)),
                s.sim().clock_offset().as_secs() / 60,
            )
        })
    };
    let log = move || {
        let locale = store.locale.get();
        store.state.with(|s| {
            s.sim()
                .log()
                .iter()
                .rev()
                .map(|e| {
                    let meaning = e
                        .error
                        .as_deref()
                        .and_then(|code| i18n::code_meaning(locale, code));
                    LogRow {
                        id: e.id,
                        at: env::date_time(e.at),
                        endpoint: i18n::endpoint(e.endpoint),
                        request: e.request.clone(),
                        response: e.response.clone(),
                        code: e.error.clone(),
                        meaning,
                    }
                })
                .collect::<Vec<_>>()
        })
    };
    let export = move |_| {
        if storage::on_server() {
            store.spawn(async move {
                match crate::sandbox_api::export().await {
                    Ok(bundle) => {
                        env::download("qianbao-export.json", &bundle);
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        } else {
            let _ = env::download("qianbao-export.json", &storage::export_bundle());
        }
    };
    let import = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        env::read_text(&file, move |text| {
            store.spawn(async move {
                // A good file reloads the page; a bad one changes nothing.
                match store.import(text).await {
                    Ok(()) => imported.set(true),
                    Err(e) => error.set(Some(e)),
                }
            });
        });
        input.set_value("");
    };
    let reset = move |()| store.spawn(async move { store.reset().await });
    let field =
        |(k, v): (String, String)| view! { <li><code>{k}</code>" = " <code>{v}</code></li> };

    view! {
        <section class="card dev">
            <h1>{move || tw().dev_title}</h1>
            <p class="muted">{move || tw().dev_intro}</p>

            <h2>{move || tw().dev_faults}</h2>
            <form on:submit=apply_faults class="inline-form" novalidate>
                <label for="dev-network">{move || tw().dev_network_next}</label>
                <input id="dev-network" inputmode="numeric" bind:value=network />
                <label for="dev-busy">{move || tw().dev_busy_next}</label>
                <input id="dev-busy" inputmode="numeric" bind:value=busy />
                <label for="dev-latency">{move || tw().dev_latency}</label>
                <input id="dev-latency" inputmode="numeric" bind:value=latency />
                <button type="submit" class="button">{move || tw().dev_apply}</button>
            </form>
            <WordedErrorBox error=move |locale| faults_error.get().map(|e| i18n::faults_error(locale, &e)) />
            <p class="hint" data-testid="faults">{move || { let f = faults(); (tw().dev_faults_now)(f.network, f.busy, f.latency_ms) }}</p>

            <h2>{move || tw().dev_clock}</h2>
            <p data-testid="clock">{move || { let (at, mins) = clock(); (tw().dev_clock_now)(&at, mins) }}</p>
            <div class="actions">
                <button type="button" class="button" on:click=move |_| advance(Duration::from_secs(5 * 60 + 1))>
                    {move || (tw().dev_advance)(if store.locale.get() == i18n::Locale::ZhCn { "5 分钟" } else { "5 minutes" })}
                </button>
                <button type="button" class="button" on:click=move |_| advance(Duration::from_secs(2 * 3600 + 1))>
                    {move || (tw().dev_advance)(if store.locale.get() == i18n::Locale::ZhCn { "2 小时" } else { "2 hours" })}
                </button>
                <button type="button" class="button" on:click=move |_| advance(Duration::from_secs(30 * 24 * 3600 + 1))>
                    {move || (tw().dev_advance)(if store.locale.get() == i18n::Locale::ZhCn { "30 天" } else { "30 days" })}
                </button>
                <button type="button" class="button" on:click=move |_| store.update(ResetClock {})>
                    {move || tw().dev_clock_reset}
                </button>
            </div>

            <h2>{move || tw().dev_data}</h2>
            <div class="actions">
                <button type="button" class="button" on:click=export>{move || tw().dev_export}</button>
                <label class="button" for="dev-import">{move || tw().dev_import}</label>
                <input id="dev-import" type="file" accept="application/json,.json" class="visually-hidden" on:change=import />
                <button type="button" class="button danger" on:click=move |_| confirming_reset.set(true)>{move || tw().dev_reset}</button>
            </div>
            <Show when=move || confirming_reset.get()>
                <ConfirmBox
                    message=Signal::derive(move || tw().dev_reset_confirm.to_owned())
                    on_confirm=Callback::new(reset)
                    on_cancel=Callback::new(move |()| confirming_reset.set(false))
                />
            </Show>
            {move || imported.get().then(|| view! { <p class="success" role="status">{tw().dev_imported}</p> })}
            <ErrorBox problem=error />

            <merchants::Merchants />

            <div class="section-head">
                <h2>{move || tw().dev_log}</h2>
                <button type="button" class="button" on:click=move |_| store.update(ClearLog {})>
                    {move || tw().dev_clear_log}
                </button>
            </div>
            <Show when=move || !log().is_empty() fallback=move || view! { <p class="muted">{move || tw().dev_log_empty}</p> }>
                <ol class="dev-log">
                    {move || {
                        log()
                            .into_iter()
                            .map(|LogRow { id, at, endpoint, request, response, code, meaning }| {
                                let notify = notify_target(&request);
                                view! {
                                    <li class="log-entry" class:failed=code.is_some() data-log-id=id>
                                        <div class="log-head">
                                            <code class="endpoint">{endpoint}</code>
                                            <time>{at}</time>
                                            {code.clone().map(|c| view! { <span class="tag error-tag">{c}</span> })}
                                        </div>
                                        <p class="log-label">{tw().dev_request}</p>
                                        <ul class="fields">{request.into_iter().map(field).collect_view()}</ul>
                                        <p class="log-label">{tw().dev_response}</p>
                                        <ul class="fields">{response.into_iter().map(field).collect_view()}</ul>
                                        {meaning.map(|m| view! { <p class="hint">{m}</p> })}
                                        {notify
                                            .map(|(merchant, no)| {
                                                view! {
                                                    <button
                                                        type="button"
                                                        class="button"
                                                        on:click=move |_| {
                                                            store.dispatch(
                                                                ResendNotify { merchant, out_trade_no: no.clone() },
                                                                move |result| error.set(result.err()),
                                                            );
                                                        }
                                                    >
                                                        {tw().dev_resend_notify}
                                                    </button>
                                                }
                                            })}
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ol>
            </Show>
        </section>
    }
}

/// The order a payment-notification log entry is about, if it is one.
fn notify_target(request: &[(String, String)]) -> Option<(MerchantId, String)> {
    let get = |key: &str| {
        request
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    };
    get("trade_state")?;
    let merchant = MerchantId::parse(&get("mchid")?)?;
    Some((merchant, get("out_trade_no")?))
}
