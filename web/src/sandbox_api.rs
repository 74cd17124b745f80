//! The sandbox server's console endpoints, for the developer console's
//! 「商户与应用」 (only when the page came from the server: see
//! `storage::on_server`). The state itself moves through `storage.rs`.

use web_sys::XmlHttpRequest;

/// Why a registration did not happen: the refused field (`name`,
/// `notify_url`, `redirect_domain`, `full`), or `server`.
pub type Refused = String;

/// `POST /sandbox/v1/merchants`: the credentials' JSON, shown once.
pub fn register_merchant(
    name: &str,
    notify_url: &str,
    redirect_domain: &str,
) -> Result<String, Refused> {
    let server = || "server".to_owned();
    let form = web_sys::UrlSearchParams::new().map_err(|_| server())?;
    form.append("name", name);
    form.append("notify_url", notify_url);
    form.append("redirect_domain", redirect_domain);
    let body: String = form.to_string().into();
    let xhr = XmlHttpRequest::new().map_err(|_| server())?;
    xhr.open_with_async("POST", "/sandbox/v1/merchants", false)
        .map_err(|_| server())?;
    xhr.set_request_header("Content-Type", "application/x-www-form-urlencoded")
        .map_err(|_| server())?;
    xhr.send_with_opt_str(Some(&body)).map_err(|_| server())?;
    let text = xhr.response_text().ok().flatten().unwrap_or_default();
    match xhr.status() {
        Ok(200) => Ok(text),
        Ok(400) => Err(text),
        _ => Err(server()),
    }
}
