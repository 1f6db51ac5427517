"""The supervisor: a pool of pre-started sandbox workers (see worker.py).

    with Sandbox(workers=2, timeout=5) as sb:
        results = sb.map(["print(1+1)", "while True: pass"])

Each result is a dict with status (ok | error | timeout | limit), returncode, signal, stdout,
stderr, duration_s, truncated and protections (the list in force). A worker that dies is
replaced; the snippet that killed it gets status "error".

The pool refuses to start (SandboxError) when a protection of the full set cannot be had on this
host (no root for a uid of its own, no cgroups, an old kernel without Landlock, ...), unless that
protection is named in `accept_missing` (or $REASONFORGE_SANDBOX_ACCEPT_MISSING): untrusted code
never silently runs with less isolation than the host was expected to give.
"""
from __future__ import annotations

import itertools
import json
import os
import queue
import select
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor

from . import isolation as iso
from .worker import recv, send

_counter = itertools.count()

# The full set, by the name `accept_missing` uses; each is in force when all its entries are in a
# worker's `protections` (a name ending in "(" matches any ABI suffix, e.g. landlock-fs(abi7)).
PROTECTIONS = {
    "cgroups": ["cgroup-memory", "cgroup-pids"],
    "namespaces": ["pid-ns", "net-ns", "mount-ns", "ipc-ns", "private-tmp"],
    "own-uid": ["own-uid", "rlimit-nproc"],
    "landlock": ["landlock-fs("],
    "seccomp": ["seccomp"],
    "no-new-privs": ["no-new-privs"],
    "rlimits": ["rlimit-cpu", "rlimit-as", "rlimit-fsize", "rlimit-nofile"],
}
ACCEPT_ENV = "REASONFORGE_SANDBOX_ACCEPT_MISSING"


class SandboxError(RuntimeError):
    """The pool cannot start, or would run with fewer protections than it was allowed to."""


def missing_protections(protections: list[str]) -> list[str]:
    """Names of PROTECTIONS not (fully) in force."""
    def held(entry):
        return any(p.startswith(entry) if entry.endswith("(") else p == entry for p in protections)
    return [name for name, entries in PROTECTIONS.items() if not all(map(held, entries))]


def parse_accept(accept: str | list[str] | None) -> set[str]:
    """`accept_missing` as a set of PROTECTIONS names ("all" = every one); None reads the env var."""
    if accept is None:
        accept = os.environ.get(ACCEPT_ENV, "")
    names = {a.strip() for a in (accept.split(",") if isinstance(accept, str) else accept) if a.strip()}
    if "all" in names:
        return set(PROTECTIONS)
    unknown = names - set(PROTECTIONS)
    if unknown:
        raise SandboxError(f"accept_missing: unknown protection(s) {', '.join(sorted(unknown))} "
                           f"(known: {', '.join(PROTECTIONS)}, all)")
    return names


