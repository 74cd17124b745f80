//! The error catalogue: every error a person can meet, as they meet it —
//! `code | zh-CN message | English message | guidance` — in one snapshot,
//! `web/tests/catalogue.txt`, so that a reviewer reads the whole catalogue in
//! one file and a wrong word cannot come back unseen.
//!
//! Refresh it after a deliberate change with
//! `UPDATE_EXPECT=1 cargo test -p qianbao-web --test catalogue`.
//!
//! Every variant of every error enum of `core` is listed: each list comes
//! with an exhaustive `match`, so a new variant does not compile until it is
//! listed here (errors that only wrap another enum are listed with it).

use expect_test::expect_file;
use qianbao_core::account::{AccountError, AccountId};
use qianbao_core::binding::BindError;
use qianbao_core::card::{Bank, CardError};
use qianbao_core::envelope::ImportError;
use qianbao_core::error::{Guidance, SiteError, UserError};
use qianbao_core::finance::FinanceError;
use qianbao_core::identity::IdentityError;
use qianbao_core::ledger::{Biller, LedgerAccount, LedgerError};
use qianbao_core::money::{Fen, MoneyError};
use qianbao_core::movement::MoveError;
use qianbao_core::payapi::{ApiError, BridgeError};
use qianbao_core::payment::PayError;
use qianbao_core::provider::{Feature, MovementKind};
use qianbao_core::security::PasswordError;
use qianbao_core::sim::{FaultField, FaultsError};
use qianbao_core::state::StateError;
use qianbao_core::totp::TotpError;
use qianbao_core::verification::VerifyError;
use qianbao_core::wechat::WeChatError;
use qianbao_core::Timestamp;
use qianbao_web::i18n::{self, ErrorText, Locale};
use qianbao_web::store::Problem;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Every listed variant of `$ty`, built with the given sample fields; the
/// `match` makes the list exhaustive.
macro_rules! every {
    (
        $ty:ident {
            $($v:ident $({ $($f:ident : $val:expr),* $(,)? })?),* $(,)?
        }
        $(tuples { $($t:ident($tv:expr)),* $(,)? })?
        $(wraps { $($w:ident),* $(,)? })?
    ) => {{
        #[allow(dead_code)]
        fn exhaustive(e: &$ty) {
            match e {
                $($ty::$v $({ $($f: _),* })? => {})*
                $($($ty::$t(_) => {})*)?
                $($($ty::$w(_) => {})*)?
            }
        }
        #[allow(unused_mut)]
        let mut all: Vec<(&'static str, $ty)> = vec![
            $((stringify!($v), $ty::$v $({ $($f: $val),* })?)),*
        ];
        $($(all.push((stringify!($t), $ty::$t($tv)));)*)?
        all
    }};
}

const UNTIL: Timestamp = Timestamp::from_millis(1_767_225_600_000);
const FEN: Fen = Fen::new(1_234);

fn clock(_: Timestamp) -> String {
    "08:15".to_owned()
}

/// One row per error: its type and variant, then how each locale words it.
struct Row {
    name: String,
    guidance: Guidance,
    last_resort: Option<Guidance>,
    zh: ErrorText,
    en: ErrorText,
}

fn row(name: String, error: &dyn UserError, word: impl Fn(Locale) -> ErrorText) -> Row {
    Row {
        name,
        guidance: error.guidance(),
        last_resort: error.last_resort(),
        zh: word(Locale::ZhCn),
        en: word(Locale::En),
    }
}

