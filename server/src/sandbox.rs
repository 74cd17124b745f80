//! One sandbox for a whole team: one writer, any number of readers.
//!
//! **The writer.** Every change — a page's command, a merchant backend's
//! API call, a notification's answer, a registration — is a job for one
//! thread ([`Writer`]), which owns the state and the SQLite file. It takes
//! the jobs waiting (up to [`MAX_BATCH`]), spends their nonces, runs them
//! one after the other through the one commit protocol (`core::commit`),
//! and writes what they changed as one transaction: the rows of the orders,
//! journal entries and log lines they touched, and the main record if it
//! changed — never the whole state. Only when that transaction is durable
//! does any job's caller get an answer, so an answered call survives a
//! `kill -9`; a batch whose save fails answers every caller that it failed,
//! and the state in memory is read back from the file.
//!
//! **The readers.** After each save the writer brings a second copy up to
//! date with what it wrote (the save's [`Delta`], the same rows a page
//! receives), behind a read–write lock that readers share: a merchant's
//! query, the notifier, a page's first read never wait for the writer or
//! for the disk, and see only what is saved. Signing and verifying happen
//! in the callers' threads, outside both.
//!
//! **The pages.** Each save is numbered (`seq`) and sent to every page that
//! follows the server's events; the last [`RECENT`] are kept, so a command's
//! reply can bring its page up to date, and a page that was away briefly
//! catches up without reading everything again.
//!
//! **Another process on the same file** (a second server, `merchant add`
//! while serving): the writer reads which save the file holds as it takes
//! the write lock, and reads the file again if it is not its own last one;
//! a poller notices such a save within half a second even when this server
//! is idle.

use crate::db::{CertRow, Db, DbError, MerchantKeys, Mode, PlatformRow};
use crate::keys::{self, KeyError};
use crate::platform::{self, KeyWrite, RotationError};
use crate::signing::{self, BadKey, VerifyingKey};
use qianbao_core::binding::Site;
use qianbao_core::commit::{self, Committed};
use qianbao_core::merchant::Mchid;
use qianbao_core::merchant::MerchantId;
use qianbao_core::payapi::RegisterError;
use qianbao_core::security::Hasher;
use qianbao_core::session::ClientId;
use qianbao_core::state::{Changes, Delta, HeldOrder, Snapshot, State, StateError};
use qianbao_core::time::Timestamp;
use rand_core::{OsRng, RngCore};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::{broadcast, oneshot, Notify};

/// The most jobs one save carries.
pub const MAX_BATCH: usize = 512;
/// Saves kept for pages that fall behind.
pub const RECENT: usize = 2_048;

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error(transparent)]
    BadKey(#[from] BadKey),
    #[error("cannot register this merchant: {0}")]
    Register(RegisterError),
    #[error("the sandbox could not save; nothing was changed")]
    Unsaved,
    #[error("this request was sent before (the nonce is spent)")]
    Replay,
    #[error(transparent)]
    Rotation(RotationError),
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
    /// `Authorization: Bearer …` for the test helpers
    /// (`/sandbox/v1/test-helpers/…`, `qianbao-sandbox trigger`).
    pub test_helpers_token: String,
}

/// The headers that sign a response or a notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHeaders {
    pub timestamp: String,
    pub nonce: String,
    pub signature: String,
    pub serial: String,
}

/// Milliseconds since the epoch, by this machine's clock.
pub fn wall_clock() -> Timestamp {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    Timestamp::from_millis(millis)
}

/// What a job gets besides the state: the time, randomness, the password
/// hasher, and what it hands the writer to store beside the state in the
/// same transaction.
pub struct Tx<'a> {
    /// The sandbox's time (the machine's clock moved by the console's).
    pub now: Timestamp,
    /// The machine's own clock.
    pub wall: Timestamp,
    pub rng: &'a mut dyn RngCore,
    pub hasher: &'a Hasher,
    keys: Vec<MerchantKeys>,
    pub(crate) modes: Vec<(String, Mode)>,
    platform: Vec<KeyWrite>,
}

