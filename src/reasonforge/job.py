"""The Snakemake job a script runs as: its log, and the build that owns it.

A job publishes its outputs through `io`'s atomic writes. A job whose build has gone must never
publish: seen on the foundation, a `pretrain` job orphaned by `kill -9` of snakemake kept training,
and 12 s after a re-run with other params had finished it renamed its own model over the new one,
which Snakemake then called up to date.

`running()` records, when the job starts, the processes between it and the outermost `snakemake`
or `dvc` process above it (pid and start time, so a reused pid does not pass for the original).
Whatever way that build dies (kill -9, SIGINT or SIGTERM to snakemake alone, a `dvc repro` above it
killed), one of them is gone or has become a zombie. `check_owner()`, called by every atomic write
just before its rename, then refuses to publish; a watchdog thread checks once a second and stops
the job (SIGTERM, then SIGKILL), so an orphan neither publishes nor keeps the CPU busy.
A process with no build tool above it (tests, a notebook) is owned by nobody and is not guarded.

A training job stops at a step's end instead (`stop_at_step_end()`): SIGTERM (scancel, preemption, the
watchdog above) or SLURM's warning before the time limit (WARNING_SIGNAL, the SLURM profile's
`--signal`) makes the trainer save a checkpoint and stop; `exit_if_stopped()` then ends the job
without publishing, after putting it back in SLURM's queue when the warning came. A second signal
ends the job at once.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import traceback
import time
from contextlib import contextmanager
from pathlib import Path

BUILD_TOOLS = {"snakemake", "dvc"}
# What SLURM sends before a job's time limit (profiles/slurm: `--signal=USR1@300`), as PyTorch Lightning's
# SLURM support does: SIGTERM comes at the limit itself, KillWait seconds before SIGKILL (30 s by default).
WARNING_SIGNAL = signal.SIGUSR1
STOP_SIGNALS = (signal.SIGTERM, WARNING_SIGNAL)
POLL_S = 1.0          # watchdog period: an orphan stops within about a second
GRACE_S = 10.0        # after SIGTERM, time to clean up temp files before SIGKILL


class Abandoned(RuntimeError):
    """The build that started this job is gone: its outputs must not be published."""


def proc_stat(pid: int) -> tuple[int, int, str] | None:
    """(parent pid, start time in clock ticks since boot, state) of a process, None if none."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[1]), int(fields[19]), fields[0]


def proc_argv(pid: int) -> list[str]:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return [a.decode(errors="replace") for a in f.read().split(b"\0") if a]
    except OSError:
        return []


def is_build_tool(argv: list[str]) -> bool:
    """`snakemake ...`, `dvc ...`, `python .../snakemake ...`, `python -m snakemake ...`."""
    return any(os.path.basename(a) in BUILD_TOOLS for a in argv[:3])


def build_owners(start_pid: int | None = None) -> list[tuple[int, int, str]]:
    """(pid, start time, command) of each ancestor from the parent of `start_pid` (default: this
    process) up to the outermost build tool; empty when no build tool is an ancestor."""
    pid = os.getppid() if start_pid is None else (proc_stat(start_pid) or (0,))[0]
    chain = []
    while pid > 1:
        stat = proc_stat(pid)
        if stat is None:
            break
        argv = proc_argv(pid)
        chain.append((pid, stat[1], argv))
        pid = stat[0]
    tools = [i for i, (_, _, argv) in enumerate(chain) if is_build_tool(argv)]
    return [(pid, start, " ".join(argv[:3])) for pid, start, argv in chain[: tools[-1] + 1]] if tools else []


def gone(owners: list[tuple[int, int, str]]) -> str | None:
    """Which owner has died ("pid N (command)"), or None while all live."""
    for pid, start, cmd in owners:
        stat = proc_stat(pid)
        if stat is None or stat[1] != start or stat[2] in "ZX":
            return f"pid {pid} ({cmd})"
    return None


_owners: list[tuple[int, int, str]] = []


def in_build() -> bool:
    """Whether this process runs as a job of a build (`running()` found a build tool above it)."""
    return bool(_owners)


def check_owner(path: str | Path) -> None:
    """Raise Abandoned if this job's build has gone (called by every atomic write before publishing)."""
    who = gone(_owners)
    if who:
        raise Abandoned(f"{path}: incomplete, not published: the build that started this job is gone ({who} exited)")


def _watch(owners: list[tuple[int, int, str]]) -> None:
    while True:
        time.sleep(POLL_S)
        who = gone(owners)
        if who:
            print(f"job: the build that started this job is gone ({who} exited); stopping, nothing published",
                  file=sys.stderr, flush=True)
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(GRACE_S)
            os.kill(os.getpid(), signal.SIGKILL)


def _exit_on_signal(signum, frame):
    # an exception, so atomic writes in progress remove their temp files on the way out
    raise SystemExit(128 + signum)


