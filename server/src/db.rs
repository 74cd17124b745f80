//! The sandbox's SQLite file. Four tables:
//! - `store` — the state, as the same key/value pairs the browser keeps in
//!   localStorage ([`qianbao_core::envelope`]: the head and the journal
//!   chunks), never sealed: the sandbox's state is on this machine,
//!   unencrypted, so the server can read it;
//! - `platform` — the sandbox's own RSA key (its 微信支付公钥 and its id);
//! - `merchant_keys` — each registered merchant's certificate serial and
//!   public key, APIv3 key and AppSecret (the merchant's private key is
//!   printed once and never kept);
//! - `nonces` — each signed request's nonce, refused if seen again.
//!
//! A command runs inside one IMMEDIATE transaction ([`Db::begin`]): it
//! reads the newest save and writes the next with the write lock held, and
//! [`Db::save`] still checks the stored head is the save it read. Two
//! writers (the server and the `merchant add` command, two servers, a
//! browser's save) never lose each other's records, and never starve
//! each other out with retries.

use qianbao_core::envelope::{self, Saved, Stored, StoredSave, Write};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use std::path::Path;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// Another writer saved since this one read.
    #[error("the stored state changed since it was read")]
    Conflict,
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

/// What the sandbox keeps of a merchant's secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerchantKeys {
    pub mchid: String,
    pub appsecret: String,
    pub serial_no: String,
    pub public_key_pem: String,
    pub apiv3_key: String,
}

#[derive(Debug)]
pub struct Db {
    conn: Connection,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS store (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS saved (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    save TEXT NOT NULL
);
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

impl Db {
    /// Opens (creating if needed) the file at `path`.
    pub fn open(path: &Path) -> Result<Db, DbError> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        Self::init(conn)
    }

    /// A database in memory (tests).
    pub fn memory() -> Result<Db, DbError> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(conn: Connection) -> Result<Db, DbError> {
        conn.busy_timeout(Duration::from_secs(10))?;
        conn.execute_batch(SCHEMA)?;
        Ok(Db { conn })
    }

    /// Every stored value of the state, by key.
    pub fn stored(&self) -> Result<Stored, DbError> {
        let mut statement = self.conn.prepare("SELECT key, value FROM store")?;
        let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<Result<Stored, _>>()?)
    }

    /// The stored head, if any.
    pub fn head(&self) -> Result<Option<String>, DbError> {
        Ok(self
            .conn
            .query_row(
                "SELECT value FROM store WHERE key = ?1",
                [envelope::HEAD_KEY],
                |row| row.get(0),
            )
            .optional()?)
    }

    /// Which save the store holds, as the head names it (`rev.tag`), kept
    /// beside it by every save so that telling whether it changed does not
    /// read and parse the head (the main record, which grows with the
    /// orders). `None` for a file from before it was kept.
    pub fn saved_marker(&self) -> Result<Option<String>, DbError> {
        Ok(self
            .conn
            .query_row("SELECT save FROM saved WHERE id = 1", [], |row| row.get(0))
            .optional()?)
    }

    /// The save the stored head names, by its marker when kept.
    pub fn stored_save(&self) -> Result<StoredSave, DbError> {
        Ok(match self.saved_marker()? {
            Some(marker) => marker
                .split_once('.')
                .and_then(|(rev, tag)| {
                    Some(envelope::SaveId {
                        rev: rev.parse().ok()?,
                        tag: u32::from_str_radix(tag, 16).ok()?,
                    })
                })
                .map_or(StoredSave::Unreadable, StoredSave::Save),
            None => StoredSave::of(self.head()?.as_deref()),
        })
    }

    fn set_marker(conn: &Connection, save: Option<envelope::SaveId>) -> Result<(), DbError> {
        match save {
            Some(save) => conn.execute(
                "INSERT INTO saved (id, save) VALUES (1, ?1)
                 ON CONFLICT (id) DO UPDATE SET save = excluded.save",
                [save.to_string()],
            )?,
            None => conn.execute("DELETE FROM saved", [])?,
        };
        Ok(())
    }

    /// Takes the database's write lock until [`Db::commit`] or
    /// [`Db::rollback`]: a command reads the newest save and writes the
    /// next one with no other writer in between (in this or any process).
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