impl std::fmt::Debug for Tx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tx")
            .field("now", &self.now)
            .finish_non_exhaustive()
    }
}

impl Tx<'_> {
    /// A new merchant's keys, stored with the save that registers it.
    pub fn store_keys(&mut self, keys: MerchantKeys) {
        self.keys.push(keys);
    }

    /// A step of the platform keys' rotation, saved with this save.
    pub(crate) fn store_platform(&mut self, writes: Vec<KeyWrite>) {
        self.platform.extend(writes);
    }
}

/// What a job returned, on its way back to its caller.
type Value = Box<dyn std::any::Any + Send>;
type Run = Box<dyn FnOnce(&mut State, &mut Tx<'_>) -> Value + Send>;
/// Tells a job's caller how it ended, once the save is decided: its value
/// and the save's number, or why not.
type Reply = Box<dyn FnOnce(Result<(Value, u64), SandboxError>) + Send>;

/// A request's nonce, spent in the save that answers it.
#[derive(Debug, Clone)]
pub struct Nonce {
    pub mchid: String,
    pub nonce: String,
    pub at_secs: i64,
}

pub(crate) enum Job {
    Run {
        nonce: Option<Nonce>,
        run: Run,
        reply: Reply,
    },
    /// Replace the whole state (the console's import or fresh start).
    Replace { state: Box<State>, reply: Reply },
    /// Nonces of reads, to remember across a restart.
    Nonces(Vec<Nonce>),
    /// Look at the file (another process may have saved).
    Look,
}

/// A registered merchant as calls are checked and answered.
#[derive(Debug, Clone)]
pub struct Merchant {
    pub serial_no: String,
    pub key: VerifyingKey,
    pub apiv3_key: String,
    pub appsecret: String,
    pub mode: Mode,
    /// The platform public key id its calls last named (public-key mode).
    pub named_key: Option<String>,
}

/// The readers' copy and which save it is.
#[derive(Debug)]
struct Replica {
    state: State,
    seq: u64,
}

/// Nonces seen lately, so a replay is refused before any disk is read.
#[derive(Debug, Default)]
struct Nonces {
    seen: HashMap<(String, String), i64>,
}

impl Nonces {
    fn spend(&mut self, mchid: &str, nonce: &str, at: i64) -> bool {
        if self.seen.len() > 100_000 {
            let horizon = at - 2 * signing::MAX_SKEW_SECS;
            self.seen.retain(|_, seen| *seen >= horizon);
        }
        self.seen
            .insert((mchid.to_owned(), nonce.to_owned()), at)
            .is_none()
    }
}

#[derive(Debug)]
pub(crate) struct Inner {
    site: Site,
    jobs: Mutex<mpsc::Sender<Job>>,
    replica: RwLock<Replica>,
    recent: Mutex<VecDeque<Arc<Delta>>>,
    events: broadcast::Sender<Arc<String>>,
    saved: Notify,
    pub(crate) platform: platform::Keys,
    pub(crate) merchants: RwLock<HashMap<Mchid, Merchant>>,
    nonces: Mutex<Nonces>,
    /// The save the file held when last looked at (by the poller).
    file_seq: AtomicU64,
}

/// The sandbox: cheap to clone, shared by every request.
#[derive(Debug, Clone)]
pub struct Sandbox {
    pub(crate) inner: Arc<Inner>,
}

fn merchant_of(keys: &MerchantKeys) -> Result<(Mchid, Merchant), SandboxError> {
    let mchid = Mchid::parse(&keys.mchid).ok_or(SandboxError::Key(KeyError::new(format!(
        "a stored merchant number {:?} is not one",
        keys.mchid
    ))))?;
    Ok((
        mchid,
        Merchant {
            serial_no: keys.serial_no.clone(),
            key: VerifyingKey::from_pem(&keys.public_key_pem)?,
            apiv3_key: keys.apiv3_key.clone(),
            appsecret: keys.appsecret.clone(),
            mode: keys.mode,
            named_key: None,
        },
    ))
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(PoisonError::into_inner)
}

pub(crate) fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(PoisonError::into_inner)
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Sandbox {
    /// Opens the sandbox kept in the file at `path` (made on first use,
    /// with the platform's key and certificate), and starts its writer.
    /// `site` is where the sandbox is reached (its `code_url`s point there).
    pub fn open(path: &Path, site: Site) -> Result<Sandbox, SandboxError> {
        let mut db = Db::open(path)?;
        let row = db.platform(|| {
            let key = keys::generate(&mut OsRng)?;
            Ok(PlatformRow {
                public_key_id: keys::public_key_id(&mut OsRng),
                private_key_pem: keys::private_pem(&key)?,
                public_key_pem: keys::public_pem(&key.to_public_key())?,
            })
        })?;
        let private = keys::read_private(&row.private_key_pem)?;
        db.platform_cert(|| {
            let (serial, pem, not_before, not_after) =
                keys::platform_certificate(&private, wall_clock(), &mut OsRng)?;
            Ok(CertRow {
                serial,
                pem,
                not_before,
                not_after,
            })
        })?;
        let platform = platform::Keys::new(db.platform_keys(wall_clock().as_millis())?)?;
        let loaded = db.load()?;
        let merchants = db
            .all_merchant_keys()?
            .iter()
            .map(merchant_of)
            .collect::<Result<HashMap<_, _>, _>>()?;
        let mut nonces = Nonces::default();
        let since = wall_clock().as_millis() / 1000 - 2 * signing::MAX_SKEW_SECS;
        for (mchid, nonce, at) in db.recent_nonces(since)? {
            nonces.seen.insert((mchid, nonce), at);
        }
        let (sender, receiver) = mpsc::channel();
        let (events, _) = broadcast::channel(RECENT);
        let inner = Arc::new(Inner {
            site,
            jobs: Mutex::new(sender),
            replica: RwLock::new(Replica {
                state: loaded.state.clone(),
                seq: loaded.seq,
            }),
            recent: Mutex::new(VecDeque::new()),
            events,
            saved: Notify::new(),
            platform,
            merchants: RwLock::new(merchants),
            nonces: Mutex::new(nonces),
            file_seq: AtomicU64::new(loaded.seq),
        });
        let writer = Writer {
            db,
            state: loaded.state,
            seq: loaded.seq,
            hasher: Hasher::standard(),
            rng: {
                use rand_chacha::rand_core::SeedableRng;
                rand_chacha::ChaCha20Rng::from_rng(OsRng)
                    .map_err(|e| SandboxError::Key(KeyError::new(e.to_string())))?
            },
            inner: Arc::downgrade(&inner),
            batches: 0,
        };
        std::thread::Builder::new()
            .name("qianbao-writer".to_owned())
            .spawn(move || writer.serve(receiver))
            .map_err(|e| SandboxError::Key(KeyError::new(e.to_string())))?;
        Ok(Sandbox { inner })
    }

    /// Looks at the file every half second, so that another process's save
    /// reaches this server's pages even when nothing happens here.
    pub fn watch(&self, path: &Path) -> Result<(), SandboxError> {
        let db = Db::open(path)?;
        let inner = Arc::downgrade(&self.inner);
        std::thread::Builder::new()
            .name("qianbao-watch".to_owned())
            .spawn(move || loop {
                std::thread::sleep(Duration::from_millis(500));
                let Some(inner) = inner.upgrade() else {
                    return;
                };
                let on_file = db.seq().ok().flatten().unwrap_or(0);
                if on_file != read(&inner.replica).seq
                    && on_file != inner.file_seq.load(Ordering::Relaxed)
                {
                    inner.file_seq.store(on_file, Ordering::Relaxed);
                    let _ = lock(&inner.jobs).send(Job::Look);
                }
            })
            .map_err(|e| SandboxError::Key(KeyError::new(e.to_string())))?;
        Ok(())
    }

    pub fn site(&self) -> &Site {
        &self.inner.site
    }

    /// Reads the saved state (the readers' copy): never waits for a save.
    pub fn read<T>(&self, f: impl FnOnce(&State) -> T) -> T {
        f(&read(&self.inner.replica).state)
    }

    /// The number of the save the readers' copy holds.
    pub fn seq(&self) -> u64 {
        read(&self.inner.replica).seq
    }

    /// Runs `f` on the state as the next job of the writer, spending
    /// `nonce` in the same save; its result once the save is durable, with
    /// the save's number.
    pub async fn write<T: Send + 'static>(
        &self,
        nonce: Option<Nonce>,
        f: impl FnOnce(&mut State, &mut Tx<'_>) -> T + Send + 'static,
    ) -> Result<(T, u64), SandboxError> {
        let (sender, receiver) = oneshot::channel();
        self.send(job(nonce, f, move |result| {
            let _ = sender.send(result);
        }))?;
        receiver.await.unwrap_or(Err(SandboxError::Unsaved))
    }

    /// [`Sandbox::write`], waiting in this thread (the command line's).
    pub fn write_blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut State, &mut Tx<'_>) -> T + Send + 'static,
    ) -> Result<(T, u64), SandboxError> {
        let (sender, receiver) = mpsc::channel();
        self.send(job(None, f, move |result| {
            let _ = sender.send(result);
        }))?;
        receiver.recv().unwrap_or(Err(SandboxError::Unsaved))
    }

    pub(crate) fn send(&self, job: Job) -> Result<(), SandboxError> {
        lock(&self.inner.jobs)
            .send(job)
            .map_err(|_| SandboxError::Unsaved)
    }

    /// Replaces the whole state (the console's import, or its fresh start,
    /// which also forgets every merchant's keys).
    pub async fn replace(&self, state: State) -> Result<u64, SandboxError> {
        let (sender, receiver) = oneshot::channel();
        let reply: Reply = Box::new(move |result| {
            let _ = sender.send(result.map(|(_, seq)| seq));
        });
        self.send(Job::Replace {
            state: Box::new(state),
            reply,
        })?;
        receiver.await.unwrap_or(Err(SandboxError::Unsaved))
    }

    /// Checks a read's nonce (`false`: seen before) and remembers it, in
    /// memory at once and in the file with the next save.
    pub fn spend_read_nonce(&self, nonce: Nonce) -> bool {
        let first = lock(&self.inner.nonces).spend(&nonce.mchid, &nonce.nonce, nonce.at_secs);
        if first {
            let _ = self.send(Job::Nonces(vec![nonce]));
        }
        first
    }

    /// Checks a write's nonce in memory first (the writer spends it in the
    /// file, with the save that answers the call).
    pub fn seen_nonce(&self, nonce: &Nonce) -> bool {
        !lock(&self.inner.nonces).spend(&nonce.mchid, &nonce.nonce, nonce.at_secs)
    }

    /// `merchant add`: a new merchant and app, with fresh keys.
    pub async fn register(
        &self,
        name: String,
        notify_url: String,
        redirect_domain: String,
    ) -> Result<Credentials, SandboxError> {
        let made = Made::new()?;
        let keys = made.keys.clone();
        let (registered, _) = self
            .write(None, move |state, tx| {
                register_in(state, tx, &name, &notify_url, &redirect_domain, keys)
            })
            .await?;
        self.registered(registered, made)
    }

    /// [`Sandbox::register`] from the command line.
    pub fn register_blocking(
        &self,
        name: String,
        notify_url: String,
        redirect_domain: String,
    ) -> Result<Credentials, SandboxError> {
        let made = Made::new()?;
        let keys = made.keys.clone();
        let (registered, _) = self.write_blocking(move |state, tx| {
            register_in(state, tx, &name, &notify_url, &redirect_domain, keys)
        })?;
        self.registered(registered, made)
    }

    fn registered(
        &self,
        registered: Result<(Mchid, String), RegisterError>,
        made: Made,
    ) -> Result<Credentials, SandboxError> {
        let (mchid, appid) = registered.map_err(SandboxError::Register)?;
        let mut keys = made.keys;
        keys.mchid = mchid.to_string();
        let (_, merchant) = merchant_of(&keys)?;
        write(&self.inner.merchants).insert(mchid, merchant);
        let (platform_serial_no, platform_public_key_pem) = self.inner.platform.public_key();
        Ok(Credentials {
            appid,
            appsecret: keys.appsecret,
            mchid: keys.mchid,
            merchant_serial_no: keys.serial_no,
            merchant_private_key_pem: made.private_pem,
            test_helpers_token: keys::helper_token(mchid, &keys.apiv3_key),
            apiv3_key: keys.apiv3_key,
            platform_serial_no,
            platform_public_key_pem,
        })
    }

    /// A registered merchant's keys and how it verifies answers.
    pub fn merchant(&self, mchid: Mchid) -> Option<Merchant> {
        read(&self.inner.merchants).get(&mchid).cloned()
    }

    /// The AppSecret of a merchant's app, by its appid.
    pub fn app_secret(&self, appid: &str) -> Option<String> {
        let mchid = self.read(|state| {
            state
                .registered_merchants()
                .iter()
                .find(|m| m.appid == appid)
                .map(|m| m.mchid)
        })?;
        self.merchant(mchid).map(|m| m.appsecret)
    }

    /// Waits until the next save (or returns at once if one was made since
    /// the last wait: one waiter, the notifier).
    pub async fn saved(&self) {
        self.inner.saved.notified().await;
    }

    /// The saved state as a page that is `client` first reads it: its
    /// window of the orders, and the orders at `hold` it asked for (see
    /// `qianbao_core::order::Orders::window`) — the same size whatever the
    /// number of orders.
    pub fn snapshot(&self, client: &ClientId, hold: &[usize]) -> Result<Snapshot, SandboxError> {
        let replica = read(&self.inner.replica);
        Ok(replica
            .state
            .snapshot(replica.seq, client, hold)
            .map_err(DbError::State)?)
    }

    /// The order a page asks for (the cashier's: one outside its window),
    /// by its JSAPI `prepay_id` or by merchant and `out_trade_no`.
    pub fn held_order(&self, wanted: &Wanted) -> Option<HeldOrder> {
        let replica = read(&self.inner.replica);
        let book = replica.state.order_book();
        let position = match wanted {
            Wanted::Prepay(id) => book.prepay_position(id),
            Wanted::Number(merchant, no) => book.position(*merchant, no),
        }?;
        replica.state.held_order(replica.seq, position).ok()
    }

    /// The saves after `since` up to `until` (`None`: not all of them are
    /// kept any more).
    pub fn deltas(&self, since: u64, until: u64) -> Option<Vec<Arc<Delta>>> {
        if since >= until {
            return Some(Vec::new());
        }
        let recent = lock(&self.inner.recent);
        let first = recent.front()?.seq;
        if since + 1 < first {
            return None;
        }
        let found: Vec<_> = recent
            .iter()
            .filter(|d| d.seq > since && d.seq <= until)
            .cloned()
            .collect();
        (found.len() as u64 == until - since).then_some(found)
    }

    /// Every save from now on, as the events send it (its JSON, or
    /// `resync` when a page must read everything again).
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<String>> {
        self.inner.events.subscribe()
    }
}

