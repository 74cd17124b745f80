//! One sandbox: the state, the file it lives in, and the platform's key.
//!
//! Every change goes through [`Sandbox::run`]: read the newest stored
//! state (another process may have saved), run a `core` command, and save
//! over exactly the save that was read — the browser's multi-tab rule
//! (`web/src/store.rs`), here with SQLite's transaction as the lock. A
//! save that finds another writer's save first is undone in memory and the
//! command runs again on the newer state; a command whose result cannot be
//! saved is undone.

use crate::db::{CertRow, Db, DbError, MerchantKeys, PlatformRow};
use crate::keys::{self, KeyError};
use crate::signing;
use qianbao_core::binding::Site;
use qianbao_core::envelope::{self, Read, Saved, Stored, StoredSave, Write};
use qianbao_core::merchant::Mchid;
use qianbao_core::payapi::RegisterError;
use qianbao_core::state::{State, StateError};
use qianbao_core::time::Timestamp;
use rand_core::OsRng;
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde::Serialize;
use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

/// How many times a command is run again when another writer saved first.
const MAX_ATTEMPTS: usize = 8;

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error("the stored state is sealed with a wallet password: it is a browser's copy, not a sandbox's")]
    Sealed,
    #[error("the stored state is damaged: {0}")]
    Damaged(StateError),
    #[error("cannot register this merchant: {0}")]
    Register(RegisterError),
    #[error("other writers kept saving first; nothing was changed")]
    Busy,
}

/// How one run of a command inside the write transaction ended, when not
/// with its result.
enum Attempt {
    /// Another writer's save came first: run it again.
    Again,
    Failed(SandboxError),
}

/// Why a browser's save was not kept.
#[derive(Debug, thiserror::Error)]
pub enum BrowserSaveError {
    /// Another writer saved first: read again, run the command again.
    #[error("another save came first")]
    Conflict,
    #[error("not a save of the sandbox's state: {0}")]
    Invalid(String),
    #[error(transparent)]
    Sandbox(#[from] SandboxError),
}

impl From<DbError> for BrowserSaveError {
    fn from(error: DbError) -> Self {
        Self::Sandbox(error.into())
    }
}

/// What `qianbao-sandbox merchant add` prints: everything a merchant's
/// backend needs to call WeChat Pay and 网页授权, in WeChat's names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Credentials {
    pub appid: String,
    pub appsecret: String,
    pub mchid: String,
    pub merchant_serial_no: String,
    pub merchant_private_key_pem: String,
    pub apiv3_key: String,
    /// The 微信支付公钥's id (`PUB_KEY_ID_…`), sent as `Wechatpay-Serial`.
    pub platform_serial_no: String,
    pub platform_public_key_pem: String,
}

/// The platform's key, read once.
#[derive(Debug)]
struct Platform {
    public_key_id: String,
    public_key_pem: String,
    key: RsaPrivateKey,
    cert: CertRow,
}

/// The headers that sign a response or a notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHeaders {
    pub timestamp: String,
    pub nonce: String,
    pub signature: String,
    pub serial: String,
}

#[derive(Debug)]
pub struct Sandbox {
    db: Db,
    state: State,
    saved: Saved,
    platform: Platform,
    site: Site,
    /// Each merchant's certificate serial and public key, read once.
    merchants: HashMap<String, (String, RsaPublicKey)>,
    /// Merchants whose last call did not name the 微信支付公钥: they verify
    /// with the platform certificate, so answers name its serial.
    certificate_mode: HashMap<Mchid, bool>,
}

/// Milliseconds since the epoch, by this machine's clock.
pub fn wall_clock() -> Timestamp {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    Timestamp::from_millis(millis)
}

fn read_state(db: &Db) -> Result<(State, Saved), SandboxError> {
    match envelope::read(&db.stored()?, None) {
        Read::Fresh => Ok((State::default(), Saved::default())),
        Read::Opened {
            state,
            saved,
            keys: None,
        } => Ok((*state, saved)),
        Read::Opened { keys: Some(_), .. } | Read::Locked(_) => Err(SandboxError::Sealed),
        Read::Damaged(error) => Err(SandboxError::Damaged(error)),
    }
}

