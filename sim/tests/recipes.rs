//! The deployment recipes, checked against the real command line, since nothing here can run them (no
//! Kubernetes, no container engine, no GitHub runner): the Kubernetes Indexed Job and the CI matrix each
//! split their seed range into shards whose command lines pass `svm-sim sweep --dry-run` and together
//! run every seed exactly once, and their merge reads every shard's summary and is accepted by
//! `svm-sim merge`; the aarch64 job runs test targets that exist; the Containerfile builds the binary the
//! Kubernetes recipe runs, with the toolchain the workspace asks for; ClusterFuzzLite is set up for Rust.
//!
//! Where a platform does something to a command line before it runs (Kubernetes expands
//! `$(JOB_COMPLETION_INDEX)`, GitHub Actions substitutes `${{ matrix.shard }}`, artifacts are uploaded
//! and downloaded into folders), the test does exactly that, and nothing more, and says so.

use serde_yaml::Value;
use std::collections::BTreeSet;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every document of a YAML file.
fn yaml_documents(path: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_yaml::Deserializer::from_str(&text)
        .map(|doc| serde::Deserialize::deserialize(doc).unwrap_or_else(|e| panic!("{path}: {e}")))
        .collect()
}

/// The one document of `kind` in a Kubernetes file.
fn kubernetes_object(path: &str, kind: &str) -> Value {
    let mut found: Vec<Value> = yaml_documents(path).into_iter().filter(|d| d["kind"] == kind).collect();
    assert_eq!(found.len(), 1, "{path}: one {kind} expected");
    found.remove(0)
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

fn strings(value: &Value) -> Vec<String> {
    value.as_sequence().map_or(Vec::new(), |s| s.iter().map(|v| v.as_str().unwrap().to_string()).collect())
}

/// The value after `flag` in a command line.
fn arg_after<'a>(args: &'a [String], flag: &str) -> &'a str {
    let at = args.iter().position(|a| a == flag).unwrap_or_else(|| panic!("no {flag} in {args:?}"));
    args.get(at + 1).unwrap_or_else(|| panic!("{flag} without a value in {args:?}"))
}

/// What `svm-sim sweep --dry-run` says a shard would do.
struct DryRun {
    out: PathBuf,
    seeds: Vec<u64>,
}

impl DryRun {
    fn parse(printed: &str) -> DryRun {
        let line = |prefix: &str| {
            printed.lines().find_map(|l| l.strip_prefix(prefix)).unwrap_or_else(|| panic!("no {prefix:?} in {printed}"))
        };
        DryRun {
            out: PathBuf::from(line("out: ")),
            seeds: line("seeds: ").split(' ').map(|s| s.parse().unwrap()).collect(),
        }
    }
}

/// Runs the real binary on a recipe's command line (`args` after `svm-sim`) in `dir` and expects `code`.
fn svm_sim(args: &[String], dir: &Path, env: &[(&str, String)], code: i32) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_svm-sim"))
        .args(args)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .current_dir(dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(code), "svm-sim {}:\n{}", args.join(" "), text(&out));
    text(&out)
}

/// The shards run every seed of `range` exactly once.
fn assert_every_seed_once(range: &Range<u64>, shards: &[Vec<u64>], recipe: &str) {
    let mut all: Vec<u64> = shards.iter().flatten().copied().collect();
    all.sort();
    assert_eq!(all, range.clone().collect::<Vec<_>>(), "{recipe}: the shards do not run every seed exactly once");
}

/// A clean shard summary, as `svm-sim sweep` writes it, of `seeds`: what the merge of a recipe reads.
fn write_summary(dir: &Path, range: &Range<u64>, shard: svm_sim::sweep::Shard, txs: usize, seeds: &[u64]) {
    use svm_sim::sweep::{CampaignSummary, SHARD_FORMAT, SWEEP_VERSION, ShardSummary};
    let campaign = |seed: u64| CampaignSummary {
        seed,
        verdict: "agree".into(),
        fingerprint: String::new(),
        transactions: txs,
        seconds: 1.0,
        findings: 0,
        vmcalls_called: (0, 0),
        outcome_kinds: (0, 0),
        report: String::new(),
        reproducer: None,
        shrunk: None,
        signature: None,
    };
    let summary = ShardSummary {
        format: SHARD_FORMAT.into(),
        version: SWEEP_VERSION,
        tool_version: svm_sim::TOOL_VERSION.into(),
        consensus_version: svm::CONSENSUS_VERSION,
        seeds: (range.start, range.end),
        shard,
        txs,
        canary: None,
        faults: Vec::new(),
        replicas: Vec::new(),
        parallel: 1,
        seconds: 1.0,
        campaigns: seeds.iter().map(|s| campaign(*s)).collect(),
    };
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("summary.json"), serde_json::to_string(&summary).unwrap()).unwrap();
}