    /// Applies a save's writes inside the transaction [`Db::begin`]
    /// started, if storage still holds the save `over` names; with `keys`,
    /// stores a new merchant's keys with them.
    pub fn save(
        &mut self,
        over: &Saved,
        writes: &[Write],
        after: &Saved,
        keys: Option<&MerchantKeys>,
    ) -> Result<(), DbError> {
        if !self.stored_save()?.is(over) {
            return Err(DbError::Conflict);
        }
        Self::set_marker(&self.conn, after.save())?;
        for write in writes {
            match write {
                Write::Set(key, value) => self.conn.execute(
                    "INSERT INTO store (key, value) VALUES (?1, ?2)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    params![key, value],
                )?,
                Write::Remove(key) => self
                    .conn
                    .execute("DELETE FROM store WHERE key = ?1", [key])?,
            };
        }
        if let Some(k) = keys {
            self.conn.execute(
                "INSERT INTO merchant_keys (mchid, appsecret, serial_no, public_key_pem, apiv3_key)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    k.mchid,
                    k.appsecret,
                    k.serial_no,
                    k.public_key_pem,
                    k.apiv3_key
                ],
            )?;
        }
        Ok(())
    }

    /// Applies `writes` in one transaction if `check` accepts what storage
    /// would hold before and after them (the browser's saves, checked by
    /// the sandbox).
    pub fn save_checked<E: From<DbError>>(
        &mut self,
        writes: &[Write],
        check: impl FnOnce(&Stored, &Stored) -> Result<(), E>,
    ) -> Result<(), E> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(DbError::from)?;
        let before: Stored = {
            let mut statement = tx
                .prepare("SELECT key, value FROM store")
                .map_err(DbError::from)?;
            let rows = statement
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
                .map_err(DbError::from)?;
            rows.collect::<Result<Stored, _>>().map_err(DbError::from)?
        };
        let mut after = before.clone();
        for write in writes {
            match write {
                Write::Set(key, value) => {
                    after.insert(key.clone(), value.clone());
                }
                Write::Remove(key) => {
                    after.remove(key);
                }
            }
        }
        check(&before, &after)?;
        let save = match StoredSave::of(after.get(envelope::HEAD_KEY).map(String::as_str)) {
            StoredSave::Save(save) => Some(save),
            StoredSave::Nothing | StoredSave::Unreadable => None,
        };
        Self::set_marker(&tx, save)?;
        tx.execute("DELETE FROM store", []).map_err(DbError::from)?;
        for (key, value) in &after {
            tx.execute(
                "INSERT INTO store (key, value) VALUES (?1, ?2)",
                params![key, value],
            )
            .map_err(DbError::from)?;
        }
        tx.commit().map_err(DbError::from)?;
        Ok(())
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

    pub fn merchant_keys(&self, mchid: &str) -> Result<Option<MerchantKeys>, DbError> {
        Ok(self
            .conn
            .query_row(
                "SELECT mchid, appsecret, serial_no, public_key_pem, apiv3_key
                 FROM merchant_keys WHERE mchid = ?1",
                [mchid],
                |row| {
                    Ok(MerchantKeys {
                        mchid: row.get(0)?,
                        appsecret: row.get(1)?,
                        serial_no: row.get(2)?,
                        public_key_pem: row.get(3)?,
                        apiv3_key: row.get(4)?,
                    })
                },
            )
            .optional()?)
    }

    /// Records a request's nonce; `false` if `mchid` used it before
    /// (nonces older than `forget_before` are forgotten first: their
    /// timestamps are refused anyway).
    pub fn first_use_of_nonce(
        &mut self,
        mchid: &str,
        nonce: &str,
        at: i64,
        forget_before: i64,
    ) -> Result<bool, DbError> {
        self.conn
            .execute("DELETE FROM nonces WHERE at < ?1", [forget_before])?;
        let inserted = self.conn.execute(
            "INSERT OR IGNORE INTO nonces (mchid, nonce, at) VALUES (?1, ?2, ?3)",
            params![mchid, nonce, at],
        )?;
        Ok(inserted == 1)
    }
}
