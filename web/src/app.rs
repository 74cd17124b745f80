//! The router and the frame every page sits in: the top bar with the
//! language switch, the simulation notice, and the always-available phone.

use crate::components::{Coach, CoachPanel, ErrorBox, LocaleSwitch, PhonePanel};
use crate::pages::{dev, help, phone::PhonePage, shop, wallet, wechat, NotFound};
use crate::router::{Link, Nav};
use crate::store::Problem;
use crate::store::{use_store, Store};
use leptos::prelude::*;
use qianbao_core::error::SiteError;
use qianbao_core::help::Topic;
use qianbao_core::merchant::MerchantId;
use qianbao_core::provider::MovementKind;

/// Every screen's path, in one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    Home,
    Choose,
    Register,
    Login,
    Settings,
    Cards,
    TopUp,
    Withdraw,
    Transfer,
    Bills,
    ToWeChat,
    History,
    HistoryDetail(u64),
    Books,
    Savings,
    Bindings,
    BindCallback,
    Phone,
    WeChat,
    WeChatRegister,
    WeChatSettings,
    WeChatAuthorize,
    Cashier,
    Scan,
    Shops,
    Shop(MerchantId),
    ShopOrders(MerchantId),
    Dev,
    Help,
    HelpTopic(Topic),
    NotFound,
}

impl Page {
    /// The screens with a fixed path, matched in this order.
    const FIXED: [Page; 26] = [
        Page::Choose,
        Page::Register,
        Page::Login,
        Page::Settings,
        Page::Cards,
        Page::TopUp,
        Page::Withdraw,
        Page::Transfer,
        Page::Bills,
        Page::ToWeChat,
        Page::History,
        Page::Books,
        Page::Savings,
        Page::Bindings,
        Page::BindCallback,
        Page::Phone,
        Page::WeChat,
        Page::WeChatRegister,
        Page::WeChatSettings,
        Page::WeChatAuthorize,
        Page::Cashier,
        Page::Scan,
        Page::Shops,
        Page::Dev,
        Page::Help,
        Page::Home,
    ];

    /// The path of a screen; a detail screen's is its list's.
    pub const fn path(self) -> &'static str {
        match self {
            Page::Home => "/",
            Page::Choose => "/choose",
            Page::Register => "/register",
            Page::Login => "/login",
            Page::Settings => "/settings",
            Page::Cards => "/cards",
            Page::TopUp => "/top-up",
            Page::Withdraw => "/withdraw",
            Page::Transfer => "/transfer",
            Page::Bills => "/bills",
            Page::ToWeChat => "/to-wechat",
            Page::History | Page::HistoryDetail(_) => "/history",
            Page::Books => "/books",
            Page::Savings => "/savings",
            Page::Bindings => "/settings/bindings",
            Page::BindCallback => "/bind/callback",
            Page::Phone => "/phone/",
            Page::WeChat => "/wechat/",
            Page::WeChatRegister => "/wechat/register",
            Page::WeChatSettings => "/wechat/settings",
            Page::WeChatAuthorize => "/wechat/connect/oauth2/authorize",
            Page::Cashier => "/wechat/pay",
            Page::Scan => "/wechat/scan",
            Page::Shops | Page::Shop(_) | Page::ShopOrders(_) => "/shop/",
            Page::Dev => "/dev",
            Page::Help | Page::HelpTopic(_) => "/help",
            Page::NotFound => "/404",
        }
    }

    /// The full path of a screen, parameters included.
    pub fn href(self) -> String {
        match self {
            Page::HistoryDetail(id) => format!("/history/{id}"),
            Page::Shop(id) => format!("/shop/{id}"),
            Page::ShopOrders(id) => format!("/shop/{id}/orders"),
            Page::HelpTopic(topic) => format!("/help/{}", topic.slug()),
            other => other.path().to_owned(),
        }
    }

    /// The screen for an app path; a trailing slash does not matter.
    pub fn from_path(path: &str) -> Self {
        let trimmed = path.trim_end_matches('/');
        // The entry file, by its own name (a host may link to it).
        let trimmed = trimmed.strip_suffix("/index.html").unwrap_or(trimmed);
        if let Some(rest) = trimmed.strip_prefix("/shop/") {
            let (shop, tail) = rest.split_once('/').unwrap_or((rest, ""));
            return match (MerchantId::demo_named(shop), tail) {
                (Some(id), "") => Page::Shop(id),
                (Some(id), "orders") => Page::ShopOrders(id),
                _ => Page::NotFound,
            };
        }
        // WeChat's own address of its authorize page, as a merchant's app
        // (under the sandbox server) sends people to it.
        if trimmed == "/connect/oauth2/authorize" {
            return Page::WeChatAuthorize;
        }
        if let Some(slug) = trimmed.strip_prefix("/help/") {
            return Topic::from_slug(slug).map_or(Page::NotFound, Page::HelpTopic);
        }
        if let Some(id) = trimmed.strip_prefix("/history/") {
            return id
                .parse()
                .ok()
                .filter(|_| id.bytes().all(|b| b.is_ascii_digit()))
                .map_or(Page::NotFound, Page::HistoryDetail);
        }
        Self::FIXED
            .into_iter()
            .find(|page| page.path().trim_end_matches('/') == trimmed)
            .unwrap_or(Page::NotFound)
    }
}

