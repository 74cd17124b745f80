//! An error as users see it everywhere: message, stable code, guidance —
//! worded in the current language, re-worded when it changes.

use crate::env;
use crate::i18n::{self, ErrorText, Locale};
use crate::router::Link;
use crate::store::{use_store, Problem};
use leptos::prelude::*;

/// Renders `problem` when there is one; announced to screen readers.
#[component]
pub fn ErrorBox(#[prop(into)] problem: Signal<Option<Problem>>) -> impl IntoView {
    view! {
        <WordedErrorBox error=move |locale| {
            problem.get().map(|problem| i18n::problem(locale, &problem, env::clock_time))
        } />
    }
}

/// The same box for an error that is not a command's [`Problem`] (the
/// console's fault plan is read before any command runs): `error` words it
/// in the locale it is given, so it follows a change of language.
#[component]
pub fn WordedErrorBox(
    error: impl Fn(Locale) -> Option<ErrorText> + Send + Sync + 'static,
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
                    <p class="error-code">{t.error_code}": " <code>{error.code}</code></p>
                    {crate::pages::help::help_href(error.code).map(|(topic, href)| {
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
