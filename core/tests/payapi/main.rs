//! WeChat Pay API v3 for a merchant registered with the sandbox server,
//! through `core` alone: registration, a native order paid at the same
//! cashier as the demo stores', queries, refunds, expiry, and the stored
//! form of it all.

#![allow(clippy::unwrap_used)] // Test setup: a failure here is the test failing.

use qianbao_core::merchant::{Mchid, MerchantId};
use qianbao_core::payapi::{
    AmountIn, NativeOrderRequest, RefundAmountIn, RefundRequest, RegisteredMerchant,
};
use qianbao_core::payment::{OrderState, PayRequest};
use qianbao_core::testkit::*;

mod bills;
mod refunds;

fn funded() -> World {
    let mut w = World::new();
    assert_eq!(w.bind(), Ok(()));
    w.top_up("500");
    w
}

/// A merchant registered with the sandbox at the world's time.
fn register(w: &mut World, name: &str, domain: &str) -> RegisteredMerchant {
    let now = w.tick(1);
    w.state
        .register_merchant(name, "http://127.0.0.1:9/n", domain, now, &mut w.rng)
        .unwrap()
}

/// 「确认支付」 of an order with the logged-in WeChat user's default method.
fn pay(w: &mut World, id: MerchantId, no: &str, key: &str) -> qianbao_core::payment::Paid {
    let now = w.tick(1);
    w.state.open_cashier(id, no, now).unwrap();
    let pay_password = w.demo.wechat.pay_password.clone();
    let request = PayRequest {
        merchant: id,
        out_trade_no: no,
        method: None,
        pay_password: &pay_password,
        wallet_password: None,
        key,
    };
    w.state.pay_order(request, now).unwrap()
}

fn native(
    appid: &str,
    mchid: Mchid,
    no: &str,
    total: i64,
    expire: Option<&str>,
) -> NativeOrderRequest {
    NativeOrderRequest {
        appid: Some(appid.to_owned()),
        mchid: Some(mchid.to_string()),
        description: Some("沙盒商品".to_owned()),
        out_trade_no: Some(no.to_owned()),
        time_expire: expire.map(str::to_owned),
        attach: Some("订单备注".to_owned()),
        notify_url: Some("https://shop.example/notify".to_owned()),
        amount: Some(AmountIn {
            total: Some(total),
            currency: Some("CNY".to_owned()),
        }),
        payer: None,
        scene_info: None,
    }
}

fn refund(no: &str, refund_no: &str, fen: i64, total: i64) -> RefundRequest {
    RefundRequest {
        transaction_id: None,
        out_trade_no: Some(no.to_owned()),
        out_refund_no: Some(refund_no.to_owned()),
        reason: None,
        notify_url: None,
        amount: Some(RefundAmountIn {
            refund: Some(fen),
            total: Some(total),
            currency: Some("CNY".to_owned()),
        }),
    }
}

#[test]
fn a_registration_with_a_bad_name_url_or_domain_changes_nothing() {
    let mut w = World::new();
    let before = w.state.clone();
    let now = w.tick(1);
    for (name, url, domain) in [
        ("", "https://a.example/n", "a.example"),
        ("   ", "https://a.example/n", "a.example"),
        (&"名".repeat(33), "https://a.example/n", "a.example"),
        ("店", "javascript:alert(1)", "a.example"),
        ("店", "https://", "a.example"),
        ("店", "https://a.example/n#x", "a.example"),
        ("店", "https://a.example/n x", "a.example"),
        ("店", "https://a.example/n", "a example"),
        ("店", "https://a.example/n", "a.example:"),
        ("店", "https://a.example/n", "-a.example"),
    ] {
        assert!(
            w.state
                .register_merchant(name, url, domain, now, &mut w.rng)
                .is_err(),
            "{name:?} {url:?} {domain:?}"
        );
        assert_eq!(w.state, before);
    }
}

