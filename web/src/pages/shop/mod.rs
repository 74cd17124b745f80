//! The merchants' world (`/shop/`, simulated): demo stores with products,
//! 「加入购物车」, 「去结算」 and 「微信支付」, and each store's orders page.

use crate::app::Page;
use crate::components::{once_at_a_time, qr_svg, ErrorBox};
use crate::env;
use crate::pages::wallet::site;
use crate::router::{use_nav, with_query, Link};
use crate::store::{use_store, Problem};
use leptos::prelude::*;
use qianbao_core::command::{CreateOrder, RefreshOrders, RefundOrder};
use qianbao_core::merchant::{Merchant, MerchantId};
use qianbao_core::money::Fen;
use qianbao_core::payment::{cart_total, cashier_path, pay_link, MAX_QUANTITY};

#[component]
pub fn ShopList() -> impl IntoView {
    let store = use_store();
    let tw = move || store.shop_text();
    view! {
        <section class="card">
            <h1>{move || tw().shops_title}</h1>
            <p class="muted">{move || tw().shops_intro}</p>
            <ul class="card-list">
                {MerchantId::ALL
                    .into_iter()
                    .filter_map(|id| id.demo().map(|shop| (id, shop)))
                    .map(|(id, shop)| {
                        view! {
                            <li class="bank-card">
                                <Link href=Page::Shop(id).href() {..} data-coach="shop">
                                    <strong>{move || store.locale.get().pick(shop.name_zh, shop.name_en)}</strong>
                                </Link>
                                {shop
                                    .extra_confirmation_from
                                    .map(|from| view! { <p class="hint">{move || (tw().extra_confirmation_note)(&from.to_string())}</p> })}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}

#[component]
pub fn Shop(shop: &'static Merchant) -> impl IntoView {
    let id = shop.id;
    let store = use_store();
    let nav = use_nav();
    let t = move || store.text();
    let tw = move || store.shop_text();
    let cart = RwSignal::new(Vec::<(&'static str, u32)>::new());
    let order = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<Problem>);
    let busy = RwSignal::new(false);
    let add = move |sku: &'static str| {
        cart.update(|c| match c.iter_mut().find(|(s, _)| *s == sku) {
            Some((_, quantity)) => *quantity = (*quantity + 1).min(MAX_QUANTITY),
            None => c.push((sku, 1)),
        });
    };
    let total = move || cart.with(|c| cart_total(id, c).unwrap_or_default());
    let place = move || {
        let items = cart.get_untracked();
        once_at_a_time(busy, move || async move {
            let order_of = items
                .iter()
                .map(|(sku, n)| ((*sku).to_owned(), *n))
                .collect();
            match store
                .run(CreateOrder {
                    merchant: id,
                    cart: order_of,
                })
                .await
            {
                Ok(no) => {
                    error.set(None);
                    cart.set(Vec::new());
                    order.set(Some(no));
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let checkout = move |_| place();
    // 「重试」 when placing the order did not reach WeChat Pay (no order
    // was placed): the same cart again.
    let retry = Callback::new(move |()| place());
    let pay = move |no: String| env::assign(&nav.href(&cashier_path(id, &no)));
    view! {
        <section class="card">
            <h1>{move || store.locale.get().pick(shop.name_zh, shop.name_en)}</h1>
            <ul class="products">
                {shop
                    .products
                    .iter()
                    .map(|p| {
                        let sku = p.sku;
                        view! {
                            <li class="product" data-sku=sku>
                                <span>{move || store.locale.get().pick(p.name_zh, p.name_en)}</span>
                                <span class="price">{p.price.to_string()}</span>
                                <button type="button" class="button" data-coach="add-to-cart" on:click=move |_| add(sku)>{move || tw().add_to_cart}</button>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <h2>{move || tw().cart}</h2>
            <Show when=move || cart.with(|c| !c.is_empty()) fallback=move || view! { <p class="muted">{move || tw().cart_empty}</p> }>
                <ul class="cart">
                    {move || {
                        cart.get()
                            .into_iter()
                            .filter_map(|(sku, q)| shop.product(sku).map(|p| (p, q)))
                            .map(|(p, q)| view! { <li>{store.locale.get().pick(p.name_zh, p.name_en)} " × " {q}</li> })
                            .collect_view()
                    }}
                </ul>
                <p class="big-amount" data-testid="cart-total">{move || total().to_string()}</p>
                <button type="button" class="button primary" data-coach="checkout" on:click=checkout>{move || tw().checkout}</button>
            </Show>
            <ErrorBox problem=error retry />
            {move || {
                order.get().map(|no| {
                    let amount = store.state.with(|s| s.order(id, &no).map(|o| o.amount)).unwrap_or_default();
                    let for_pay = no.clone();
                    let link = pay_link(&site(), id, &no);
                    let qr = qr_svg(&link);
                    view! {
                        <div class="checkout" role="status">
                            <dl class="facts">
                                <dt>{tw().order_no}</dt>
                                <dd data-testid="order-no">{no.clone()}</dd>
                                <dt>{tw().order_total}</dt>
                                <dd>{amount.to_string()}</dd>
                            </dl>
                            <button type="button" class="button wechat" data-coach="wechat-pay" on:click=move |_| pay(for_pay.clone())>{tw().wechat_pay}</button>
                            <p class="hint">{tw().qr_caption}</p>
                            <div class="qr" role="img" aria-label=t().scan inner_html=qr></div>
                            <p class="pay-link" data-testid="pay-link">{link.clone()}</p>
                        </div>
                    }
                })
            }}
            <p><Link href=Page::ShopOrders(id).href()>{move || tw().merchant_orders}</Link></p>
        </section>
    }
}

#[component]
pub fn ShopOrders(shop: &'static Merchant) -> impl IntoView {
    let id = shop.id;
    let store = use_store();
    let t = move || store.text();
    let tw = move || store.shop_text();
    // Page entry: orders whose time ran out show as closed.
    let error = RwSignal::new(None::<Problem>);
    store.dispatch(RefreshOrders { merchant: id }, move |result| {
        error.set(result.err())
    });
    let orders = move || {
        store.state.with(|s| {
            s.order_book()
                .newest(id, usize::MAX)
                .into_iter()
                .map(|o| OrderRow {
                    out_trade_no: o.out_trade_no.clone(),
                    description: o.description.clone(),
                    amount: o.amount,
                    state: o.state.as_str(),
                    created: env::date_time(o.created_at),
                    refundable: o.refundable(),
                    notified: o.notifications,
                })
                .collect::<Vec<_>>()
        })
    };
    view! {
        <section class="card">
            <h1>{move || store.locale.get().pick(shop.name_zh, shop.name_en)} " · " {move || tw().merchant_orders}</h1>
            <Show when=move || !orders().is_empty() fallback=move || view! { <p class="muted">{move || tw().no_orders}</p> }>
                <ul class="card-list">
                    // Keyed by what an order shows: a failed refund (nothing
                    // changed) keeps its row, and with it the error message.
                    <For
                        each=orders
                        key=|row| (row.out_trade_no.clone(), row.state, row.refundable, row.notified)
                        children=move |row| {
                            let OrderRow { out_trade_no: no, description, amount, state, created: at, refundable, notified } = row;
                            let key = no.clone();
                            let refund_for = no.clone();
                            view! {
                                <li class="bank-card" data-order=key data-state=state>
                                    <strong>{description}</strong>
                                    <p class="muted">{move || tw().order_no}": " {no} " · " {at}</p>
                                    <p>
                                        {amount.to_string()} " · "
                                        <span class="tag">{state} " " {move || (tw().order_state_name)(state)}</span>
                                    </p>
                                    {(notified > 0).then(|| view! { <p class="hint" data-testid="notified">{move || (tw().notified)(notified)}</p> })}
                                    {refundable.is_positive().then(|| view! { <RefundForm id out_trade_no=refund_for.clone() left=refundable whole=refundable == amount /> })}
                                </li>
                            }
                        }
                    />
                </ul>
            </Show>
            <ErrorBox problem=error />
            <p><Link href=Page::Shop(id).href()>{move || t().back_to_merchant}</Link></p>
        </section>
    }
}

/// One order as the merchant's list shows it.
#[derive(Debug, Clone, PartialEq)]
struct OrderRow {
    out_trade_no: String,
    description: String,
    amount: Fen,
    state: &'static str,
    created: String,
    refundable: Fen,
    notified: u32,
}

/// The merchant's 「退款」: an amount and one refund number per form, so a
/// double click refunds once. The whole payment is offered until a first
/// refund; after one the amount starts empty, so a second click landing on
/// the redrawn form refunds nothing by itself.
#[component]
fn RefundForm(id: MerchantId, out_trade_no: String, left: Fen, whole: bool) -> impl IntoView {
    let store = use_store();
    let tw = move || store.shop_text();
    let amount = RwSignal::new(if whole { left.plain() } else { String::new() });
    let error = RwSignal::new(None::<Problem>);
    let done = RwSignal::new(None::<Fen>);
    let number = RwSignal::new(format!("R{}", &store.new_key()[..16]));
    let field = format!("refund-{out_trade_no}");
    // The refund number changes only once a refund is made: 「重试」 after
    // one that did not get through sends the same number, so it refunds once.
    let send = move || {
        let (typed, refund_no) = (amount.get_untracked(), number.get_untracked());
        let command = RefundOrder {
            merchant: id,
            out_trade_no: out_trade_no.clone(),
            out_refund_no: refund_no,
            amount: typed,
        };
        store.dispatch(command, move |result| match result {
            Ok(refund) => {
                error.set(None);
                done.set(Some(refund.amount));
                number.set(format!("R{}", &store.new_key()[..16]));
            }
            Err(e) => error.set(Some(e)),
        });
    };
    let submit = {
        let send = send.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            send();
        }
    };
    let retry = Callback::new(move |()| send());
    view! {
        <form on:submit=submit novalidate class="refund-form">
            <label for=field.clone()>{move || tw().refund_amount} " (" {move || (tw().refundable)(&left.to_string())} ")"</label>
            <div class="with-button">
                <input id=field inputmode="decimal" bind:value=amount />
                <button type="submit" class="button">{move || tw().refund}</button>
            </div>
            <ErrorBox problem=error retry />
            {move || done.get().map(|a| view! { <p class="success" role="status">{(tw().refund_done)(&a.to_string())}</p> })}
        </form>
    }
}

/// `/shop/orders?…` links carry the merchant in the path; this keeps the
/// query helpers in one place for the cashier's return link.
pub fn orders_href(id: MerchantId, out_trade_no: &str) -> String {
    with_query(&Page::ShopOrders(id).href(), "paid", out_trade_no)
}
