//! A persistent kv store in one redb file: every batch is one redb write transaction.
//!
//! The file holds two tables: `svm-kv` (the store's keys and values) and `svm-meta` (the format marker,
//! `format = "svm-kv"` and `version = 1`), written when the store is created and checked whenever it is
//! opened. Every open verifies the checksum of every page (redb's integrity check), so that a file
//! damaged outside redb is refused with a typed error instead of being trusted.

use super::{KvError, KvStore, WriteBatch};
use redb::{
    Builder, Database, DatabaseError, Durability, ReadableDatabase, StorageBackend, StorageError, TableDefinition,
    TableError,
};
use std::fmt::Display;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// The table holding the store's keys and values.
const DATA: TableDefinition<&[u8], &[u8]> = TableDefinition::new("svm-kv");
/// The table holding the format marker.
const MARKER: TableDefinition<&str, &[u8]> = TableDefinition::new("svm-meta");
/// The marker's format name.
const FORMAT: &[u8] = b"svm-kv";
/// The marker's format version this build reads and writes.
pub const KV_FORMAT_VERSION: u64 = 1;

/// When a write reaches stable storage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KvDurability {
    /// Every write is durable when it returns (redb's `Durability::Immediate`).
    EveryWrite,
    /// Writes are durable only once [`KvStore::sync`] returns; a crash may lose the writes since.
    OnSync,
}

/// Why a redb store could not be opened or created.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum KvOpenError {
    /// `open_existing` was given a path where no file exists.
    #[error("no database file at {0}")]
    Missing(PathBuf),
    /// The file is not a redb database at all (wrong magic number, or empty where one was expected).
    #[error("not a redb database: {0}")]
    NotADatabase(String),
    /// The file is a redb database whose contents fail their checksums or do not parse.
    #[error("corrupt database: {0}")]
    Corrupt(String),
    /// The file or its directory cannot be written: permissions, or a read-only file system.
    #[error("permission denied or read-only storage: {0}")]
    PermissionDenied(String),
    /// Another handle (in this process or another) holds the database's lock.
    #[error("the database is already open elsewhere")]
    AlreadyOpen,
    /// A redb file format this redb does not read without an upgrade.
    #[error("redb file format version {0} needs an upgrade")]
    RedbFormat(u8),
    /// A redb database that is not an svm-kv store (no marker, or another format's marker).
    #[error("not an svm-kv store: {0}")]
    OtherFormat(String),
    /// An svm-kv store of another format version.
    #[error("svm-kv format version {found}; this build reads version {supported}")]
    OtherVersion {
        /// The version the file's marker names.
        found: u64,
        /// The version this build reads.
        supported: u64,
    },
    /// Any other I/O failure.
    #[error("I/O error: {0}")]
    Io(String),
    /// Any other redb failure.
    #[error("redb failure: {0}")]
    Backend(String),
}

/// A [`KvStore`] over one redb database.
#[derive(Debug)]
pub struct RedbKv {
    db: Database,
    durability: KvDurability,
    /// The database file, when there is one (none for a custom backend).
    path: Option<PathBuf>,
}

impl RedbKv {
    /// Opens the store in the file at `path`, creating the file and the store if there is none.
    pub fn create_or_open(path: &Path, durability: KvDurability) -> Result<RedbKv, KvOpenError> {
        let db = builder().create(path).map_err(open_error)?;
        RedbKv::init(db, durability, Some(path.to_path_buf()))
    }

    /// Opens the store in the existing file at `path`; a missing file is an error.
    pub fn open_existing(path: &Path, durability: KvDurability) -> Result<RedbKv, KvOpenError> {
        if let Err(err) = std::fs::metadata(path) {
            return Err(match err.kind() {
                ErrorKind::NotFound => KvOpenError::Missing(path.to_path_buf()),
                _ => io_error(&err),
            });
        }
        let db = builder().open(path).map_err(open_error)?;
        RedbKv::init(db, durability, Some(path.to_path_buf()))
    }

    /// Opens the store held by `backend`, creating it if the backend is empty (fault injection,
    /// in-memory stores).
    pub fn with_backend(backend: impl StorageBackend, durability: KvDurability) -> Result<RedbKv, KvOpenError> {
        let db = builder().create_with_backend(backend).map_err(open_error)?;
        RedbKv::init(db, durability, None)
    }