#[test]
fn a_registered_merchants_order_is_paid_at_the_cashier_queried_and_refunded() {
    let mut w = funded();
    let m = register(&mut w, "沙盒小店", "shop.example:8443");
    let id = MerchantId::Registered(m.mchid);
    let site = site();
    let now = w.tick(1);
    let created = w
        .state
        .api_native_order(
            m.mchid,
            &native(&m.appid, m.mchid, "API0000001", 2_000, None),
            &site,
            now,
        )
        .unwrap();
    // The code_url is the cashier's link, which 「扫一扫」 reads back.
    let path = qianbao_core::payment::read_pay_link(&site, &created.code_url).unwrap();
    assert_eq!(path, qianbao_core::payment::cashier_path(id, "API0000001"));
    let query = w
        .state
        .api_query_by_out_trade_no(m.mchid, Some(&m.mchid.to_string()), "API0000001", now)
        .unwrap();
    assert_eq!(
        (query.trade_state, query.transaction_id.as_deref()),
        ("NOTPAY", None)
    );

    // The person pays at the same cashier as at the demo stores.
    let paid = pay(&mut w, id, "API0000001", "pay-1");
    let now = w.tick(1);
    let query = w
        .state
        .api_query_by_out_trade_no(m.mchid, Some(&m.mchid.to_string()), "API0000001", now)
        .unwrap();
    assert_eq!(query.trade_state, "SUCCESS");
    assert_eq!(
        query.transaction_id.as_deref(),
        Some(paid.transaction_id.as_str())
    );
    assert_eq!(query.amount.payer_total, Some(2_000));
    assert_eq!(query.attach, "订单备注");
    let by_id = w
        .state
        .api_query_by_id(
            m.mchid,
            Some(&m.mchid.to_string()),
            &paid.transaction_id,
            now,
        )
        .unwrap();
    assert_eq!(by_id, query);
    // Paid: closing is ORDERPAID, creating again is ORDERPAID.
    let error = w
        .state
        .api_close_order(m.mchid, Some(&m.mchid.to_string()), "API0000001", now)
        .unwrap_err();
    assert_eq!(error.code(), "ORDERPAID");

    // Refunds: part, the same number again (once), too much, the rest.
    let before = w.state.balance(w.me());
    let done = w
        .state
        .api_refund(
            m.mchid,
            &refund("API0000001", "RAPI000001", 500, 2_000),
            now,
        )
        .unwrap();
    // Accepted PROCESSING: the money has left the merchant, not yet
    // reached the payer (core/tests/refunds.rs follows it to the end).
    assert_eq!((done.status, done.amount.refund), ("PROCESSING", 500));
    assert_eq!(done.success_time, None);
    let again = w
        .state
        .api_refund(
            m.mchid,
            &refund("API0000001", "RAPI000001", 500, 2_000),
            now,
        )
        .unwrap();
    assert_eq!(again, done);
    let settled = w.tick(10);
    assert_eq!(w.state.settle_refunds(settled), 1, "refunded once");
    assert_eq!(w.state.balance(w.me()).get(), before.get() + 500);
    let too_much = w
        .state
        .api_refund(
            m.mchid,
            &refund("API0000001", "RAPI000002", 1_501, 2_000),
            now,
        )
        .unwrap_err();
    // WeChat's INVALID_REQUEST (its NOT_ENOUGH is the merchant's balance).
    assert_eq!(
        (too_much.status(), too_much.code(), &*too_much.message()),
        (400, "INVALID_REQUEST", "申请退款金额超过订单可退金额")
    );
    let wrong_total = w
        .state
        .api_refund(m.mchid, &refund("API0000001", "RAPI000003", 1, 1_999), now)
        .unwrap_err();
    assert_eq!(wrong_total.code(), "PARAM_ERROR");
    w.state
        .api_refund(
            m.mchid,
            &refund("API0000001", "RAPI000004", 1_500, 2_000),
            now,
        )
        .unwrap();
    let later = w.tick(10);
    assert_eq!(w.state.settle_refunds(later), 1);
    assert_eq!(w.state.balance(w.me()).get(), before.get() + 2_000);
    let query = w
        .state
        .api_query_refund(m.mchid, "RAPI000004", later)
        .unwrap();
    assert_eq!((query.status, query.amount.refund), ("SUCCESS", 1_500));
    assert!(query.success_time.is_some());
    assert_eq!(
        w.state.order(id, "API0000001").unwrap().state,
        OrderState::Refund
    );
    // The stored form keeps all of it.
    assert!(w.round_trips());
}

