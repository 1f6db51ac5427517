"""How a training job runs, never what it builds: where its checkpoints go and how often, where it reports.

    with trainjob.of(snakemake) as tj, io.atomic_dir(out) as tmp:   # checkpoints in .checkpoints/<the output>/
        train_sft(..., trainjob=tj)    # resumes from tj.last(), saves every tj.every steps, reports to tj.report_to
    # here the output is published and the checkpoints removed; after an error or a stop both stay as they were

Both come from the rule's resources (params.yaml `resources.<family>.checkpoint_every`, a profile's
`report_to`, `--set-resources`), which no stage tracks: changing them rebuilds nothing.

**Checkpoints** live in `.checkpoints/<the job's output path>/`: outside the output, which Snakemake and DVC
delete before a job runs and which a killed job never publishes (io's atomic writes), and private to the
job (no other job has its output path). Beside them, `fingerprint.json` records what the job trains from:
its params and wildcards, and each input file's size and modification time (code included: rules list the
modules their script imports). A checkpoint left by a job with other params or inputs (a changed key, a
rebuilt start model, edited code) is deleted, never resumed: resuming it would splice two runs into one
model. Times rather than contents, so that a 7B input is not read again: a byte-identical rebuild of an
input also discards the checkpoint, which costs steps, never correctness. They use transformers' layout
(`checkpoint-<step>/`, complete once `trainer_state.json` is in it) so that its Trainer resumes and rotates
them itself; pretraining writes `checkpoint-<step>/pretrain.pt` the same way.

**Tracking**: `report_to` (none, mlflow, trackio) goes to transformers' own setting, the run named after
the job's output; the tool's own variables say where (MLFLOW_TRACKING_URI, default ./mlruns).
Pretraining, which has its own loop, logs the same way through `tracker()`.
"""
from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import job

ROOT = Path(".checkpoints")
PREFIX = "checkpoint-"                                  # transformers.trainer_utils.PREFIX_CHECKPOINT_DIR
COMPLETE = ("trainer_state.json", "pretrain.pt")        # written last: a checkpoint without one is partial
EXPERIMENT = "reasonforge"                              # the MLflow experiment / trackio project of every run


@dataclass
class TrainJob:
    dir: Path                 # the job's checkpoints
    every: int = 0            # steps between checkpoints; 0: only on a stop signal
    report_to: str = "none"   # transformers' report_to
    name: str = ""            # the run's name where it reports: the job's output

    def __enter__(self) -> "TrainJob":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:  # the job's output is published (the atomic write inside has exited)
            self.remove()

    def all(self) -> list[Path]:
        """Complete checkpoints, oldest first."""
        found = [p for p in self.dir.glob(f"{PREFIX}*") if p.name[len(PREFIX):].isdigit()
                 and any((p / name).exists() for name in COMPLETE)]
        return sorted(found, key=lambda p: int(p.name[len(PREFIX):]))

    def last(self) -> Path | None:
        found = self.all()
        return found[-1] if found else None

    def remove(self) -> None:
        """Delete the checkpoints (the output is published), and the directories left empty above them."""
        shutil.rmtree(self.dir, ignore_errors=True)
        parent = self.dir.parent
        while parent != ROOT.parent and parent.exists() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent

    def trainer_args(self) -> dict:
        """transformers TrainingArguments for this job: checkpoints in its directory (one kept: the last is all
        a resume needs), its reporting."""
        args = dict(output_dir=str(self.dir), report_to=self.report_to, run_name=self.name or None)
        if self.every:
            args.update(save_strategy="steps", save_steps=self.every, save_total_limit=1)
        self._tracking_env()
        return args

    def _tracking_env(self) -> None:
        """Every run in one experiment (project). MLflow 3 refuses its file store (./mlruns, its default
        without MLFLOW_TRACKING_URI) unless allowed: a local store with nothing to run is what a build on
        one machine wants, so it is allowed unless the user said otherwise (a server or sqlite URI needs
        nothing)."""
        if self.report_to != "none":
            os.environ.setdefault("MLFLOW_EXPERIMENT_NAME", EXPERIMENT)
            os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
            os.environ.setdefault("TRACKIO_PROJECT", EXPERIMENT)

    @contextmanager
    def tracker(self, params: dict):
        """`log(metrics, step)` for a loop of our own (pretraining): to MLflow or trackio as the trainers
        report; a no-op for none."""
        self._tracking_env()
        if self.report_to == "mlflow":
            import mlflow

            mlflow.set_experiment(os.environ.get("MLFLOW_EXPERIMENT_NAME", EXPERIMENT))
            with mlflow.start_run(run_name=self.name or None):
                mlflow.log_params(params)
                yield lambda metrics, step: mlflow.log_metrics(metrics, step=step)
        elif self.report_to == "trackio":
            import trackio

            trackio.init(project=os.environ.get("TRACKIO_PROJECT", EXPERIMENT), name=self.name or None, config=params)
            try:
                yield lambda metrics, step: trackio.log(metrics, step=step)
            finally:
                trackio.finish()
        elif self.report_to == "none":
            yield lambda metrics, step: None
        else:
            raise ValueError(f"report_to: {self.report_to!r}: one of none, mlflow, trackio")


