use super::*;
use crate::phone::Message;
use crate::security::fast_hasher;
use proptest::prelude::*;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use rstest::rstest;

const PHONE: &str = "+86 138 0013 8000";
const PASSWORD: &str = "Sandbox2026x";

fn at(secs: i64) -> Timestamp {
    Timestamp::from_millis(secs * 1000)
}

fn rng() -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(7)
}

fn latest_code(state: &State) -> String {
    match state.inbox().newest_first().next() {
        Some(Message {
            body: Body::VerificationCode { code, .. },
            ..
        }) => code.clone(),
        None => String::new(),
    }
}

fn registered() -> (State, AccountId) {
    let mut state = State::default();
    let mut rng = rng();
    state
        .send_register_code(PHONE, at(0), &mut rng)
        .unwrap_or_else(|e| panic!("{e}"));
    let code = latest_code(&state);
    let form = Registration {
        login: PHONE,
        real_name: "张小明",
        password: PASSWORD,
        code: &code,
        provider: crate::provider::ProviderId::default(),
    };
    let id = state
        .register(form, at(10), &mut rng, &fast_hasher())
        .unwrap_or_else(|e| panic!("{e}"));
    (state, id)
}

/// A registered, signed-in account with two-factor login on (enabled
/// at 100 s); returns its secret and recovery codes.
fn with_two_factor() -> (State, AccountId, crate::totp::Secret, Vec<String>) {
    use crate::totp::{code_for_step, step_at};
    let (mut state, id) = registered();
    state
        .log_in(PHONE, PASSWORD, at(20))
        .unwrap_or_else(|e| panic!("{e}"));
    let secret = state
        .begin_totp(&mut rng())
        .unwrap_or_else(|e| panic!("{e}"));
    let codes = state
        .confirm_totp(
            &code_for_step(&secret, step_at(at(100))),
            at(100),
            &mut rng(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    state.log_out();
    (state, id, secret, codes)
}

fn code_at(secret: &crate::totp::Secret, secs: i64) -> String {
    crate::totp::code_for_step(secret, crate::totp::step_at(at(secs)))
}

#[test]
fn two_factor_login_needs_the_code_after_the_password() {
    let (mut state, id, secret, _) = with_two_factor();
    assert_eq!(state.log_in(PHONE, PASSWORD, at(200)), Ok(id));
    assert!(state.signed_in().is_none(), "not usable before the code");
    assert_eq!(state.awaiting_login_code().map(Account::id), Some(id));
    assert_eq!(
        state.enter_login_code("000000", at(201), at(201)),
        Err(AccountError::WrongCode { remaining: 4 })
    );
    assert_eq!(
        state.enter_login_code(&code_at(&secret, 205), at(205), at(205)),
        Ok(SecondFactor::Code)
    );
    assert_eq!(state.signed_in().map(Account::id), Some(id));
    // The same code cannot sign in a second time.
    state.log_out();
    state.log_in(PHONE, PASSWORD, at(206)).unwrap();
    assert_eq!(
        state.enter_login_code(&code_at(&secret, 205), at(207), at(207)),
        Err(AccountError::SecondFactor(TotpError::Reused))
    );
}

#[test]
fn wrong_codes_lock_the_account_like_wrong_passwords() {
    let (mut state, _, secret, _) = with_two_factor();
    state.log_in(PHONE, PASSWORD, at(200)).unwrap();
    for remaining in (1..MAX_FAILED_LOGINS).rev() {
        assert_eq!(
            state.enter_login_code("000000", at(201), at(201)),
            Err(AccountError::WrongCode { remaining })
        );
    }
    assert_eq!(
        state.enter_login_code("000000", at(202), at(202)),
        Err(AccountError::Locked {
            until: at(202 + 900)
        })
    );
    assert!(state.session().is_none(), "the lock ends the sign-in");
    assert_eq!(
        state.log_in(PHONE, PASSWORD, at(300)),
        Err(AccountError::Locked {
            until: at(202 + 900)
        })
    );
    state.log_in(PHONE, PASSWORD, at(1_200)).unwrap();
    assert!(state
        .enter_login_code(&code_at(&secret, 1_200), at(1_200), at(1_200))
        .is_ok());
}

#[test]
fn the_second_step_expires_and_a_lock_abandons_it() {
    let (mut state, _, secret, _) = with_two_factor();
    state.log_in(PHONE, PASSWORD, at(200)).unwrap();
    assert_eq!(
        state.enter_login_code(&code_at(&secret, 501), at(501), at(501)),
        Err(AccountError::SecondFactor(TotpError::Expired))
    );
    assert!(state.session().is_none());
    state.log_in(PHONE, PASSWORD, at(600)).unwrap();
    state.lock_now();
    assert!(state.session().is_none());
    assert_eq!(
        state.unlock(PASSWORD, at(601)),
        Err(AccountError::NotSignedIn),
        "the password alone never opens a two-factor account"
    );
}

#[test]
fn a_recovery_code_signs_in_once() {
    let (mut state, id, _, codes) = with_two_factor();
    state.log_in(PHONE, PASSWORD, at(200)).unwrap();
    assert_eq!(
        state.enter_login_code(&codes[3], at(201), at(201)),
        Ok(SecondFactor::Recovery { remaining: 9 })
    );
    assert_eq!(state.signed_in().map(Account::id), Some(id));
    state.log_out();
    state.log_in(PHONE, PASSWORD, at(202)).unwrap();
    assert_eq!(
        state.enter_login_code(&codes[3], at(203), at(203)),
        Err(AccountError::SecondFactor(TotpError::Reused))
    );
}

#[test]
fn setup_needs_a_code_and_turning_off_needs_the_password() {
    let (mut state, _) = registered();
    state.log_in(PHONE, PASSWORD, at(20)).unwrap();
    assert_eq!(
        state.confirm_totp("123456", at(21), &mut rng()),
        Err(AccountError::SecondFactor(TotpError::NoSetup))
    );
    let secret = state
        .begin_totp(&mut rng())
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(
        state.confirm_totp("12345", at(21), &mut rng()),
        Err(AccountError::SecondFactor(TotpError::Malformed))
    ));
    assert!(state
        .signed_in()
        .is_some_and(|a| a.totp().is_none() && a.totp_setup().is_some()));
    let codes = state.confirm_totp(&code_at(&secret, 30), at(30), &mut rng());
    assert!(codes.is_ok_and(|c| c.len() == crate::totp::RECOVERY_CODES));
    assert_eq!(
        state.begin_totp(&mut rng()).map(|_| ()),
        Err(AccountError::SecondFactor(TotpError::AlreadyEnabled))
    );
    assert_eq!(
        state.disable_totp("Wrong2026x", at(40)),
        Err(AccountError::WrongPassword { remaining: 4 })
    );
    assert_eq!(state.disable_totp(PASSWORD, at(41)), Ok(()));
    assert!(state.signed_in().is_some_and(|a| a.totp().is_none()));
    state.log_out();
    assert!(state.log_in(PHONE, PASSWORD, at(50)).is_ok());
    assert!(state.signed_in().is_some(), "one step again once it is off");
}

#[test]
fn a_password_change_needs_the_current_one_and_a_good_new_one() {
    let (mut state, id) = registered();
    state.log_in(PHONE, PASSWORD, at(20)).unwrap();
    let mut change = |current: &str, new: &str, again: &str| {
        state.change_password(current, new, again, at(30), &mut rng(), &fast_hasher())
    };
    assert!(matches!(
        change(PASSWORD, "short1", "short1"),
        Err(AccountError::Password(_))
    ));
    assert_eq!(
        change(PASSWORD, "Changed2027y", "Changed2027z"),
        Err(AccountError::PasswordsDiffer)
    );
    assert_eq!(
        change(PASSWORD, PASSWORD, PASSWORD),
        Err(AccountError::SamePassword)
    );
    assert_eq!(
        change("Wrong2026x", "Changed2027y", "Changed2027y"),
        Err(AccountError::WrongPassword { remaining: 4 })
    );
    assert_eq!(change(PASSWORD, "Changed2027y", "Changed2027y"), Ok(()));
    state.log_out();
    assert_eq!(
        state.log_in(PHONE, PASSWORD, at(40)),
        Err(AccountError::WrongPassword { remaining: 4 })
    );
    assert_eq!(state.log_in(PHONE, "Changed2027y", at(41)), Ok(id));
}

#[test]
fn two_factor_survives_storage() {
    let (state, _, _, _) = with_two_factor();
    let json = state.to_json().unwrap_or_default();
    assert_eq!(State::from_json(&json).as_ref(), Ok(&state));
}

#[test]
fn code_arrives_in_the_phone_inbox() {
    let mut state = State::default();
    let sent = state.send_register_code(PHONE, at(0), &mut rng());
    assert_eq!(sent.map(|s| s.to.masked()), Ok("138****8000".to_owned()));
    let message = state.inbox().newest_first().next().cloned();
    assert_eq!(message.as_ref().map(|m| m.to.as_str()), Some("13800138000"));
    assert_eq!(message.map(|m| m.channel), Some(Channel::Sms));
    assert_eq!(latest_code(&state).len(), 6);
}

#[test]
fn email_codes_arrive_as_email() {
    let mut state = State::default();
    state
        .send_register_code("Li.Hua@Example.com", at(0), &mut rng())
        .unwrap();
    let message = state.inbox().newest_first().next().cloned();
    assert_eq!(
        message.map(|m| (m.to, m.channel)),
        Some(("li.hua@example.com".to_owned(), Channel::Email))
    );
}

#[test]
fn register_then_log_in_by_normalised_phone() {
    let (mut state, id) = registered();
    assert_eq!(
        state.account(id).map(|a| a.login().as_str()),
        Some("13800138000")
    );
    assert_eq!(state.log_in("13800138000", PASSWORD, at(20)), Ok(id));
    assert_eq!(state.signed_in().map(Account::id), Some(id));
}

#[test]
fn password_is_never_stored_in_clear() {
    let (state, _) = registered();
    let json = state.to_json().unwrap_or_default();
    assert!(!json.contains(PASSWORD));
    assert!(json.contains("$argon2id$"));
}

#[test]
fn an_address_registers_once() {
    let (mut state, _) = registered();
    assert_eq!(
        state.send_register_code("13800138000", at(100), &mut rng()),
        Err(AccountError::AlreadyRegistered)
    );
}

#[rstest]
#[case("张小明", "abc", AccountError::Password(PasswordError::TooShort))]
#[case("张小明", "password123", AccountError::Password(PasswordError::Common))]
#[case(
    "张小明",
    "a13800138000",
    AccountError::Password(PasswordError::ContainsPhone)
)]
#[case("x", PASSWORD, AccountError::Identity(IdentityError::NameInvalid))]
fn a_rejected_form_costs_no_code_attempt(
    #[case] name: &str,
    #[case] password: &str,
    #[case] error: AccountError,
) {
    let mut state = State::default();
    let mut rng = rng();
    state.send_register_code(PHONE, at(0), &mut rng).unwrap();
    let before = state.clone();
    let code = latest_code(&state);
    for _ in 0..10 {
        let form = Registration {
            login: PHONE,
            real_name: name,
            password,
            code: &code,
            provider: crate::provider::ProviderId::default(),
        };
        assert_eq!(
            state.register(form, at(5), &mut rng, &fast_hasher()),
            Err(error.clone())
        );
    }
    assert_eq!(state, before);
}