/// A job running `f`, whose result goes to `reply` (as `T`).
pub(crate) fn job<T: Send + 'static>(
    nonce: Option<Nonce>,
    f: impl FnOnce(&mut State, &mut Tx<'_>) -> T + Send + 'static,
    reply: impl FnOnce(Result<(T, u64), SandboxError>) + Send + 'static,
) -> Job {
    Job::Run {
        nonce,
        run: Box::new(move |state, tx| Box::new(f(state, tx)) as Value),
        reply: Box::new(move |result| {
            reply(result.and_then(|(value, seq)| {
                value
                    .downcast::<T>()
                    .map(|value| (*value, seq))
                    .map_err(|_| SandboxError::Unsaved)
            }));
        }),
    }
}

/// A new merchant's keys, made outside the writer (RSA key generation is slow).
struct Made {
    keys: MerchantKeys,
    private_pem: String,
}

impl Made {
    fn new() -> Result<Made, SandboxError> {
        let key = keys::generate(&mut OsRng)?;
        Ok(Made {
            private_pem: keys::private_pem(&key)?,
            keys: MerchantKeys {
                mchid: String::new(),
                appsecret: keys::app_secret(&mut OsRng),
                serial_no: keys::serial_no(&mut OsRng),
                public_key_pem: keys::public_pem(&key.to_public_key())?,
                apiv3_key: keys::apiv3_key(&mut OsRng),
                mode: Mode::PublicKey,
            },
        })
    }
}