#[component]
pub fn App() -> impl IntoView {
    crate::env::mark("app");
    let store = Store::load();
    crate::env::mark("store-loaded");
    store.provide();
    // Before the recovery screen too: its error box links to the help centre.
    Nav::install();
    view! {
        <Show when=move || !store.unfetched.get() fallback=CodecUnfetched>
            <Show when=move || !store.connecting.get() fallback=Connecting>
                <Show when=move || store.damaged.with(Option::is_none) fallback=|| stored(StoredScreen::Recovery)>
                    <Frame />
                </Show>
            </Show>
        </Show>
    }
}

/// A wallet is stored and the code that reads it could not be fetched (the
/// network failed before the site was ever kept for offline use): the
/// network error, and 「重试」 loads the page again.
#[component]
fn CodecUnfetched() -> impl IntoView {
    let store = use_store();
    let problem = Signal::stored(Some(Problem::Site(SiteError::Unreachable)));
    view! {
        <main id="main">
            <section class="card">
                // No help link: the help centre's own code could not come
                // either, and this screen has no pages to go to.
                <ErrorBox problem without_help=true />
                <div class="actions">
                    <button type="button" class="button primary" on:click=move |_| crate::env::reload()>
                        {move || store.text().retry}
                    </button>
                </div>
            </section>
        </main>
    }
}

/// Sandbox mode, before the server's state is here: 「正在连接…」, or the
/// network error with 「重试」 when the server could not be reached.
#[component]
fn Connecting() -> impl IntoView {
    let store = use_store();
    let problem = Signal::derive(move || store.connect_error.get());
    view! {
        <main id="main">
            <section class="card">
                <Show
                    when=move || store.connect_error.with(Option::is_some)
                    fallback=move || view! { <p role="status" class="muted">{move || store.text().sandbox_connecting}</p> }
                >
                    <ErrorBox problem without_help=true />
                    <div class="actions">
                        <button
                            type="button"
                            class="button primary"
                            on:click=move |_| {
                                store.connect_error.set(None);
                                crate::sandbox::connect(store);
                            }
                        >
                            {move || store.text().retry}
                        </button>
                    </div>
                </Show>
            </section>
        </main>
    }
}

