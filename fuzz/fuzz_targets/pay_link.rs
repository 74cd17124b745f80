//! WeChat Pay's entry points that read a URL: 「扫一扫」 (`read_pay_link` on
//! whatever was scanned or pasted, for any site) and the cashier page,
//! `/wechat/pay?mch=…&out_trade_no=…`, whose parameters go to
//! `MerchantId::parse`, `State::open_cashier`, `State::pay_order` (with any
//! payment password and key), `State::cancel_payment` on a rich wallet.
//!
//! The input may put the wallet's open order first in the cashier query
//! (or name it as `ORDER`) and use the right passwords, so the fuzzer
//! reaches payment too.
//!
//! Never a panic; a pay code that reads is a cashier path that reads back
//! the same; every pay link a merchant shows reads back to its cashier
//! path; whatever the cashier did is saved and read back unchanged.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use qianbao_core::binding::Site;
use qianbao_core::merchant::MerchantId;
use qianbao_core::payment::{
    cashier_path, pay_link, read_pay_link, valid_out_trade_no, PayMethod, PayRequest,
};
use qianbao_core::sim::Faults;
use qianbao_fuzz::{at, check_loaded, query_get, query_of, site, worlds};

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    scanned: &'a str,
    origin: &'a str,
    base: &'a str,
    merchant: u8,
    out_trade_no: &'a str,
    cashier_query: &'a str,
    /// The cashier query starts `mch=cafe&out_trade_no=<the open order>&`.
    open_order: bool,
    pay_password: &'a str,
    right_pay_password: bool,
    wallet_password: Option<&'a str>,
    right_wallet_password: bool,
    key: &'a str,
    change: bool,
    minutes: u16,
    /// Network and busy faults for the pay request (bits 0 and 1).
    faults: u8,
}

/// A pay code that reads is a cashier path for a known merchant and a
/// well-formed number, which reads back the same.
fn check_scan(site: &Site, scanned: &str) {
    if let Ok(path) = read_pay_link(site, scanned) {
        let query = query_of(&path);
        let merchant = query_get(query, "mch").and_then(|m| MerchantId::parse(&m));
        let number = query_get(query, "out_trade_no").unwrap_or_default();
        assert!(merchant.is_some(), "{scanned:?} → {path}");
        assert!(valid_out_trade_no(&number), "{scanned:?} → {path}");
        let again = format!("{}{}{}", site.origin, site.base, path);
        assert_eq!(
            read_pay_link(site, &again).as_ref(),
            Ok(&path),
            "{scanned:?}"
        );
    }
}

fuzz_target!(|input: Input<'_>| {
    let root = site();
    let sub = Site {
        origin: root.origin.clone(),
        base: "/qianbao".into(),
    };
    let any = Site {
        origin: input.origin.into(),
        base: input.base.into(),
    };
    for site in [&root, &sub, &any] {
        check_scan(site, input.scanned);
    }
    let merchant = MerchantId::ALL[usize::from(input.merchant) % MerchantId::ALL.len()];
    let _ = MerchantId::parse(input.out_trade_no);
    if valid_out_trade_no(input.out_trade_no) {
        for site in [&root, &sub, &any] {
            let link = pay_link(site, merchant, input.out_trade_no);
            // What was scanned is trimmed: a site whose address starts
            // with white space (never a browser's origin) cannot match.
            let prefix = format!("{}{}", site.origin, site.base);
            if prefix.trim_start() == prefix {
                assert_eq!(
                    read_pay_link(site, &link),
                    Ok(cashier_path(merchant, input.out_trade_no)),
                    "{link}"
                );
            }
        }
    }

    // The cashier page.
    let w = worlds();
    let (_, open_no) = &w.open_order;
    let query = match input.open_order {
        true => format!("mch=cafe&out_trade_no={open_no}&{}", input.cashier_query),
        false => input.cashier_query.replace("ORDER", open_no),
    };
    let mch = query_get(&query, "mch").and_then(|m| MerchantId::parse(&m));
    let number = query_get(&query, "out_trade_no").unwrap_or_default();
    let Some(mch) = mch else {
        return;
    };
    let mut state = w.rich.clone();
    state.sim_mut().set_faults(Faults {
        network: u32::from(input.faults & 1),
        busy: u32::from((input.faults >> 1) & 1),
        latency_ms: 0,
    });
    let loaded = state.clone();
    let now = at(600 + i64::from(input.minutes) * 60);
    let _ = state.open_cashier(mch, &number, now);
    let _ = state.order(mch, &number).map(|o| o.refundable());
    let methods = state.pay_methods();
    let method = if input.change {
        PayMethod::Change
    } else {
        methods.first().copied().unwrap_or(PayMethod::Change)
    };
    if let Some(order) = state.order(mch, &number) {
        let _ = state.needs_extra_confirmation(mch, order.amount, method);
    }
    let pay_password = match input.right_pay_password {
        true => w.demo.wechat.pay_password.as_str(),
        false => input.pay_password,
    };
    let wallet_password = match input.right_wallet_password {
        true => Some(w.demo.wallet.password.as_str()),
        false => input.wallet_password,
    };
    let request = PayRequest {
        merchant: mch,
        out_trade_no: &number,
        method: Some(method),
        pay_password,
        wallet_password,
        key: input.key,
    };
    let first = state.pay_order(request, now);
    let again = state.pay_order(request, now);
    if let Ok(paid) = &first {
        assert_eq!(
            again.as_ref().map(|p| p.entry),
            Ok(paid.entry),
            "a repeated pay request paid again"
        );
    }
    let _ = state.cancel_payment(mch, &number);
    let _ = state.refresh_order(mch, &number, now);
    if state != loaded {
        check_loaded(&state);
    }
});