fn register_in(
    state: &mut State,
    tx: &mut Tx<'_>,
    name: &str,
    notify_url: &str,
    redirect_domain: &str,
    mut keys: MerchantKeys,
) -> Result<(Mchid, String), RegisterError> {
    let merchant =
        state.register_merchant(name, notify_url, redirect_domain, tx.now, &mut tx.rng)?;
    keys.mchid = merchant.mchid.to_string();
    tx.store_keys(keys);
    Ok((merchant.mchid, merchant.appid))
}

/// The one writer (see the module docs).
struct Writer {
    db: Db,
    state: State,
    seq: u64,
    hasher: Hasher,
    /// The commands' randomness (codes, tokens, numbers), seeded from the system's.
    rng: rand_chacha::ChaCha20Rng,
    inner: std::sync::Weak<Inner>,
    batches: u64,
}

/// An order a page asks for.
#[derive(Debug)]
pub enum Wanted {
    Prepay(String),
    Number(MerchantId, String),
}

/// The file as the commit protocol sees it, inside the writer's
/// transaction: what a save writes becomes save `seq + 1`.
struct FileStorage<'a> {
    db: &'a mut Db,
    seq: u64,
    delta: Option<Delta>,
}

impl commit::Storage for FileStorage<'_> {
    /// (The writer read the file's save as it took the lock.)
    fn refresh(&mut self, _: &mut State) -> Result<(), StateError> {
        Ok(())
    }

    fn write(&mut self, state: &mut State, changes: &Changes) -> Result<(), StateError> {
        let seq = self.seq + 1;
        self.db
            .write(state, changes, seq)
            .map_err(|e| StateError::Unwritable {
                detail: e.to_string(),
            })?;
        self.delta = Some(state.delta(changes, seq)?);
        Ok(())
    }

    fn reload(&mut self, state: &mut State) -> Result<(), StateError> {
        let unwritable = |e: DbError| StateError::Unwritable {
            detail: e.to_string(),
        };
        self.db.rollback();
        let loaded = self.db.load().map_err(unwritable)?;
        *state = loaded.state;
        self.seq = loaded.seq;
        self.delta = None;
        self.db.begin().map_err(unwritable)
    }
}