impl Sandbox {
    /// Opens the sandbox kept in `db`, making the platform key on first use.
    /// `site` is where the sandbox is reached (its `code_url`s point there).
    pub fn open(mut db: Db, site: Site) -> Result<Sandbox, SandboxError> {
        let row = db.platform(|| {
            let key = keys::generate(&mut OsRng)?;
            Ok(PlatformRow {
                public_key_id: keys::public_key_id(&mut OsRng),
                private_key_pem: keys::private_pem(&key)?,
                public_key_pem: keys::public_pem(&key.to_public_key())?,
            })
        })?;
        let key = keys::read_private(&row.private_key_pem)?;
        let cert = db.platform_cert(|| {
            let (serial, pem, not_before, not_after) =
                keys::platform_certificate(&key, wall_clock(), &mut OsRng)?;
            Ok(CertRow {
                serial,
                pem,
                not_before,
                not_after,
            })
        })?;
        let platform = Platform {
            key,
            public_key_id: row.public_key_id,
            public_key_pem: row.public_key_pem,
            cert,
        };
        let (state, saved) = read_state(&db)?;
        Ok(Sandbox {
            db,
            state,
            saved,
            platform,
            site,
            merchants: HashMap::new(),
            certificate_mode: HashMap::new(),
        })
    }

    pub fn site(&self) -> &Site {
        &self.site
    }

    /// The state as last read or written (call [`Sandbox::run`] for the newest).
    pub fn state(&self) -> &State {
        &self.state
    }

    /// Reads the state again if another writer saved since.
    fn sync(&mut self) -> Result<(), SandboxError> {
        if !self.db.stored_save()?.is(&self.saved) {
            let (state, saved) = read_state(&self.db)?;
            self.state = state;
            self.saved = saved;
        }
        Ok(())
    }

    /// Runs `command` on the newest state at the sandbox's time (the
    /// machine's clock moved by the console's), saving what it changed.
    pub fn run<T>(
        &mut self,
        mut command: impl FnMut(&mut State, Timestamp) -> T,
    ) -> Result<T, SandboxError> {
        self.run_saving(|state, now| (command(state, now), None))
    }

    /// [`Sandbox::run`], where the command may hand over a new merchant's
    /// keys to store in the same transaction as the state.
    fn run_saving<T>(
        &mut self,
        mut command: impl FnMut(&mut State, Timestamp) -> (T, Option<MerchantKeys>),
    ) -> Result<T, SandboxError> {
        for _ in 0..MAX_ATTEMPTS {
            self.db.begin()?;
            let attempt = self.attempt(&mut command);
            match attempt {
                Ok(result) => {
                    if let Err(error) = self.db.commit() {
                        self.db.rollback();
                        // What this copy holds was never stored: read again.
                        self.saved = Saved::default();
                        return Err(error.into());
                    }
                    return Ok(result);
                }
                Err(Attempt::Again) => self.db.rollback(),
                Err(Attempt::Failed(error)) => {
                    self.db.rollback();
                    return Err(error);
                }
            }
        }
        Err(SandboxError::Busy)
    }

    /// One run of a command inside the write transaction.
    fn attempt<T>(
        &mut self,
        command: &mut impl FnMut(&mut State, Timestamp) -> (T, Option<MerchantKeys>),
    ) -> Result<T, Attempt> {
        self.sync().map_err(Attempt::Failed)?;
        let checkpoint = self.state.checkpoint();
        let now = self.state.sim().now(wall_clock());
        // A server is never the browser's offline switch.
        self.state.sim_mut().set_offline(false);
        let (result, keys) = command(&mut self.state, now);
        if !self.state.changed_since(&checkpoint) {
            return Ok(result);
        }
        // (No stored head for its unlock guard: a sandbox's copy is never
        // sealed, so it has no unlock screen to guard.)
        let planned = envelope::write(&self.state, &self.saved, None, None, &mut OsRng)
            .map_err(SandboxError::Damaged);
        let saved = match planned.and_then(|(writes, saved)| {
            self.db
                .save(&self.saved, &writes, &saved, keys.as_ref())
                .map(|()| saved)
                .map_err(SandboxError::from)
        }) {
            Ok(saved) => saved,
            Err(SandboxError::Db(DbError::Conflict)) => {
                self.state.restore(checkpoint);
                return Err(Attempt::Again);
            }
            Err(error) => {
                self.state.restore(checkpoint);
                return Err(Attempt::Failed(error));
            }
        };
        self.state.set_revision(saved.revision());
        self.saved = saved;
        Ok(result)
    }

