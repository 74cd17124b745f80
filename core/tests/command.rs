//! Every `Command` round-trips through its wire form (what a page sends the
//! sandbox server), whatever it carries: text of any kind, numbers at their
//! ends. And an answer reads back as the result the command returned.

use proptest::prelude::*;
use qianbao_core::account::AccountId;
use qianbao_core::binding::Site;
use qianbao_core::card::CardId;
use qianbao_core::command::*;
use qianbao_core::finance::Spend;
use qianbao_core::ledger::Biller;
use qianbao_core::merchant::{Mchid, MerchantId};
use qianbao_core::movement::{MovementForm, Prepared};
use qianbao_core::order::RefundStatus;
use qianbao_core::payment::PayMethod;
use qianbao_core::provider::ProviderId;
use qianbao_core::session::{ClientId, IdleLock};
use qianbao_core::sim::{FaultChange, NotifyPlan};
use qianbao_core::testkit::{at, fast_hasher, World};
use qianbao_core::Timestamp;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[a-zA-Z0-9@._+-]{1,24}",
        any::<String>(),
        "\\PC{0,12}",
    ]
}

fn typed() -> impl Strategy<Value = Typed> {
    text().prop_map(Typed)
}

fn merchant() -> impl Strategy<Value = MerchantId> {
    prop_oneof![
        Just(MerchantId::Cafe),
        Just(MerchantId::Books),
        Just(MerchantId::Digital),
        (1_000_000_000u64..9_999_999_999)
            .prop_filter_map("a 商户号", |n| MerchantId::parse(&n.to_string())),
    ]
}

fn site() -> impl Strategy<Value = Site> {
    (text(), text()).prop_map(|(origin, base)| Site { origin, base })
}

fn authorization() -> impl Strategy<Value = Authorization> {
    (text(), text(), text(), text(), text()).prop_map(
        |(appid, redirect_uri, response_type, scope, state)| Authorization {
            appid,
            redirect_uri,
            response_type,
            scope,
            state,
        },
    )
}

fn form() -> impl Strategy<Value = Form> {
    prop_oneof![
        (any::<u32>(), text()).prop_map(|(c, amount)| Form::TopUp {
            card: CardId::new(c),
            amount
        }),
        (any::<u32>(), text()).prop_map(|(c, amount)| Form::Withdraw {
            card: CardId::new(c),
            amount
        }),
        (text(), text(), text()).prop_map(|(payee, amount, note)| Form::Transfer {
            payee,
            amount,
            note
        }),
        (prop::sample::select(Biller::ALL.to_vec()), text(), text()).prop_map(
            |(biller, account, amount)| Form::Bill {
                biller,
                account,
                amount
            }
        ),
        text().prop_map(|amount| Form::ToWeChat { amount }),
    ]
}

/// A movement as a review screen makes it (only `prepare` makes one).
fn reviewed() -> Prepared {
    let mut w = World::new();
    let card = w.top_up("0");
    w.state
        .prepare(
            MovementForm::TopUp {
                card,
                amount: "12.30",
            },
            at(20),
        )
        .unwrap_or_else(|e| panic!("{e}"))
}