impl Writer {
    fn serve(mut self, jobs: mpsc::Receiver<Job>) {
        while let Ok(first) = jobs.recv() {
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match jobs.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
            let Some(inner) = self.inner.upgrade() else {
                return;
            };
            self.batch(&inner, batch);
        }
    }

    /// One save for every job in `batch` (see the module docs).
    fn batch(&mut self, inner: &Inner, batch: Vec<Job>) {
        let mut runs = Vec::new();
        let mut replace = None;
        let mut nonces = Vec::new();
        for job in batch {
            match job {
                Job::Run { nonce, run, reply } => runs.push((nonce, run, reply)),
                Job::Replace { state, reply } => {
                    if let Some((_, earlier)) = replace.replace((state, reply)) {
                        let earlier: Reply = earlier;
                        earlier(Err(SandboxError::Unsaved));
                    }
                }
                Job::Nonces(more) => nonces.extend(more),
                Job::Look => {}
            }
        }
        let failed = |runs: Vec<(Option<Nonce>, Run, Reply)>,
                      replace: Option<(Box<State>, Reply)>| {
            for (_, _, reply) in runs {
                reply(Err(SandboxError::Unsaved));
            }
            if let Some((_, reply)) = replace {
                reply(Err(SandboxError::Unsaved));
            }
        };
        if let Err(error) = self.db.begin() {
            log_failure(&error);
            failed(runs, replace);
            return;
        }
        // Another process saved since: read its saves first.
        let synced = match self.db.seq() {
            Ok(on_file) if on_file.unwrap_or(0) == self.seq => Ok(()),
            Ok(_) => self.reload(inner),
            Err(error) => Err(error),
        };
        if let Err(error) = synced {
            log_failure(&error);
            self.db.rollback();
            failed(runs, replace);
            return;
        }
        // Each call's nonce is spent in the save that answers it: a replay
        // from another process on this file is refused too.
        let mut spent = Vec::new();
        let mut replays = Vec::new();
        for (nonce, run, reply) in runs {
            let first = nonce.as_ref().is_none_or(|n| {
                self.db
                    .spend_nonce(&n.mchid, &n.nonce, n.at_secs)
                    .unwrap_or(true)
            });
            if first {
                spent.push((run, reply));
            } else {
                replays.push(reply);
            }
        }
        for n in &nonces {
            let _ = self.db.spend_nonce(&n.mchid, &n.nonce, n.at_secs);
        }
        self.batches += 1;
        if self.batches % 1_000 == 0 {
            let horizon = wall_clock().as_millis() / 1000 - 2 * signing::MAX_SKEW_SECS;
            let _ = self.db.forget_nonces(horizon);
        }
        if let Some((state, reply)) = replace {
            for (_, reply) in spent {
                reply(Err(SandboxError::Unsaved));
            }
            self.replace_all(inner, *state, reply);
            for reply in replays {
                reply(Err(SandboxError::Replay));
            }
            return;
        }
        let mut values = Vec::new();
        let mut side_keys = Vec::new();
        let mut side_modes = Vec::new();
        let mut side_platform = Vec::new();
        let mut storage = FileStorage {
            db: &mut self.db,
            seq: self.seq,
            delta: None,
        };
        // The pages' window before the save: an order that leaves it by
        // changing is sent to them as it is now.
        let before = self.state.order_book().window();
        let hasher = &self.hasher;
        let rng = &mut self.rng;
        let committed = commit::run(&mut storage, &mut self.state, 1, |state| {
            // A server is never the browser's offline switch.
            state.sim_mut().set_offline(false);
            for (run, reply) in spent.drain(..) {
                let wall = wall_clock();
                let mut tx = Tx {
                    now: state.sim().now(wall),
                    wall,
                    rng: &mut *rng,
                    hasher,
                    keys: Vec::new(),
                    modes: Vec::new(),
                    platform: Vec::new(),
                };
                values.push((run(state, &mut tx), reply));
                side_keys.append(&mut tx.keys);
                side_modes.append(&mut tx.modes);
                side_platform.append(&mut tx.platform);
            }
        });
        let delta = storage.delta.take();
        let seq_before = storage.seq;
        let saved = match committed {
            Committed::Saved(()) => side_keys
                .iter()
                .try_for_each(|k| self.db.insert_merchant_keys(k))
                .and_then(|()| {
                    side_modes
                        .iter()
                        .try_for_each(|(mchid, mode)| self.db.set_mode(mchid, *mode))
                })
                .and_then(|()| {
                    let made = wall_clock().as_millis();
                    side_platform.iter().try_for_each(|write| match write {
                        KeyWrite::Insert(row) => self.db.insert_platform_key(row, made),
                        KeyWrite::Stage(id, stage) => self.db.set_platform_stage(id, *stage),
                    })
                })
                .and_then(|()| self.db.commit()),
            Committed::Unsaved((), error) | Committed::NotRun(error) => Err(DbError::State(error)),
        };
        match saved {
            Ok(()) => {
                let seq = delta.as_ref().map_or(seq_before, |d| d.seq);
                self.seq = seq;
                inner.file_seq.store(seq, Ordering::Relaxed);
                if let Some(delta) = delta {
                    self.publish(inner, delta, &before);
                }
                for (value, reply) in values {
                    reply(Ok((value, seq)));
                }
            }
            Err(error) => {
                log_failure(&error);
                self.db.rollback();
                // What memory holds was never stored: read what is.
                if let Err(error) = self.reload(inner) {
                    log_failure(&error);
                }
                for (_, reply) in values {
                    reply(Err(SandboxError::Unsaved));
                }
            }
        }
        for reply in replays {
            reply(Err(SandboxError::Replay));
        }
    }

