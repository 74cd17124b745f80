//! The wallet's commands: accounts, sessions and two-step login; cards and
//! the movements of money; the books and savings.

use super::{Ctx, Request, Typed};
use crate::account::{AccountError, AccountId, CodeSent, Registration};
use crate::card::{CardId, NewCard};
use crate::demo::{Demo, DemoError};
use crate::finance::{FinanceError, Spend};
use crate::ledger::Biller;
use crate::money::Fen;
use crate::movement::{MoveError, MovementForm, Prepared, Receipt};
use crate::provider::ProviderId;
use crate::session::IdleLock;
use crate::state::State;
use crate::time::Timestamp;
use crate::totp::{SecondFactor, Secret};
use serde::{Deserialize, Serialize};

/// 「获取验证码」 on the registration form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendRegisterCode {
    pub login: String,
}

impl Request for SendRegisterCode {
    type Output = CodeSent;
    type Error = AccountError;
    fn apply(&self, state: &mut State, ctx: &mut Ctx<'_>) -> Result<CodeSent, AccountError> {
        state.send_register_code(&self.login, ctx.now, &mut ctx.rng)
    }
}

/// 「注册」.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Register {
    pub login: String,
    pub real_name: String,
    pub password: Typed,
    pub code: Typed,
    pub provider: ProviderId,
}

impl Request for Register {
    type Output = AccountId;
    type Error = AccountError;
    fn apply(&self, state: &mut State, ctx: &mut Ctx<'_>) -> Result<AccountId, AccountError> {
        let form = Registration {
            login: &self.login,
            real_name: &self.real_name,
            password: self.password.as_str(),
            code: self.code.as_str(),
            provider: self.provider,
        };
        state.register(form, ctx.now, &mut ctx.rng, ctx.hasher)
    }
}

/// 「登录」.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogIn {
    pub login: String,
    pub password: Typed,
}

impl Request for LogIn {
    type Output = AccountId;
    type Error = AccountError;
    fn apply(&self, state: &mut State, ctx: &mut Ctx<'_>) -> Result<AccountId, AccountError> {
        state.log_in(&self.login, self.password.as_str(), ctx.now)
    }
}

/// The second step of a two-step login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnterLoginCode {
    pub code: Typed,
}

impl Request for EnterLoginCode {
    type Output = SecondFactor;
    type Error = AccountError;
    fn apply(&self, state: &mut State, ctx: &mut Ctx<'_>) -> Result<SecondFactor, AccountError> {
        state.enter_login_code(self.code.as_str(), ctx.now, ctx.wall)
    }
}

/// 「一键创建演示账户」.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateDemo {}

impl Request for CreateDemo {
    type Output = Demo;
    type Error = DemoError;
    fn apply(&self, state: &mut State, ctx: &mut Ctx<'_>) -> Result<Demo, DemoError> {
        state.create_demo(ctx.now, &mut ctx.rng, ctx.hasher)
    }
}

/// The lock screen's 「解锁」.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unlock {
    pub password: Typed,
}

impl Request for Unlock {
    type Output = ();
    type Error = AccountError;
    fn apply(&self, state: &mut State, ctx: &mut Ctx<'_>) -> Result<(), AccountError> {
        state.unlock(self.password.as_str(), ctx.now)
    }
}

/// After the stored data was unlocked with `account`'s password: that
/// account's session resumes (see [`State::resume_after_unlock`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResumeAfterUnlock {
    pub account: AccountId,
    pub password: Typed,
}

impl Request for ResumeAfterUnlock {
    type Output = ();
    type Error = AccountError;
    fn apply(&self, state: &mut State, ctx: &mut Ctx<'_>) -> Result<(), AccountError> {
        state.resume_after_unlock(self.account, self.password.as_str(), ctx.now)
    }
}

/// 「修改密码」.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangePassword {
    pub current: Typed,
    pub new: Typed,
    pub again: Typed,
}

