//! The wallet's callback page, `/bind/callback?code=…&state=…`, with any
//! query string, on a wallet whose authorization WeChat has just approved:
//! `State::complete_binding` with the `code` and `state` the page reads.
//!
//! The literal values `CODE` and `STATE` stand for the code WeChat issued
//! and the state the wallet expects, so the fuzzer reaches the paths behind
//! the checks (success, a replayed callback, injected network faults) too.
//!
//! Never a panic; a wrong `state` is refused and changes nothing; a network
//! fault changes neither side (the same callback can be retried); whatever
//! the outcome, the state is saved and read back unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qianbao_core::binding::{BindError, Binding};
use qianbao_core::sim::Faults;
use qianbao_core::wechat::WeChatError;
use qianbao_fuzz::{at, check_loaded, query_get, rng, worlds};

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let query = String::from_utf8_lossy(rest);
    let w = worlds();
    let code = query_get(&query, "code").map(|c| c.replace("CODE", &w.code));
    let state = query_get(&query, "state")
        .unwrap_or_default()
        .replace("STATE", &w.state_param);

    let mut s = w.approved.clone();
    let me = s.signed_in().map(|a| a.id());
    let Some(me) = me else {
        return;
    };
    s.sim_mut().set_faults(Faults {
        network: u32::from(flags & 0b11),
        busy: u32::from((flags >> 2) & 0b11),
        latency_ms: 0,
    });
    let before = s.clone();
    let now = at(120 + i64::from(flags >> 4) * 30);
    let result = s.complete_binding(code.as_deref(), &state, now, &mut rng(5));
    match &result {
        Ok(()) => assert!(matches!(s.binding(me), Binding::Bound(_))),
        Err(BindError::ForgedState) => {
            assert_ne!(state, w.state_param);
            assert!(s == before, "a forged callback changed the state");
        }
        Err(BindError::WeChat(WeChatError::Network | WeChatError::SystemBusy)) => {
            assert!(
                s.wechat() == before.wechat(),
                "a failed request changed WeChat"
            );
            assert_eq!(s.binding(me), before.binding(me));
        }
        Err(_) => assert!(
            s.wechat() == before.wechat(),
            "a failed binding changed WeChat"
        ),
    }
    if state != w.state_param {
        assert_eq!(result, Err(BindError::ForgedState));
    }
    check_loaded(&s);

    // The page reloaded: the same callback again.
    let again = s.complete_binding(code.as_deref(), &state, now, &mut rng(6));
    if result.is_ok() {
        assert_eq!(again, Ok(()), "a reloaded callback is not recognised");
    }
    check_loaded(&s);
});
