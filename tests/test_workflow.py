"""The whole smoke DAG (configs/smoke.yaml) built by Snakemake and by `dvc repro`, in fresh
copies of the repository; after a change of one param key, `dvc status` and `snakemake -n`
name the same stale stages, and `dvc repro` re-runs exactly what `snakemake -n` scheduled."""
import json
import os
import re
import shutil
import subprocess

import pytest
import yaml

from reasonforge import config, io
from reasonforge.dvcsync import stage_outputs

pytestmark = pytest.mark.slow


def make_copy(root, dest, bin_dir):
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=root, capture_output=True,
                           text=True, check=True).stdout.split()
    for f in files:
        if (root / f).is_file():
            (dest / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / f, dest / f)
    merged = config.merge(config.load_yaml(root / "params.yaml"), config.load_yaml(root / "configs/smoke.yaml"))
    (dest / "params.yaml").write_text(yaml.safe_dump(merged, sort_keys=False))
    env = dict(os.environ, PATH=f"{bin_dir}:{os.environ['PATH']}")
    for cmd in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "x"],
                ["reasonforge", "dvc-sync"]):
        subprocess.run(cmd, cwd=dest, env=env, check=True, capture_output=True)
    return env


def sh(cmd, cwd, env, check=True):
    r = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, shell=isinstance(cmd, str))
    if check and r.returncode:
        raise AssertionError(f"{cmd} failed ({r.returncode}):\n{r.stdout[-3000:]}\n{r.stderr[-5000:]}")
    return r


def snakemake_jobs(cwd, env) -> dict[str, str]:
    """Stage name -> reason, for every job `snakemake -n` would run (matched by its outputs)."""
    out = sh(["snakemake", "-n"], cwd, env).stdout
    by_output = {o: name for name, outs in stage_outputs(cwd / "dvc.yaml").items() for o in outs}
    jobs = {}
    for _, block in re.findall(r"^rule (\w+):\n((?:    .*\n)+)", out, re.M):
        outputs = re.search(r"^    output: (.*)$", block, re.M)
        reason = re.search(r"^    reason: (.*)$", block, re.M)
        if outputs:
            for o in outputs.group(1).split(","):
                jobs[by_output[o.strip()]] = reason.group(1) if reason else ""
    return jobs


def invalidated(jobs: dict[str, str]) -> set[str]:
    """Jobs stale for a reason of their own (params, code, missing output), not only because an
    upstream job will rewrite their inputs: what `dvc status` reports."""
    return {s for s, reason in jobs.items() if not reason.startswith("Input files updated by another job")}


def dvc_stale(cwd, env) -> set[str]:
    status = json.loads(sh(["dvc", "status", "--json"], cwd, env).stdout or "{}")
    return {name.split(":")[-1] for name in status}


def built_copy(tmp_path_factory, root, bin_dir, name, build_cmd):
    dest = tmp_path_factory.mktemp(name)
    env = make_copy(root, dest, bin_dir)
    sh(build_cmd, dest, env)
    return dest, env


@pytest.fixture(scope="module")
def snakemake_build(tmp_path_factory, root, bin_dir):
    return built_copy(tmp_path_factory, root, bin_dir, "snakemake_build", ["snakemake", "--cores", "2"])


@pytest.fixture(scope="module")
def dvc_build(tmp_path_factory, root, bin_dir):
    return built_copy(tmp_path_factory, root, bin_dir, "dvc_build", ["dvc", "repro", "-q"])


def test_snakemake_builds_every_artifact(snakemake_build):
    dest, env = snakemake_build
    tables = sorted(str(p.relative_to(dest)) for p in dest.glob("data/tasks/*/*.parquet")) + \
        sorted(str(p.relative_to(dest)) for p in dest.glob("results/eval/*/*.parquet")) + ["results/eval/summary.csv"]
    assert len(tables) == 9 + 6 + 1
    sh(["reasonforge", "validate", *tables], dest, env)
    summary = io.read_table(dest / "results/eval/summary.csv")
    assert set(summary["model"]) == {"weak", "strong"} and set(summary["benchmark"]) == {"math", "code", "logic"}
    assert {"greedy", "pass@1", "pass@2"} <= set(summary["metric"])
    assert "| weak |" in (dest / "results/eval/table.md").read_text()
    assert (dest / "results/plots/accuracy.png").stat().st_size > 1000
    for name in ("weak", "strong"):
        assert (dest / f"models/base/{name}/config.json").exists()
    assert "Nothing to be done" in sh(["snakemake", "-n"], dest, env).stdout