    /// Every stored value of the state, for a browser in sandbox mode.
    pub fn stored(&self) -> Result<Stored, SandboxError> {
        Ok(self.db.stored()?)
    }

    /// The stored head, for a browser checking which save is stored.
    pub fn head(&self) -> Result<Option<String>, SandboxError> {
        Ok(self.db.head()?)
    }

    /// A browser's save: accepted only if it is the next save after the
    /// stored one (else [`BrowserSaveError::Conflict`]: the browser reads
    /// again and runs its command again) and what it leaves reads as one
    /// committed, unsealed save of state keys. With `replace`, the writes
    /// replace everything (an import, a fresh start), at any revision.
    pub fn browser_save(
        &mut self,
        writes: &[Write],
        replace: bool,
    ) -> Result<(), BrowserSaveError> {
        let mut writes = writes.to_vec();
        if replace {
            let stored = self.db.stored().map_err(SandboxError::from)?;
            let mut all: Vec<Write> = stored.into_keys().map(Write::Remove).collect();
            all.append(&mut writes);
            writes = all;
        }
        let keys_ok = writes.iter().all(|w| match w {
            Write::Set(key, _) | Write::Remove(key) => envelope::is_state_key(key),
        });
        if !keys_ok {
            return Err(BrowserSaveError::Invalid(
                "only the state's own keys are kept on the server".to_owned(),
            ));
        }
        let result = self.db.save_checked(&writes, |before, after| {
            if after.is_empty() {
                return Ok(());
            }
            let next = StoredSave::of(before.get(envelope::HEAD_KEY).map(String::as_str))
                .revision()
                .map(|rev| rev + 1);
            let now = StoredSave::of(after.get(envelope::HEAD_KEY).map(String::as_str)).revision();
            if !replace && (next.is_none() || now != next) {
                return Err(BrowserSaveError::Conflict);
            }
            match envelope::read(after, None) {
                Read::Opened { keys: None, .. } => Ok(()),
                Read::Opened { keys: Some(_), .. } | Read::Locked(_) => {
                    Err(BrowserSaveError::Invalid(
                        "a sealed copy cannot be kept on the sandbox server".to_owned(),
                    ))
                }
                Read::Fresh => Ok(()),
                Read::Damaged(error) => Err(BrowserSaveError::Invalid(error.to_string())),
            }
        });
        result
    }

    /// `merchant add`: a new merchant and app, with fresh keys.
    pub fn register(
        &mut self,
        name: &str,
        notify_url: &str,
        redirect_domain: &str,
    ) -> Result<Credentials, SandboxError> {
        let merchant_key = keys::generate(&mut OsRng)?;
        let private_pem = keys::private_pem(&merchant_key)?;
        let public_pem = keys::public_pem(&merchant_key.to_public_key())?;
        let serial_no = keys::serial_no(&mut OsRng);
        let apiv3_key = keys::apiv3_key(&mut OsRng);
        let appsecret = keys::app_secret(&mut OsRng);
        let registered = self.run_saving(|state, now| {
            match state.register_merchant(name, notify_url, redirect_domain, now, &mut OsRng) {
                Ok(merchant) => {
                    let keys = MerchantKeys {
                        mchid: merchant.mchid.to_string(),
                        appsecret: appsecret.clone(),
                        serial_no: serial_no.clone(),
                        public_key_pem: public_pem.clone(),
                        apiv3_key: apiv3_key.clone(),
                    };
                    (Ok(merchant), Some(keys))
                }
                Err(error) => (Err(error), None),
            }
        })?;
        let merchant = registered.map_err(SandboxError::Register)?;
        Ok(Credentials {
            appid: merchant.appid,
            appsecret,
            mchid: merchant.mchid.to_string(),
            merchant_serial_no: serial_no,
            merchant_private_key_pem: private_pem,
            apiv3_key,
            platform_serial_no: self.platform.public_key_id.clone(),
            platform_public_key_pem: self.platform.public_key_pem.clone(),
        })
    }