/// The seed range, shard count and transactions of a sweep command line.
fn sweep_settings(args: &[String], count_flag: &str) -> (Range<u64>, u32, usize) {
    let range = svm_sim::sweep::parse_range(arg_after(args, "--seeds")).unwrap();
    let count = arg_after(args, count_flag).rsplit('/').next().unwrap().parse().unwrap();
    (range, count, arg_after(args, "--txs").parse().unwrap())
}

/// A Kubernetes container's command line, with the volume's mount path moved to `volume` (the test's
/// stand-in for the shared volume) and `$(JOB_COMPLETION_INDEX)` expanded as the kubelet expands it.
fn container_command(container: &Value, mount: &str, volume: &Path, index: Option<u32>) -> Vec<String> {
    let command = [strings(&container["command"]), strings(&container["args"])].concat();
    command
        .iter()
        .map(|a| {
            let a = match index {
                Some(i) => a.replace("$(JOB_COMPLETION_INDEX)", &i.to_string()),
                None => a.clone(),
            };
            assert!(!a.contains("$("), "only $(JOB_COMPLETION_INDEX) is expanded here: {a}");
            match a.strip_prefix(mount) {
                Some(rest) => format!("{}{rest}", volume.display()),
                None => a,
            }
        })
        .collect()
}

/// A pod template's one container, the mount path of its one volume, and the claim behind that volume.
fn pod(job: &Value, recipe: &str) -> (Value, String, String) {
    let spec = &job["spec"]["template"]["spec"];
    assert_eq!(spec["restartPolicy"], "Never", "{recipe}: a failed shard must not restart in place");
    let containers = spec["containers"].as_sequence().unwrap();
    assert_eq!(containers.len(), 1, "{recipe}");
    let container = containers[0].clone();
    let mounts = container["volumeMounts"].as_sequence().unwrap();
    assert_eq!(mounts.len(), 1, "{recipe}");
    let volume = spec["volumes"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|v| v["name"] == mounts[0]["name"])
        .unwrap_or_else(|| panic!("{recipe}: the mounted volume is not declared"));
    let claim = volume["persistentVolumeClaim"]["claimName"].as_str().unwrap().to_string();
    (container.clone(), mounts[0]["mountPath"].as_str().unwrap().to_string(), claim)
}

const SWEEP_JOB: &str = "sim/deploy/kubernetes/sweep-job.yaml";
const MERGE_JOB: &str = "sim/deploy/kubernetes/merge-job.yaml";
const RESULTS_PVC: &str = "sim/deploy/kubernetes/results-pvc.yaml";

