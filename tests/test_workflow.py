"""The whole smoke DAG (configs/smoke.yaml) built by Snakemake and by `dvc repro`, in fresh
copies of the repository; after a change of one param key, `dvc status` and `snakemake -n`
name the same stale stages, and `dvc repro` re-runs exactly what `snakemake -n` scheduled."""
import collections
import json
import os
import re
import shutil
import subprocess
import time

import pandas as pd
import pytest
import yaml

from reasonforge import config, io, job
from reasonforge.cli import schema_for
from reasonforge.dvcsync import SHAPE_STAGE, stage_outputs

pytestmark = pytest.mark.slow


def built_table(path):
    """A built table, read and validated by the schema of its path (as `reasonforge validate` does)."""
    return io.read_table(path, schema_for(path))


def make_copy(root, dest, bin_dir, smoke_params=True):
    """A git repository with the working tree's files; params.yaml is the smoke overlay merged in
    (unless smoke_params is False). Its jobs run its own copy of the package (PYTHONPATH)."""
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=root, capture_output=True,
                           text=True, check=True).stdout.split()
    for f in files:
        if (root / f).is_file():
            (dest / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / f, dest / f)
    if smoke_params:
        merged = config.merge(config.load_yaml(root / "params.yaml"), config.load_yaml(root / "configs/smoke.yaml"))
        (dest / "params.yaml").write_text(yaml.safe_dump(merged, sort_keys=False))
    env = dict(os.environ, PATH=f"{bin_dir}:{os.environ['PATH']}", PYTHONPATH=str(dest / "src"))
    for cmd in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "x"],
                ["reasonforge", "dvc-sync"]):
        subprocess.run(cmd, cwd=dest, env=env, check=True, capture_output=True)
    return env


def sh(cmd, cwd, env, check=True):
    r = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, shell=isinstance(cmd, str))
    if check and r.returncode:
        raise AssertionError(f"{cmd} failed ({r.returncode}):\n{r.stdout[-3000:]}\n{r.stderr[-5000:]}")
    return r


def snakemake_jobs(cwd, env, *args) -> dict[str, str]:
    """Stage name -> reason, for every job `snakemake -n` would run (matched by its outputs)."""
    out = sh(["snakemake", "-n", *args], cwd, env).stdout
    by_output = {o: name for name, outs in stage_outputs(cwd / "dvc.yaml").items() for o in outs}
    jobs = {}
    for _, block in re.findall(r"^(?:local)?rule (\w+):\n((?:    .*\n)+)", out, re.M):
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


def dvc_stale(cwd, env, shape=False) -> set[str]:
    """Stages `dvc status` calls stale; the DAG-shape check (a DVC-only stage that reruns whenever a
    params section changes) only when `shape` is asked for."""
    status = json.loads(sh(["dvc", "status", "--json"], cwd, env).stdout or "{}")
    return {name.split(":")[-1] for name in status} - (set() if shape else {SHAPE_STAGE})


def copy_build(dest, copy, env):
    """A copy of a built tree (mtimes kept, so nothing turns stale) whose jobs run its own package."""
    shutil.copytree(dest, copy, symlinks=True)
    return dict(env, PYTHONPATH=str(copy / "src"))


def without_dvc(tree):
    """Make a copy a Snakemake-only project, for a test about jobs, not DVC: each build's onsuccess
    `dvc commit` (dvc status + snakemake -n + commit, ~19 s on the smoke DAG, 2026-12-07) is skipped
    where there is no .dvc (rules/common.smk), and make test ran near CI's 30 minutes."""
    shutil.rmtree(tree / ".dvc")


class Background:
    """A build started in the background; its output goes to a log file (a pipe that nobody reads
    until the end would fill and stall it)."""

    def __init__(self, cmd, cwd, env, log):
        self.cmd, self.cwd, self.env, self.log = cmd, cwd, env, log
        with open(log, "w") as out:
            self.proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)

    def wait(self):
        self.proc.wait()
        assert self.proc.returncode == 0, f"{self.cmd} failed ({self.proc.returncode}):\n{self.log.read_text()[-5000:]}"

    def stop(self):
        """SIGTERM first: Snakemake then cancels the SLURM jobs it queued."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def agree(dest, env) -> set[str]:
    """Both directions: every stage `dvc status` calls stale is one `snakemake -n` would run, and
    every job Snakemake would run for a reason of its own (not only because an upstream job will
    rewrite its inputs) is stale for DVC. Returns DVC's stale stages."""
    stale, jobs = dvc_stale(dest, env), snakemake_jobs(dest, env)
    assert invalidated(jobs) <= stale <= set(jobs), (stale, jobs)
    return stale


# The CI cluster polls sooner than the profile's 8 s: each smoke job takes seconds.
SLURM_BUILD = ["snakemake", "--profile", "profiles/slurm", "--slurm-init-seconds-before-status-checks", "2"]
# What the SLURM build and `dvc repro` build from scratch, each in its own copy: the chain up to one
# evaluation, compared with the main build. (The DVC tests that change params run on a copy of the
# main build, which Snakemake's onsuccess hook committed to dvc.lock.)
SUBSET_STAGE = "evaluate-weak-seed0"
SUBSET_TARGETS = [f"results/eval/seed0/weak/{b}.parquet" for b in ("math", "code", "logic")]


@pytest.fixture(scope="module", autouse=True)
def builds(tmp_path_factory, root, bin_dir, slurm):
    """The builds the tests read, each in its own copy, all started before the module's first test:
    the smoke DAG by local Snakemake (the main build); the chain to SUBSET_STAGE through
    profiles/slurm on the local SLURM cluster (one sbatch job per rule; table rules run in
    Snakemake's process: localrules), unless SLURM cannot run here (the SLURM tests then say why
    they skip); and the same chain by `dvc repro`, one stage at a time. The two small builds run
    niced: the tests wait for the main build first.
    Why not more (2026-12-03, make test on this VM's two cores): the whole DAG through SLURM (each
    job a Snakemake of its own: 4 s of CPU before the rule's script), the whole DAG again by `dvc
    repro`, and the claims target's 139 jobs made make test take 36 to 42 minutes; with AlphaLLM's
    claims alone built (45 jobs) beside the main build, 33. `claims` is planned here (its seeded
    rules reuse the main rules' scripts, its verdicts are unit-tested) and run by `make claims`."""
    logs = tmp_path_factory.mktemp("build_logs")
    commands = {"main_build": ["snakemake", "--cores", "2"],
                "dvc_build": ["nice", "-n", "10", "dvc", "repro", "-q", SUBSET_STAGE]}
    if slurm is None:
        commands["slurm_build"] = ["nice", "-n", "10", *SLURM_BUILD, "--", *SUBSET_TARGETS]
        commands["requeue_build"] = [*SLURM_BUILD, "--configfile", "long.yaml", "--set-resources", "pretrain:runtime=1",
                                     "pretrain:checkpoint_every=100", "pretrain:slurm_extra=\"'--signal=USR1@50'\"",
                                     "--", "models/base/strong"]
    started = {}
    for name, cmd in commands.items():
        dest = tmp_path_factory.mktemp(name)
        env = make_copy(root, dest, bin_dir)
        if name == "requeue_build":
            # 2,500 smoke steps, ~50 s of one core: past the warning, which slurmctld sends at its next check
            # (every 30 s) once the job is within 50 s of its 1-minute limit: 10 to 40 s after it starts
            # (at 2,000 steps and 45 s, one run in CI finished its training before its warning came)
            without_dvc(dest)
            (dest / "long.yaml").write_text("models: {strong: {train: {steps: 2500}}}\n")
        started[name] = Background(cmd, dest, env, logs / f"{name}.log")
    yield started
    for build in started.values():
        build.stop()
        for started_later in getattr(build, "copies", {}).values():
            if isinstance(started_later, Background):
                started_later.stop()


