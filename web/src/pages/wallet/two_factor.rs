//! 两步验证: the settings section that turns it on (QR code of the
//! `otpauth://` URI, the key as text, a code to confirm, recovery codes shown
//! once) and off (password), and the second step of signing in.

use crate::app::Page;
use crate::components::{qr_svg, ErrorBox};
use crate::credentials;
use crate::env;
use crate::router::use_nav;
use crate::store::{use_store, Problem};
use leptos::prelude::*;
use qianbao_core::command::{BeginTotp, ConfirmTotp, DisableTotp, LogOut};
use qianbao_core::totp::SecondFactor;
use qianbao_core::verification::CODE_INPUT_CHARS;

/// The 「两步验证」 part of 「设置」→「安全」.
#[component]
pub fn TwoFactorSettings() -> impl IntoView {
    let store = use_store();
    let t = move || store.text();
    let tw = move || store.wallet_world_text();
    let code = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Problem>);
    // Shown once, right after turning it on; never stored in clear.
    let recovery = RwSignal::new(Vec::<String>::new());
    let status = move || {
        store.state.with(|s| {
            s.signed_in().map(|a| {
                (
                    a.totp()
                        .map(|t| (env::date_time(t.enabled_at()), t.recovery_left())),
                    a.totp_setup()
                        .map(|secret| (secret.grouped(), secret.otpauth_uri(a.login().as_str()))),
                )
            })
        })
    };
    let begin = move |_| {
        code.set(String::new());
        store.dispatch(BeginTotp {}, move |result| {
            error.set(result.err());
            env::focus_by_id("totp-code");
        });
    };
    let confirm = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = code.get_untracked();
        code.set(String::new());
        store.dispatch(
            ConfirmTotp { code: typed.into() },
            move |result| match result {
                Ok(codes) => {
                    recovery.set(codes);
                    error.set(None);
                }
                Err(e) => error.set(Some(e)),
            },
        );
    };
    let turn_off = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = password.get_untracked();
        password.set(String::new());
        store.dispatch(
            DisableTotp {
                password: typed.into(),
            },
            move |result| error.set(result.err()),
        );
    };
    view! {
        <section class="two-factor" aria-labelledby="two-factor-title">
            <h3 id="two-factor-title">{move || tw().two_factor}</h3>
            <p class="hint">{move || tw().two_factor_intro}</p>
            {move || match status() {
                Some((Some((since, left)), _)) => view! {
                    <p class="success" data-testid="two-factor-status">{(tw().two_factor_on)(&since, left)}</p>
                    <form on:submit=turn_off>
                        <p class="hint">{tw().two_factor_off_password}</p>
                        <label for="totp-off-password">{t().password}</label>
                        <input id="totp-off-password" type="password" autocomplete="current-password" bind:value=password />
                        <button type="submit" class="button">{tw().two_factor_turn_off}</button>
                    </form>
                }
                .into_any(),
                Some((None, Some((key, uri)))) => {
                    let qr = qr_svg(&uri);
                    view! {
                        <p>{tw().two_factor_scan}</p>
                        <div class="qr" role="img" aria-label=tw().two_factor_qr inner_html=qr></div>
                        <p><a href=uri data-testid="otpauth-link">{tw().two_factor_open_app}</a></p>
                        <p>
                            {tw().two_factor_secret}": "
                            <code class="secret" data-testid="totp-secret">{key}</code>
                        </p>
                        <form on:submit=confirm>
                            <label for="totp-code">{tw().two_factor_code}</label>
                            <input id="totp-code" inputmode="numeric" autocomplete="one-time-code" maxlength=CODE_INPUT_CHARS bind:value=code />
                            <button type="submit" class="button primary">{tw().two_factor_confirm}</button>
                        </form>
                    }
                    .into_any()
                }
                _ => view! {
                    <p data-testid="two-factor-status">{tw().two_factor_off}</p>
                    <button type="button" class="button" on:click=begin>{tw().two_factor_turn_on}</button>
                }
                .into_any(),
            }}
            <ErrorBox problem=error />
            <Show when=move || !recovery.with(Vec::is_empty)>
                <div class="recovery-codes" role="status">
                    <h4>{move || tw().two_factor_recovery_title}</h4>
                    <p class="hint">{move || tw().two_factor_recovery_hint}</p>
                    <ol data-testid="recovery-codes">
                        {move || recovery.get().into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
                    </ol>
                    <button type="button" class="button" on:click=move |_| recovery.set(Vec::new())>
                        {move || tw().two_factor_recovery_done}
                    </button>
                </div>
            </Show>
        </section>
    }
}

/// The second step of signing in, shown by 「登录」 while the session waits
/// for it. `error` belongs to the login page, so that an error that ends the
/// sign-in (too slow, locked) stays on screen above the password form.
#[component]
pub fn LoginCode(error: RwSignal<Option<Problem>>) -> impl IntoView {
    let store = use_store();
    let t = move || store.text();
    let nav = use_nav();
    let code = RwSignal::new(String::new());
    let who = move || {
        store
            .state
            .with(|s| s.awaiting_login_code().map(|a| a.login().masked()))
            .unwrap_or_default()
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = code.get_untracked();
        code.set(String::new());
        store.spawn(async move {
            match credentials::enter_login_code(store, typed).await {
                Ok(used) => {
                    if let SecondFactor::Recovery { remaining } = used {
                        store
                            .notice
                            .set(Some(crate::store::Notice::RecoveryCodeUsed(remaining)));
                    }
                    nav.go(Page::Home.path());
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    Effect::new(move |_| env::focus_by_id("login-code"));
    view! {
        <section class="card">
            <h1>{move || t().wallet.login_code_title}</h1>
            <p>{move || (t().wallet.login_code_hint)(&who())}</p>
            <form on:submit=submit novalidate>
                <label for="login-code">{move || t().wallet.login_code_label}</label>
                <input id="login-code" name="code" autocomplete="one-time-code" bind:value=code />
                <ErrorBox problem=error />
                <div class="actions">
                    <button type="submit" class="button primary" data-coach="log-in-submit">{move || t().wallet.login_code_submit}</button>
                    <button type="button" class="button" on:click=move |_| store.update(LogOut {})>
                        {move || t().cancel}
                    </button>
                </div>
            </form>
        </section>
    }
}