#[test]
fn the_kubernetes_indexed_job_runs_every_seed_once_and_its_merge_reads_every_shard() {
    let job = kubernetes_object(SWEEP_JOB, "Job");
    let spec = &job["spec"];
    assert_eq!(spec["completionMode"], "Indexed", "{SWEEP_JOB}");
    let completions = spec["completions"].as_u64().unwrap() as u32;
    let parallelism = spec["parallelism"].as_u64().unwrap() as u32;
    assert!((1..=completions).contains(&parallelism), "{SWEEP_JOB}: parallelism {parallelism}");
    // The pod failure policy follows svm-sim's exit codes: 1 (something showed) fails only that index,
    // unretried; 2 (bad input) fails the whole Job.
    let rules = spec["podFailurePolicy"]["rules"].as_sequence().unwrap();
    let action_on = |code: u64| {
        rules
            .iter()
            .find(|r| r["onExitCodes"]["values"].as_sequence().unwrap().iter().any(|v| v == code))
            .map(|r| r["action"].as_str().unwrap().to_string())
    };
    assert_eq!((action_on(1).as_deref(), action_on(2).as_deref()), (Some("FailIndex"), Some("FailJob")));

    let (container, mount, claim) = pod(&job, SWEEP_JOB);
    let volume = tempfile::tempdir().unwrap();
    // Every index the Job runs: its command line as the kubelet runs it, with the index the Job
    // controller sets, through the real CLI's dry run.
    let mut runs = Vec::new();
    for index in 0..completions {
        let args = container_command(&container, &mount, volume.path(), Some(index));
        let printed = svm_sim(
            &[&args[1..], &["--dry-run".to_string()]].concat(),
            volume.path(),
            &[("JOB_COMPLETION_INDEX", index.to_string())],
            0,
        );
        let run = DryRun::parse(&printed);
        assert!(run.out.starts_with(volume.path()), "{SWEEP_JOB}: shard {index} writes outside the volume");
        runs.push(run);
    }
    let template = container_command(&container, &mount, volume.path(), Some(0));
    assert_eq!(template[..2], ["svm-sim".to_string(), "sweep".to_string()], "{SWEEP_JOB}");
    let (range, shards, txs) = sweep_settings(&template[1..], "--shards");
    assert_eq!(completions, shards, "{SWEEP_JOB}: completions must equal --shards");
    assert_every_seed_once(&range, &runs.iter().map(|r| r.seeds.clone()).collect::<Vec<_>>(), SWEEP_JOB);
    let outs: BTreeSet<&PathBuf> = runs.iter().map(|r| &r.out).collect();
    assert_eq!(outs.len(), runs.len(), "{SWEEP_JOB}: two shards write to one folder");

    // The volume: one that pods on several nodes can write at once, and the one the merge reads.
    let pvc = kubernetes_object(RESULTS_PVC, "PersistentVolumeClaim");
    assert_eq!(pvc["metadata"]["name"].as_str(), Some(claim.as_str()), "{RESULTS_PVC}");
    assert!(strings(&pvc["spec"]["accessModes"]).contains(&"ReadWriteMany".to_string()), "{RESULTS_PVC}");
    let merge = kubernetes_object(MERGE_JOB, "Job");
    let (merge_container, merge_mount, merge_claim) = pod(&merge, MERGE_JOB);
    assert_eq!(merge_claim, claim, "{MERGE_JOB}: not the sweep's volume");
    let merge_args = container_command(&merge_container, &merge_mount, volume.path(), None);
    assert_eq!(merge_args[..2], ["svm-sim".to_string(), "merge".to_string()], "{MERGE_JOB}");
    assert_eq!(merge_container["image"], container["image"], "{MERGE_JOB}: not the sweep's image");

    // The merge names exactly the shards' summaries, and the real CLI merges them into a clean verdict.
    let named: BTreeSet<PathBuf> = merge_args.iter().filter(|a| a.ends_with(".json")).map(PathBuf::from).collect();
    let written: BTreeSet<PathBuf> = runs.iter().map(|r| r.out.join("summary.json")).collect();
    assert_eq!(named, written, "{MERGE_JOB}: the summaries it names are not exactly the shards'");
    for (index, run) in runs.iter().enumerate() {
        let shard = svm_sim::sweep::Shard { index: index as u32, count: shards };
        write_summary(&run.out, &range, shard, txs, &run.seeds);
    }
    let merged = svm_sim(&merge_args[1..], volume.path(), &[], 0);
    assert!(merged.contains(&format!("merged {shards} shards")) && merged.contains(" 0 missing"), "{merged}");
    assert!(PathBuf::from(arg_after(&merge_args, "--out")).join("merged.json").exists());
}

const SWEEP_WORKFLOW: &str = ".github/workflows/sweep.yml";

/// A workflow job's steps.
fn steps(job: &Value) -> Vec<Value> {
    job["steps"].as_sequence().unwrap().clone()
}

/// The jobs a workflow job needs (`needs: a` or `needs: [a, b]`).
fn needs(job: &Value) -> Vec<String> {
    match job["needs"].as_str() {
        Some(one) => vec![one.to_string()],
        None => strings(&job["needs"]),
    }
}

/// The `run` script of the job's step that calls `svm-sim <subcommand>`.
fn script_running(job: &Value, subcommand: &str) -> String {
    let call = format!("svm-sim {subcommand} ");
    let found: Vec<String> =
        steps(job).iter().filter_map(|s| s["run"].as_str()).filter(|r| r.contains(&call)).map(String::from).collect();
    assert_eq!(found.len(), 1, "{SWEEP_WORKFLOW}: one step running `{call}` expected");
    found[0].clone()
}