    /// The size of the database file in bytes (0 for a custom backend, or if the file cannot be read).
    pub fn disk_bytes(&self) -> u64 {
        self.path.as_deref().and_then(|path| std::fs::metadata(path).ok()).map_or(0, |meta| meta.len())
    }

    /// When this store's writes become durable.
    pub fn durability(&self) -> KvDurability {
        self.durability
    }

    /// Writes the marker into a database with no table yet, or checks the marker of one that has tables.
    fn init(db: Database, durability: KvDurability, path: Option<PathBuf>) -> Result<RedbKv, KvOpenError> {
        let read = db.begin_read().map_err(other_error)?;
        let empty = read.list_tables().map_err(storage_error)?.next().is_none()
            && read.list_multimap_tables().map_err(storage_error)?.next().is_none();
        if empty {
            // New, or created by a process that stopped before its first commit: nothing to lose.
            drop(read);
            let txn = db.begin_write().map_err(other_error)?;
            {
                let mut marker = txn.open_table(MARKER).map_err(table_error)?;
                marker.insert("format", FORMAT).map_err(storage_error)?;
                marker.insert("version", KV_FORMAT_VERSION.to_le_bytes().as_slice()).map_err(storage_error)?;
                txn.open_table(DATA).map_err(table_error)?;
            }
            txn.commit().map_err(other_error)?;
        } else {
            let marker = read.open_table(MARKER).map_err(table_error)?;
            let field = |name: &str| -> Result<Vec<u8>, KvOpenError> {
                let value = marker.get(name).map_err(storage_error)?;
                value.map(|v| v.value().to_vec()).ok_or_else(|| KvOpenError::OtherFormat(format!("no `{name}` marker")))
            };
            let format = field("format")?;
            if format != FORMAT {
                return Err(KvOpenError::OtherFormat(format!("format `{}`", String::from_utf8_lossy(&format))));
            }
            let version = field("version")?;
            let found = <[u8; 8]>::try_from(version.as_slice())
                .map(u64::from_le_bytes)
                .map_err(|_| KvOpenError::OtherFormat(format!("a version marker of {} bytes", version.len())))?;
            if found != KV_FORMAT_VERSION {
                return Err(KvOpenError::OtherVersion { found, supported: KV_FORMAT_VERSION });
            }
            read.open_table(DATA).map_err(table_error)?;
        }
        Ok(RedbKv { db, durability, path })
    }
}

impl KvStore for RedbKv {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, KvError> {
        let read = self.db.begin_read().map_err(backend)?;
        let table = read.open_table(DATA).map_err(backend)?;
        let value = table.get(key).map_err(backend)?;
        Ok(value.map(|v| v.value().to_vec()))
    }

    fn write(&self, batch: WriteBatch) -> Result<(), KvError> {
        if batch.is_empty() {
            return Ok(());
        }
        let mut txn = self.db.begin_write().map_err(backend)?;
        let durability = match self.durability {
            KvDurability::EveryWrite => Durability::Immediate,
            KvDurability::OnSync => Durability::None,
        };
        txn.set_durability(durability).map_err(backend)?;
        {
            let mut table = txn.open_table(DATA).map_err(backend)?;
            for (key, value) in batch.iter() {
                match value {
                    Some(value) => table.insert(key, value).map(drop),
                    None => table.remove(key).map(drop),
                }
                .map_err(backend)?;
            }
        }
        // Dropping an uncommitted transaction (any `?` above) aborts it: all of the batch or none.
        txn.commit().map_err(backend)
    }

    fn sync(&self) -> Result<(), KvError> {
        match self.durability {
            KvDurability::EveryWrite => Ok(()),
            KvDurability::OnSync => {
                // An immediate commit makes every earlier non-durable commit durable with it.
                let mut txn = self.db.begin_write().map_err(backend)?;
                txn.set_durability(Durability::Immediate).map_err(backend)?;
                txn.commit().map_err(backend)
            }
        }
    }

