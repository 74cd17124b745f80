//! Binding the wallet to the simulated WeChat, through `core`'s public API
//! with the clock driven: the article's steps, every failure it lists, the
//! OAuth errors, unbinding from either side, rebinding — and a property
//! test that no sequence of steps leaves half a binding.

use proptest::prelude::*;
use qianbao_core::binding::{BindError, Binding, EndReason};
use qianbao_core::error::UserError;
use qianbao_core::sim::{Endpoint, Faults};
use qianbao_core::wechat::{AuthorizeRequest, WeChatError, QIANBAO, QIANBAO_APPID};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use std::time::Duration;

use qianbao_core::testkit::*;

#[test]
fn the_articles_steps_bind_the_wallet() {
    let mut w = World::new();
    let url = w.start();
    assert!(
        url.starts_with("/wechat/connect/oauth2/authorize?appid="),
        "{url}"
    );
    assert!(url.ends_with("#wechat_redirect"));
    assert_eq!(
        param(&url, "redirect_uri").as_deref(),
        Some("http://127.0.0.1:8080/bind/callback")
    );
    assert_eq!(param(&url, "scope").as_deref(), Some("snsapi_userinfo"));
    assert_eq!(param(&url, "state").map(|s| s.len()), Some(32));
    w.wechat_log_in(false);
    let redirect = w.approve(&url).unwrap_or_else(|e| panic!("{e}"));
    assert!(redirect.starts_with("http://127.0.0.1:8080/bind/callback?code="));
    assert_eq!(w.callback(&redirect), Ok(()));
    let Binding::Bound(bound) = w.binding() else {
        panic!("not bound: {:?}", w.binding())
    };
    assert_eq!(bound.nickname, w.demo.wechat.nickname);
    assert!(bound.masked_wxid.contains('*'));
    assert!(w.live_grant());
    // A reload of the callback page is recognised, not refused.
    assert_eq!(w.callback(&redirect), Ok(()));
    // The log shows the exchanges with their real field names.
    let endpoints: Vec<Endpoint> = w.state.sim().log().iter().map(|e| e.endpoint).collect();
    assert_eq!(
        endpoints,
        vec![
            Endpoint::Authorize,
            Endpoint::AccessToken,
            Endpoint::UserInfo,
            Endpoint::CheckRealName
        ]
    );
    assert!(w.state.sim().log()[1]
        .response
        .iter()
        .any(|(k, _)| k == "openid"));
}

#[test]
fn second_factor_is_asked_only_the_first_time() {
    let mut w = World::new();
    assert_eq!(w.bind(), Ok(()));
    let now = w.tick(1);
    w.state.unbind_wechat(now).unwrap();
    let url = w.start();
    assert!(!w.state.wechat().needs_second_factor(QIANBAO_APPID));
    let redirect = w.approve(&url).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(w.callback(&redirect), Ok(()));
}

#[test]
fn a_wrong_second_factor_code_is_refused() {
    let mut w = World::new();
    let url = w.start();
    w.wechat_log_in(false);
    let req = Req::from_url(&url);
    let request = req.get();
    let now = w.tick(1);
    w.state.send_wechat_code(now, &mut w.rng).unwrap();
    let wrong = if w.latest_sms() == "000000" {
        "111111"
    } else {
        "000000"
    };
    let result = w
        .state
        .approve_authorization(&request, &site(), Some(wrong), now, &mut w.rng);
    assert_eq!(result.map_err(|e| e.code()), Err("W-CODE-WRONG"));
}

#[test]
fn denial_cancels_and_rebinding_works() {
    let mut w = World::new();
    let url = w.start();
    w.wechat_log_in(false);
    let req = Req::from_url(&url);
    let request = req.get();
    let now = w.tick(1);
    let back = w
        .state
        .deny_authorization(&request, &site(), now)
        .unwrap_or_default();
    assert_eq!(param(&back, "code"), None);
    assert_eq!(w.callback(&back), Err(BindError::Denied));
    assert_eq!(w.binding(), Binding::Unbound);
    assert_eq!(w.bind(), Ok(()));
}