class Worker:
    def __init__(self, index: int, cfg: dict):
        self.index = index
        name = f"{os.getpid()}-{index}-{next(_counter)}"
        self.cgroups = iso.cgroup_create(name, (cfg["memory_mb"] + 256) << 20, cfg["max_pids"] + 8) if cfg["cgroups"] else []
        self.notes = [] if self.cgroups else [
            "sandbox: no cgroups (" + ("turned off" if not cfg["cgroups"] else
                                       f"cannot create memory + pids cgroups (v{iso.cgroup_version()}) under {iso.CGROUP_ROOT}") + ")"]
        wcfg = dict(cfg, cgroups=[str(p) for p in self.cgroups],
                    uid=(200000 + (os.getpid() % 100000) * 16 + index) if cfg["uid"] else 0)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        # the worker's own diagnostics ("no uid drop (...)"): read back to explain a refusal
        self.stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen([sys.executable, "-c", "from reasonforge.sandbox.worker import main; main()", json.dumps(wcfg)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr, env=env, cwd="/")
        hello = recv(self.proc.stdout.fileno())
        if not hello:
            why = self.diagnostics()[-1000:] or "no message"
            self.close()
            raise SandboxError(f"worker failed to start: {why}")
        self.protections = hello["protections"]

    def diagnostics(self) -> str:
        """Why protections are missing: the pool's notes, then the worker's own lines."""
        self.stderr.seek(0)
        return "\n".join([*self.notes, self.stderr.read().decode(errors="replace").strip()]).strip()

    def request(self, req: dict, deadline: float) -> dict | None:
        """Send one request; None if the worker died, or sent nothing for `deadline` seconds."""
        out = self.proc.stdout.fileno()
        try:
            send(self.proc.stdin.fileno(), req)
            ready, _, _ = select.select([out], [], [], deadline)
            return recv(out) if ready else None
        except (OSError, ValueError):
            return None

    def close(self) -> None:
        """EOF on its stdin makes the init exit and the outer worker reap it; kill if it hangs."""
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                f.close()
            except OSError:
                pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        iso.cgroup_remove(self.cgroups)
        self.stderr.close()


class Sandbox:
    def __init__(self, workers: int | None = None, timeout: float = 5.0, memory_mb: int = 512,
                 output_bytes: int = 1 << 20, max_pids: int = 64, file_mb: int = 16, tmpfs_mb: int = 64,
                 namespaces: bool = True, cgroups: bool = True, uid: bool = True,
                 accept_missing: str | list[str] | None = None):
        """`namespaces`, `cgroups`, `uid` = False turn a protection off on purpose (tests of the
        degraded modes): it must then be accepted too. `accept_missing`: see the module doc."""
        if timeout <= 0 or memory_mb < 64 or (workers is not None and workers < 1):
            raise SandboxError(f"need timeout > 0, memory_mb >= 64, workers >= 1 (got {timeout}, {memory_mb}, {workers})")
        accepted = parse_accept(accept_missing)
        self.timeout = timeout
        self.cfg = dict(memory_mb=memory_mb, output_bytes=output_bytes, max_pids=max_pids, file_mb=file_mb,
                        tmpfs_mb=tmpfs_mb, cpu_s=int(timeout) + 2, namespaces=namespaces, cgroups=cgroups, uid=uid)
        self.n = workers or os.cpu_count() or 1
        self.notes = []  # why a protection is missing, from the pool's side
        try:
            self.cfg["seccomp"] = iso.seccomp_program().hex()
        except Exception as exc:  # libseccomp or its bindings missing: the workers go without
            self.notes.append(f"sandbox: no seccomp ({exc})")
            self.cfg["seccomp"] = ""
        self._idle: queue.Queue[Worker] = queue.Queue()
        self._all: list[Worker] = []
        self._lock = threading.Lock()
        self._add(0)
        self.protections = self._all[0].protections
        self.missing = missing_protections(self.protections)
        refused = [m for m in self.missing if m not in accepted]
        if refused:
            why = "\n".join([*self.notes, self._all[0].diagnostics()]).strip()
            self.close()
            raise SandboxError(
                f"refusing to run untrusted code without {', '.join(refused)} on this host"
                + (f" ({'; '.join(why.splitlines())})" if why else "")
                + f"; to accept that, pass accept_missing / --accept-missing {','.join(refused)} "
                  f"or set {ACCEPT_ENV}={','.join(refused)}")
        if self.missing:
            why = "; ".join(self._all[0].diagnostics().splitlines())
            print(f"sandbox: running without {', '.join(self.missing)} (accepted){': ' + why if why else ''}", file=sys.stderr)
        for i in range(1, self.n):
            self._add(i)

    def _add(self, index: int) -> None:
        w = Worker(index, self.cfg)
        with self._lock:
            self._all.append(w)
        self._idle.put(w)

    def run(self, code: str, timeout: float | None = None, stdin: str = "") -> dict:
        timeout = float(timeout or self.timeout)
        w = self._idle.get()
        result = w.request({"code": code, "timeout": timeout, "stdin": stdin}, deadline=timeout + 30)
        if result is None:  # the worker died or hung: replace it
            with self._lock:
                self._all.remove(w)
            w.close()
            self._add(w.index)
            return {"status": "error", "returncode": None, "signal": None, "stdout": "",
                    "stderr": "sandbox worker died; it was replaced", "duration_s": None,
                    "truncated": False, "protections": self.protections}
        self._idle.put(w)
        return result

    def map(self, codes: list[str], timeout: float | None = None, progress: bool = False) -> list[dict]:
        with ThreadPoolExecutor(self.n) as ex:
            futures = ex.map(lambda c: self.run(c, timeout), codes)
            if progress:
                from tqdm import tqdm

                futures = tqdm(futures, total=len(codes), desc="sandbox", unit="snippet")
            return list(futures)

    def close(self) -> None:
        with self._lock:
            workers, self._all = self._all, []
        for w in workers:
            w.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
