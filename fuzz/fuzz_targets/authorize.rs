//! WeChat's authorize page, `/wechat/connect/oauth2/authorize?…`, with any
//! query string: the parameters are read as the page reads them
//! (`URLSearchParams`), then `WeChat::check_request`,
//! `State::approve_authorization` (「允许」) and `State::deny_authorization`
//! (「拒绝」) run on a wallet that is waiting for WeChat.
//!
//! Never a panic; a request is approved or denied only when it checks; the
//! page then navigates to a URL on the app's registered host that carries
//! the request's `state` back unchanged (and, when approved, a code); a
//! refused request changes nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qianbao_core::wechat::{self, redirect_host, AuthorizeRequest};
use qianbao_fuzz::{at, query_get, query_of, query_pairs, rng, site, worlds};

/// The page leaves for the request's `redirect_uri` (without its fragment)
/// with WeChat's parameters appended to its query: `code` (when approved)
/// and the request's `state`, unchanged; on the app's registered host.
fn check_redirect(redirect: &str, request: &AuthorizeRequest<'_>, host: &str, approved: bool) {
    assert_eq!(
        redirect_host(redirect).as_deref(),
        Some(host),
        "{redirect} leaves the registered host"
    );
    let base = request
        .redirect_uri
        .split('#')
        .next()
        .unwrap_or(request.redirect_uri);
    let appended = redirect
        .strip_prefix(base)
        .unwrap_or_else(|| panic!("{redirect} is not on {base}"));
    let params = appended
        .strip_prefix(['?', '&'])
        .unwrap_or_else(|| panic!("{redirect}: nothing appended to the query"));
    assert!(
        query_of(redirect).ends_with(params),
        "{redirect}: the parameters are not in the query"
    );
    let pairs = query_pairs(params);
    let keys: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    if approved {
        assert_eq!(keys, ["code", "state"], "{redirect}");
        assert!(!pairs[0].1.is_empty(), "{redirect}: empty code");
    } else {
        assert_eq!(keys, ["state"], "{redirect}");
    }
    assert_eq!(
        pairs.last().map(|(_, v)| v.as_str()),
        Some(request.state),
        "{redirect} does not carry the state back"
    );
}

fuzz_target!(|data: &[u8]| {
    // `location.search` is always text (the browser percent-encodes).
    let query = String::from_utf8_lossy(data);
    let get = |key: &str| query_get(&query, key).unwrap_or_default();
    let (appid, redirect_uri, response_type, scope, state) = (
        get("appid"),
        get("redirect_uri"),
        get("response_type"),
        get("scope"),
        get("state"),
    );
    let request = AuthorizeRequest {
        appid: &appid,
        redirect_uri: &redirect_uri,
        response_type: &response_type,
        scope: &scope,
        state: &state,
    };
    let _ = redirect_host(&redirect_uri);
    let _ = redirect_host(&query);
    let _ = wechat::encode(&query);

    let site = site();
    let host = site.host();
    let world = &worlds().authorizing;
    let _ = world.wechat().app(&appid);
    let checked = world.wechat().check_request(&request, &host);

    let mut approving = world.clone();
    match approving.approve_authorization(&request, &site, None, at(100), &mut rng(3)) {
        Ok(redirect) => {
            assert!(checked.is_ok(), "approved a request that does not check");
            check_redirect(&redirect, &request, &host, true);
        }
        Err(_) => assert!(approving == *world, "a refused approval changed the state"),
    }
    let mut approving = world.clone();
    let _ = approving.approve_authorization(&request, &site, Some(&state), at(100), &mut rng(3));

    let mut denying = world.clone();
    match denying.deny_authorization(&request, &site, at(100)) {
        Ok(redirect) => {
            assert!(
                checked.is_ok(),
                "denied (redirected) a request that does not check"
            );
            check_redirect(&redirect, &request, &host, false);
        }
        Err(_) => assert!(denying == *world, "a refused denial changed the state"),
    }
});