def test_snakemake_build_is_committed_to_dvc(snakemake_build):
    dest, env = snakemake_build
    assert (dest / "dvc.lock").exists()
    assert dvc_stale(dest, env) == set()
    assert "Data and pipelines are up to date" in sh(["dvc", "status"], dest, env).stdout


def test_bad_params_stop_before_any_job(snakemake_build):
    dest, env = snakemake_build
    r = sh(["snakemake", "-n", "--config", "generation={'backend': 'hf', 'max_new_tokens': 'many'}"], dest, env, check=False)
    assert r.returncode != 0 and "generation.max_new_tokens" in r.stdout + r.stderr


def test_pretrained_model_and_external_benchmark_rules(snakemake_build, root):
    """A role given as a local model directory (rule import_model) and a real benchmark from a
    local jsonl (rule load_external), evaluated by the same evaluate rule."""
    dest, env = snakemake_build
    params = yaml.safe_load((dest / "params.yaml").read_text())
    params["models"]["local"] = {"source": "pretrained", "path": str(dest / "models/base/weak")}
    params["tasks"]["external"] = {"gsm": {"loader": "gsm8k", "path": str(root / "tests/fixtures/gsm8k.jsonl")}}
    (dest / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    sh(["snakemake", "--cores", "2", "results/eval/local/gsm.parquet"], dest, env)
    assert json.loads((dest / "models/base/local/source.json").read_text())["kind"] == "local"
    df = io.read_table(dest / "results/eval/local/gsm.parquet")
    assert len(df[df["greedy"]]) == 3 and set(df["split"]) == {"test"}


def test_dvc_repro_builds_from_scratch(dvc_build):
    dest, env = dvc_build
    assert (dest / "results/eval/summary.csv").exists() and (dest / "dvc.lock").exists()
    assert dvc_stale(dest, env) == set()
    assert "Nothing to be done" in sh(["snakemake", "-n"], dest, env).stdout
    metrics = sh(["dvc", "metrics", "show", "--json"], dest, env).stdout
    assert "greedy" in metrics


def test_param_change_agrees_between_dvc_and_snakemake(dvc_build):
    dest, env = dvc_build
    params = yaml.safe_load((dest / "params.yaml").read_text())
    params["models"]["strong"]["train"]["lr"] = 0.001
    (dest / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    # dvc status names the stage whose params changed; snakemake -n schedules it for that reason
    # and its downstream because the stage will rewrite their inputs
    jobs = snakemake_jobs(dest, env)
    assert dvc_stale(dest, env) == invalidated(jobs) == {"pretrain-strong"}
    assert set(jobs) == {"pretrain-strong", "evaluate-strong-math", "evaluate-strong-code",
                         "evaluate-strong-logic", "summarize"}
    # dvc repro re-runs exactly the jobs snakemake scheduled, then both have nothing to do
    ran = set(re.findall(r"Running stage '([^']+)'", sh(["dvc", "repro"], dest, env).stdout))
    assert ran == set(jobs)
    assert dvc_stale(dest, env) == set() and snakemake_jobs(dest, env) == {}
    # a generation change invalidates only the evaluations (and, through them, the summary);
    # a rebuild with snakemake commits to dvc.lock through its onsuccess hook
    params["generation"]["max_new_tokens"] = 20
    (dest / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    jobs = snakemake_jobs(dest, env)
    evals = {f"evaluate-{m}-{b}" for m in ("weak", "strong") for b in ("math", "code", "logic")}
    assert dvc_stale(dest, env) == invalidated(jobs) == evals
    assert set(jobs) == evals | {"summarize"}
    sh(["snakemake", "--cores", "2"], dest, env)
    assert dvc_stale(dest, env) == set() and snakemake_jobs(dest, env) == {}


def test_dvc_exp_run_with_a_changed_param(dvc_build):
    dest, env = dvc_build
    sh("git add -A && git -c user.email=t@t -c user.name=t commit -qm baseline", dest, env)
    out = sh(["dvc", "exp", "run", "-S", "generation.top_p=0.9"], dest, env).stdout
    ran = set(re.findall(r"Running stage '([^']+)'", out))
    assert ran == {f"evaluate-{m}-{b}" for m in ("weak", "strong") for b in ("math", "code", "logic")} | {"summarize"}
    shown = json.loads(sh(["dvc", "exp", "show", "--json"], dest, env).stdout)
    assert "0.9" in json.dumps(shown)


def test_lint_is_clean(root, bin_dir):
    r = subprocess.run([str(bin_dir / "snakemake"), "--lint"], cwd=root, capture_output=True, text=True)
    assert r.returncode == 0 and "Lints for" not in r.stdout + r.stderr
