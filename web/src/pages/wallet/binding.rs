//! 「绑定微信」 and its aftermath on the wallet side: the button that sends the
//! browser to WeChat's authorize page, the callback that completes the
//! binding (「绑定成功」), the binding's status, and 「绑定管理」 /
//! 「第三方应用管理」 with 「解除绑定」/「取消授权」.

use super::SignedIn;
use crate::app::Page;
use crate::components::{once_at_a_time, ConfirmBox, ErrorBox};
use crate::env;
use crate::router::{use_nav, Link};
use crate::store::{use_store, Problem};
use leptos::prelude::*;
use qianbao_core::binding::{Binding, EndReason, Site};
use qianbao_core::command::{CheckBinding, CompleteBinding, StartBinding, UnbindWeChat};

/// Where this sandbox is served, for the redirect URI.
pub fn site() -> Site {
    Site {
        origin: env::origin(),
        base: use_nav().base(),
    }
}

/// 「绑定微信」: starts an authorization and navigates to WeChat.
#[component]
pub fn BindButton(#[prop(optional)] label: Option<&'static str>) -> impl IntoView {
    let store = use_store();
    let tw = move || store.wallet_world_text();
    let nav = use_nav();
    let error = RwSignal::new(None::<Problem>);
    let site = site();
    let start = move |_| {
        store.dispatch(
            StartBinding { site: site.clone() },
            move |result| match result {
                Ok(url) => env::assign(&nav.href(&url)),
                Err(e) => error.set(Some(e)),
            },
        );
    };
    view! {
        <button type="button" class="button primary" data-coach="bind-button" on:click=start>
            {move || label.unwrap_or(tw().bind_wechat)}
        </button>
        <ErrorBox problem=error />
    }
}

/// The signed-in wallet's binding, as a card.
#[component]
pub fn BindingStatus() -> impl IntoView {
    let store = use_store();
    let tw = move || store.wallet_world_text();
    let binding = move || {
        store
            .state
            .with(|s| s.signed_in().map(|a| s.binding(a.id())).unwrap_or_default())
    };
    move || match binding() {
        Binding::Bound(bound) => view! {
            <div class="bound-card" data-binding="bound">
                <span class="avatar" aria-hidden="true">{bound.avatar.clone()}</span>
                <dl class="facts">
                    <dt>{tw().wechat_nickname}</dt>
                    <dd data-field="nickname">{bound.nickname.clone()}</dd>
                    <dt>{tw().wechat_id}</dt>
                    <dd data-field="wxid">{bound.masked_wxid.clone()}</dd>
                    <dt>{tw().bound_at}</dt>
                    <dd>{env::date_time(bound.bound_at)}</dd>
                </dl>
            </div>
        }
        .into_any(),
        Binding::Authorizing { .. } => {
            view! { <p class="hint" data-binding="authorizing">{tw().binding_in_progress}</p> }
                .into_any()
        }
        Binding::Ended {
            reason: EndReason::Unbound,
            ..
        } => view! { <p class="hint" data-binding="ended">{tw().binding_ended_unbound}</p> }
            .into_any(),
        Binding::Ended {
            reason: EndReason::RevokedInWeChat,
            ..
        } => view! { <p class="hint" data-binding="revoked">{tw().binding_ended_revoked}</p> }
            .into_any(),
        Binding::Unbound => {
            view! { <p class="hint" data-binding="unbound">{tw().not_bound}</p> }.into_any()
        }
    }
}

fn is_bound(store: crate::store::Store) -> bool {
    store.state.with(|s| {
        s.signed_in()
            .is_some_and(|a| s.binding(a.id()).bound().is_some())
    })
}

/// 「绑定管理」 (also 「第三方应用管理」): the WeChat entry and how to end it.
#[component]
pub fn Bindings() -> impl IntoView {
    view! {
        <SignedIn>
            <BindingsPanel />
        </SignedIn>
    }
}