#[test]
fn permission_off_is_an_error_with_guidance_until_turned_on() {
    let mut w = World::new();
    let url = w.start();
    w.wechat_log_in(false);
    w.state.wechat_mut().set_allow_third_party(false).unwrap();
    let error = w.approve(&url).err();
    assert_eq!(error, Some(BindError::WeChat(WeChatError::ThirdPartyOff)));
    assert_eq!(error.map(|e| e.code()), Some("W-BIND-PERMISSION"));
    w.state.wechat_mut().set_allow_third_party(true).unwrap();
    let redirect = w.approve(&url).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(w.callback(&redirect), Ok(()));
}

#[test]
fn a_mismatching_real_name_binds_nothing_on_either_side() {
    let mut w = World::new();
    let url = w.start();
    w.wechat_log_in(true);
    let redirect = w.approve(&url).unwrap_or_else(|e| panic!("{e}"));
    let wechat_before = w.state.wechat().clone();
    assert_eq!(w.callback(&redirect), Err(BindError::Mismatch));
    assert_eq!(w.binding(), Binding::Unbound);
    assert_eq!(w.state.wechat(), &wechat_before);
    assert!(w.state.wechat().authorized_apps().is_empty());
}

#[test]
fn a_network_failure_changes_nothing_and_the_retry_works() {
    let mut w = World::new();
    let url = w.start();
    w.wechat_log_in(false);
    let redirect = w.approve(&url).unwrap_or_else(|e| panic!("{e}"));
    // The token exchange fails twice as if offline: nothing changes anywhere.
    for _ in 0..2 {
        w.state.sim_mut().set_faults(Faults {
            network: 1,
            busy: 0,
            latency_ms: 0,
        });
        let wechat_before = w.state.wechat().clone();
        let result = w.callback(&redirect);
        assert_eq!(result.as_ref().map_err(|e| e.code()), Err("W-BIND-NETWORK"));
        assert!(matches!(w.binding(), Binding::Authorizing { .. }));
        assert_eq!(w.state.wechat(), &wechat_before);
    }
    w.state.sim_mut().set_faults(Faults {
        network: 0,
        busy: 1,
        latency_ms: 0,
    });
    assert_eq!(w.callback(&redirect).map_err(|e| e.code()), Err("-1"));
    assert_eq!(w.callback(&redirect), Ok(()));
    assert!(w.live_grant());
}

#[test]
fn offline_the_exchange_fails_like_a_network_failure_until_back_online() {
    let mut w = World::new();
    let url = w.start();
    w.wechat_log_in(false);
    let redirect = w.approve(&url).unwrap_or_else(|e| panic!("{e}"));
    // The browser is offline (the shell says so): every try fails the same
    // way, changes nothing on either side, and uses up no injected fault.
    w.state.sim_mut().set_faults(Faults {
        network: 0,
        busy: 1,
        latency_ms: 0,
    });
    w.state.sim_mut().set_offline(true);
    for _ in 0..3 {
        let wechat_before = w.state.wechat().clone();
        assert_eq!(
            w.callback(&redirect).map_err(|e| e.code()),
            Err("W-BIND-NETWORK")
        );
        assert!(matches!(w.binding(), Binding::Authorizing { .. }));
        assert_eq!(w.state.wechat(), &wechat_before);
    }
    w.state.sim_mut().set_offline(false);
    assert_eq!(
        w.callback(&redirect).map_err(|e| e.code()),
        Err("-1"),
        "the plan is intact"
    );
    assert_eq!(w.callback(&redirect), Ok(()));
    assert!(w.live_grant());
}

