use super::*;
use crate::security::fast_hasher;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use rstest::rstest;

fn at(secs: i64) -> Timestamp {
    Timestamp::from_millis(secs * 1000)
}

fn form<'a>(wxid: &'a str, phone: &'a str) -> NewWeChat<'a> {
    NewWeChat {
        wxid,
        phone,
        nickname: "小明",
        real_name: "张小明",
        password: "Wechat2026x",
        pay_password: "258369",
    }
}

fn logged_in() -> (WeChat, ChaCha20Rng) {
    let mut wechat = WeChat::default();
    let mut rng = ChaCha20Rng::seed_from_u64(8);
    let _ = wechat.register(
        form("zhangxm2026", "13800138000"),
        at(0),
        &mut rng,
        &fast_hasher(),
    );
    wechat
        .log_in("zhangxm2026", "Wechat2026x", Timestamp::from_millis(0))
        .unwrap();
    (wechat, rng)
}

#[rstest]
#[case(form("zx", "13800138000"), WeChatError::WxIdInvalid)]
#[case(form("1zhangxm", "13800138000"), WeChatError::WxIdInvalid)]
#[case(
    form("zhangxm2026", "123"),
    WeChatError::Identity(IdentityError::PhoneInvalid)
)]
#[case(NewWeChat { pay_password: "123456", ..form("zhangxm2026", "13800138000") }, WeChatError::PayPasswordInvalid)]
#[case(NewWeChat { pay_password: "888888", ..form("zhangxm2026", "13800138000") }, WeChatError::PayPasswordInvalid)]
#[case(NewWeChat { pay_password: "12345", ..form("zhangxm2026", "13800138000") }, WeChatError::PayPasswordInvalid)]
#[case(NewWeChat { nickname: " ", ..form("zhangxm2026", "13800138000") }, WeChatError::NicknameInvalid)]
#[case(NewWeChat { real_name: " ", ..form("zhangxm2026", "13800138000") }, WeChatError::Identity(IdentityError::NameEmpty))]
#[case(form("zhangxm2026", ""), WeChatError::Identity(IdentityError::Empty))]
fn registration_rules(#[case] form: NewWeChat<'_>, #[case] error: WeChatError) {
    let mut wechat = WeChat::default();
    let result = wechat.register(
        form,
        at(0),
        &mut ChaCha20Rng::seed_from_u64(1),
        &fast_hasher(),
    );
    assert_eq!(result, Err(error));
    assert!(wechat.accounts().is_empty());
}

#[test]
fn log_in_by_wxid_or_phone() {
    let (mut wechat, _) = logged_in();
    wechat.log_out();
    assert_eq!(
        wechat
            .log_in(
                "+86 138 0013 8000",
                "Wechat2026x",
                Timestamp::from_millis(0)
            )
            .map(|id| id.get()),
        Ok(1)
    );
    assert_eq!(
        wechat.log_in("ZhangXM2026", "wrong", Timestamp::from_millis(0)),
        Err(WeChatError::WrongPassword { remaining: 4 })
    );
    assert_eq!(
        wechat.log_in("nobody", "x", Timestamp::from_millis(0)),
        Err(WeChatError::NoSuchAccount)
    );
}

#[rstest]
#[case(
    "wxdeadbeef00000000",
    "http://127.0.0.1:8080/bind/callback",
    "code",
    "snsapi_userinfo",
    WeChatError::InvalidAppId
)]
#[case(
    QIANBAO_APPID,
    "http://evil.example.com/bind/callback",
    "code",
    "snsapi_userinfo",
    WeChatError::RedirectDomain
)]
#[case(
    QIANBAO_APPID,
    "http://127.0.0.1:8080@evil.example.com/",
    "code",
    "snsapi_userinfo",
    WeChatError::RedirectDomain
)]
#[case(
    QIANBAO_APPID,
    "/bind/callback",
    "code",
    "snsapi_userinfo",
    WeChatError::RedirectDomain
)]
#[case(
    QIANBAO_APPID,
    "http://127.0.0.1:8080/bind/callback",
    "token",
    "snsapi_userinfo",
    WeChatError::Scope
)]
#[case(
    QIANBAO_APPID,
    "http://127.0.0.1:8080/bind/callback",
    "code",
    "snsapi_admin",
    WeChatError::Scope
)]
fn authorize_requests_are_checked(
    #[case] appid: &str,
    #[case] redirect_uri: &str,
    #[case] response_type: &str,
    #[case] scope: &str,
    #[case] error: WeChatError,
) {
    let (wechat, _) = logged_in();
    let request = AuthorizeRequest {
        appid,
        redirect_uri,
        response_type,
        scope,
        state: "s",
    };
    assert_eq!(
        wechat.check_request(&request, "127.0.0.1:8080").err(),
        Some(error)
    );
}

