//! [`Orders`]: every order by its position, with the indexes that find one
//! without scanning — and the *window* a sandbox server's page holds of
//! them.
//!
//! # The page's window
//! A server keeps every order; a page (a browser following the server)
//! holds only the orders a person can see or act on ([`Orders::window`]):
//! every order of a demo store (placed by people, from pages), each
//! registered merchant's newest [`WINDOW`] orders and newest [`WINDOW`]
//! payments, every order someone has open at the cashier
//! (`USERPAYING`), and the newest [`WINDOW`] with a refund under way
//! (`PROCESSING`, `ABNORMAL`: the console decides them). Whatever the number of orders a merchant's backend
//! places, a page's copy, its first read and each save it follows stay the
//! same size.
//!
//! An order only ever enters the window by changing (a new order, a
//! payment, a cashier opened), so a page that receives, with each save, the
//! changed orders that are in the window before or after it
//! ([`Orders::sent_to_pages`])
//! holds the window at every save; what leaves it the page drops itself
//! ([`Orders::trim`]), by the same rule over the orders it holds. A page
//! may hold an order outside the window too (one it asked for, for the
//! cashier: [`Orders::hold`]).

use super::{Order, OrderEvent, OrderState, Refund};
use crate::merchant::MerchantId;
use crate::payment::PayError;
use crate::time::{day_cst, Timestamp};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// A registered merchant's newest orders, and newest payments, a page holds.
pub const WINDOW: usize = 20;

/// A merchant and one of its numbers (`out_trade_no`, `out_refund_no`).
type Number = (MerchantId, String);

/// Every order (or a page's window of them), with its indexes (see the
/// module docs).
#[derive(Debug, Clone, Default)]
pub struct Orders {
    list: BTreeMap<usize, Order>,
    /// The position the next new order takes: how many there are.
    next: usize,
    /// A page's window of a server's orders: some positions are not held,
    /// and the counts are the server's.
    windowed: bool,
    by_number: BTreeMap<Number, usize>,
    by_transaction: BTreeMap<String, usize>,
    by_prepay: BTreeMap<String, usize>,
    by_refund: BTreeMap<Number, usize>,
    /// Every order's position, by merchant.
    by_merchant: BTreeSet<(MerchantId, usize)>,
    /// Paid orders by merchant and the ledger entry that paid them (entries
    /// grow: the newest payment last).
    paid: BTreeSet<(MerchantId, u64, usize)>,
    /// Orders open at the cashier (`USERPAYING`).
    paying: BTreeSet<usize>,
    /// Open orders by when their time runs out.
    open: BTreeSet<(Timestamp, usize)>,
    /// Paid orders whose first notification is owed, by payment time.
    first_notice: BTreeSet<(Timestamp, usize)>,
    /// Notifications owed again (after an attempt that was not
    /// acknowledged), by when they fall due.
    next_notice: BTreeSet<(Timestamp, usize)>,
    /// Orders with a refund under way (`PROCESSING`, `ABNORMAL`).
    refunding: BTreeSet<usize>,
    /// `PROCESSING` refunds by when they reach the payer by themselves.
    settling: BTreeSet<(Timestamp, usize)>,
    /// Refund notifications owed, by when they fall due.
    refund_notice: BTreeSet<(Timestamp, usize)>,
    /// Orders by merchant and the Beijing days of their bill rows.
    billed: BTreeSet<(MerchantId, i64, usize)>,
    /// Orders a page asked for, outside the window, and the server's save
    /// each was read at ([`Orders::hold`]).
    held: BTreeMap<usize, u64>,
    /// Positions changed since [`Orders::take_changed`] last looked.
    changed: BTreeSet<usize>,
    /// How many orders each merchant has.
    counts: BTreeMap<MerchantId, usize>,
}

impl PartialEq for Orders {
    fn eq(&self, other: &Self) -> bool {
        self.list == other.list && self.next == other.next
    }
}

impl Eq for Orders {}

