//! Guided mode (SPEC F9): a coach that walks a new user through the
//! article's binding (二), paying (三.2) and unbinding (三.3), one step at a
//! time, on whatever page they are on.
//!
//! Which step comes next is `core`'s rule ([`next_step`]), read from the
//! sandbox state; this module only shows it. The panel says what to do, in
//! the user's language, links to the page where it happens, and marks the
//! control to use on the current page: the first element matching the
//! step's [`targets`] (stable `data-coach` attributes on the pages' own
//! controls) gets the class `coach-target` and `aria-describedby` pointing
//! at the instruction, so a screen reader reads the instruction with it.
//!
//! Whether the coach is on, paused, and which tour since when is a
//! preference ([`Guide`]), kept by `storage.rs` under `qianbao.guide`, so
//! leaving and coming back — or reloading — resumes where the user was.

use crate::app::Page;
use crate::i18n::coach::{self as words, Label};
use crate::pages::wallet::site;
use crate::router::{use_nav, Link};
use crate::storage;
use crate::store::use_store;
use leptos::prelude::*;
use qianbao_core::binding::{authorize_path, Binding};
use qianbao_core::guide::{next_step, Step, Tour};
use qianbao_core::payment::cashier_path;
use qianbao_core::{State, Timestamp};
use wasm_bindgen::JsCast;

/// Guided mode as the user left it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Guide {
    pub tour: Tour,
    /// When the tour began, on the sandbox's clock: what happened before
    /// does not finish it.
    pub since: Timestamp,
    pub paused: bool,
}

impl Guide {
    /// As stored: `tour since paused`, e.g. `1 1795000000000 0` (a plain
    /// line, so that reading a preference needs no JSON parser).
    pub fn to_text(&self) -> String {
        let tour = Tour::ALL.iter().position(|t| *t == self.tour).unwrap_or(0);
        format!(
            "{tour} {} {}",
            self.since.as_millis(),
            u8::from(self.paused)
        )
    }

    /// Reads [`Guide::to_text`]; anything else is `None` (the coach is off).
    pub fn from_text(text: &str) -> Option<Self> {
        let mut parts = text.split(' ');
        let tour = *Tour::ALL.get(parts.next()?.parse::<usize>().ok()?)?;
        let since = Timestamp::from_millis(parts.next()?.parse().ok()?);
        let paused = match parts.next()? {
            "0" => false,
            "1" => true,
            _ => return None,
        };
        parts.next().is_none().then_some(Guide {
            tour,
            since,
            paused,
        })
    }
}

/// The coach's switch, shared by the panel and the buttons that start it.
#[derive(Debug, Clone, Copy)]
pub struct Coach {
    guide: RwSignal<Option<Guide>>,
}

impl Coach {
    /// Reads the stored preference and provides the coach to the tree.
    pub fn install() -> Self {
        let coach = Self {
            guide: RwSignal::new(storage::load_guide()),
        };
        provide_context(coach);
        coach
    }

    fn set(&self, guide: Option<Guide>) {
        storage::save_guide(guide.as_ref());
        self.guide.set(guide);
    }

    /// Begins `tour` now.
    pub fn start(&self, tour: Tour, now: Timestamp) {
        self.set(Some(Guide {
            tour,
            since: now,
            paused: false,
        }));
    }

    /// 「新手引导」: resumes a paused guide, or begins with binding.
    pub fn open(&self, now: Timestamp) {
        match self.guide.get_untracked() {
            Some(guide) => self.set(Some(Guide {
                paused: false,
                ..guide
            })),
            None => self.start(Tour::Bind, now),
        }
    }

    fn pause(&self, paused: bool) {
        if let Some(guide) = self.guide.get_untracked() {
            self.set(Some(Guide { paused, ..guide }));
        }
    }

    /// Whether the coach is on and not paused (tracked).
    pub fn active(&self) -> bool {
        self.guide.with(|g| g.is_some_and(|g| !g.paused))
    }

    /// Whether the coach is on, paused or not (tracked): its panel shows.
    pub fn on(&self) -> bool {
        self.guide.with(Option::is_some)
    }
}

pub fn use_coach() -> Coach {
    expect_context::<Coach>()
}