/// `${{ matrix.shard }}` replaced as GitHub Actions does; any other expression would go unchecked here.
fn substitute(text: &str, shard: &str) -> String {
    let done = text.replace("${{ matrix.shard }}", shard);
    assert!(!done.contains("${{"), "{SWEEP_WORKFLOW}: only ${{{{ matrix.shard }}}} is substituted here: {done}");
    done
}

/// Runs a step's script as a GitHub runner does (`bash -e`), in `workspace`, where `./svm-sim` is the
/// real binary — with `--dry-run` appended to every call when `dry`.
fn run_script(script: &str, workspace: &Path, dry: bool) -> String {
    use std::os::unix::fs::PermissionsExt;
    let wrapper = workspace.join("svm-sim");
    let extra = if dry { " --dry-run" } else { "" };
    std::fs::write(&wrapper, format!("#!/bin/sh\nexec '{}' \"$@\"{extra}\n", env!("CARGO_BIN_EXE_svm-sim"))).unwrap();
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = Command::new("bash")
        .args(["--noprofile", "--norc", "-e", "-o", "pipefail", "-c", script])
        .current_dir(workspace)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{SWEEP_WORKFLOW}: {script}\n{}", text(&out));
    text(&out)
}

/// The `with:` of every step of the job that uses `action` (e.g. `actions/upload-artifact`).
fn action_inputs(job: &Value, action: &str) -> Vec<Value> {
    steps(job)
        .into_iter()
        .filter(|s| s["uses"].as_str().is_some_and(|u| u.starts_with(&format!("{action}@"))))
        .map(|s| s["with"].clone())
        .collect()
}

/// Whether an artifact `name` matches a download `pattern` (`*` matches any run of characters).
fn glob_matches(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == name,
        Some((head, tail)) => {
            name.starts_with(head)
                && (0..=name.len() - head.len()).any(|skip| glob_matches(tail, &name[head.len() + skip..]))
        }
    }
}

