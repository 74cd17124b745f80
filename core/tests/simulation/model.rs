//! What the simulation expects: its own model of every person, order and
//! flow, kept beside `core`'s state and compared with it after each step.

use super::*;

impl TotpCreds {
    /// The step within the allowed skew of `wall` whose code is `code`, as
    /// an authenticator's code is matched.
    pub(crate) fn matching_step(&self, code: &str, wall: Timestamp) -> Option<u64> {
        let current = step_at(wall);
        (current.saturating_sub(SKEW_STEPS)..=current + SKEW_STEPS)
            .find(|step| code_for_step(&self.secret, *step) == code)
    }

    /// Six digits that are no code within the skew of `wall`.
    pub(crate) fn wrong_code(&self, wall: Timestamp) -> String {
        (0..)
            .map(|n: u32| format!("{:06}", (n * 7_919 + 104_729) % 1_000_000))
            .find(|code| self.matching_step(code, wall).is_none())
            .unwrap_or_default()
    }
}

impl OrderModel {
    pub(crate) fn new() -> Self {
        OrderModel {
            state: OrderState::Notpay,
            paid: None,
            refunds: 0,
            notifications: 0,
            fulfilled_at: None,
            payments: Vec::new(),
            refund_entries: Vec::new(),
            touched: true,
        }
    }

    pub(crate) fn differs(&self, order: &Order) -> bool {
        self.touched
            || self.state != order.state
            || self.paid != order.paid
            || self.refunds != order.refunds.len()
            || self.notifications != order.notifications
            || self.fulfilled_at != order.fulfilled_at
    }
}

/// NOTPAY → USERPAYING (and back when the cashier is left), any open state →
/// SUCCESS | PAYERROR | CLOSED, SUCCESS → REFUND.
pub(crate) fn legal(from: OrderState, to: OrderState) -> bool {
    use OrderState::*;
    from == to
        || matches!(
            (from, to),
            (Notpay, Userpaying)
                | (Userpaying, Notpay)
                | (Notpay | Userpaying | Payerror, Success | Payerror | Closed)
                | (Success, Refund)
        )
}

impl Model {
    pub(crate) fn check(&mut self, state: &State) -> Result<(), String> {
        self.learn_orders(state)?;
        self.check_journal(state)?;
        self.check_balances(state)?;
        self.check_orders(state)
    }

    pub(crate) fn learn_orders(&mut self, state: &State) -> Result<(), String> {
        let orders = state.order_book();
        ensure(orders.len() >= self.orders.len(), || {
            format!("orders vanished: {} → {}", self.orders.len(), orders.len())
        })?;
        for (index, order) in orders.iter().enumerate().skip(self.orders.len()) {
            let key = (order.merchant, order.out_trade_no.clone());
            ensure(!self.order_index.contains_key(&key), || {
                format!(
                    "two orders of {} share the number {}",
                    order.merchant, order.out_trade_no
                )
            })?;
            self.order_index.insert(key, index);
            self.orders.push(OrderModel::new());
        }
        Ok(())
    }

