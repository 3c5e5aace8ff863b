//! The command line's contracts: exit codes, the fingerprint line, report fields, canary names, and a
//! clear message with exit 2 for every bad input file.

use std::path::Path;
use std::process::{Command, Output};

fn sim(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_svm-sim")).args(args).current_dir(dir).output().unwrap()
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

/// `report.html` in `dir` is one self-contained page: every chart inline (and written beside it, named
/// in `report.md`), every section of `report.md`, style inline, no script, nothing fetched.
fn self_contained_report_with_charts(dir: &Path, charts: &[&str]) {
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<style>"));
    assert!(!html.contains("<script") && !html.contains("<link") && !html.contains("src=\""));
    let without_namespaces = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    assert!(!without_namespaces.contains("http://") && !without_namespaces.contains("https://"), "fetches something");
    for heading in md.lines().filter_map(|l| l.strip_prefix("## ")) {
        let heading = heading.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
        assert!(html.contains(&format!(">{heading}</h2>")), "section {heading:?} missing from report.html");
    }
    for chart in charts {
        let svg = std::fs::read_to_string(dir.join(chart)).unwrap();
        assert!(md.contains(&format!("]({chart})")), "{chart} not in report.md");
        let body = &svg[svg.find("<svg").unwrap()..];
        assert!(html.contains(body), "{chart} not inline in report.html");
        // Axes with ticks: a chart carries a good number of text labels, and an axis description.
        assert!(svg.matches("<text").count() >= 8, "{chart}: too few labels");
    }
    assert_eq!(html.matches("<figure>").count(), md.matches("![").count());
}

#[test]
fn an_agreeing_run_exits_0_prints_seed_parameters_fingerprint_and_writes_its_report() {
    let dir = tempfile::tempdir().unwrap();
    let out = sim(&["run", "--seed", "5", "--txs", "150", "--out", "r"], dir.path());
    let stdout = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.starts_with("seed: 5\n"), "{stdout}");
    assert!(stdout.contains("failure_percent = "));
    let fingerprint = stdout.lines().find_map(|l| l.strip_prefix("fingerprint: ")).unwrap();
    assert_eq!(fingerprint.len(), 64);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("r/report.json")).unwrap()).unwrap();
    assert_eq!(report["seed"], 5);
    assert_eq!(report["transactions_run"], 150);
    assert!(report["first_divergent_tx"].is_null());
    assert!(report["first_divergent_vmcall"].is_null());
    assert!(report["reproducer"].is_null());
    assert_eq!(report["node_configs"].as_array().unwrap().len(), svm_sim::node::default_nodes().len());
    assert!(dir.path().join("r/report.md").exists());
    self_contained_report_with_charts(
        &dir.path().join("r"),
        &["outcomes.svg", "throughput.svg", "gas.svg", "coverage.svg"],
    );

    // The same seed again: the same fingerprint, and the self-check agrees.
    let again = text(&sim(&["run", "--seed", "5", "--txs", "150", "--out", "r2", "--check-determinism"], dir.path()));
    assert!(again.contains(&format!("fingerprint: {fingerprint}")), "{again}");
    assert!(again.contains("self-check: a second run gave the same fingerprint"));
}

#[test]
fn a_divergent_run_exits_1_and_writes_a_replayable_shrinkable_reproducer() {
    let dir = tempfile::tempdir().unwrap();
    let out = sim(&["run", "--seed", "7", "--txs", "120", "--canary", "engine-text", "--out", "d"], dir.path());
    let stdout = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("d/report.json")).unwrap()).unwrap();
    assert!(report["first_divergent_tx"].is_u64());
    assert_eq!(report["first_divergent_vmcall"]["vmcall"][0], "log");
    let repro = report["reproducer"].as_str().unwrap();
    assert!(stdout.contains(&format!("reproducer: {repro}")));
    self_contained_report_with_charts(&dir.path().join("d"), &["outcomes.svg", "divergence.svg"]);

    let replayed = sim(&["replay", repro], dir.path());
    assert_eq!(replayed.status.code(), Some(1));
    assert!(text(&replayed).contains("reproduced: divergence at tx"), "{}", text(&replayed));
    let shrunk = sim(&["shrink", repro, "--out", "small.json"], dir.path());
    assert_eq!(shrunk.status.code(), Some(1), "{}", text(&shrunk));
    assert!(text(&sim(&["replay", "small.json"], dir.path())).contains("reproduced"));
}