/// What the indexes hold for one order.
struct Keys {
    transaction: Option<String>,
    prepay: Option<String>,
    refunds: Vec<String>,
    paid: Option<u64>,
    paying: bool,
    open: Option<Timestamp>,
    notice: Option<(bool, Timestamp)>,
    refunding: bool,
    settles: Vec<Timestamp>,
    refund_notices: Vec<Timestamp>,
    /// The Beijing days its bill rows fall on: its payment's, and each
    /// successful refund's.
    billed: Vec<i64>,
}

impl Keys {
    fn of(order: &Order) -> Keys {
        Keys {
            transaction: order.paid.as_ref().map(|p| p.transaction_id.clone()),
            prepay: order.prepay(),
            refunds: order
                .refunds
                .iter()
                .map(|r| r.out_refund_no.clone())
                .collect(),
            paid: order.paid.as_ref().map(|p| p.entry),
            paying: order.state == OrderState::Userpaying,
            open: order.state.is_open().then_some(order.expires_at),
            notice: order.notice_due(),
            refunding: order.refunds.iter().any(|r| r.status.is_open()),
            settles: order
                .refunds
                .iter()
                .filter_map(|r| r.settles_at())
                .collect(),
            refund_notices: order
                .refunds
                .iter()
                .filter_map(|r| r.notice_due())
                .collect(),
            billed: order
                .paid
                .as_ref()
                .map(|p| p.at)
                .into_iter()
                .chain(order.refunds.iter().filter_map(Refund::succeeded_at))
                .map(day_cst)
                .collect(),
        }
    }
}

/// Why a list of orders cannot be one merchant's books.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrdersError {
    /// Two orders of one merchant share an `out_trade_no`.
    Repeated,
    /// A server's whole books cannot have a gap (only a page's window can).
    Gap,
}

impl Orders {
    /// The orders in `list`, indexed; refused if a merchant's number repeats.
    pub fn from_list(list: Vec<Order>) -> Result<Orders, OrdersError> {
        let mut orders = Orders::default();
        for order in list {
            orders.push(order)?;
        }
        orders.changed.clear();
        Ok(orders)
    }

    /// A page's window of a server's `len` orders: the ones it holds, by
    /// position, and each merchant's count.
    pub fn window_from(
        held: Vec<(usize, Order)>,
        len: usize,
        counts: &[(MerchantId, usize)],
    ) -> Result<Orders, OrdersError> {
        let mut orders = Orders {
            windowed: true,
            next: len,
            ..Orders::default()
        };
        for (position, order) in held {
            if position >= len {
                return Err(OrdersError::Gap);
            }
            orders.put(position, order)?;
        }
        orders.counts = counts.iter().copied().collect();
        orders.changed.clear();
        Ok(orders)
    }

    /// Whether this is a page's window rather than a server's whole books.
    pub fn is_window(&self) -> bool {
        self.windowed
    }