    /// Each new entry: numbered in sequence, balanced, keeps constrained
    /// accounts at or above zero, uses its key once, and money only comes
    /// from the bank when a card is opened.
    pub(crate) fn check_journal(&mut self, state: &State) -> Result<(), String> {
        let entries = state.ledger().entries();
        ensure(entries.len() >= self.seen, || {
            format!(
                "the journal shrank from {} to {} entries",
                self.seen,
                entries.len()
            )
        })?;
        if let Some(last) = &self.last {
            ensure(entries.get(self.seen - 1) == Some(last), || {
                format!("journal entry #{} was rewritten", last.id)
            })?;
        }
        for (index, entry) in entries.iter().enumerate().skip(self.seen) {
            ensure(entry.id == index as u64 + 1, || {
                format!("entry #{} stands at position {}", entry.id, index + 1)
            })?;
            let sum: i64 = entry.postings.iter().map(|p| p.1.get()).sum();
            ensure(entry.postings.len() >= 2 && sum == 0, || {
                format!("entry #{} does not balance: {:?}", entry.id, entry.postings)
            })?;
            for posting in &entry.postings {
                *self.balances.entry(posting.0).or_default() += posting.1.get();
            }
            for posting in &entry.postings {
                let balance = self.balances.get(&posting.0).copied().unwrap_or(0);
                ensure(!posting.0.must_stay_positive() || balance >= 0, || {
                    format!("entry #{} takes {} to {balance}", entry.id, posting.0)
                })?;
            }
            let from_bank = entry
                .postings
                .iter()
                .any(|p| p.0 == LedgerAccount::BankReserve);
            let opening = matches!(entry.kind, EntryKind::CardOpening { .. });
            ensure(from_bank == opening, || {
                format!("entry #{} {:?} moves bank money", entry.id, entry.kind)
            })?;
            // The interest pool is outside the sandbox like the bank: only
            // interest comes from it.
            let from_pool = entry
                .postings
                .iter()
                .any(|p| p.0 == LedgerAccount::InterestPool);
            let interest = matches!(entry.kind, EntryKind::Interest { .. });
            ensure(from_pool == interest, || {
                format!("entry #{} {:?} moves interest money", entry.id, entry.kind)
            })?;
            self.check_savings_entry(state, entry)?;
            self.learn_spending(entry);
            if let Some(key) = &entry.key {
                ensure(self.keys.insert((entry.by, key.clone())), || {
                    format!("key {key:?} of {} took effect twice", entry.by)
                })?;
            }
            match &entry.kind {
                EntryKind::Payment {
                    merchant,
                    out_trade_no,
                } => {
                    let order = self.order_of(*merchant, out_trade_no, entry)?;
                    let amount = entry.net_for(LedgerAccount::Merchant(*merchant));
                    order.payments.push((entry.id, amount));
                    order.touched = true;
                }
                EntryKind::Refund {
                    merchant,
                    out_trade_no,
                    out_refund_no,
                } => {
                    let number = (*merchant, out_trade_no.clone(), out_refund_no.clone());
                    ensure(self.refund_nos.insert(number), || {
                        format!("refund number {out_refund_no} took effect twice")
                    })?;
                    let amount = entry.net_for(LedgerAccount::Merchant(*merchant));
                    let order = self.order_of(*merchant, out_trade_no, entry)?;
                    order.refund_entries.push((
                        entry.id,
                        out_refund_no.clone(),
                        Fen::new(-amount.get()),
                    ));
                    order.touched = true;
                }
                _ => {}
            }
        }
        self.seen = entries.len();
        self.last = entries.last().cloned();
        Ok(())
    }

