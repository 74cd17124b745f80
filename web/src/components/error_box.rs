//! An error as users see it everywhere: message, stable code, guidance —
//! worded in the current language, re-worded when it changes.

use crate::app::Unfetched;
use crate::codec;
use crate::i18n::{self, ErrorText, Locale};
use crate::router::Link;
use crate::store::{use_store, Problem};
use leptos::prelude::*;
use qianbao_core::error::SiteError;

/// Renders `problem` when there is one; announced to screen readers.
///
/// The wording of problems arrives with the stored form's module (see
/// `codec.rs`), which a command has always awaited before it reports one;
/// a problem shown before it is here waits for it, and if it cannot be
/// fetched, the network error says so. The network error itself is worded
/// here, without it.
///
/// With `retry`, a problem of a request that did not get through (the
/// article's 三.1) comes with 「重试」, which sends the same request again.
#[component]
pub fn ErrorBox(
    #[prop(into)] problem: Signal<Option<Problem>>,
    #[prop(optional)] retry: Option<Callback<()>>,
    /// No link to the help centre (a screen with no pages to go to).
    #[prop(optional)]
    without_help: bool,
) -> impl IntoView {
    // Set when the module has arrived or failed to, while this box waited.
    let fetched = RwSignal::new(None::<Result<(), Unfetched>>);
    let fetching = StoredValue::new(false);
    view! {
        <WordedErrorBox retry without_help error=move |locale| {
            let problem = problem.get()?;
            let site = |e| i18n::site_error(locale, e);
            match (&problem, codec::get(), fetched.get()) {
                (Problem::Site(e), _, _) => Some(site(e)),
                (problem, Some(codec), _) => Some((codec.word)(locale, problem)),
                (_, None, Some(Err(Unfetched))) => Some(site(&SiteError::Unreachable)),
                (_, None, _) => {
                    if !fetching.get_value() {
                        fetching.set_value(true);
                        leptos::task::spawn_local(async move {
                            let _ = fetched.try_set(Some(codec::ready().await.map(|_| ())));
                        });
                    }
                    None
                }
            }
        } />
    }
}

/// The same box for an error that is not a command's [`Problem`] (the
/// console's fault plan is read before any command runs): `error` words it
/// in the locale it is given, so it follows a change of language.
#[component]
pub fn WordedErrorBox(
    error: impl Fn(Locale) -> Option<ErrorText> + Send + Sync + 'static,
    #[prop(optional_no_strip)] retry: Option<Callback<()>>,
    #[prop(optional)] without_help: bool,
) -> impl IntoView {
    let store = use_store();
    move || {
        let locale = store.locale.get();
        error(locale).map(|error| {
            let t = locale.text();
            view! {
                <div class="error-box" role="alert" data-code=error.code>
                    <p class="error-message">{error.message}</p>
                    <p class="error-guidance">
                        <strong>{t.what_to_do}": "</strong>
                        {error.guidance}
                    </p>
                    {error.last_resort.map(|text| view! { <p class="error-last-resort">{text}</p> })}
                    {retry.filter(|_| error.retry).map(|retry| view! {
                        <div class="actions">
                            <button type="button" class="button primary" data-coach="retry" on:click=move |_| retry.run(())>
                                {t.retry}
                            </button>
                        </div>
                    })}
                    <p class="error-code">{t.error_code}": " <code>{error.code}</code></p>
                    {crate::pages::help::help_href(error.code).filter(|_| !without_help).map(|(topic, href)| {
                        let title = i18n::help::title(locale, topic);
                        view! {
                            <p class="error-help">
                                <Link href=href>{(t.help_for_code)(title)}</Link>
                            </p>
                        }
                    })}
                </div>
            }
        })
    }
}
