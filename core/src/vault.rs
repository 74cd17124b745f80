//! Encryption at rest, the primitives (SPEC F6 「数据加密」): a random data
//! key encrypts what is stored; each wallet account holds the data key
//! wrapped under a key derived from its password. `web/src/storage.rs`
//! applies them to what it stores.
//!
//! - **Key derivation**: Argon2id with the account's own 16-byte salt and
//!   the cost recorded beside it ([`KdfParams`], versioned, capped like
//!   stored password hashes), 32 bytes out.
//! - **Encryption**: ChaCha20-Poly1305 (RFC 8439), a fresh random 96-bit
//!   nonce for every write, and a *label* as associated data, so that a
//!   sealed value moved to another place (another key, another journal
//!   chunk, another account's slot) fails authentication like a changed byte.
//! - **Key slots**: the data key wrapped (sealed) under each password-derived
//!   key; changing a password re-wraps the data key, leaving the data as it
//!   is; a wrong password fails to unwrap, nothing else tells.
//!
//! Every stored form carries [`VAULT_VERSION`]; anything else is refused.

use crate::account::AccountId;
use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use rand_core::RngCore;
use serde::{Deserialize, Serialize};

/// The version of every sealed value and key slot this build writes.
pub const VAULT_VERSION: u8 = 1;
pub const KEY_BYTES: usize = 32;
pub const NONCE_BYTES: usize = 12;
pub const SALT_BYTES: usize = 16;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VaultError {
    #[error("the password does not open this key")]
    WrongPassword,
    #[error("the sealed value was changed, moved or damaged")]
    Tampered,
    #[error("unsupported vault version {0}")]
    Version(u8),
    #[error("key-derivation parameters out of bounds")]
    Params,
}

/// The data key. Its `Debug` does not print it; it is overwritten when dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct DataKey([u8; KEY_BYTES]);

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(…)")
    }
}

impl Drop for DataKey {
    fn drop(&mut self) {
        self.0 = [0; KEY_BYTES];
    }
}

impl DataKey {
    pub fn generate(rng: &mut impl RngCore) -> Self {
        let mut key = [0; KEY_BYTES];
        rng.fill_bytes(&mut key);
        Self(key)
    }

    /// Hex, for keeping the key for one browser tab (sessionStorage) while
    /// the wallet is unlocked.
    pub fn to_hex(&self) -> String {
        crate::hex::encode(&self.0)
    }

    pub fn from_hex(text: &str) -> Option<Self> {
        let bytes: [u8; KEY_BYTES] = crate::hex::decode(text)?.try_into().ok()?;
        Some(Self(bytes))
    }
}

/// Argon2id's cost, stored with each key slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    pub m_kib: u32,
    pub t: u32,
    pub p: u32,
}

impl KdfParams {
    /// OWASP's first recommendation, as for password hashes.
    pub const STANDARD: KdfParams = KdfParams {
        m_kib: 19 * 1024,
        t: 2,
        p: 1,
    };

    fn checked(self) -> Result<Params, VaultError> {
        let capped = self.m_kib <= crate::security::MAX_MEMORY_KIB
            && self.t <= crate::security::MAX_ITERATIONS
            && self.p <= 4;
        if !capped {
            return Err(VaultError::Params);
        }
        Params::new(self.m_kib, self.t, self.p, Some(KEY_BYTES)).map_err(|_| VaultError::Params)
    }
}

/// A value sealed with a key: `{"v":1,"n":"<nonce hex>","c":"<ciphertext+tag hex>"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sealed {
    pub v: u8,
    #[serde(rename = "n")]
    nonce: String,
    #[serde(rename = "c")]
    ciphertext: String,
}

/// One account's copy of the data key, wrapped under its password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeySlot {
    pub account: AccountId,
    pub kdf: KdfParams,
    salt: String,
    key: Sealed,
}

fn derive(password: &str, salt: &[u8], kdf: KdfParams) -> Result<DataKey, VaultError> {
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, kdf.checked()?);
    let mut out = [0; KEY_BYTES];
    argon
        .hash_password_into(password.as_bytes(), salt, &mut out)
        .map_err(|_| VaultError::Params)?;
    Ok(DataKey(out))
}