/// H5 (`/v3/pay/transactions/h5`): `scene_info` with the payer's IP and
/// `h5_info.type` is required and checked; the `h5_url` opens the cashier by
/// the order's `prepay_id`, anyone may pay it there, and it is queried
/// (`trade_type` MWEB), refunded and closed as a native order is.
#[test]
fn an_h5_order_needs_its_scene_and_is_paid_at_the_cashier_its_h5_url_opens() {
    use qianbao_core::payapi::{H5InfoIn, SceneInfoIn};
    let mut w = funded();
    let m = register(&mut w, "手机小店", "shop.example:8443");
    let id = MerchantId::Registered(m.mchid);
    let site = site();
    let now = w.tick(1);
    let scene = |ip: Option<&str>, kind: Option<&str>| SceneInfoIn {
        payer_client_ip: ip.map(str::to_owned),
        h5_info: kind.map(|k| H5InfoIn {
            kind: Some(k.to_owned()),
            app_name: Some("手机小店".to_owned()),
            app_url: Some("https://shop.example:8443".to_owned()),
            bundle_id: None,
            package_name: None,
        }),
    };
    let h5 = |no: &str, scene: Option<SceneInfoIn>| {
        let mut request = native(&m.appid, m.mchid, no, 1_200, None);
        request.scene_info = scene;
        request
    };
    for (why, scene) in [
        ("no scene_info", None),
        ("no payer_client_ip", Some(scene(None, Some("Wap")))),
        ("not an IP", Some(scene(Some("shop.example"), Some("Wap")))),
        ("no h5_info", Some(scene(Some("203.0.113.7"), None))),
        (
            "an unknown type",
            Some(scene(Some("203.0.113.7"), Some("Desktop"))),
        ),
    ] {
        let before = w.state.clone();
        let error = w
            .state
            .api_h5_order(m.mchid, &h5("H5ORDER001", scene), &site, now)
            .unwrap_err();
        assert_eq!(error.code(), "PARAM_ERROR", "{why}: {error}");
        assert_eq!(w.state, before, "{why} changed the state");
    }
    let created = w
        .state
        .api_h5_order(
            m.mchid,
            &h5("H5ORDER001", Some(scene(Some("2001:db8::7"), Some("iOS")))),
            &site,
            now,
        )
        .unwrap();
    let prepay = created
        .h5_url
        .strip_prefix("http://127.0.0.1:8080/wechat/pay?prepay_id=")
        .unwrap_or_else(|| panic!("{}", created.h5_url));
    assert_eq!(
        w.state.order_by_prepay_id(prepay),
        Some((id, "H5ORDER001".to_owned()))
    );
    // The cashier returns to a redirect_url on the merchant's domain only.
    assert_eq!(
        w.state
            .h5_return(id, "H5ORDER001", "https://shop.example:8443/paid?o=1"),
        Ok("https://shop.example:8443/paid?o=1".to_owned())
    );
    for foreign in [
        "https://evil.example/paid",
        "https://shop.example/paid",
        "javascript:alert(1)",
    ] {
        assert_eq!(
            w.state.h5_return(id, "H5ORDER001", foreign),
            Err(qianbao_core::payment::PayError::RedirectDomain),
            "{foreign}"
        );
    }
    pay(&mut w, id, "H5ORDER001", "h5-key");
    let query = w
        .state
        .api_query_by_out_trade_no(m.mchid, Some(&m.mchid.to_string()), "H5ORDER001", now)
        .unwrap();
    assert_eq!(
        serde_json::to_value(&query).unwrap()["trade_type"],
        serde_json::json!("MWEB")
    );
    assert_eq!(query.trade_state, "SUCCESS");
    assert!(w
        .state
        .api_refund(
            m.mchid,
            &refund("H5ORDER001", "RH5ORDER01", 200, 1_200),
            now
        )
        .is_ok());
    w.state
        .api_h5_order(
            m.mchid,
            &h5(
                "H5ORDER002",
                Some(scene(Some("203.0.113.7"), Some("Android"))),
            ),
            &site,
            now,
        )
        .unwrap();
    w.state
        .api_close_order(m.mchid, Some(&m.mchid.to_string()), "H5ORDER002", now)
        .unwrap();
    assert_eq!(
        w.state.order(id, "H5ORDER002").map(|o| o.state),
        Some(OrderState::Closed)
    );
    assert!(w.round_trips());
}