#[test]
fn five_wrong_passwords_lock_for_fifteen_minutes() {
    let (mut state, id) = registered();
    for remaining in (1..=4).rev() {
        assert_eq!(
            state.log_in(PHONE, "Wrong2026x", at(100)),
            Err(AccountError::WrongPassword { remaining })
        );
    }
    let until = at(100).plus(LOCKOUT);
    assert_eq!(
        state.log_in(PHONE, "Wrong2026x", at(100)),
        Err(AccountError::Locked { until })
    );
    // Locked: even the right password is refused, until the lock ends.
    assert_eq!(
        state.log_in(PHONE, PASSWORD, at(100 + 899)),
        Err(AccountError::Locked { until })
    );
    assert_eq!(state.log_in(PHONE, PASSWORD, at(100 + 900)), Ok(id));
}

#[test]
fn success_resets_the_count() {
    let (mut state, id) = registered();
    for _ in 0..4 {
        let _ = state.log_in(PHONE, "Wrong2026x", at(100));
    }
    assert_eq!(state.log_in(PHONE, PASSWORD, at(101)), Ok(id));
    assert_eq!(
        state.log_in(PHONE, "Wrong2026x", at(102)),
        Err(AccountError::WrongPassword { remaining: 4 })
    );
}

#[rstest]
#[case("13900139000", PASSWORD, AccountError::NotRegistered)]
#[case("139", PASSWORD, AccountError::Identity(IdentityError::PhoneInvalid))]
#[case("", PASSWORD, AccountError::Identity(IdentityError::Empty))]
#[case("", "", AccountError::Identity(IdentityError::Empty))]
#[case(PHONE, "", AccountError::PasswordEmpty)]
#[case(PHONE, "  \u{3000}", AccountError::PasswordEmpty)]
#[case("13900139000", "", AccountError::PasswordEmpty)]
fn log_in_rejects(#[case] login: &str, #[case] password: &str, #[case] error: AccountError) {
    let (mut state, _) = registered();
    let before = state.clone();
    assert_eq!(state.log_in(login, password, at(20)), Err(error));
    assert_eq!(state, before);
}