#[test]
fn the_ci_matrix_runs_every_seed_once_and_its_merge_reads_every_shards_upload() {
    let workflow = yaml_documents(SWEEP_WORKFLOW).remove(0);
    let jobs = workflow["jobs"].as_mapping().unwrap();
    let (sweep_name, sweep) = jobs
        .iter()
        .find(|(_, j)| steps(j).iter().any(|s| s["run"].as_str().is_some_and(|r| r.contains("svm-sim sweep "))))
        .expect("a job running svm-sim sweep");
    let sweep_name = sweep_name.as_str().unwrap();
    let matrix: Vec<String> = sweep["strategy"]["matrix"]["shard"]
        .as_sequence()
        .expect("a matrix of shards")
        .iter()
        .map(|v| serde_yaml::to_string(v).unwrap().trim().to_string())
        .collect();
    assert_eq!(sweep["strategy"]["fail-fast"], false, "a shard that finds something must not cancel the others");

    // Every matrix entry: its step's script as the runner runs it, each `svm-sim sweep` a dry run.
    let template = script_running(sweep, "sweep");
    let upload = action_inputs(sweep, "actions/upload-artifact");
    assert_eq!(upload.len(), 1, "{SWEEP_WORKFLOW}: the {sweep_name} job uploads its shard once");
    let mut artifacts = Vec::new();
    let mut settings = None;
    for shard in &matrix {
        let script = substitute(&template, shard);
        let line = script.lines().find(|l| l.contains("svm-sim sweep ")).unwrap();
        let args: Vec<String> = line.split_whitespace().skip(1).map(String::from).collect();
        let (range, count, txs) = sweep_settings(&args, "--shard");
        assert_eq!(count as usize, matrix.len(), "{SWEEP_WORKFLOW}: the matrix must have --shard's N entries");
        settings.get_or_insert((range.clone(), count, txs));
        let workspace = tempfile::tempdir().unwrap();
        let run = DryRun::parse(&run_script(&script, workspace.path(), true));
        // What the shard wrote is what it uploads.
        let path = substitute(upload[0]["path"].as_str().unwrap(), shard);
        assert_eq!(Path::new(path.trim()), run.out, "{SWEEP_WORKFLOW}: shard {shard} uploads another folder");
        assert_eq!(upload[0]["if-no-files-found"], "error");
        let index = arg_after(&args, "--shard").split('/').next().unwrap().parse().unwrap();
        artifacts.push((substitute(upload[0]["name"].as_str().unwrap(), shard), index, run.seeds));
    }
    let (range, count, txs) = settings.unwrap();
    assert_every_seed_once(&range, &artifacts.iter().map(|a| a.2.clone()).collect::<Vec<_>>(), SWEEP_WORKFLOW);

    // The merge job runs after every shard, even failed ones, finds every shard's artifact where
    // download-artifact puts it (`<path>/<artifact name>/`, the artifact's files relative to the folder
    // uploaded), and the real CLI merges them into a clean verdict.
    let (merge_name, merge) = jobs
        .iter()
        .find(|(_, j)| steps(j).iter().any(|s| s["run"].as_str().is_some_and(|r| r.contains("svm-sim merge "))))
        .expect("a job running svm-sim merge");
    assert!(needs(merge).contains(&sweep_name.to_string()), "{merge_name:?} must need {sweep_name}");
    let condition = merge["if"].as_str().unwrap_or_default();
    assert!(condition.contains("always()") || condition.contains("!cancelled()"), "{merge_name:?}: {condition}");
    let workspace = tempfile::tempdir().unwrap();
    let downloads = action_inputs(merge, "actions/download-artifact");
    let pattern = downloads.iter().find_map(|d| d["pattern"].as_str()).expect("a download of the shards");
    let into = downloads.iter().find(|d| d["pattern"].is_string()).unwrap()["path"].as_str().unwrap_or(".");
    assert!(!downloads.iter().any(|d| d["merge-multiple"] == true), "shards' files would overwrite each other");
    for (name, index, seeds) in &artifacts {
        assert!(glob_matches(pattern, name), "{SWEEP_WORKFLOW}: the merge does not download {name}");
        let shard = svm_sim::sweep::Shard { index: *index, count };
        write_summary(&workspace.path().join(into).join(name), &range, shard, txs, seeds);
    }
    let merged = run_script(&script_running(merge, "merge"), workspace.path(), false);
    assert!(merged.contains(&format!("merged {count} shards")) && merged.contains(" 0 missing"), "{merged}");

    // The binary every shard and the merge run is the release build of svm-sim from the build job.
    let build = &jobs[needs(sweep).first().expect("the sweep needs the build job").as_str()];
    assert!(
        steps(build).iter().any(|s| s["run"]
            .as_str()
            .is_some_and(|r| r.contains("cargo build --release") && r.contains("-p svm-sim")))
    );
    let binary = action_inputs(build, "actions/upload-artifact");
    assert_eq!(binary[0]["path"], "target/release/svm-sim");
}

#[test]
fn the_aarch64_job_replays_the_golden_streams_with_test_targets_that_exist() {
    let workflow = yaml_documents(SWEEP_WORKFLOW).remove(0);
    let arm: Vec<&Value> = workflow["jobs"]
        .as_mapping()
        .unwrap()
        .values()
        .filter(|j| j["runs-on"].as_str().is_some_and(|r| r.contains("arm")))
        .collect();
    assert_eq!(arm.len(), 1, "{SWEEP_WORKFLOW}: one job on an aarch64 runner");
    let test = steps(arm[0])
        .iter()
        .filter_map(|s| s["run"].as_str())
        .find(|r| r.contains("cargo test"))
        .expect("the aarch64 job runs cargo test")
        .to_string();
    let args: Vec<&str> = test.split_whitespace().collect();
    assert!(args.windows(2).any(|w| w == ["-p", "svm-sim"]) && args.contains(&"--release"), "{test}");
    let targets: Vec<&str> = args.windows(2).filter(|w| w[0] == "--test").map(|w| w[1]).collect();
    assert!(targets.contains(&"golden"), "{test}: the golden streams are what must agree on every hardware");
    for target in targets {
        assert!(root().join("sim/tests").join(format!("{target}.rs")).is_file(), "no test target {target}");
    }
}