/// API v3 takes characters of one to three UTF-8 bytes: an emoji (four)
/// in a description, an attach or a refund's reason is refused as
/// PARAM_ERROR and changes nothing; 「咖啡」 and 「☕」 (three) pass.
#[test]
fn a_four_byte_character_is_refused_where_api_v3_takes_text() {
    let mut w = funded();
    let m = register(&mut w, "表情小店", "shop.example:8443");
    let site = site();
    let now = w.tick(1);
    let order = |w: &mut World, no: &str, description: &str, attach: &str| {
        let mut request = native(&m.appid, m.mchid, no, 2_000, None);
        request.description = Some(description.to_owned());
        request.attach = Some(attach.to_owned());
        let before = w.state.clone();
        let result = w.state.api_native_order(m.mchid, &request, &site, now);
        if result.is_err() {
            assert_eq!(w.state, before, "a refusal changes nothing");
        }
        result
            .map(|_| ())
            .map_err(|e| (e.code(), e.message().into_owned()))
    };
    let refused = order(&mut w, "EMOJI00001", "拿铁😀", "ok");
    assert!(
        matches!(&refused, Err((code, message)) if *code == "PARAM_ERROR" && message.starts_with("description")),
        "{refused:?}"
    );
    let refused = order(&mut w, "EMOJI00002", "拿铁", "🎉");
    assert!(
        matches!(&refused, Err((code, message)) if *code == "PARAM_ERROR" && message.starts_with("attach")),
        "{refused:?}"
    );
    assert_eq!(order(&mut w, "EMOJI00003", "咖啡 ☕ Latte", "é"), Ok(()));
    pay(&mut w, MerchantId::Registered(m.mchid), "EMOJI00003", "k1");
    let mut request = refund("EMOJI00003", "REMOJI0001", 100, 2_000);
    request.reason = Some("不想要了🙁".to_owned());
    let error = w.state.api_refund(m.mchid, &request, now).unwrap_err();
    assert_eq!(error.code(), "PARAM_ERROR");
    request.reason = Some("不想要了".to_owned());
    assert!(w.state.api_refund(m.mchid, &request, now).is_ok());
}

#[test]
fn an_order_closes_at_its_time_expire_and_one_merchant_never_sees_anothers() {
    let mut w = World::new();
    let a = register(&mut w, "甲", "127.0.0.1:9");
    let b = register(&mut w, "乙", "127.0.0.1:9");
    let now = w.tick(0);
    let expire = qianbao_core::time::rfc3339_cst(now.plus(std::time::Duration::from_secs(60)));
    let site = site();
    w.state
        .api_native_order(
            a.mchid,
            &native(&a.appid, a.mchid, "EXP0000001", 100, Some(&expire)),
            &site,
            now,
        )
        .unwrap();
    let a_id = a.mchid.to_string();
    let state = |w: &mut World, secs| {
        let now = w.tick(secs);
        w.state
            .api_query_by_out_trade_no(a.mchid, Some(&a_id), "EXP0000001", now)
            .map(|t| t.trade_state)
    };
    assert_eq!(state(&mut w, 58), Ok("NOTPAY"));
    assert_eq!(state(&mut w, 2), Ok("CLOSED"));
    let now = w.tick(1);
    let other = w
        .state
        .api_query_by_out_trade_no(b.mchid, Some(&b.mchid.to_string()), "EXP0000001", now)
        .unwrap_err();
    assert_eq!(other.code(), "ORDER_NOT_EXIST");
    // A time_expire in the past, or not RFC 3339, is refused.
    for bad in [
        qianbao_core::time::rfc3339_cst(now),
        "2026-12-02 10:00:00".to_owned(),
    ] {
        let before = w.state.clone();
        let error = w
            .state
            .api_native_order(
                a.mchid,
                &native(&a.appid, a.mchid, "EXP0000002", 100, Some(&bad)),
                &site,
                now,
            )
            .unwrap_err();
        assert_eq!(error.code(), "PARAM_ERROR");
        assert_eq!(w.state, before);
    }
    assert!(w.round_trips());
}