#[component]
fn Frame() -> impl IntoView {
    let store = use_store();
    let nav = crate::router::use_nav();
    let coach = Coach::install();
    let t = move || store.text();
    // Any key or pointer press counts as activity for the idle lock.
    let activity = [
        window_event_listener(leptos::ev::pointerdown, move |_| store.touch()),
        window_event_listener(leptos::ev::keydown, move |_| store.touch()),
    ];
    on_cleanup(move || activity.into_iter().for_each(|l| l.remove()));
    // With a `<base href>`, "#main" would resolve against the base and leave
    // the page; focus the content in place instead.
    let skip_to_main = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        crate::env::focus_by_id("main");
    };
    view! {
        <a class="skip" href="#main" on:click=skip_to_main>{move || t().skip_to_content}</a>
        <header class="topbar">
            <Link href=Page::Home.path() class="brand">{move || t().app_name}</Link>
            <nav aria-label=move || t().worlds>
                <Link href=Page::Home.path()>{move || t().nav_wallet}</Link>
                <Link href=Page::WeChat.path()>{move || t().nav_wechat}</Link>
                <Link href=Page::Shops.path() {..} data-coach="nav-shop">{move || t().nav_shop}</Link>
                <Link href=Page::Phone.path()>{move || t().nav_phone}</Link>
                <Link href=Page::Dev.path()>{move || t().nav_dev}</Link>
                <Link href=Page::Help.path()>{move || t().nav_help}</Link>
            </nav>
            <LocaleSwitch />
            // Floating in a corner on a wide screen; on a phone, in the top
            // bar, where it covers nothing (style.css).
            <PhonePanel />
        </header>
        <p class="simulation" role="note">{move || t().simulation_notice}</p>
        {crate::storage::on_server()
            .then(|| view! { <p class="banner info" role="note" data-testid="sandbox-mode">{move || t().sandbox_notice}</p> })}
        <Show when=move || store.storage_unavailable.get()>
            <p class="banner warn" role="alert">{move || t().storage_unavailable}</p>
        </Show>
        <Show when=move || store.save_error.with(Option::is_some)>
            <p class="banner error" role="alert">{move || t().storage_save_failed}</p>
        </Show>
        <Show when=move || !store.online.get()>
            <p class="banner warn" role="status" data-testid="offline">{move || t().offline_notice}</p>
        </Show>
        <Show when=move || store.update_ready.get()>
            <p class="banner info" role="status">
                {move || t().update_ready} " "
                <button type="button" class="button" on:click=move |_| crate::offline::apply_update()>
                    {move || t().update_refresh}
                </button>
            </p>
        </Show>
        // Guided mode's panel, loaded when the coach is on.
        <Show when=move || coach.on()>{world(coach_world)}</Show>
        <main id="main" tabindex="-1">
            // An encrypted copy this tab cannot read: only the unlock screen.
            <Show when=move || store.locked.with(Option::is_none) fallback=|| stored(StoredScreen::Unlock)>
                <Screen nav />
            </Show>
        </main>
    }
}

/// The screen for the current path; re-rendered only when the page changes.
#[component]
fn Screen(nav: Nav) -> impl IntoView {
    let page = Memo::new(move |_| Page::from_path(&nav.path()));
    // The door (start page, 登录, 注册) is in the first download; every other
    // screen arrives on demand in the split build (see `world`).
    move || match page.get() {
        Page::Home => wallet::Home().into_any(),
        Page::Register => wallet::Register().into_any(),
        Page::Login => wallet::Login().into_any(),
        Page::NotFound => NotFound().into_any(),
        Page::Choose => world(|| wallet_world(WalletScreen::Choose)),
        Page::Settings => world(|| wallet_world(WalletScreen::Settings)),
        Page::Cards => world(|| wallet_world(WalletScreen::Cards)),
        Page::TopUp => world(|| wallet_world(WalletScreen::Movement(MovementKind::TopUp))),
        Page::Withdraw => world(|| wallet_world(WalletScreen::Movement(MovementKind::Withdraw))),
        Page::Transfer => world(|| wallet_world(WalletScreen::Movement(MovementKind::Transfer))),
        Page::Bills => world(|| wallet_world(WalletScreen::Movement(MovementKind::Bill))),
        Page::ToWeChat => world(|| wallet_world(WalletScreen::Movement(MovementKind::ToWeChat))),
        Page::History => world(|| wallet_world(WalletScreen::History(None))),
        Page::HistoryDetail(id) => world(move || wallet_world(WalletScreen::History(Some(id)))),
        Page::Books => world(|| wallet_world(WalletScreen::Books)),
        Page::Savings => world(|| wallet_world(WalletScreen::Savings)),
        Page::Bindings => world(|| wallet_world(WalletScreen::Bindings)),
        Page::BindCallback => world(|| wallet_world(WalletScreen::BindCallback)),
        Page::Phone => world(phone_world),
        Page::WeChat => world(|| wechat_world(WeChatScreen::Home)),
        Page::WeChatRegister => world(|| wechat_world(WeChatScreen::Register)),
        Page::WeChatSettings => world(|| wechat_world(WeChatScreen::Settings)),
        Page::WeChatAuthorize => world(|| wechat_world(WeChatScreen::Authorize)),
        Page::Cashier => world(|| wechat_world(WeChatScreen::Cashier)),
        Page::Scan => world(|| wechat_world(WeChatScreen::Scan)),
        Page::Dev => world(dev_world),
        Page::Shops => world(|| shop_world(None, false)),
        Page::Shop(id) => world(move || shop_world(Some(id), false)),
        Page::ShopOrders(id) => world(move || shop_world(Some(id), true)),
        Page::Help => world(|| help_world(None)),
        Page::HelpTopic(topic) => world(move || help_world(Some(topic))),
    }
}