#[test]
fn codes_are_single_use_and_expire() {
    let (mut wechat, mut rng) = logged_in();
    let code = wechat
        .issue_code(QIANBAO_APPID, "snsapi_userinfo", at(0), &mut rng)
        .unwrap_or_default();
    assert!(wechat
        .exchange_code(QIANBAO_APPID, &code, at(10), &mut rng)
        .is_ok());
    assert_eq!(
        wechat.exchange_code(QIANBAO_APPID, &code, at(11), &mut rng),
        Err(WeChatError::CodeUsed)
    );
    let late = wechat
        .issue_code(QIANBAO_APPID, "snsapi_userinfo", at(100), &mut rng)
        .unwrap_or_default();
    assert_eq!(
        wechat.exchange_code(QIANBAO_APPID, &late, at(400), &mut rng),
        Err(WeChatError::InvalidCode)
    );
    assert_eq!(
        wechat.exchange_code(QIANBAO_APPID, "forged", at(100), &mut rng),
        Err(WeChatError::InvalidCode)
    );
}

#[test]
fn tokens_expire_refresh_and_revoke() {
    let (mut wechat, mut rng) = logged_in();
    let code = wechat
        .issue_code(QIANBAO_APPID, "snsapi_userinfo", at(0), &mut rng)
        .unwrap_or_default();
    let tokens = wechat
        .exchange_code(QIANBAO_APPID, &code, at(1), &mut rng)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(wechat
        .user_info(&tokens.access_token, &tokens.openid, at(2))
        .is_ok());
    assert_eq!(
        wechat.check_token(&tokens.access_token, at(2 * 3600 + 1)),
        Err(WeChatError::TokenExpired)
    );
    let (fresh, _) = wechat
        .refresh(QIANBAO_APPID, &tokens.refresh_token, at(3 * 3600), &mut rng)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(wechat.check_token(&fresh, at(3 * 3600 + 1)), Ok(()));
    assert_eq!(
        wechat.refresh(
            QIANBAO_APPID,
            &tokens.refresh_token,
            at(31 * 24 * 3600),
            &mut rng
        ),
        Err(WeChatError::RefreshExpired)
    );
    assert_eq!(
        wechat.refresh(QIANBAO_APPID, "nope", at(10), &mut rng),
        Err(WeChatError::InvalidRefresh)
    );
    assert_eq!(wechat.revoke_app(QIANBAO_APPID), Ok(()));
    assert_eq!(
        wechat.check_token(&fresh, at(3 * 3600 + 2)),
        Err(WeChatError::Unauthorized)
    );
    assert!(wechat.authorized_apps().is_empty());
}

#[test]
fn permission_off_blocks_codes() {
    let (mut wechat, mut rng) = logged_in();
    wechat.set_allow_third_party(false).unwrap();
    assert_eq!(
        wechat.issue_code(QIANBAO_APPID, "snsapi_userinfo", at(0), &mut rng),
        Err(WeChatError::ThirdPartyOff)
    );
}

#[test]
fn openid_is_stable_per_app_and_user() {
    let (mut wechat, mut rng) = logged_in();
    let first = wechat
        .issue_code(QIANBAO_APPID, "snsapi_userinfo", at(0), &mut rng)
        .unwrap_or_default();
    let a = wechat
        .exchange_code(QIANBAO_APPID, &first, at(1), &mut rng)
        .map(|t| t.openid);
    let second = wechat
        .issue_code(QIANBAO_APPID, "snsapi_userinfo", at(2), &mut rng)
        .unwrap_or_default();
    let b = wechat
        .exchange_code(QIANBAO_APPID, &second, at(3), &mut rng)
        .map(|t| t.openid);
    assert_eq!(a, b);
}

#[rstest]
#[case("http://127.0.0.1:8080/bind/callback", Some("127.0.0.1:8080"))]
#[case("https://Example.COM/x?y=1", Some("example.com"))]
#[case("ftp://example.com/", None)]
#[case("http:///x", None)]
fn hosts(#[case] uri: &str, #[case] host: Option<&str>) {
    assert_eq!(redirect_host(uri).as_deref(), host);
}

#[test]
fn redirects_encode_their_values() {
    assert_eq!(
        redirect_url("http://h/cb", Some("a b"), "s&t"),
        "http://h/cb?code=a%20b&state=s%26t"
    );
    assert_eq!(
        redirect_url("http://h/cb?x=1#frag", None, "s"),
        "http://h/cb?x=1&state=s"
    );
    // Found by fuzzing (fuzz target `authorize`): a `?` inside the
    // fragment made the redirect `http://h/cb&state=s`, a broken URL.
    assert_eq!(
        redirect_url("http://h/cb#frag?x=1", Some("c"), "s"),
        "http://h/cb?code=c&state=s"
    );
    assert_eq!(mask_wxid("zhangxm2026"), "zh*******26");
}

