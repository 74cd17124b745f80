//! Personal finance (SPEC F8, the article's 一、多功能性: 记账、理财).
//!
//! # 记账 (bookkeeping)
//! Every spending entry of a wallet gets a [`Spend`] category: from the
//! merchant for purchases, from the biller for bills, 转账 for transfers out.
//! The owner may change it ([`State::set_category`]); the ledger itself is
//! never rewritten — a change is kept beside it. A refund counts against the
//! category its payment has. Cash spent outside the wallet can be written
//! down by hand ([`State::add_cash`]). [`State::month_summary`] adds up a CST
//! month by category; its wallet total equals, to the fen, what the ledger's
//! spending entries took from the wallet that month.
//!
//! # 理财 (savings)
//! A provider that offers 理财 publishes an annual rate (`wealth_rate_bp`).
//! Money moves wallet ⇄ savings through the ledger (idempotent per key).
//! Interest accrues per CST day on the balance held at the day's end:
//! `floor(balance × rate_bp / 3 650 000)` fen (rate in basis points over a
//! 365-day year, rounded down to the fen), credited from the provider's
//! interest pool at 00:00 of the next day as its own ledger entry, so it
//! compounds daily. Interest is brought up to date before every savings
//! movement and whenever the savings screen is opened, so the balance is
//! constant between two accruals and each day is credited exactly once
//! (its idempotency key is the day).

use crate::account::{AccountError, AccountId};
use crate::error::{Guidance, UserError};
use crate::ledger::Biller;
use crate::ledger::{Actor, Draft, Entry, EntryKind, LedgerAccount, LedgerError, Posting};
use crate::merchant::{Category, MerchantId};
use crate::money::{Fen, MoneyError};
use crate::provider::Feature;
use crate::state::State;
use crate::time::{day_cst, start_of_day_cst, year_month_cst, Timestamp};
use serde::{Deserialize, Serialize};

/// The longest note a cash entry may carry, in characters.
pub const MAX_CASH_NOTE_CHARS: usize = 30;
/// Cash entries kept per account.
pub const MAX_CASH_ENTRIES: usize = 1_000;
/// Days of interest credited in one go at most (a clock moved years ahead
/// is brought up to date over several openings).
pub const MAX_ACCRUAL_DAYS: i64 = 3_660;

/// Why 记账 or 理财 refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum FinanceError {
    #[error(transparent)]
    Amount(#[from] MoneyError),
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error("the entry is not spending of this wallet")]
    NotSpending,
    #[error("a note has at most {MAX_CASH_NOTE_CHARS} characters")]
    NoteTooLong,
    #[error("the cash book holds at most {MAX_CASH_ENTRIES} entries")]
    BookFull,
    #[error("the wallet's provider does not offer 理财")]
    NotOffered,
    #[error("this submission was already used for another transaction")]
    KeyReused,
    #[error("not enough in the wallet ({balance})")]
    WalletLow { balance: Fen },
    #[error("not enough in savings ({balance})")]
    SavingsLow { balance: Fen },
}

impl UserError for FinanceError {
    fn code(&self) -> &'static str {
        match self {
            Self::Amount(e) => e.code(),
            Self::Account(e) => e.code(),
            Self::Ledger(e) => e.code(),
            Self::NotSpending => "W-BOOK-ENTRY",
            Self::NoteTooLong => "W-NOTE-LONG",
            Self::BookFull => "W-BOOK-FULL",
            Self::NotOffered => "W-PROVIDER-FEATURE",
            Self::KeyReused => "W-KEY-REUSED",
            Self::WalletLow { .. } => "W-BALANCE-LOW",
            Self::SavingsLow { .. } => "W-SAVINGS-LOW",
        }
    }

    fn guidance(&self) -> Guidance {
        match self {
            Self::Amount(e) => e.guidance(),
            Self::Account(e) => e.guidance(),
            Self::Ledger(e) => e.guidance(),
            // Only a stale page offers this: it is up to date now.
            Self::NotSpending => Guidance::TryAgain,
            Self::NoteTooLong => Guidance::ReenterAndVerify,
            // The book's own cap, not the browser's storage.
            Self::BookFull => Guidance::RemoveOldEntries,
            Self::NotOffered => Guidance::ChooseProvider,
            Self::KeyReused => Guidance::StartAgain,
            Self::WalletLow { .. } => Guidance::TopUpOrLess,
            // Topping up the wallet does not fill savings: move less.
            Self::SavingsLow { .. } => Guidance::SmallerAmount,
        }
    }
}

/// What money was spent on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Spend {
    Food,
    Books,
    Electronics,
    Utilities,
    Telecom,
    Transfers,
    Transport,
    Shopping,
    Other,
}