#[test]
fn an_empty_password_is_no_try() {
    let (mut state, id) = registered();
    for _ in 0..4 {
        let _ = state.log_in(PHONE, "Wrong2026x", at(100));
    }
    let before = state.clone();
    for _ in 0..10 {
        let refused = state.log_in(PHONE, "", at(101));
        assert_eq!(refused, Err(AccountError::PasswordEmpty));
        assert_eq!(
            refused.err().map(|e| e.code()),
            Some("W-ACC-PASSWORD-EMPTY")
        );
    }
    assert_eq!(state, before, "nothing counted, nothing changed");
    assert_eq!(state.log_in(PHONE, PASSWORD, at(102)), Ok(id));
    // Locked: an empty password still says "enter the password" and
    // changes nothing; the lock speaks once something is typed.
    for _ in 0..5 {
        let _ = state.log_in(PHONE, "Wrong2026x", at(200));
    }
    let locked = state.clone();
    assert_eq!(
        state.log_in(PHONE, "", at(201)),
        Err(AccountError::PasswordEmpty)
    );
    assert_eq!(state, locked);
}

#[test]
fn every_password_check_refuses_an_empty_one_without_counting() {
    let (mut state, _) = registered();
    state.log_in(PHONE, PASSWORD, at(20)).unwrap();
    let before = state.clone();
    assert_eq!(
        state.change_password(
            " ",
            "Changed2027y",
            "Changed2027y",
            at(30),
            &mut rng(),
            &fast_hasher()
        ),
        Err(AccountError::PasswordEmpty)
    );
    assert_eq!(state, before);
    state.lock_now();
    let locked = state.clone();
    assert_eq!(state.unlock("", at(31)), Err(AccountError::PasswordEmpty));
    assert_eq!(state, locked, "the lock screen counted nothing");
    assert_eq!(state.unlock(PASSWORD, at(32)), Ok(()));
}

