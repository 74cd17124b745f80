//! The sandbox server's console endpoints, for the developer console's
//! 「商户与应用」 and its reset, import and export (only when the page came
//! from the server: see `storage::on_server`). The state itself follows the
//! server through `sandbox.rs`.

/// Why a registration did not happen: the refused field (`name`,
/// `notify_url`, `redirect_domain`, `full`), or `server`.
pub type Refused = String;

/// `POST /sandbox/v1/merchants`: the credentials' JSON, shown once.
pub async fn register_merchant(
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
    match crate::sandbox::request_form("/sandbox/v1/merchants", &body).await {
        Ok((200, text)) => Ok(text),
        Ok((400, text)) => Err(text),
        _ => Err(server()),
    }
}