    /// The serial number and public key a merchant signs with, if it is
    /// registered.
    pub fn merchant_key(
        &mut self,
        mchid: Mchid,
    ) -> Result<Option<(String, RsaPublicKey)>, SandboxError> {
        let id = mchid.to_string();
        if let Some(found) = self.merchants.get(&id) {
            return Ok(Some(found.clone()));
        }
        let Some(row) = self.db.merchant_keys(&id)? else {
            return Ok(None);
        };
        let found = (row.serial_no, keys::read_public(&row.public_key_pem)?);
        self.merchants.insert(id, found.clone());
        Ok(Some(found))
    }

    /// The AppSecret of a merchant's app, by its appid.
    pub fn app_secret(&mut self, appid: &str) -> Result<Option<String>, SandboxError> {
        let mchid = self.run(|state, _| {
            state
                .registered_merchants()
                .iter()
                .find(|m| m.appid == appid)
                .map(|m| m.mchid)
        })?;
        let Some(mchid) = mchid else {
            return Ok(None);
        };
        Ok(self
            .db
            .merchant_keys(&mchid.to_string())?
            .map(|k| k.appsecret))
    }

    /// The APIv3 key a merchant decrypts its notifications with.
    pub fn apiv3_key(&self, mchid: Mchid) -> Result<Option<String>, SandboxError> {
        Ok(self
            .db
            .merchant_keys(&mchid.to_string())?
            .map(|k| k.apiv3_key))
    }

    /// Records a signed request's nonce; `false` if it was used before.
    pub fn first_use_of_nonce(
        &mut self,
        mchid: Mchid,
        nonce: &str,
        at_secs: i64,
    ) -> Result<bool, SandboxError> {
        let forget_before = at_secs - 2 * signing::MAX_SKEW_SECS;
        Ok(self
            .db
            .first_use_of_nonce(&mchid.to_string(), nonce, at_secs, forget_before)?)
    }

    /// The platform certificate's serial, PEM and validity.
    pub fn certificate(&self) -> &CertRow {
        &self.platform.cert
    }

    /// Notes how `mchid` verifies answers: with the 微信支付公钥 when its
    /// call named it in `Wechatpay-Serial`, else with the certificate.
    pub fn note_mode(&mut self, mchid: Mchid, named_serial: Option<&str>) {
        let public_key = named_serial == Some(self.platform.public_key_id.as_str());
        self.certificate_mode.insert(mchid, !public_key);
    }

    /// What an answer to (or a notification for) `mchid` is signed under.
    pub fn serial_for(&self, mchid: Option<Mchid>) -> String {
        let certificate = mchid.is_some_and(|m| self.certificate_mode.get(&m) == Some(&true));
        if certificate {
            self.platform.cert.serial.clone()
        } else {
            self.platform.public_key_id.clone()
        }
    }

    /// Signs `body` as a response (or notification) from WeChat Pay, under
    /// the 微信支付公钥's id.
    pub fn sign(&self, body: &[u8]) -> SignedHeaders {
        self.sign_as(body, self.platform.public_key_id.clone())
    }

    /// Signs `body`, naming `serial` (the public key's id or the certificate's).
    pub fn sign_as(&self, body: &[u8], serial: String) -> SignedHeaders {
        let timestamp = (wall_clock().as_millis() / 1000).to_string();
        let nonce = keys::nonce(&mut OsRng);
        let message = signing::response_message(&timestamp, &nonce, body);
        SignedHeaders {
            signature: signing::sign(&self.platform.key, &message),
            timestamp,
            nonce,
            serial,
        }
    }
}