#[component]
fn BindingsPanel() -> impl IntoView {
    let store = use_store();
    let t = move || store.text();
    let tw = move || store.wallet_world_text();
    let confirming = RwSignal::new(false);
    let error = RwSignal::new(None::<Problem>);
    let done = RwSignal::new(false);
    // Page entry: using the binding checks its token, so a revocation in
    // WeChat shows here; a check that could not reach WeChat changes
    // nothing and says so.
    // Which request the error box's 「重试」 sends again: the check, or the
    // unbinding that did not get through.
    let unbinding = StoredValue::new(false);
    let check = move || {
        unbinding.set_value(false);
        store.dispatch(CheckBinding {}, move |result| error.set(result.err()));
    };
    check();
    // One unbinding at a time: a second press (a double click on 「重试」)
    // while one runs does nothing.
    let busy = RwSignal::new(false);
    // The binding on screen when 「解除绑定」 was pressed: only that one is
    // ended, however late a 「重试」 comes (another tab may have unbound and
    // bound the wallet again meanwhile: W-BIND-CHANGED).
    let reviewed = StoredValue::new(None::<String>);
    let review = move |_| {
        let shown = store.state.with_untracked(|s| {
            s.signed_in()
                .and_then(|a| s.binding(a.id()).bound().map(|b| b.openid.clone()))
        });
        reviewed.set_value(shown);
        confirming.set(true);
    };
    let unbind = move |()| {
        unbinding.set_value(true);
        let Some(openid) = reviewed.get_value() else {
            return;
        };
        once_at_a_time(busy, move || async move {
            match store.run(UnbindWeChat { openid }).await {
                Ok(()) => {
                    error.set(None);
                    done.set(true);
                }
                Err(e) => error.set(Some(e)),
            }
            confirming.set(false);
        });
    };
    let retry = Callback::new(move |()| {
        if unbinding.get_value() {
            unbind(());
        } else {
            check();
        }
    });
    view! {
        <section class="card">
            <h1>{move || tw().binding_management}</h1>
            <p class="muted">{move || tw().third_party_management}</p>
            <div class="binding-entry">
                <h2>{move || t().nav_wechat}</h2>
                <BindingStatus />
                <Show
                    when=move || is_bound(store)
                    fallback=move || view! { <BindButton /> }
                >
                    <Show
                        when=move || confirming.get()
                        fallback=move || {
                            view! {
                                <div class="actions">
                                    <Link href=Page::ToWeChat.path() class="button">{move || t().wallet.to_wechat_change}</Link>
                                    <button type="button" class="button danger" data-coach="unbind" on:click=review>
                                        {move || tw().unbind}
                                    </button>
                                    <button type="button" class="button" on:click=review>
                                        {move || t().revoke}
                                    </button>
                                </div>
                            }
                        }
                    >
                        <ConfirmBox
                            message=Signal::derive(move || tw().unbind_confirm.to_owned())
                            on_confirm=Callback::new(unbind)
                            on_cancel=Callback::new(move |()| confirming.set(false))
                            {..}
                            data-coach="unbind-confirm"
                        />
                    </Show>
                </Show>
                {move || done.get().then(|| view! { <p class="success" role="status">{tw().unbound_done}</p> })}
                <ErrorBox problem=error retry />
            </div>
        </section>
    }
}

/// The redirect target: `/bind/callback?code=…&state=…`.
#[component]
pub fn BindCallback() -> impl IntoView {
    view! {
        <SignedIn>
            <CallbackPanel />
        </SignedIn>
    }
}

#[component]
fn CallbackPanel() -> impl IntoView {
    let store = use_store();
    let nav = use_nav();
    let t = move || store.text();
    let tw = move || store.wallet_world_text();
    let code = untrack(|| nav.query("code"));
    let state = untrack(|| nav.query("state")).unwrap_or_default();
    let outcome = RwSignal::new(None::<Result<(), Problem>>);
    let complete = move || {
        let (code, state) = (code.clone(), state.clone());
        store.dispatch(CompleteBinding { code, state }, move |result| {
            outcome.set(Some(result))
        });
    };
    // The console's simulated latency: the exchange with WeChat takes this long.
    let latency = store.state.with_untracked(|s| s.sim().faults().latency_ms);
    {
        let complete = complete.clone();
        set_timeout(
            complete,
            std::time::Duration::from_millis(u64::from(latency)),
        );
    }
    let retryable = move || matches!(outcome.get(), Some(Err(Problem::Bind(e))) if e.can_retry());
    let error = Signal::derive(move || outcome.get().and_then(Result::err));
    let retry = {
        let complete = complete.clone();
        move |_| complete()
    };
    view! {
        <section class="card">
            {move || match outcome.get() {
                Some(Ok(())) => view! {
                    <h1 class="success">{tw().bind_success}</h1>
                    <p>{tw().bound_to}</p>
                }
                .into_any(),
                Some(Err(_)) => view! { <h1>{tw().bind_wechat}</h1> }.into_any(),
                None => view! { <h1>{tw().binding_now}</h1> }.into_any(),
            }}
            <BindingStatus />
            <ErrorBox problem=error />
            <div class="actions">
                <Show when=retryable>
                    <button type="button" class="button primary" data-coach="retry" on:click=retry.clone()>{move || t().retry}</button>
                </Show>
                <Show when=move || !is_bound(store) && !retryable()>
                    <BindButton label=tw().bind_again />
                </Show>
                <Show when=move || is_bound(store)>
                    <Link href=Page::ToWeChat.path() class="button primary">{move || t().wallet.to_wechat_change}</Link>
                </Show>
                <Link href=Page::Bindings.path() class="button">{move || tw().binding_management}</Link>
                <Link href=Page::Home.path() class="button">{move || t().back_home}</Link>
            </div>
        </section>
    }
}