#[test]
fn a_node_fault_on_every_replica_exits_1_with_its_report_section_and_a_reproducer() {
    let dir = tempfile::tempdir().unwrap();
    // The wasmer replicas only: the reference VM, which no canary touches, would stand apart instead.
    let replicas = "sp-off-big,sp-mem-tiny,cl-once-tiny,cl-ser-tiny";
    let args = ["run", "--seed", "10", "--txs", "150", "--canary", "node-fault", "--replicas", replicas, "--out", "f"];
    let out = sim(&args, dir.path());
    let stdout = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("NODE FAULT on sp-off-big"), "{stdout}");
    assert!(!stdout.contains("replicas agree, and on each"), "{stdout}");
    let report = std::fs::read_to_string(dir.path().join("f/report.md")).unwrap();
    assert!(report.contains("## Node faults"), "{report}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("f/report.json")).unwrap()).unwrap();
    assert!(json["first_divergent_tx"].is_null());
    assert!(json["findings"].as_array().unwrap().iter().all(|f| f["check"] == "node-fault"));
    let replayed = sim(&["replay", "f/reproducer.json"], dir.path());
    assert_eq!(replayed.status.code(), Some(1));
    assert!(text(&replayed).contains("reproduced: finding at tx"), "{}", text(&replayed));
}

#[test]
fn help_states_the_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    for command in [&["--help"][..], &["run", "--help"], &["replay", "--help"], &["shrink", "--help"]] {
        let help = text(&sim(command, dir.path()));
        assert!(help.contains("Exit codes:") && help.contains("node fault"), "{command:?}: {help}");
    }
}

/// What the tools say of a file made under consensus version `found`.
fn this_build_refuses(found: u32) -> String {
    format!("made under consensus version {found}; this build runs consensus version {}", svm::CONSENSUS_VERSION)
}

/// `repro` with one more event in its history.
fn with_event(repro: &str, replica: &str, event: &str, before_tx: usize) -> String {
    let mut json: serde_json::Value = serde_json::from_str(repro).unwrap();
    let events = json["history"].as_array_mut().unwrap();
    events.push(serde_json::json!({"before_tx": before_tx, "replica": replica, "event": event}));
    serde_json::to_string_pretty(&json).unwrap()
}

#[test]
fn bad_input_files_exit_2_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let good = sim(&["run", "--seed", "7", "--txs", "60", "--canary", "cache-gas", "--out", "d"], dir.path());
    assert_eq!(good.status.code(), Some(1), "{}", text(&good));
    let repro = std::fs::read_to_string(dir.path().join("d/reproducer.json")).unwrap();
    let cases = [
        ("truncated.json", repro[..repro.len() / 2].to_string(), "not a valid reproducer"),
        ("version.json", repro.replacen("\"version\": 3", "\"version\": 99", 1), "version 99 is not supported"),
        ("history.json", with_event(&repro, "nobody", "restart", 1), "bad history: an event names replica \"nobody\""),
        ("late.json", with_event(&repro, "sp-off-big", "restart", 10_000), "past the stream"),
        ("event.json", with_event(&repro, "sp-off-big", "explode", 1), "not a valid reproducer"),
        (
            "consensus.json",
            repro.replacen(
                &format!("\"consensus_version\": {}", svm::CONSENSUS_VERSION),
                "\"consensus_version\": 7",
                1,
            ),
            &this_build_refuses(7),
        ),
        ("format.json", repro.replacen("svm-reproducer", "svm-other", 1), "not a reproducer"),
        ("canary.json", repro.replacen("\"cache-gas\"", "\"gremlins\"", 1), "unknown canary"),
    ];
    for (name, content, message) in cases {
        std::fs::write(dir.path().join(name), content).unwrap();
        for command in ["replay", "shrink"] {
            let out = sim(&[command, name], dir.path());
            assert_eq!(out.status.code(), Some(2), "{command} {name}: {}", text(&out));
            assert!(text(&out).contains(message), "{command} {name}: {}", text(&out));
        }
    }
    let missing = sim(&["replay", "nope.json"], dir.path());
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing).contains("cannot read nope.json"));

    // A stream file naming code it does not carry.
    let stream = dir.path().join("s.jsonl");
    assert_eq!(sim(&["generate", "--seed", "3", "--txs", "20", "--out", "s.jsonl"], dir.path()).status.code(), Some(0));
    let text_of_stream = std::fs::read_to_string(&stream).unwrap();
    let first_hash = text_of_stream.split("\"hash\":\"").nth(1).unwrap()[..64].to_string();
    std::fs::write(&stream, text_of_stream.replace(&first_hash, &"ab".repeat(32))).unwrap();
    let out = sim(&["run", "--stream", "s.jsonl", "--out", "x"], dir.path());
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("unknown contract") || text(&out).contains("does not match its hash"),
        "{}",
        text(&out)
    );

    // A stream made under other consensus rules.
    let current = format!("\"consensus_version\":{}", svm::CONSENSUS_VERSION);
    let other = svm::CONSENSUS_VERSION - 1;
    std::fs::write(&stream, text_of_stream.replacen(&current, &format!("\"consensus_version\":{other}"), 1)).unwrap();
    let out = sim(&["run", "--stream", "s.jsonl", "--out", "x"], dir.path());
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let expected = format!("consensus version {other}; this build runs consensus version {}", svm::CONSENSUS_VERSION);
    assert!(text(&out).contains(&expected), "{}", text(&out));
}