impl Request for ChangePassword {
    type Output = ();
    type Error = AccountError;
    fn apply(&self, state: &mut State, ctx: &mut Ctx<'_>) -> Result<(), AccountError> {
        state.change_password(
            self.current.as_str(),
            self.new.as_str(),
            self.again.as_str(),
            ctx.now,
            &mut ctx.rng,
            ctx.hasher,
        )
    }
}

/// 「退出登录」 (this browser only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogOut {}

impl Request for LogOut {
    type Output = ();
    type Error = AccountError;
    fn apply(&self, state: &mut State, _: &mut Ctx<'_>) -> Result<(), AccountError> {
        state.log_out();
        Ok(())
    }
}

/// 「立即锁定」.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockNow {}

impl Request for LockNow {
    type Output = ();
    type Error = AccountError;
    fn apply(&self, state: &mut State, _: &mut Ctx<'_>) -> Result<(), AccountError> {
        state.lock_now();
        Ok(())
    }
}

/// The idle lock falls if the session has been idle too long; `seen` is
/// when the person was last seen apart from the state (a click in a tab).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockIfIdle {
    pub seen: Option<Timestamp>,
}

impl Request for LockIfIdle {
    type Output = bool;
    type Error = AccountError;
    fn apply(&self, state: &mut State, ctx: &mut Ctx<'_>) -> Result<bool, AccountError> {
        Ok(state.lock_if_idle_seen(ctx.now, self.seen))
    }
}

/// 「自动锁定」 in the settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetIdleLock {
    pub idle_lock: IdleLock,
}

impl Request for SetIdleLock {
    type Output = ();
    type Error = AccountError;
    fn apply(&self, state: &mut State, _: &mut Ctx<'_>) -> Result<(), AccountError> {
        state.set_idle_lock(self.idle_lock)
    }
}

/// 「开启两步验证」: a new secret, pending until confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BeginTotp {}

impl Request for BeginTotp {
    type Output = Secret;
    type Error = AccountError;
    fn apply(&self, state: &mut State, ctx: &mut Ctx<'_>) -> Result<Secret, AccountError> {
        state.begin_totp(&mut ctx.rng)
    }
}

/// The first code from the authenticator: two-step login is on, and the
/// recovery codes are shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfirmTotp {
    pub code: Typed,
}

impl Request for ConfirmTotp {
    type Output = Vec<String>;
    type Error = AccountError;
    fn apply(&self, state: &mut State, ctx: &mut Ctx<'_>) -> Result<Vec<String>, AccountError> {
        state.confirm_totp(self.code.as_str(), ctx.wall, &mut ctx.rng)
    }
}

/// 「关闭两步验证」.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisableTotp {
    pub password: Typed,
}

impl Request for DisableTotp {
    type Output = ();
    type Error = AccountError;
    fn apply(&self, state: &mut State, ctx: &mut Ctx<'_>) -> Result<(), AccountError> {
        state.disable_totp(self.password.as_str(), ctx.now)
    }
}

/// 「添加银行卡」.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddCard {
    pub number: Typed,
    pub holder: String,
    pub expiry: String,
    pub cvv: Typed,
}

impl Request for AddCard {
    type Output = CardId;
    type Error = MoveError;
    fn apply(&self, state: &mut State, ctx: &mut Ctx<'_>) -> Result<CardId, MoveError> {
        let form = NewCard {
            number: self.number.as_str(),
            holder: &self.holder,
            expiry: &self.expiry,
            cvv: self.cvv.as_str(),
        };
        state.add_card(form, ctx.now)
    }
}

/// 「设为默认」.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetDefaultCard {
    pub card: CardId,
}

impl Request for SetDefaultCard {
    type Output = ();
    type Error = MoveError;
    fn apply(&self, state: &mut State, _: &mut Ctx<'_>) -> Result<(), MoveError> {
        state.set_default_card(self.card)
    }
}