def input_files(paths) -> list[list]:
    """[path, size, mtime_ns] of every file under the given paths (a directory: each file in it)."""
    rows = []
    for path in map(Path, paths):
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for f in files:
            st = f.stat()
            rows.append([str(f), st.st_size, st.st_mtime_ns])
    return rows


def fingerprint(inputs, params: dict, wildcards: dict) -> dict:
    return json.loads(json.dumps({"params": params, "wildcards": wildcards, "inputs": input_files(inputs)},
                                 sort_keys=True, default=str))


def checkpoint_dir(output: str | Path) -> Path:
    output = Path(output)
    return ROOT / (output.relative_to(output.anchor) if output.is_absolute() else output)


def prepare(output: str | Path, every: int = 0, report_to: str = "none", print_fn=print, **what) -> TrainJob:
    """The job that writes `output` and trains from `what` (fingerprint's arguments): a checkpoint left by
    a job of other params or inputs, and any partial one, are deleted."""
    tj = TrainJob(checkpoint_dir(output), int(every), report_to, str(output))
    stamp = tj.dir / "fingerprint.json"
    now = fingerprint(**what)
    if tj.dir.exists():
        before = json.loads(stamp.read_text()) if stamp.exists() else None
        if before != now:
            changed = sorted(k for k in now if before is None or before.get(k) != now[k])
            print_fn(f"checkpoints: {tj.dir} is from a job with other {', '.join(changed)}: deleted, training starts anew")
            shutil.rmtree(tj.dir)
        else:
            complete = set(tj.all())
            for partial in tj.dir.glob(f"{PREFIX}*"):
                if partial not in complete:
                    shutil.rmtree(partial)
    tj.dir.mkdir(parents=True, exist_ok=True)
    tmp = stamp.with_suffix(".tmp")
    tmp.write_text(json.dumps(now, indent=1))
    os.replace(tmp, stamp)
    return tj


def of(sm) -> TrainJob:
    """The training job of a Snakemake job (a script's `snakemake` object): its first output, its
    `checkpoint_every` and `report_to` resources, its inputs, params and wildcards.

    With a `launcher` resource (a training family with several GPUs, rules/common.smk) the job's first
    process prepares the checkpoints, runs the script again under the launcher (`torchrun --standalone
    --nproc_per_node N <script>`: one process per GPU, which transformers' Trainer trains as one DDP
    run) and exits with its status: rank 0 publishes the output, the other ranks end with the training
    (train/common.py). A SIGTERM to the first process goes on to the launcher, which passes it to the
    ranks: they save a checkpoint and stop."""
    resources = sm.resources
    every, report_to = getattr(resources, "checkpoint_every", 0) or 0, getattr(resources, "report_to", "none")
    if job.launched():  # a rank: the first process prepared the checkpoints
        return TrainJob(checkpoint_dir(sm.output[0]), int(every), report_to, str(sm.output[0]))
    tj = prepare(sm.output[0], every, report_to,
                 inputs=list(sm.input), params=dict(sm.params.items()), wildcards=dict(sm.wildcards.items()))
    launcher = getattr(resources, "launcher", None)
    if launcher:
        raise SystemExit(run_under(launcher, sys.argv[0]))
    return tj


def run_under(launcher: str, script: str) -> int:
    """Run `script` (Snakemake's copy of the job's script, which carries its `snakemake` object) under the
    launcher; SIGTERM is passed on to it. Returns its exit status."""
    cmd = [*shlex.split(launcher), script]
    print(f"trainjob: {' '.join(cmd)}", flush=True)
    # the launcher ignores SLURM's warning (an ignored signal stays ignored across exec, a handled one does not:
    # torchrun would die of it); its processes, which SLURM signals too, install their own (job.running)
    warning = signal.signal(job.WARNING_SIGNAL, signal.SIG_IGN)
    try:
        proc = subprocess.Popen(cmd)
    finally:
        signal.signal(job.WARNING_SIGNAL, warning)
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: proc.send_signal(signum))
    try:
        return proc.wait()
    finally:
        signal.signal(signal.SIGTERM, previous)
