# Config loading and validation, path helpers and the params helper shared by every rule.
import os
import re
import sys
from pathlib import Path

from reasonforge import buildstate
from reasonforge import config as rfconfig
from reasonforge.dvcsync import imported_modules
from reasonforge import job

# In a SLURM job, Snakemake's processes ignore the warning signal the profile asks for before the time
# limit, which SLURM sends to every process of the job: the training job below saves a checkpoint and
# requeues itself (reasonforge/job.py).
job.warning_signal_to_jobs_only()

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
    """A rule's params: exactly the params.yaml sub-trees it depends on (dotted keys, or tuples of
    parts where a wildcard names one: `("models", w.name)`), as one pruned tree in a canonical key
    order (Snakemake compares params by repr). `reasonforge dvc-sync` makes the keys the DVC stage's
    `params:`; the script reads `cfg["eurus"]["sft"]`."""
    return rfconfig.pruned(config, keys)


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
    SLURM profile turns them into --mem, -t and --gpus. A training family with several GPUs also gets
    `launcher`, the command its job runs its script under, one process per GPU (reasonforge/trainjob.py):
    a resource, so that the dry-run shows it."""
    res = {k: v for k, v in config["resources"][family].items() if k != "threads"}
    if family == "train" and res["gpu"] > 1:
        res["launcher"] = f"torchrun --standalone --nproc_per_node {res['gpu']}"
    return res


def one_of(names):
    """Wildcard regex matching exactly these names (never matches when empty)."""
    return "|".join(map(re.escape, names)) if names else "(?!x)x"


# The seed of the main build. The rules the claims retrain take a `{seed}` wildcard (seed<N>/ in their
# paths): the main build asks for them at SEED, `snakemake claims` at each of CLAIM_SEEDS.
SEED = config["seed"]
CLAIM_SEEDS = config["claims"]["seeds"]


wildcard_constraints:
    seed=r"\d+",


def model_dir(name, seed=None, key="model"):
    """The directory of the model called `name` at `seed` (params `seed` unless given): its family's
    path template in MODELS, which the Snakefile puts together from each rules file's own dict
    (`{seed}` in the rules the claims retrain). `key` is the params key that named it, for the error."""
    if name not in MODELS:
        raise rfconfig.ParamsError(f"{key}: {name!r} is not a model of the DAG (models: {', '.join(MODELS)})")
    return MODELS[name].format(seed=SEED if seed is None else seed)


def reward_model_dir(name, seed=None):
    """The directory of the reward model a params value names as `rm-<loss>` (Eurus's, rules/eurus.smk)."""
    return f"models/eurus/seed{SEED if seed is None else seed}/rm/{rfconfig.reward_loss(name)}"


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


def need_param(value, message):
    """An input function's check that a params value a target needs is set: ParamsError(message) when it
    is not (raised only when that target is asked for), no input when it is."""
    if not value:
        raise rfconfig.ParamsError(message)
    return []


def claims_need_test(wildcards):
    """Every claim compares test-split accuracy: without it none can be computed (an input function,
    so the check runs only when a claims table is asked for)."""
    return need_param("test" in config["eval"]["splits"], f"eval.splits: {config['eval']['splits']} has no test split, "
                      "which every claim reads: add test to eval.splits to build the claims")


def dvc_commit_after_build(log):
    """After a plain `snakemake` build, record the outputs in dvc.lock so `dvc status` agrees.
    Skipped when Snakemake runs inside `dvc repro` (DVC commits itself) or without DVC."""
    if os.environ.get("REASONFORGE_UNDER_DVC") or not os.path.isdir(".dvc") or not os.path.exists("dvc.yaml"):
        return
    shell(f"{sys.executable} -m reasonforge.cli dvc-commit")