/// 「删除」 a card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoveCard {
    pub card: CardId,
}

impl Request for RemoveCard {
    type Output = ();
    type Error = MoveError;
    fn apply(&self, state: &mut State, _: &mut Ctx<'_>) -> Result<(), MoveError> {
        state.remove_card(self.card)
    }
}

/// A movement form as typed (the owned [`MovementForm`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Form {
    TopUp {
        card: CardId,
        amount: String,
    },
    Withdraw {
        card: CardId,
        amount: String,
    },
    Transfer {
        payee: String,
        amount: String,
        note: String,
    },
    Bill {
        biller: Biller,
        account: String,
        amount: String,
    },
    ToWeChat {
        amount: String,
    },
}

impl Form {
    pub fn borrowed(&self) -> MovementForm<'_> {
        match self {
            Form::TopUp { card, amount } => MovementForm::TopUp {
                card: *card,
                amount,
            },
            Form::Withdraw { card, amount } => MovementForm::Withdraw {
                card: *card,
                amount,
            },
            Form::Transfer {
                payee,
                amount,
                note,
            } => MovementForm::Transfer {
                payee,
                amount,
                note,
            },
            Form::Bill {
                biller,
                account,
                amount,
            } => MovementForm::Bill {
                biller: *biller,
                account,
                amount,
            },
            Form::ToWeChat { amount } => MovementForm::ToWeChat { amount },
        }
    }
}

/// 「确认」 of a movement: the form is prepared again, and committed only
/// if it is still the movement the person reviewed (`reviewed`), once per
/// `key`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commit {
    pub key: String,
    pub form: Form,
    pub reviewed: Prepared,
}

impl Request for Commit {
    type Output = Receipt;
    type Error = MoveError;
    fn apply(&self, state: &mut State, ctx: &mut Ctx<'_>) -> Result<Receipt, MoveError> {
        state.commit_reviewed(&self.key, self.form.borrowed(), &self.reviewed, ctx.now)
    }
}

/// 「记一笔」: cash spent outside the wallet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddCash {
    pub amount: String,
    pub category: Spend,
    pub note: String,
}

impl Request for AddCash {
    type Output = u32;
    type Error = FinanceError;
    fn apply(&self, state: &mut State, ctx: &mut Ctx<'_>) -> Result<u32, FinanceError> {
        state.add_cash(&self.amount, self.category, &self.note, ctx.now)
    }
}

/// 「修改分类」.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetCategory {
    pub entry: u64,
    pub category: Spend,
}

impl Request for SetCategory {
    type Output = ();
    type Error = FinanceError;
    fn apply(&self, state: &mut State, _: &mut Ctx<'_>) -> Result<(), FinanceError> {
        state.set_category(self.entry, self.category)
    }
}

/// Removes a cash entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoveCash {
    pub id: u32,
}

impl Request for RemoveCash {
    type Output = ();
    type Error = FinanceError;
    fn apply(&self, state: &mut State, _: &mut Ctx<'_>) -> Result<(), FinanceError> {
        state.remove_cash(self.id)
    }
}

/// 理财 opens: the signed-in wallet's interest up to today is credited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccrueInterest {}

impl Request for AccrueInterest {
    type Output = Fen;
    type Error = FinanceError;
    fn apply(&self, state: &mut State, ctx: &mut Ctx<'_>) -> Result<Fen, FinanceError> {
        let wallet = state.signed_in_id()?;
        state.accrue_interest(wallet, ctx.now)
    }
}

/// 「转入」 / 「转出」 of savings, once per `key`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoveSavings {
    pub key: String,
    pub amount: String,
    pub into: bool,
}

impl Request for MoveSavings {
    type Output = Fen;
    type Error = FinanceError;
    fn apply(&self, state: &mut State, ctx: &mut Ctx<'_>) -> Result<Fen, FinanceError> {
        state.move_savings(&self.key, &self.amount, self.into, ctx.now)
    }
}
