//! Live state on the command line: a node on disk logs what it applies; a new node syncs from a
//! snapshot of its store and continues to the same root; a store rewinds to a retained layer; and a
//! chain split on live state — the node's snapshot plus its logged transactions, imported as a stream
//! — is caught, shrunk and replayed in one command. Bad snapshots, logs and layers exit 2 with a
//! typed message and leave nothing behind.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use svm::storage::kv::{KvDurability, KvStore, RedbKv, WriteBatch, namespace};
use svm::storage::reach::{Reached, walk_reachable};

fn sim(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_svm-sim")).args(args).current_dir(dir).output().unwrap()
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

/// A golden stream: 250 transactions over layers 0 to 35.
fn stream() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/streams/seed-1.jsonl")
}

/// Runs `args`, requires `code`, and returns what it printed.
fn ok(args: &[&str], dir: &Path, code: i32) -> String {
    let out = sim(args, dir);
    let printed = text(&out);
    assert_eq!(out.status.code(), Some(code), "svm-sim {}:\n{printed}", args.join(" "));
    printed
}

/// The head root a `svm-sim node` run printed.
fn head_root(printed: &str) -> String {
    printed.split("root ").nth(1).and_then(|rest| rest.get(..64)).unwrap_or_else(|| panic!("{printed}")).to_string()
}

fn a_node(dir: &Path) -> String {
    let stream = stream();
    head_root(&ok(&["node", "--db", "a.redb", "--stream", stream.to_str().unwrap(), "--log", "a.txlog"], dir, 0))
}

#[test]
fn a_chain_split_on_live_state_is_reproduced_from_a_snapshot_and_the_node_log_shrunk_and_replayed() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let end = a_node(dir);
    let imported =
        ok(&["import", "--log", "a.txlog", "--snapshot", "a.redb", "--layer", "10", "--out", "live.jsonl"], dir, 0);
    assert!(imported.contains("starting from layer 10 of a.redb"), "{imported}");

    // Every replica (the reference VM among them) starts from the snapshot and ends where the node did.
    let agreed = ok(&["run", "--stream", "live.jsonl", "--out", "agree"], dir, 0);
    assert!(agreed.contains("every one checked"), "{agreed}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("agree/report.json")).unwrap()).unwrap();
    assert_eq!(report["final_root"], end.as_str());

    // A split planted on the replicas: caught, shrunk and replayed by the one command.
    let split = ok(&["run", "--stream", "live.jsonl", "--canary", "cache-gas", "--shrink", "--out", "split"], dir, 1);
    assert!(split.contains("DIVERGENCE at tx"), "{split}");
    assert!(split.contains("shrunk ") && split.contains("reproduced: divergence"), "{split}");
    let shrunk: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("split/reproducer.shrunk.json")).unwrap()).unwrap();
    assert_eq!(shrunk["stream"]["header"]["snapshot"]["layer"], 10, "the shrunk stream still starts from the snapshot");
    assert!(shrunk["stream"]["txs"].as_array().unwrap().len() <= 5);
}

#[test]
fn a_synced_node_continues_to_the_same_root_and_a_rewound_one_returns_to_it() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let end = a_node(dir);
    let stream = stream();
    let stream = stream.to_str().unwrap();
    let synced = ok(&["sync", "--from", "a.redb", "--layer", "12", "--db", "b.redb"], dir, 0);
    assert!(synced.contains("every entry checked"), "{synced}");
    let continued = ok(&["node", "--db", "b.redb", "--stream", stream], dir, 0);
    assert!(continued.contains("resumed at layer 12"), "{continued}");
    assert_eq!(head_root(&continued), end);

    ok(&["rewind", "--db", "b.redb", "--layer", "20"], dir, 0);
    let again = ok(&["node", "--db", "b.redb", "--stream", stream], dir, 0);
    assert!(again.contains("resumed at layer 20"), "{again}");
    assert_eq!(head_root(&again), end);

    // The synced store never held the layers before 12.
    let refused = ok(&["rewind", "--db", "b.redb", "--layer", "5"], dir, 2);
    assert!(refused.contains("layer 5 is not retained"), "{refused}");
    let refused = ok(&["sync", "--from", "a.redb", "--layer", "12", "--db", "b.redb"], dir, 2);
    assert!(refused.contains("already exists"), "{refused}");
    let refused = ok(&["sync", "--from", "a.redb", "--layer", "99", "--db", "c.redb"], dir, 2);
    assert!(refused.contains("layer 99 is not retained") && !dir.join("c.redb").exists(), "{refused}");
}

#[test]
fn a_tampered_snapshot_or_a_cut_log_exits_2_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    a_node(dir);
    ok(&["import", "--log", "a.txlog", "--snapshot", "a.redb", "--layer", "10", "--out", "live.jsonl"], dir, 0);

    // One page of the state at layer 10 changed in place.
    std::fs::copy(dir.join("a.redb"), dir.join("t.redb")).unwrap();
    {
        let kv = RedbKv::open_existing(&dir.join("t.redb"), KvDurability::EveryWrite).unwrap();
        let root = svm::storage::head::layer_root(&kv, 10).unwrap().unwrap();
        let mut pages = Vec::new();
        walk_reachable(&kv, &[root], &mut |reached| {
            if matches!(reached, Reached::Page { .. }) {
                pages.push(reached.key());
            }
            true
        })
        .unwrap();
        let page = pages.pop().expect("the state at layer 10 has a page");
        let mut bytes = kv.get(&page).unwrap().unwrap();
        bytes[0] ^= 1;
        let mut batch = WriteBatch::new();
        batch.put(page.clone(), bytes);
        kv.write(batch).unwrap();
        assert_eq!(page[0], namespace::PAGE);
    }
    let refused = ok(&["sync", "--from", "t.redb", "--layer", "10", "--db", "t10.redb"], dir, 2);
    assert!(refused.contains("does not match its hash"), "{refused}");
    assert!(!dir.join("t10.redb").exists(), "a failed sync leaves no store behind");

    // A stream starting from the tampered store is refused before any replica runs.
    let live = std::fs::read_to_string(dir.join("live.jsonl")).unwrap().replacen("\"a.redb\"", "\"t.redb\"", 1);
    std::fs::write(dir.join("bad.jsonl"), live).unwrap();
    let refused = ok(&["run", "--stream", "bad.jsonl", "--out", "bad"], dir, 2);
    assert!(refused.contains("snapshot t.redb layer 10") && refused.contains("does not match its hash"), "{refused}");
    assert!(!dir.join("bad").exists(), "nothing written");

    // A log cut inside its last transaction: refused by that transaction's index.
    let log = std::fs::read(dir.join("a.txlog")).unwrap();
    std::fs::write(dir.join("cut.txlog"), &log[..log.len() - 5]).unwrap();
    let refused =
        ok(&["import", "--log", "cut.txlog", "--snapshot", "a.redb", "--layer", "10", "--out", "x.jsonl"], dir, 2);
    assert!(refused.contains("transaction 249") && refused.contains("truncated"), "{refused}");
    assert!(!dir.join("x.jsonl").exists());
}