impl Spend {
    pub const ALL: [Spend; 9] = [
        Self::Food,
        Self::Books,
        Self::Electronics,
        Self::Utilities,
        Self::Telecom,
        Self::Transfers,
        Self::Transport,
        Self::Shopping,
        Self::Other,
    ];
}

/// A cash expense written down by hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CashEntry {
    pub id: u32,
    pub at: Timestamp,
    pub amount: Fen,
    pub category: Spend,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// One account's bookkeeping beside the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Book {
    pub owner: AccountId,
    /// Categories changed by the owner: (entry id, category).
    #[serde(default)]
    pub overrides: Vec<(u64, Spend)>,
    #[serde(default)]
    pub cash: Vec<CashEntry>,
    #[serde(default)]
    pub next_cash_id: u32,
}

/// A month by category.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MonthSummary {
    /// Each category with spending, largest first (refunds already taken off).
    pub by_category: Vec<(Spend, Fen)>,
    /// What the wallet's spending entries took from the wallet, net of refunds.
    pub wallet: Fen,
    /// Cash written down by hand.
    pub cash: Fen,
    pub total: Fen,
}

/// A savings account as the 理财 screen shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SavingsView {
    pub balance: Fen,
    /// All interest credited so far.
    pub earned: Fen,
    /// Interest of the last credited day.
    pub last_day: Fen,
    pub rate_bp: u32,
}

/// What paying a merchant counts as: a demo store's category, or 购物 for
/// a merchant registered with the sandbox server.
fn merchant_spend(merchant: MerchantId) -> Spend {
    match merchant.demo().map(|m| m.category) {
        Some(Category::Food) => Spend::Food,
        Some(Category::Books) => Spend::Books,
        Some(Category::Electronics) => Spend::Electronics,
        None => Spend::Shopping,
    }
}

/// One day's interest on `balance` at `rate_bp`: rounded down to the fen.
pub fn daily_interest(balance: Fen, rate_bp: u32) -> Fen {
    let fen = i128::from(balance.get().max(0)) * i128::from(rate_bp) / 3_650_000;
    Fen::new(i64::try_from(fen).unwrap_or(i64::MAX))
}

impl State {
    fn book(&self, owner: AccountId) -> Option<&Book> {
        self.books.iter().find(|b| b.owner == owner)
    }

    fn book_mut(&mut self, owner: AccountId) -> &mut Book {
        if let Some(i) = self.books.iter().position(|b| b.owner == owner) {
            &mut self.books[i]
        } else {
            self.books.push(Book {
                owner,
                overrides: Vec::new(),
                cash: Vec::new(),
                next_cash_id: 0,
            });
            let last = self.books.len() - 1;
            &mut self.books[last]
        }
    }

    /// The category an entry was given when it happened, if it is spending.
    fn default_spend(&self, entry: &Entry, wallet: AccountId) -> Option<Spend> {
        match &entry.kind {
            EntryKind::Payment { merchant, .. } => Some(merchant_spend(*merchant)),
            EntryKind::Bill { biller, .. } => Some(match biller {
                Biller::Mobile => Spend::Telecom,
                Biller::Electricity | Biller::Water => Spend::Utilities,
            }),
            EntryKind::Transfer { .. } if entry.by == Actor::Wallet(wallet) => {
                Some(Spend::Transfers)
            }
            EntryKind::Refund {
                merchant,
                out_trade_no,
                ..
            } => {
                // A refund counts against its payment's category.
                let payment = self.ledger.for_wallet(wallet).find(|e| {
                    matches!(&e.kind, EntryKind::Payment { merchant: m, out_trade_no: n } if m == merchant && n == out_trade_no)
                });
                match payment {
                    Some(payment) => self.category_of(payment, wallet),
                    None => Some(merchant_spend(*merchant)),
                }
            }
            _ => None,
        }
    }

    /// An entry's category for `wallet`'s books (the owner's choice first),
    /// or `None` if it is not spending (top-ups, transfers in, 理财, …).
    pub fn category_of(&self, entry: &Entry, wallet: AccountId) -> Option<Spend> {
        let default = self.default_spend(entry, wallet)?;
        let chosen = self
            .book(wallet)
            .and_then(|b| b.overrides.iter().find(|(id, _)| *id == entry.id))
            .map(|(_, spend)| *spend);
        Some(chosen.unwrap_or(default))
    }

    /// Whether 「修改分类」 may change `entry`'s category in `wallet`'s
    /// books: spending the wallet did itself (a payment, a bill, a transfer
    /// out). A refund follows the category of the payment it undoes.
    pub fn can_set_category(&self, entry: &Entry, wallet: AccountId) -> bool {
        entry.net_for(LedgerAccount::Wallet(wallet)) != Fen::ZERO
            && matches!(
                entry.kind,
                EntryKind::Payment { .. } | EntryKind::Bill { .. } | EntryKind::Transfer { .. }
            )
            && self.default_spend(entry, wallet).is_some()
    }

