//! A node on disk killed with SIGKILL at random moments resumes at its last durable head — whose root
//! is the root a node that never crashed had after that many transactions — and, run to the end, ends
//! at the same root. With retention on, some kills land during garbage collection.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use svm::StateRoot;
use svm::runtime::{BlockContext, Runtime, RuntimeConfig};
use svm::storage::head::read_head;
use svm::storage::kv::{KvDurability, MemKv, RedbKv};
use svm_fuzzing::generators::workload::{WorkloadParams, generate};
use svm_fuzzing::stream::Stream;

/// The root after genesis, then after each transaction, on an in-memory node that never crashes.
fn roots(stream: &Stream) -> Vec<StateRoot> {
    let mut rt = Runtime::new(Arc::new(MemKv::new()), RuntimeConfig::default());
    let mut roots = vec![rt.genesis(&stream.genesis).unwrap()];
    for stx in &stream.txs {
        rt.apply(&stx.tx, &BlockContext { layer: stx.layer }).unwrap();
        roots.push(rt.root());
    }
    roots
}

fn node(db: &Path, stream: &Path, durability: &str, retain: Option<u64>) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_svm-sim"));
    command.args(["node", "--db"]).arg(db).arg("--stream").arg(stream).args(["--durability", durability]);
    if let Some(retain) = retain {
        command.args(["--retain", &retain.to_string(), "--gc-every", "2"]);
    }
    command.stdout(Stdio::null()).stderr(Stdio::null());
    command
}

#[test]
fn a_node_killed_at_random_points_resumes_at_its_head_and_ends_at_the_same_root() {
    let stream = generate(&WorkloadParams::derive(51, 1200)).unwrap();
    let expected = roots(&stream);
    let dir = tempfile::tempdir().unwrap();
    let stream_file = dir.path().join("stream.jsonl");
    stream.write(&stream_file).unwrap();
    for (durability, retain) in [("layer", None), ("transaction", Some(2))] {
        // How long an uninterrupted run takes here, so that the kills land inside the runs whatever the
        // machine's speed: each one after a share of what the remaining transactions should take.
        let started = Instant::now();
        let full = node(&dir.path().join(format!("{durability}-full.redb")), &stream_file, durability, retain).status();
        assert!(full.unwrap().success(), "{durability}: an uninterrupted run failed");
        let full = started.elapsed();
        let db = dir.path().join(format!("{durability}.redb"));
        let mut landed = 0;
        let mut heads = Vec::new();
        for share in [0.3, 0.15, 0.45, 0.25, 0.6, 0.35] {
            let remaining = 1.0 - heads.last().copied().unwrap_or(0) as f64 / stream.txs.len() as f64;
            let delay = full.mul_f64(share * remaining).max(Duration::from_millis(5));
            let mut child = node(&db, &stream_file, durability, retain).spawn().unwrap();
            std::thread::sleep(delay);
            if child.try_wait().unwrap().is_some() {
                break;
            }
            child.kill().unwrap(); // SIGKILL
            child.wait().unwrap();
            landed += 1;
            let kv = RedbKv::open_existing(&db, KvDurability::EveryWrite);
            let Ok(kv) = kv else { continue }; // killed before the store was created
            let Some(head) = read_head(&kv).unwrap() else { continue }; // killed before genesis was recorded
            let applied = head.applied as usize;
            assert_eq!(
                head.root, expected[applied],
                "{durability}: the head's root is not the root after {applied} txs"
            );
            if durability == "layer" && applied > 0 && applied < stream.txs.len() {
                assert_ne!(stream.txs[applied - 1].layer, stream.txs[applied].layer, "the head is mid-layer");
            }
            heads.push(applied);
        }
        let status = node(&db, &stream_file, durability, retain).status().unwrap();
        assert!(status.success(), "{durability}: the last run failed: {status}");
        let kv = RedbKv::open_existing(&db, KvDurability::EveryWrite).unwrap();
        let head = read_head(&kv).unwrap().unwrap();
        assert_eq!(head.applied as usize, stream.txs.len());
        assert_eq!(
            head.root,
            *expected.last().unwrap(),
            "{durability}: ended elsewhere than a node that never crashed"
        );
        eprintln!("{durability}: {landed} kills landed; heads seen after them (transactions applied): {heads:?}");
        assert!(landed >= 3, "{durability}: only {landed} kills landed before the run finished");
        assert!(heads.iter().filter(|&&h| h > 0 && h < stream.txs.len()).count() >= 2, "{durability}: {heads:?}");
        assert!(heads.windows(2).all(|w| w[0] <= w[1]), "{durability}: the head went backwards: {heads:?}");
    }
}
