//! Moving money (SPEC F2): top up from a card, withdraw to a debit card,
//! transfer to another wallet user, pay a bill; and adding, choosing and
//! removing cards.
//!
//! Every movement goes in two steps, as the screens do. [`State::prepare`]
//! reads the form, checks every rule (amount, card, payee, bill account,
//! single and daily limits, balances) and returns a [`Prepared`] movement for
//! the confirmation screen — changing nothing. [`State::commit`] takes that
//! `Prepared` and an idempotency key, checks the rules again (time passed,
//! other tabs acted) and posts one balanced ledger entry. Committing the same
//! key again returns the first receipt and moves nothing; the same key with
//! different content is refused.

use crate::account::{AccountError, AccountId};
use crate::binding::Binding;
use crate::card::{
    self, Card, CardError, CardId, CardKind, NewCard, CREDIT_LIMIT, DEBIT_OPENING_BALANCE,
};
use crate::error::{Guidance, UserError};
use crate::identity::{to_half_width, IdentityError, LoginId, Phone};
use crate::ledger::{Actor, Biller, Draft, Entry, EntryKind, LedgerAccount, LedgerError, Posting};
use crate::money::{Fen, MoneyError};
use crate::provider::MovementKind;
use crate::sim::{redact, Endpoint};
use crate::state::State;
use crate::time::Timestamp;
use crate::wechat::{WeChatError, WeChatId, QIANBAO_APPID};
use serde::{Deserialize, Serialize};

/// The longest note a transfer may carry, in characters.
pub const MAX_NOTE_CHARS: usize = 30;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum MoveError {
    #[error(transparent)]
    Amount(#[from] MoneyError),
    #[error(transparent)]
    Card(#[from] CardError),
    #[error(transparent)]
    Payee(#[from] IdentityError),
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error("withdrawals go to debit cards only")]
    NotDebit,
    #[error("the bank account behind the card has too little money")]
    CardFunds { available: Fen },
    #[error("the wallet balance is too low")]
    NotEnough { balance: Fen },
    #[error("above the single limit")]
    SingleLimit { kind: MovementKind, max: Fen },
    #[error("above the daily limit")]
    DailyLimit {
        kind: MovementKind,
        max: Fen,
        left: Fen,
    },
    #[error("no wallet account uses this number or address")]
    PayeeNotFound,
    #[error("a transfer cannot go to yourself")]
    PayeeIsSelf,
    #[error("the bill account number is not valid for this biller")]
    BillAccount { biller: Biller },
    #[error("the note is too long")]
    NoteTooLong,
    #[error("this submission was already used for a different movement")]
    KeyReused,
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error("the wallet is not bound to WeChat")]
    NotBound,
    #[error(
        "the wallet is now bound to another WeChat account than the one this was reviewed for"
    )]
    Rebound,
    /// The form no longer makes the movement that was reviewed (only a
    /// forged or corrupted submission gets here: a person's own is
    /// prepared from what they saw).
    #[error("this is no longer the movement that was reviewed")]
    Changed,
    #[error(transparent)]
    Remote(#[from] WeChatError),
    #[error("the wallet's provider does not take cards of this bank")]
    ProviderBank { bank: crate::card::Bank },
    #[error("the wallet's provider does not offer this")]
    NotOffered { feature: crate::provider::Feature },
}