#[test]
fn a_merchants_app_authorizes_on_its_own_domain_and_its_openid_is_the_payers() {
    let mut w = funded();
    let m = register(&mut w, "授权小店", "shop.example:8443");
    let url = |redirect: &str| {
        format!(
            "/wechat/connect/oauth2/authorize?appid={}&redirect_uri={}&response_type=code&scope=snsapi_userinfo&state=S1",
            m.appid,
            qianbao_core::wechat::encode(redirect)
        )
    };
    // Only the registered domain: not the sandbox's own host, not another.
    for wrong in [
        "http://127.0.0.1:8080/bind/callback",
        "https://evil.example/cb",
        "https://shop.example/cb",
    ] {
        let req = Req::from_url(&url(wrong));
        assert_eq!(
            w.state
                .wechat()
                .check_request(&req.get(), &site().host())
                .err(),
            Some(qianbao_core::wechat::WeChatError::RedirectDomain),
            "{wrong}"
        );
    }
    w.wechat_log_in(false);
    let redirect = w.approve(&url("https://shop.example:8443/cb")).unwrap();
    assert!(
        redirect.starts_with("https://shop.example:8443/cb?code="),
        "{redirect}"
    );
    let code = param(&redirect, "code").unwrap();
    let now = w.tick(1);
    let tokens = w
        .state
        .sns_access_token(&m.appid, &code, now, &mut w.rng)
        .unwrap();
    assert_eq!(
        w.state
            .sns_access_token(&m.appid, &code, now, &mut w.rng)
            .err(),
        Some(qianbao_core::wechat::WeChatError::CodeUsed)
    );
    let site = site();
    let info = w
        .state
        .sns_userinfo(&tokens.access_token, &tokens.openid, &site, now)
        .unwrap();
    assert_eq!(info.nickname, w.demo.wechat.nickname);
    // headimgurl is a URL (the sandbox serves the image), as WeChat's is.
    assert!(
        info.headimgurl
            .starts_with("http://127.0.0.1:8080/sandbox/v1/avatar/")
            && info.headimgurl.ends_with("/132"),
        "{}",
        info.headimgurl
    );
    // The openid the app was given is the one its payments name.
    w.state
        .api_native_order(
            m.mchid,
            &native(&m.appid, m.mchid, "OPENID0001", 100, None),
            &site,
            now,
        )
        .unwrap();
    let id = MerchantId::Registered(m.mchid);
    pay(&mut w, id, "OPENID0001", "k");
    let paid = w
        .state
        .api_query_by_out_trade_no(m.mchid, Some(&m.mchid.to_string()), "OPENID0001", now)
        .unwrap();
    assert_eq!(paid.payer.unwrap().openid, tokens.openid);
    // A JSAPI order for that openid: its prepay_id finds it, and only that
    // WeChat user may pay it.
    let mut request = native(&m.appid, m.mchid, "JSAPI00001", 300, None);
    request.payer = Some(qianbao_core::payapi::PayerIn {
        openid: Some(tokens.openid.clone()),
    });
    let prepay = w
        .state
        .api_jsapi_order(m.mchid, &request, now)
        .unwrap()
        .prepay_id;
    assert_eq!(
        w.state.order_by_prepay_id(&prepay),
        Some((id, "JSAPI00001".to_owned()))
    );
    // The JS bridge's getBrandWCPayRequest: checked against the app and the
    // order; paySign signs appId, timeStamp, nonceStr, package, one a line.
    {
        use qianbao_core::payapi::{BrandPayRequest, BridgeError};
        let brand = |app: &str, package: &str, sign_type: &str| BrandPayRequest {
            app_id: Some(app.to_owned()),
            time_stamp: Some("1765100000".to_owned()),
            nonce_str: Some("5K8264ILTKCH16CQ2502SI8ZNMTM67VS".to_owned()),
            package: Some(package.to_owned()),
            sign_type: Some(sign_type.to_owned()),
            pay_sign: Some("c2lnbmF0dXJl".to_owned()),
        };
        let package = format!("prepay_id={prepay}");
        let good = brand(&m.appid, &package, "RSA");
        assert_eq!(
            good.message().unwrap(),
            format!(
                "{}\n1765100000\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\n{package}\n",
                m.appid
            )
        );
        assert_eq!(
            w.state.bridge_order(&good, now),
            Ok((m.mchid, prepay.clone()))
        );
        let other = register(&mut w, "另一小店", "other.example");
        for (why, request, refused) in [
            (
                "MD5",
                brand(&m.appid, &package, "MD5"),
                BridgeError::SignType,
            ),
            (
                "no prepay_id=",
                brand(&m.appid, &prepay, "RSA"),
                BridgeError::Package,
            ),
            (
                "an unknown app",
                brand("wx0000000000000000", &package, "RSA"),
                BridgeError::UnknownApp,
            ),
            (
                "another app",
                brand(&other.appid, &package, "RSA"),
                BridgeError::OtherApp,
            ),
            (
                "no such order",
                brand(&m.appid, "prepay_id=wx0", "RSA"),
                BridgeError::NoSuchOrder,
            ),
            (
                "no paySign",
                BrandPayRequest {
                    pay_sign: None,
                    ..good.clone()
                },
                BridgeError::Missing("paySign"),
            ),
        ] {
            assert_eq!(w.state.bridge_order(&request, now), Err(refused), "{why}");
        }
        let late = now.plus(std::time::Duration::from_secs(3 * 3600));
        assert_eq!(w.state.bridge_order(&good, late), Err(BridgeError::Closed));
    }
    request.out_trade_no = Some("JSAPI00002".to_owned());
    request.payer = Some(qianbao_core::payapi::PayerIn {
        openid: Some("o_not_a_user_of_this_app".to_owned()),
    });
    assert_eq!(
        w.state
            .api_jsapi_order(m.mchid, &request, now)
            .unwrap_err()
            .code(),
        "OPENID_MISMATCH"
    );
    w.wechat_log_in(true);
    let now = w.tick(1);
    w.state.open_cashier(id, "JSAPI00001", now).unwrap();
    let other_password = w.demo.wechat_mismatch.pay_password.clone();
    let other = w.state.pay_order(
        PayRequest {
            merchant: id,
            out_trade_no: "JSAPI00001",
            method: Some(qianbao_core::payment::PayMethod::Change),
            pay_password: &other_password,
            wallet_password: None,
            key: "j",
        },
        now,
    );
    assert_eq!(
        other.err(),
        Some(qianbao_core::payment::PayError::OtherPayer)
    );
    w.wechat_log_in(false);
    // snsapi_base gives the openid only: userinfo is 48001.
    // (Testkit's request is always snsapi_userinfo: this one is made here.)
    let request = qianbao_core::wechat::AuthorizeRequest {
        appid: &m.appid,
        redirect_uri: "https://shop.example:8443/cb",
        response_type: "code",
        scope: "snsapi_base",
        state: "S2",
    };
    let now = w.tick(1);
    // Silent, as WeChat's 静默授权: no consent screen.
    assert!(matches!(
        w.state.authorize_step(&request, &site.host(), true),
        qianbao_core::binding::AuthorizeStep::Silent { .. }
    ));
    let redirect = w
        .state
        .approve_authorization(&request, &site, None, now, &mut w.rng)
        .unwrap();
    let code = param(&redirect, "code").unwrap();
    // A first authorization of another app, silent too: no 二次验证.
    let other = register(&mut w, "静默小店", "other.example");
    let first = qianbao_core::wechat::AuthorizeRequest {
        appid: &other.appid,
        redirect_uri: "https://other.example/cb",
        ..request
    };
    let now = w.tick(1);
    assert!(w.state.wechat().needs_second_factor(&other.appid));
    let silent = w
        .state
        .approve_authorization(&first, &site, None, now, &mut w.rng);
    assert!(silent.is_ok_and(|url| url.starts_with("https://other.example/cb?code=")));
    let base = w
        .state
        .sns_access_token(&m.appid, &code, now, &mut w.rng)
        .unwrap();
    assert_eq!(
        (base.scope.as_str(), base.openid.as_str()),
        ("snsapi_base", tokens.openid.as_str())
    );
    assert_eq!(
        w.state
            .sns_userinfo(&base.access_token, &base.openid, &site, now)
            .err(),
        Some(qianbao_core::wechat::WeChatError::Unauthorized)
    );
    assert!(w.round_trips());
}

