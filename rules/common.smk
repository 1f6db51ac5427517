# Config loading and validation, path helpers and the params helper shared by every rule.
import os
import re
import sys
from pathlib import Path

from reasonforge import buildstate
from reasonforge import config as rfconfig
from reasonforge.dvcsync import imported_modules

# Missing and changed outputs, and byte-identical rebuilds of directories, seen as DVC sees them
# (content, not times): reasonforge/buildstate.py says what Snakemake alone does with them.
buildstate.install(workflow)

# params.yaml through our own loader (broken YAML is reported with its file and line), under what
# Snakemake already holds from --configfile overlays and --config, which win as they would over
# a `configfile:` directive. Then validate (and fill defaults) before any job runs: a wrong type,
# unknown or missing key stops the run here with the key's path.
# `--config` values are read again as YAML (Snakemake reads nested ones as strings) and named as
# the source of an error. The trainers' options are built by their TRL config classes once per set
# of values (importing TRL takes ~9 s), in the main process only.
_overrides = rfconfig.typed(dict(workflow.config_settings.config))
_source = " + ".join(["params.yaml", *map(str, workflow.overwrite_configfiles)] + (["--config"] if _overrides else []))
_validated = rfconfig.validate(rfconfig.merge(rfconfig.merge(rfconfig.load_yaml("params.yaml"), config), _overrides),
                               source=_source, trainers=False)
if workflow.is_main_process:
    rfconfig.check_trainers(_validated, _source, stamps=Path(".snakemake/reasonforge/trainers-checked"))
config.clear()
config.update(_validated)

ENV = "../envs/reasonforge.yaml"  # for --use-conda; the default build uses .venv
SYNTHETIC = ["math", "code", "logic"]
EXTERNAL = sorted(config["tasks"]["external"])
SPLITS = ["train", "test", "ood"]


def conf(*keys):
    """A rule's params: exactly the params.yaml sub-trees it depends on, keyed by dotted path, in a
    canonical key order (Snakemake compares params by repr). `reasonforge dvc-sync` turns the keys
    into the DVC stage's `params:`."""
    return {k: rfconfig.canonical(rfconfig.subtree(config, k)) for k in sorted(keys)}


def code(script):
    """The package modules a rule's script imports, transitively: declared as inputs, so Snakemake,
    like DVC, re-runs a job when the code it runs changes (by content: Snakemake checksums inputs
    newer than the outputs, so a bare touch or a fresh clone re-runs nothing)."""
    return sorted(str(p) for p in imported_modules(Path("scripts", f"{script}.py"), Path("src")))


def threads_of(family):
    """A rule's threads, from params.yaml `resources.<family>` (not a param: no stage tracks it)."""
    return config["resources"][family]["threads"]


def resources_of(family):
    """A rule's mem_mb, runtime (minutes) and gpu count, from params.yaml `resources.<family>`; the
    SLURM profile turns them into --mem, -t and --gpus."""
    return {k: v for k, v in config["resources"][family].items() if k != "threads"}


def one_of(names):
    """Wildcard regex matching exactly these names (never matches when empty)."""
    return "|".join(map(re.escape, names)) if names else "(?!x)x"


# Where each evaluable model lives. Later stages (sft, dpo, ...) add entries here.
MODEL_DIRS = {name: f"models/base/{name}" for name in config["models"]}


def model_named(key):
    """The directory of the model the params key `key` names (`alphallm.policy: sft`), or an error
    that says which key and which names there are."""
    name = rfconfig.subtree(config, key)
    if name not in MODEL_DIRS:
        raise rfconfig.ParamsError(f"{key}: {name!r} is not a model of the DAG (models: {', '.join(MODEL_DIRS)})")
    return MODEL_DIRS[name]


def reward_model_dir(name, root="models"):
    """The directory of the reward model a params value names as `rm-<loss>`: <root>/rm/<loss>."""
    return f"{root}/rm/{rfconfig.reward_loss(name)}"


SCRATCH = [n for n, m in config["models"].items() if m["source"] == "scratch"]
PRETRAINED = [n for n, m in config["models"].items() if m["source"] == "pretrained"]


EVAL_BENCHMARKS = config["eval"]["benchmarks"]


def benchmark_splits(benchmark):
    return ["test"] if benchmark in EXTERNAL else config["eval"]["splits"]


def task_files(benchmarks):
    """The instruction tables a job evaluates: data/tasks/{benchmark}/{split}.parquet."""
    return [f"data/tasks/{b}/{s}.parquet" for b in benchmarks for s in benchmark_splits(b)]


def check_executor():
    """Before the first job (onstart): a SLURM build needs SLURM's commands on this machine. Without
    them the executor plugin failed each submission with `No such file or directory: 'sacct'`."""
    import shutil

    if workflow.executor_plugin.name != "slurm":
        return
    missing = [c for c in ("sbatch", "squeue", "scancel") if shutil.which(c) is None]
    if missing:
        raise WorkflowError(
            f"--profile profiles/slurm: SLURM's {', '.join(missing)} not found on PATH. Submit from a login node "
            "of the cluster, or build here without the SLURM profile (`snakemake --cores all`); "
            "cluster/local-slurm install sets up a one-node SLURM on this machine")


def claims_need_test(wildcards):
    """Every claim compares test-split accuracy: without it none can be computed (an input function,
    so the check runs only when a claims table is asked for)."""
    if "test" not in config["eval"]["splits"]:
        raise rfconfig.ParamsError(f"eval.splits: {config['eval']['splits']} has no test split, which every claim "
                                   "reads: add test to eval.splits to build the claims")
    return []


def dvc_commit_after_build(log):
    """After a plain `snakemake` build, record the outputs in dvc.lock so `dvc status` agrees.
    Skipped when Snakemake runs inside `dvc repro` (DVC commits itself) or without DVC."""
    if os.environ.get("REASONFORGE_UNDER_DVC") or not os.path.isdir(".dvc") or not os.path.exists("dvc.yaml"):
        return
    shell(f"{sys.executable} -m reasonforge.cli dvc-commit")


# AlphaLLM's (rules/alphallm.smk sets ALPHA_POLICY and ALPHA_ORM before any job asks)
def alpha_policy(r):
    """The policy that searches in round r (1-based): the starting policy, then round r-1's."""
    return ALPHA_POLICY if int(r) == 1 else f"models/alphallm/round{int(r) - 1}"


def seeded_critics(seed):
    """The claims' seed's own critics; the ORM too unless it is the Eurus reward model (alphallm.critics.orm)."""
    own = {k: f"models/seeds/seed{seed}/critics/{k}" for k in ("value", "prm", "orm")}
    return [own["value"], own["prm"], own["orm"] if ALPHA_ORM == "models/critics/orm" else ALPHA_ORM]
