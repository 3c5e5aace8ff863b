//! The contract store: code and metadata (code size, layout, exports), kept by their hashes.

use super::StateError;
use crate::Hash;
use crate::codec;
use crate::contract_meta::ContractMeta;
use crate::storage::kv::{KvStore, WriteBatch, namespace};

/// The hash a contract's code is stored and cached under.
pub fn code_hash(code: &[u8]) -> Hash {
    blake3::hash(code).into()
}

/// The kv key of the code whose hash is `hash`.
pub(crate) fn code_key(hash: Hash) -> Vec<u8> {
    namespace::key(namespace::CODE, hash.as_bytes())
}

/// The kv key of the metadata whose hash is `hash`.
pub(crate) fn meta_key(hash: Hash) -> Vec<u8> {
    namespace::key(namespace::META, hash.as_bytes())
}

/// Adds `code` to `batch` under its hash; returns the hash.
pub fn store_code(batch: &mut WriteBatch, code: &[u8]) -> Hash {
    let hash = code_hash(code);
    batch.put(code_key(hash), code.to_vec());
    hash
}

/// The code stored under `hash`, checked against it.
pub fn load_code(kv: &dyn KvStore, hash: Hash) -> Result<Vec<u8>, StateError> {
    let code = kv.get(&code_key(hash))?;
    code.filter(|code| code_hash(code) == hash).ok_or(StateError::CorruptContract { what: "code", hash })
}

/// Adds `meta` to `batch` under its hash; returns the hash.
pub fn store_meta(batch: &mut WriteBatch, meta: &ContractMeta) -> Hash {
    let bytes = codec::encode(meta);
    let hash: Hash = blake3::hash(&bytes).into();
    batch.put(meta_key(hash), bytes);
    hash
}

/// The metadata stored under `hash`, checked against it (its layout validated again on decoding).
pub fn load_meta(kv: &dyn KvStore, hash: Hash) -> Result<ContractMeta, StateError> {
    let corrupt = StateError::CorruptContract { what: "metadata", hash };
    let bytes = kv.get(&meta_key(hash))?.ok_or(corrupt.clone())?;
    if Hash::from(blake3::hash(&bytes)) != hash {
        return Err(corrupt);
    }
    codec::decode(&bytes).map_err(|_| corrupt)
}