/// A Containerfile's instructions, continuation lines joined and comments dropped.
fn instructions(path: &str) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(root().join(path)).unwrap();
    let joined =
        text.lines().filter(|l| !l.trim_start().starts_with('#')).collect::<Vec<_>>().join("\n").replace("\\\n", " ");
    joined
        .lines()
        .filter_map(|l| l.trim().split_once(' ').map(|(i, rest)| (i.to_uppercase(), rest.trim().to_string())))
        .collect()
}

#[test]
fn the_containerfile_builds_the_binary_the_kubernetes_jobs_run() {
    const FILE: &str = "sim/deploy/Containerfile";
    let steps = instructions(FILE);
    // The builder: a Rust image at least as new as the workspace's rust-version, building svm-sim.
    let from = &steps.iter().find(|(i, _)| i == "FROM").unwrap().1;
    let (image, stage) = from.split_once(" AS ").expect("a named builder stage");
    let version = image.split(':').nth(1).unwrap().split('-').next().unwrap();
    let wanted = std::fs::read_to_string(root().join("Cargo.toml"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = ").map(|v| v.trim_matches('"').to_string()))
        .unwrap();
    let numbers = |v: &str| v.split('.').map(|n| n.parse::<u32>().unwrap()).collect::<Vec<_>>();
    assert!(image.contains("/rust:") && numbers(version) >= numbers(&wanted), "{FILE}: {image} vs {wanted}");
    let workdir = &steps.iter().find(|(i, _)| i == "WORKDIR").unwrap().1;
    assert!(steps.iter().any(|(i, r)| i == "RUN" && r.contains("cargo build --release") && r.contains("-p svm-sim")));
    // The image: the builder's target/release/svm-sim copied onto the PATH, as its entry point.
    let copy = steps
        .iter()
        .find_map(|(i, r)| (i == "COPY").then(|| r.strip_prefix(&format!("--from={stage} "))).flatten())
        .expect("a copy from the builder");
    let (source, dest) = copy.split_once(' ').unwrap();
    assert_eq!(Path::new(source), Path::new(workdir).join("target/release/svm-sim"), "{FILE}");
    let dest = Path::new(dest.trim());
    assert!(dest.parent().is_some_and(|d| ["/usr/local/bin", "/usr/bin"].contains(&d.to_str().unwrap())), "{FILE}");
    let entry = &steps.iter().rfind(|(i, _)| i == "ENTRYPOINT").unwrap().1;
    assert_eq!(entry, &format!("[\"{}\"]", dest.file_name().unwrap().to_str().unwrap()));
    for (recipe, kind) in [(SWEEP_JOB, "Job"), (MERGE_JOB, "Job")] {
        let (container, _, _) = pod(&kubernetes_object(recipe, kind), recipe);
        let command = strings(&container["command"]);
        assert!(Path::new(&command[0]) == dest || dest.ends_with(&command[0]), "{recipe} runs {}", command[0]);
    }
}

#[test]
fn clusterfuzzlite_builds_rust_targets_from_this_checkout() {
    let project = yaml_documents(".clusterfuzzlite/project.yaml").remove(0);
    assert_eq!(project["language"], "rust");
    assert_eq!(strings(&project["sanitizers"]), ["address"], "the only sanitizer ClusterFuzzLite has for Rust");
    let docker = instructions(".clusterfuzzlite/Dockerfile");
    assert!(docker[0].1.starts_with("gcr.io/oss-fuzz-base/base-builder-rust"), "{:?}", docker[0]);
    let copied = docker.iter().find(|(i, r)| i == "COPY" && r.starts_with(". ")).unwrap().1.clone();
    let into = copied.split_whitespace().nth(1).unwrap();
    let build = std::fs::read_to_string(root().join(".clusterfuzzlite/build.sh")).unwrap();
    assert!(build.contains(&format!("cd \"{into}\"")), "build.sh must build in {into}, where the Dockerfile copies");
    for workflow in ["cflite_pr.yml", "cflite_batch.yml", "cflite_cron.yml"] {
        let doc = yaml_documents(&format!(".github/workflows/{workflow}")).remove(0);
        for job in doc["jobs"].as_mapping().unwrap().values() {
            for with in action_inputs(job, "google/clusterfuzzlite/actions/build_fuzzers") {
                assert_eq!(with["language"], "rust", "{workflow}");
            }
        }
    }
}