impl UserError for MoveError {
    fn code(&self) -> &'static str {
        match self {
            Self::Amount(e) => e.code(),
            Self::Card(e) => e.code(),
            Self::Payee(e) => e.code(),
            Self::Account(e) => e.code(),
            Self::Ledger(e) => e.code(),
            Self::Remote(e) => e.code(),
            Self::NotBound => "W-BIND-NONE",
            Self::Rebound => "W-BIND-CHANGED",
            Self::Changed => "W-MOVE-CHANGED",
            Self::NotDebit => "W-CARD-NOT-DEBIT",
            Self::CardFunds { .. } => "W-CARD-FUNDS",
            // The wallet's own balance (WeChat Pay's is NOTENOUGH, at the cashier).
            Self::NotEnough { .. } => "W-BALANCE-LOW",
            Self::SingleLimit { .. } => "W-LIMIT-SINGLE",
            Self::DailyLimit { .. } => "W-LIMIT-DAILY",
            Self::PayeeNotFound => "W-PAYEE-UNKNOWN",
            Self::PayeeIsSelf => "W-PAYEE-SELF",
            Self::BillAccount { .. } => "W-BILL-ACCOUNT",
            Self::NoteTooLong => "W-NOTE-LONG",
            Self::KeyReused => "W-KEY-REUSED",
            Self::ProviderBank { .. } => "W-PROVIDER-BANK",
            Self::NotOffered { .. } => "W-PROVIDER-FEATURE",
        }
    }

    fn guidance(&self) -> Guidance {
        match self {
            Self::Amount(e) => e.guidance(),
            Self::Card(e) => e.guidance(),
            Self::Payee(e) => e.guidance(),
            Self::Account(e) => e.guidance(),
            Self::Ledger(e) => e.guidance(),
            Self::Remote(e) => e.guidance(),
            Self::NotBound => Guidance::BindAgain,
            Self::NotDebit | Self::CardFunds { .. } => Guidance::ChooseAnotherCard,
            Self::NotEnough { .. } => Guidance::TopUpOrLess,
            Self::SingleLimit { .. } | Self::DailyLimit { .. } => Guidance::WithinLimits,
            Self::PayeeNotFound
            | Self::PayeeIsSelf
            | Self::BillAccount { .. }
            | Self::NoteTooLong => Guidance::ReenterAndVerify,
            Self::KeyReused | Self::Rebound | Self::Changed => Guidance::StartAgain,
            Self::ProviderBank { .. } | Self::NotOffered { .. } => Guidance::ChooseProvider,
        }
    }
}

/// A movement form, as typed. Each screen fills the fields it has.
#[derive(Debug, Clone, Copy)]
pub enum MovementForm<'a> {
    TopUp {
        card: CardId,
        amount: &'a str,
    },
    Withdraw {
        card: CardId,
        amount: &'a str,
    },
    Transfer {
        payee: &'a str,
        amount: &'a str,
        note: &'a str,
    },
    Bill {
        biller: Biller,
        account: &'a str,
        amount: &'a str,
    },
    /// 「转入微信零钱」 to the bound WeChat account.
    ToWeChat {
        amount: &'a str,
    },
}

/// A movement that passed every check, ready for the confirmation screen.
/// Only [`State::prepare`] makes one, so [`State::commit`] never sees raw input.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Prepared {
    by: AccountId,
    amount: Fen,
    what: What,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
enum What {
    TopUp { card: CardId },
    Withdraw { card: CardId },
    Transfer { to: AccountId, note: String },
    Bill { biller: Biller, account: String },
    ToWeChat { user: WeChatId },
}

/// What the confirmation screen shows about the other side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Counterpart {
    Card {
        bank: card::Bank,
        kind: CardKind,
        last4: String,
    },
    /// A payee, masked: 「*明」 and 「138****8000」.
    Payee {
        name: String,
        login: String,
    },
    Biller {
        biller: Biller,
        account: String,
    },
    /// The bound WeChat account's 零钱.
    WeChat {
        nickname: String,
        masked_wxid: String,
    },
    /// A merchant paid through WeChat Pay (`name`: a registered merchant's).
    Merchant {
        merchant: crate::merchant::MerchantId,
        out_trade_no: String,
        name: Option<String>,
    },
}

impl Prepared {
    pub fn amount(&self) -> Fen {
        self.amount
    }

