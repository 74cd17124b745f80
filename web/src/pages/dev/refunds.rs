//! 「退款」 in the developer console: a merchant backend's refunds as WeChat
//! Pay runs them. The ones under way (`PROCESSING`, `ABNORMAL`) with
//! 「退款成功」, 「退款异常」, 「退款关闭」 to decide how each ends; the
//! switch that holds new refunds `PROCESSING` until decided (otherwise each
//! succeeds by itself after `REFUND_PROCESSING` on the sandbox's clock);
//! and the latest refunds with their notifications.

use crate::components::ErrorBox;
use crate::store::{use_store, Problem};
use leptos::prelude::*;
use qianbao_core::command::{DecideRefund, HoldRefunds};
use qianbao_core::merchant::{Mchid, MerchantId};
use qianbao_core::order::RefundStatus;

/// One refund, as the console lists it.
#[derive(Clone)]
struct RefundRow {
    mchid: Mchid,
    merchant: String,
    out_trade_no: String,
    out_refund_no: String,
    amount: String,
    status: RefundStatus,
    /// (attempts of its newest notification, acknowledged)
    notified: Option<(usize, bool)>,
}

/// Of each merchant's latest payments, the console shows this many's refunds.
const SHOWN: usize = 10;

#[component]
pub fn Refunds() -> impl IntoView {
    let store = use_store();
    let tw = move || store.dev_text();
    let error = RwSignal::new(None::<Problem>);
    let held = move || store.state.with(|s| s.sim().hold_refunds());
    let hold = RwSignal::new(held());
    let apply_hold = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        store.update(HoldRefunds {
            hold: hold.get_untracked(),
        });
    };
    let rows = move || {
        store.state.with(|s| {
            let book = s.order_book();
            let mut seen = std::collections::BTreeSet::new();
            let under_way = book.refunding();
            let latest = s
                .registered_merchants()
                .iter()
                .flat_map(|m| book.newest_paid(MerchantId::Registered(m.mchid), SHOWN));
            under_way
                .chain(latest)
                .filter(|o| seen.insert((o.merchant, o.out_trade_no.clone())))
                .flat_map(|o| {
                    let MerchantId::Registered(mchid) = o.merchant else {
                        return Vec::new();
                    };
                    let merchant = s
                        .registered_merchant(mchid)
                        .map(|m| m.name.clone())
                        .unwrap_or_default();
                    o.refunds
                        .iter()
                        .filter_map(|r| {
                            let api = r.api.as_ref()?;
                            Some(RefundRow {
                                mchid,
                                merchant: merchant.clone(),
                                out_trade_no: o.out_trade_no.clone(),
                                out_refund_no: r.out_refund_no.clone(),
                                amount: r.amount.to_string(),
                                status: r.status,
                                notified: api
                                    .notices
                                    .last()
                                    .map(|n| (n.attempts.len(), n.acknowledged_at.is_some())),
                            })
                        })
                        .collect()
                })
                .collect::<Vec<_>>()
        })
    };
    let decide = move |row: &RefundRow, status: RefundStatus| {
        let command = DecideRefund {
            mchid: row.mchid,
            out_refund_no: row.out_refund_no.clone(),
            status,
        };
        move |_| {
            store.dispatch(command.clone(), move |result| {
                error.set(result.err());
            });
        }
    };

    view! {
        <h3>{move || tw().dev_refunds}</h3>
        <p class="muted">{move || tw().dev_refunds_intro}</p>
        <form class="form" on:submit=apply_hold>
            <label><input type="checkbox" bind:checked=hold />" " {move || tw().dev_refunds_hold}</label>
            <button type="submit" class="button">{move || tw().dev_refunds_apply}</button>
        </form>
        <p class="muted" data-testid="refund-hold">{move || (tw().dev_refunds_hold_now)(held())}</p>
        <ErrorBox problem=error />
        <Show when=move || !rows().is_empty() fallback=move || view! { <p class="muted">{move || tw().dev_refunds_none}</p> }>
            <ul class="refunds" data-testid="refunds">
                {move || rows().into_iter().map(|row| {
                    let status = row.status;
                    let open = status.is_open();
                    let processing = status == RefundStatus::Processing;
                    let notified = row.notified;
                    let success = decide(&row, RefundStatus::Success);
                    let abnormal = decide(&row, RefundStatus::Abnormal);
                    let closed = decide(&row, RefundStatus::Closed);
                    let key = row.out_refund_no.clone();
                    view! {
                        <li data-refund=key data-status=status.as_str()>
                            <strong>{row.merchant}</strong>" "
                            <code>{row.out_refund_no}</code>" ("<code>{row.out_trade_no}</code>") "
                            {row.amount}" · " <span class="tag">{status.as_str()}</span>
                            {notified.map(|(n, ok)| view! { " · " {move || (tw().dev_order_notified)(n, ok)} })}
                            {open.then(|| view! {
                                <div class="actions">
                                    <button type="button" class="button" on:click=success>{move || tw().dev_refund_success}</button>
                                    {processing.then(|| view! {
                                        <button type="button" class="button" on:click=abnormal>{move || tw().dev_refund_abnormal}</button>
                                    })}
                                    <button type="button" class="button" on:click=closed>{move || tw().dev_refund_closed}</button>
                                </div>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </Show>
    }
}
