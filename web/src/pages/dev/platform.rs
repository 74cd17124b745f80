//! 「平台证书与微信支付公钥」 in the developer console (when the sandbox
//! server serves the page): the platform keys — each a 微信支付公钥 with its
//! certificate — and the three steps of a rotation, as WeChat Pay rotates
//! them (see `server/src/platform.rs`): publish a new key, switch to it,
//! retire the old one.

use crate::sandbox_api::{self, PlatformKey};
use crate::store::use_store;
use leptos::prelude::*;

#[component]
pub fn PlatformKeys() -> impl IntoView {
    let store = use_store();
    let tw = move || store.dev_text();
    let keys = RwSignal::new(Vec::<PlatformKey>::new());
    let refused = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    store.spawn(async move {
        match sandbox_api::platform_keys().await {
            Ok(found) => keys.set(found),
            Err(code) => refused.set(Some(code)),
        }
    });
    let step = move |name: &'static str| {
        move |_| {
            if busy.get_untracked() {
                return;
            }
            busy.set(true);
            store.spawn(async move {
                match sandbox_api::rotate(name).await {
                    Ok(found) => {
                        refused.set(None);
                        keys.set(found);
                    }
                    Err(code) => refused.set(Some(code)),
                }
                busy.set(false);
            });
        }
    };
    let refusal = move || {
        refused.get().map(|code| {
            let t = tw();
            match code.as_str() {
                "ROTATION_UNDER_WAY" => t.dev_rotate_under_way,
                "NOTHING_TO_SWITCH" => t.dev_rotate_nothing_to_switch,
                "NOTHING_TO_RETIRE" => t.dev_rotate_nothing_to_retire,
                _ => t.dev_rotate_failed,
            }
        })
    };
    let stage = move |stage: &str| {
        let t = tw();
        match stage {
            "active" => t.dev_stage_active,
            "next" => t.dev_stage_next,
            _ => t.dev_stage_retiring,
        }
    };
    view! {
        <h3>{move || tw().dev_platform}</h3>
        <p class="muted">{move || tw().dev_platform_intro}</p>
        <ul class="platform-keys" data-testid="platform-keys">
            {move || keys.get().into_iter().map(|key| {
                let state = key.stage.clone();
                view! {
                    <li data-key=key.public_key_id.clone() data-stage=key.stage.clone()>
                        <strong>{move || stage(&state)}</strong>
                        <ul>
                            <li><code>"Wechatpay-Serial"</code>" = " <code>{key.public_key_id.clone()}</code></li>
                            <li><code>"serial_no"</code>" = " <code>{key.serial_no.clone()}</code></li>
                        </ul>
                        <details>
                            <summary>{move || tw().dev_public_key}</summary>
                            <pre class="credentials">{key.public_key_pem.clone()}</pre>
                        </details>
                    </li>
                }
            }).collect_view()}
        </ul>
        <div class="actions">
            <button type="button" class="button" disabled=move || busy.get() on:click=step("start")>{move || tw().dev_rotate_start}</button>
            <button type="button" class="button" disabled=move || busy.get() on:click=step("switch")>{move || tw().dev_rotate_switch}</button>
            <button type="button" class="button" disabled=move || busy.get() on:click=step("retire")>{move || tw().dev_rotate_retire}</button>
        </div>
        {move || refusal().map(|text| view! { <p class="error" role="alert">{text}</p> })}
    }
}