    fn keys_with_prefix(&self, prefix: &[u8]) -> Result<Vec<Vec<u8>>, KvError> {
        let read = self.db.begin_read().map_err(backend)?;
        let table = read.open_table(DATA).map_err(backend)?;
        let mut keys = Vec::new();
        for entry in table.range::<&[u8]>(prefix..).map_err(backend)? {
            let (key, _) = entry.map_err(backend)?;
            let key = key.value();
            if !key.starts_with(prefix) {
                break;
            }
            keys.push(key.to_vec());
        }
        Ok(keys)
    }
}

/// How every store is opened: with its integrity checked (redb may panic on a damaged file otherwise).
fn builder() -> Builder {
    let mut builder = Builder::new();
    builder.set_check_integrity_on_open(true);
    builder
}

/// A runtime failure of redb as a kv error.
fn backend(err: impl Display) -> KvError {
    KvError::Backend(format!("redb: {err}"))
}

fn open_error(err: DatabaseError) -> KvOpenError {
    match err {
        DatabaseError::Storage(err) => storage_error(err),
        DatabaseError::DatabaseAlreadyOpen | DatabaseError::LockProtocolMismatch => KvOpenError::AlreadyOpen,
        DatabaseError::UpgradeRequired(version) => KvOpenError::RedbFormat(version),
        other => KvOpenError::Backend(other.to_string()),
    }
}

fn storage_error(err: StorageError) -> KvOpenError {
    match err {
        StorageError::Io(err) => io_error(&err),
        StorageError::Corrupted(detail) => KvOpenError::Corrupt(detail),
        other => KvOpenError::Backend(other.to_string()),
    }
}

fn io_error(err: &std::io::Error) -> KvOpenError {
    match err.kind() {
        // redb reports a file without its magic number (or an empty one it may not initialize) so.
        ErrorKind::InvalidData => KvOpenError::NotADatabase(err.to_string()),
        ErrorKind::PermissionDenied | ErrorKind::ReadOnlyFilesystem => KvOpenError::PermissionDenied(err.to_string()),
        _ => KvOpenError::Io(err.to_string()),
    }
}

fn table_error(err: TableError) -> KvOpenError {
    match err {
        TableError::Storage(err) => storage_error(err),
        TableError::TableDoesNotExist(name) => KvOpenError::OtherFormat(format!("no `{name}` table")),
        mismatch @ (TableError::TableTypeMismatch { .. }
        | TableError::TableIsMultimap(_)
        | TableError::TypeDefinitionChanged { .. }) => KvOpenError::OtherFormat(mismatch.to_string()),
        other => KvOpenError::Backend(other.to_string()),
    }
}