#[derive(Debug, Clone)]
enum Attempt {
    Right,
    Wrong,
    Wait(i64),
}

fn attempt() -> impl Strategy<Value = Attempt> {
    prop_oneof![
        2 => Just(Attempt::Wrong),
        1 => Just(Attempt::Right),
        1 => (1i64..1200).prop_map(Attempt::Wait),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Against a simple model: success only when not locked; the lock
    /// starts on the fifth consecutive failure and lasts 15 minutes.
    #[test]
    fn lockout_matches_the_model(attempts in proptest::collection::vec(attempt(), 1..40)) {
        let (mut state, id) = registered();
        let mut now = 1000;
        let mut failures = 0u8;
        let mut locked_until: Option<i64> = None;
        for step in attempts {
            match step {
                Attempt::Wait(secs) => now += secs,
                Attempt::Right | Attempt::Wrong => {
                    let right = matches!(step, Attempt::Right);
                    let result = state.log_in(PHONE, if right { PASSWORD } else { "Wrong2026x" }, at(now));
                    let locked = locked_until.is_some_and(|u| u > now);
                    if locked {
                        let refused = matches!(result, Err(AccountError::Locked { .. }));
                        prop_assert!(refused, "{:?}", result);
                    } else if right {
                        prop_assert_eq!(result, Ok(id));
                        failures = 0;
                    } else {
                        failures += 1;
                        if failures == MAX_FAILED_LOGINS {
                            failures = 0;
                            locked_until = Some(now + 900);
                            prop_assert_eq!(result, Err(AccountError::Locked { until: at(now + 900) }));
                        } else {
                            prop_assert_eq!(result, Err(AccountError::WrongPassword { remaining: MAX_FAILED_LOGINS - failures }));
                        }
                    }
                }
            }
        }
    }
}