@pytest.fixture(scope="module")
def main_build(builds, tmp_path_factory):
    """The main build, once done. At that moment, before any test changes it, two copies are made:
    one for the DVC tests (dvc_tree), and one whose train_2 gold is shuffled and whose
    weak-to-strong part is rebuilt in the background (test_w2s_gold_of_train_2_never_reaches_a_method)."""
    build = builds["main_build"]
    build.wait()
    if not hasattr(build, "copies"):
        copy = tmp_path_factory.mktemp("dvc_tree") / "tree"
        build.copies = {"dvc_tree": (copy, copy_build(build.cwd, copy, build.env)),
                        "w2s_shuffled": start_w2s_shuffled(build, tmp_path_factory.mktemp("w2s_shuffled"))}
    return build.cwd, build.env


@pytest.fixture(scope="module")
def dvc_tree(builds, main_build):
    """A copy of the main build as it finished: committed to DVC by its onsuccess hook."""
    return builds["main_build"].copies["dvc_tree"]


@pytest.fixture(scope="module")
def dvc_build(builds):
    build = builds["dvc_build"]
    build.wait()
    return build.cwd, build.env


@pytest.fixture(scope="module")
def slurm_build(builds, slurm):
    if slurm is not None:
        pytest.skip(f"no SLURM here: {slurm}")
    build = builds["slurm_build"]
    build.wait()
    return build.cwd, build.env


W2S_MODELS = ["weak", "naive", "ceiling", "stage1/hybrid/iter1", "stage1/hybrid/iter2", "stage2/dpo"]
W2S_TABLES = ["data/w2s/split.parquet", "data/w2s/gold_train_1.parquet"] + [f"data/w2s/seed0/{t}.parquet" for t in (
    "weak_labels", "icl_labels", "stage1/iter1", "stage1/iter2", "relabels/iter1", "stage2/samples", "stage2/pairs")]


def start_w2s_shuffled(build, where) -> Background:
    """A copy of the build with train_2's gold answers and solutions shuffled among its questions,
    rebuilding the weak-to-strong tables and models (their evaluations follow from the models)."""
    copy = where / "tree"
    env = copy_build(build.cwd, copy, build.env)
    without_dvc(copy)
    train_2 = built_table(copy / "data/w2s/split.parquet").query("part == 'train_2'")
    for task, ids in train_2.groupby("task")["id"]:
        path = copy / f"data/tasks/{task}/train.parquet"
        pool = built_table(path)
        rows = pool.index[pool["id"].isin(set(ids))]
        rolled = pool.loc[rows, ["answer", "solution"]].to_numpy()
        pool.loc[rows, ["answer", "solution"]] = list(rolled[1:]) + list(rolled[:1])  # each question gets another's gold
        io.write_table(pool, path, schema_for(path))
    return Background(["snakemake", "--cores", "2", "--", *W2S_TABLES, *[f"models/w2s/seed0/{m}" for m in W2S_MODELS]],
                      copy, env, where / "w2s.log")


MODELS = ["weak", "strong", "sft", "sft-reference", "dpo", "kto", "nca", "orpo", "grpo"]
W2S_EVAL = ["w2s-weak", "w2s-naive", "w2s-ceiling", "w2s-oracle", "w2s-s1-hybrid-1", "w2s-s1-hybrid-2", "w2s-s2-dpo"]
ALPHA_EVAL = ["alphallm-round1", "alphallm-round2", "alphallm-round1-verified"]
SELECTORS = ["random", "majority", "rm-bt", "rm-dr", "rm-bt+dr"]


# Tests that need no build run first, beside the builds.

def test_lint_is_clean(root, bin_dir):
    r = subprocess.run([str(bin_dir / "snakemake"), "--lint"], cwd=root, capture_output=True, text=True)
    assert r.returncode == 0 and "Lints for" not in r.stdout + r.stderr


