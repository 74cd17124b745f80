//! The start page: a welcome with 登录 / 注册 / 「一键创建演示账户」 when nobody
//! is signed in, the wallet's own home when somebody is.

use super::history::HistoryList;
use super::{session_view, SessionView};
use crate::app::{stored, Page, StoredScreen};
use crate::components::{after_paint, CoachStart};
use crate::credentials;
use crate::router::{with_query, Link};
use crate::store::{use_store, Notice, Problem};
use leptos::prelude::*;
use qianbao_core::command::LogOut;
use qianbao_core::demo::{Demo, DemoWeChat};
use qianbao_core::movement::HistoryFilter;
use qianbao_core::provider::Feature;

#[component]
pub fn Home() -> impl IntoView {
    let store = use_store();
    let view_kind = Memo::new(move |_| session_view(store));
    move || match view_kind.get() {
        SessionView::SignedOut => view! { <Welcome /> }.into_any(),
        SessionView::Locked => stored(StoredScreen::Locked),
        SessionView::AwaitingCode => stored(StoredScreen::LoginCode(RwSignal::new(None))),
        SessionView::SignedIn => stored(StoredScreen::Home),
    }
}

#[component]
fn Welcome() -> impl IntoView {
    let store = use_store();
    let t = move || store.text();
    let demo = RwSignal::new(None::<Demo>);
    let error = RwSignal::new(None::<Problem>);
    let busy = RwSignal::new(false);
    let create_demo = move |_| {
        // Let the "please wait" paint before the password hash takes the thread.
        after_paint(busy, move || async move {
            match credentials::create_demo(store).await {
                Ok((created, keyed)) => {
                    demo.set(Some(created));
                    error.set(keyed.err());
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <section class="card welcome">
            <h1>{move || t().wallet.welcome_title}</h1>
            <p>{move || t().wallet.welcome_intro}</p>
            <div class="actions">
                <Link href=Page::Login.path() class="button primary" {..} data-coach="log-in">{move || t().log_in}</Link>
                <Link href=Page::Register.path() class="button">{move || t().register}</Link>
                <Link href=Page::Choose.path() class="button">{move || t().wallet.choose_wallet}</Link>
                <button type="button" class="button" on:click=create_demo disabled=move || busy.get()>
                    {move || if busy.get() { t().wallet.working } else { t().wallet.create_demo }}
                </button>
                <CoachStart />
            </div>
            <crate::components::ErrorBox problem=error />
            {move || demo.get().map(|demo| view! { <DemoCard demo /> })}
        </section>
        <AccountsHere />
    }
}

#[component]
fn DemoCard(demo: Demo) -> impl IntoView {
    let store = use_store();
    let t = move || store.text();
    let wallet = demo.wallet.clone();
    let login = wallet.login.as_str().to_owned();
    let password = wallet.password.clone();
    let error = RwSignal::new(None::<Problem>);
    let log_in = move |_| {
        let (login, password) = (login.clone(), password.clone());
        store.spawn(async move {
            error.set(credentials::log_in(store, login, password).await.err());
        });
    };
    view! {
        <div class="demo-card" role="status">
            <h2>{move || t().wallet.demo_created}</h2>
            <p>{move || t().wallet.demo_intro}</p>
            <dl class="credentials" data-wallet="demo">
                <dt>{move || t().wallet.login_id}</dt>
                <dd data-field="login">{wallet.login.as_str().to_owned()}</dd>
                <dt>{move || t().password}</dt>
                <dd data-field="password">{wallet.password.clone()}</dd>
                <dt>{move || t().real_name}</dt>
                <dd data-field="real-name">{wallet.real_name.as_str().to_owned()}</dd>
            </dl>
            <DemoWeChatCard title=Signal::derive(move || t().wallet.demo_wechat) account=demo.wechat.clone() role="match" />
            <DemoWeChatCard title=Signal::derive(move || t().wallet.demo_wechat_mismatch) account=demo.wechat_mismatch.clone() role="mismatch" />
            <button type="button" class="button primary" data-coach="demo-log-in" on:click=log_in>
                {move || t().wallet.log_in_as_demo}
            </button>
            <crate::components::ErrorBox problem=error />
        </div>
    }
}

#[component]
fn DemoWeChatCard(
    title: Signal<&'static str>,
    account: DemoWeChat,
    role: &'static str,
) -> impl IntoView {
    let store = use_store();
    let t = move || store.text();
    view! {
        <h3>{title}</h3>
        <dl class="credentials" data-wechat=role>
            <dt>{move || t().wxid}</dt>
            <dd data-field="wxid">{account.wxid.clone()}</dd>
            <dt>{move || t().nickname}</dt>
            <dd data-field="nickname">{account.nickname.clone()}</dd>
            <dt>{move || t().password}</dt>
            <dd data-field="password">{account.password.clone()}</dd>
            <dt>{move || t().pay_password}</dt>
            <dd data-field="pay-password">{account.pay_password.clone()}</dd>
            <dt>{move || t().real_name}</dt>
            <dd data-field="real-name">{account.real_name.clone()}</dd>
        </dl>
    }
}

/// The accounts that exist in this browser, each a shortcut to its login.
#[component]
pub fn AccountsHere() -> impl IntoView {
    let store = use_store();
    let accounts = move || {
        store.state.with(|s| {
            s.accounts()
                .iter()
                .map(|a| {
                    (
                        a.login().as_str().to_owned(),
                        a.login().masked(),
                        a.real_name().masked(),
                    )
                })
                .collect::<Vec<_>>()
        })
    };
    view! {
        <Show when=move || !accounts().is_empty()>
            <section class="card">
                <h2>{move || store.text().wallet.accounts_here}</h2>
                <ul class="account-list">
                    {move || {
                        accounts()
                            .into_iter()
                            .map(|(login, masked, name)| {
                                let href = with_query(Page::Login.path(), "id", &login);
                                view! {
                                    <li>
                                        <Link href=href>
                                            <span>{masked}</span>
                                            " "
                                            <span class="muted">{name}</span>
                                        </Link>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
            </section>
        </Show>
    }
}

#[component]
pub fn WalletHome() -> impl IntoView {
    let store = use_store();
    let t = move || store.text();
    let account = move || {
        store.state.with(|s| {
            s.signed_in().map(|a| {
                (
                    a.real_name().as_str().to_owned(),
                    a.login().masked(),
                    s.balance(a.id()),
                )
            })
        })
    };
    let actions = [
        (Page::TopUp, "top-up"),
        (Page::Withdraw, "withdraw"),
        (Page::Transfer, "transfer"),
        (Page::Bills, "bills"),
        (Page::Books, "books"),
        (Page::Savings, "savings"),
    ];
    let action_label = move |page: Page| match page {
        Page::TopUp => t().wallet.top_up,
        Page::Withdraw => t().wallet.withdraw,
        Page::Transfer => t().wallet.transfer,
        Page::Books => crate::i18n::finance::text(store.locale.get()).books,
        Page::Savings => crate::i18n::finance::text(store.locale.get()).savings,
        _ => t().wallet.pay_bills,
    };
    // Set as the sign-in completes (possibly just after this renders);
    // shown until the person leaves this screen.
    let recovery_notice = move || match store.notice.get() {
        Some(Notice::RecoveryCodeUsed(left)) => Some(left),
        _ => None,
    };
    on_cleanup(move || {
        if matches!(
            store.notice.try_get_untracked().flatten(),
            Some(Notice::RecoveryCodeUsed(_))
        ) {
            let _ = store.notice.try_set(None);
        }
    });
    view! {
        {move || recovery_notice().map(|left| view! { <p class="card notice" role="status">{move || (t().wallet.recovery_code_used)(left)}</p> })}
        {move || {
            account()
                .map(|(name, login, balance)| {
                    view! {
                        <section class="card balance-card">
                            <p class="greeting">{(t().wallet.hello)(&name)} " · " {login}</p>
                            <p class="muted">{t().wallet.balance}</p>
                            <p class="balance" data-testid="balance">{balance.to_string()}</p>
                            <p class="hint">{t().wallet.wallet_balance_note}</p>
                        </section>
                    }
                })
        }}
        <nav class="card quick-actions" aria-label=move || t().wallet.balance>
            {move || {
                // 缴费 and 理财 only where the account's provider offers them.
                let (bills, wealth) = store.state.with(|s| {
                    s.signed_in().map_or((false, false), |a| {
                        (a.provider().offers(Feature::Bills), a.provider().offers(Feature::Wealth))
                    })
                });
                actions
                .into_iter()
                .filter(move |(page, _)| match page {
                    Page::Bills => bills,
                    Page::Savings => wealth,
                    _ => true,
                })
                .map(|(page, icon)| {
                    view! {
                        <Link href=page.path() class="quick-action" {..} data-coach=(page == Page::TopUp).then_some("top-up")>
                            <span class=format!("icon icon-{icon}") aria-hidden="true"></span>
                            <span>{move || action_label(page)}</span>
                        </Link>
                    }
                })
                .collect_view()
            }}
        </nav>
        <section class="card">
            <div class="section-head">
                <h2>{move || t().wallet.recent}</h2>
                <Link href=Page::History.path()>{move || t().wallet.see_all}</Link>
            </div>
            <HistoryList filter=Signal::stored(HistoryFilter::default()) limit=Signal::stored(5) />
        </section>
        <section class="card">
            <div class="actions">
                <Link href=Page::Cards.path() class="button" {..} data-coach="cards">{move || t().wallet.cards}</Link>
                <Link href=Page::Settings.path() class="button" {..} data-coach="settings">{move || t().wallet.settings}</Link>
                <CoachStart />
                <button type="button" class="button" on:click=move |_| store.update(LogOut {})>
                    {move || t().log_out}
                </button>
            </div>
        </section>
    }
}