fn command() -> impl Strategy<Value = Command> {
    let wallet = prop_oneof![
        text().prop_map(|login| SendRegisterCode { login }.into()),
        (
            text(),
            text(),
            typed(),
            typed(),
            prop::sample::select(ProviderId::ALL.to_vec())
        )
            .prop_map(|(login, real_name, password, code, provider)| Register {
                login,
                real_name,
                password,
                code,
                provider
            }
            .into()),
        (text(), typed()).prop_map(|(login, password)| LogIn { login, password }.into()),
        typed().prop_map(|code| EnterLoginCode { code }.into()),
        Just(CreateDemo {}.into()),
        typed().prop_map(|password| Unlock { password }.into()),
        (any::<u32>(), typed()).prop_map(|(a, password)| ResumeAfterUnlock {
            account: AccountId::new(a),
            password
        }
        .into()),
        (typed(), typed(), typed()).prop_map(|(current, new, again)| ChangePassword {
            current,
            new,
            again
        }
        .into()),
        Just(LogOut {}.into()),
        Just(LockNow {}.into()),
        any::<Option<i64>>().prop_map(|seen| LockIfIdle {
            seen: seen.map(Timestamp::from_millis)
        }
        .into()),
        prop::sample::select(IdleLock::ALL.to_vec())
            .prop_map(|idle_lock| SetIdleLock { idle_lock }.into()),
        Just(BeginTotp {}.into()),
        typed().prop_map(|code| ConfirmTotp { code }.into()),
        typed().prop_map(|password| DisableTotp { password }.into()),
    ];
    let money = prop_oneof![
        (typed(), text(), text(), typed()).prop_map(|(number, holder, expiry, cvv)| AddCard {
            number,
            holder,
            expiry,
            cvv
        }
        .into()),
        any::<u32>().prop_map(|c| SetDefaultCard {
            card: CardId::new(c)
        }
        .into()),
        any::<u32>().prop_map(|c| RemoveCard {
            card: CardId::new(c)
        }
        .into()),
        (text(), form()).prop_map(|(key, form)| Commit {
            key,
            form,
            reviewed: reviewed()
        }
        .into()),
        (text(), prop::sample::select(Spend::ALL.to_vec()), text()).prop_map(
            |(amount, category, note)| {
                AddCash {
                    amount,
                    category,
                    note,
                }
                .into()
            }
        ),
        (any::<u64>(), prop::sample::select(Spend::ALL.to_vec()))
            .prop_map(|(entry, category)| SetCategory { entry, category }.into()),
        any::<u32>().prop_map(|id| RemoveCash { id }.into()),
        Just(AccrueInterest {}.into()),
        (text(), text(), any::<bool>()).prop_map(|(key, amount, into)| MoveSavings {
            key,
            amount,
            into
        }
        .into()),
    ];
    let wechat = prop_oneof![
        site().prop_map(|site| StartBinding { site }.into()),
        (prop::option::of(text()), text()).prop_map(|(code, state)| CompleteBinding {
            code,
            state
        }
        .into()),
        Just(CheckBinding {}.into()),
        text().prop_map(|openid| UnbindWeChat { openid }.into()),
        (text(), text(), text(), text(), typed(), typed()).prop_map(
            |(wxid, phone, nickname, real_name, password, pay_password)| WeChatRegister {
                wxid,
                phone,
                nickname,
                real_name,
                password,
                pay_password
            }
            .into()
        ),
        (text(), typed()).prop_map(|(who, password)| WeChatLogIn { who, password }.into()),
        Just(WeChatLogOut {}.into()),
        any::<bool>().prop_map(|allow| SetAllowThirdParty { allow }.into()),
        text().prop_map(|appid| RevokeApp { appid }.into()),
        Just(SendWeChatCode {}.into()),
        (authorization(), site(), prop::option::of(typed())).prop_map(
            |(request, site, second_factor)| {
                ApproveAuthorization {
                    request,
                    site,
                    second_factor,
                }
                .into()
            }
        ),
        (authorization(), site())
            .prop_map(|(request, site)| DenyAuthorization { request, site }.into()),
    ];
    let shop = prop_oneof![
        (
            merchant(),
            prop::collection::vec((text(), any::<u32>()), 0..4)
        )
            .prop_map(|(merchant, cart)| CreateOrder { merchant, cart }.into()),
        merchant().prop_map(|merchant| RefreshOrders { merchant }.into()),
        (merchant(), text(), text(), text()).prop_map(
            |(merchant, out_trade_no, out_refund_no, amount)| {
                RefundOrder {
                    merchant,
                    out_trade_no,
                    out_refund_no,
                    amount,
                }
                .into()
            }
        ),
        (merchant(), text()).prop_map(|(merchant, out_trade_no)| OpenCashier {
            merchant,
            out_trade_no
        }
        .into()),
        (
            merchant(),
            text(),
            prop_oneof![
                Just(None),
                Just(Some(PayMethod::Change)),
                any::<u32>().prop_map(|a| Some(PayMethod::Wallet(AccountId::new(a))))
            ],
            typed(),
            prop::option::of(typed()),
            text()
        )
            .prop_map(
                |(merchant, out_trade_no, method, pay_password, wallet_password, key)| {
                    PayOrder {
                        merchant,
                        out_trade_no,
                        method,
                        pay_password,
                        wallet_password,
                        key,
                    }
                    .into()
                }
            ),
        (merchant(), text()).prop_map(|(merchant, out_trade_no)| CancelPayment {
            merchant,
            out_trade_no
        }
        .into()),
    ];
    let console = prop_oneof![
        (
            any::<Option<u32>>(),
            any::<Option<u32>>(),
            any::<Option<u32>>()
        )
            .prop_map(|(network, busy, latency_ms)| {
                SetFaults {
                    change: FaultChange {
                        network,
                        busy,
                        latency_ms,
                    },
                }
                .into()
            }),
        any::<u64>().prop_map(|secs| AdvanceClock { secs }.into()),
        Just(ResetClock {}.into()),
        Just(ClearLog {}.into()),
        (merchant(), text()).prop_map(|(merchant, out_trade_no)| ResendNotify {
            merchant,
            out_trade_no
        }
        .into()),
        any::<u32>().prop_map(|calls| SetLimited { calls }.into()),
        (any::<bool>(), any::<u32>(), any::<bool>()).prop_map(
            |(duplicate, delay_secs, reorder)| {
                SetNotifications {
                    plan: NotifyPlan {
                        duplicate,
                        delay_secs,
                        reorder,
                    },
                }
                .into()
            }
        ),
        Just(MarkMessagesRead {}.into()),
        Just(ClearInbox {}.into()),
        (1_000_000_000u64..9_999_999_999, text(), 0..4usize).prop_filter_map(
            "a 商户号",
            |(n, out_refund_no, status)| {
                Some(
                    DecideRefund {
                        mchid: Mchid::parse(&n.to_string())?,
                        out_refund_no,
                        status: RefundStatus::ALL[status],
                    }
                    .into(),
                )
            }
        ),
        any::<bool>().prop_map(|hold| HoldRefunds { hold }.into()),
    ];
    prop_oneof![wallet, money, wechat, shop, console]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn every_command_round_trips_through_its_wire_form(command in command()) {
        let wire = serde_json::to_string(&command).unwrap_or_default();
        let back: Result<Command, _> = serde_json::from_str(&wire);
        prop_assert_eq!(back.as_ref().ok(), Some(&command), "{}", wire);
    }

    /// Whatever a page (or anyone) sends, applying it answers, and never
    /// panics; the answer reads back as JSON.
    #[test]
    fn any_command_applied_answers(command in command()) {
        let mut w = World::new();
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let mut ctx = Ctx { now: at(30), wall: at(30), rng: &mut rng, hasher: &fast_hasher() };
        let answer = command.apply(&mut w.state, &ClientId::local(), &mut ctx);
        let parsed: Result<serde_json::Value, _> = serde_json::from_str(&answer);
        prop_assert!(parsed.is_ok_and(|v| v.get("Ok").is_some() || v.get("Err").is_some()), "{}", answer);
    }
}

#[test]
fn an_answer_reads_back_as_the_commands_result() {
    let mut w = World::new();
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let mut ctx = Ctx {
        now: at(30),
        wall: at(30),
        rng: &mut rng,
        hasher: &fast_hasher(),
    };
    let refused = LogIn {
        login: "13900000009".to_owned(),
        password: "Whatever2026".into(),
    };
    let direct = refused.apply(&mut w.state.clone(), &mut ctx);
    let answer = Command::from(refused).apply(&mut w.state, &ClientId::local(), &mut ctx);
    assert_eq!(read_answer::<LogIn>(&answer), Some(direct));
    // A secret as typed is never printed.
    let debug = format!(
        "{:?}",
        LogIn {
            login: "a".into(),
            password: "Sandbox2026x".into()
        }
    );
    assert!(!debug.contains("Sandbox2026x"), "{debug}");
}
