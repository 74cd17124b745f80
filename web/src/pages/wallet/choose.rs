//! 「选择钱包」 (the article's 三、5): the providers side by side on the four
//! criteria, the person's needs, and the ranking `core` computes from them,
//! each with its reasons and a way to register with it.

use crate::app::Page;
use crate::i18n::providers::{
    criterion_name, device_name, feature_name, measure_name, provider_name, provider_pitch, reason,
    reviews, stars,
};
use crate::i18n::{bank_name, Locale};
use crate::router::{with_query, Link};
use crate::store::use_store;
use leptos::prelude::*;
use qianbao_core::card::Bank;
use qianbao_core::provider::{
    rank, Criterion, Device, Feature, MovementKind, Needs, Provider, ProviderId,
};

#[component]
pub fn Choose() -> impl IntoView {
    let store = use_store();
    let t = move || store.text();
    let tw = move || store.wallet_world_text();
    let locale = move || store.locale.get();
    let bank = RwSignal::new(None::<Bank>);
    let device = RwSignal::new(None::<Device>);
    let wants = RwSignal::new(Vec::<Feature>::new());
    let priority = RwSignal::new(None::<Criterion>);
    let ranking = Memo::new(move |_| {
        rank(&Needs {
            bank: bank.get(),
            device: device.get(),
            wants: wants.get(),
            priority: priority.get(),
        })
    });

    let columns = move || {
        ProviderId::ALL
            .into_iter()
            .map(|id| view! { <th scope="col">{provider_name(locale(), id)}</th> })
            .collect_view()
    };
    let row = move |label: String, cell: fn(Locale, &'static Provider) -> String| {
        view! {
            <tr>
                <th scope="row">{label}</th>
                {ProviderId::ALL
                    .into_iter()
                    .map(|id| view! { <td>{move || cell(store.locale.get(), id.provider())}</td> })
                    .collect_view()}
            </tr>
        }
    };
    let table = move || {
        let l = locale();
        let tw = tw();
        view! {
            <table class="compare">
                <caption class="visually-hidden">{tw.compare_title}</caption>
                <thead>
                    <tr>
                        <th scope="col">{tw.criterion}</th>
                        {columns()}
                    </tr>
                </thead>
                <tbody>
                    {row(criterion_name(l, Criterion::Features).to_owned(), features_cell)}
                    {row(criterion_name(l, Criterion::Reviews).to_owned(), reviews_cell)}
                    {row(criterion_name(l, Criterion::Security).to_owned(), security_cell)}
                    {row(criterion_name(l, Criterion::Compatibility).to_owned(), compatibility_cell)}
                    {row(tw.transfer_limits.to_owned(), limits_cell)}
                    {row(tw.extra_confirmation_row.to_owned(), confirmation_cell)}
                </tbody>
            </table>
        }
    };

    let on_bank = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        bank.set(Bank::ALL.into_iter().find(|b| bank_key(*b) == value));
    };
    let on_device = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        device.set(Device::ALL.into_iter().find(|d| device_key(*d) == value));
    };
    let on_priority = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        priority.set(
            Criterion::ALL
                .into_iter()
                .find(|c| criterion_key(*c) == value),
        );
    };

    view! {
        <section class="card chooser">
            <h1>{move || t().wallet.choose_wallet}</h1>
            <p>{move || tw().choose_intro}</p>
            <h2>{move || tw().compare_title}</h2>
            <div class="table-wrap" tabindex="0" role="region" aria-label=move || tw().compare_title>
                {table}
            </div>
        </section>
        <section class="card">
            <h2>{move || tw().your_needs}</h2>
            <form class="needs" on:submit=|ev| ev.prevent_default()>
                <label for="need-bank">{move || tw().your_bank}</label>
                <select id="need-bank" on:change=on_bank>
                    <option value="">{move || tw().no_preference}</option>
                    {Bank::ALL
                        .into_iter()
                        .map(|b| view! { <option value=bank_key(b)>{move || bank_name(locale(), b)}</option> })
                        .collect_view()}
                </select>
                <label for="need-device">{move || tw().your_device}</label>
                <select id="need-device" on:change=on_device>
                    <option value="">{move || tw().no_preference}</option>
                    {Device::ALL
                        .into_iter()
                        .map(|d| view! { <option value=device_key(d)>{move || device_name(locale(), d)}</option> })
                        .collect_view()}
                </select>
                <fieldset>
                    <legend>{move || tw().needed_features}</legend>
                    {Feature::ALL
                        .into_iter()
                        .map(|f| {
                            let id = format!("need-{}", feature_key(f));
                            let toggle = move |ev: leptos::ev::Event| {
                                let on = event_target_checked(&ev);
                                wants.update(|w| {
                                    w.retain(|x| *x != f);
                                    if on {
                                        w.push(f);
                                    }
                                });
                            };
                            let label_for = id.clone();
                            view! {
                                <label class="check" for=label_for>
                                    <input type="checkbox" id=id on:change=toggle />
                                    {move || feature_name(locale(), f)}
                                </label>
                            }
                        })
                        .collect_view()}
                </fieldset>
                <label for="need-priority">{move || tw().matters_most}</label>
                <select id="need-priority" on:change=on_priority>
                    <option value="">{move || tw().no_preference}</option>
                    {Criterion::ALL
                        .into_iter()
                        .map(|c| view! { <option value=criterion_key(c)>{move || criterion_name(locale(), c)}</option> })
                        .collect_view()}
                </select>
            </form>
        </section>
        <section class="card" aria-live="polite">
            <h2>{move || tw().ranking_title}</h2>
            <ol class="ranking" data-testid="ranking">
                {move || {
                    let l = locale();
                    let tw = tw();
                    ranking
                        .get()
                        .into_iter()
                        .map(|r| {
                            let name = provider_name(l, r.provider);
                            let href = with_query(Page::Register.path(), "provider", r.provider.as_str());
                            view! {
                                <li data-provider=r.provider.as_str() class:unsuitable=!r.suitable>
                                    <h3>{name}" · "{(tw.score_of)(r.score)}</h3>
                                    <p class="muted">{provider_pitch(l, r.provider)}</p>
                                    <p class=if r.suitable { "success" } else { "warn" }>
                                        {if r.suitable { tw.suits_you } else { tw.does_not_suit }}
                                    </p>
                                    <ul class="reasons">
                                        {r.reasons.into_iter().map(|x| view! { <li>{reason(l, x)}</li> }).collect_view()}
                                    </ul>
                                    <Link href=href class="button">{(tw.register_with)(name)}</Link>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ol>
        </section>
    }
}

fn features_cell(l: Locale, p: &'static Provider) -> String {
    p.features
        .iter()
        .map(|f| feature_name(l, *f))
        .collect::<Vec<_>>()
        .join("、")
}

fn reviews_cell(l: Locale, p: &'static Provider) -> String {
    let [good, bad] = reviews(l, p.id);
    let count = (crate::i18n::wallet_world::text(l).reviews_count)(p.reviews);
    format!("{} ({count}) {good} {bad}", stars(p.rating_tenths))
}

fn security_cell(l: Locale, p: &'static Provider) -> String {
    let measures = p
        .security
        .iter()
        .map(|m| measure_name(l, *m))
        .collect::<Vec<_>>()
        .join("、");
    format!(
        "{measures} · {} {}",
        crate::i18n::wallet_world::text(l).licence_label,
        p.licence
    )
}

fn compatibility_cell(l: Locale, p: &'static Provider) -> String {
    let banks = p
        .banks
        .iter()
        .map(|b| bank_name(l, *b))
        .collect::<Vec<_>>()
        .join("、");
    let devices = p
        .devices
        .iter()
        .map(|d| device_name(l, *d))
        .collect::<Vec<_>>()
        .join("、");
    format!("{banks} · {devices}")
}

fn limits_cell(_: Locale, p: &'static Provider) -> String {
    let limit = p.policy.limit(MovementKind::Transfer);
    format!("{} / {}", limit.single, limit.daily)
}

fn confirmation_cell(l: Locale, p: &'static Provider) -> String {
    let tw = crate::i18n::wallet_world::text(l);
    if p.extra_confirmation {
        tw.applies
    } else {
        tw.does_not_apply
    }
    .to_owned()
}

fn bank_key(bank: Bank) -> &'static str {
    match bank {
        Bank::Icbc => "icbc",
        Bank::Abc => "abc",
        Bank::Boc => "boc",
        Bank::Ccb => "ccb",
        Bank::Bocom => "bocom",
        Bank::Cmb => "cmb",
        Bank::Psbc => "psbc",
    }
}

fn device_key(device: Device) -> &'static str {
    match device {
        Device::Ios => "ios",
        Device::Android => "android",
        Device::HarmonyOs => "harmonyos",
        Device::Web => "web",
    }
}

fn feature_key(feature: Feature) -> &'static str {
    match feature {
        Feature::Wealth => "wealth",
        Feature::Bills => "bills",
        Feature::Transfers => "transfers",
    }
}

fn criterion_key(criterion: Criterion) -> &'static str {
    match criterion {
        Criterion::Features => "features",
        Criterion::Reviews => "reviews",
        Criterion::Security => "security",
        Criterion::Compatibility => "compatibility",
    }
}
