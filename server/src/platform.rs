//! The platform's keys — each a 微信支付公钥 (`PUB_KEY_ID_…`) with its
//! certificate — and their rotation, as WeChat Pay rotates them:
//!
//! 1. **start**: a new key is published beside the one signing
//!    (`/v3/certificates` lists both; the console shows its public key);
//!    answers are still signed with the old one;
//! 2. **switch**: the new key signs answers and notifications for a
//!    backend that verifies with certificates; a backend that names a
//!    public key id (`Wechatpay-Serial`) still gets answers signed with the
//!    key it names while that key is valid, so each backend moves when it
//!    is ready;
//! 3. **retire**: the old key is gone — no longer listed, no longer used,
//!    whatever a backend names.
//!
//! At most two keys are valid at once. Every change is saved by the writer
//! (in the save that answers it) before memory follows.

use crate::db::{CertRow, Mode, PlatformKeyRow, PlatformRow, Stage};
use crate::keys::{self, KeyError};
use crate::sandbox::{job, wall_clock, write, Sandbox, SandboxError, SignedHeaders};
use crate::signing;
use crate::signing::{BadKey, SigningKey};
use qianbao_core::merchant::Mchid;
use rand_core::OsRng;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::sync::{PoisonError, RwLock};

/// One step of a rotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rotation {
    Start,
    Switch,
    Retire,
}

/// Why a step cannot be taken now (a stable code for the console).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RotationError {
    #[error("a rotation is under way: switch to the new key, or retire the old one, first")]
    UnderWay,
    #[error("there is no new key to switch to: start a rotation first")]
    NothingToSwitch,
    #[error("there is no old key to retire: switch to the new key first")]
    NothingToRetire,
}

impl RotationError {
    pub fn code(self) -> &'static str {
        match self {
            Self::UnderWay => "ROTATION_UNDER_WAY",
            Self::NothingToSwitch => "NOTHING_TO_SWITCH",
            Self::NothingToRetire => "NOTHING_TO_RETIRE",
        }
    }
}

/// What a step writes: a key made, or a key's new stage.
#[derive(Debug, Clone)]
pub enum KeyWrite {
    Insert(Box<PlatformKeyRow>),
    Stage(String, Stage),
}

/// A key as the console and `/v3/certificates` show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyView {
    pub public_key_id: String,
    pub public_key_pem: String,
    pub serial_no: String,
    pub stage: Stage,
}

#[derive(Debug)]
struct Key {
    row: PlatformKeyRow,
    signing: SigningKey,
}

/// The valid platform keys (see the module docs).
#[derive(Debug)]
pub struct Keys {
    keys: RwLock<Vec<Key>>,
}

fn key(row: PlatformKeyRow) -> Result<Key, BadKey> {
    Ok(Key {
        signing: SigningKey::from_pem(&row.key.private_key_pem)?,
        row,
    })
}

impl Keys {
    /// The keys as the file holds them (not retired, oldest first).
    pub fn new(rows: Vec<PlatformKeyRow>) -> Result<Keys, BadKey> {
        Ok(Keys {
            keys: RwLock::new(rows.into_iter().map(key).collect::<Result<_, _>>()?),
        })
    }

