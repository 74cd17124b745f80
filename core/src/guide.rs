//! Guided mode (SPEC F9): which step of the article comes next.
//!
//! Three tours follow the article: [`Tour::Bind`] is section 二 (bind the
//! wallet to WeChat), [`Tour::Pay`] is 三.2 (pay a merchant with the bound
//! wallet) and [`Tour::Unbind`] is 三.3 (解除绑定). [`next_step`] reads the
//! next step from the sandbox state alone — who is signed in, where the
//! binding stands, whether WeChat is logged in and allows third-party
//! apps, the wallet's cards and balance, the merchants' orders — never from
//! what was clicked. A step is therefore done exactly when the state says
//! so, the coach picks up where it was after a reload, and a step the user
//! took some other way (binding from 「绑定管理」 instead of 「设置」) counts.
//!
//! What the coach needs besides the state is when the tour began
//! (`since`): a payment or an unbinding from before does not finish the
//! tour again. Whether the coach is on is the shell's preference, not part
//! of [`State`].

use crate::binding::Binding;
use crate::merchant::MerchantId;
use crate::money::Fen;
use crate::payment::{OrderState, PayMethod};
use crate::state::State;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// A part of the article the coach walks through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tour {
    /// 二、如何将数字钱包绑定到微信?
    Bind,
    /// 三、2 绑定后如何进行支付?
    Pay,
    /// 三、3 如何解除绑定?
    Unbind,
}

impl Tour {
    /// In the article's order.
    pub const ALL: [Tour; 3] = [Tour::Bind, Tour::Pay, Tour::Unbind];

    /// The tour that follows this one, if any.
    pub fn next(self) -> Option<Tour> {
        match self {
            Tour::Bind => Some(Tour::Pay),
            Tour::Pay => Some(Tour::Unbind),
            Tour::Unbind => None,
        }
    }
}

/// What the user should do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// 登录数字钱包帐户 (or register, or the demo account). Every tour
    /// starts here while nobody is signed in or the session is locked.
    SignIn,
    /// 二: 进入设置 → 「绑定微信」.
    StartBinding,
    /// 二: 授权微信 — log in to WeChat on its authorize page.
    WeChatLogIn,
    /// 三.1: WeChat refuses third-party apps; turn 「允许第三方应用授权」 on.
    AllowThirdParty,
    /// 二: 「允许」 on the consent screen (with 二次验证 the first time);
    /// also the step while the wallet retries a failed exchange.
    Approve,
    /// 三.2 and 三.3 need a bound wallet: bind first.
    BindFirst,
    /// 三.2: the wallet cannot pay yet and has no card to top up from.
    AddCard,
    /// 三.2: the wallet's balance is short by at least `at_least`.
    TopUp { at_least: Fen },
    /// 三.2: 选择商家 — products, 「去结算」, 「微信支付」.
    Checkout,
    /// 三.2: at WeChat Pay's cashier for this order: choose the wallet,
    /// check the amount, 「确认支付」 (and the merchant's extra confirmation).
    ConfirmPay {
        merchant: MerchantId,
        out_trade_no: String,
    },
    /// 三.3: 设置 → 「绑定管理」 → 「解除绑定」 → 确认.
    Unbind,
    /// The tour is complete.
    Done,
}

/// The next step of `tour`, begun at `since`, as the state stands at `now`.
pub fn next_step(state: &State, tour: Tour, since: Timestamp, now: Timestamp) -> Step {
    let Some(me) = state.signed_in().map(|a| a.id()) else {
        return Step::SignIn;
    };
    let binding = state.binding(me);
    match tour {
        Tour::Bind => match binding {
            Binding::Bound(_) => Step::Done,
            Binding::Authorizing { .. } => match state.wechat().signed_in() {
                None => Step::WeChatLogIn,
                Some(user) if !user.allows_third_party() => Step::AllowThirdParty,
                Some(_) => Step::Approve,
            },
            Binding::Unbound | Binding::Ended { .. } => Step::StartBinding,
        },
        Tour::Pay => {
            let paid_by_wallet = state.orders().any(|o| {
                o.paid
                    .as_ref()
                    .is_some_and(|p| p.method == PayMethod::Wallet(me) && p.at >= since)
            });
            if paid_by_wallet {
                return Step::Done;
            }
            if binding.bound().is_none() {
                return Step::BindFirst;
            }
            // The newest order of this tour still waiting to be paid.
            let open = state.orders().rev().find(|o| {
                o.created_at >= since
                    && now < o.expires_at
                    && matches!(
                        o.state,
                        OrderState::Notpay | OrderState::Userpaying | OrderState::Payerror
                    )
            });
            let needed = open.map_or_else(cheapest_product, |o| o.amount);
            let balance = state.balance(me);
            if balance < needed {
                return if state.cards_of(me).next().is_none() {
                    Step::AddCard
                } else {
                    Step::TopUp {
                        at_least: Fen::new(needed.get() - balance.get()),
                    }
                };
            }
            match open {
                Some(order) => Step::ConfirmPay {
                    merchant: order.merchant,
                    out_trade_no: order.out_trade_no.clone(),
                },
                None => Step::Checkout,
            }
        }
        Tour::Unbind => match binding {
            Binding::Bound(_) => Step::Unbind,
            // 「解除绑定」 in the wallet or 「取消授权」 in WeChat: both end it.
            Binding::Ended { at, .. } if at >= since => Step::Done,
            Binding::Unbound | Binding::Authorizing { .. } | Binding::Ended { .. } => {
                Step::BindFirst
            }
        },
    }
}

/// The price of the cheapest thing any demo store sells: the least a
/// wallet must hold to buy something.
fn cheapest_product() -> Fen {
    MerchantId::ALL
        .into_iter()
        .filter_map(MerchantId::demo)
        .flat_map(|m| m.products.iter().map(|p| p.price))
        .min()
        .unwrap_or(Fen::ZERO)
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Timestamp = Timestamp::from_millis(1_795_000_000_000);

    #[test]
    fn tours_follow_the_article() {
        assert_eq!(Tour::Bind.next(), Some(Tour::Pay));
        assert_eq!(Tour::Pay.next(), Some(Tour::Unbind));
        assert_eq!(Tour::Unbind.next(), None);
    }

    #[test]
    fn every_tour_starts_by_signing_in() {
        let state = State::default();
        for tour in Tour::ALL {
            assert_eq!(next_step(&state, tour, T, T), Step::SignIn, "{tour:?}");
        }
    }

    #[test]
    fn the_cheapest_product_is_the_croissant() {
        assert_eq!(cheapest_product(), Fen::new(1_650));
    }
}
