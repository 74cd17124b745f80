//! The sandbox's SQLite file: the state as rows, written only where a save
//! changed it, and the server's own secrets.
//!
//! - `main` — one row: the main record's body without the orders and the
//!   console's log (`qianbao_core::State::main_body`), the number of the
//!   save that wrote it (`seq`), and the id of the newest log entry ever;
//! - `orders` — one row per order, by its position (`State::order_json`);
//! - `journal` — one row per journal entry, by its id (the exact text the
//!   journal's checksum chain covers);
//! - `log` — the console's log, one row per entry;
//! - `platform`, `platform_cert` — the sandbox's own key and certificate;
//! - `merchant_keys` — each registered merchant's certificate serial and
//!   public key, APIv3 key, AppSecret and how it verifies answers (the
//!   merchant's private key is printed once and never kept);
//! - `nonces` — each signed request's nonce, refused if seen again.
//!
//! A save is one IMMEDIATE transaction ([`Db::begin`] … [`Db::commit`]):
//! the writer reads which save the file holds, writes the rows that
//! changed and the next save's number, and commits — with WAL and
//! `synchronous = FULL`, a committed save survives the process being
//! killed and the machine losing power. Two processes on one file take
//! the write lock in turn, and each reads the other's saves before its own.
//!
//! A file from before (the whole stored form in one `store` table) is read
//! once and written as rows.

use qianbao_core::envelope::{self, Read, Stored};
use qianbao_core::state::{Changes, State, StateError};
use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("the stored state cannot be read: {0}")]
    State(#[from] StateError),
    #[error("the stored state is sealed with a wallet password: it is a browser's copy, not a sandbox's")]
    Sealed,
}

/// The platform's key pair and the id it is published under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformRow {
    pub public_key_id: String,
    pub private_key_pem: String,
    pub public_key_pem: String,
}

/// The platform's X.509 certificate: its serial (upper-case hex), PEM and
/// validity (ms since the epoch).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertRow {
    pub serial: String,
    pub pem: String,
    pub not_before: i64,
    pub not_after: i64,
}

/// Where a platform key is in a rotation (see `sandbox::Rotation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Published (listed by `/v3/certificates`), not yet signing.
    Next,
    /// Signing answers and notifications.
    Active,
    /// Replaced, still listed and still valid until retired.
    Retiring,
    /// Gone.
    Retired,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Next => "next",
            Stage::Active => "active",
            Stage::Retiring => "retiring",
            Stage::Retired => "retired",
        }
    }

    fn parse(text: &str) -> Option<Stage> {
        [Stage::Next, Stage::Active, Stage::Retiring, Stage::Retired]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// One platform key: its 微信支付公钥 (id and PEM), its certificate, and
/// where it is in a rotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformKeyRow {
    pub key: PlatformRow,
    pub cert: CertRow,
    pub stage: Stage,
}

/// How a merchant's backend verifies the sandbox's answers: with the
/// 微信支付公钥 (its id is `Wechatpay-Serial`) or with the platform
/// certificate (its serial).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    PublicKey,
    Certificate,
}

impl Mode {
    fn as_str(self) -> &'static str {
        match self {
            Mode::PublicKey => "public_key",
            Mode::Certificate => "certificate",
        }
    }

    fn parse(text: &str) -> Mode {
        if text == "certificate" {
            Mode::Certificate
        } else {
            Mode::PublicKey
        }
    }
}

/// What the sandbox keeps of a merchant's secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerchantKeys {
    pub mchid: String,
    pub appsecret: String,
    pub serial_no: String,
    pub public_key_pem: String,
    pub apiv3_key: String,
    pub mode: Mode,
}

