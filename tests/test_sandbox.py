"""One test per attack class of shared/notes/sandbox.md: each gets a clear result, the pool
keeps serving, and the host is unchanged afterwards."""
import json
import os
import shutil
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import reasonforge
from reasonforge.sandbox import Sandbox, SandboxError
from reasonforge.sandbox import isolation as iso
from reasonforge.sandbox.worker import descendants


@pytest.fixture(scope="module")
def sb():
    with Sandbox(workers=2, timeout=3, memory_mb=256, output_bytes=1 << 16, max_pids=32, file_mb=4, tmpfs_mb=16) as s:
        yield s


@pytest.fixture(autouse=True)
def pool_keeps_serving(sb):
    yield
    r = sb.run("print(6*7)")
    assert (r["status"], r["stdout"]) == ("ok", "42\n"), r


def run(sb, code, **kw):
    return sb.run(textwrap.dedent(code), **kw)


def test_ok_and_error(sb):
    assert run(sb, "print('hi')")["stdout"] == "hi\n"
    r = run(sb, "raise ValueError('boom')")
    assert r["status"] == "error" and r["returncode"] == 1 and "ValueError: boom" in r["stderr"]
    assert run(sb, "import sys; sys.exit(3)")["returncode"] == 3
    assert run(sb, "print(input())", stdin="abc\n")["stdout"] == "abc\n"


def test_each_snippet_gets_a_fresh_process(sb):
    """Children are forked ahead of their request; still one process per snippet, no shared state."""
    for _ in range(4):  # every worker of the pool, more than once
        r = run(sb, "import os, sys\nprint(hasattr(sys, 'marker'), os.listdir('.'))\nsys.marker = 1\nopen('left', 'w')")
        assert r["stdout"] == "False []\n", r


def test_large_and_odd_code(sb):
    big = "x = '" + "a" * 300_000 + "'\nprint(len(x))"  # several pipe buffers of code
    assert run(sb, big)["stdout"] == "300000\n"
    r = run(sb, "print('\ud800')")  # a lone surrogate reaches the compiler, not the worker
    assert r["status"] == "error"


def test_protections_are_reported(sb):
    r = run(sb, "pass")
    assert r["protections"] == sb.protections
    for p in ("rlimit-as", "rlimit-cpu", "no-new-privs"):
        assert p in r["protections"]


def test_infinite_loop(sb):
    t = time.monotonic()
    r = run(sb, "while True: pass", timeout=1)
    assert r["status"] == "timeout" and r["signal"] == 9
    assert time.monotonic() - t < 5


def test_sleeping_loop_times_out(sb):
    assert run(sb, "import time\nwhile True: time.sleep(0.1)", timeout=0.5)["status"] == "timeout"


def test_fork_bomb(sb):
    r = run(sb, """
        import os
        while True:
            try:
                os.fork()
            except OSError:
                pass
    """, timeout=2)
    assert r["status"] in ("timeout", "error", "limit")
    assert no_strays()


def test_memory_bomb_one_allocation(sb):
    r = run(sb, "x = bytearray(4 << 30)")
    assert r["status"] == "limit" and "MemoryError" in r["stderr"]


def test_memory_bomb_many_small(sb):
    r = run(sb, "xs = []\nwhile True: xs.append(bytearray(1 << 20))")
    assert r["status"] == "limit"


def test_disk_bomb_one_file(sb):
    r = run(sb, "f = open('big', 'wb')\nwhile True: f.write(b'x' * (1 << 20))")
    assert r["status"] in ("limit", "error")
    assert "File too large" in r["stderr"] or "No space" in r["stderr"]


def test_disk_bomb_many_files(sb):
    r = run(sb, "i = 0\nwhile True:\n    open(f'f{i}', 'w').write('x' * 100)\n    i += 1")
    assert r["status"] in ("error", "limit")


def test_disk_bomb_dev_shm(sb):
    r = run(sb, "f = open('/dev/shm/big', 'wb')\nwhile True: f.write(b'x' * (1 << 20))")
    assert r["status"] in ("error", "limit")
    assert run(sb, "import os; print(os.listdir('/dev/shm'))")["stdout"] == "[]\n"


