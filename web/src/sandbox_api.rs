//! The sandbox server's console endpoints, for the developer console's
//! 「商户与应用」 and its reset, import and export (only when the page came
//! from the server: see `storage::on_server`). The state itself follows the
//! server through `sandbox.rs`.

use crate::store::Problem;
use qianbao_core::envelope::ImportError;
use qianbao_core::error::SiteError;

/// `GET /sandbox/v1/export`: the server's state as the import reads it.
pub async fn export() -> Result<String, Problem> {
    match crate::sandbox::request("GET", "/sandbox/v1/export", None).await {
        Ok((200, text)) => Ok(text),
        _ => Err(Problem::Site(SiteError::Unreachable)),
    }
}

/// `POST /sandbox/v1/import`: checked by the server as a load would; a
/// refusal says why and changes nothing.
pub async fn import(text: &str) -> Result<(), Problem> {
    match crate::sandbox::request("POST", "/sandbox/v1/import", Some(text)).await {
        Ok((204, _)) => Ok(()),
        Ok((400, why)) => Err(Problem::Import(
            serde_json::from_str(&why).unwrap_or(ImportError::NotAnExport),
        )),
        _ => Err(Problem::Site(SiteError::Unreachable)),
    }
}

/// `POST /sandbox/v1/reset`: a fresh start of the whole sandbox.
pub async fn reset() -> Result<(), Problem> {
    match crate::sandbox::request("POST", "/sandbox/v1/reset", None).await {
        Ok((204, _)) => Ok(()),
        _ => Err(Problem::Site(SiteError::Unreachable)),
    }
}

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

/// A platform key as `GET /sandbox/v1/platform` lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct PlatformKey {
    pub public_key_id: String,
    pub public_key_pem: String,
    pub serial_no: String,
    /// `next`, `active` or `retiring`.
    pub stage: String,
}

#[derive(serde::Deserialize)]
struct PlatformKeys {
    keys: Vec<PlatformKey>,
}

#[derive(serde::Deserialize)]
struct Refusal {
    code: String,
}

/// `GET /sandbox/v1/platform`: the valid platform keys.
pub async fn platform_keys() -> Result<Vec<PlatformKey>, String> {
    match crate::sandbox::request("GET", "/sandbox/v1/platform", None).await {
        Ok((200, text)) => serde_json::from_str::<PlatformKeys>(&text)
            .map(|k| k.keys)
            .map_err(|_| "server".to_owned()),
        _ => Err("server".to_owned()),
    }
}

/// `POST /sandbox/v1/platform` (`step`: `start`, `switch` or `retire`): the
/// keys after it, or why it was refused (the code, or `server`).
pub async fn rotate(step: &str) -> Result<Vec<PlatformKey>, String> {
    let body = format!("step={step}");
    match crate::sandbox::request_form("/sandbox/v1/platform", &body).await {
        Ok((200, text)) => serde_json::from_str::<PlatformKeys>(&text)
            .map(|k| k.keys)
            .map_err(|_| "server".to_owned()),
        Ok((409, text)) => Err(serde_json::from_str::<Refusal>(&text)
            .map(|r| r.code)
            .unwrap_or_else(|_| "server".to_owned())),
        _ => Err("server".to_owned()),
    }
}

/// `POST /sandbox/v1/check` (`mchid`): 「接入检查」 — the probes sent to
/// the merchant's notify URL, and the report (`Err`: the server did not
/// run it).
pub async fn check(mchid: &str) -> Result<qianbao_core::payapi::CheckReport, ()> {
    let body = format!("mchid={mchid}");
    match crate::sandbox::request_form("/sandbox/v1/check", &body).await {
        Ok((200, text)) => serde_json::from_str(&text).map_err(|_| ()),
        _ => Err(()),
    }
}