    /// 理财: savings accounts move only to and from their own wallet (by
    /// its owner) or take interest from the pool, postings in time order;
    /// each CST day's interest is credited at most once, at the day's end,
    /// and is `daily_interest` of the balance the postings give at that end.
    pub(crate) fn check_savings_entry(
        &mut self,
        state: &State,
        entry: &Entry,
    ) -> Result<(), String> {
        let saved: Vec<AccountId> = entry
            .postings
            .iter()
            .filter_map(|p| match p.0 {
                LedgerAccount::Savings(id) => Some(id),
                _ => None,
            })
            .collect();
        let savings_kind = matches!(
            entry.kind,
            EntryKind::SavingsIn | EntryKind::SavingsOut | EntryKind::Interest { .. }
        );
        let touches_savings = !saved.is_empty();
        ensure(savings_kind == touches_savings, || {
            format!("entry #{} {:?} touches {saved:?}", entry.id, entry.kind)
        })?;
        let Some(&owner) = saved.first() else {
            return Ok(());
        };
        let account = LedgerAccount::Savings(owner);
        let amount = entry.net_for(account).get();
        let counterpart = match entry.kind {
            EntryKind::Interest { .. } => LedgerAccount::InterestPool,
            _ => LedgerAccount::Wallet(owner),
        };
        let expected_sign = match entry.kind {
            EntryKind::SavingsOut => -1,
            _ => 1,
        };
        ensure(
            entry.by == Actor::Wallet(owner)
                && entry.postings.len() == 2
                && entry.net_for(counterpart).get() == -amount
                && amount.signum() == expected_sign,
            || {
                format!(
                    "entry #{} {:?} by {} posts {:?}",
                    entry.id, entry.kind, entry.by, entry.postings
                )
            },
        )?;
        let last = self.savings_at.insert(owner, entry.at);
        ensure(last.is_none_or(|last| last <= entry.at), || {
            format!(
                "entry #{} posts to {account} at {:?}, before its last posting {last:?}",
                entry.id, entry.at
            )
        })?;
        if let EntryKind::Interest { day } = entry.kind {
            ensure(self.interest_days.insert((owner, day)), || {
                format!("day {day}'s interest was credited twice to {account}")
            })?;
            let end = start_of_day_cst(day + 1);
            // Every earlier posting fell before the day's end (they are in
            // time order), so the balance before this entry is the day's.
            ensure(
                entry.at == end
                    && last.is_some_and(|last| last < end)
                    && entry.key.as_deref() == Some(format!("interest:{day}").as_str()),
                || {
                    format!(
                        "entry #{} credits day {day} at {:?} (key {:?}) after a posting at {last:?}",
                        entry.id, entry.at, entry.key
                    )
                },
            )?;
            let after = self.balances.get(&account).copied().unwrap_or(0);
            let at_day_end = Fen::new(after - amount);
            let rate = state.provider_of(owner).wealth_rate_bp;
            let due = daily_interest(at_day_end, rate);
            ensure(amount > 0 && amount == due.get(), || {
                format!(
                    "day {day}'s interest on {} at {rate} bp is {} but #{} credits {amount}",
                    at_day_end.get(),
                    due.get(),
                    entry.id
                )
            })?;
            self.interest_paid += amount;
        }
        Ok(())
    }

    /// 记账: what each entry takes from each wallet it touches, under the
    /// CST month it happened in, if it is spending (bills, transfers out,
    /// payments, refunds); every month with entries appears.
    pub(crate) fn learn_spending(&mut self, entry: &Entry) {
        let month = entry.year_month();
        for wallet in qianbao_core::ledger::wallets_in(&entry.postings) {
            let spending = match entry.kind {
                EntryKind::Bill { .. } | EntryKind::Payment { .. } | EntryKind::Refund { .. } => {
                    true
                }
                EntryKind::Transfer { .. } => entry.by == Actor::Wallet(wallet),
                _ => false,
            };
            let total = self.spending.entry((wallet, month)).or_default();
            if spending {
                *total -= entry.net_for(LedgerAccount::Wallet(wallet)).get();
            }
        }
    }

    pub(crate) fn order_of(
        &mut self,
        merchant: MerchantId,
        out_trade_no: &str,
        entry: &Entry,
    ) -> Result<&mut OrderModel, String> {
        let index = self
            .order_index
            .get(&(merchant, out_trade_no.to_owned()))
            .copied()
            .ok_or_else(|| format!("entry #{} names an unknown order", entry.id))?;
        self.orders
            .get_mut(index)
            .ok_or_else(|| format!("entry #{} names a missing order", entry.id))
    }

