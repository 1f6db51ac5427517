"""A job whose build dies never publishes. The build here is a stand-in process named `snakemake`
(a real Snakemake build is killed in test_workflow.py); it starts a job that writes an output
through io's atomic writes once told to, and is killed before that."""
import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from reasonforge import io, job

JOB = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    from reasonforge import io, job
    out, go, watch = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] == "watch"
    if not watch:
        job.POLL_S = 3600  # no watchdog: the publish check alone must refuse
    with job.running(None):
        with io.atomic_dir(out) as tmp:
            (tmp / "weights").write_text("from the killed build")
            Path(str(out) + ".started").write_text(str(os.getpid()))
            while not go.exists():
                time.sleep(0.05)
    print("published")
""")

BUILD = textwrap.dedent("""
    import signal, subprocess, sys
    # as from a terminal: a background shell (CI) starts its children with SIGINT ignored
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    job = subprocess.Popen([sys.executable, "-c", sys.argv[1], *sys.argv[2:]])
    sys.exit(job.wait())
""")


def start_build(tmp_path, watch: bool):
    build = tmp_path / "bin" / "snakemake"  # what the job recognises its build by
    build.parent.mkdir()
    build.write_text(BUILD)
    out, go = tmp_path / "models" / "base" / "strong", tmp_path / "go"
    proc = subprocess.Popen([sys.executable, str(build), JOB, str(out), str(go), "watch" if watch else "no"],
                            stderr=subprocess.PIPE, text=True)
    started = out.with_name("strong.started")
    deadline = time.monotonic() + 30
    while not started.exists():
        assert proc.poll() is None and time.monotonic() < deadline, "the job did not start"
        time.sleep(0.05)
    return proc, out, go, int(started.read_text())


def wait_gone(pid: int, limit: float) -> bool:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        stat = job.proc_stat(pid)
        if stat is None or stat[2] in "ZX":
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT, signal.SIGTERM])
def test_orphaned_job_refuses_to_publish(tmp_path, sig):
    proc, out, go, job_pid = start_build(tmp_path, watch=False)
    proc.send_signal(sig)  # to the build's pid alone; the job is not signalled
    proc.wait(timeout=10)
    assert job.proc_stat(job_pid) is not None  # the job outlived its build
    go.write_text("")  # now it tries to publish
    assert wait_gone(job_pid, 30)
    assert not out.exists()
    assert [p.name for p in out.parent.iterdir()] == ["strong.started"]  # its temp dir removed too


def test_watchdog_stops_an_orphan_within_seconds(tmp_path, capfd):
    proc, out, go, job_pid = start_build(tmp_path, watch=True)
    t = time.monotonic()
    proc.kill()
    proc.wait()
    assert wait_gone(job_pid, 10), "the orphan kept running"
    assert time.monotonic() - t < job.POLL_S + 3
    assert not out.exists() and [p.name for p in out.parent.iterdir()] == ["strong.started"]
    assert "the build that started this job is gone" in proc.stderr.read()


def test_job_of_a_live_build_publishes(tmp_path):
    proc, out, go, job_pid = start_build(tmp_path, watch=True)
    go.write_text("")
    assert proc.wait(timeout=30) == 0
    assert (out / "weights").read_text() == "from the killed build"


def test_owners_reach_the_outermost_build_tool(tmp_path):
    """dvc repro -> snakemake -> job: the job is owned by both (killing dvc abandons it too)."""
    relay = "import subprocess, sys\nsubprocess.run([sys.executable, *sys.argv[1:]], check=True)\n"
    for name in ("dvc", "snakemake"):
        (tmp_path / name).write_text(relay)
    code = "import json\nfrom reasonforge import job\nprint(json.dumps(job.build_owners()))"
    r = subprocess.run([sys.executable, str(tmp_path / "dvc"), str(tmp_path / "snakemake"), "-c", code],
                       capture_output=True, text=True, check=True)
    owners = json.loads(r.stdout)
    assert [o[2].split()[1] for o in owners] == [str(tmp_path / "snakemake"), str(tmp_path / "dvc")]
    assert job.build_owners() == []  # pytest is not a build: nothing guards it
    job.check_owner("anything")


def test_publish_refused_message_says_incomplete(monkeypatch, tmp_path):
    dead = subprocess.Popen(["true"])
    dead.wait()
    monkeypatch.setattr(job, "_owners", [(dead.pid, 1, "snakemake --cores 2")])
    with pytest.raises(job.Abandoned, match=r"strong: incomplete, not published: the build that started this job "
                                            r"is gone \(pid \d+ \(snakemake --cores 2\) exited\)"):
        with io.atomic_dir(tmp_path / "strong") as tmp:
            (tmp / "w").write_text("x")
    assert os.listdir(tmp_path) == []


def test_next_write_removes_what_a_killed_job_left(tmp_path):
    dead = subprocess.Popen(["true"])
    dead.wait()
    left = tmp_path / f".strong.incomplete-{dead.pid}-abc"
    left.mkdir()
    (left / "half").write_text("x")
    live = tmp_path / f".strong.incomplete-{os.getpid()}-def"  # a live writer's: kept
    live.mkdir()
    with io.atomic_dir(tmp_path / "strong") as tmp:
        (tmp / "w").write_text("x")
    assert sorted(os.listdir(tmp_path)) == [live.name, "strong"]


def test_a_stop_signal_waits_for_the_step_and_a_second_one_does_not(capfd):
    before = signal.getsignal(signal.SIGTERM)
    with job.stop_at_step_end():
        assert job.stop_requested() is None
        os.kill(os.getpid(), signal.SIGTERM)
        assert job.stop_requested() == signal.SIGTERM  # noted; the process goes on to the step's end
        with pytest.raises(SystemExit) as second:
            os.kill(os.getpid(), job.WARNING_SIGNAL)
        assert second.value.code == 128 + job.WARNING_SIGNAL
    assert signal.getsignal(signal.SIGTERM) is before  # the handlers outside a trainer are back
    assert "SIGTERM: saving a checkpoint at the end of this step" in capfd.readouterr().err
    with pytest.raises(SystemExit):
        job.exit_if_stopped(None)  # the first signal, consumed


def test_a_warning_that_comes_before_the_trainer_runs_is_kept_for_it(tmp_path, monkeypatch):
    """SLURM sends its warning once: a job that gets it while loading must still stop at its first step."""
    monkeypatch.setattr(job, "_owners", [])
    saved = {s: signal.getsignal(s) for s in (signal.SIGTERM, job.WARNING_SIGNAL)}
    try:
        with job.running(None):
            os.kill(os.getpid(), job.WARNING_SIGNAL)  # while the job loads its data
            with job.stop_at_step_end():
                assert job.stop_requested() == job.WARNING_SIGNAL
            monkeypatch.delenv("SLURM_JOB_ID", raising=False)
            with pytest.raises(SystemExit) as stopped:
                job.exit_if_stopped(tmp_path)
            assert stopped.value.code == 128 + job.WARNING_SIGNAL
    finally:
        for s, h in saved.items():
            signal.signal(s, h)


def _stopped_by(sig, monkeypatch, tmp_path, slurm_job):
    """exit_if_stopped after `sig`, with a stand-in scontrol on PATH that records its arguments."""
    log = tmp_path / "scontrol.args"
    fake = tmp_path / "bin" / "scontrol"
    fake.parent.mkdir(parents=True, exist_ok=True)
    fake.write_text(f"#!/bin/sh\necho \"$@\" >> {log}\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:{os.environ['PATH']}")
    if slurm_job:
        monkeypatch.setenv("SLURM_JOB_ID", slurm_job)
    else:
        monkeypatch.delenv("SLURM_JOB_ID", raising=False)
    with job.stop_at_step_end():
        os.kill(os.getpid(), sig)
    with pytest.raises(SystemExit) as stopped:
        job.exit_if_stopped(tmp_path / "checkpoint-6")
    return stopped.value.code, log.read_text() if log.exists() else ""


def test_slurms_warning_requeues_the_job_and_other_stops_do_not(monkeypatch, tmp_path, capfd):
    with job.stop_at_step_end():
        pass
    job.exit_if_stopped(None)  # no signal came: nothing happens
    code, calls = _stopped_by(job.WARNING_SIGNAL, monkeypatch, tmp_path, "4242")
    assert code == 128 + job.WARNING_SIGNAL and calls == "requeue 4242\n"
    err = capfd.readouterr().err
    assert "checkpoint-6: the next run resumes from it" in err and "SLURM job 4242 requeued" in err
    code, calls = _stopped_by(signal.SIGTERM, monkeypatch, tmp_path / "b", "4242")  # scancel, preemption: SLURM decides
    assert code == 128 + signal.SIGTERM and calls == ""
    code, calls = _stopped_by(job.WARNING_SIGNAL, monkeypatch, tmp_path / "c", None)  # not in a SLURM job
    assert code == 128 + job.WARNING_SIGNAL and calls == ""


def test_snakemake_in_a_slurm_job_ignores_the_warning_and_the_trainer_below_gets_it(tmp_path):
    """A stand-in for Snakemake's job step: it calls warning_signal_to_jobs_only (common.smk does) and
    starts a training job, and both get SLURM's warning (SLURM signals every process of the step)."""
    step = textwrap.dedent("""
        import os, signal, subprocess, sys, time
        from reasonforge import job
        job.warning_signal_to_jobs_only()
        trainer = subprocess.Popen([sys.executable, "-c", sys.argv[1]], stdout=subprocess.PIPE, text=True)
        assert trainer.stdout.readline() == "ready\\n"
        os.kill(os.getpid(), job.WARNING_SIGNAL)
        os.kill(trainer.pid, job.WARNING_SIGNAL)
        print(trainer.stdout.read().strip(), trainer.wait())
    """)
    trainer = textwrap.dedent("""
        import os, time
        from reasonforge import job
        with job.stop_at_step_end():
            print("ready", flush=True)
            while job.stop_requested() is None:
                time.sleep(0.01)
        print("saved at the step's end", job.stop_requested() == job.WARNING_SIGNAL)
    """)
    env = {**os.environ, "SLURM_JOB_ID": "7"}
    r = subprocess.run([sys.executable, "-c", step, trainer], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "saved at the step's end True 0"
