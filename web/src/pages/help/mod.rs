//! The help centre (`/help`): the article's FAQ (三、1–5) and three more
//! entries, each listing the error codes it explains. Every error box links
//! here with `?code=`, and the entry marks that code.

use crate::app::Page;
use crate::components::CoachStart;
use crate::i18n::help::{entry, title};
use crate::router::{use_nav, with_query, Link};
use crate::store::use_store;
use leptos::prelude::*;
use qianbao_core::help::Topic;

/// The list of entries.
#[component]
pub fn HelpIndex() -> impl IntoView {
    let store = use_store();
    let t = move || store.text();
    view! {
        <section class="card help">
            <h1>{move || t().help_centre}</h1>
            <p>{move || t().help_intro}</p>
            <CoachStart />
            <ul class="links">
                {Topic::ALL
                    .into_iter()
                    .map(|topic| {
                        view! {
                            <li>
                                <Link href=Page::HelpTopic(topic).href()>
                                    {move || title(store.locale.get(), topic)}
                                </Link>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}

/// One entry, with the codes it explains; `?code=` marks one of them.
#[component]
pub fn HelpTopic(topic: Topic) -> impl IntoView {
    let store = use_store();
    let t = move || store.text();
    let nav = use_nav();
    let asked = move || nav.query("code");
    view! {
        <article class="card help" data-topic=topic.slug()>
            {move || {
                let e = entry(store.locale.get(), topic);
                view! {
                    <h1>{title(store.locale.get(), topic)}</h1>
                    <p>{e.intro}</p>
                    <ul>{e.points.iter().map(|p| view! { <li>{*p}</li> }).collect_view()}</ul>
                    <p>{e.closing}</p>
                }
            }}
            <h2>{move || t().codes_explained}</h2>
            <ul class="codes">
                {topic
                    .codes()
                    .map(|code| {
                        let current = move || asked().as_deref() == Some(code);
                        view! {
                            <li class:current=current aria-current=move || current().then_some("true")>
                                <code id=format!("code-{code}")>{code}</code>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <p><Link href=Page::Help.path()>{move || t().all_help}</Link></p>
        </article>
    }
}

/// The link an error box shows: the entry explaining `code`, with the code marked.
pub fn help_href(code: &str) -> Option<(Topic, String)> {
    qianbao_core::help::topic_of(code).map(|topic| {
        (
            topic,
            with_query(&Page::HelpTopic(topic).href(), "code", code),
        )
    })
}