@pytest.mark.parametrize("code", [
    "import socket; socket.create_connection(('1.1.1.1', 80), timeout=1)",
    "import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.sendto(b'x', ('8.8.8.8', 53))",
    "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()",
    "import socket; socket.create_connection(('127.0.0.1', 22), timeout=1)",
    "import socket; socket.socket(socket.AF_INET6, socket.SOCK_STREAM)",
])
def test_network(sb, code):
    r = run(sb, code)
    assert r["status"] == "error" and "Error" in r["stderr"]


def test_read_secret_file(sb, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("s3cr3t")
    secret.chmod(0o644)
    r = run(sb, f"print(open({str(secret)!r}).read())")
    assert r["status"] == "error" and "s3cr3t" not in r["stdout"]
    r = run(sb, "print(open('/etc/shadow').read())")
    assert r["status"] == "error"


def test_environment_is_scrubbed(sb, monkeypatch):
    os.environ["RF_SECRET_TOKEN"] = "tok123"
    try:
        r = run(sb, "import os; print(dict(os.environ)); print(open('/proc/1/environ').read())")
        assert "tok123" not in r["stdout"] + r["stderr"]
    finally:
        del os.environ["RF_SECRET_TOKEN"]


def test_cannot_change_files_outside(sb, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep")
    victim.chmod(0o666)
    tmp_path.chmod(0o777)
    for code in (f"open({str(victim)!r}, 'w').write('gone')", f"import os; os.remove({str(victim)!r})",
                 f"open({str(tmp_path / 'new.txt')!r}, 'w').write('x')", "open('/usr/evil', 'w')"):
        assert run(sb, code)["status"] == "error"
    assert victim.read_text() == "keep" and sorted(os.listdir(tmp_path)) == ["victim.txt"]
    assert not os.path.exists("/usr/evil")


def test_kill_parent_and_everything(sb):
    for code in ("import os, signal; os.kill(os.getppid(), signal.SIGKILL)",
                 "import os, signal; os.kill(-1, signal.SIGKILL)",
                 "import os, signal; os.kill(1, signal.SIGKILL)"):
        run(sb, code)
    assert os.getpid() and no_strays()


def test_background_process_does_not_outlive(sb, tmp_path):
    r = run(sb, """
        import os, time
        if os.fork() == 0:
            os.setsid()
            time.sleep(60)
        print('parent done')
    """)
    assert r["status"] == "ok" and r["stdout"] == "parent done\n"
    assert no_strays()


def test_output_flood(sb):
    r = run(sb, "while True: print('x' * 1000)")
    assert r["status"] == "limit" and r["truncated"] and len(r["stdout"]) <= 1 << 16


def test_deep_recursion(sb):
    r = run(sb, "def f(n): return f(n + 1)\nf(0)")
    assert r["status"] == "error" and "RecursionError" in r["stderr"]
    # unbounded: ends by C-stack overflow (SIGSEGV), the memory limit, or the wall clock
    r = run(sb, "import sys\nsys.setrecursionlimit(10**8)\ndef f(n): return f(n + 1)\nf(0)")
    assert r["status"] in ("error", "limit", "timeout")


def test_closed_stdout(sb):
    r = run(sb, "import os; os.close(1); os.close(2); print('x')")
    assert r["status"] in ("ok", "error")


def test_native_crash(sb):
    r = run(sb, "import ctypes; ctypes.string_at(0)")
    assert r["status"] == "error" and r["signal"] == 11


def test_namespace_and_mount_escapes(sb):
    for code in ("import os; os.unshare(os.CLONE_NEWUSER)",
                 "import ctypes; assert ctypes.CDLL(None).mount(b'none', b'/tmp', b'tmpfs', 0, None) == 0",
                 "import os; os.chroot('/tmp')",
                 "import os; os.setns(os.open('/proc/1/ns/net', os.O_RDONLY), 0)"):
        assert run(sb, code)["status"] == "error", code


def test_close_leaves_no_trace():
    before = cgroup_dirs()
    s = Sandbox(workers=2, timeout=2)
    assert s.run("print(1)")["stdout"] == "1\n"
    s.run("import os\nif os.fork() == 0:\n    import time; time.sleep(30)")
    started = {pid for w in s._all for pid in (w.proc.pid, *descendants(w.proc.pid))}
    assert len(started) >= 4  # outer worker, init and a child waiting for the next snippet, per worker
    s.close()
    assert cgroup_dirs() == before
    deadline = time.monotonic() + 5
    while (left := started & set(processes())) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not left, {pid: open(f"/proc/{pid}/stat").read() for pid in left}


def cgroup_dirs():
    root = "/sys/fs/cgroup/memory/reasonforge"
    return sorted(os.listdir(root)) if os.path.isdir(root) else []


def test_workers_run_in_parallel():
    with Sandbox(workers=2, timeout=5) as s:
        t = time.monotonic()
        rs = s.map(["import time; time.sleep(1)"] * 2)
        assert all(r["status"] == "ok" for r in rs)
        assert time.monotonic() - t < 1.9


def processes() -> dict[int, tuple[int, bool]]:
    """pid -> (parent pid, runs the worker's command line) for every process on the host."""
    out = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    worker = b"reasonforge.sandbox.worker" in f.read()
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            out[int(entry)] = (ppid, worker)
    return out


def no_strays() -> bool:
    """No snippet process outlives its snippet. Under each worker's init (PID 1 of its pid
    namespace, so also the reaper of any orphan) there is at most the one child forked ahead
    for the next snippet, and it has no children of its own. Whatever its command line."""
    time.sleep(0.2)
    procs = processes()
    workers = {pid for pid, (_, w) in procs.items() if w}
    outer = {pid for pid in workers if procs[pid][0] not in workers}
    inits = {pid for pid in workers if procs[pid][0] in outer}
    assert inits, "no sandbox workers found: the check would be vacuous"
    snippets = [pid for pid, (ppid, _) in procs.items() if ppid in inits]
    below = [pid for pid, (ppid, _) in procs.items() if ppid in snippets]
    return all(sum(procs[p][0] == i for p in snippets) <= 1 for i in inits) and not below


def test_wrong_human_eval_solution_fails_and_canonical_passes(sb):
    from reasonforge.tasks.loaders import humaneval_records

    problems = humaneval_records()
    assert len(problems) == 164
    programs = [p["prompt"] + p["canonical_solution"] + "\n" + p["test"] + f"\ncheck({p['entry_point']})\n" for p in problems]
    results = sb.map(programs, timeout=10)
    failed = [(p["task_id"], r["status"], r["stderr"][-300:]) for p, r in zip(problems, results) if r["status"] != "ok"]
    assert not failed, failed
    p = problems[0]
    wrong = p["prompt"] + "    return False\n"  # HumanEval/0 expects True on some inputs
    bad = sb.run(wrong + p["test"] + f"\ncheck({p['entry_point']})\n")
    assert bad["status"] == "error" and "AssertionError" in bad["stderr"]


def test_degraded_mode_says_what_is_active_and_still_contains(tmp_path):
    """Without namespaces, cgroups or a uid switch (a non-root cluster node): Landlock, seccomp,
    rlimits and the subreaper sweep remain, and the protections list says exactly that."""
    ours = lambda: {n for n in os.listdir("/tmp") if n.startswith("rf-sandbox-")}
    before = ours()
    with Sandbox(workers=1, timeout=2, namespaces=False, cgroups=False, uid=False,
                 accept_missing="cgroups,namespaces,own-uid") as s:
        prot = s.protections
        assert "subreaper-sweep" in prot and "pid-ns" not in prot and "cgroup-memory" not in prot
        assert "own-uid" not in prot and "rlimit-nproc" not in prot
        assert s.run("print(1)")["stdout"] == "1\n"
        assert s.run("while True: pass", timeout=0.5)["status"] == "timeout"
        r = s.run("import os, time\nif os.fork() == 0:\n    os.setsid()\n    time.sleep(60)\nprint(os.getpid())")
        orphan = int(r["stdout"])
        time.sleep(0.2)
        assert not os.path.exists(f"/proc/{orphan}") or "Z" in open(f"/proc/{orphan}/stat").read().split(")")[1][:3]
        if any(p.startswith("landlock-fs") for p in prot):
            assert s.run(f"open({str(tmp_path / 'x')!r}, 'w')")["status"] == "error"
        if "seccomp" in prot:
            assert "Address family" in s.run("import socket; socket.socket()")["stderr"]
    assert ours() == before  # its work dir is removed


def test_output_printed_before_the_deadline_is_kept(sb):
    r = run(sb, "print('before')\nwhile True: pass", timeout=0.5)
    assert (r["status"], r["stdout"]) == ("timeout", "before\n")
    r = run(sb, "import sys, time\nsys.stdout.write('partial')\ntime.sleep(30)", timeout=0.5)
    assert (r["status"], r["stdout"]) == ("timeout", "partial")  # no newline: flushed on the deadline signal
    r = run(sb, "import signal\nsignal.signal(signal.SIGUSR1, signal.SIG_IGN)\nprint(1)\nwhile True: pass", timeout=0.5)
    assert (r["status"], r["signal"], r["stdout"]) == ("timeout", 9, "1\n")  # ignoring it only delays SIGKILL


def test_refuses_to_start_without_a_protection_unless_accepted(monkeypatch):
    monkeypatch.delenv("REASONFORGE_SANDBOX_ACCEPT_MISSING", raising=False)
    with pytest.raises(SandboxError, match=r"without own-uid .*no uid drop \(turned off\).*--accept-missing own-uid"):
        Sandbox(workers=1, uid=False)
    with pytest.raises(SandboxError, match="without cgroups, namespaces on this host"):  # own-uid accepted
        Sandbox(workers=1, namespaces=False, cgroups=False, uid=False, accept_missing="own-uid")
    with pytest.raises(SandboxError, match="unknown protection"):
        Sandbox(workers=1, accept_missing="own-uid,firewall")
    monkeypatch.setenv("REASONFORGE_SANDBOX_ACCEPT_MISSING", "own-uid")
    with Sandbox(workers=1, uid=False) as s:
        assert s.missing == ["own-uid"] and s.run("import os; print(os.getuid())")["stdout"] == "0\n"


def test_bad_settings_are_refused():
    for kw in (dict(timeout=0), dict(timeout=-1), dict(workers=0), dict(memory_mb=1)):
        with pytest.raises(SandboxError, match="need timeout > 0"):
            Sandbox(**kw)


def test_uid_drop_from_a_fresh_clone_in_a_temporary_directory(tmp_path, root):
    """The checkout and a venv under a 0700 `mktemp -d` directory in /tmp, which the workers'
    private /tmp would hide: the pool still drops to its own uid, and snippets import the
    standard library and the venv's packages."""
    tmp = tmp_path / "mktemp"
    tmp.mkdir(mode=0o700)
    subprocess.run(["git", "clone", "-q", str(root), str(tmp / "clone")], check=True)
    for f in subprocess.run(["git", "ls-files", "-m", "-o", "--exclude-standard", "src"], cwd=root,
                            capture_output=True, text=True, check=True).stdout.split():
        (tmp / "clone" / f).parent.mkdir(parents=True, exist_ok=True)
        (tmp / "clone" / f).write_bytes((root / f).read_bytes())  # the working tree under test
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next((venv / "lib").glob("python*/site-packages"))
    (site / "project.pth").write_text("\n".join(p for p in sys.path if p.endswith("site-packages")) + "\n")
    code = textwrap.dedent("""
        import json, reasonforge
        from reasonforge.sandbox import Sandbox
        with Sandbox(workers=1, timeout=5) as sb:
            r = sb.run("import os, datetime, pandas; print(os.getuid(), os.path.exists('/tmp/work'))")
        print(json.dumps({"module": reasonforge.__file__, "protections": sb.protections, **r}))
    """)
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(tmp / "clone" / "src")}
    out = subprocess.run([str(venv / "bin" / "python"), "-c", code], cwd="/", env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    r = json.loads(out.stdout)
    assert r["module"].startswith(str(tmp / "clone"))
    assert {"own-uid", "rlimit-nproc"} <= set(r["protections"]), out.stderr
    uid, _ = r["stdout"].split()
    assert r["status"] == "ok" and int(uid) != 0
    assert (tmp / "clone" / "src" / "reasonforge" / "sandbox" / "worker.py").exists()  # the wipe left the checkout alone


def test_python_path_holds_tmp_and_a_directory_below_it(tmp_path):
    """A script run from /tmp puts /tmp itself on sys.path, with a checkout below it (a worktree in
    /tmp): the pool starts (it failed: /tmp bound back read-only left no room for the nested
    path), the directory below is bound back, and /tmp stays private."""
    below = tmp_path / "checkout"
    below.mkdir()
    (below / "kept.txt").write_text("x")
    loose = tmp_path.parent / f"loose-{os.getpid()}.txt"
    loose.write_text("x")
    src = str(Path(reasonforge.__file__).parent.parent)
    probe = f"import os; print(os.path.exists({str(below / 'kept.txt')!r}), os.path.exists({str(loose)!r}))"
    code = ("import json\nfrom reasonforge.sandbox import Sandbox\n"
            f"with Sandbox(workers=1, timeout=5) as sb:\n    r = sb.run({probe!r})\nprint(json.dumps([sb.protections, r]))")
    try:
        out = subprocess.run([sys.executable, "-c", code], cwd="/", capture_output=True, text=True,
                             env={"PATH": os.environ["PATH"], "PYTHONPATH": os.pathsep.join(["/tmp", str(below), src])})
    finally:
        loose.unlink()
    assert out.returncode == 0, out.stderr
    protections, r = json.loads(out.stdout)
    assert r["stdout"].split() == (["True", "False"] if "private-tmp" in protections else ["True", "True"]), r


def test_installed_package_outside_any_checkout(tmp_path):
    """A non-editable install (the package copied into a site dir of its own): same protections."""
    target = tmp_path / "site"
    shutil.copytree(Path(reasonforge.__file__).parent, target / "reasonforge")
    code = ("import json, reasonforge\nfrom reasonforge.sandbox import Sandbox\n"
            "with Sandbox(workers=1) as sb:\n    r = sb.run('import os; print(os.getuid())')\n"
            "print(json.dumps([reasonforge.__file__, sb.protections, r['stdout']]))")
    out = subprocess.run([sys.executable, "-c", code], cwd="/", capture_output=True, text=True,
                         env={"PATH": os.environ["PATH"], "PYTHONPATH": str(target)})
    assert out.returncode == 0, out.stderr
    module, protections, stdout = json.loads(out.stdout)
    assert module.startswith(str(target)) and "own-uid" in protections and int(stdout) != 0


def test_cgroup_v2_tree(tmp_path):
    """On a unified (v2) hierarchy: a `reasonforge` parent that holds no process hands memory and
    pids to a leaf per worker. This host is v1, so the files are those of a tree built here."""
    root = tmp_path / "cgroup"
    root.mkdir()
    (root / "cgroup.controllers").write_text("cpu io memory pids\n")
    (root / "cgroup.subtree_control").write_text("")
    assert iso.cgroup_version(root) == 2 and iso.cgroup_version(tmp_path) == 1
    real_mkdir = Path.mkdir

    def mkdir_like_cgroupfs(self, *a, **kw):  # the kernel fills a new cgroup with its files
        real_mkdir(self, *a, **kw)
        for f in ("cgroup.controllers", "cgroup.subtree_control", "memory.max", "memory.swap.max", "pids.max"):
            (self / f).touch()
        (self / "cgroup.controllers").write_text("memory pids\n")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Path, "mkdir", mkdir_like_cgroupfs)
        dirs = iso.cgroup_create("w1", 512 << 20, 40, root=root)
    assert dirs == [root / "reasonforge" / "w1"]
    assert (root / "cgroup.subtree_control").read_text() == "+memory +pids"
    assert (root / "reasonforge" / "cgroup.subtree_control").read_text() == "+memory +pids"
    leaf = dirs[0]
    assert ((leaf / "memory.max").read_text(), (leaf / "memory.swap.max").read_text(), (leaf / "pids.max").read_text()) \
        == (str(512 << 20), "0", "40")
    (root / "cgroup.controllers").write_text("cpu io\n")  # memory and pids not available: none made
    assert iso.cgroup_create("w2", 1 << 20, 8, root=root) == []


def test_worker_that_cannot_start_is_one_clear_error(monkeypatch, tmp_path):
    broken = tmp_path / "python"
    broken.write_text("#!/bin/sh\necho 'cannot import reasonforge' >&2\nexit 1\n")
    broken.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(broken))
    with pytest.raises(SandboxError, match="worker failed to start: cannot import reasonforge"):
        Sandbox(workers=1)