    /// 「修改分类」 of one of the signed-in wallet's spending entries.
    pub fn set_category(&mut self, entry_id: u64, spend: Spend) -> Result<(), FinanceError> {
        let wallet = self.signed_in_id()?;
        let editable = self
            .ledger
            .entry(entry_id)
            .is_some_and(|entry| self.can_set_category(entry, wallet));
        if !editable {
            return Err(FinanceError::NotSpending);
        }
        let book = self.book_mut(wallet);
        book.overrides.retain(|(id, _)| *id != entry_id);
        book.overrides.push((entry_id, spend));
        Ok(())
    }

    /// 「记一笔」: cash spent outside the wallet.
    pub fn add_cash(
        &mut self,
        amount: &str,
        spend: Spend,
        note: &str,
        now: Timestamp,
    ) -> Result<u32, FinanceError> {
        let wallet = self.signed_in_id()?;
        let amount = Fen::parse_positive(amount)?;
        let note = note.trim();
        if note.chars().count() > MAX_CASH_NOTE_CHARS {
            return Err(FinanceError::NoteTooLong);
        }
        let book = self.book_mut(wallet);
        if book.cash.len() >= MAX_CASH_ENTRIES {
            return Err(FinanceError::BookFull);
        }
        book.next_cash_id = book.next_cash_id.saturating_add(1);
        let id = book.next_cash_id;
        book.cash.push(CashEntry {
            id,
            at: now,
            amount,
            category: spend,
            note: note.to_owned(),
        });
        Ok(id)
    }

    /// Removes a cash entry of the signed-in wallet.
    pub fn remove_cash(&mut self, id: u32) -> Result<(), FinanceError> {
        let wallet = self.signed_in_id()?;
        let book = self.book_mut(wallet);
        let before = book.cash.len();
        book.cash.retain(|c| c.id != id);
        if book.cash.len() == before {
            return Err(FinanceError::NotSpending);
        }
        Ok(())
    }

    /// A wallet's cash entries in a CST month, newest first.
    pub fn cash_entries(&self, wallet: AccountId, month: (i64, u32)) -> Vec<&CashEntry> {
        let mut entries: Vec<&CashEntry> = self
            .book(wallet)
            .map(|b| {
                b.cash
                    .iter()
                    .filter(|c| year_month_cst(c.at) == month)
                    .collect()
            })
            .unwrap_or_default();
        entries.reverse();
        entries
    }

    /// A wallet's spending in a CST month, by category.
    pub fn month_summary(
        &self,
        wallet: AccountId,
        month: (i64, u32),
    ) -> Result<MonthSummary, MoneyError> {
        let mut totals: Vec<(Spend, Fen)> = Vec::new();
        let mut add = |spend: Spend, amount: Fen| -> Result<(), MoneyError> {
            match totals.iter_mut().find(|(s, _)| *s == spend) {
                Some((_, total)) => *total = total.checked_add(amount)?,
                None => totals.push((spend, amount)),
            }
            Ok(())
        };
        let mut wallet_total = Fen::ZERO;
        for entry in self
            .ledger
            .for_wallet(wallet)
            .filter(|e| e.year_month() == month)
        {
            if let Some(spend) = self.category_of(entry, wallet) {
                // Spending takes from the wallet (negative net); a refund gives back.
                let spent = entry.net_for(LedgerAccount::Wallet(wallet)).checked_neg()?;
                add(spend, spent)?;
                wallet_total = wallet_total.checked_add(spent)?;
            }
        }
        let mut cash_total = Fen::ZERO;
        for cash in self.cash_entries(wallet, month) {
            add(cash.category, cash.amount)?;
            cash_total = cash_total.checked_add(cash.amount)?;
        }
        totals.retain(|(_, amount)| *amount != Fen::ZERO);
        totals.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        Ok(MonthSummary {
            by_category: totals,
            wallet: wallet_total,
            cash: cash_total,
            total: wallet_total.checked_add(cash_total)?,
        })
    }

    // ── 理财 ──────────────────────────────────────────────────────────────

    fn savings_rate(&self, wallet: AccountId) -> Result<u32, FinanceError> {
        let provider = self.provider_of(wallet);
        if !provider.offers(Feature::Wealth) {
            return Err(FinanceError::NotOffered);
        }
        Ok(provider.wealth_rate_bp)
    }

    /// The first CST day whose interest is not yet credited, if the account
    /// has ever saved.
    pub fn savings_next_day(&self, wallet: AccountId) -> Option<i64> {
        self.savings
            .iter()
            .find(|(id, _)| *id == wallet)
            .map(|(_, day)| *day)
    }