    pub fn kind(&self) -> MovementKind {
        match self.what {
            What::TopUp { .. } => MovementKind::TopUp,
            What::Withdraw { .. } => MovementKind::Withdraw,
            What::Transfer { .. } => MovementKind::Transfer,
            What::Bill { .. } => MovementKind::Bill,
            What::ToWeChat { .. } => MovementKind::ToWeChat,
        }
    }

    pub fn note(&self) -> &str {
        match &self.what {
            What::Transfer { note, .. } => note,
            _ => "",
        }
    }
}

/// What a committed movement left behind.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Receipt {
    pub entry: u64,
    pub amount: Fen,
    pub balance: Fen,
}

/// A wallet user found by phone or e-mail, for the transfer confirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payee {
    pub id: AccountId,
    pub masked_name: String,
    pub masked_login: String,
}

impl State {
    /// The signed-in account's wallet balance.
    pub fn balance(&self, account: AccountId) -> Fen {
        self.ledger.balance(LedgerAccount::Wallet(account))
    }

    /// The simulated bank balance (or available credit) behind a card.
    pub fn card_funds(&self, card: CardId) -> Fen {
        self.ledger.balance(LedgerAccount::Card(card))
    }

    /// The signed-in account's cards that are not removed, oldest first.
    pub fn cards_of(&self, owner: AccountId) -> impl Iterator<Item = &Card> + '_ {
        self.cards
            .iter()
            .filter(move |c| c.owner() == owner && !c.is_removed())
    }

    /// The cards a movement can use: any card for a top-up, debit cards
    /// only for a withdrawal (the rule `prepare` enforces as `NotDebit`).
    pub fn cards_for(
        &self,
        owner: AccountId,
        kind: MovementKind,
    ) -> impl Iterator<Item = &Card> + '_ {
        self.cards_of(owner)
            .filter(move |c| kind != MovementKind::Withdraw || c.kind() == CardKind::Debit)
    }

    pub fn card(&self, id: CardId) -> Option<&Card> {
        self.cards.iter().find(|c| c.id() == id)
    }

    pub fn default_card(&self, owner: AccountId) -> Option<&Card> {
        self.account(owner)
            .and_then(|a| a.default_card())
            .and_then(|id| self.card(id))
            .filter(|c| !c.is_removed())
            .or_else(|| self.cards_of(owner).next())
    }

    /// 「添加银行卡」: checks the card and opens its simulated bank account.
    pub fn add_card(&mut self, form: NewCard<'_>, now: Timestamp) -> Result<CardId, MoveError> {
        let owner = self.signed_in_id()?;
        let real_name = self
            .account(owner)
            .map(|a| a.real_name().clone())
            .ok_or(AccountError::NotSignedIn)?;
        let checked = card::check(form, &real_name, now)?;
        if !self.provider_of(owner).accepts(checked.bank) {
            return Err(MoveError::ProviderBank { bank: checked.bank });
        }
        if self
            .cards_of(owner)
            .any(|c| c.bank() == checked.bank && c.last4() == checked.last4)
        {
            return Err(CardError::Duplicate.into());
        }
        let id = CardId::new(self.next_card_id);
        let opening = match checked.kind {
            CardKind::Debit => DEBIT_OPENING_BALANCE,
            CardKind::Credit => CREDIT_LIMIT,
        };
        let draft = Draft {
            at: now,
            by: Actor::Wallet(owner),
            key: None,
            kind: EntryKind::CardOpening { card: id },
            postings: vec![
                Posting(LedgerAccount::BankReserve, opening.checked_neg()?),
                Posting(LedgerAccount::Card(id), opening),
            ],
        };
        self.ledger.post(draft)?;
        self.next_card_id = self.next_card_id.saturating_add(1);
        self.cards.push(card::new_card(id, owner, checked, now));
        if self.account(owner).and_then(|a| a.default_card()).is_none() {
            self.set_default_card(id)?;
        }
        Ok(id)
    }

    pub fn set_default_card(&mut self, id: CardId) -> Result<(), MoveError> {
        let owner = self.signed_in_id()?;
        self.own_card(owner, id)?;
        if let Some(account) = self.account_mut(owner) {
            account.set_default_card(Some(id));
        }
        Ok(())
    }

    /// Removes a card from the wallet. Its history stays; if it was the
    /// default, the oldest remaining card becomes the default.
    pub fn remove_card(&mut self, id: CardId) -> Result<(), MoveError> {
        let owner = self.signed_in_id()?;
        self.own_card(owner, id)?;
        if let Some(card) = self.cards.iter_mut().find(|c| c.id() == id) {
            card.remove();
        }
        let was_default = self.account(owner).and_then(|a| a.default_card()) == Some(id);
        if was_default {
            let next = self.cards_of(owner).next().map(Card::id);
            if let Some(account) = self.account_mut(owner) {
                account.set_default_card(next);
            }
        }
        Ok(())
    }

    /// Finds the payee of a transfer by phone or e-mail.
    pub fn find_payee(&self, input: &str) -> Result<Payee, MoveError> {
        let me = self.signed_in_id()?;
        let login = LoginId::parse(input)?;
        let payee = self
            .accounts()
            .iter()
            .find(|a| a.login() == &login)
            .ok_or(MoveError::PayeeNotFound)?;
        if payee.id() == me {
            return Err(MoveError::PayeeIsSelf);
        }
        Ok(Payee {
            id: payee.id(),
            masked_name: payee.real_name().masked(),
            masked_login: payee.login().masked(),
        })
    }

    /// Step one: reads a form and checks every rule; changes nothing.
    pub fn prepare(&self, form: MovementForm<'_>, now: Timestamp) -> Result<Prepared, MoveError> {
        let by = self.signed_in_id()?;
        let (amount, what) = match form {
            MovementForm::TopUp { card, amount } => {
                self.own_card(by, card)?;
                (Fen::parse_positive(amount)?, What::TopUp { card })
            }
            MovementForm::Withdraw { card, amount } => {
                let card_ref = self.own_card(by, card)?;
                if card_ref.kind() != CardKind::Debit {
                    return Err(MoveError::NotDebit);
                }
                (Fen::parse_positive(amount)?, What::Withdraw { card })
            }
            MovementForm::Transfer {
                payee,
                amount,
                note,
            } => {
                let payee = self.find_payee(payee)?;
                let note = note.trim();
                if note.chars().count() > MAX_NOTE_CHARS || note.chars().any(char::is_control) {
                    return Err(MoveError::NoteTooLong);
                }
                let amount = Fen::parse_positive(amount)?;
                (
                    amount,
                    What::Transfer {
                        to: payee.id,
                        note: note.to_owned(),
                    },
                )
            }
            MovementForm::Bill {
                biller,
                account,
                amount,
            } => {
                let feature = crate::provider::Feature::Bills;
                if !self.provider_of(by).offers(feature) {
                    return Err(MoveError::NotOffered { feature });
                }
                let account = bill_account(biller, account)?;
                (Fen::parse_positive(amount)?, What::Bill { biller, account })
            }
            MovementForm::ToWeChat { amount } => {
                let user = self.bound_wechat_user(by)?;
                (Fen::parse_positive(amount)?, What::ToWeChat { user })
            }
        };
        let prepared = Prepared { by, amount, what };
        self.check_rules(&prepared, now)?;
        Ok(prepared)
    }

    /// What the confirmation screen shows as the other side.
    pub fn counterpart(&self, prepared: &Prepared) -> Option<Counterpart> {
        match &prepared.what {
            What::TopUp { card } | What::Withdraw { card } => {
                self.card(*card).map(|c| Counterpart::Card {
                    bank: c.bank(),
                    kind: c.kind(),
                    last4: c.last4().to_owned(),
                })
            }
            What::Transfer { to, .. } => self.account(*to).map(|a| Counterpart::Payee {
                name: a.real_name().masked(),
                login: a.login().masked(),
            }),
            What::Bill { biller, account } => Some(Counterpart::Biller {
                biller: *biller,
                account: account.clone(),
            }),
            What::ToWeChat { user } => self.wechat_counterpart(*user),
        }
    }

    fn wechat_counterpart(&self, user: WeChatId) -> Option<Counterpart> {
        self.wechat.account(user).map(|a| Counterpart::WeChat {
            nickname: a.nickname().to_owned(),
            masked_wxid: a.masked_wxid(),
        })
    }

    /// The WeChat user the wallet account is bound to.
    fn bound_wechat_user(&self, account: AccountId) -> Result<WeChatId, MoveError> {
        match self.binding(account) {
            Binding::Bound(bound) => self
                .wechat
                .user_by_openid(QIANBAO_APPID, &bound.openid)
                .ok_or(MoveError::NotBound),
            _ => Err(MoveError::NotBound),
        }
    }

    /// A WeChat user's 零钱 balance.
    pub fn wechat_change(&self, user: WeChatId) -> Fen {
        self.ledger.balance(LedgerAccount::WeChatChange(user))
    }

    /// The transfer request to WeChat Pay behind 「转入微信零钱」: subject to
    /// fault injection, and refused once the user revoked the wallet.
    fn send_to_change(&mut self, prepared: &Prepared, now: Timestamp) -> Result<(), MoveError> {
        let Binding::Bound(bound) = self.binding(prepared.by) else {
            return Err(MoveError::NotBound);
        };
        // Reviewed for one WeChat account, sent only to that one: a wallet
        // bound to another since (in another tab) moves nothing.
        if let What::ToWeChat { user } = prepared.what {
            if self.wechat.user_by_openid(QIANBAO_APPID, &bound.openid) != Some(user) {
                return Err(MoveError::Rebound);
            }
        }
        let fields = vec![
            ("openid".to_owned(), bound.openid.clone()),
            ("amount".to_owned(), prepared.amount.get().to_string()),
            ("access_token".to_owned(), redact(&bound.openid)),
        ];
        let outcome = match self.sim.take_fault() {
            Some(fault) => Err(fault.into()),
            None if self.wechat.has_live_grant(QIANBAO_APPID, &bound.openid) => Ok(()),
            None => Err(WeChatError::Unauthorized),
        };
        match outcome {
            Ok(()) => {
                let response = vec![
                    ("return_code".to_owned(), "SUCCESS".to_owned()),
                    ("result_code".to_owned(), "SUCCESS".to_owned()),
                ];
                self.sim
                    .record(now, Endpoint::ToChange, fields, response, None);
                Ok(())
            }
            Err(error) => {
                self.sim
                    .record_failure(now, Endpoint::ToChange, fields, &error);
                if error == WeChatError::Unauthorized {
                    self.end_binding_revoked(prepared.by, now);
                }
                Err(error.into())
            }
        }
    }

    /// 「确认」 of what the confirmation screen showed: `form` is prepared
    /// again on the state as it is now and committed only if it is still
    /// the movement `reviewed` (a retry of a committed key returns the
    /// first receipt, as [`State::commit`] does). A movement that no longer
    /// is what was reviewed moves nothing: 「转入微信零钱」 to a WeChat account
    /// the wallet is no longer bound to is `W-BIND-CHANGED`.
    pub fn commit_reviewed(
        &mut self,
        key: &str,
        form: MovementForm<'_>,
        reviewed: &Prepared,
        now: Timestamp,
    ) -> Result<Receipt, MoveError> {
        let by = self.signed_in_id()?;
        if by != reviewed.by {
            return Err(AccountError::NotSignedIn.into());
        }
        if self.ledger.by_key(Actor::Wallet(by), key).is_some() {
            return self.commit(key, reviewed, now);
        }
        let fresh = self.prepare(form, now)?;
        if fresh != *reviewed {
            return Err(match fresh.what {
                What::ToWeChat { .. } => MoveError::Rebound,
                _ => MoveError::Changed,
            });
        }
        self.commit(key, &fresh, now)
    }

    /// Step two: posts the movement, once per idempotency key.
    pub fn commit(
        &mut self,
        key: &str,
        prepared: &Prepared,
        now: Timestamp,
    ) -> Result<Receipt, MoveError> {
        let by = self.signed_in_id()?;
        if by != prepared.by {
            return Err(AccountError::NotSignedIn.into());
        }
        let draft = self.draft(key, prepared, now);
        if let Some(existing) = self.ledger.by_key(Actor::Wallet(by), key) {
            return if existing.kind == draft.kind && existing.postings == draft.postings {
                Ok(self.receipt(existing))
            } else {
                Err(MoveError::KeyReused)
            };
        }
        self.check_rules(prepared, now)?;
        if matches!(prepared.what, What::ToWeChat { .. }) {
            self.send_to_change(prepared, now)?;
        }
        let entry = self.ledger.post(draft)?.clone();
        Ok(self.receipt(&entry))
    }

    fn receipt(&self, entry: &Entry) -> Receipt {
        let moved = entry
            .postings
            .iter()
            .map(|p| p.1.get())
            .filter(|a| *a > 0)
            .sum();
        Receipt {
            entry: entry.id,
            amount: Fen::new(moved),
            balance: entry
                .by
                .wallet()
                .map(|w| self.balance(w))
                .unwrap_or_default(),
        }
    }

    fn draft(&self, key: &str, prepared: &Prepared, now: Timestamp) -> Draft {
        let wallet = LedgerAccount::Wallet(prepared.by);
        let amount = prepared.amount;
        let minus = Fen::new(-amount.get());
        let (kind, postings) = match &prepared.what {
            What::TopUp { card } => (
                EntryKind::TopUp { card: *card },
                vec![
                    Posting(LedgerAccount::Card(*card), minus),
                    Posting(wallet, amount),
                ],
            ),
            What::Withdraw { card } => (
                EntryKind::Withdraw { card: *card },
                vec![
                    Posting(wallet, minus),
                    Posting(LedgerAccount::Card(*card), amount),
                ],
            ),
            What::Transfer { to, note } => (
                EntryKind::Transfer { note: note.clone() },
                vec![
                    Posting(wallet, minus),
                    Posting(LedgerAccount::Wallet(*to), amount),
                ],
            ),
            What::Bill { biller, account } => (
                EntryKind::Bill {
                    biller: *biller,
                    account: account.clone(),
                },
                vec![
                    Posting(wallet, minus),
                    Posting(LedgerAccount::Biller(*biller), amount),
                ],
            ),
            What::ToWeChat { user } => (
                EntryKind::ToWeChat,
                vec![
                    Posting(wallet, minus),
                    Posting(LedgerAccount::WeChatChange(*user), amount),
                ],
            ),
        };
        Draft {
            at: now,
            by: Actor::Wallet(prepared.by),
            key: Some(key.to_owned()),
            kind,
            postings,
        }
    }

    /// The rules that depend on the moment: card still there, limits, funds.
    fn check_rules(&self, prepared: &Prepared, now: Timestamp) -> Result<(), MoveError> {
        let kind = prepared.kind();
        let limit = self.provider_of(prepared.by).policy.limit(kind);
        let amount = prepared.amount;
        if amount > limit.single {
            return Err(MoveError::SingleLimit {
                kind,
                max: limit.single,
            });
        }
        let used = self
            .ledger
            .used_on_day(Actor::Wallet(prepared.by), kind, now);
        let left = limit.daily.checked_sub(used)?;
        if amount > left {
            return Err(MoveError::DailyLimit {
                kind,
                max: limit.daily,
                left: left.max(Fen::ZERO),
            });
        }
        match &prepared.what {
            What::TopUp { card } => {
                self.own_card(prepared.by, *card)?;
                let available = self.card_funds(*card);
                if amount > available {
                    return Err(MoveError::CardFunds { available });
                }
            }
            What::Withdraw { card } => {
                self.own_card(prepared.by, *card)?;
            }
            What::Transfer { to, .. } => {
                if self.account(*to).is_none() {
                    return Err(MoveError::PayeeNotFound);
                }
            }
            What::Bill { .. } => {}
            What::ToWeChat { .. } => {
                self.bound_wechat_user(prepared.by)?;
            }
        }
        if !matches!(prepared.what, What::TopUp { .. }) {
            let balance = self.balance(prepared.by);
            if amount > balance {
                return Err(MoveError::NotEnough { balance });
            }
        }
        Ok(())
    }

    fn own_card(&self, owner: AccountId, id: CardId) -> Result<&Card, MoveError> {
        self.card(id)
            .filter(|c| c.owner() == owner && !c.is_removed())
            .ok_or(MoveError::Card(CardError::NotFound))
    }
}