    /// The readers' copy follows `delta` (every row the save wrote), and
    /// every page what it holds of it (`before`: the pages' window before
    /// the save).
    fn publish(&self, inner: &Inner, delta: Delta, before: &BTreeSet<usize>) {
        let page = self.state.page_delta(&delta, before);
        {
            let mut replica = write(&inner.replica);
            if replica.seq + 1 == delta.seq && replica.state.apply_delta(&delta).is_ok() {
                replica.seq = delta.seq;
            } else {
                replica.state = self.state.clone();
                replica.seq = self.seq;
            }
        }
        let delta = page;
        // A save of thousands of rows (a seed, an import) is no delta to
        // send: a page reads its state instead.
        let huge = delta.orders.len() + delta.journal.len() > 1_000;
        let json = if inner.events.receiver_count() == 0 || huge {
            String::new()
        } else {
            serde_json::to_string(&delta).unwrap_or_default()
        };
        {
            let mut recent = lock(&inner.recent);
            if huge {
                recent.clear();
            } else {
                recent.push_back(Arc::new(delta));
                while recent.len() > RECENT {
                    recent.pop_front();
                }
            }
        }
        let _ = inner
            .events
            .send(Arc::new(if huge { "resync".to_owned() } else { json }));
        inner.saved.notify_one();
    }