fn problems<E: UserError + Clone>(
    ty: &str,
    list: Vec<(&'static str, E)>,
    wrap: impl Fn(E) -> Problem,
) -> Vec<Row> {
    list.into_iter()
        .map(|(variant, e)| {
            let problem = wrap(e.clone());
            row(format!("{ty}::{variant}"), &e, |l| {
                i18n::problem(l, &problem, clock)
            })
        })
        .collect()
}

fn catalogue() -> Vec<Row> {
    let mut rows = Vec::new();
    rows.extend(problems(
        "AccountError",
        every!(AccountError {
            AlreadyRegistered, NotRegistered, PasswordEmpty,
            WrongPassword { remaining: 3 }, Locked { until: UNTIL }, NotSignedIn,
            WrongCode { remaining: 2 }, PasswordsDiffer, SamePassword,
        } wraps { Identity, Password, Code, SecondFactor }),
        Problem::Account,
    ));
    rows.extend(problems(
        "IdentityError",
        every!(IdentityError {
            Empty,
            NameEmpty,
            PhoneInvalid,
            EmailInvalid,
            NameInvalid
        }),
        |e| Problem::Account(e.into()),
    ));
    rows.extend(problems(
        "PasswordError",
        every!(PasswordError {
            TooShort,
            TooLong,
            NeedsLettersAndDigits,
            ControlCharacter,
            Common,
            ContainsPhone,
            ContainsEmail,
        }),
        |e| Problem::Account(e.into()),
    ));
    rows.extend(problems(
        "VerifyError",
        every!(VerifyError {
            Format, NotRequested, Expired, Wrong { remaining: 2 }, Exhausted,
            ResendTooSoon { seconds: 42 },
        }),
        |e| Problem::Account(e.into()),
    ));
    rows.extend(problems(
        "TotpError",
        every!(TotpError {
            Malformed,
            Wrong,
            Reused,
            NotEnabled,
            AlreadyEnabled,
            NoSetup,
            Expired
        }),
        |e| Problem::Account(e.into()),
    ));
    rows.extend(problems(
        "MoveError",
        every!(MoveError {
            NotDebit, CardFunds { available: FEN }, NotEnough { balance: FEN },
            SingleLimit { kind: MovementKind::Transfer, max: FEN },
            DailyLimit { kind: MovementKind::TopUp, max: FEN, left: FEN },
            PayeeNotFound, PayeeIsSelf, BillAccount { biller: Biller::Water },
            NoteTooLong, KeyReused, NotBound, Rebound, Changed, ProviderBank { bank: Bank::Cmb },
            NotOffered { feature: Feature::Bills },
        } wraps { Amount, Card, Payee, Account, Ledger, Remote }),
        Problem::Move,
    ));
    rows.extend(problems(
        "MoneyError",
        every!(MoneyError {
            Empty,
            Negative,
            TooManyDecimals,
            Exponent,
            Invalid,
            TooLarge,
            NotPositive,
            Overflow,
        }),
        |e| Problem::Move(e.into()),
    ));
    rows.extend(problems(
        "CardError",
        every!(CardError {
            NumberLength,
            Luhn,
            UnknownBank,
            HolderMismatch,
            ExpiryFormat,
            Expired,
            Cvv,
            Duplicate,
            NotFound,
        }),
        |e| Problem::Move(e.into()),
    ));
    rows.extend(problems(
        "LedgerError",
        every!(LedgerError {
            Unbalanced, TooFewPostings, Overflow, DuplicateKey,
            Sequence { expected: 7, found: 9 },
        } tuples {
            NegativeBalance(LedgerAccount::Wallet(AccountId::new(1))),
            Malformed("entry 7".to_owned()),
        }),
        |e| Problem::Move(e.into()),
    ));
    rows.extend(problems(
        "FinanceError",
        every!(FinanceError {
            NotSpending, NoteTooLong, BookFull, NotOffered, KeyReused,
            WalletLow { balance: FEN }, SavingsLow { balance: FEN },
        } wraps { Amount, Account, Ledger }),
        Problem::Finance,
    ));
    rows.extend(problems(
        "StateError",
        every!(StateError {
            Corrupt { detail: "x".to_owned() }, TooNew { found: 9 },
            Unwritable { detail: "x".to_owned() }, Full, Conflict,
            Stale { detail: "x".to_owned() }, Missing { detail: "x".to_owned() },
            Foreign { detail: "x".to_owned() }, NoRandomness,
        }),
        Problem::Storage,
    ));
    rows.extend(problems(
        "ImportError",
        every!(ImportError { Empty, NotAnExport, OtherKey } tuples {
            Damaged(StateError::Corrupt { detail: "x".to_owned() }),
        }),
        Problem::Import,
    ));
    rows.extend(problems(
        "BindError",
        every!(BindError {
            AlreadyBound, NotBound, NotAuthorizing, ForgedState, Denied, Mismatch, Changed,
        } wraps { WeChat, Account }),
        Problem::Bind,
    ));
    let wechat = every!(WeChatError {
        InvalidAppId, RedirectDomain, Scope, InvalidCode, CodeUsed, InvalidToken, InvalidOpenid,
        TokenExpired, InvalidRefresh, RefreshExpired, Unauthorized, SystemBusy, Network,
        ThirdPartyOff, NotLoggedIn, IdEmpty, PasswordEmpty, NoSuchAccount,
        WrongPassword { remaining: 3 }, LoginLocked { until: UNTIL }, WxIdInvalid, Taken,
        NicknameInvalid, PayPasswordInvalid,
    } wraps { Identity, Password, Code });
    // What the binding meets of WeChat's, as the wallet shows it: in the
    // wallet's family where it has its own code, with the last resort.
    let met_while_binding: Vec<_> = wechat
        .iter()
        .filter(|(_, e)| {
            matches!(
                e,
                WeChatError::Network
                    | WeChatError::SystemBusy
                    | WeChatError::ThirdPartyOff
                    | WeChatError::InvalidCode
                    | WeChatError::CodeUsed
            )
        })
        .map(|(v, e)| (*v, BindError::from(e.clone())))
        .collect();
    rows.extend(problems("WeChatError", wechat, Problem::WeChat));
    rows.extend(problems(
        "BindError::WeChat",
        met_while_binding,
        Problem::Bind,
    ));
    rows.extend(problems(
        "PayError",
        every!(PayError {
            Cart, NoSuchOrder, OrderPaid, OrderClosed, NotEnough { balance: FEN },
            ChangeNotEnough { balance: FEN }, PayPasswordEmpty, PayPassword { remaining: 2 },
            PayPasswordLocked { until: UNTIL }, MethodUnavailable, OtherPayer, NeedsConfirmation, RedirectDomain,
            Limit { max: FEN }, DailyLimit { max: FEN, left: FEN }, NotPaid,
            RefundTooMuch { left: FEN }, TooManyRefunds, RefundNoReused, NoSuchRefund, RefundEnded, BadNumber, NotAPayCode,
        } wraps { WeChat, Account, Money, Ledger }),
        Problem::Pay,
    ));
    rows.extend(problems(
        "SiteError",
        every!(SiteError { Unreachable }),
        Problem::Site,
    ));
    let faults = every!(FaultsError {
        OutOfRange { field: FaultField::Latency },
    });
    for (variant, e) in faults {
        rows.push(row(format!("FaultsError::{variant}"), &e, |l| {
            i18n::faults_error(l, &e)
        }));
    }
    rows
}

#[test]
fn the_error_catalogue() {
    let rows = catalogue();
    let mut out = String::from(
        "# Every error a person can meet: code | zh-CN | English | guidance (+ last resort).\n\
         # Generated by web/tests/catalogue.rs; UPDATE_EXPECT=1 refreshes it.\n",
    );
    for r in &rows {
        let last = r
            .last_resort
            .map(|g| format!(" + {g:?}"))
            .unwrap_or_default();
        writeln!(
            out,
            "\n{}  [{}]\n  zh: {}\n  en: {}\n  → {:?}{last}",
            r.zh.code, r.name, r.zh.message, r.en.message, r.guidance
        )
        .unwrap();
    }
    // Each guidance once, in both languages.
    let mut guidance: BTreeMap<String, (&str, &str)> = BTreeMap::new();
    for r in &rows {
        guidance.insert(format!("{:?}", r.guidance), (r.zh.guidance, r.en.guidance));
        if let (Some(g), Some(zh), Some(en)) = (r.last_resort, r.zh.last_resort, r.en.last_resort) {
            guidance.insert(format!("{g:?}"), (zh, en));
        }
    }
    out.push_str("\n# Guidance\n");
    for (name, (zh, en)) in guidance {
        writeln!(out, "\n{name}\n  zh: {zh}\n  en: {en}").unwrap();
    }
    out.push_str(
        "\n# WeChat Pay API v3: what a merchant's backend is answered\n\
         # (HTTP status, {code, message} in WeChat's words, what it means)\n",
    );
    for e in ApiError::every() {
        writeln!(
            out,
            "\n{} {}  [{e:?}]\n  message: {}\n  en: {}",
            e.status(),
            e.code(),
            e.message(),
            e.meaning()
        )
        .unwrap();
    }
    out.push_str(
        "\n# The JS bridge: getBrandWCPayRequest's get_brand_wcpay_request:fail\n\
         # (code, err_desc in WeChat's words, what it means)\n",
    );
    for e in BridgeError::every() {
        writeln!(
            out,
            "\n{}  [{e:?}]\n  err_desc: {}\n  en: {}",
            e.code(),
            e.message(),
            e.meaning()
        )
        .unwrap();
    }
    expect_file!["catalogue.txt"].assert_eq(&out);
}

/// A code means one thing: used by more than one error type, it gives the
/// same advice everywhere. (Within one type two variants may share a code
/// and word the advice for their case: `NOTENOUGH` for the wallet and for
/// 零钱.)
#[test]
fn a_code_means_one_thing() {
    let mut seen: BTreeMap<&str, (Guidance, String)> = BTreeMap::new();
    for r in catalogue() {
        let ty = |name: &str| name.split("::").next().unwrap_or_default().to_owned();
        match seen.get(r.zh.code) {
            Some((guidance, first)) if ty(first) != ty(&r.name) => assert_eq!(
                *guidance, r.guidance,
                "{} is used by {first} and {} with different advice",
                r.zh.code, r.name
            ),
            Some(_) => {}
            None => {
                seen.insert(r.zh.code, (r.guidance, r.name));
            }
        }
    }
}

/// Wallet codes (`W-…`) and WeChat's own (`WX-…`, its numeric API codes)
/// stay in their own families.
#[test]
fn codes_stay_in_their_families() {
    for r in catalogue() {
        let code = r.zh.code;
        if r.name.starts_with("WeChatError::") {
            assert!(
                !code.starts_with("W-"),
                "{} is WeChat's but has {code}",
                r.name
            );
        } else if !r.name.starts_with("PayError::") && !r.name.starts_with("BindError::WeChat") {
            assert!(
                !code.starts_with("WX-"),
                "{} is the wallet's but has {code}",
                r.name
            );
        }
    }
}