/// Checks a bill account number: a 10-digit State Grid 户号 for electricity,
/// an 8–10-digit water account, a mainland mobile number for 话费.
pub fn bill_account(biller: Biller, input: &str) -> Result<String, MoveError> {
    let compact: String = to_half_width(input)
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    let digits_only = !compact.is_empty() && compact.bytes().all(|b| b.is_ascii_digit());
    let ok = match biller {
        Biller::Electricity => digits_only && compact.len() == 10,
        Biller::Water => digits_only && (8..=10).contains(&compact.len()),
        Biller::Mobile => {
            return Phone::parse(input)
                .map(|p| p.as_str().to_owned())
                .map_err(|_| MoveError::BillAccount { biller })
        }
    };
    if ok {
        Ok(compact)
    } else {
        Err(MoveError::BillAccount { biller })
    }
}

/// How an entry reads in one wallet's history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HistoryKind {
    TopUp,
    Withdraw,
    TransferOut,
    TransferIn,
    Bill,
    ToWeChat,
    Payment,
    Refund,
    SavingsIn,
    SavingsOut,
}

impl HistoryKind {
    pub const ALL: [HistoryKind; 10] = [
        Self::Payment,
        Self::Refund,
        Self::ToWeChat,
        Self::TopUp,
        Self::Withdraw,
        Self::TransferOut,
        Self::TransferIn,
        Self::Bill,
        Self::SavingsIn,
        Self::SavingsOut,
    ];