    /// Reads the whole file again (another process saved, or a save failed):
    /// the readers' copy too, and every page reads everything again.
    fn reload(&mut self, inner: &Inner) -> Result<(), DbError> {
        let loaded = self.db.load()?;
        self.state = loaded.state;
        self.seq = loaded.seq;
        {
            let mut replica = write(&inner.replica);
            replica.state = self.state.clone();
            replica.seq = self.seq;
        }
        lock(&inner.recent).clear();
        if let Ok(keys) = self.db.all_merchant_keys() {
            let merchants = keys.iter().filter_map(|k| merchant_of(k).ok()).collect();
            *write(&inner.merchants) = merchants;
        }
        let _ = inner.events.send(Arc::new("resync".to_owned()));
        inner.saved.notify_one();
        Ok(())
    }

    /// The console's import or fresh start: the whole state replaced, as
    /// one save (a fresh start forgets the merchants' keys too).
    fn replace_all(&mut self, inner: &Inner, state: State, reply: Reply) {
        let seq = self.seq + 1;
        let fresh = state.registered_merchants().is_empty();
        let written = self.db.write_all(&state, seq).and_then(|()| {
            if fresh {
                self.db.clear_merchant_keys()?;
            }
            self.db.commit()
        });
        if let Err(error) = &written {
            log_failure(error);
            self.db.rollback();
        }
        // Either way every copy and page reads the file as it is now.
        if let Err(error) = self.reload(inner) {
            log_failure(&error);
        }
        inner.file_seq.store(self.seq, Ordering::Relaxed);
        reply(match written {
            Ok(()) => Ok((Box::new(()) as Value, seq)),
            Err(_) => Err(SandboxError::Unsaved),
        });
    }
}

/// What the sandbox could not do goes to the server's own log.
fn log_failure(error: &dyn std::fmt::Display) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "qianbao-sandbox: {error}");
}