#[test]
fn five_wrong_passwords_lock_the_wechat_login() {
    let (mut wechat, _) = logged_in();
    wechat.log_out();
    for remaining in (1..crate::lockout::MAX_FAILURES).rev() {
        assert_eq!(
            wechat.log_in("zhangxm2026", "Wrong2026x", at(10)),
            Err(WeChatError::WrongPassword { remaining })
        );
    }
    let locked = Err(WeChatError::LoginLocked {
        until: at(10 + 900),
    });
    assert_eq!(wechat.log_in("zhangxm2026", "Wrong2026x", at(10)), locked);
    assert_eq!(
        wechat.log_in("zhangxm2026", "Wechat2026x", at(909)),
        locked,
        "even the right one"
    );
    assert!(wechat.log_in("zhangxm2026", "Wechat2026x", at(910)).is_ok());
    // A success clears the count.
    for _ in 0..4 {
        let _ = wechat.log_in("zhangxm2026", "Wrong2026x", at(911));
    }
    assert!(wechat.log_in("zhangxm2026", "Wechat2026x", at(912)).is_ok());
    assert_eq!(
        wechat.log_in("zhangxm2026", "Wrong2026x", at(913)),
        Err(WeChatError::WrongPassword { remaining: 4 })
    );
}

/// Every refused login says why, with WeChat's code and guidance; an
/// empty field changes nothing (no try counted, nobody logged in).
#[rstest]
#[case::empty_form("", "", WeChatError::IdEmpty, "WX-ACC-EMPTY", Guidance::EnterWeChatId)]
#[case::empty_id(
    " \u{3000}",
    "Wechat2026x",
    WeChatError::IdEmpty,
    "WX-ACC-EMPTY",
    Guidance::EnterWeChatId
)]
#[case::empty_password(
    "zhangxm2026",
    "",
    WeChatError::PasswordEmpty,
    "WX-ACC-PASSWORD-EMPTY",
    Guidance::EnterPassword
)]
#[case::blank_password(
    "13800138000",
    "   ",
    WeChatError::PasswordEmpty,
    "WX-ACC-PASSWORD-EMPTY",
    Guidance::EnterPassword
)]
#[case::unknown_id(
    "nobody2026",
    "Wechat2026x",
    WeChatError::NoSuchAccount,
    "WX-ACC-UNKNOWN",
    Guidance::RegisterFirst
)]
#[case::unknown_phone(
    "13900139000",
    "Wechat2026x",
    WeChatError::NoSuchAccount,
    "WX-ACC-UNKNOWN",
    Guidance::RegisterFirst
)]
fn refused_logins_change_nothing(
    #[case] who: &str,
    #[case] password: &str,
    #[case] error: WeChatError,
    #[case] code: &str,
    #[case] guidance: Guidance,
) {
    let (mut wechat, _) = logged_in();
    wechat.log_out();
    // Three wrong passwords first: the empty tries must not add a fourth.
    for _ in 0..3 {
        let _ = wechat.log_in("zhangxm2026", "Wrong2026x", at(10));
    }
    let before = wechat.clone();
    for _ in 0..10 {
        assert_eq!(wechat.log_in(who, password, at(11)), Err(error.clone()));
    }
    assert_eq!(wechat, before);
    assert_eq!((error.code(), error.guidance()), (code, guidance));
    assert_eq!(
        wechat.log_in("zhangxm2026", "Wrong2026x", at(12)),
        Err(WeChatError::WrongPassword { remaining: 1 }),
        "still the fourth wrong try"
    );
}

#[rstest]
#[case::wrong(WeChatError::WrongPassword { remaining: 2 }, "WX-ACC-PASSWORD", Guidance::ReenterAndVerify)]
#[case::locked(WeChatError::LoginLocked { until: Timestamp::from_millis(0) }, "WX-ACC-LOCKED", Guidance::WaitForUnlock)]
#[case::new_pay_password(
    WeChatError::PayPasswordInvalid,
    "WX-PAY-PASSWORD-RULE",
    Guidance::ChoosePayPassword
)]
#[case::phone(
    WeChatError::Identity(IdentityError::PhoneInvalid),
    "W-ID-PHONE",
    Guidance::UseMobile
)]
#[case::empty_phone(
    WeChatError::Identity(IdentityError::Empty),
    "W-ID-EMPTY",
    Guidance::UseMobile
)]
#[case::empty_name(
    WeChatError::Identity(IdentityError::NameEmpty),
    "W-ID-NAME-EMPTY",
    Guidance::EnterRealName
)]
fn codes_and_guidance(#[case] error: WeChatError, #[case] code: &str, #[case] guidance: Guidance) {
    assert_eq!((error.code(), error.guidance()), (code, guidance));
}