    /// Balances are the sums of their postings; the total is zero; wallets,
    /// cards and 零钱 never below zero, nor what merchants and billers hold.
    pub(crate) fn check_balances(&self, state: &State) -> Result<(), String> {
        let ledger = state.ledger();
        ensure(ledger.total() == 0, || {
            format!("the ledger's total is {}", ledger.total())
        })?;
        let mut total: i128 = 0;
        for (&account, &balance) in &self.balances {
            total += i128::from(balance);
            let cached = ledger.balance(account).get();
            ensure(cached == balance, || {
                format!("{account} shows {cached} but its postings sum to {balance}")
            })?;
            let floor = matches!(
                account,
                LedgerAccount::Merchant(_) | LedgerAccount::Biller(_)
            ) || account.must_stay_positive();
            ensure(!floor || balance >= 0, || {
                format!("{account} is at {balance}")
            })?;
        }
        ensure(total == 0, || {
            format!("postings sum to {total} over all accounts")
        })?;
        // Money is conserved: what the sandbox holds is what came in from
        // the bank (card openings) and from the interest pool (interest),
        // and the outside accounts only ever pay in.
        let bank = self
            .balances
            .get(&LedgerAccount::BankReserve)
            .copied()
            .unwrap_or(0);
        let pool = self
            .balances
            .get(&LedgerAccount::InterestPool)
            .copied()
            .unwrap_or(0);
        let inside: i128 = self
            .balances
            .iter()
            .filter(|(a, _)| !matches!(a, LedgerAccount::BankReserve | LedgerAccount::InterestPool))
            .map(|(_, b)| i128::from(*b))
            .sum();
        ensure(
            bank <= 0 && pool == -self.interest_paid && inside == -i128::from(bank + pool),
            || {
                format!(
                    "the sandbox holds {inside}, the bank paid in {}, the pool {} ({} of interest credited)",
                    -bank, -pool, self.interest_paid
                )
            },
        )
    }

    /// Orders: legal transitions, exactly one payment entry of the order's
    /// amount once paid, refunds as in the journal and never above the payment.
    pub(crate) fn check_orders(&mut self, state: &State) -> Result<(), String> {
        for (order, model) in state.order_book().iter().zip(self.orders.iter_mut()) {
            if !model.differs(order) {
                continue;
            }
            let no = &order.out_trade_no;
            ensure(legal(model.state, order.state), || {
                format!("order {no} went {:?} → {:?}", model.state, order.state)
            })?;
            let paid_state = matches!(order.state, OrderState::Success | OrderState::Refund);
            ensure(paid_state == order.paid.is_some(), || {
                format!(
                    "order {no} is {:?} with payment {:?}",
                    order.state, order.paid
                )
            })?;
            if let Some(before) = &model.paid {
                ensure(order.paid.as_ref() == Some(before), || {
                    format!("the payment of order {no} changed")
                })?;
            }
            match &order.paid {
                Some(paid) => {
                    ensure(model.payments == [(paid.entry, order.amount)], || {
                        format!(
                            "order {no} of {} paid by #{} but the journal has {:?}",
                            order.amount.get(),
                            paid.entry,
                            model.payments
                        )
                    })?;
                    ensure(
                        order.fulfilled_at.is_some() && order.notifications > 0,
                        || format!("order {no} is paid but the merchant was not notified"),
                    )?;
                }
                None => ensure(
                    model.payments.is_empty() && order.refunds.is_empty(),
                    || format!("unpaid order {no} has payments or refunds"),
                )?,
            }
            let refunded: i64 = order.refunds.iter().map(|r| r.amount.get()).sum();
            ensure(refunded <= order.amount.get(), || {
                format!("order {no}: {refunded} refunded of {}", order.amount.get())
            })?;
            ensure(
                (order.state == OrderState::Refund) != order.refunds.is_empty(),
                || {
                    format!(
                        "order {no} is {:?} with {} refunds",
                        order.state,
                        order.refunds.len()
                    )
                },
            )?;
            let matches = order.refunds.len() == model.refund_entries.len()
                && order.refunds.iter().zip(&model.refund_entries).all(
                    |(r, (entry, number, amount))| {
                        r.entry == *entry && r.out_refund_no == *number && r.amount == *amount
                    },
                );
            ensure(matches, || {
                format!("the refunds of order {no} do not match the journal")
            })?;
            ensure(order.notifications >= model.notifications, || {
                format!("order {no} lost notifications")
            })?;
            ensure(
                model.fulfilled_at.is_none() || order.fulfilled_at == model.fulfilled_at,
                || format!("the merchant processed order {no} twice"),
            )?;
            *model = OrderModel {
                state: order.state,
                paid: order.paid.clone(),
                refunds: order.refunds.len(),
                notifications: order.notifications,
                fulfilled_at: order.fulfilled_at,
                payments: std::mem::take(&mut model.payments),
                refund_entries: std::mem::take(&mut model.refund_entries),
                touched: false,
            };
        }
        Ok(())
    }
}