#[test]
fn oauth_errors_are_reproducible() {
    let mut w = World::new();
    // Forged state.
    let url = w.start();
    w.wechat_log_in(false);
    let redirect = w.approve(&url).unwrap_or_else(|e| panic!("{e}"));
    let forged = redirect.replace("state=", "state=x");
    assert_eq!(w.callback(&forged), Err(BindError::ForgedState));
    // Expired code: five minutes pass before the callback.
    w.tick(301);
    assert_eq!(
        w.callback(&redirect),
        Err(BindError::WeChat(WeChatError::InvalidCode))
    );
    assert_eq!(w.binding(), Binding::Unbound);
    // Reused code: bind, unbind, start again and replay the old code.
    let url = w.start();
    let first = w.approve(&url).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(w.callback(&first), Ok(()));
    let now = w.tick(1);
    assert_eq!(w.state.unbind_wechat(now), Ok(()));
    let url = w.start();
    let new_state = param(&url, "state").unwrap_or_default();
    let old_code = param(&first, "code").unwrap_or_default();
    let replay = format!("http://127.0.0.1:8080/bind/callback?code={old_code}&state={new_state}");
    assert_eq!(
        w.callback(&replay),
        Err(BindError::WeChat(WeChatError::CodeUsed))
    );
    // Unknown appid and a foreign redirect domain are refused by WeChat.
    let request = AuthorizeRequest {
        appid: "wx0000000000000000",
        redirect_uri: "http://127.0.0.1:8080/bind/callback",
        response_type: "code",
        scope: "snsapi_userinfo",
        state: "s",
    };
    assert_eq!(
        w.state
            .wechat()
            .check_request(&request, "127.0.0.1:8080")
            .err()
            .map(|e| e.code()),
        Some("40013")
    );
    let request = AuthorizeRequest {
        appid: QIANBAO_APPID,
        redirect_uri: "http://evil.example.com/cb",
        ..request
    };
    assert_eq!(
        w.state
            .wechat()
            .check_request(&request, "127.0.0.1:8080")
            .err()
            .map(|e| e.code()),
        Some("10003")
    );
    // A callback nobody started.
    let now = w.tick(1);
    let _ = w
        .state
        .complete_binding(None, &new_state, now, &mut ChaCha20Rng::seed_from_u64(1));
    assert_eq!(w.callback(&replay), Err(BindError::NotAuthorizing));
}

#[test]
fn unbinding_from_the_wallet_revokes_the_tokens() {
    let mut w = World::new();
    assert_eq!(w.bind(), Ok(()));
    let Binding::Bound(bound) = w.binding() else {
        panic!("bound")
    };
    w.state.sim_mut().set_faults(Faults {
        network: 1,
        busy: 0,
        latency_ms: 0,
    });
    let now = w.tick(1);
    assert_eq!(
        w.state.unbind_wechat(now).map_err(|e| e.code()),
        Err("W-BIND-NETWORK")
    );
    assert!(w.live_grant());
    let now = w.tick(1);
    assert_eq!(w.state.unbind_wechat(now), Ok(()));
    assert!(matches!(
        w.binding(),
        Binding::Ended {
            reason: EndReason::Unbound,
            ..
        }
    ));
    assert!(!w
        .state
        .wechat()
        .has_live_grant(QIANBAO_APPID, &bound.openid));
    assert_eq!(w.bind(), Ok(()));
}

#[test]
fn revoking_in_wechat_ends_the_binding_on_next_use() {
    let mut w = World::new();
    assert_eq!(w.bind(), Ok(()));
    assert_eq!(w.state.wechat_mut().revoke_app(QIANBAO_APPID), Ok(()));
    assert!(w.state.wechat().authorized_apps().is_empty());
    assert!(matches!(w.binding(), Binding::Bound(_)));
    let now = w.tick(1);
    assert_eq!(
        w.state
            .check_binding(now, &mut ChaCha20Rng::seed_from_u64(2)),
        Ok(())
    );
    assert!(matches!(
        w.binding(),
        Binding::Ended {
            reason: EndReason::RevokedInWeChat,
            ..
        }
    ));
    assert_eq!(w.bind(), Ok(()));
}

#[test]
fn tokens_refresh_after_two_hours_and_die_after_thirty_days() {
    let mut w = World::new();
    assert_eq!(w.bind(), Ok(()));
    w.state.sim_mut().advance(Duration::from_secs(3 * 3600));
    let now = w.tick(3 * 3600);
    assert_eq!(
        w.state
            .check_binding(now, &mut ChaCha20Rng::seed_from_u64(3)),
        Ok(())
    );
    assert!(w.live_grant());
    let refreshed = w
        .state
        .sim()
        .log()
        .iter()
        .any(|e| e.endpoint == Endpoint::RefreshToken && e.error.is_none());
    assert!(refreshed);
    let now = w.tick(31 * 24 * 3600);
    assert_eq!(
        w.state
            .check_binding(now, &mut ChaCha20Rng::seed_from_u64(4)),
        Ok(())
    );
    assert!(matches!(w.binding(), Binding::Ended { .. }));
}