    pub fn of(entry: &Entry, wallet: AccountId) -> Option<HistoryKind> {
        match entry.kind {
            EntryKind::CardOpening { .. } => None,
            EntryKind::TopUp { .. } => Some(HistoryKind::TopUp),
            EntryKind::Withdraw { .. } => Some(HistoryKind::Withdraw),
            EntryKind::Transfer { .. } if entry.by == Actor::Wallet(wallet) => {
                Some(HistoryKind::TransferOut)
            }
            EntryKind::Transfer { .. } => Some(HistoryKind::TransferIn),
            EntryKind::Bill { .. } => Some(HistoryKind::Bill),
            EntryKind::ToWeChat => Some(HistoryKind::ToWeChat),
            EntryKind::Payment { .. } => Some(HistoryKind::Payment),
            EntryKind::Refund { .. } => Some(HistoryKind::Refund),
            EntryKind::SavingsIn => Some(HistoryKind::SavingsIn),
            EntryKind::SavingsOut => Some(HistoryKind::SavingsOut),
            // (Neither touches a wallet: the merchant's side of a refund.)
            EntryKind::Interest { .. }
            | EntryKind::RefundAccepted { .. }
            | EntryKind::RefundClosed { .. }
            | EntryKind::TestFunds => None,
        }
    }
}