/// 「新手引导」: switches the coach on (hidden while it is already on).
#[component]
pub fn CoachStart() -> impl IntoView {
    let store = use_store();
    let coach = use_coach();
    view! {
        <Show when=move || !coach.active()>
            <button type="button" class="button coach-start" on:click=move |_| coach.open(store.now())>
                <span aria-hidden="true">"🧭 "</span>
                {move || words::label(store.locale.get(), Label::Title)}
            </button>
        </Show>
    }
}

/// The controls that carry out a step, most specific first: the first one
/// on the page is the one to highlight.
fn targets(step: &Step) -> &'static [&'static str] {
    match step {
        Step::SignIn => &[
            "[data-coach=demo-log-in]",
            "[data-coach=log-in-submit]",
            "[data-coach=unlock]",
            "[data-coach=log-in]",
        ],
        Step::StartBinding => &["[data-coach=bind-button]", "[data-coach=settings]"],
        Step::WeChatLogIn => &["[data-coach=wechat-log-in]"],
        Step::AllowThirdParty => &[
            "[data-coach=third-party-switch]",
            "[data-coach=open-wechat-settings]",
        ],
        Step::Approve => &[
            "[data-coach=allow]",
            // 二次验证: the code first, then 「确认」 once it was sent.
            "form:has(.sent) [data-coach=code-confirm]",
            "[data-coach=get-code]",
            "[data-coach=retry]",
            // After a refusal (another WeChat account): start again.
            "[data-coach=bind-button]",
        ],
        Step::AddCard => &["[data-coach=add-card]", "[data-coach=cards]"],
        Step::TopUp { .. } => &[
            "[data-coach=top-up-confirm]",
            "[data-coach=top-up-next]",
            "[data-coach=top-up]",
        ],
        Step::Checkout => &[
            "[data-coach=wechat-pay]",
            "[data-coach=checkout]",
            "[data-coach=add-to-cart]",
            "[data-coach=shop]",
            "[data-coach=nav-shop]",
        ],
        Step::ConfirmPay { .. } => &[
            "[data-coach=wechat-log-in]",
            "[data-coach=extra-confirm]",
            "[data-coach=wallet-method]:not(:checked)",
            "[data-coach=confirm-pay]",
            "[data-coach=wechat-pay]",
        ],
        Step::Unbind => &[
            "[data-coach=unbind-confirm] .button.danger",
            "[data-coach=unbind]",
            "[data-coach=bindings-link]",
            "[data-coach=settings]",
        ],
        Step::BindFirst | Step::Done => &[],
    }
}

/// Whether `page` is where `step` happens (then no link is needed).
fn happens_on(step: &Step, page: Page) -> bool {
    match step {
        Step::SignIn => matches!(page, Page::Home | Page::Login | Page::Register),
        Step::StartBinding => matches!(page, Page::Settings | Page::Bindings | Page::BindCallback),
        Step::WeChatLogIn => matches!(page, Page::WeChatAuthorize | Page::WeChat),
        Step::AllowThirdParty => matches!(page, Page::WeChatAuthorize | Page::WeChatSettings),
        Step::Approve => matches!(page, Page::WeChatAuthorize | Page::BindCallback),
        Step::AddCard => page == Page::Cards,
        Step::TopUp { .. } => page == Page::TopUp,
        Step::Checkout => matches!(page, Page::Shops | Page::Shop(_)),
        Step::ConfirmPay { .. } => page == Page::Cashier,
        Step::Unbind => page == Page::Bindings,
        Step::BindFirst | Step::Done => true,
    }
}

/// Where the step happens, as an app path.
fn place(step: &Step, state: &State) -> Option<String> {
    let authorizing = || {
        let me = state.signed_in()?.id();
        match state.binding(me) {
            Binding::Authorizing { state, .. } => Some(authorize_path(&site(), &state)),
            _ => None,
        }
    };
    match step {
        Step::SignIn => Some(Page::Home.href()),
        Step::StartBinding => Some(Page::Settings.href()),
        Step::WeChatLogIn | Step::Approve => authorizing(),
        Step::AllowThirdParty => Some(Page::WeChatSettings.href()),
        Step::AddCard => Some(Page::Cards.href()),
        Step::TopUp { .. } => Some(Page::TopUp.href()),
        Step::Checkout => Some(Page::Shops.href()),
        Step::ConfirmPay {
            merchant,
            out_trade_no,
        } => Some(cashier_path(*merchant, out_trade_no)),
        Step::Unbind => Some(Page::Bindings.href()),
        Step::BindFirst | Step::Done => None,
    }
}