#[test]
fn the_consoles_faults_meet_a_merchants_calls_first_and_change_nothing_else() {
    let mut w = World::new();
    let m = register(&mut w, "故障小店", "127.0.0.1:9");
    let now = w.tick(0);
    w.state.sim_mut().set_faults(qianbao_core::sim::Faults {
        network: 1,
        busy: 1,
        latency_ms: 0,
    });
    let site = site();
    let request = native(&m.appid, m.mchid, "FAULT00001", 100, None);
    let network = w
        .state
        .api_native_order(m.mchid, &request, &site, now)
        .unwrap_err();
    assert_eq!((network.status(), network.code()), (504, "NETWORK"));
    let busy = w
        .state
        .api_native_order(m.mchid, &request, &site, now)
        .unwrap_err();
    assert_eq!((busy.status(), busy.code()), (500, "SYSTEM_ERROR"));
    assert!(w.state.orders().next().is_none(), "neither placed an order");
    let failures = w
        .state
        .sim()
        .log()
        .iter()
        .filter(|e| e.error.is_some())
        .count();
    assert_eq!(failures, 2, "both logged");
    w.state
        .api_native_order(m.mchid, &request, &site, now)
        .unwrap();
    assert_eq!(w.state.orders().count(), 1);
}

#[test]
fn notifications_follow_the_consoles_switches_and_wechats_schedule() {
    let mut w = funded();
    let m = register(&mut w, "通知小店", "127.0.0.1:9");
    let id = MerchantId::Registered(m.mchid);
    let site = site();
    for no in ["NOTIFY0001", "NOTIFY0002"] {
        let now = w.tick(1);
        w.state
            .api_native_order(
                m.mchid,
                &native(&m.appid, m.mchid, no, 100, None),
                &site,
                now,
            )
            .unwrap();
        pay(&mut w, id, no, no);
    }
    fn order_of(due: &[qianbao_core::payapi::DueNotification]) -> Vec<&str> {
        due.iter().map(|d| d.out_trade_no.as_str()).collect()
    }
    let now = w.tick(0);
    assert_eq!(
        order_of(&w.state.due_notifications(now)),
        ["NOTIFY0001", "NOTIFY0002"]
    );
    // Held back a minute, the newest first, each twice.
    w.state
        .sim_mut()
        .set_notifications(qianbao_core::sim::NotifyPlan {
            duplicate: true,
            delay_secs: 60,
            reorder: true,
        });
    assert!(w.state.due_notifications(now).is_empty(), "held back");
    let later = w.tick(60);
    assert_eq!(
        order_of(&w.state.due_notifications(later)),
        ["NOTIFY0002", "NOTIFY0002", "NOTIFY0001", "NOTIFY0001"]
    );
    w.state
        .sim_mut()
        .set_notifications(qianbao_core::sim::NotifyPlan::default());
    // Refused, then tried again 15 s later; acknowledged, never again.
    w.state
        .record_notification(m.mchid, "NOTIFY0001", later, Some(500), "busy");
    w.state
        .record_notification(m.mchid, "NOTIFY0002", later, Some(204), "");
    assert_eq!(
        w.state.next_notification_at(),
        Some(later.plus(std::time::Duration::from_secs(15)))
    );
    let early = w.tick(14);
    assert!(w.state.due_notifications(early).is_empty());
    let retry = w.tick(1);
    let due = w.state.due_notifications(retry);
    assert_eq!((order_of(&due), due[0].attempt), (vec!["NOTIFY0001"], 2));
    w.state
        .record_notification(m.mchid, "NOTIFY0001", retry, None, "connection refused");
    let third = w.tick(15);
    w.state
        .record_notification(m.mchid, "NOTIFY0001", third, Some(200), "");
    assert_eq!(w.state.next_notification_at(), None, "all acknowledged");
    assert!(w.round_trips());
}