/// Transaction and commit errors at open: storage failures keep their kind, the rest are redb's.
fn other_error<E: Display + Into<redb::Error>>(err: E) -> KvOpenError {
    match err.into() {
        redb::Error::Io(err) => io_error(&err),
        redb::Error::Corrupted(detail) => KvOpenError::Corrupt(detail),
        other => KvOpenError::Backend(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// A fresh directory under the system temp dir, removed when dropped.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(name: &str) -> TempDir {
            let dir = std::env::temp_dir().join(format!("svm-redb-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            TempDir(dir)
        }

        fn file(&self, name: &str) -> PathBuf {
            self.0.join(name)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn put(kv: &RedbKv, pairs: &[(&[u8], &[u8])]) {
        let mut batch = WriteBatch::new();
        for (k, v) in pairs {
            batch.put(k.to_vec(), v.to_vec());
        }
        kv.write(batch).unwrap();
    }

    fn contents(kv: &RedbKv) -> BTreeMap<Vec<u8>, Vec<u8>> {
        kv.keys_with_prefix(b"").unwrap().into_iter().map(|k| (k.clone(), kv.get(&k).unwrap().unwrap())).collect()
    }

    #[test]
    fn round_trip_with_deletes_and_prefixes() {
        for durability in [KvDurability::EveryWrite, KvDurability::OnSync] {
            let kv = RedbKv::with_backend(::redb::backends::InMemoryBackend::new(), durability).unwrap();
            put(&kv, &[(b"pa", b"1"), (b"pb", b"2"), (b"q", b"3"), (b"p", b"4")]);
            assert_eq!(kv.get(b"pa").unwrap(), Some(b"1".to_vec()));
            assert_eq!(kv.get(b"zz").unwrap(), None);
            assert_eq!(kv.keys_with_prefix(b"p").unwrap(), vec![b"p".to_vec(), b"pa".to_vec(), b"pb".to_vec()]);
            let mut batch = WriteBatch::new();
            batch.delete(b"pa".to_vec());
            batch.put(b"q".to_vec(), vec![7u8; 10_000]);
            kv.write(batch).unwrap();
            kv.sync().unwrap();
            assert_eq!(kv.get(b"pa").unwrap(), None);
            assert_eq!(kv.get(b"q").unwrap(), Some(vec![7u8; 10_000]));
            assert_eq!(kv.keys_with_prefix(b"p").unwrap(), vec![b"p".to_vec(), b"pb".to_vec()]);
            assert_eq!(kv.disk_bytes(), 0);
        }
    }

    /// Bytes shared with whoever opens them next, whose writes can be switched off.
    #[derive(Debug, Default, Clone)]
    struct Switchable {
        bytes: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
        broken: std::sync::Arc<std::sync::atomic::AtomicBool>,
    }

    impl Switchable {
        fn check(&self) -> Result<std::sync::MutexGuard<'_, Vec<u8>>, std::io::Error> {
            if self.broken.load(std::sync::atomic::Ordering::SeqCst) {
                return Err(std::io::Error::other("switched off"));
            }
            self.bytes.lock().map_err(|_| std::io::Error::other("poisoned"))
        }
    }

    impl StorageBackend for Switchable {
        fn len(&self) -> Result<u64, std::io::Error> {
            Ok(self.bytes.lock().map_err(|_| std::io::Error::other("poisoned"))?.len() as u64)
        }
        fn read(&self, offset: u64, out: &mut [u8]) -> Result<(), std::io::Error> {
            let bytes = self.bytes.lock().map_err(|_| std::io::Error::other("poisoned"))?;
            let src = bytes.get(offset as usize..offset as usize + out.len()).ok_or(ErrorKind::UnexpectedEof)?;
            out.copy_from_slice(src);
            Ok(())
        }
        fn set_len(&self, len: u64) -> Result<(), std::io::Error> {
            self.check()?.resize(len as usize, 0);
            Ok(())
        }
        fn sync_data(&self) -> Result<(), std::io::Error> {
            self.check().map(drop)
        }
        fn write(&self, offset: u64, data: &[u8]) -> Result<(), std::io::Error> {
            let mut bytes = self.check()?;
            let dst = bytes.get_mut(offset as usize..offset as usize + data.len()).ok_or(ErrorKind::UnexpectedEof)?;
            dst.copy_from_slice(data);
            Ok(())
        }
    }

    #[test]
    fn a_batch_whose_commit_fails_applies_nothing() {
        let backend = Switchable::default();
        let kv = RedbKv::with_backend(backend.clone(), KvDurability::EveryWrite).unwrap();
        put(&kv, &[(b"a", b"old"), (b"z", b"old")]);
        let mut batch = WriteBatch::new();
        batch.put(b"a".to_vec(), b"new".to_vec());
        batch.put(b"b".to_vec(), vec![1u8; 50_000]);
        batch.delete(b"z".to_vec());
        backend.broken.store(true, std::sync::atomic::Ordering::SeqCst);
        assert!(matches!(kv.write(batch), Err(KvError::Backend(_))));
        drop(kv);
        backend.broken.store(false, std::sync::atomic::Ordering::SeqCst);
        let reopened = RedbKv::with_backend(backend, KvDurability::EveryWrite).unwrap();
        let old = BTreeMap::from([(b"a".to_vec(), b"old".to_vec()), (b"z".to_vec(), b"old".to_vec())]);
        assert_eq!(contents(&reopened), old);
    }

    #[test]
    fn a_reopened_file_holds_what_was_written() {
        let dir = TempDir::new("reopen");
        let path = dir.file("kv.redb");
        for durability in [KvDurability::EveryWrite, KvDurability::OnSync] {
            let _ = std::fs::remove_file(&path);
            {
                let kv = RedbKv::create_or_open(&path, durability).unwrap();
                put(&kv, &[(b"k1", b"v1"), (b"k2", b"v2")]);
                kv.sync().unwrap();
                assert!(kv.disk_bytes() > 0);
            }
            let kv = RedbKv::open_existing(&path, durability).unwrap();
            let expected = BTreeMap::from([(b"k1".to_vec(), b"v1".to_vec()), (b"k2".to_vec(), b"v2".to_vec())]);
            assert_eq!(contents(&kv), expected);
            drop(kv);
            assert_eq!(contents(&RedbKv::create_or_open(&path, durability).unwrap()), expected);
        }
    }

    #[test]
    fn a_second_handle_on_an_open_file_is_refused() {
        let dir = TempDir::new("locked");
        let path = dir.file("kv.redb");
        let _kv = RedbKv::create_or_open(&path, KvDurability::EveryWrite).unwrap();
        assert_eq!(RedbKv::open_existing(&path, KvDurability::EveryWrite).unwrap_err(), KvOpenError::AlreadyOpen);
    }

    #[test]
    fn a_missing_file_is_refused_by_open_existing_only() {
        let dir = TempDir::new("missing");
        let path = dir.file("absent.redb");
        assert_eq!(
            RedbKv::open_existing(&path, KvDurability::EveryWrite).unwrap_err(),
            KvOpenError::Missing(path.clone())
        );
        assert!(!path.exists());
        RedbKv::create_or_open(&path, KvDurability::EveryWrite).unwrap();
        assert!(path.exists());
    }

    #[test]
    fn a_file_that_is_not_redb_is_refused() {
        let dir = TempDir::new("garbage");
        let path = dir.file("garbage.redb");
        let garbage: Vec<u8> = (0..20_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        std::fs::write(&path, &garbage).unwrap();
        for open in [RedbKv::create_or_open, RedbKv::open_existing] {
            let err = open(&path, KvDurability::EveryWrite).unwrap_err();
            assert!(matches!(err, KvOpenError::NotADatabase(_)), "{err:?}");
        }
        // Refused without being touched.
        assert_eq!(std::fs::read(&path).unwrap(), garbage);
        // An empty file is not a database to open_existing (create_or_open would initialize it).
        std::fs::write(&path, b"").unwrap();
        let err = RedbKv::open_existing(&path, KvDurability::EveryWrite).unwrap_err();
        assert!(matches!(err, KvOpenError::NotADatabase(_)), "{err:?}");
    }

    #[test]
    fn a_damaged_file_is_refused_as_corrupt() {
        let dir = TempDir::new("damaged");
        let path = dir.file("kv.redb");
        {
            let kv = RedbKv::create_or_open(&path, KvDurability::EveryWrite).unwrap();
            for i in 0..200u32 {
                put(&kv, &[(&i.to_be_bytes(), &[i as u8; 300])]);
            }
        }
        let clean = std::fs::read(&path).unwrap();
        // Flip every byte past the header region: whatever redb reads there fails its checksum.
        let mut damaged = clean.clone();
        for byte in &mut damaged[8192..] {
            *byte ^= 0x5A;
        }
        std::fs::write(&path, &damaged).unwrap();
        let err = RedbKv::open_existing(&path, KvDurability::EveryWrite).unwrap_err();
        assert!(matches!(err, KvOpenError::Corrupt(_)), "{err:?}");
    }

    #[test]
    fn a_redb_file_of_another_format_or_version_is_refused() {
        let dir = TempDir::new("format");
        let path = dir.file("other.redb");
        let write_marker = |format: &[u8], version: Option<u64>| {
            let _ = std::fs::remove_file(&path);
            let db = Database::create(&path).unwrap();
            let txn = db.begin_write().unwrap();
            {
                let mut marker = txn.open_table(MARKER).unwrap();
                marker.insert("format", format).unwrap();
                if let Some(version) = version {
                    marker.insert("version", version.to_le_bytes().as_slice()).unwrap();
                }
                txn.open_table(DATA).unwrap();
            }
            txn.commit().unwrap();
        };
        let open = || RedbKv::open_existing(&path, KvDurability::EveryWrite).unwrap_err();

        // Another application's redb file: tables, but no marker.
        let _ = std::fs::remove_file(&path);
        {
            let db = Database::create(&path).unwrap();
            let txn = db.begin_write().unwrap();
            txn.open_table(TableDefinition::<u64, u64>::new("accounts")).unwrap().insert(1, 2).unwrap();
            txn.commit().unwrap();
        }
        assert_eq!(open(), KvOpenError::OtherFormat("no `svm-meta` table".into()));

        write_marker(b"svm-kv", Some(2));
        assert_eq!(open(), KvOpenError::OtherVersion { found: 2, supported: 1 });
        write_marker(b"other-kv", Some(1));
        assert_eq!(open(), KvOpenError::OtherFormat("format `other-kv`".into()));
        write_marker(b"svm-kv", None);
        assert_eq!(open(), KvOpenError::OtherFormat("no `version` marker".into()));

        // A marker table of other key and value types.
        let _ = std::fs::remove_file(&path);
        {
            let db = Database::create(&path).unwrap();
            let txn = db.begin_write().unwrap();
            txn.open_table(TableDefinition::<u64, u64>::new("svm-meta")).unwrap().insert(1, 2).unwrap();
            txn.commit().unwrap();
        }
        assert!(matches!(open(), KvOpenError::OtherFormat(_)));

        // The right marker opens.
        write_marker(b"svm-kv", Some(1));
        RedbKv::open_existing(&path, KvDurability::EveryWrite).unwrap();
    }

    #[test]
    fn a_file_in_a_read_only_directory_is_refused_as_permission_denied() {
        use std::os::unix::fs::PermissionsExt;
        // Root bypasses file permissions, so as root there is nothing to observe: skip (the mapping of
        // a permission error is also covered, as any user, by the backend test below).
        if running_as_root() {
            eprintln!("skipped: running as root, which ignores permissions");
            return;
        }
        let dir = TempDir::new("readonly");
        let existing = dir.file("kv.redb");
        RedbKv::create_or_open(&existing, KvDurability::EveryWrite).unwrap();
        std::fs::set_permissions(&existing, std::fs::Permissions::from_mode(0o444)).unwrap();
        std::fs::set_permissions(&dir.0, std::fs::Permissions::from_mode(0o555)).unwrap();
        let new = RedbKv::create_or_open(&dir.file("new.redb"), KvDurability::EveryWrite).unwrap_err();
        let old = RedbKv::open_existing(&existing, KvDurability::EveryWrite).unwrap_err();
        std::fs::set_permissions(&dir.0, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert!(matches!(new, KvOpenError::PermissionDenied(_)), "{new:?}");
        assert!(matches!(old, KvOpenError::PermissionDenied(_)), "{old:?}");
    }

    /// Whether the test runs as root (uid 0), read from /proc without unsafe code.
    fn running_as_root() -> bool {
        std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|status| {
                status.lines().find(|l| l.starts_with("Uid:")).map(|l| l.split_whitespace().nth(2) == Some("0"))
            })
            .unwrap_or(false)
    }

    /// A backend whose writes are refused as a read-only medium refuses them.
    #[derive(Debug, Default)]
    struct ReadOnlyBackend(::redb::backends::InMemoryBackend);

    impl StorageBackend for ReadOnlyBackend {
        fn len(&self) -> Result<u64, std::io::Error> {
            self.0.len()
        }
        fn read(&self, offset: u64, out: &mut [u8]) -> Result<(), std::io::Error> {
            self.0.read(offset, out)
        }
        fn set_len(&self, _: u64) -> Result<(), std::io::Error> {
            Err(std::io::Error::from(ErrorKind::ReadOnlyFilesystem))
        }
        fn sync_data(&self) -> Result<(), std::io::Error> {
            Ok(())
        }
        fn write(&self, _: u64, _: &[u8]) -> Result<(), std::io::Error> {
            Err(std::io::Error::from(ErrorKind::PermissionDenied))
        }
    }

    #[test]
    fn storage_that_refuses_writes_is_reported_as_permission_denied() {
        let err = RedbKv::with_backend(ReadOnlyBackend::default(), KvDurability::EveryWrite).unwrap_err();
        assert!(matches!(err, KvOpenError::PermissionDenied(_)), "{err:?}");
    }
}