/// A filter on the history screen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HistoryFilter {
    pub kind: Option<HistoryKind>,
    /// CST (year, month).
    pub month: Option<(i64, u32)>,
}

/// One line of a wallet's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryLine<'a> {
    pub entry: &'a Entry,
    pub kind: HistoryKind,
    /// Signed, from this wallet's side.
    pub amount: Fen,
}

impl State {
    /// A wallet's history, newest first, filtered.
    pub fn history(
        &self,
        wallet: AccountId,
        filter: HistoryFilter,
    ) -> impl Iterator<Item = HistoryLine<'_>> + '_ {
        self.ledger
            .for_wallet(wallet)
            .rev()
            .filter_map(move |entry| {
                let kind = HistoryKind::of(entry, wallet)?;
                let keep = filter.kind.is_none_or(|k| k == kind)
                    && filter.month.is_none_or(|m| m == entry.year_month());
                keep.then(|| HistoryLine {
                    entry,
                    kind,
                    amount: entry.net_for(LedgerAccount::Wallet(wallet)),
                })
            })
    }

    /// The CST months in which a wallet has history, newest first.
    pub fn history_months(&self, wallet: AccountId) -> Vec<(i64, u32)> {
        let mut months: Vec<(i64, u32)> = self
            .ledger
            .for_wallet(wallet)
            .rev()
            .map(Entry::year_month)
            .collect();
        months.dedup();
        months.sort_unstable_by(|a, b| b.cmp(a));
        months.dedup();
        months
    }