#[test]
fn frequency_limited_on_demand_meets_only_a_merchants_calls() {
    let mut w = World::new();
    let m = register(&mut w, "限频小店", "127.0.0.1:9");
    w.state.sim_mut().set_limited(1);
    let now = w.tick(1);
    let site = site();
    let request = native(&m.appid, m.mchid, "LIMIT00001", 100, None);
    let limited = w
        .state
        .api_native_order(m.mchid, &request, &site, now)
        .unwrap_err();
    assert_eq!(
        (limited.status(), limited.code()),
        (429, "FREQUENCY_LIMITED")
    );
    assert!(w.state.orders().next().is_none());
    assert_eq!(w.state.sim().limited(), 0);
    w.state
        .api_native_order(m.mchid, &request, &site, now)
        .unwrap();
    assert_eq!(qianbao_core::sim::parse_count("９９"), Ok(99));
    assert!(qianbao_core::sim::parse_count("100").is_err());
    assert_eq!(
        qianbao_core::sim::parse_notify_delay(" ３６００ "),
        Some(3600)
    );
    for bad in ["3601", "-1", "1.5", "", "30s"] {
        assert_eq!(qianbao_core::sim::parse_notify_delay(bad), None, "{bad:?}");
    }
}

/// A page of a sandbox server holds a window of its orders: however many a
/// merchant's backend places, the page reads and follows the same few, and
/// what it shows of them — counts, the newest orders, the newest payments,
/// an order someone has open at the cashier, one it asked for — is the
/// server's.
#[test]
fn a_page_holds_a_window_of_a_busy_merchants_orders_and_shows_what_the_server_holds() {
    use qianbao_core::order::WINDOW;
    use qianbao_core::session::ClientId;
    use qianbao_core::state::{HeldOrder, State};
    let mut w = funded();
    let m = register(&mut w, "沙盒小店", "shop.example:8443");
    let id = MerchantId::Registered(m.mchid);
    let site = site();
    let seq = std::cell::Cell::new(1);
    let first = w.state.all_changes().unwrap();
    w.state.mark_saved(first);
    let client = ClientId::parse("page").unwrap();
    let mut page =
        State::from_snapshot(&w.state.snapshot(seq.get(), &client, &[]).unwrap()).unwrap();
    // Each step is a save: the page receives what it holds of it.
    let save = |w: &mut World, page: &mut State, step: &mut dyn FnMut(&mut World)| {
        let before = w.state.order_book().window();
        step(w);
        let changes = w.state.changes().unwrap();
        seq.set(seq.get() + 1);
        let full = w.state.delta(&changes, seq.get()).unwrap();
        w.state.mark_saved(changes);
        let sent = w.state.page_delta(&full, &before);
        assert!(sent.orders.len() <= full.orders.len());
        page.apply_delta(&sent).unwrap();
    };
    let no = |i: usize| format!("BUSY{i:06}");
    let place = |w: &mut World, i: usize| {
        let now = w.tick(1);
        let request = native(&m.appid, m.mchid, &no(i), 100 + i as i64, None);
        w.state
            .api_native_order(m.mchid, &request, &site, now)
            .unwrap();
    };
    for i in 0..300 {
        save(&mut w, &mut page, &mut |w| place(w, i));
        if i % 50 == 7 {
            // An old order paid: the newest payment, whatever its age.
            save(&mut w, &mut page, &mut |w| {
                pay(w, id, &no(i / 2), &format!("key{i}"));
            });
        }
    }
    // Opened at the cashier, then left: the page sees both.
    save(&mut w, &mut page, &mut |w| {
        let now = w.tick(1);
        w.state.open_cashier(id, &no(5), now).unwrap();
    });
    assert_eq!(
        page.order(id, &no(5)).map(|o| o.state),
        Some(OrderState::Userpaying)
    );
    save(&mut w, &mut page, &mut |w| {
        w.state.cancel_payment(id, &no(5)).unwrap();
    });
    assert_eq!(
        page.order(id, &no(5)).map(|o| o.state),
        Some(OrderState::Notpay)
    );
    let (book, seen) = (w.state.order_book(), page.order_book());
    assert_eq!((seen.len(), seen.count(id)), (book.len(), 300));
    assert_eq!(seen.newest(id, WINDOW), book.newest(id, WINDOW));
    assert_eq!(seen.newest_paid(id, WINDOW), book.newest_paid(id, WINDOW));
    assert_eq!(book.newest_paid(id, WINDOW).len(), 6);
    assert!(
        seen.held() <= 4 * WINDOW + 6,
        "the page holds {}",
        seen.held()
    );
    // An order outside the window, asked for (the cashier's), is held, and
    // a save older than what was read does not overwrite it.
    assert!(page.order(id, &no(40)).is_none());
    let position = book.position(id, &no(40)).unwrap();
    let held: HeldOrder = w.state.held_order(seq.get(), position).unwrap();
    page.hold_order(&held).unwrap();
    assert_eq!(page.order(id, &no(40)), w.state.order(id, &no(40)));
    for i in 300..400 {
        save(&mut w, &mut page, &mut |w| place(w, i));
    }
    assert_eq!(page.order(id, &no(40)), w.state.order(id, &no(40)));
    // Read again, the page keeps what it asked for; the rest is the window.
    let again = w.state.snapshot(seq.get(), &client, &[position]).unwrap();
    assert!(again.orders.len() <= 2 * WINDOW + 1);
    let reread = State::from_snapshot(&again).unwrap();
    assert_eq!(reread.order(id, &no(40)), w.state.order(id, &no(40)));
    assert_eq!(
        reread.order_book().newest(id, WINDOW),
        w.state.order_book().newest(id, WINDOW)
    );
    assert_eq!(
        reread.main_body(false).unwrap(),
        w.state.main_body(false).unwrap()
    );
}