#[test]
fn canaries_are_a_fixed_list_shown_by_help_and_anything_else_is_bad_usage() {
    let dir = tempfile::tempdir().unwrap();
    let help = text(&sim(&["run", "--help"], dir.path()));
    for canary in svm::runtime::Canary::ALL {
        assert!(help.contains(canary.name()), "{help}");
    }
    let out = sim(&["run", "--canary", "gremlins"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(sim(&["frobnicate"], dir.path()).status.code(), Some(2));
}

#[test]
fn wast_exits_0_on_the_suite_1_on_a_failure_and_2_on_unparsable_input() {
    let dir = tempfile::tempdir().unwrap();
    let suite = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../corpus/wasm-testsuite/i32.wast");
    let ok = sim(&["wast", suite.to_str().unwrap(), "--json"], dir.path());
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok));
    let json: serde_json::Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!(json["totals"]["failed"], 0);
    assert!(json["totals"]["passed"].as_u64().unwrap() > 400);

    std::fs::write(
        dir.path().join("wrong.wast"),
        "(module (func (export \"f\") (result i32) (i32.const 1)))\n(assert_return (invoke \"f\") (i32.const 2))",
    )
    .unwrap();
    let wrong = sim(&["wast", "wrong.wast"], dir.path());
    assert_eq!(wrong.status.code(), Some(1));
    assert!(text(&wrong).contains("FAILED wrong.wast: line 2"), "{}", text(&wrong));

    std::fs::write(dir.path().join("bad.wast"), "(module (func").unwrap();
    let bad = sim(&["wast", "bad.wast"], dir.path());
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad).contains("cannot parse bad.wast"), "{}", text(&bad));
    assert_eq!(sim(&["wast", "missing.wast"], dir.path()).status.code(), Some(2));
}

#[test]
fn a_disk_node_resumes_and_refuses_unusable_stores_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let stream = dir.path().join("s.jsonl");
    assert_eq!(sim(&["generate", "--seed", "3", "--txs", "60", "--out", "s.jsonl"], dir.path()).status.code(), Some(0));
    let run = sim(&["node", "--db", "n.redb", "--stream", "s.jsonl"], dir.path());
    assert_eq!(run.status.code(), Some(0), "{}", text(&run));
    assert!(text(&run).contains("new store: genesis applied"), "{}", text(&run));
    let again = sim(&["node", "--db", "n.redb", "--stream", "s.jsonl"], dir.path());
    assert!(
        text(&again).contains("resumed at layer") && text(&again).contains("applied 0 transactions"),
        "{}",
        text(&again)
    );

    // A shorter stream than the store has applied: another stream's store.
    let short = svm_fuzzing::stream::Stream::read(&stream).unwrap().subset(&[0, 1]);
    short.write(&dir.path().join("short.jsonl")).unwrap();
    let mismatch = sim(&["node", "--db", "n.redb", "--stream", "short.jsonl"], dir.path());
    assert_eq!(mismatch.status.code(), Some(2), "{}", text(&mismatch));
    assert!(text(&mismatch).contains("another stream"), "{}", text(&mismatch));

    // A file that is not a database is refused, and left as it was.
    std::fs::write(dir.path().join("junk.redb"), b"not a database at all").unwrap();
    let junk = sim(&["node", "--db", "junk.redb", "--stream", "s.jsonl"], dir.path());
    assert_eq!(junk.status.code(), Some(2), "{}", text(&junk));
    assert!(text(&junk).contains("not a redb database"), "{}", text(&junk));
    assert_eq!(std::fs::read(dir.path().join("junk.redb")).unwrap(), b"not a database at all");
}