def test_killed_build_never_publishes(tmp_path_factory, root, bin_dir):
    """kill -9 of snakemake while `strong` pretrains slowly; a re-run with other params finishes
    first; the orphaned job must not land its model afterwards (seen on the foundation: it did,
    12 s later, and Snakemake called the wrong model up to date)."""
    dest = tmp_path_factory.mktemp("killed_build")
    env = make_copy(root, dest, bin_dir)
    without_dvc(dest)
    (dest / "slow.yaml").write_text("models: {strong: {train: {steps: 4000}}}\n")
    build = subprocess.Popen(["snakemake", "--cores", "2", "--configfile", "slow.yaml", "--", "models/base/strong"],
                             cwd=dest, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    orphan = None
    deadline = time.monotonic() + 900  # (the builds run beside it: four processes on two cores)
    while orphan is None:  # the pretrain job, once it is training (its temp model dir exists)
        assert build.poll() is None and time.monotonic() < deadline, "the slow pretrain never started"
        if list((dest / "models/base").glob(".strong.incomplete-*")):
            orphan = next((pid for pid, argv in processes() if str(dest) in " ".join(argv) and
                           any(a.endswith("pretrain.py") for a in argv)), None)
        time.sleep(0.1)
    time.sleep(1)
    build.kill()
    build.wait()
    sh(["snakemake", "--unlock"], dest, env)
    (dest / "fast.yaml").write_text("models: {strong: {train: {lr: 0.001}}}\n")
    sh(["snakemake", "--cores", "2", "--configfile", "fast.yaml", "--", "models/base/strong"], dest, env)
    new = json.loads((dest / "models/base/strong/train_log.json").read_text())["config"]
    deadline = time.monotonic() + 600  # past the old job's natural end (4000 steps), or its death
    while job.proc_stat(orphan) is not None and job.proc_stat(orphan)[2] not in "ZX":
        assert time.monotonic() < deadline, "the orphaned job is still running"
        time.sleep(0.5)
    final = json.loads((dest / "models/base/strong/train_log.json").read_text())["config"]
    smoke_steps = config.load_yaml(root / "configs/smoke.yaml")["models"]["strong"]["train"]["steps"]
    assert final == new and (final["steps"], final["lr"]) == (smoke_steps, 0.001)
    assert not list((dest / "models/base").glob(".strong.incomplete-*"))
    assert "Nothing to be done" in sh(["snakemake", "-n", "--configfile", "fast.yaml", "--", "models/base/strong"],
                                      dest, env).stdout


def processes():
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            argv = job.proc_argv(int(entry))
            if argv:
                yield int(entry), argv


def test_overlay_build_is_not_recorded_in_dvc_lock(tmp_path_factory, root, bin_dir):
    """A build with --configfile makes outputs params.yaml does not describe: dvc.lock must not
    pair them with params.yaml's values (seen: `dvc status` up to date, `snakemake -n` 14 jobs)."""
    dest = tmp_path_factory.mktemp("overlay_build")
    env = make_copy(root, dest, bin_dir, smoke_params=False)
    build = ["snakemake", "--cores", "2", "--configfile", "configs/smoke.yaml", "--", "data/corpus/pretrain.parquet"]
    log = sh(build, dest, env)
    assert "dvc.lock: make_corpus not recorded: snakemake -n with params.yaml alone would run it" in log.stderr
    stale = agree(dest, env)
    assert stale == set(stage_outputs(dest / "dvc.yaml"))  # every stage: none was built with params.yaml
    r = sh(build, dest, env)
    assert "Nothing to be done" in r.stdout + r.stderr  # with the overlay, the build is current


# The main build.

def test_main_builds_every_artifact(main_build):
    dest, env = main_build
    tables = [str(p.relative_to(dest)) for pattern in ("data/tasks/*/*.parquet", "results/eval/seed0/*/*.parquet",
                                                       "results/eurus/bon/samples/*.parquet", "results/eurus/seed0/bon/*/*.parquet",
                                                       "results/eurus/seed0/*.parquet", "data/eurus/*.parquet")
              for p in sorted(dest.glob(pattern))] + ["results/eval/summary.csv", "data/corpus/pretrain.parquet"]
    # tasks; evaluations; best-of-N samples, picks and each reward model's scores; the ladder; trees,
    # SFT, reference SFT and pairs; summary and corpus
    # (weak-to-strong's models on w2s.tasks alone: math and logic in the smoke overlay)
    assert len(tables) == 12 + 3 * len(MODELS + ALPHA_EVAL) + 2 * len(W2S_EVAL) + 3 * (1 + len(SELECTORS)) + 3 + 1 + 4 + 2
    assert not list(dest.glob("results/eval/seed0/w2s-*/code.parquet"))
    w2s = [str(p.relative_to(dest)) for pattern in ("data/w2s/*.parquet", "data/w2s/seed0/*.parquet", "data/w2s/seed0/*/*.parquet")
           for p in sorted(dest.glob(pattern))]
    assert len(w2s) == 3 + 3 + 2 + 1 + 2  # split + gold x2, labels x2 + oracle-filtered, selections x2, relabel, stage II x2
    alpha = [str(p.relative_to(dest)) for pattern in ("data/alphallm/*.parquet", "data/alphallm/seed0/*/*.parquet",
                                                      "results/alphallm/seed0/*.parquet", "results/alphallm/seed0/*/*.parquet")
             for p in sorted(dest.glob(pattern))]
    assert len(alpha) == 3 + 2 + 1 + 1 + 7  # imagined, samples, step labels; rounds x2; compute; samples; 7 searches (verifier too)
    sh(["reasonforge", "validate", *tables, *w2s, *alpha], dest, env)
    summary = built_table(dest / "results/eval/summary.csv")
    # every model of the DAG is evaluated by name, and every best-of-N selector has its rows
    assert set(summary["model"]) == set(MODELS + W2S_EVAL + ALPHA_EVAL) | {f"bon-{s}" for s in SELECTORS}
    assert set(summary["benchmark"]) == {"math", "code", "logic"}
    assert {"greedy", "pass@1", "pass@2"} <= set(summary["metric"])  # (maj@k needs answers; smoke models give none)
    table = (dest / "results/eval/table.md").read_text()
    assert "| weak |" in table and "| nca |" in table and "| bon-rm-bt+dr |" in table
    assert (dest / "results/plots/accuracy.png").stat().st_size > 1000
    page = (dest / "results/README.md").read_text()  # every results page, written by a rule
    assert table.strip().splitlines()[-1] in page and "![accuracy](plots/accuracy.png)" in page and "results/w2s/pgr.md" in page
    for name in ("base/weak", "base/strong", "grpo/seed0/grpo", *(f"eurus/seed0/{m}" for m in ("sft", "pref/dpo", "pref/kto", "pref/nca",
                                                                                               "pref/orpo", "rm/bt", "rm/dr", "rm/bt+dr"))):
        assert (dest / f"models/{name}/config.json").exists(), name
        if not name.startswith("base/"):
            assert len(pd.read_parquet(dest / f"models/{name}/metrics.parquet")) >= 2, name
    assert "Nothing to be done" in sh(["snakemake", "-n"], dest, env).stdout
    # also when Snakemake compares every input by mtime alone, as it does for files over 1 MB (the
    # default corpus): the dvc-commit hook must not leave re-linked outputs newer than their consumers
    assert "Nothing to be done" in sh(["snakemake", "-n", "--max-checksum-file-size", "1"], dest, env).stdout


def test_eurus_artifacts(main_build):
    """Trees, their SFT rows and pairs, stats, reward trends and held-out accuracies, built by the rules."""
    dest, env = main_build
    nodes = built_table(dest / "data/eurus/trees.parquet")
    assert nodes["tree_id"].nunique() == 3 * 6 and nodes["turn"].max() <= 2  # smoke: 6 per family, max_turns 2
    pairs = built_table(dest / "data/eurus/pairs.parquet")
    sft = built_table(dest / "data/eurus/sft.parquet")
    assert len(pairs) > 0 and len(sft) == int(nodes["correct"].sum())
    stats = (dest / "data/eurus/stats.md").read_text()
    assert f"pairs: {len(pairs)}" in stats
    trends = pd.read_csv(dest / "results/eurus/reward_trends.csv")
    assert set(trends["algo"]) == {"dpo", "kto", "nca", "orpo"} and trends[["chosen", "rejected"]].notna().all().all()
    assert (dest / "results/eurus/reward_trends.png").stat().st_size > 1000
    acc = json.loads((dest / "results/eurus/rm_accuracy.json").read_text())
    assert set(acc) == {"bt", "dr", "bt+dr"} and all(0 <= a["accuracy"] <= 1 and a["pairs"] > 0 for a in acc.values())


def test_grpo_artifacts(main_build):
    """GRPO's prompts, its model (evaluated by name above), the per-step table, plot and page."""
    from reasonforge.grpo.tables import GRPOSteps

    dest, env = main_build
    prompts = built_table(dest / "data/grpo/prompts.parquet")
    assert prompts.groupby("task").size().to_dict() == {"math": 4, "code": 4, "logic": 4}  # smoke: grpo.instructions 4
    steps = GRPOSteps.validate(pd.read_csv(dest / "results/grpo/steps.csv"))
    # at most trl.max_steps (2); fewer when DPO's smoke run was trained on fewer tokens (grpo.match_tokens)
    dpo_tokens = int(pd.read_parquet(dest / "models/eurus/seed0/pref/dpo/metrics.parquet")["num_tokens"].iloc[-1])
    assert 1 <= len(steps) <= 2 and (len(steps) == 2 or steps["trained_tokens"].iloc[-1] >= dpo_tokens)
    assert (steps["completions"] == 4).all() and steps["kl"].notna().all()
    assert (dest / "results/plots/grpo_training.png").stat().st_size > 1000
    page = (dest / "results/grpo/training.md").read_text()
    assert "Where a step's time went" in page and page.splitlines()[0] in (dest / "results/README.md").read_text()


def test_w2s_artifacts(main_build):
    """Split, labels, stage-I selections of both iterations, stage-II samples and pairs, every
    weak-to-strong model, their evaluations and the PGR report, built by the rules."""
    dest, env = main_build
    split = built_table(dest / "data/w2s/split.parquet")
    assert split.groupby(["task", "part"]).size().to_dict() == {(t, p): n for t in ("logic", "math")
                                                                 for p, n in (("train_1", 10), ("train_2", 12))}
    weak, icl = built_table(dest / "data/w2s/seed0/weak_labels.parquet"), built_table(dest / "data/w2s/seed0/icl_labels.parquet")
    train_2 = set(split[split["part"] == "train_2"]["id"])
    assert set(weak["id"]) == set(icl["id"]) == train_2 and weak["answer"].notna().any()
    assert (weak["demos"] == 0).all() and icl["demos"].between(0, 1).all()  # smoke: k = 1, dropped where it does not fit
    for k in (1, 2):
        sel = built_table(dest / f"data/w2s/seed0/stage1/iter{k}.parquet")
        assert set(sel["id"]) <= train_2 and (sel["weak_answer"] == sel["icl_answer"]).all()
    assert len(built_table(dest / "data/w2s/seed0/stage1/iter1.parquet")) > 0
    samples = built_table(dest / "data/w2s/seed0/stage2/samples.parquet")
    assert len(samples) == 3 * len(train_2)  # smoke: n = 3
    stats = json.loads((dest / "data/w2s/seed0/stage2/stats.json").read_text())
    assert stats["questions"] == len(train_2) and sum(stats["outcomes"].values()) == len(train_2)
    for name in W2S_MODELS:
        assert (dest / f"models/w2s/seed0/{name}/config.json").exists(), name
    report = (dest / "results/w2s/pgr.md").read_text()
    assert "| w2s-s2-dpo |" in report and "| w2s-s1-hybrid-2 |" in report and "| weak labels kept, iteration 2 |" in report
    metrics = json.loads((dest / "results/w2s/metrics.json").read_text())
    assert "w2s-naive/mean/test" in metrics["pgr"] and "weak labels (all train_2)" in metrics["precision"]


def test_w2s_stage2_starts_from_the_model_params_names(main_build):
    """w2s.stage2.start names the model stage II samples and trains from (by default the last stage-I
    iteration); another family's model is taken at params `seed`, a name of none is an error naming the key."""
    dest, env = main_build
    def plan(*config):
        return sh(["snakemake", "-n", "-f", *config, "--", "models/w2s/seed0/stage2/dpo"], dest, env, check=False)

    assert "input: models/w2s/seed0/stage1/hybrid/iter2, data/w2s/seed0/stage2/pairs.parquet" in plan().stdout
    assert "input: models/eurus/seed0/sft, data/w2s/seed0/stage2/pairs.parquet" in plan("--config", "w2s={stage2: {start: sft}}").stdout
    bad = plan("--config", "w2s={stage2: {start: nope}}")
    assert bad.returncode != 0 and "w2s.stage2.start: 'nope' is not a model of the DAG" in bad.stdout + bad.stderr


def test_alphallm_artifacts(main_build):
    """Imagined problems (none from an evaluation pool), the critics' data, models and held-out
    report, every round's search and policy and their greedy evaluations, the compute comparison
    with every method, budget and ablation rung, its plot."""
    dest, env = main_build
    imagined = built_table(dest / "data/alphallm/imagined.parquet")
    held = set(pd.concat([built_table(dest / f"data/tasks/{t}/{s}.parquet") for t in ("math", "logic") for s in ("test", "ood")])["prompt"])
    assert len(imagined) > 0 and not set(imagined.loc[imagined["status"] == "kept", "prompt"]) & held
    stats = json.loads((dest / "data/alphallm/imagine_stats.json").read_text())
    assert sum(s["candidates"] for s in stats.values()) == len(imagined)
    samples = built_table(dest / "data/alphallm/samples.parquet")
    assert len(samples) == 2 * 6 * 2  # smoke: 6 problems per family, 2 samples each
    steps = built_table(dest / "data/alphallm/step_labels.parquet")
    assert (steps["rollouts"] >= 1).all() and set(steps["id"]) <= set(samples["id"])
    critics = json.loads((dest / "results/alphallm/critics.json").read_text())
    assert set(critics) == {"value", "prm", "orm"} and all(c["n"] > 0 for c in critics.values())
    for kind in ("value", "prm", "orm"):
        assert (dest / f"models/alphallm/seed0/critics/{kind}/config.json").exists()
    for r in (1, 2):
        searched = built_table(dest / f"data/alphallm/seed0/search/round{r}.parquet")
        assert set(searched["id"]) == set(imagined.loc[imagined["status"] == "kept", "id"])
        assert (dest / f"models/alphallm/seed0/round{r}/config.json").exists()
        assert (dest / f"results/eval/seed0/alphallm-round{r}/math.parquet").exists()
    table = built_table(dest / "results/alphallm/seed0/compute.parquet")
    methods = set(zip(table["method"], table["budget"]))
    assert {("greedy", 1), ("self-consistency", 2), ("best-of-n orm", 2), ("best-of-n rm", 2), ("eta-mcts", 1),
            ("eta-mcts", 2), ("ablation vanilla", 2), ("ablation rollout", 2)} <= methods
    assert (table["tokens"] > 0).all() and set(table["task"]) == {"math", "logic", "mean"}
    mcts = table[table["method"] == "eta-mcts"].set_index(["budget", "task"])["critic_tokens"]
    assert mcts[(2, "mean")] > mcts[(1, "mean")]  # a larger budget reads more
    assert "+ state merge (eta-MCTS)" in (dest / "results/alphallm/seed0/ablation.md").read_text()
    assert (dest / "results/alphallm/seed0/accuracy_vs_tokens.png").stat().st_size > 1000


def test_pools_are_disjoint_and_the_corpus_uses_only_pretrain(main_build):
    """On the built artifacts: no prompt in two pools of a family, and the corpus the base models
    learn from holds problems of the pretrain pools only."""
    dest, _ = main_build
    for family in ("math", "code", "logic"):
        pools = {s: built_table(dest / f"data/tasks/{family}/{s}.parquet") for s in ("pretrain", "train", "test", "ood")}
        prompts = [set(df["prompt"]) for df in pools.values()]
        assert sum(map(len, prompts)) == len(set().union(*prompts)), family
    corpus = built_table(dest / "data/corpus/pretrain.parquet")
    used = {i for s in corpus["sources"] for i in s.split(",")}
    assert used and all("-pretrain-" in i for i in used)


def test_main_build_is_committed_to_dvc(main_build):
    dest, env = main_build
    assert (dest / "dvc.lock").exists()
    assert dvc_stale(dest, env, shape=True) == set()
    assert "Data and pipelines are up to date" in sh(["dvc", "status"], dest, env).stdout


def test_dvc_remote_push_then_pull_into_an_empty_workspace(main_build, tmp_path):
    """The build pushed to a DVC remote (a local directory here; S3 or SSH on a cluster), data/,
    models/, results/ and the cache deleted, `reasonforge pull`: nothing is stale for either tool."""
    dest, env = main_build
    copy = tmp_path / "workspace"
    env = copy_build(dest, copy, env)
    sh(["dvc", "remote", "add", "-d", "store", str(tmp_path / "remote")], copy, env)
    sh(["dvc", "push", "-q"], copy, env)
    for gone in ("data", "models", "results", ".dvc/cache"):
        shutil.rmtree(copy / gone)
    sh(["reasonforge", "pull"], copy, env)
    assert (copy / "models/base/strong/model.safetensors").read_bytes() == (dest / "models/base/strong/model.safetensors").read_bytes()
    assert dvc_stale(copy, env) == set()
    assert "Nothing to be done" in sh(["snakemake", "-n"], copy, env).stdout


def test_scancel_of_a_training_job_keeps_its_checkpoint_and_the_rerun_resumes_to_the_same_model(slurm, main_build, tmp_path):
    """A SLURM job of the smoke DAG cancelled (scancel: SIGTERM) while it trains: it saves a checkpoint at
    the end of its step, Snakemake reports the failure naming the rule, and no partial model is published.
    The re-run resumes from the checkpoint, makes the main build's model byte for byte, and removes it."""
    if slurm is not None:
        pytest.skip(f"no SLURM here: {slurm}")
    dest, env = main_build
    copy = tmp_path / "cancelled"
    env = copy_build(dest, copy, env)
    without_dvc(copy)
    every = ["--set-resources", "pretrain:checkpoint_every=20"]
    saved = copy / ".checkpoints/models/base/strong"
    log = tmp_path / "cancelled.log"
    with open(log, "w") as out:
        build = subprocess.Popen([*SLURM_BUILD, *every, "-f", "--", "models/base/strong"], cwd=copy, env=env, stdout=out,
                                 stderr=subprocess.STDOUT)
    deadline, job_id = time.monotonic() + 300, None
    while job_id is None:  # the pretrain job, once it has saved a checkpoint
        assert build.poll() is None and time.monotonic() < deadline, "the SLURM pretrain job never saved a checkpoint"
        running = sh(["squeue", "-h", "-t", "R", "-o", "%i"], copy, env).stdout.split()
        if running and list(saved.glob("checkpoint-*")):
            job_id = running[0]
        time.sleep(0.1)
    sh(["scancel", job_id], copy, env)
    build.wait(timeout=300)
    out = log.read_text()
    assert build.returncode != 0 and "Error in rule pretrain" in out, out[-3000:]
    assert not (copy / "models/base/strong").exists()  # nothing half-written was published
    stopped_at = [p.name for p in saved.glob("checkpoint-*")]
    assert len(stopped_at) == 1, stopped_at
    sh([*SLURM_BUILD, *every, "--", "models/base/strong"], copy, env)
    assert f"resuming from .checkpoints/models/base/strong/{stopped_at[0]}" in (copy / "logs/pretrain/strong.log").read_text()
    assert (copy / "models/base/strong/model.safetensors").read_bytes() == (dest / "models/base/strong/model.safetensors").read_bytes()
    assert not saved.exists()


def test_a_training_job_past_its_time_limit_is_requeued_and_completes(slurm, builds):
    """`strong`'s pretraining for ~50 s of steps under a 1-minute SLURM limit, warned 50 s before it (the
    profile's --signal, shortened): the job saves a checkpoint and requeues itself, each run resumes where
    the last stopped, and the build, which saw the job pending in between, succeeds."""
    if slurm is not None:
        pytest.skip(f"no SLURM here: {slurm}")
    build = builds["requeue_build"]
    build.wait()
    (job_id,) = re.findall(r"Job \d+ has been submitted with SLURM jobid (\d+)", build.log.read_text())
    restarts = re.search(r"Restarts=(\d+)", sh(["scontrol", "show", "job", job_id], build.cwd, build.env).stdout)
    assert int(restarts.group(1)) >= 1  # put back in the queue at least once, by the job itself
    # the log is the last run's (Snakemake clears a job's log when it starts): it began where the last one stopped
    log = (build.cwd / "logs/pretrain/strong.log").read_text()
    assert re.search(r"resuming from \.checkpoints/models/base/strong/checkpoint-\d+ \(step \d+\)", log), log[-3000:]
    assert (build.cwd / "models/base/strong/model.safetensors").exists()
    assert not (build.cwd / ".checkpoints/models/base/strong").exists()


def test_a_tracked_sft_job_records_its_loss_curve_in_a_local_mlflow_store(main_build, tmp_path):
    """`report_to: mlflow` as a resource (here --set-resources; a profile's default-resources alike): the smoke
    SFT job logs each step's loss to the MLflow store MLFLOW_TRACKING_URI names, in a run named after its
    output, and makes the same model as untracked: how a job runs, not what it builds."""
    mlflow = pytest.importorskip("mlflow")
    dest, env = main_build
    copy = tmp_path / "tracked"
    env = dict(copy_build(dest, copy, env), MLFLOW_TRACKING_URI=(tmp_path / "mlruns").as_uri())
    without_dvc(copy)
    sh(["snakemake", "--cores", "1", "-f", "--set-resources", "train_sft:report_to=mlflow", "--", "models/eurus/seed0/sft"],
       copy, env)
    model = "models/eurus/seed0/sft/model.safetensors"
    assert (copy / model).read_bytes() == (dest / model).read_bytes()
    mlflow.set_tracking_uri(env["MLFLOW_TRACKING_URI"])
    (run,) = mlflow.search_runs(experiment_names=["reasonforge"], output_format="list")
    assert run.info.run_name == "models/eurus/seed0/sft"
    history = mlflow.MlflowClient().get_metric_history(run.info.run_id, "loss")
    metrics = pd.read_parquet(copy / "models/eurus/seed0/sft/metrics.parquet")
    assert [(m.step, round(m.value, 4)) for m in history] == [(s, round(v, 4)) for s, v in zip(metrics["step"], metrics["loss"])]


def test_a_training_family_on_two_gpus_trains_in_two_processes(main_build, tmp_path):
    """resources.train.gpu: 2 (here on CPU, where torch.distributed runs on gloo): the smoke SFT job runs its
    script again under torchrun, one process per GPU; transformers trains them as one DDP run, rank 0
    publishes the model (the other rank ends with the training) and the checkpoints go."""
    dest, env = main_build
    copy = tmp_path / "ddp"
    env = copy_build(dest, copy, env)
    without_dvc(copy)
    sh(["snakemake", "--cores", "2", "-f", "--config", "resources={train: {gpu: 2}}", "--", "models/eurus/seed0/sft"],
       copy, env)
    log = (copy / "logs/eurus/seed0/train_sft.log").read_text()
    assert "trainjob: torchrun --standalone --nproc_per_node 2" in log and "training in 2 processes (DDP, cpu" in log
    metrics = pd.read_parquet(copy / "models/eurus/seed0/sft/metrics.parquet")
    assert len(metrics) == 3 and (copy / "models/eurus/seed0/sft/model.safetensors").exists()
    assert not (copy / ".checkpoints/models/eurus/seed0/sft").exists()


def test_bad_params_stop_before_any_job(main_build):
    dest, env = main_build
    r = sh(["snakemake", "-n", "--config", "generation={'backend': 'hf', 'max_new_tokens': 'many'}"], dest, env, check=False)
    assert r.returncode != 0 and "generation.max_new_tokens" in r.stdout + r.stderr
    params = dest / "params.yaml"
    original = params.read_text()
    params.write_text(original.replace("seed: 0", "seed: [0"))  # broken YAML: params.yaml goes through our loader
    r = sh(["snakemake", "-n"], dest, env, check=False)
    params.write_text(original)
    assert r.returncode != 0 and re.search(r"params\.yaml:\d+:\d+: invalid YAML", r.stdout + r.stderr), r.stderr


def test_param_key_order_is_not_a_change(main_build):
    """params.yaml rewritten with every dict in another key order (as `reasonforge params ... >
    params.yaml` may): the same values, so nothing is stale for either tool."""
    dest, env = main_build
    original = (dest / "params.yaml").read_text()
    (dest / "params.yaml").write_text(yaml.safe_dump(yaml.safe_load(original), sort_keys=True))
    assert (dest / "params.yaml").read_text() != original
    assert "Nothing to be done" in sh(["snakemake", "-n"], dest, env).stdout
    assert dvc_stale(dest, env) == set()
    (dest / "params.yaml").write_text(original)


def test_execution_settings_rebuild_nothing(main_build):
    """Threads (and with them the sandbox workers of an evaluation) and resources come from
    params.yaml's resources: section, the profile or the command line: another machine's settings
    change how jobs run, never what is stale."""
    dest, env = main_build
    forced = ["snakemake", "-n", "-f", "--", "models/base/weak"]
    assert "threads: 2" not in sh(forced, dest, env).stdout  # smoke: resources.pretrain.threads is 1
    params = dest / "params.yaml"
    original = params.read_text()
    changed = yaml.safe_load(original)
    changed["resources"]["pretrain"] = {"threads": 2, "mem_mb": 123, "runtime": 5, "gpu": 1}
    changed["resources"]["evaluate"]["threads"] = 2
    params.write_text(yaml.safe_dump(changed, sort_keys=False))
    plan = sh(forced, dest, env).stdout
    assert "threads: 2" in plan and "mem_mb=123" in plan and "gpu=1" in plan
    assert "Nothing to be done" in sh(["snakemake", "-n"], dest, env).stdout
    assert dvc_stale(dest, env) == set()
    params.write_text(original)
    assert "Nothing to be done" in sh(["snakemake", "-n", "--set-threads", "evaluate=2", "pretrain=2",
                                       "--set-resources", "evaluate:mem_mb=100", "--default-resources", "gpu=1"],
                                      dest, env).stdout
    assert dvc_stale(dest, env) == set()


def test_report_embeds_the_results(main_build):
    dest, env = main_build
    sh(["snakemake", "--report", "report.html"], dest, env)
    html = (dest / "report.html").read_text()
    for name in ("table.md", "metrics.json", "accuracy.png", "Greedy accuracy per benchmark and split"):
        assert name in html, name


def test_pretrained_model_and_external_benchmark_rules(main_build, root):
    """A role given as a local model directory (rule import_model) and a real benchmark from a
    local jsonl (rule load_external), evaluated by the same evaluate rule."""
    dest, env = main_build
    original = (dest / "params.yaml").read_text()
    params = yaml.safe_load(original)
    params["models"]["local"] = {"source": "pretrained", "path": str(dest / "models/base/weak")}
    params["tasks"]["external"] = {"gsm": {"loader": "gsm8k", "path": str(root / "tests/fixtures/gsm8k.jsonl")}}
    params["eval"]["benchmarks"] = ["gsm"]
    params["eval"]["models"] = ["local"]
    (dest / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    try:
        sh(["snakemake", "--cores", "2", "results/eval/seed0/local/gsm.parquet"], dest, env)
    finally:
        (dest / "params.yaml").write_text(original)  # the later tests use this build with the smoke params
    assert json.loads((dest / "models/base/local/source.json").read_text())["kind"] == "local"
    df = built_table(dest / "results/eval/seed0/local/gsm.parquet")
    assert len(df[df["greedy"]]) == 3 and set(df["split"]) == {"test"}


def running_job(tree, temp_glob, script, deadline_s=300):
    """The pid of the job running `script` in `tree`, once its atomic output exists (it is training)."""
    deadline = time.monotonic() + deadline_s  # (the other builds run beside it)
    while True:
        assert time.monotonic() < deadline, f"{script} never started"
        if list(tree.glob(temp_glob)):
            pid = next((pid for pid, argv in processes() if str(tree) in " ".join(argv) and
                        any(a.endswith(script) for a in argv)), None)
            if pid:
                return pid
        time.sleep(0.2)


def test_a_dead_job_leaves_its_output_to_be_rebuilt(main_build, tmp_path):
    """A job killed as the OOM killer or scancel would: Snakemake deletes its output, and used to call
    the build up to date ("Nothing to be done") with everything downstream built from the old one."""
    dest, env = main_build
    copy = tmp_path / "dead"
    env = copy_build(dest, copy, env)
    # a forced re-run that dies: its good output is gone, so the next run must make it again
    run = Background(["snakemake", "--cores", "1", "-f", "--", "models/eurus/seed0/pref/dpo"], copy, env, tmp_path / "forced.log")
    os.kill(running_job(copy, "models/eurus/seed0/pref/.dpo.incomplete-*", "train_preference.py"), 9)
    run.proc.wait()
    assert run.proc.returncode != 0 and not (copy / "models/eurus/seed0/pref/dpo").exists()
    jobs = snakemake_jobs(copy, env)
    assert jobs["train_preference-dpo-seed0"] == "Missing output files: models/eurus/seed0/pref/dpo"
    assert {"evaluate-dpo-seed0", "summarize"} <= set(jobs)
    agree(copy, env)
    # a param changed, then the job killed: the new model is missing, and everything downstream waits for it
    params = yaml.safe_load((copy / "params.yaml").read_text())
    params["eurus"]["sft"]["trl"]["max_steps"] = 3000
    (copy / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    run = Background(["snakemake", "--cores", "1", "--", "models/eurus/seed0/sft"], copy, env, tmp_path / "params.log")
    os.kill(running_job(copy, "models/eurus/seed0/.sft.incomplete-*", "train_sft.py"), 9)
    run.proc.wait()
    assert run.proc.returncode != 0 and not (copy / "models/eurus/seed0/sft").exists()
    jobs = snakemake_jobs(copy, env)
    assert jobs["train_sft-seed0"] == "Missing output files: models/eurus/seed0/sft"
    assert {f"train_preference-{a}-seed0" for a in ("kto", "nca", "orpo")} | {
        "train_reward-bt-seed0", "bon_samples", "evaluate-sft-seed0", "alphallm_samples"} <= set(jobs)
    agree(copy, env)


def test_directories_are_compared_by_content(main_build, tmp_path):
    """A file deleted inside a model directory: Snakemake said nothing to do, DVC said modified. A
    byte-identical rebuild of it: Snakemake scheduled everything downstream, DVC nothing."""
    dest, env = main_build
    copy = tmp_path / "content"
    env = copy_build(dest, copy, env)
    sft = "models/eurus/seed0/sft"
    (copy / sft / "model.safetensors").unlink()
    jobs = snakemake_jobs(copy, env)
    assert jobs["train_sft-seed0"] == f"Missing output files: {sft}"
    assert "train_sft-seed0" in agree(copy, env)
    sh(["snakemake", "--cores", "2", "--", sft], copy, env)  # SFT is deterministic: the same bytes
    assert (copy / sft / "model.safetensors").read_bytes() == (dest / sft / "model.safetensors").read_bytes()
    assert "Nothing to be done" in sh(["snakemake", "-n"], copy, env).stdout
    assert dvc_stale(copy, env, shape=True) == set()


# Outputs whose content carries wall-clock figures (the pretraining log's tokens/s and seconds):
# everything else the smoke DAG makes is the same bytes (tables compared by content) on any executor.
NONDETERMINISTIC = {"models/base/weak/train_log.json", "models/base/strong/train_log.json"}


def differing_outputs(a, b, stages) -> set[str]:
    """Files of the stages' outputs whose content differs between two builds (parquet by table content)."""
    differ = set()
    for stage, outs in stage_outputs(a / "dvc.yaml").items():
        for out in outs if stage in stages else []:
            files = sorted(p.relative_to(a) for p in (a / out).rglob("*") if p.is_file()) if (a / out).is_dir() else [out]
            for f in map(str, files):
                x, y = a / f, b / f
                if not y.is_file():
                    differ.add(f)
                elif x.read_bytes() != y.read_bytes() and not (
                        f.endswith(".parquet") and pd.read_parquet(x).equals(pd.read_parquet(y))):
                    differ.add(f)
    return differ


def built_stages(tree) -> set[str]:
    """The stages of dvc.yaml whose outputs all exist in `tree`."""
    return {s for s, outs in stage_outputs(tree / "dvc.yaml").items() if all((tree / o).exists() for o in outs)}


def test_slurm_build_matches_the_local_one(main_build, slurm_build):
    """The chain to SUBSET_STAGE built through SLURM jobs made the same artifacts as the local main
    build, and committed them to DVC."""
    (a, _), (b, env) = main_build, slurm_build
    logs = "".join(p.read_text() for p in (b / ".snakemake/log").glob("*.snakemake.log"))
    assert "submitted with SLURM jobid" in logs  # it did go through sbatch
    built = built_stages(b)
    assert {"pretrain-weak", SUBSET_STAGE} <= built
    assert differing_outputs(a, b, built) == {f for f in NONDETERMINISTIC if (b / f).exists()}
    assert sh(["dvc", "status", SUBSET_STAGE], b, env).stdout.strip() == "Data and pipelines are up to date."


def rules_of(root, family) -> set[str]:
    """The rule names a family's rules file declares."""
    text = (root / f"rules/{family}.smk").read_text()
    return set(re.findall(r"^rule (\w+):", text, re.M)) | set(re.findall(r"^use rule \w+ as (\w+)", text, re.M))


def stale_after_edit(tree, env, module) -> tuple[set[str], dict[str, str]]:
    """The stages stale for a reason of their own (both tools agree on them) and every job Snakemake
    would run, after a comment is added to `module`; then the module is put back as it was."""
    path = tree / module
    text, st = path.read_text(), path.stat()
    path.write_text(text + "\n# edited\n")
    try:
        return agree(tree, env), snakemake_jobs(tree, env)
    finally:
        path.write_text(text)
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_an_edit_rebuilds_only_what_imports_it(main_build, tmp_path):
    """One family's schema module is a code input of that family's stages alone (io.py found schemas
    by path, which made tables.py a code input of every stage), and an edit of best-of-N selection
    does not re-run MCTS decoding (it was in the module the decoding job imports)."""
    dest, env = main_build
    copy = tmp_path / "edits"
    env = copy_build(dest, copy, env)
    stage_rule = {name: name.split("-")[0] for name in stage_outputs(copy / "dvc.yaml")}
    for family, module in [("w2s", "src/reasonforge/w2s/tables.py"), ("eurus", "src/reasonforge/eurus/tables.py"),
                           ("alphallm", "src/reasonforge/alphallm/tables.py"), ("grpo", "src/reasonforge/grpo/tables.py")]:
        own, jobs = stale_after_edit(copy, env, module)
        assert own and {stage_rule[s] for s in own} <= rules_of(copy, family), (module, own)
        # Snakemake names the edit in the reason of the first stale jobs; below them it says only "Input files updated"
        assert any(module in jobs[s] for s in own), (module, jobs)
    own, jobs = stale_after_edit(copy, env, "src/reasonforge/evaluate/bon.py")
    assert {"bon_select", "alphallm_compute"} <= {stage_rule[s] for s in own} and not any(s.startswith("alphallm_mcts") for s in jobs), jobs
    assert "Nothing to be done" in sh(["snakemake", "-n"], copy, env).stdout  # each edit put back


# The claims (planned on the main build before the next test leaves some of it stale).

def claims_plan(dest, env, *args) -> tuple[dict[str, int], dict[int, int]]:
    """Jobs per rule of `snakemake -n claims`, and evaluations per seed."""
    plan = sh(["snakemake", "-n", "claims", *args], dest, env)
    out = plan.stdout + plan.stderr
    counts = {rule: int(n) for rule, n in re.findall(r"^(\w+) +(\d+)$", out.split("Job stats:")[1], re.M)}
    return counts, dict(collections.Counter(int(s) for s in re.findall(r"^    output: results/eval/seed(\d+)/", out, re.M)))


def test_claims_target_plans_every_method_over_the_seeds(main_build):
    """`snakemake claims` builds each family's seeded rules (`{seed}` in their paths) at every one of
    claims.seeds and writes every claims table; here it is planned on the main build, whose world it
    reuses (tasks, base models, trees, the SFT policy AlphaLLM starts from). Its verdicts are
    unit-tested (tests/test_*_claims.py); `make claims` runs it (see `builds` for why not here)."""
    dest, env = main_build
    counts, evals = claims_plan(dest, env)
    seeds = config.load_yaml(dest / "params.yaml")["claims"]["seeds"]
    n = len(seeds)
    assert n >= 3 and counts["claims_eurus"] == counts["claims_w2s"] == counts["claims_alphallm"] == counts["claims"] == 1
    assert counts["claims_grpo"] == 1 and counts["train_grpo"] == n and counts["grpo_passk"] == 2 * n
    assert counts["train_sft"] == counts["train_sft_reference"] == n
    assert counts["train_preference"] == 3 * n and counts["train_reward"] == 3 * n and counts["bon_ladder"] == n
    assert counts["w2s_stage2"] == n and counts["w2s_train_sft"] == 6 * n and counts["w2s_oracle_labels"] == n
    assert counts["alphallm_critic"] == 3 * n and counts["alphallm_mcts"] == n
    assert counts["alphallm_round"] == counts["alphallm_round_verified"] == n
    # sft, sft on references + dpo, kto, nca; weak, naive, ceiling, oracle-filtered, stage I, stage II;
    # AlphaLLM's round 1 on ORM-kept and on verified leaves (the main seed's that the claims read,
    # strong's and sft's, are the main build's); GRPO
    assert evals == {s: 5 + 6 + 2 + 1 for s in seeds}
    assert not {"pretrain", "build_trees", "bon_samples", "alphallm_samples", "w2s_split"} & set(counts)  # built once
    # the main build's seed among the claims': its jobs are the main build's, not run again
    reused, evals = claims_plan(dest, env, "--config", "claims={seeds: [0, 1, 2]}")
    assert reused["train_preference"] == 3 * 2 and reused["alphallm_mcts"] == 2 and evals == {1: 5 + 6 + 2 + 1, 2: 5 + 6 + 2 + 1}


def test_code_edit_then_one_target_rebuilt(main_build):
    """A module every evaluation runs is edited and one evaluation rebuilt: the others were built by
    the old code, and both tools say so (dvc.lock does not pair them with the new code).
    Last of the tests on this build: it leaves those stages stale."""
    dest, env = main_build
    module = dest / "src/reasonforge/evaluate/run.py"
    module.write_text(module.read_text() + "\n# edited\n")
    sh(["snakemake", "--cores", "2", "--", "results/eval/seed0/weak/math.parquet"], dest, env)
    others = ({f"evaluate-{m}-seed0" for m in MODELS + ALPHA_EVAL if m != "weak"} | {f"evaluate_families-{m}-seed0" for m in W2S_EVAL}
              | {"bon_samples", "alphallm_samples"})
    assert agree(dest, env) == others
    jobs = snakemake_jobs(dest, env)
    # The rounds' policies descend from alphallm_samples: once an upstream job reruns, Snakemake checks no
    # reason of the job's own (dag.py, update_needrun), so it names only the rewrite; DVC calls them stale.
    downstream = {f"evaluate-{m}-seed0" for m in ALPHA_EVAL}
    assert invalidated(jobs) == others - downstream
    assert all("src/reasonforge/evaluate/run.py" in jobs[s] for s in others - downstream)
    assert all(jobs[s].startswith("Input files updated by another job") for s in downstream)


# DVC: `dvc repro` from scratch, then params changed on a copy of the main build.

def test_dvc_repro_builds_from_scratch(main_build, dvc_build):
    """`dvc repro` of the chain to SUBSET_STAGE, one stage at a time, made the main build's artifacts."""
    (a, _), (dest, env) = main_build, dvc_build
    built = built_stages(dest)
    assert {"pretrain-weak", SUBSET_STAGE} <= built
    assert differing_outputs(a, dest, built) == {f for f in NONDETERMINISTIC if (dest / f).exists()}
    assert sh(["dvc", "status", SUBSET_STAGE], dest, env).stdout.strip() == "Data and pipelines are up to date."
    assert "Nothing to be done" in sh(["snakemake", "-n", "--", *SUBSET_TARGETS], dest, env).stdout


def test_dvc_metrics_of_the_build(dvc_tree):
    dest, env = dvc_tree
    assert "greedy" in sh(["dvc", "metrics", "show", "--json"], dest, env).stdout


def test_param_change_agrees_between_dvc_and_snakemake(dvc_tree):
    dest, env = dvc_tree
    original = (dest / "params.yaml").read_text()
    params = yaml.safe_load(original)
    params["eurus"]["reward"]["trl"]["learning_rate"] = 0.001
    (dest / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    # dvc status names the stages whose params changed; snakemake -n schedules them for that reason
    # and their downstream because the stages will rewrite their inputs
    jobs = snakemake_jobs(dest, env)
    rms = {f"train_reward-{loss}-seed0" for loss in ("bt", "dr", "bt+dr")}
    assert dvc_stale(dest, env) == invalidated(jobs) == rms
    # (alphallm_compute reranks with the Eurus reward model, bt+dr)
    assert set(jobs) == rms | {f"bon_rerank-{loss}-seed0" for loss in ("bt", "dr", "bt+dr")} | {
        "bon_ladder-seed0", "rm_accuracy", "summarize", "alphallm_compute-seed0", "results_page"}
    # dvc repro plans the same stages (their downstream it decides as it goes: a stage whose inputs
    # come back byte-identical is skipped); a params section changed: the DAG-shape check runs first
    planned = set(re.findall(r"Running stage '([^']+)'", sh(["dvc", "repro", "--dry", "--no-run-cache"], dest, env).stdout))
    assert planned == rms | {SHAPE_STAGE}
    # a change of the best-of-N size invalidates only its samples (and, through them, the selections
    # and the summary)
    params = yaml.safe_load(original)
    params["eurus"]["bon"]["n"] = 3
    (dest / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    jobs = snakemake_jobs(dest, env)
    assert dvc_stale(dest, env) == invalidated(jobs) == {"bon_samples"}
    assert set(jobs) == {"bon_samples", "bon_ladder-seed0", "summarize", "results_page"} | {
        f"bon_select-{s}-seed0" for s in ("random", "majority")} | {f"bon_rerank-{s[3:]}-seed0" for s in SELECTORS if s.startswith("rm-")}
    # run: dvc repro re-runs the jobs snakemake scheduled, then both have nothing to do. (A change the
    # summary alone reads: the stages that retrain run in test_dvc_repro_builds_from_scratch.)
    params = yaml.safe_load(original)
    params["eval"]["k"] = [2]
    (dest / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    jobs = snakemake_jobs(dest, env)
    assert dvc_stale(dest, env) == invalidated(jobs) == {"summarize"}
    ran = set(re.findall(r"Running stage '([^']+)'", sh(["dvc", "repro"], dest, env).stdout))
    assert ran == set(jobs) | {SHAPE_STAGE} == {"summarize", "results_page", SHAPE_STAGE}
    assert dvc_stale(dest, env) == set() and snakemake_jobs(dest, env) == {}


def test_dvc_exp_run_with_a_changed_param(dvc_tree):
    dest, env = dvc_tree
    sh("git add -A && git -c user.email=t@t -c user.name=t commit -qm baseline", dest, env)
    out = sh(["dvc", "exp", "run", "-S", "eval.k=[1]"], dest, env).stdout  # read by the summary alone
    ran = set(re.findall(r"Running stage '([^']+)'", out))
    assert ran == {"summarize", "results_page", SHAPE_STAGE}  # (the results page shows the summary's table)
    shown = json.loads(sh(["dvc", "exp", "show", "--json"], dest, env).stdout)
    assert '"k": [1]' in json.dumps(shown)


def test_dvc_exp_run_refuses_a_key_that_changes_the_dag(dvc_tree):
    """No stage lists a key the rules read to decide which jobs exist: `dvc exp run -S` on one ran
    nothing and reported an experiment. The DAG-shape check fails naming the key and what to run."""
    dest, env = dvc_tree
    original = (dest / "params.yaml").read_text()
    r = sh(["dvc", "exp", "run", "-S", "alphallm.improve.rounds=3"], dest, env, check=False)
    (dest / "params.yaml").write_text(original)
    out = r.stdout + r.stderr
    assert r.returncode != 0, out
    assert "stages added: alphallm_round-3-seed0, alphallm_search-3-seed0, evaluate-alphallm-round3-seed0" in out, out
    assert "alphallm.improve.rounds: 2 -> 3" in out and "run `reasonforge dvc-sync`" in out, out


# Last: train_2's gold shuffled. Its rebuild started in the background when the main build ended.

def test_w2s_gold_of_train_2_never_reaches_a_method(main_build, builds):
    """train_2's gold answers and solutions shuffled among its questions, then the weak-to-strong
    part rebuilt (start_w2s_shuffled): every method artifact is the same (content, model weights);
    only the ceiling (trained on that gold) and the report (its precision and PGR) may change."""
    dest, env = main_build
    shuffled = builds["main_build"].copies["w2s_shuffled"]
    shuffled.wait()
    copy = shuffled.cwd
    for rebuilt in ("data/w2s/split.parquet", "data/w2s/seed0/weak_labels.parquet", "models/w2s/seed0/stage2/dpo/model.safetensors"):
        assert (copy / rebuilt).stat().st_mtime > (dest / rebuilt).stat().st_mtime, rebuilt  # re-run, not kept

    def same_table(rel):
        a, b = pd.read_parquet(dest / rel), pd.read_parquet(copy / rel)
        return a.equals(b)

    def same_model(rel):
        return (dest / rel / "model.safetensors").read_bytes() == (copy / rel / "model.safetensors").read_bytes()

    assert not same_table("data/w2s/gold_train_2.parquet") and not same_model("models/w2s/seed0/ceiling")  # the shuffle took
    assert [t for t in W2S_TABLES if not same_table(t)] == []
    methods = [m for m in W2S_MODELS if m != "ceiling"]
    assert [m for m in methods if not same_model(f"models/w2s/seed0/{m}")] == []