    /// The other side of a history entry, as `wallet` sees it.
    pub fn counterpart_of(&self, entry: &Entry, wallet: AccountId) -> Option<Counterpart> {
        let card = |id: CardId| {
            self.card(id).map(|c| Counterpart::Card {
                bank: c.bank(),
                kind: c.kind(),
                last4: c.last4().to_owned(),
            })
        };
        match &entry.kind {
            EntryKind::CardOpening { card: id }
            | EntryKind::TopUp { card: id }
            | EntryKind::Withdraw { card: id } => card(*id),
            EntryKind::Transfer { .. } => {
                let other = entry.postings.iter().find_map(|p| match p.0 {
                    LedgerAccount::Wallet(id) if id != wallet => Some(id),
                    _ => None,
                })?;
                self.account(other).map(|a| Counterpart::Payee {
                    name: a.real_name().masked(),
                    login: a.login().masked(),
                })
            }
            EntryKind::Bill { biller, account } => Some(Counterpart::Biller {
                biller: *biller,
                account: account.clone(),
            }),
            EntryKind::ToWeChat => entry.postings.iter().find_map(|p| match p.0 {
                LedgerAccount::WeChatChange(user) => self.wechat_counterpart(user),
                _ => None,
            }),
            EntryKind::Payment {
                merchant,
                out_trade_no,
            }
            | EntryKind::Refund {
                merchant,
                out_trade_no,
                ..
            } => Some(Counterpart::Merchant {
                merchant: *merchant,
                out_trade_no: out_trade_no.clone(),
                name: match merchant {
                    crate::merchant::MerchantId::Registered(mchid) => {
                        self.registered_merchant(*mchid).map(|m| m.name.clone())
                    }
                    _ => None,
                },
            }),
            EntryKind::SavingsIn
            | EntryKind::SavingsOut
            | EntryKind::Interest { .. }
            | EntryKind::RefundAccepted { .. }
            | EntryKind::RefundClosed { .. }
            | EntryKind::TestFunds => None,
        }
    }

    /// One entry, if it touches `wallet` (the detail screen).
    pub fn history_entry(&self, wallet: AccountId, id: u64) -> Option<HistoryLine<'_>> {
        let entry = self.ledger.entry(id)?;
        let kind = HistoryKind::of(entry, wallet)?;
        let amount = entry.net_for(LedgerAccount::Wallet(wallet));
        (amount != Fen::ZERO || entry.by == Actor::Wallet(wallet)).then_some(HistoryLine {
            entry,
            kind,
            amount,
        })
    }
}
