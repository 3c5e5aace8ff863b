//! Sealing serialized artifacts: magic, key and an integrity hash ahead of the payload, so that a
//! damaged, truncated or mixed-up artifact is detected before it is loaded.

use super::ModuleKey;
use crate::Hash;

/// Marks a sealed artifact and its format version.
const MAGIC: &[u8; 8] = b"SVMART01";
const HEADER: usize = 8 + 32 + 32;

/// Wraps `payload` with the magic, its key and its blake3 hash.
pub fn seal(key: &ModuleKey, payload: &[u8]) -> Vec<u8> {
    let mut sealed = Vec::with_capacity(HEADER + payload.len());
    sealed.extend_from_slice(MAGIC);
    sealed.extend_from_slice(key.0.as_bytes());
    sealed.extend_from_slice(blake3::hash(payload).as_bytes());
    sealed.extend_from_slice(payload);
    sealed
}

/// The payload of `sealed` if it is intact and was sealed for `key`; otherwise why not.
pub fn unseal<'a>(key: &ModuleKey, sealed: &'a [u8]) -> Result<&'a [u8], &'static str> {
    if sealed.len() < HEADER || &sealed[..8] != MAGIC {
        return Err("not a sealed artifact");
    }
    if sealed[8..40] != key.0.as_bytes()[..] {
        return Err("artifact sealed for another key");
    }
    let payload = &sealed[HEADER..];
    if Hash::from(blake3::hash(payload)).as_bytes()[..] != sealed[40..72] {
        return Err("artifact does not match its integrity hash");
    }
    Ok(payload)
}

/// The key a sealed artifact names, if it is one (whether or not it is intact).
#[cfg(feature = "canaries")]
pub(crate) fn sealed_key(sealed: &[u8]) -> Option<ModuleKey> {
    if sealed.len() < HEADER || &sealed[..8] != MAGIC {
        return None;
    }
    Hash::from_slice(&sealed[8..40]).map(ModuleKey)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unseal_accepts_only_intact_artifacts_for_their_key() {
        let key = ModuleKey(Hash([1; 32]));
        let sealed = seal(&key, b"payload");
        assert_eq!(unseal(&key, &sealed), Ok(&b"payload"[..]));
        assert_eq!(unseal(&ModuleKey(Hash([2; 32])), &sealed), Err("artifact sealed for another key"));
        let mut flipped = sealed.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert_eq!(unseal(&key, &flipped), Err("artifact does not match its integrity hash"));
        assert_eq!(unseal(&key, &sealed[..10]), Err("not a sealed artifact"));
        assert_eq!(unseal(&key, b""), Err("not a sealed artifact"));
    }
}