    /// Every order held, in the order they were placed.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Order> {
        self.list.values()
    }

    /// Every order held with its position.
    pub fn positioned(&self) -> impl DoubleEndedIterator<Item = (usize, &Order)> {
        self.list.iter().map(|(p, o)| (*p, o))
    }

    /// How many orders there are (a window: on the server).
    pub fn len(&self) -> usize {
        self.next
    }

    pub fn is_empty(&self) -> bool {
        self.next == 0
    }

    /// How many orders this copy holds.
    pub fn held(&self) -> usize {
        self.list.len()
    }

    pub fn get(&self, position: usize) -> Option<&Order> {
        self.list.get(&position)
    }

    /// Where `merchant`'s order `out_trade_no` is.
    pub fn position(&self, merchant: MerchantId, out_trade_no: &str) -> Option<usize> {
        self.by_number
            .get(&(merchant, out_trade_no.to_owned()))
            .copied()
    }

    pub fn find(&self, merchant: MerchantId, out_trade_no: &str) -> Option<&Order> {
        self.position(merchant, out_trade_no)
            .and_then(|p| self.get(p))
    }

    /// The paid order with this `transaction_id`, of whichever merchant.
    pub fn by_transaction(&self, transaction_id: &str) -> Option<&Order> {
        self.by_transaction
            .get(transaction_id)
            .and_then(|p| self.get(*p))
    }

    /// Where the JSAPI order this `prepay_id` stands for is.
    pub fn prepay_position(&self, prepay_id: &str) -> Option<usize> {
        self.by_prepay.get(prepay_id).copied()
    }

    /// The JSAPI order this `prepay_id` stands for.
    pub fn by_prepay_id(&self, prepay_id: &str) -> Option<&Order> {
        self.prepay_position(prepay_id).and_then(|p| self.get(p))
    }

    /// `merchant`'s order that has a refund numbered `out_refund_no`.
    pub fn by_refund(&self, merchant: MerchantId, out_refund_no: &str) -> Option<&Order> {
        self.by_refund
            .get(&(merchant, out_refund_no.to_owned()))
            .and_then(|p| self.get(*p))
    }

    /// Puts `order` at `position`, as a writer's save says it is now (a
    /// replica following the sandbox server): a new one at the end, or one
    /// already here changed; a window also takes one it did not hold.
    /// Refused if that would repeat a number or, in whole books, leave a gap.
    pub(crate) fn put(&mut self, position: usize, order: Order) -> Result<(), OrdersError> {
        match self.list.get(&position) {
            Some(old) => {
                if (old.merchant, &old.out_trade_no) != (order.merchant, &order.out_trade_no) {
                    return Err(OrdersError::Repeated);
                }
                let (merchant, before) = (old.merchant, Keys::of(old));
                self.index(position, merchant, &before, false);
                let after = Keys::of(&order);
                self.list.insert(position, order);
                self.index(position, merchant, &after, true);
                Ok(())
            }
            None if position == self.next && !self.windowed => self.push(order).map(|_| ()),
            None if self.windowed => {
                let number = (order.merchant, order.out_trade_no.clone());
                if self.by_number.contains_key(&number) {
                    return Err(OrdersError::Repeated);
                }
                if position >= self.next {
                    // New on the server: counted by the save that brings it.
                    self.next = position + 1;
                }
                self.insert(position, order);
                Ok(())
            }
            None => Err(OrdersError::Gap),
        }
    }

    /// Adds a new order at the end; refused if its number is taken.
    pub(crate) fn push(&mut self, order: Order) -> Result<usize, OrdersError> {
        let number = (order.merchant, order.out_trade_no.clone());
        if self.by_number.contains_key(&number) {
            return Err(OrdersError::Repeated);
        }
        let position = self.next;
        self.next += 1;
        *self.counts.entry(order.merchant).or_default() += 1;
        self.insert(position, order);
        self.changed.insert(position);
        Ok(position)
    }

    /// Holds `order` at a free `position`, indexed.
    fn insert(&mut self, position: usize, order: Order) {
        let number = (order.merchant, order.out_trade_no.clone());
        self.by_number.insert(number, position);
        self.by_merchant.insert((order.merchant, position));
        let keys = Keys::of(&order);
        let merchant = order.merchant;
        self.list.insert(position, order);
        self.index(position, merchant, &keys, true);
    }

    /// Applies `event` to the order at `position` (see [`Order::apply`]),
    /// keeping every index true; a refused event changes nothing.
    pub(crate) fn apply(&mut self, position: usize, event: OrderEvent) -> Result<(), PayError> {
        let order = self.list.get_mut(&position).ok_or(PayError::NoSuchOrder)?;
        let before = order.clone();
        order.apply(event)?;
        if *order == before {
            // A `Leave` outside the cashier, an `Expire` with time left, a
            // `Close` of a closed order: nothing to index or to save.
            return Ok(());
        }
        let (merchant, after) = (order.merchant, Keys::of(order));
        self.index(position, merchant, &Keys::of(&before), false);
        self.index(position, merchant, &after, true);
        self.changed.insert(position);
        Ok(())
    }

    /// Adds (`add`) or removes one order's index entries.
    fn index(&mut self, position: usize, merchant: MerchantId, keys: &Keys, add: bool) {
        fn put<K: Ord>(map: &mut BTreeMap<K, usize>, key: K, position: usize, add: bool) {
            if add {
                map.insert(key, position);
            } else if map.get(&key) == Some(&position) {
                map.remove(&key);
            }
        }
        fn mark<K: Ord>(set: &mut BTreeSet<K>, key: K, add: bool) {
            if add {
                set.insert(key);
            } else {
                set.remove(&key);
            }
        }
        if let Some(tx) = &keys.transaction {
            put(&mut self.by_transaction, tx.clone(), position, add);
        }
        if let Some(prepay) = &keys.prepay {
            put(&mut self.by_prepay, prepay.clone(), position, add);
        }
        for no in &keys.refunds {
            put(&mut self.by_refund, (merchant, no.clone()), position, add);
        }
        if let Some(entry) = keys.paid {
            mark(&mut self.paid, (merchant, entry, position), add);
        }
        if keys.paying {
            mark(&mut self.paying, position, add);
        }
        if let Some(at) = keys.open {
            mark(&mut self.open, (at, position), add);
        }
        match keys.notice {
            Some((true, at)) => mark(&mut self.first_notice, (at, position), add),
            Some((false, at)) => mark(&mut self.next_notice, (at, position), add),
            None => {}
        }
        if keys.refunding {
            mark(&mut self.refunding, position, add);
        }
        for at in &keys.settles {
            mark(&mut self.settling, (*at, position), add);
        }
        for at in &keys.refund_notices {
            mark(&mut self.refund_notice, (*at, position), add);
        }
        for day in &keys.billed {
            mark(&mut self.billed, (merchant, *day, position), add);
        }
    }

    /// How many orders `merchant` has (a window: on the server).
    pub fn count(&self, merchant: MerchantId) -> usize {
        self.counts.get(&merchant).copied().unwrap_or(0)
    }

    /// Every merchant's count of orders.
    pub fn counts(&self) -> Vec<(MerchantId, usize)> {
        self.counts.iter().map(|(m, n)| (*m, *n)).collect()
    }

    /// A save brought `merchant`'s count (a window follows the server's).
    pub(crate) fn set_count(&mut self, merchant: MerchantId, count: usize) {
        self.counts.insert(merchant, count);
    }

    /// A save brought the server's number of orders.
    pub(crate) fn set_len(&mut self, len: usize) -> Result<(), OrdersError> {
        if !self.windowed && len != self.next {
            return Err(OrdersError::Gap);
        }
        self.next = self.next.max(len);
        Ok(())
    }

    fn newest_positions(&self, merchant: MerchantId, n: usize) -> impl Iterator<Item = usize> + '_ {
        self.by_merchant
            .range((merchant, 0)..=(merchant, usize::MAX))
            .rev()
            .take(n)
            .map(|(_, p)| *p)
    }

    fn newest_paid_positions(
        &self,
        merchant: MerchantId,
        n: usize,
    ) -> impl Iterator<Item = usize> + '_ {
        self.paid
            .range((merchant, 0, 0)..=(merchant, u64::MAX, usize::MAX))
            .rev()
            .take(n)
            .map(|(_, _, p)| *p)
    }

    /// `merchant`'s newest `n` orders, newest first.
    pub fn newest(&self, merchant: MerchantId, n: usize) -> Vec<&Order> {
        self.newest_positions(merchant, n)
            .filter_map(|p| self.get(p))
            .collect()
    }

    /// `merchant`'s orders with a bill row on Beijing day `day` (paid, or
    /// refunded successfully, that day), in order of placing.
    pub fn billed_on(&self, merchant: MerchantId, day: i64) -> Vec<&Order> {
        self.billed
            .range((merchant, day, 0)..=(merchant, day, usize::MAX))
            .filter_map(|&(_, _, position)| self.get(position))
            .collect()
    }

    /// `merchant`'s `n` most recently paid orders, the newest payment first.
    pub fn newest_paid(&self, merchant: MerchantId, n: usize) -> Vec<&Order> {
        self.newest_paid_positions(merchant, n)
            .filter_map(|p| self.get(p))
            .collect()
    }

    /// The positions a page holds (see the module docs): every demo
    /// store's order, each registered merchant's newest [`WINDOW`] and
    /// newest [`WINDOW`] paid, and every order open at the cashier.
    pub fn window(&self) -> BTreeSet<usize> {
        let mut window = self.paying.clone();
        window.extend(self.refunding.iter().rev().take(WINDOW));
        for merchant in self.counts.keys() {
            match merchant {
                MerchantId::Registered(_) => {
                    window.extend(self.newest_positions(*merchant, WINDOW));
                    window.extend(self.newest_paid_positions(*merchant, WINDOW));
                }
                demo => window.extend(self.newest_positions(*demo, usize::MAX)),
            }
        }
        window
    }

    /// The positions whose changes a page receives with a save: the
    /// window after it, and `before` (the window before it: an order that
    /// left it by changing is sent as it is now).
    pub fn sent_to_pages(&self, before: &BTreeSet<usize>) -> BTreeSet<usize> {
        let mut sent = self.window();
        sent.extend(before);
        sent
    }

    /// A page holds `order`, read at the server's save `seq`, outside its
    /// window (the cashier's); a save up to `seq` does not overwrite it.
    pub(crate) fn hold(
        &mut self,
        position: usize,
        order: Order,
        seq: u64,
    ) -> Result<(), OrdersError> {
        if !self.windowed {
            return Err(OrdersError::Gap);
        }
        self.put(position, order)?;
        self.held.insert(position, seq);
        Ok(())
    }

    /// The orders a page asked for, outside its window.
    pub fn held_positions(&self) -> impl Iterator<Item = usize> + '_ {
        self.held.keys().copied()
    }

    /// Whether a save `seq` is older than what this copy holds of the order
    /// at `position` (one asked for since).
    pub(crate) fn newer_than(&self, position: usize, seq: u64) -> bool {
        self.held.get(&position).is_some_and(|at| seq <= *at)
    }

    /// A page's copy drops what left the window, keeping what it asked for;
    /// a server's whole books are never trimmed.
    pub(crate) fn trim(&mut self) {
        if !self.windowed || self.list.len() <= 2 * self.window_size() + self.held.len() {
            return;
        }
        let window = self.window();
        let gone: Vec<usize> = self
            .list
            .keys()
            .filter(|p| !window.contains(p) && !self.held.contains_key(p))
            .copied()
            .collect();
        for position in gone {
            if let Some(order) = self.list.remove(&position) {
                let keys = Keys::of(&order);
                self.index(position, order.merchant, &keys, false);
                self.by_number.remove(&(order.merchant, order.out_trade_no));
                self.by_merchant.remove(&(order.merchant, position));
            }
        }
    }

    /// The most a window holds without orders of demo stores and the
    /// cashier's (the point from which a page trims).
    fn window_size(&self) -> usize {
        let registered = self
            .counts
            .keys()
            .filter(|m| matches!(m, MerchantId::Registered(_)))
            .count();
        2 * WINDOW * registered.max(1)
    }

    /// Positions of open orders whose time ran out by `now`, of `merchant`
    /// (or of every merchant).
    pub fn expired(&self, now: Timestamp, merchant: Option<MerchantId>) -> Vec<usize> {
        self.open
            .range(..=(now, usize::MAX))
            .map(|(_, p)| *p)
            .filter(|p| merchant.is_none_or(|m| self.get(*p).is_some_and(|o| o.merchant == m)))
            .collect()
    }

    /// Orders whose payment notification is due at `now`, the first one
    /// held back by `delay`; oldest payment first.
    pub fn notices_due(&self, now: Timestamp, delay: Duration) -> Vec<usize> {
        let first_by = Timestamp::from_millis(
            now.as_millis()
                .saturating_sub(i64::try_from(delay.as_millis()).unwrap_or(i64::MAX)),
        );
        let mut due: Vec<usize> = self
            .first_notice
            .range(..=(first_by, usize::MAX))
            .chain(self.next_notice.range(..=(now, usize::MAX)))
            .map(|(_, p)| *p)
            .collect();
        let paid_at = |p: &usize| {
            self.get(*p)
                .and_then(|o| o.paid.as_ref())
                .map(|paid| paid.at)
        };
        due.sort_by_key(|p| (paid_at(p), *p));
        due
    }

    /// Orders with a `PROCESSING` refund that reaches the payer by `now`,
    /// the soonest first.
    pub fn refunds_settling(&self, now: Timestamp) -> Vec<usize> {
        let mut seen = BTreeSet::new();
        self.settling
            .range(..=(now, usize::MAX))
            .map(|(_, p)| *p)
            .filter(|p| seen.insert(*p))
            .collect()
    }

    /// When the next `PROCESSING` refund reaches the payer by itself.
    pub fn next_settle_at(&self) -> Option<Timestamp> {
        self.settling.first().map(|(at, _)| *at)
    }

    /// Orders with a refund notification due at `now`, the oldest due first.
    pub fn refund_notices_due(&self, now: Timestamp) -> Vec<usize> {
        let mut seen = BTreeSet::new();
        self.refund_notice
            .range(..=(now, usize::MAX))
            .map(|(_, p)| *p)
            .filter(|p| seen.insert(*p))
            .collect()
    }

    /// Orders with a refund under way, the newest first.
    pub fn refunding(&self) -> impl Iterator<Item = &Order> {
        self.refunding.iter().rev().filter_map(|p| self.get(*p))
    }

    /// When the next notification falls due (the first held back by `delay`).
    pub fn next_notice_at(&self, delay: Duration) -> Option<Timestamp> {
        let first = self.first_notice.first().map(|(at, _)| at.plus(delay));
        let next = self.next_notice.first().map(|(at, _)| *at);
        let refund = self.refund_notice.first().map(|(at, _)| *at);
        first.into_iter().chain(next).chain(refund).min()
    }

    /// The positions changed since this was last called (a save writes
    /// these), forgetting them.
    pub fn take_changed(&mut self) -> BTreeSet<usize> {
        std::mem::take(&mut self.changed)
    }

    /// Whether any order changed since [`Orders::take_changed`].
    pub fn has_changed(&self) -> bool {
        !self.changed.is_empty()
    }

    /// The positions changed and not yet saved.
    pub fn changed(&self) -> &BTreeSet<usize> {
        &self.changed
    }

    /// `saved` were written: they are no longer changed (an order changed
    /// again since stays so).
    pub(crate) fn forget_changed(&mut self, saved: &BTreeSet<usize>) {
        if saved.len() == self.changed.len() {
            self.changed.clear();
        } else {
            self.changed.retain(|p| !saved.contains(p));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merchant::Mchid;
    use crate::order::prepay_id;
    use crate::order::tests::{order, paid, refund, EXPIRES};
    use crate::payapi::{NotifyAttempt, TradeType, NOTIFY_RETRIES};
    #[test]
    fn the_indexes_follow_every_change() {
        let mut orders = Orders::default();
        let mut jsapi = order("NOTPAY");
        jsapi.out_trade_no = "ORDER0002".to_owned();
        if let Some(api) = jsapi.api.as_mut() {
            api.trade_type = TradeType::Jsapi;
        }
        let merchant = jsapi.merchant;
        assert_eq!(orders.push(order("NOTPAY")), Ok(0));
        assert_eq!(orders.push(jsapi), Ok(1));
        assert_eq!(orders.push(order("NOTPAY")), Err(OrdersError::Repeated));
        assert_eq!(orders.take_changed().len(), 2);
        let prepay = prepay_id(
            Mchid::parse("1900000001").unwrap_or_else(|| unreachable!()),
            "ORDER0002",
        );
        assert_eq!(
            orders
                .by_prepay_id(&prepay)
                .map(|o| o.out_trade_no.as_str()),
            Some("ORDER0002")
        );
        assert_eq!(orders.expired(EXPIRES, Some(merchant)), vec![0, 1]);
        // Paid: out of the open index, into the transaction and notice indexes.
        assert_eq!(orders.apply(0, OrderEvent::Pay(paid())), Ok(()));
        assert!(orders.take_changed().contains(&0));
        assert_eq!(orders.expired(EXPIRES, None), vec![1]);
        assert_eq!(
            orders
                .by_transaction("42000000000000000007")
                .map(|o| o.out_trade_no.as_str()),
            Some("ORDER0001")
        );
        let paid_at = paid().at;
        assert_eq!(orders.notices_due(paid_at, Duration::ZERO), vec![0]);
        assert_eq!(
            orders.notices_due(paid_at, Duration::from_secs(1)),
            Vec::<usize>::new()
        );
        assert_eq!(
            orders.next_notice_at(Duration::from_secs(1)),
            Some(paid_at.plus(Duration::from_secs(1)))
        );
        // Not acknowledged: owed again on WeChat's schedule.
        let attempt = NotifyAttempt {
            at: paid_at,
            status: Some(500),
            answer: String::new(),
        };
        assert_eq!(orders.apply(0, OrderEvent::Notified(attempt)), Ok(()));
        assert_eq!(
            orders.next_notice_at(Duration::ZERO),
            Some(paid_at.plus(NOTIFY_RETRIES[0]))
        );
        assert!(orders.notices_due(paid_at, Duration::ZERO).is_empty());
        assert_eq!(
            orders.notices_due(paid_at.plus(NOTIFY_RETRIES[0]), Duration::ZERO),
            vec![0]
        );
        // Refunded: found by its number.
        assert_eq!(
            orders.apply(0, OrderEvent::Refund(refund("R0000001", 100))),
            Ok(())
        );
        assert!(orders.by_refund(merchant, "R0000001").is_some());
        assert!(orders.by_refund(MerchantId::Cafe, "R0000001").is_none());
        // Nothing moved: nothing to save.
        assert_eq!(orders.apply(1, OrderEvent::Leave), Ok(()));
        assert!(orders.take_changed().iter().all(|p| *p == 0));
        assert_eq!(orders.apply(1, OrderEvent::Expire { now: EXPIRES }), Ok(()));
        assert!(orders.expired(EXPIRES, None).is_empty());
        assert_eq!(
            orders.take_changed().into_iter().collect::<Vec<_>>(),
            vec![1]
        );
        // Rebuilt from the list, the indexes are the same.
        let rebuilt = Orders::from_list(orders.iter().cloned().collect()).unwrap_or_default();
        assert_eq!(
            rebuilt.notices_due(paid_at.plus(NOTIFY_RETRIES[0]), Duration::ZERO),
            vec![0]
        );
        assert!(rebuilt.by_prepay_id(&prepay).is_some());
        assert!(!rebuilt.has_changed());
    }
    fn numbered(merchant: MerchantId, no: usize) -> Order {
        let mut o = order("NOTPAY");
        o.merchant = merchant;
        o.out_trade_no = format!("ORDER{no:05}");
        if !matches!(merchant, MerchantId::Registered(_)) {
            o.api = None;
        }
        o
    }

    fn mchid(text: &str) -> MerchantId {
        MerchantId::Registered(Mchid::parse(text).unwrap_or_else(|| unreachable!()))
    }

    /// A page that starts from a server's window and, after every change,
    /// receives the changed orders in the window, holds exactly the window
    /// and each order as the server has it, however many orders there are.
    #[test]
    fn a_window_follows_the_books_it_is_cut_from() {
        let (a, b) = (mchid("1900000001"), mchid("1900000002"));
        let mut server = Orders::default();
        for i in 0..30 {
            assert!(server.push(numbered(a, i)).is_ok());
        }
        assert!(server.push(numbered(MerchantId::Cafe, 900)).is_ok());
        server.take_changed();
        let cut = |books: &Orders| {
            let held = books
                .window()
                .into_iter()
                .filter_map(|p| books.get(p).map(|o| (p, o.clone())))
                .collect();
            Orders::window_from(held, books.len(), &books.counts())
        };
        let mut page = cut(&server).unwrap_or_default();
        assert!(page.is_window());
        assert_eq!(
            (page.len(), page.held(), page.count(a)),
            (31, WINDOW + 1, 30)
        );
        assert!(page.find(MerchantId::Cafe, "ORDER00900").is_some());
        assert!(
            page.find(a, "ORDER00000").is_none(),
            "an old order is not held"
        );
        let pay = |books: &mut Orders, p: usize, entry: u64| {
            let mut paid = paid();
            paid.entry = entry;
            paid.transaction_id = format!("4200000000000000{entry:04}");
            books.apply(p, OrderEvent::Pay(paid))
        };
        for round in 0..200usize {
            let before = server.window();
            // New orders of two merchants, an old one paid, one opened.
            let mut changed = BTreeSet::new();
            for k in 0..3 {
                let merchant = if k == 2 { b } else { a };
                changed.extend(server.push(numbered(merchant, 1_000 + round * 3 + k)).ok());
            }
            if round % 7 == 0 {
                assert_eq!(pay(&mut server, round, round as u64 + 1), Ok(()));
            }
            if round % 11 == 0 {
                assert_eq!(server.apply(round + 1, OrderEvent::Open), Ok(()));
            }
            changed.extend(server.take_changed());
            let sent = server.sent_to_pages(&before);
            for p in changed.iter().copied().filter(|p| sent.contains(p)) {
                let order = server.get(p).cloned().unwrap_or_else(|| unreachable!());
                assert_eq!(page.put(p, order), Ok(()));
            }
            assert_eq!(page.set_len(server.len()), Ok(()));
            for (merchant, n) in server.counts() {
                page.set_count(merchant, n);
            }
            page.trim();
            // What the page shows is the server's.
            for merchant in [a, b, MerchantId::Cafe] {
                assert_eq!(page.count(merchant), server.count(merchant));
                assert_eq!(
                    page.newest(merchant, WINDOW),
                    server.newest(merchant, WINDOW)
                );
                assert_eq!(
                    page.newest_paid(merchant, WINDOW),
                    server.newest_paid(merchant, WINDOW)
                );
            }
            for p in server.window() {
                assert_eq!(page.get(p), server.get(p), "order {p} in round {round}");
            }
            assert!(
                page.held() <= 2 * (2 * WINDOW * 2) + 4,
                "held {}",
                page.held()
            );
        }
        assert_eq!(server.len(), 631);
    }

    #[test]
    fn whole_books_refuse_a_gap_and_a_window_takes_one() {
        let a = mchid("1900000001");
        let mut whole = Orders::default();
        assert_eq!(whole.put(1, numbered(a, 1)), Err(OrdersError::Gap));
        assert_eq!(whole.put(0, numbered(a, 1)), Ok(()));
        assert_eq!(whole.set_len(5), Err(OrdersError::Gap));
        let mut window = Orders::window_from(Vec::new(), 10, &[(a, 10)]).unwrap_or_default();
        assert_eq!(window.put(3, numbered(a, 3)), Ok(()));
        assert_eq!(window.put(12, numbered(a, 12)), Ok(()));
        assert_eq!(window.len(), 13);
        assert_eq!(window.put(4, numbered(a, 3)), Err(OrdersError::Repeated));
        assert_eq!(
            Orders::window_from(vec![(10, numbered(a, 1))], 10, &[]).map(|_| ()),
            Err(OrdersError::Gap)
        );
    }
}