/// The instruction's id: highlighted controls are described by it.
const STEP_ID: &str = "coach-step";
const TARGET_CLASS: &str = "coach-target";

/// The panel, mounted once in the frame; nothing while the coach is off.
#[component]
pub fn CoachPanel() -> impl IntoView {
    let store = use_store();
    let nav = use_nav();
    let coach = use_coach();
    let locale = move || store.locale.get();
    let step = Memo::new(move |_| {
        let guide = coach.guide.get()?;
        let now = store.clock.get();
        Some(
            store
                .state
                .with(|s| next_step(s, guide.tour, guide.since, now)),
        )
    });
    let page = Memo::new(move |_| Page::from_path(&nav.path()));

    // The highlighted control, re-chosen after every change that can move
    // it: the step, the page, the language, a click or a keystroke (a cart
    // filling, a code sent), and the clock's tick as a backstop.
    let marked = StoredValue::new_local(None::<web_sys::Element>);
    let scan = move || {
        // `try_`: the window listeners outlive the panel if it is ever unmounted.
        let selectors = match (
            coach.guide.try_get_untracked().flatten(),
            step.try_get_untracked().flatten(),
        ) {
            (Some(guide), Some(step)) if !guide.paused => targets(&step),
            _ => &[],
        };
        // The panel may be gone (the recovery screen replaced the frame).
        if let Some(before) = marked.try_get_value() {
            let _ = marked.try_set_value(highlight(before, selectors));
        }
    };
    Effect::new(move |_| {
        coach.guide.track();
        step.track();
        page.track();
        store.locale.track();
        store.clock.track();
        request_animation_frame(scan);
    });
    let listeners = [
        window_event_listener(leptos::ev::click, move |_| request_animation_frame(scan)),
        window_event_listener(leptos::ev::input, move |_| request_animation_frame(scan)),
        window_event_listener(leptos::ev::change, move |_| request_animation_frame(scan)),
    ];
    // Gone with the panel: nothing of it runs after it is unmounted.
    on_cleanup(move || listeners.into_iter().for_each(|l| l.remove()));

    let show_me = move |_| {
        if let Some(target) = marked.get_value() {
            target.scroll_into_view_with_bool(false);
            if let Ok(target) = target.dyn_into::<web_sys::HtmlElement>() {
                let _ = target.focus();
            }
        }
    };
    let tours = move || {
        let current = coach.guide.with(|g| g.map(|g| g.tour));
        Tour::ALL
            .into_iter()
            .map(|tour| {
                let here = current == Some(tour);
                view! {
                    <li class:current=here aria-current=here.then_some("step")>
                        {words::tour_name(locale(), tour)}
                    </li>
                }
            })
            .collect_view()
    };
    let text = move || {
        let (guide, step) = (coach.guide.get()?, step.get()?);
        Some(if guide.paused {
            words::label(locale(), Label::PausedNote).to_owned()
        } else {
            words::instruction(locale(), guide.tour, &step)
        })
    };
    let actions = move || {
        let (guide, step) = (coach.guide.get()?, step.get()?);
        let l = locale();
        let exit = view! {
            <button type="button" class="button" on:click=move |_| coach.set(None)>
                {words::label(l, Label::Exit)}
            </button>
        };
        if guide.paused {
            return Some(
                view! {
                    <button type="button" class="button primary" on:click=move |_| coach.pause(false)>
                        {words::label(l, Label::Resume)}
                    </button>
                    {exit}
                }
                .into_any(),
            );
        }
        let go = (!happens_on(&step, page.get()))
            .then(|| {
                let href = store.state.with(|s| place(&step, s))?;
                let go_text = words::go_to(l, &step)?;
                Some(view! { <Link href=href class="button primary">{go_text}</Link> })
            })
            .flatten();
        let onward = match (&step, guide.tour.next()) {
            (Step::Done, Some(next)) => Some(
                view! {
                    <button type="button" class="button primary" on:click=move |_| coach.start(next, store.now())>
                        {words::next_tour(l, next)}
                    </button>
                }
                .into_any(),
            ),
            (Step::Done, None) => Some(
                view! { <p class="coach-done">{words::label(l, Label::AllDone)}</p> }.into_any(),
            ),
            (Step::BindFirst, _) => Some(
                view! {
                    <button type="button" class="button primary" on:click=move |_| coach.start(Tour::Bind, store.now())>
                        {words::label(l, Label::BindFirst)}
                    </button>
                }
                .into_any(),
            ),
            _ => None,
        };
        let show = (!targets(&step).is_empty()).then(|| {
            view! {
                <button type="button" class="button" on:click=show_me>{words::label(l, Label::ShowMe)}</button>
            }
        });
        Some(
            view! {
                {go}
                {onward}
                {show}
                <button type="button" class="button" on:click=move |_| coach.pause(true)>
                    {words::label(l, Label::Pause)}
                </button>
                {exit}
            }
            .into_any(),
        )
    };
    let step_attr = move || step.with(|s| s.as_ref().map(step_name));
    let done = move || step.with(|s| s.as_ref() == Some(&Step::Done)) && coach.active();
    view! {
        <Show when=move || coach.guide.with(Option::is_some)>
            <aside class="coach" class:paused=move || !coach.active() aria-labelledby="coach-title">
                <div class="coach-head">
                    <h2 id="coach-title">
                        <span aria-hidden="true">"🧭 "</span>
                        {move || words::label(locale(), Label::Title)}
                    </h2>
                    <ol class="coach-tours" aria-label=move || words::label(locale(), Label::Progress)>
                        {tours}
                    </ol>
                </div>
                // Polite: each new step is read out once it is reached.
                <p id=STEP_ID class="coach-step" class:success=done data-step=step_attr aria-live="polite">
                    {text}
                </p>
                <div class="coach-actions">{actions}</div>
            </aside>
        </Show>
    }
}

