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