/// Seals `plaintext` under `key`, bound to `label`, with a fresh nonce.
pub fn seal(key: &DataKey, label: &str, plaintext: &[u8], rng: &mut impl RngCore) -> Sealed {
    let mut nonce = [0; NONCE_BYTES];
    rng.fill_bytes(&mut nonce);
    let cipher = ChaCha20Poly1305::new(Key::from_slice(&key.0));
    let payload = Payload {
        msg: plaintext,
        aad: label.as_bytes(),
    };
    // Encryption in memory cannot fail for inputs below 256 GiB.
    let ciphertext = cipher
        .encrypt(Nonce::from_slice(&nonce), payload)
        .unwrap_or_default();
    Sealed {
        v: VAULT_VERSION,
        nonce: crate::hex::encode(&nonce),
        ciphertext: crate::hex::encode(&ciphertext),
    }
}

/// Opens a value sealed under `key` for `label`.
pub fn open(key: &DataKey, label: &str, sealed: &Sealed) -> Result<Vec<u8>, VaultError> {
    if sealed.v != VAULT_VERSION {
        return Err(VaultError::Version(sealed.v));
    }
    let nonce = crate::hex::decode(&sealed.nonce)
        .filter(|n| n.len() == NONCE_BYTES)
        .ok_or(VaultError::Tampered)?;
    let ciphertext = crate::hex::decode(&sealed.ciphertext).ok_or(VaultError::Tampered)?;
    let cipher = ChaCha20Poly1305::new(Key::from_slice(&key.0));
    let payload = Payload {
        msg: &ciphertext,
        aad: label.as_bytes(),
    };
    cipher
        .decrypt(Nonce::from_slice(&nonce), payload)
        .map_err(|_| VaultError::Tampered)
}

fn slot_label(account: AccountId) -> String {
    format!("qianbao key slot {}", account.get())
}

impl KeySlot {
    /// Wraps `key` for `account` under `password`.
    pub fn new(
        key: &DataKey,
        account: AccountId,
        password: &str,
        kdf: KdfParams,
        rng: &mut impl RngCore,
    ) -> Result<Self, VaultError> {
        let mut salt = [0; SALT_BYTES];
        rng.fill_bytes(&mut salt);
        let kek = derive(password, &salt, kdf)?;
        Ok(Self {
            account,
            kdf,
            salt: crate::hex::encode(&salt),
            key: seal(&kek, &slot_label(account), &key.0, rng),
        })
    }

    /// The data key, if `password` is this account's.
    pub fn open(&self, password: &str) -> Result<DataKey, VaultError> {
        let salt = crate::hex::decode(&self.salt)
            .filter(|s| s.len() == SALT_BYTES)
            .ok_or(VaultError::Tampered)?;
        let kek = derive(password, &salt, self.kdf)?;
        let bytes = open(&kek, &slot_label(self.account), &self.key).map_err(|e| match e {
            VaultError::Tampered => VaultError::WrongPassword,
            other => other,
        })?;
        let key: [u8; KEY_BYTES] = bytes.try_into().map_err(|_| VaultError::Tampered)?;
        Ok(DataKey(key))
    }

    /// The same data key under a new password (「修改密码」): new salt, new
    /// wrapping; the data sealed with the key stays as it is.
    pub fn rewrap(
        &self,
        old_password: &str,
        new_password: &str,
        rng: &mut impl RngCore,
    ) -> Result<Self, VaultError> {
        let key = self.open(old_password)?;
        Self::new(&key, self.account, new_password, self.kdf, rng)
    }
}

