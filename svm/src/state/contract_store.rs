//! The contract store: code and storage layouts, kept by their hashes.

use super::StateError;
use crate::Hash;
use crate::codec::{self, RawLayout};
use crate::layout::StorageLayout;
use crate::storage::kv::{KvStore, WriteBatch, namespace};

/// The hash a contract's code is stored and cached under.
pub fn code_hash(code: &[u8]) -> Hash {
    blake3::hash(code).into()
}

/// Adds `code` to `batch` under its hash; returns the hash.
pub fn store_code(batch: &mut WriteBatch, code: &[u8]) -> Hash {
    let hash = code_hash(code);
    batch.put(namespace::key(namespace::CODE, hash.as_bytes()), code.to_vec());
    hash
}

/// The code stored under `hash`, checked against it.
pub fn load_code(kv: &dyn KvStore, hash: Hash) -> Result<Vec<u8>, StateError> {
    let code = kv.get(&namespace::key(namespace::CODE, hash.as_bytes()))?;
    code.filter(|code| code_hash(code) == hash).ok_or(StateError::CorruptContract { what: "code", hash })
}

/// Adds `layout` to `batch` under its hash; returns the hash.
pub fn store_layout(batch: &mut WriteBatch, layout: &StorageLayout) -> Hash {
    let bytes = codec::encode(layout);
    let hash: Hash = blake3::hash(&bytes).into();
    batch.put(namespace::key(namespace::LAYOUT, hash.as_bytes()), bytes);
    hash
}

/// The layout stored under `hash`, checked against it and validated again.
pub fn load_layout(kv: &dyn KvStore, hash: Hash) -> Result<StorageLayout, StateError> {
    let corrupt = StateError::CorruptContract { what: "layout", hash };
    let bytes = kv.get(&namespace::key(namespace::LAYOUT, hash.as_bytes()))?.ok_or(corrupt.clone())?;
    if Hash::from(blake3::hash(&bytes)) != hash {
        return Err(corrupt);
    }
    let raw: RawLayout = codec::decode(&bytes).map_err(|_| corrupt.clone())?;
    StorageLayout::new(raw.page_count, raw.slices).map_err(|_| corrupt)
}