    fn with<T>(&self, f: impl FnOnce(&[Key]) -> T) -> T {
        f(&self.keys.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// The key signing now (`None` only for a file with no key at all).
    fn active(keys: &[Key]) -> Option<&Key> {
        keys.iter()
            .find(|k| k.row.stage == Stage::Active)
            .or_else(|| keys.first())
    }

    /// The signing key's public key id and PEM (a new merchant's
    /// credentials).
    pub fn public_key(&self) -> (String, String) {
        self.with(|keys| {
            Self::active(keys)
                .map(|k| {
                    (
                        k.row.key.public_key_id.clone(),
                        k.row.key.public_key_pem.clone(),
                    )
                })
                .unwrap_or_default()
        })
    }

    /// The signing key's certificate serial.
    pub fn active_serial(&self) -> String {
        self.with(|keys| {
            Self::active(keys)
                .map(|k| k.row.cert.serial.clone())
                .unwrap_or_default()
        })
    }

    /// Whether `id` is the public key id of a valid key.
    pub fn is_public_key_id(&self, id: &str) -> bool {
        self.with(|keys| keys.iter().any(|k| k.row.key.public_key_id == id))
    }

    /// The public key id an answer names for a backend that named `named`:
    /// that one while it is valid, else the signing key's.
    pub fn public_key_id_for(&self, named: Option<&str>) -> String {
        match named.filter(|id| self.is_public_key_id(id)) {
            Some(id) => id.to_owned(),
            None => self.public_key().0,
        }
    }

    /// Every valid certificate (`/v3/certificates`).
    pub fn certificates(&self) -> Vec<CertRow> {
        self.with(|keys| keys.iter().map(|k| k.row.cert.clone()).collect())
    }

    /// Every valid key, for the console.
    pub fn views(&self) -> Vec<KeyView> {
        self.with(|keys| {
            keys.iter()
                .map(|k| KeyView {
                    public_key_id: k.row.key.public_key_id.clone(),
                    public_key_pem: k.row.key.public_key_pem.clone(),
                    serial_no: k.row.cert.serial.clone(),
                    stage: k.row.stage,
                })
                .collect()
        })
    }

    /// Signs `message` with the key `serial` names (its certificate's
    /// serial or its public key id), the signing key if none does.
    pub fn sign(&self, serial: &str, message: &[u8]) -> String {
        self.with(|keys| {
            keys.iter()
                .find(|k| k.row.cert.serial == serial || k.row.key.public_key_id == serial)
                .or_else(|| Self::active(keys))
                .map(|k| k.signing.sign(message))
                .unwrap_or_default()
        })
    }

    /// What `step` writes, checked against the keys now (a new key is made
    /// here, outside the writer: RSA key generation is slow).
    pub fn plan(&self, step: Rotation, now_ms: i64) -> Result<Vec<KeyWrite>, PlanError> {
        let stages: Vec<(String, Stage)> = self.with(|keys| {
            keys.iter()
                .map(|k| (k.row.key.public_key_id.clone(), k.row.stage))
                .collect()
        });
        let find = |stage| {
            stages
                .iter()
                .find(|(_, s)| *s == stage)
                .map(|(id, _)| id.clone())
        };
        match step {
            Rotation::Start => {
                if stages.iter().any(|(_, s)| *s != Stage::Active) {
                    return Err(RotationError::UnderWay.into());
                }
                Ok(vec![KeyWrite::Insert(Box::new(made(now_ms)?))])
            }
            Rotation::Switch => {
                let next = find(Stage::Next).ok_or(RotationError::NothingToSwitch)?;
                let mut writes = vec![KeyWrite::Stage(next, Stage::Active)];
                if let Some(active) = find(Stage::Active) {
                    writes.push(KeyWrite::Stage(active, Stage::Retiring));
                }
                Ok(writes)
            }
            Rotation::Retire => {
                let old = find(Stage::Retiring).ok_or(RotationError::NothingToRetire)?;
                Ok(vec![KeyWrite::Stage(old, Stage::Retired)])
            }
        }
    }

    /// Memory follows what the writer saved.
    pub fn apply(&self, writes: Vec<KeyWrite>) -> Result<(), BadKey> {
        let mut keys = self.keys.write().unwrap_or_else(PoisonError::into_inner);
        for write in writes {
            match write {
                KeyWrite::Insert(row) => keys.push(key(*row)?),
                KeyWrite::Stage(id, stage) => {
                    for k in keys.iter_mut().filter(|k| k.row.key.public_key_id == id) {
                        k.row.stage = stage;
                    }
                }
            }
        }
        keys.retain(|k| k.row.stage != Stage::Retired);
        Ok(())
    }
}

/// Why a step was not planned.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error(transparent)]
    Rotation(#[from] RotationError),
    #[error(transparent)]
    Key(#[from] KeyError),
}

/// A new platform key with its certificate, published but not signing.
fn made(now_ms: i64) -> Result<PlatformKeyRow, KeyError> {
    let private = keys::generate(&mut OsRng)?;
    let now = qianbao_core::time::Timestamp::from_millis(now_ms);
    let (serial, pem, not_before, not_after) =
        keys::platform_certificate(&private, now, &mut OsRng)?;
    Ok(PlatformKeyRow {
        key: PlatformRow {
            public_key_id: keys::public_key_id(&mut OsRng),
            private_key_pem: keys::private_pem(&private)?,
            public_key_pem: keys::public_pem(&private.to_public_key())?,
        },
        cert: CertRow {
            serial,
            pem,
            not_before,
            not_after,
        },
        stage: Stage::Next,
    })
}

impl Sandbox {
    /// The valid platform certificates (two during a rotation).
    pub fn certificates(&self) -> Vec<CertRow> {
        self.inner.platform.certificates()
    }

    /// The platform keys, for the console.
    pub fn platform_keys(&self) -> Vec<KeyView> {
        self.inner.platform.views()
    }

    /// One step of the platform keys' rotation (see `platform`), saved
    /// before it takes effect.
    pub async fn rotate(&self, step: Rotation) -> Result<(), SandboxError> {
        let platform = &self.inner.platform;
        let inner = Arc::clone(&self.inner);
        let now = wall_clock().as_millis();
        let planned = tokio::task::spawn_blocking(move || inner.platform.plan(step, now))
            .await
            .map_err(|_| SandboxError::Unsaved)?;
        let writes = match planned {
            Ok(writes) => writes,
            Err(PlanError::Rotation(why)) => return Err(SandboxError::Rotation(why)),
            Err(PlanError::Key(error)) => return Err(SandboxError::Key(error)),
        };
        let saved = writes.clone();
        self.write(None, move |_, tx| tx.store_platform(saved))
            .await?;
        platform.apply(writes)?;
        Ok(())
    }

    /// Notes how `mchid` verifies answers: with the 微信支付公钥 when its
    /// call named one in `Wechatpay-Serial` (and which), else with the
    /// certificate — the mode kept with the merchant's keys, so a restart
    /// remembers it.
    pub fn note_mode(&self, mchid: Mchid, named_serial: Option<&str>) {
        // A public key id, valid or not (a retired one is answered with the
        // key signing now, as WeChat Pay answers).
        let named = named_serial.filter(|id| id.starts_with(keys::PUBLIC_KEY_ID_PREFIX));
        let mode = if named.is_some() {
            Mode::PublicKey
        } else {
            Mode::Certificate
        };
        let changed = write(&self.inner.merchants)
            .get_mut(&mchid)
            .is_some_and(|m| {
                if named.is_some() {
                    m.named_key = named.map(str::to_owned);
                }
                std::mem::replace(&mut m.mode, mode) != mode
            });
        if changed {
            let id = mchid.to_string();
            let _ = self.send(job(None, move |_, tx| tx.modes.push((id, mode)), |_| ()));
        }
    }

    /// What an answer to (or a notification for) `mchid` is signed under:
    /// the signing key's certificate, or the public key the merchant names
    /// while it is valid (see `platform`).
    pub fn serial_for(&self, mchid: Option<Mchid>) -> String {
        let platform = &self.inner.platform;
        match mchid.and_then(|m| self.merchant(m)) {
            Some(m) if m.mode == Mode::Certificate => platform.active_serial(),
            Some(m) => platform.public_key_id_for(m.named_key.as_deref()),
            None => platform.public_key_id_for(None),
        }
    }

    /// Signs `body`, naming `serial` (the public key's id or the certificate's).
    pub fn sign_as(&self, body: &[u8], serial: String) -> SignedHeaders {
        self.sign_at(body, serial, wall_clock().as_millis() / 1000)
    }

    /// [`Sandbox::sign_as`] with the `Wechatpay-Timestamp` given (the
    /// integration check's stale probe).
    pub fn sign_at(&self, body: &[u8], serial: String, unix_secs: i64) -> SignedHeaders {
        let timestamp = unix_secs.to_string();
        let nonce = keys::with_rng(keys::nonce);
        let message = signing::response_message(&timestamp, &nonce, body);
        SignedHeaders {
            signature: self.inner.platform.sign(&serial, &message),
            timestamp,
            nonce,
            serial,
        }
    }
}