#[derive(Debug)]
pub struct Db {
    conn: Connection,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS main (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    body TEXT NOT NULL,
    seq INTEGER NOT NULL,
    log_last INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS orders (pos INTEGER PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS journal (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS log (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS platform (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    public_key_id TEXT NOT NULL,
    private_key_pem TEXT NOT NULL,
    public_key_pem TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS platform_cert (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    serial TEXT NOT NULL,
    pem TEXT NOT NULL,
    not_before INTEGER NOT NULL,
    not_after INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS platform_keys (
    public_key_id TEXT PRIMARY KEY,
    private_key_pem TEXT NOT NULL,
    public_key_pem TEXT NOT NULL,
    cert_serial TEXT NOT NULL,
    cert_pem TEXT NOT NULL,
    not_before INTEGER NOT NULL,
    not_after INTEGER NOT NULL,
    stage TEXT NOT NULL,
    made INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS merchant_keys (
    mchid TEXT PRIMARY KEY,
    appsecret TEXT NOT NULL,
    serial_no TEXT NOT NULL,
    public_key_pem TEXT NOT NULL,
    apiv3_key TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS nonces (
    mchid TEXT NOT NULL,
    nonce TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (mchid, nonce)
);
";

/// One save's rows, as stored.
#[derive(Debug)]
struct Rows {
    pub seq: u64,
    pub main: String,
    pub orders: Vec<String>,
    pub journal: Vec<String>,
    pub log: Vec<String>,
    pub log_last: u64,
}

/// The newest save's rows on `conn` (`None`: nothing is stored yet).
fn read_rows(conn: &Connection) -> Result<Option<Rows>, DbError> {
    let main: Option<(String, i64, i64)> = conn
        .query_row(
            "SELECT body, seq, log_last FROM main WHERE id = 1",
            [],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .optional()?;
    let Some((main, seq, log_last)) = main else {
        return Ok(None);
    };
    let column = |sql: &str| -> Result<Vec<String>, DbError> {
        let mut statement = conn.prepare(sql)?;
        let rows = statement.query_map([], |row| row.get(0))?;
        Ok(rows.collect::<Result<Vec<String>, _>>()?)
    };
    Ok(Some(Rows {
        seq: u64::try_from(seq).unwrap_or(0),
        main,
        orders: column("SELECT body FROM orders ORDER BY pos")?,
        journal: column("SELECT body FROM journal ORDER BY id")?,
        log: column("SELECT body FROM log ORDER BY id")?,
        log_last: u64::try_from(log_last).unwrap_or(0),
    }))
}

/// The state as a file holds it, with the number of its save.
#[derive(Debug)]
pub struct Loaded {
    pub state: State,
    pub seq: u64,
}

impl Db {
    /// Opens (creating if needed) the file at `path`.
    pub fn open(path: &Path) -> Result<Db, DbError> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        Self::init(conn)
    }

    fn init(conn: Connection) -> Result<Db, DbError> {
        conn.busy_timeout(Duration::from_secs(30))?;
        conn.execute_batch(SCHEMA)?;
        // Added after the first sandbox: how the merchant verifies answers.
        let has_mode = conn
            .prepare("SELECT mode FROM merchant_keys LIMIT 0")
            .is_ok();
        if !has_mode {
            conn.execute_batch(
                "ALTER TABLE merchant_keys ADD COLUMN mode TEXT NOT NULL DEFAULT 'public_key'",
            )?;
        }
        let mut db = Db { conn };
        db.migrate_store()?;
        Ok(db)
    }

    /// A file of the first sandbox kept the whole stored form in `store`:
    /// read it once (it is the browser's form, unsealed) and write it as
    /// rows.
    fn migrate_store(&mut self) -> Result<(), DbError> {
        let old: bool = self
            .conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'store'",
                [],
                |row| row.get::<_, i64>(0),
            )
            .map(|n| n > 0)?;
        if !old || self.seq()?.is_some() {
            return Ok(());
        }
        let stored: Stored = {
            let mut statement = self.conn.prepare("SELECT key, value FROM store")?;
            let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
            rows.collect::<Result<Stored, _>>()?
        };
        let state = match envelope::read(&stored, None) {
            Read::Fresh => return Ok(()),
            Read::Opened {
                state, keys: None, ..
            } => *state,
            Read::Opened { keys: Some(_), .. } | Read::Locked(_) => return Err(DbError::Sealed),
            Read::Damaged(error) => return Err(error.into()),
        };
        self.begin()?;
        let written = self.write_all(&state, 1);
        match written.and_then(|()| {
            Ok(self
                .conn
                .execute_batch("DROP TABLE store; DROP TABLE IF EXISTS saved")?)
        }) {
            Ok(()) => self.commit(),
            Err(error) => {
                self.rollback();
                Err(error)
            }
        }
    }

    /// Which save the file holds (`None`: nothing is stored yet).
    pub fn seq(&self) -> Result<Option<u64>, DbError> {
        let seq: Option<i64> = self
            .conn
            .query_row("SELECT seq FROM main WHERE id = 1", [], |row| row.get(0))
            .optional()?;
        Ok(seq.map(|s| u64::try_from(s).unwrap_or(0)))
    }

    /// Reads the whole state (the start, or another process saved).
    pub fn load(&self) -> Result<Loaded, DbError> {
        let Some(rows) = read_rows(&self.conn)? else {
            return Ok(Loaded {
                state: State::default(),
                seq: 0,
            });
        };
        let state = State::from_rows(
            &rows.main,
            &rows.orders,
            &rows.journal,
            &rows.log,
            rows.log_last,
        )?;
        Ok(Loaded {
            state,
            seq: rows.seq,
        })
    }

    /// Takes the file's write lock until [`Db::commit`] or [`Db::rollback`].
    pub fn begin(&mut self) -> Result<(), DbError> {
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        Ok(())
    }

    pub fn commit(&mut self) -> Result<(), DbError> {
        self.conn.execute_batch("COMMIT")?;
        Ok(())
    }

    /// Ends the transaction [`Db::begin`] started, writing nothing.
    pub fn rollback(&mut self) {
        if !self.conn.is_autocommit() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }

    /// Writes `changes` of `state` as save `seq` (inside the transaction).
    pub fn write(&mut self, state: &State, changes: &Changes, seq: u64) -> Result<(), DbError> {
        let main = match &changes.main {
            Some(body) => body.clone(),
            None => self
                .conn
                .query_row("SELECT body FROM main WHERE id = 1", [], |row| row.get(0))
                .optional()?
                .map_or_else(|| state.main_body(false), Ok)?,
        };
        let seq = i64::try_from(seq).unwrap_or(i64::MAX);
        let log_last = i64::try_from(changes.log_last).unwrap_or(i64::MAX);
        if changes.main.is_some() {
            self.conn.execute(
                "INSERT INTO main (id, body, seq, log_last) VALUES (1, ?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET body = excluded.body, seq = excluded.seq,
                 log_last = excluded.log_last",
                params![main, seq, log_last],
            )?;
        } else {
            let updated = self.conn.execute(
                "UPDATE main SET seq = ?1, log_last = ?2 WHERE id = 1",
                params![seq, log_last],
            )?;
            if updated == 0 {
                self.conn.execute(
                    "INSERT INTO main (id, body, seq, log_last) VALUES (1, ?1, ?2, ?3)",
                    params![main, seq, log_last],
                )?;
            }
        }
        {
            let mut put = self.conn.prepare_cached(
                "INSERT INTO orders (pos, body) VALUES (?1, ?2)
                 ON CONFLICT (pos) DO UPDATE SET body = excluded.body",
            )?;
            for position in &changes.orders {
                let body = state.order_json(*position)?;
                put.execute(params![i64::try_from(*position).unwrap_or(i64::MAX), body])?;
            }
        }
        {
            let mut put = self
                .conn
                .prepare_cached("INSERT INTO journal (id, body) VALUES (?1, ?2)")?;
            for index in changes.journal_from..changes.journal_len {
                let body = state.entry_json(index)?;
                put.execute(params![i64::try_from(index + 1).unwrap_or(i64::MAX), body])?;
            }
        }
        {
            let mut put = self
                .conn
                .prepare_cached("INSERT OR REPLACE INTO log (id, body) VALUES (?1, ?2)")?;
            for (id, body) in state.log_rows_after(changes.log_after)? {
                put.execute(params![i64::try_from(id).unwrap_or(i64::MAX), body])?;
            }
        }
        let first = changes
            .log_first
            .map_or(i64::MAX, |id| i64::try_from(id).unwrap_or(i64::MAX));
        self.conn
            .prepare_cached("DELETE FROM log WHERE id < ?1")?
            .execute([first])?;
        Ok(())
    }

    /// Writes the whole of `state` as save `seq`, replacing what the file
    /// held (inside the transaction): an import, a fresh start, a seed.
    pub fn write_all(&mut self, state: &State, seq: u64) -> Result<(), DbError> {
        self.conn.execute_batch(
            "DELETE FROM main; DELETE FROM orders; DELETE FROM journal; DELETE FROM log",
        )?;
        self.write(state, &state.all_changes()?, seq)
    }

    /// A row made once (id 1 of `table`): read it, or make it and keep the
    /// first one any process stored (two starting at once keep one).
    fn made_once<T>(
        &mut self,
        select: &str,
        from_row: impl Fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
        insert: impl FnOnce(&Connection, &T) -> rusqlite::Result<usize>,
        make: impl FnOnce() -> Result<T, crate::keys::KeyError>,
    ) -> Result<T, crate::sandbox::SandboxError> {
        let read = |conn: &Connection| conn.query_row(select, [], &from_row).optional();
        if let Some(row) = read(&self.conn).map_err(DbError::from)? {
            return Ok(row);
        }
        let row = make()?;
        insert(&self.conn, &row).map_err(DbError::from)?;
        Ok(read(&self.conn).map_err(DbError::from)?.unwrap_or(row))
    }

    /// The platform key, made by `make` the first time.
    pub fn platform(
        &mut self,
        make: impl FnOnce() -> Result<PlatformRow, crate::keys::KeyError>,
    ) -> Result<PlatformRow, crate::sandbox::SandboxError> {
        self.made_once(
            "SELECT public_key_id, private_key_pem, public_key_pem FROM platform WHERE id = 1",
            |row| {
                Ok(PlatformRow {
                    public_key_id: row.get(0)?,
                    private_key_pem: row.get(1)?,
                    public_key_pem: row.get(2)?,
                })
            },
            |conn, row| {
                conn.execute(
                    "INSERT OR IGNORE INTO platform (id, public_key_id, private_key_pem, public_key_pem)
                     VALUES (1, ?1, ?2, ?3)",
                    params![row.public_key_id, row.private_key_pem, row.public_key_pem],
                )
            },
            make,
        )
    }

    /// The platform's certificate (for `/v3/certificates`), made by `make`
    /// the first time.
    pub fn platform_cert(
        &mut self,
        make: impl FnOnce() -> Result<CertRow, crate::keys::KeyError>,
    ) -> Result<CertRow, crate::sandbox::SandboxError> {
        self.made_once(
            "SELECT serial, pem, not_before, not_after FROM platform_cert WHERE id = 1",
            |row| {
                Ok(CertRow {
                    serial: row.get(0)?,
                    pem: row.get(1)?,
                    not_before: row.get(2)?,
                    not_after: row.get(3)?,
                })
            },
            |conn, row| {
                conn.execute(
                    "INSERT OR IGNORE INTO platform_cert (id, serial, pem, not_before, not_after)
                     VALUES (1, ?1, ?2, ?3, ?4)",
                    params![row.serial, row.pem, row.not_before, row.not_after],
                )
            },
            make,
        )
    }

    /// The platform keys not retired, oldest first; the first key (`platform`
    /// and `platform_cert`) is the active one of a file that never rotated.
    pub fn platform_keys(&self, made: i64) -> Result<Vec<PlatformKeyRow>, DbError> {
        self.conn.execute(
            "INSERT OR IGNORE INTO platform_keys
               (public_key_id, private_key_pem, public_key_pem, cert_serial, cert_pem,
                not_before, not_after, stage, made)
             SELECT p.public_key_id, p.private_key_pem, p.public_key_pem, c.serial, c.pem,
                    c.not_before, c.not_after, 'active', ?1
             FROM platform p, platform_cert c
             WHERE p.id = 1 AND c.id = 1 AND NOT EXISTS (SELECT 1 FROM platform_keys)",
            params![made],
        )?;
        let mut statement = self.conn.prepare(
            "SELECT public_key_id, private_key_pem, public_key_pem, cert_serial, cert_pem,
                    not_before, not_after, stage
             FROM platform_keys WHERE stage <> 'retired' ORDER BY made, public_key_id",
        )?;
        let rows = statement.query_map([], |row| {
            let stage: String = row.get(7)?;
            Ok(PlatformKeyRow {
                key: PlatformRow {
                    public_key_id: row.get(0)?,
                    private_key_pem: row.get(1)?,
                    public_key_pem: row.get(2)?,
                },
                cert: CertRow {
                    serial: row.get(3)?,
                    pem: row.get(4)?,
                    not_before: row.get(5)?,
                    not_after: row.get(6)?,
                },
                stage: Stage::parse(&stage).unwrap_or(Stage::Retired),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A platform key made by a rotation (inside the writer's transaction).
    pub fn insert_platform_key(&mut self, row: &PlatformKeyRow, made: i64) -> Result<(), DbError> {
        self.conn.execute(
            "INSERT INTO platform_keys
               (public_key_id, private_key_pem, public_key_pem, cert_serial, cert_pem,
                not_before, not_after, stage, made)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                row.key.public_key_id,
                row.key.private_key_pem,
                row.key.public_key_pem,
                row.cert.serial,
                row.cert.pem,
                row.cert.not_before,
                row.cert.not_after,
                row.stage.as_str(),
                made
            ],
        )?;
        Ok(())
    }

    /// A platform key moves on in its rotation.
    pub fn set_platform_stage(&mut self, public_key_id: &str, stage: Stage) -> Result<(), DbError> {
        self.conn.execute(
            "UPDATE platform_keys SET stage = ?2 WHERE public_key_id = ?1",
            params![public_key_id, stage.as_str()],
        )?;
        Ok(())
    }

    /// Every merchant's keys (read once at start, then kept in memory).
    pub fn all_merchant_keys(&self) -> Result<Vec<MerchantKeys>, DbError> {
        let mut statement = self.conn.prepare(
            "SELECT mchid, appsecret, serial_no, public_key_pem, apiv3_key, mode FROM merchant_keys",
        )?;
        let rows = statement.query_map([], |row| {
            Ok(MerchantKeys {
                mchid: row.get(0)?,
                appsecret: row.get(1)?,
                serial_no: row.get(2)?,
                public_key_pem: row.get(3)?,
                apiv3_key: row.get(4)?,
                mode: Mode::parse(&row.get::<_, String>(5)?),
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// A new merchant's keys (inside the save that registers it).
    pub fn insert_merchant_keys(&mut self, k: &MerchantKeys) -> Result<(), DbError> {
        self.conn.execute(
            "INSERT INTO merchant_keys (mchid, appsecret, serial_no, public_key_pem, apiv3_key, mode)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                k.mchid,
                k.appsecret,
                k.serial_no,
                k.public_key_pem,
                k.apiv3_key,
                k.mode.as_str()
            ],
        )?;
        Ok(())
    }

    /// How a merchant verifies answers, as its last call showed.
    pub fn set_mode(&mut self, mchid: &str, mode: Mode) -> Result<(), DbError> {
        self.conn.execute(
            "UPDATE merchant_keys SET mode = ?2 WHERE mchid = ?1",
            params![mchid, mode.as_str()],
        )?;
        Ok(())
    }

    /// Forgets every merchant's keys (the console's fresh start).
    pub fn clear_merchant_keys(&mut self) -> Result<(), DbError> {
        self.conn.execute("DELETE FROM merchant_keys", [])?;
        Ok(())
    }

    /// Records a request's nonce; `false` if `mchid` used it before.
    pub fn spend_nonce(&mut self, mchid: &str, nonce: &str, at: i64) -> Result<bool, DbError> {
        let inserted = self
            .conn
            .prepare_cached("INSERT OR IGNORE INTO nonces (mchid, nonce, at) VALUES (?1, ?2, ?3)")?
            .execute(params![mchid, nonce, at])?;
        Ok(inserted == 1)
    }

    /// Forgets nonces older than `before` (their timestamps are refused anyway).
    pub fn forget_nonces(&mut self, before: i64) -> Result<(), DbError> {
        self.conn
            .prepare_cached("DELETE FROM nonces WHERE at < ?1")?
            .execute([before])?;
        Ok(())
    }

    /// Nonces used at or after `since`: a restarted server refuses them again.
    pub fn recent_nonces(&self, since: i64) -> Result<Vec<(String, String, i64)>, DbError> {
        let mut statement = self
            .conn
            .prepare("SELECT mchid, nonce, at FROM nonces WHERE at >= ?1")?;
        let rows =
            statement.query_map([since], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }
}