    /// Credits the interest of every whole CST day up to `now`; returns what
    /// was credited.
    pub fn accrue_interest(
        &mut self,
        wallet: AccountId,
        now: Timestamp,
    ) -> Result<Fen, FinanceError> {
        let rate = self.savings_rate(wallet)?;
        let Some(mut day) = self.savings_next_day(wallet) else {
            return Ok(Fen::ZERO);
        };
        let today = day_cst(now);
        let until = today.min(day.saturating_add(MAX_ACCRUAL_DAYS));
        let mut credited = Fen::ZERO;
        while day < until {
            let interest =
                daily_interest(self.ledger.balance(LedgerAccount::Savings(wallet)), rate);
            if interest > Fen::ZERO {
                let draft = Draft {
                    at: start_of_day_cst(day + 1),
                    by: Actor::Wallet(wallet),
                    key: Some(format!("interest:{day}")),
                    kind: EntryKind::Interest { day },
                    postings: vec![
                        Posting(LedgerAccount::InterestPool, interest.checked_neg()?),
                        Posting(LedgerAccount::Savings(wallet), interest),
                    ],
                };
                self.ledger.post(draft)?;
                credited = credited.checked_add(interest)?;
            }
            day += 1;
        }
        if let Some(slot) = self.savings.iter_mut().find(|(id, _)| *id == wallet) {
            slot.1 = day;
        }
        Ok(credited)
    }

    /// Interest up to `now`, all of it: a clock moved centuries ahead takes
    /// several rounds of [`MAX_ACCRUAL_DAYS`].
    fn accrue_all(&mut self, wallet: AccountId, now: Timestamp) -> Result<(), FinanceError> {
        for _ in 0..100 {
            self.accrue_interest(wallet, now)?;
            if self
                .savings_next_day(wallet)
                .is_none_or(|day| day >= day_cst(now))
            {
                break;
            }
        }
        Ok(())
    }

    /// 「转入理财」 (`into = true`) or 「转出理财」 for the signed-in wallet,
    /// once per `key`: interest is brought up to date first.
    pub fn move_savings(
        &mut self,
        key: &str,
        amount: &str,
        into: bool,
        now: Timestamp,
    ) -> Result<Fen, FinanceError> {
        let wallet = self.signed_in_id()?;
        self.savings_rate(wallet)?;
        let amount = Fen::parse_positive(amount)?;
        let actor = Actor::Wallet(wallet);
        let kind = if into {
            EntryKind::SavingsIn
        } else {
            EntryKind::SavingsOut
        };
        if let Some(done) = self.ledger.by_key(actor, key) {
            // A retry of the same submission: the first result stands.
            return if done.kind == kind
                && done.net_for(LedgerAccount::Savings(wallet)).get().abs() == amount.get()
            {
                Ok(self.ledger.balance(LedgerAccount::Savings(wallet)))
            } else {
                Err(FinanceError::KeyReused)
            };
        }
        // Undone if the movement is refused: the interest accrued first
        // and the savings account opened for it.
        let (journal_len, savings) = (self.ledger.len(), self.savings.clone());
        if self.savings_next_day(wallet).is_none() {
            self.savings.push((wallet, day_cst(now)));
        }
        let result = self.accrue_all(wallet, now).and_then(|()| {
            let (from, to) = if into {
                (
                    LedgerAccount::Wallet(wallet),
                    LedgerAccount::Savings(wallet),
                )
            } else {
                (
                    LedgerAccount::Savings(wallet),
                    LedgerAccount::Wallet(wallet),
                )
            };
            let available = self.ledger.balance(from);
            if available < amount {
                return Err(if into {
                    FinanceError::WalletLow { balance: available }
                } else {
                    FinanceError::SavingsLow { balance: available }
                });
            }
            self.ledger.post(Draft {
                at: now,
                by: actor,
                key: Some(key.to_owned()),
                kind,
                postings: vec![Posting(from, amount.checked_neg()?), Posting(to, amount)],
            })?;
            Ok(self.ledger.balance(LedgerAccount::Savings(wallet)))
        });
        if result.is_err() {
            self.ledger.truncate(journal_len);
            self.savings = savings;
        }
        result
    }

    /// The 理财 screen's figures.
    pub fn savings_view(&self, wallet: AccountId) -> SavingsView {
        let mut earned = Fen::ZERO;
        let mut last_day = Fen::ZERO;
        // Interest entries touch only the savings account: scan for them.
        for entry in self.ledger.entries() {
            if let EntryKind::Interest { .. } = entry.kind {
                let amount = entry.net_for(LedgerAccount::Savings(wallet));
                if amount != Fen::ZERO {
                    earned = earned.checked_add(amount).unwrap_or(earned);
                    last_day = amount;
                }
            }
        }
        SavingsView {
            balance: self.ledger.balance(LedgerAccount::Savings(wallet)),
            earned,
            last_day,
            rate_bp: self.provider_of(wallet).wealth_rate_bp,
        }
    }
}
