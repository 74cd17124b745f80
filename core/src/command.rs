//! # Commands
//!
//! Every change a person makes to the sandbox is one [`Command`]: a plain,
//! serialisable value that says what was asked and what the person had in
//! front of them when they asked (the movement they reviewed, the binding
//! they chose to end), applied by one function, [`Command::apply`], for one
//! client with one [`Ctx`]. The static site applies a command in the page;
//! the sandbox server applies the same command, sent by the page, on the
//! same path as a merchant backend's API calls. Either way the rules that
//! run are the ones below, and nothing else changes the state.
//!
//! Each command is a struct in one of the files under `command/` (by world,
//! as the pages are grouped) and implements [`Request`]: its output and its
//! error, both serialisable, so that an answer sent over the wire reads
//! back as exactly what the command returned in the page.
//!
//! A command re-checks what it carries: a forged or stale one is refused as
//! the page's own would be, never trusted (`Commit` prepares the movement
//! again and compares it with the one reviewed; `UnbindWeChat` ends only
//! the binding that was on screen).

mod console;
mod merchant;
mod wallet;
mod wechat;

pub use console::*;
pub use merchant::*;
pub use wallet::*;
pub use wechat::*;

use crate::security::Hasher;
use crate::session::ClientId;
use crate::state::State;
use crate::time::Timestamp;
use rand_core::RngCore;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// What a command gets from the shell: the time and randomness `core`
/// never takes for itself, and the password hasher.
pub struct Ctx<'a> {
    /// The simulated time (the console can move it forward).
    pub now: Timestamp,
    /// The real time of day, for what must agree with the world outside
    /// the sandbox: an authenticator app's codes.
    pub wall: Timestamp,
    pub rng: &'a mut dyn RngCore,
    pub hasher: &'a Hasher,
}

impl std::fmt::Debug for Ctx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ctx")
            .field("now", &self.now)
            .field("wall", &self.wall)
            .finish_non_exhaustive()
    }
}

/// A secret as typed (a password, a 支付密码, a code): carried to the rule
/// that checks it, never printed (its `Debug` says `…`).
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Typed(pub String);

impl std::fmt::Debug for Typed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Typed(…)")
    }
}

impl From<&str> for Typed {
    fn from(text: &str) -> Self {
        Typed(text.to_owned())
    }
}

impl From<String> for Typed {
    fn from(text: String) -> Self {
        Typed(text)
    }
}

impl Typed {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One kind of command: what it answers, and how it is applied.
pub trait Request: Clone + Into<Command> {
    type Output: Serialize + DeserializeOwned;
    type Error: Serialize + DeserializeOwned;

    /// Applies the command to `state` for the client `state` acts for.
    fn apply(&self, state: &mut State, ctx: &mut Ctx<'_>) -> Result<Self::Output, Self::Error>;
}

/// A command's answer on the wire: its `Result`, as JSON
/// (`{"Ok": …}` or `{"Err": …}`).
pub type Answer = String;

/// Reads an answer back as the result `C` returns.
pub fn read_answer<C: Request>(answer: &str) -> Option<Result<C::Output, C::Error>> {
    serde_json::from_str(answer).ok()
}

fn answer<T: Serialize, E: Serialize>(result: &Result<T, E>) -> Answer {
    serde_json::to_string(result).unwrap_or_default()
}

macro_rules! commands {
    ($($name:ident),* $(,)?) => {
        /// Every command, by name (see the module docs).
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(tag = "command", content = "with")]
        pub enum Command {
            $($name($name)),*
        }

        $(impl From<$name> for Command {
            fn from(command: $name) -> Self {
                Command::$name(command)
            }
        })*

        impl Command {
            /// Applies the command for `client`; its answer as JSON.
            pub fn apply(&self, state: &mut State, client: &ClientId, ctx: &mut Ctx<'_>) -> Answer {
                state.set_client(client);
                match self {
                    $(Command::$name(command) => answer(&command.apply(state, ctx)),)*
                }
            }

            /// The command's name, as the wire names it (for logs).
            pub fn name(&self) -> &'static str {
                match self {
                    $(Command::$name(_) => stringify!($name),)*
                }
            }
        }
    };
}

commands! {
    // The wallet: accounts and sessions.
    SendRegisterCode, Register, LogIn, EnterLoginCode, CreateDemo, Unlock,
    ResumeAfterUnlock, ChangePassword, LogOut, LockNow, LockIfIdle, SetIdleLock,
    BeginTotp, ConfirmTotp, DisableTotp,
    // The wallet's money, books and savings.
    AddCard, SetDefaultCard, RemoveCard, Commit, AddCash, SetCategory, RemoveCash,
    AccrueInterest, MoveSavings,
    // Binding the wallet to WeChat.
    StartBinding, CompleteBinding, CheckBinding, UnbindWeChat,
    // WeChat.
    WeChatRegister, WeChatLogIn, WeChatLogOut, SetAllowThirdParty, RevokeApp,
    SendWeChatCode, ApproveAuthorization, DenyAuthorization,
    // The merchants and WeChat Pay's cashier.
    CreateOrder, RefreshOrders, RefundOrder, OpenCashier, PayOrder, CancelPayment,
    // The developer console and the phone.
    SetFaults, AdvanceClock, ResetClock, ClearLog, ResendNotify, SetLimited,
    SetNotifications, MarkMessagesRead, ClearInbox, DecideRefund, HoldRefunds,
}

/// What a page sends the sandbox server: a command, and the save the page
/// holds (so the reply can bring it up to date).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sent {
    pub since: u64,
    pub command: Command,
}

/// The sandbox server's reply: the command's answer, the save that holds
/// its effect (`seq`), and the saves since the page's (`None`: too many,
/// the page reads the whole state again).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    pub seq: u64,
    pub answer: Answer,
    pub deltas: Option<Vec<crate::state::Delta>>,
}