#[test]
fn the_binding_state_machine_refuses_illegal_steps() {
    let mut w = World::new();
    let now = w.tick(1);
    assert_eq!(w.state.unbind_wechat(now), Err(BindError::NotBound));
    assert_eq!(w.bind(), Ok(()));
    let now = w.tick(1);
    assert_eq!(
        w.state
            .start_binding(&site(), now, &mut ChaCha20Rng::seed_from_u64(5)),
        Err(BindError::AlreadyBound)
    );
}

#[derive(Debug, Clone)]
enum Step {
    Start,
    Approve,
    Deny,
    Callback,
    Forge,
    Unbind,
    RevokeInWeChat,
    Check,
    Fault(u32),
    Wait(i64),
    PermissionOff,
    PermissionOn,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => Just(Step::Start),
        3 => Just(Step::Approve),
        1 => Just(Step::Deny),
        3 => Just(Step::Callback),
        1 => Just(Step::Forge),
        2 => Just(Step::Unbind),
        1 => Just(Step::RevokeInWeChat),
        2 => Just(Step::Check),
        2 => (1u32..3).prop_map(Step::Fault),
        1 => (1i64..400).prop_map(Step::Wait),
        1 => Just(Step::PermissionOff),
        1 => Just(Step::PermissionOn),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    /// Whatever happens, the two sides agree: the wallet is bound exactly
    /// when WeChat holds a live grant for its openid, and WeChat never holds
    /// a live grant the wallet does not know about.
    #[test]
    fn bind_unbind_revoke_and_faults_keep_both_sides_consistent(steps in proptest::collection::vec(step(), 1..40)) {
        let mut w = World::new();
        w.wechat_log_in(false);
        let mut url = String::new();
        let mut redirect = String::new();
        for step in steps {
            match step {
                Step::Start => {
                    let now = w.tick(1);
                    if let Ok(u) = w.state.start_binding(&site(), now, &mut w.rng) { url = u; }
                }
                Step::Approve => if !url.is_empty() { if let Ok(r) = w.approve(&url) { redirect = r; } },
                Step::Deny => if !url.is_empty() {
                    let req = Req::from_url(&url);
                    let now = w.tick(1);
                    if let Ok(r) = w.state.deny_authorization(&req.get(), &site(), now) { redirect = r; }
                },
                Step::Callback => if !redirect.is_empty() { let _ = w.callback(&redirect.clone()); },
                Step::Forge => if !redirect.is_empty() { let _ = w.callback(&redirect.replace("state=", "state=f")); },
                Step::Unbind => { let now = w.tick(1); let _ = w.state.unbind_wechat(now); }
                Step::RevokeInWeChat => { let _ = w.state.wechat_mut().revoke_app(QIANBAO_APPID); }
                Step::Check => { let now = w.tick(1); let _ = w.state.check_binding(now, &mut ChaCha20Rng::seed_from_u64(9)); }
                Step::Fault(n) => w.state.sim_mut().set_faults(Faults { network: n, busy: 0, latency_ms: 0 }),
                Step::Wait(secs) => { w.tick(secs); }
                Step::PermissionOff => { let _ = w.state.wechat_mut().set_allow_third_party(false); }
                Step::PermissionOn => { let _ = w.state.wechat_mut().set_allow_third_party(true); }
            }
            let live = w.state.wechat().authorized_apps().len();
            match w.binding() {
                Binding::Bound(b) => {
                    // Bound: WeChat has the grant, unless the user revoked it
                    // there and the wallet has not used the token since.
                    let grant_live = w.state.wechat().has_live_grant(QIANBAO_APPID, &b.openid);
                    prop_assert!(grant_live || live == 0);
                    prop_assert!(live <= 1);
                }
                _ => prop_assert_eq!(live, 0, "a live grant without a binding"),
            }
        }
    }
}

