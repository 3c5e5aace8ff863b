//! Sweeps on the command line: shards are disjoint and cover the range, a canary found by several
//! seeds merges into one finding with every seed and a shrunk reproducer, a missing shard is missing
//! seeds (exit 1), and overlapping or mismatched summaries, bad ranges and bad shards exit 2 — in a dry
//! run as in a real one.

use std::path::Path;
use std::process::{Command, Output};

fn sim(args: &[&str], dir: &Path, env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_svm-sim")).args(args).envs(env.iter().copied()).current_dir(dir).output().unwrap()
}

fn run(args: &[&str], dir: &Path, code: i32) -> String {
    run_env(args, dir, &[], code)
}

fn run_env(args: &[&str], dir: &Path, env: &[(&str, &str)], code: i32) -> String {
    let out = sim(args, dir, env);
    let printed = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(code), "svm-sim {}:\n{printed}", args.join(" "));
    printed
}

fn summary(dir: &Path, shard: &str) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join(shard).join("summary.json")).unwrap()).unwrap()
}

const SWEEP: [&str; 7] = ["sweep", "--seeds", "1..5", "--txs", "120", "--no-faults", "--canary"];

#[test]
fn a_canary_found_by_several_seeds_merges_into_one_finding_and_a_missing_shard_is_missing_seeds() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    run(&[&SWEEP[..], &["engine-text", "--shard", "0/2", "--out", "a"]].concat(), dir, 1);
    // The other shard's index from the variable a Kubernetes Indexed Job sets.
    run_env(
        &[&SWEEP[..], &["engine-text", "--shards", "2", "--parallel", "2", "--out", "b"]].concat(),
        dir,
        &[("JOB_COMPLETION_INDEX", "1")],
        1,
    );
    let seeds = |v: &serde_json::Value| -> Vec<u64> {
        v["campaigns"].as_array().unwrap().iter().map(|c| c["seed"].as_u64().unwrap()).collect()
    };
    let (a, b) = (summary(dir, "a"), summary(dir, "b"));
    assert_eq!((seeds(&a), seeds(&b)), (vec![1, 3], vec![2, 4]), "disjoint, and together the range");
    // A dry run of the same arguments names exactly the seeds the run ran, and runs and writes nothing.
    let dry = run_env(
        &[&SWEEP[..], &["engine-text", "--shards", "2", "--parallel", "2", "--out", "b-dry", "--dry-run"]].concat(),
        dir,
        &[("JOB_COMPLETION_INDEX", "1")],
        0,
    );
    assert!(dry.contains("\nseeds: 2 4\n") && dry.contains("\nout: b-dry\n"), "{dry}");
    assert!(!dir.join("b-dry").exists());
    let merged = run(&["merge", "a/summary.json", "b/summary.json", "--out", "m"], dir, 1);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("m/merged.json")).unwrap()).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let showed: Vec<u64> = [&a, &b]
        .iter()
        .flat_map(|s| s["campaigns"].as_array().unwrap().iter())
        .filter(|c| c["verdict"] != "agree")
        .map(|c| c["seed"].as_u64().unwrap())
        .collect();
    assert!(showed.len() >= 2, "the canary shows on several seeds: {showed:?}");
    assert_eq!(findings.len(), 1, "one bug, one finding: {merged}");
    let mut found: Vec<u64> = findings[0]["seeds"].as_array().unwrap().iter().map(|s| s.as_u64().unwrap()).collect();
    found.sort();
    let mut expected = showed.clone();
    expected.sort();
    assert_eq!(found, expected);
    let reproducer = dir.join(findings[0]["reproducer"].as_str().unwrap());
    assert!(reproducer.ends_with("reproducer.shrunk.json") && reproducer.exists());
    assert!(run(&["replay", reproducer.to_str().unwrap()], dir, 1).contains("reproduced"));
    assert!(std::fs::read_to_string(dir.join("m/merged.md")).unwrap().contains("NOT CLEAN"));
    // Each shard's and the merged report: Markdown with the sweep chart, and the same as one HTML page.
    for (folder, name) in [("a", "sweep"), ("b", "sweep"), ("m", "merged")] {
        let md = std::fs::read_to_string(dir.join(folder).join(format!("{name}.md"))).unwrap();
        let html = std::fs::read_to_string(dir.join(folder).join(format!("{name}.html"))).unwrap();
        let chart = std::fs::read_to_string(dir.join(folder).join("sweep.svg")).unwrap();
        assert!(md.contains("](sweep.svg)") && html.contains(&chart[chart.find("<svg").unwrap()..]), "{folder}");
        assert!(!html.contains("<script"));
    }

    // One shard alone: the other's seeds are missing.
    let alone = run(&["merge", "a/summary.json", "--out", "m1"], dir, 1);
    assert!(alone.contains("missing seeds: [2, 4]"), "{alone}");
    // The same shard twice, or shards of different settings: exit 2.
    assert!(run(&["merge", "a/summary.json", "a/summary.json", "--out", "m2"], dir, 2).contains("overlapping shards"));
    let mut other = summary(dir, "b");
    other["txs"] = 81.into();
    std::fs::write(dir.join("other.json"), other.to_string()).unwrap();
    assert!(
        run(&["merge", "a/summary.json", "other.json", "--out", "m3"], dir, 2).contains("transactions per campaign")
    );
    let mut older = summary(dir, "b");
    older["tool_version"] = "0.0.1".into();
    std::fs::write(dir.join("older.json"), older.to_string()).unwrap();
    assert!(run(&["merge", "a/summary.json", "older.json", "--out", "m4"], dir, 2).contains("tool version"));
}

#[test]
fn a_clean_sweep_exits_0_and_bad_ranges_and_shards_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    run(&["sweep", "--seeds", "7..9", "--txs", "60", "--parallel", "2", "--out", "c"], dir, 0);
    let merged = run(&["merge", "c/summary.json", "--out", "cm"], dir, 0);
    assert!(merged.contains("0 missing, 0 distinct findings"), "{merged}");
    assert!(run(&["merge", "nowhere.json"], dir, 2).contains("nowhere.json"));
    // A dry run refuses exactly what a run refuses, with the same message.
    for (args, job_index, says) in [
        (vec!["--seeds", "9..9"], None, "A < B"),
        (vec!["--seeds", "9..3"], None, "A < B"),
        (vec!["--seeds", "1..5", "--shard", "2/2"], None, "I < N"),
        (vec!["--seeds", "1..5", "--shards", "2"], None, "JOB_COMPLETION_INDEX"),
        (vec!["--seeds", "1..5", "--shards", "2"], Some("2"), "I < N"),
        (vec!["--seeds", "1..5", "--shards", "2"], Some("x"), "I < N"),
        (vec!["--seeds", "1..2", "--shard", "1/2"], None, "has no seed"),
        (vec!["--seeds", "1..5", "--replicas", "nobody"], None, "no replica is called"),
    ] {
        let env: Vec<(&str, &str)> = job_index.iter().map(|i| ("JOB_COMPLETION_INDEX", *i)).collect();
        let real = run_env(&[&["sweep"], &args[..]].concat(), dir, &env, 2);
        let dry = run_env(&[&["sweep"], &args[..], &["--dry-run"]].concat(), dir, &env, 2);
        assert!(real.contains(says), "{args:?}: {real}");
        assert_eq!(real, dry, "{args:?}");
    }
}