/// Lowercase hex only, as written: one spelling per value.
#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand_chacha::rand_core::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    const FAST: KdfParams = KdfParams {
        m_kib: 8,
        t: 1,
        p: 1,
    };

    fn rng() -> ChaCha20Rng {
        ChaCha20Rng::seed_from_u64(17)
    }

    /// RFC 8439 §2.8.2: the AEAD test vector, through the same crate calls.
    #[test]
    fn rfc_8439_aead_vector() {
        let key: Vec<u8> = (0x80u8..=0x9f).collect();
        let nonce = [
            0x07, 0, 0, 0, 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47,
        ];
        let aad = [
            0x50, 0x51, 0x52, 0x53, 0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7,
        ];
        let plaintext = b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.";
        let cipher = ChaCha20Poly1305::new(Key::from_slice(&key));
        let out = cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: &aad,
                },
            )
            .unwrap_or_default();
        let hex = crate::hex::encode(&out);
        assert!(hex.starts_with("d31a8d34648e60db7b86afbc53ef7ec2"), "{hex}");
        assert!(
            hex.ends_with("1ae10b594f09e26a7e902ecbd0600691"),
            "tag: {hex}"
        );
    }

    #[test]
    fn sealed_values_round_trip_and_every_write_has_a_new_nonce() {
        let key = DataKey::generate(&mut rng());
        let mut rng = rng();
        let a = seal(&key, "main", b"{\"cards\":[]}", &mut rng);
        let b = seal(&key, "main", b"{\"cards\":[]}", &mut rng);
        assert_ne!(a, b, "same text, different nonce and ciphertext");
        assert_eq!(
            open(&key, "main", &a).as_deref(),
            Ok(&b"{\"cards\":[]}"[..])
        );
        assert!(!a.ciphertext.contains(&crate::hex::encode(b"cards")));
    }

    #[test]
    fn a_value_moved_elsewhere_or_opened_with_another_key_fails() {
        let key = DataKey::generate(&mut rng());
        let other = DataKey::generate(&mut ChaCha20Rng::seed_from_u64(99));
        let sealed = seal(&key, "chunk 3", b"history", &mut rng());
        assert_eq!(open(&key, "chunk 4", &sealed), Err(VaultError::Tampered));
        assert_eq!(open(&other, "chunk 3", &sealed), Err(VaultError::Tampered));
        let future = Sealed {
            v: 2,
            ..sealed.clone()
        };
        assert_eq!(open(&key, "chunk 3", &future), Err(VaultError::Version(2)));
        let cut = Sealed {
            ciphertext: sealed.ciphertext[..20].to_owned(),
            ..sealed
        };
        assert_eq!(open(&key, "chunk 3", &cut), Err(VaultError::Tampered));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Any changed character of the nonce or the ciphertext is noticed.
        #[test]
        fn every_changed_character_is_noticed(at in any::<prop::sample::Index>(), in_nonce in any::<bool>(), to in "[0-9a-fA-Fg ]") {
            let key = DataKey::generate(&mut rng());
            let sealed = seal(&key, "main", b"balance 1000", &mut rng());
            let mut changed = sealed.clone();
            let field = if in_nonce { &mut changed.nonce } else { &mut changed.ciphertext };
            let i = at.index(field.len());
            field.replace_range(i..=i, &to);
            prop_assume!(changed != sealed);
            prop_assert!(open(&key, "main", &changed).is_err());
        }
    }

    #[test]
    fn a_key_slot_opens_with_its_password_only_and_rewraps() {
        let mut rng = rng();
        let key = DataKey::generate(&mut rng);
        let me = AccountId::new(1);
        let slot = KeySlot::new(&key, me, "Sandbox2026x", FAST, &mut rng)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(slot.open("Sandbox2026x"), Ok(key.clone()));
        assert_eq!(slot.open("sandbox2026x"), Err(VaultError::WrongPassword));
        // A slot copied to another account does not open.
        let moved = KeySlot {
            account: AccountId::new(2),
            ..slot.clone()
        };
        assert_eq!(moved.open("Sandbox2026x"), Err(VaultError::WrongPassword));
        // 修改密码: the same key under the new password, the old one no longer works.
        let new = slot
            .rewrap("Sandbox2026x", "Changed2027y", &mut rng)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(new.open("Changed2027y"), Ok(key));
        assert_eq!(new.open("Sandbox2026x"), Err(VaultError::WrongPassword));
        assert_eq!(
            slot.rewrap("wrong", "x", &mut rng).map(|_| ()),
            Err(VaultError::WrongPassword)
        );
    }

    #[test]
    fn a_key_round_trips_as_hex_and_nothing_else_is_a_key() {
        let key = DataKey::generate(&mut rng());
        assert_eq!(DataKey::from_hex(&key.to_hex()), Some(key.clone()));
        assert_eq!(DataKey::from_hex(&key.to_hex()[2..]), None);
        assert_eq!(DataKey::from_hex(&key.to_hex().to_uppercase()), None);
        assert_eq!(DataKey::from_hex("zz"), None);
    }

    #[test]
    fn stored_slots_round_trip_and_costs_are_capped() {
        let mut rng = rng();
        let key = DataKey::generate(&mut rng);
        let slot = KeySlot::new(&key, AccountId::new(1), "pw", FAST, &mut rng)
            .unwrap_or_else(|e| panic!("{e}"));
        let json = serde_json::to_string(&slot).unwrap_or_default();
        assert!(
            json.contains("\"kdf\":{\"m_kib\":8,\"t\":1,\"p\":1}"),
            "{json}"
        );
        let back: KeySlot = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back.open("pw"), Ok(key));
        let greedy = KeySlot {
            kdf: KdfParams {
                m_kib: 4 * 1024 * 1024,
                t: 1,
                p: 1,
            },
            ..back
        };
        assert_eq!(
            greedy.open("pw"),
            Err(VaultError::Params),
            "no 4 GiB allocation from storage"
        );
        assert!(format!("{:?}", DataKey::generate(&mut rng)).contains('…'));
    }
}