#[test]
fn moving_money_to_wechat_change_needs_a_live_binding() {
    use qianbao_core::card::{test_card_number, NewCard};
    use qianbao_core::money::Fen;
    use qianbao_core::movement::{HistoryFilter, HistoryKind, MoveError, MovementForm};
    let mut w = World::new();
    let name = w.demo.wallet.real_name.as_str().to_owned();
    let number = test_card_number("622202", "0012345678");
    let card = w
        .state
        .add_card(
            NewCard {
                number: &number,
                holder: &name,
                expiry: "",
                cvv: "",
            },
            at(5),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let top_up = w
        .state
        .prepare(
            MovementForm::TopUp {
                card,
                amount: "100",
            },
            at(6),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    w.state.commit("t", &top_up, at(6)).unwrap();
    let form = MovementForm::ToWeChat { amount: "10" };
    assert_eq!(
        w.state.prepare(form, at(7)).err(),
        Some(MoveError::NotBound)
    );

    assert_eq!(w.bind(), Ok(()));
    let me = w.me();
    let user = w.wechat_user();
    let prepared = w
        .state
        .prepare(form, at(100))
        .unwrap_or_else(|e| panic!("{e}"));
    // Offline: nothing moves.
    w.state.sim_mut().set_faults(Faults {
        network: 1,
        busy: 0,
        latency_ms: 0,
    });
    let before = w.state.balance(me);
    assert_eq!(
        w.state
            .commit("c1", &prepared, at(100))
            .map_err(|e| e.code()),
        Err("WX-NETWORK")
    );
    assert_eq!(w.state.balance(me), before);
    // Online: the wallet pays, 零钱 receives, the history says so.
    assert!(w.state.commit("c1", &prepared, at(101)).is_ok());
    assert_eq!(w.state.balance(me), Fen::from_yuan(90));
    assert_eq!(w.state.wechat_change(user), Fen::from_yuan(10));
    assert_eq!(
        w.state
            .history(me, HistoryFilter::default())
            .next()
            .map(|l| l.kind),
        Some(HistoryKind::ToWeChat)
    );
    assert_eq!(w.state.ledger().total(), 0);
    assert!(w.round_trips());
    // Revoked in WeChat: refused with 48001, and the binding ends.
    w.state.wechat_mut().revoke_app(QIANBAO_APPID).unwrap();
    let again = w
        .state
        .prepare(form, at(102))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        w.state.commit("c2", &again, at(102)).map_err(|e| e.code()),
        Err("48001")
    );
    assert!(matches!(
        w.binding(),
        Binding::Ended {
            reason: EndReason::RevokedInWeChat,
            ..
        }
    ));
    assert_eq!(w.state.wechat_change(user), Fen::from_yuan(10));
}

/// Regression (found by the simulation test): after thirty days the refresh
/// token is dead and the wallet's check ends the binding; WeChat's grant must
/// lapse with it, or WeChat keeps a live grant that no wallet is bound to.
#[test]
fn a_lapsed_authorization_ends_on_both_sides() {
    let mut w = World::new();
    assert_eq!(w.bind(), Ok(()));
    let openid = w.binding().bound().map(|b| b.openid.clone());
    let openid = openid.unwrap_or_else(|| panic!("bound"));
    let now = w.tick(30 * 24 * 3600 + 1);
    assert_eq!(
        w.state
            .check_binding(now, &mut ChaCha20Rng::seed_from_u64(6)),
        Ok(())
    );
    assert!(matches!(w.binding(), Binding::Ended { .. }));
    assert!(!w.state.wechat().has_live_grant(QIANBAO_APPID, &openid));
    assert!(w.state.wechat().authorized_apps().is_empty());
    // Binding again works and is live on both sides.
    assert_eq!(w.bind(), Ok(()));
    assert!(w.live_grant());
}

/// The authorize page's steps come from core, in the order a person meets
/// them: the network, the request, the login, the permission, consent (with
/// 二次验证 the first time only).
#[test]
fn the_authorize_page_steps_in_order() {
    use qianbao_core::binding::AuthorizeStep;
    let mut w = World::new();
    let url = w.start();
    let req = Req::from_url(&url);
    let host = site().host();
    let step = |w: &World, reachable| w.state.authorize_step(&req.get(), &host, reachable);
    assert_eq!(step(&w, false), AuthorizeStep::Unreachable);
    assert_eq!(step(&w, false).error(), Some(WeChatError::Network));
    let mut foreign = Req::from_url(&url);
    foreign.appid = "wx0000000000000000".to_owned();
    assert_eq!(
        w.state.authorize_step(&foreign.get(), &host, true),
        AuthorizeStep::BadRequest(WeChatError::InvalidAppId)
    );
    assert_eq!(step(&w, true), AuthorizeStep::LogIn);
    w.wechat_log_in(false);
    w.state.wechat_mut().set_allow_third_party(false).unwrap();
    assert_eq!(step(&w, true), AuthorizeStep::PermissionOff);
    assert_eq!(step(&w, true).error(), Some(WeChatError::ThirdPartyOff));
    w.state.wechat_mut().set_allow_third_party(true).unwrap();
    assert_eq!(
        step(&w, true),
        AuthorizeStep::Consent {
            app: QIANBAO,
            second_factor: true
        }
    );
    let redirect = w.approve(&url).unwrap();
    assert_eq!(w.callback(&redirect), Ok(()));
    let now = w.tick(1);
    w.state.unbind_wechat(now).unwrap();
    let url = w.start();
    let again = Req::from_url(&url);
    assert_eq!(
        w.state.authorize_step(&again.get(), &host, true),
        AuthorizeStep::Consent {
            app: QIANBAO,
            second_factor: false
        }
    );
}

/// The request log's codes read back as the errors they stand for.
#[test]
fn api_codes_read_back_as_their_errors() {
    for error in [
        WeChatError::InvalidAppId,
        WeChatError::InvalidCode,
        WeChatError::CodeUsed,
        WeChatError::TokenExpired,
        WeChatError::SystemBusy,
        WeChatError::Network,
    ] {
        assert_eq!(WeChatError::from_api_code(error.code()), Some(error));
    }
    assert_eq!(WeChatError::from_api_code("WX-ACC-EMPTY"), None);
    assert_eq!(WeChatError::from_api_code("nonsense"), None);
}

/// 「转入微信零钱」 reviewed for one WeChat account is sent to that one only:
/// if the wallet was unbound and bound to another account meanwhile (in
/// another tab), the retry of the reviewed transfer moves nothing.
#[test]
fn a_transfer_to_change_reviewed_for_one_wechat_account_never_reaches_another() {
    use qianbao_core::card::{test_card_number, NewCard};
    use qianbao_core::ledger::LedgerAccount;
    use qianbao_core::movement::{MoveError, MovementForm};
    let mut w = World::new();
    let name = w.demo.wallet.real_name.as_str().to_owned();
    let number = test_card_number("622202", "0012345678");
    let now = w.tick(1);
    let new_card = NewCard {
        number: &number,
        holder: &name,
        expiry: "",
        cvv: "",
    };
    let card = w
        .state
        .add_card(new_card, now)
        .unwrap_or_else(|e| panic!("{e}"));
    let now = w.tick(1);
    let top_up = w
        .state
        .prepare(
            MovementForm::TopUp {
                card,
                amount: "100",
            },
            now,
        )
        .unwrap_or_else(|e| panic!("{e}"));
    w.state
        .commit("t", &top_up, now)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(w.bind(), Ok(()));
    let first = w.wechat_user();
    let now = w.tick(1);
    let reviewed = w
        .state
        .prepare(MovementForm::ToWeChat { amount: "10" }, now)
        .unwrap_or_else(|e| panic!("{e}"));
    // Meanwhile: unbound, and bound to another WeChat account of the same
    // real name.
    bind_again_elsewhere(&mut w);
    let second = w.wechat_user();
    assert_ne!(first, second);
    let before = w.state.clone();
    let now = w.tick(1);
    assert_eq!(
        w.state.commit("c", &reviewed, now).err(),
        Some(MoveError::Rebound)
    );
    assert!(w.state == before, "nothing moved, nothing logged");
    assert_eq!(
        w.state.ledger().balance(LedgerAccount::WeChatChange(first)),
        w.state
            .ledger()
            .balance(LedgerAccount::WeChatChange(second)),
    );
}

/// Bound to the demo's WeChat, then unbound and bound again to a second
/// WeChat account of the same real name (as another tab or browser would):
/// the two openids.
fn rebound_elsewhere(w: &mut World) -> (String, String) {
    assert_eq!(w.bind(), Ok(()));
    let openid = |w: &World| match w.binding() {
        Binding::Bound(b) => b.openid,
        other => panic!("not bound: {other:?}"),
    };
    let first = openid(w);
    bind_again_elsewhere(w);
    let second = openid(w);
    assert_ne!(first, second);
    (first, second)
}

/// From a binding: unbound, then bound to a second WeChat account of the
/// same real name, registered and signed in for it.
fn bind_again_elsewhere(w: &mut World) {
    use qianbao_core::wechat::NewWeChat;
    let now = w.tick(1);
    assert_eq!(w.state.unbind_wechat(now), Ok(()));
    let name = w.demo.wallet.real_name.as_str().to_owned();
    let other = NewWeChat {
        wxid: "second_account",
        phone: "13900139000",
        nickname: "另一个",
        real_name: &name,
        password: "Another2026x",
        pay_password: "135790",
    };
    let now = w.tick(1);
    let mut rng = ChaCha20Rng::seed_from_u64(8);
    w.state
        .wechat_mut()
        .register(other, now, &mut rng, &fast_hasher())
        .unwrap_or_else(|e| panic!("{e}"));
    let url = w.start();
    w.state.wechat_mut().log_out();
    let now = w.tick(1);
    w.state
        .wechat_mut()
        .log_in("second_account", "Another2026x", now)
        .unwrap_or_else(|e| panic!("{e}"));
    let redirect = w.approve(&url).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(w.callback(&redirect), Ok(()));
}

fn run<C: qianbao_core::command::Request>(
    w: &mut World,
    command: &C,
) -> Result<C::Output, C::Error> {
    let now = w.tick(1);
    let mut ctx = qianbao_core::command::Ctx {
        now,
        wall: now,
        rng: &mut w.rng,
        hasher: &fast_hasher(),
    };
    command.apply(&mut w.state, &mut ctx)
}

#[test]
fn a_late_unbinding_of_a_binding_that_ended_ends_nothing_newer() {
    use qianbao_core::command::UnbindWeChat;
    let mut w = World::new();
    let (first, second) = rebound_elsewhere(&mut w);
    // The 「重试」 of an unbinding shown before the wallet was bound again.
    let stale = UnbindWeChat { openid: first };
    let before = w.state.clone();
    let refused = run(&mut w, &stale);
    assert_eq!(refused, Err(BindError::Changed));
    assert_eq!(refused.map_err(|e| e.code()), Err("W-BIND-CHANGED"));
    assert!(w.state == before, "the new binding stands, nothing logged");
    assert!(w.live_grant());
    // The binding on screen now is the one that ends.
    assert_eq!(run(&mut w, &UnbindWeChat { openid: second }), Ok(()));
    assert!(!w.live_grant());
    assert_eq!(
        run(
            &mut w,
            &UnbindWeChat {
                openid: "o-none".to_owned()
            }
        ),
        Err(BindError::NotBound)
    );
}

#[test]
fn a_commit_is_prepared_again_and_refused_if_it_is_not_what_was_reviewed() {
    use qianbao_core::command::{Commit, Form};
    use qianbao_core::movement::MoveError;
    let mut w = World::new();
    let card = w.top_up("100");
    let now = w.tick(1);
    // Reviewed: a top-up of ¥10 from this card; sent: one from another card
    // (a forged or mixed-up submission).
    let reviewed = w
        .state
        .prepare(
            qianbao_core::movement::MovementForm::TopUp { card, amount: "10" },
            now,
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let forged = Commit {
        key: "k1".to_owned(),
        form: Form::TopUp {
            card,
            amount: "11".to_owned(),
        },
        reviewed: reviewed.clone(),
    };
    let before = w.state.ledger().len();
    assert_eq!(run(&mut w, &forged).err(), Some(MoveError::Changed));
    assert_eq!(w.state.ledger().len(), before, "nothing moved");
    let honest = Commit {
        key: "k2".to_owned(),
        form: Form::TopUp {
            card,
            amount: "10".to_owned(),
        },
        reviewed,
    };
    let receipt = run(&mut w, &honest).unwrap_or_else(|e| panic!("{e}"));
    // Sent again (a 「重试」): the first receipt, nothing more.
    assert_eq!(run(&mut w, &honest), Ok(receipt));
    assert_eq!(w.state.ledger().len(), before + 1);
}
