"""The supervisor: a pool of pre-started sandbox workers (see worker.py).

    with Sandbox(workers=2, timeout=5) as sb:
        results = sb.map(["print(1+1)", "while True: pass"])

Each result is a dict with status (ok | error | timeout | limit), returncode, signal, stdout,
stderr, duration_s, truncated and protections (the list in force). A worker that dies is
replaced; the snippet that killed it gets status "error".
"""
from __future__ import annotations

import itertools
import json
import os
import queue
import select
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

from . import isolation as iso
from .worker import recv, send

_counter = itertools.count()


class Worker:
    def __init__(self, index: int, cfg: dict):
        self.index = index
        name = f"{os.getpid()}-{index}-{next(_counter)}"
        self.cgroups = iso.cgroup_create(name, (cfg["memory_mb"] + 256) << 20, cfg["max_pids"] + 8) if cfg["cgroups"] else []
        wcfg = dict(cfg, cgroups=[str(p) for p in self.cgroups],
                    uid=(200000 + (os.getpid() % 100000) * 16 + index) if cfg["uid"] else 0)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        self.proc = subprocess.Popen([sys.executable, "-c", "from reasonforge.sandbox.worker import main; main()", json.dumps(wcfg)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, cwd="/")
        hello = recv(self.proc.stdout.fileno())
        if not hello:
            self.close()
            raise RuntimeError("sandbox worker failed to start (see stderr)")
        self.protections = hello["protections"]

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


class Sandbox:
    def __init__(self, workers: int | None = None, timeout: float = 5.0, memory_mb: int = 512,
                 output_bytes: int = 1 << 20, max_pids: int = 64, file_mb: int = 16, tmpfs_mb: int = 64,
                 namespaces: bool = True, cgroups: bool = True, uid: bool = True):
        self.timeout = timeout
        self.cfg = dict(memory_mb=memory_mb, output_bytes=output_bytes, max_pids=max_pids, file_mb=file_mb,
                        tmpfs_mb=tmpfs_mb, cpu_s=int(timeout) + 2, namespaces=namespaces, cgroups=cgroups, uid=uid)
        self.n = workers or os.cpu_count() or 1
        try:
            self.cfg["seccomp"] = iso.seccomp_program().hex()
        except Exception as exc:  # libseccomp or its bindings missing: the workers go without
            print(f"sandbox: no seccomp ({exc})", file=sys.stderr)
            self.cfg["seccomp"] = ""
        self._idle: queue.Queue[Worker] = queue.Queue()
        self._all: list[Worker] = []
        self._lock = threading.Lock()
        for i in range(self.n):
            self._add(i)
        self.protections = self._all[0].protections

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