/// A stable name for the step, for tests and styling.
fn step_name(step: &Step) -> &'static str {
    match step {
        Step::SignIn => "sign-in",
        Step::StartBinding => "start-binding",
        Step::WeChatLogIn => "wechat-log-in",
        Step::AllowThirdParty => "allow-third-party",
        Step::Approve => "approve",
        Step::BindFirst => "bind-first",
        Step::AddCard => "add-card",
        Step::TopUp { .. } => "top-up",
        Step::Checkout => "checkout",
        Step::ConfirmPay { .. } => "confirm-pay",
        Step::Unbind => "unbind",
        Step::Done => "done",
    }
}

/// Moves the highlight from `previous` to the first element matching one of
/// `selectors` (none: no highlight). Returns the element now highlighted.
fn highlight(previous: Option<web_sys::Element>, selectors: &[&str]) -> Option<web_sys::Element> {
    let document = web_sys::window()?.document()?;
    let target = selectors
        .iter()
        .find_map(|selector| document.query_selector(selector).ok().flatten());
    if let Some(previous) = previous.filter(|p| Some(p) != target.as_ref()) {
        remove_token(&previous, "class", TARGET_CLASS);
        remove_token(&previous, "aria-describedby", STEP_ID);
    }
    // Every time, not only when it changes: a re-render may have reset it.
    if let Some(target) = &target {
        add_token(target, "class", TARGET_CLASS);
        add_token(target, "aria-describedby", STEP_ID);
    }
    target
}

fn add_token(element: &web_sys::Element, attribute: &str, token: &str) {
    let value = element.get_attribute(attribute).unwrap_or_default();
    if !value.split_whitespace().any(|t| t == token) {
        let joined = if value.trim().is_empty() {
            token.to_owned()
        } else {
            format!("{} {token}", value.trim())
        };
        let _ = element.set_attribute(attribute, &joined);
    }
}

fn remove_token(element: &web_sys::Element, attribute: &str, token: &str) {
    let Some(value) = element.get_attribute(attribute) else {
        return;
    };
    let rest: Vec<&str> = value.split_whitespace().filter(|t| *t != token).collect();
    if rest.is_empty() {
        let _ = element.remove_attribute(attribute);
    } else {
        let _ = element.set_attribute(attribute, &rest.join(" "));
    }
}