@contextmanager
def running(log: str | Path | None):
    """Run a script's body as a guarded job: output to `log`, SIGTERM unwinds cleanly, and the
    outputs are published only while the build that started the job is alive."""
    global _owners
    _owners = build_owners()
    signal.signal(signal.SIGTERM, _exit_on_signal)
    # SLURM's warning is sent once; one that comes while the job loads (before its trainer runs) is kept for
    # the trainer, which then stops after its first step (seen in CI: a warning lost before training began
    # left the job to its time limit). In a job that does not train it changes nothing.
    signal.signal(WARNING_SIGNAL, lambda signum, frame: note_stop(signum))
    if _owners:
        threading.Thread(target=_watch, args=(_owners,), daemon=True, name="build-watchdog").start()
    with log_to(log):
        yield


_stop: int | None = None


def _note_stop(signum, frame):
    global _stop
    if _stop is not None:  # a second signal: no waiting for the step
        raise SystemExit(128 + signum)
    _stop = signum
    print(f"job: {signal.Signals(signum).name}: saving a checkpoint at the end of this step, then stopping",
          file=sys.stderr, flush=True)


@contextmanager
def stop_at_step_end():
    """While a trainer runs: a stop signal sets a flag the trainer reads after each step (it saves a
    checkpoint and stops), where it would otherwise end the process mid-step and lose the steps since the
    last checkpoint. A warning that came before (`running`) stands."""
    saved = {s: signal.signal(s, _note_stop) for s in STOP_SIGNALS}
    try:
        yield
    finally:
        for s, handler in saved.items():
            signal.signal(s, handler if handler is not None else signal.SIG_DFL)


def rank() -> int:
    """This process's rank among a job's processes (torchrun's RANK; trainjob.of launches them), 0 alone."""
    return int(os.environ.get("RANK", "0"))


def launched() -> bool:
    """Whether this process is one of a job's processes started by a launcher (torchrun)."""
    return "RANK" in os.environ


def note_stop(signum: int) -> None:
    """Stop at this step's end as if `signum` had come: what a rank does when another rank got the signal
    (ranks stop at the same step, or the next collective operation would wait forever)."""
    global _stop
    if _stop is None:
        _stop = signum


def stop_requested() -> int | None:
    """The stop signal a trainer must answer at this step's end (one received inside `stop_at_step_end()`,
    or SLURM's warning received before it), None when none came."""
    return _stop


def exit_if_stopped(checkpoint: str | Path | None) -> None:
    """After a trainer returns: if it stopped on a signal, end the job without publishing (exit status
    128 + the signal, as if the signal had ended it). Under SLURM after the warning signal, first put the
    job back in the queue (`scontrol requeue`): it runs again from its batch script and resumes from
    `checkpoint`; Snakemake sees it pending, not failed."""
    global _stop
    stop, _stop = _stop, None
    if stop is None:
        return
    name = signal.Signals(stop).name
    print(f"job: stopped by {name}; the last checkpoint is {checkpoint}: the next run resumes from it", file=sys.stderr)
    slurm_job = os.environ.get("SLURM_JOB_ID")
    if stop == WARNING_SIGNAL and slurm_job and rank() == 0:
        r = subprocess.run(["scontrol", "requeue", slurm_job], capture_output=True, text=True)
        print(f"job: SLURM job {slurm_job} " + ("requeued" if r.returncode == 0 else
              f"not requeued (scontrol: {r.stderr.strip() or r.returncode}): run the build again to resume"),
              file=sys.stderr)
    sys.stderr.flush()
    raise SystemExit(128 + stop)


def warning_signal_to_jobs_only() -> None:
    """In a SLURM job, Snakemake's own processes ignore the warning signal. SLURM sends it to every
    process of the job step, and Snakemake, which has no handler, died of it before the training job
    below could save (seen on the local SLURM: "task 0: User defined signal 1", the step gone). Each job
    installs its own handler (`running`): a trainer saves and requeues, other jobs run on to the limit."""
    if os.environ.get("SLURM_JOB_ID"):
        signal.signal(WARNING_SIGNAL, signal.SIG_IGN)


def run_seed(sm) -> int:
    """A job's seed: its `seed` wildcard (the claims' seeded reruns of a rule) or params.yaml's `seed`."""
    wildcard = getattr(sm.wildcards, "seed", None)
    return int(wildcard) if wildcard is not None else int(sm.params.cfg["seed"])


@contextmanager
def log_to(path: str | Path | None):
    """Send this process's stdout/stderr (fd level: subprocesses and progress bars too) to `path`."""
    if path is None:
        yield
        return
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with open(path, "a") as f:
        os.dup2(f.fileno(), 1)
        os.dup2(f.fileno(), 2)
        try:
            yield
        except BaseException as exc:
            if not isinstance(exc, (SystemExit, KeyboardInterrupt)):
                traceback.print_exc()  # into the log too, where `Error in rule` points the user
            raise
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])