/// What a world's module hands back: the screen, made once its code is here.
pub(crate) type Screen = Box<dyn FnOnce() -> AnyView + Send>;

pub(crate) fn screen(make: impl FnOnce() -> AnyView + Send + 'static) -> Screen {
    Box::new(make)
}

/// A module of the split build could not be fetched (see `on_demand!`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unfetched;

impl From<wasm_split_helpers::SplitLoaderError> for Unfetched {
    fn from(_: wasm_split_helpers::SplitLoaderError) -> Self {
        Unfetched
    }
}

/// Declares a world whose code arrives on demand. With the `split` feature
/// its body becomes a wasm module of its own (`wasm_split`, fallible: a
/// module that cannot be fetched — the network failed the first time it was
/// opened — is an error the page shows with 「重试」, never a crash); without
/// it, the body is here already. Either way the function is `async` and
/// answers `Result<_, Unfetched>`: a world's [`Screen`] by default, or, with
/// `in module: fn name(…) -> T`, any `T` from a module several functions
/// share (their code and all it alone reaches arrive together).
macro_rules! on_demand {
    ($(#[$meta:meta])* fn $name:ident($($arg:ident: $ty:ty),* $(,)?) $body:block) => {
        $crate::app::on_demand! {
            $(#[$meta])* in $name: fn $name($($arg: $ty),*) -> $crate::app::Screen $body
        }
    };
    (
        $(#[$meta:meta])*
        in $module:ident: $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty $body:block
    ) => {
        $(#[$meta])*
        #[cfg(feature = "split")]
        #[wasm_split_helpers::wasm_split($module, fallible)]
        $vis fn $name($($arg: $ty),*) -> Result<$ret, $crate::app::Unfetched> {
            Ok($body)
        }

        $(#[$meta])*
        #[cfg(not(feature = "split"))]
        $vis async fn $name($($arg: $ty),*) -> Result<$ret, $crate::app::Unfetched> {
            Ok($body)
        }
    };
}
pub(crate) use on_demand;

/// A screen whose code arrives on demand: `load` fetches it (in the split
/// build — otherwise it is already there), then the screen is made, unless
/// the place it was for has gone meanwhile (a logout while its code was on
/// its way). A module that cannot be fetched shows the network error and
/// 「重试」, which fetches it again (a failed fetch is not remembered).
pub(crate) fn world<F>(load: impl Fn() -> F + Send + Sync + 'static) -> AnyView
where
    F: std::future::Future<Output = Result<Screen, Unfetched>> + 'static,
{
    let store = use_store();
    let here = StoredValue::new(());
    let attempt = RwSignal::new(0_u32);
    let unfetched = Signal::stored(Some(Problem::Site(SiteError::Unreachable)));
    let show = move |loaded: Result<Screen, Unfetched>| {
        match loaded {
            Ok(make) => make(),
            Err(Unfetched) => view! {
                <section class="card">
                    <ErrorBox problem=unfetched />
                    <div class="actions">
                        <button
                            type="button"
                            class="button primary"
                            on:click=move |_| {
                                attempt.update(|n| *n += 1);
                                // The button goes with the error: keep the
                                // keyboard's place in the page, not on <body>.
                                crate::env::focus_by_id("main");
                            }
                        >
                            {move || store.text().retry}
                        </button>
                    </div>
                </section>
            }
            .into_any(),
        }
    };
    let screen = move || {
        attempt.track();
        let mut loading = Box::pin(load());
        // A module already here (always, for a stored wallet's screens) is
        // shown at once, in place, like any screen of the door: no
        // `Suspense`, nothing to wait for before the first screen.
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        if let std::task::Poll::Ready(loaded) = loading.as_mut().poll(&mut cx) {
            return show(loaded);
        }
        let loading = send_wrapper::SendWrapper::new(loading);
        let pending = Suspend::new(async move {
            match loading.await {
                _ if here.is_disposed() => ().into_any(),
                loaded => show(loaded),
            }
        });
        // While it downloads: a status a screen reader announces too.
        let fallback = move || view! { <p class="muted loading" role="status" aria-busy="true">{move || store.text().loading}</p> };
        view! { <Suspense fallback>{pending}</Suspense> }.into_any()
    };
    screen.into_any()
}

on_demand! {
    fn coach_world() {
        screen(move || CoachPanel().into_any())
    }
}

/// The WeChat world's screens, one chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WeChatScreen {
    Home,
    Register,
    Settings,
    Authorize,
    Cashier,
    Scan,
}

on_demand! {
    fn wechat_world(screen: WeChatScreen) {
        crate::app::screen(move || match screen {
            WeChatScreen::Home => wechat::WeChatHome().into_any(),
            WeChatScreen::Register => wechat::WeChatRegister().into_any(),
            WeChatScreen::Settings => wechat::WeChatSettings().into_any(),
            WeChatScreen::Authorize => wechat::Authorize().into_any(),
            WeChatScreen::Cashier => wechat::Cashier().into_any(),
            WeChatScreen::Scan => wechat::Scan().into_any(),
        })
    }
}

on_demand! {
    fn shop_world(id: Option<MerchantId>, orders: bool) {
        // Only the demo stores have a shop (`Page::from_path` names no other).
        crate::app::screen(move || match (id.and_then(MerchantId::demo), orders) {
            (Some(shop), true) => view! { <shop::ShopOrders shop /> }.into_any(),
            (Some(shop), false) => view! { <shop::Shop shop /> }.into_any(),
            (None, _) => shop::ShopList().into_any(),
        })
    }
}

on_demand! {
    fn help_world(topic: Option<Topic>) {
        crate::app::screen(move || match topic {
            Some(topic) => view! { <help::HelpTopic topic /> }.into_any(),
            None => help::HelpIndex().into_any(),
        })
    }
}

on_demand! {
    fn dev_world() {
        crate::app::screen(move || dev::Console().into_any())
    }
}

on_demand! {
    fn phone_world() {
        crate::app::screen(move || PhonePage().into_any())
    }
}

/// The screens only a stored wallet shows — its home, the lock screen, the
/// login's second step, the unlock and recovery screens — in the module
/// that reads it (`codec.rs`), which is here before the first screen when a
/// wallet is stored (so they show at once), and follows the first screen
/// of a first visit.
#[derive(Debug, Clone, Copy)]
pub(crate) enum StoredScreen {
    Home,
    Locked,
    /// Its error belongs to the login page (see `LoginCode`).
    LoginCode(RwSignal<Option<Problem>>),
    Unlock,
    Recovery,
}

on_demand! {
    in codec: fn stored_world(screen: StoredScreen) -> Screen {
        crate::app::screen(move || match screen {
            StoredScreen::Home => wallet::WalletHome().into_any(),
            StoredScreen::Locked => wallet::LockScreen().into_any(),
            StoredScreen::LoginCode(error) => view! { <wallet::LoginCode error /> }.into_any(),
            StoredScreen::Unlock => wallet::Unlock().into_any(),
            StoredScreen::Recovery => wallet::Recovery().into_any(),
        })
    }
}

/// A stored wallet's screen (see [`StoredScreen`]).
pub(crate) fn stored(screen: StoredScreen) -> AnyView {
    world(move || stored_world(screen))
}

/// The wallet's screens beyond the door, one module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WalletScreen {
    Choose,
    Settings,
    Cards,
    Movement(MovementKind),
    History(Option<u64>),
    Books,
    Savings,
    Bindings,
    BindCallback,
}

on_demand! {
    fn wallet_world(screen: WalletScreen) {
        crate::app::screen(move || match screen {
            WalletScreen::Choose => wallet::Choose().into_any(),
            WalletScreen::Settings => wallet::Settings().into_any(),
            WalletScreen::Cards => wallet::Cards().into_any(),
            WalletScreen::Movement(kind) => view! { <wallet::Movement kind /> }.into_any(),
            WalletScreen::History(Some(id)) => view! { <wallet::HistoryDetail id /> }.into_any(),
            WalletScreen::History(None) => wallet::History().into_any(),
            WalletScreen::Books => wallet::Books().into_any(),
            WalletScreen::Savings => wallet::Savings().into_any(),
            WalletScreen::Bindings => wallet::Bindings().into_any(),
            WalletScreen::BindCallback => wallet::BindCallback().into_any(),
        })
    }
}
