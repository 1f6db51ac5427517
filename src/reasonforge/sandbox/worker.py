"""A sandbox worker: started by the pool (`python -c "...worker import main; main()" CONFIG`).

It never runs untrusted code itself. It enters new pid/net/mount/ipc/uts namespaces (root) and
forks an init process (PID 1 of the new pid namespace) that serves requests from the pool: per
snippet, a fresh child with setsid, scrubbed env, closed fds, a private temp dir, rlimits, its
own uid, no_new_privs, Landlock and seccomp. The init enforces a wall deadline (pidfd + select),
caps output, then kills every leftover process (kill(-1) as PID 1) and wipes /tmp and /dev/shm.
"""
from __future__ import annotations

import builtins
import errno
import gc
import json
import os
import random
import resource
import select
import shutil
import signal
import struct
import sys
import tempfile
import time
import traceback
from pathlib import Path

from . import isolation as iso

# Files a Python child needs from /etc; the rest of /etc (shadow, keys) stays unreadable.
ETC_FILES = ["/etc/ld.so.cache", "/etc/localtime", "/etc/ssl", "/etc/passwd", "/etc/group",
             "/etc/nsswitch.conf", "/etc/hosts", "/etc/mime.types", "/etc/os-release"]
SYSTEM_DIRS = ["/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin"]
DEVICES = ["/dev/null", "/dev/zero", "/dev/urandom", "/dev/random", "/dev/full"]


def send(fd: int, obj) -> None:
    data = json.dumps(obj).encode()
    os.write(fd, struct.pack(">I", len(data)) + data)


def recv(fd: int):
    head = _read_exact(fd, 4)
    if head is None:
        return None
    (n,) = struct.unpack(">I", head)
    body = _read_exact(fd, n)
    return None if body is None else json.loads(body)


def _read_exact(fd: int, n: int) -> bytes | None:
    buf = b""
    while len(buf) < n:
        chunk = os.read(fd, n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def _under(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip("/") + "/")


def python_paths() -> list[str]:
    """Every directory of this Python: its install and every sys.path entry (readable by the
    snippets where the host allows; see python_install_paths for what they must read)."""
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.path.realpath(sys.executable))}
    paths.update(p for p in sys.path if p and os.path.isdir(p))
    paths.update(python_install_paths())
    return sorted(os.path.realpath(p) for p in paths)


def python_install_paths() -> list[str]:
    """What a snippet must be able to read to run: the standard library and the site-packages.
    (Other sys.path entries, e.g. Snakemake's cache of the job's script, are the supervisor's.)"""
    import sysconfig

    found = {sysconfig.get_paths()[k] for k in ("stdlib", "purelib", "platlib")}
    return sorted(os.path.realpath(p) for p in found if os.path.isdir(p))


# Imported once by the worker so that each forked child starts with them (HumanEval-style code
# imports these; a fresh import per snippet would dominate its run time).
# hashlib is left out: it maps OpenSSL (3.7 MB), which every fork would copy page tables for.
PRELOAD = ["math", "re", "collections", "itertools", "functools", "heapq", "bisect", "string", "typing",
           "random", "fractions", "decimal", "statistics", "json", "copy", "operator", "traceback"]


DEADLINE_SIGNAL = signal.SIGUSR1
DEADLINE_GRACE_S = 0.05  # for the snippet to flush what it printed; then SIGKILL


def _flush_and_die(signum, frame):
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass
    os.kill(os.getpid(), signal.SIGKILL)


class Init:
    """Serves requests inside the namespaces; one child per snippet.

    What is the same for every snippet is prepared once here: the work directory (wiped after
    each snippet, so the Landlock rule that names it stays valid), the Landlock ruleset and the
    seccomp program (compiled by the pool)."""

    def __init__(self, cfg: dict, rfd: int, wfd: int, in_pid_ns: bool, protections: list[str]):
        self.cfg, self.rfd, self.wfd, self.in_pid_ns = cfg, rfd, wfd, in_pid_ns
        self.protections = protections
        py_paths = python_paths()
        self.kept = [p for p in py_paths if in_pid_ns and (_under(p, "/tmp") or _under(p, "/dev/shm"))]
        self.uid = 0
        if not cfg["uid"]:
            print("sandbox: no uid drop (turned off)", file=sys.stderr)
        elif not in_pid_ns or os.geteuid() != 0:
            print("sandbox: no uid drop (needs root and the worker's own namespaces)", file=sys.stderr)
        else:
            try:
                iso.expose_paths(py_paths)
                unreadable = _unreadable_as(cfg["uid"], py_paths)
                if unreadable is None:
                    raise OSError(errno.EACCES, f"uid {cfg['uid']}: the readability check failed")
                install = python_install_paths()
                needed = [p for p in unreadable if p in install]
                if needed:
                    raise OSError(errno.EACCES, f"uid {cfg['uid']} cannot read {', '.join(needed)}")
                if unreadable:
                    print(f"sandbox: snippets cannot read {', '.join(unreadable)} (not needed to run)", file=sys.stderr)
                self.uid = cfg["uid"]
                protections.append("own-uid")
            except OSError as exc:
                print(f"sandbox: no uid drop ({exc})", file=sys.stderr)
        self.workdir = "/tmp/work" if in_pid_ns else tempfile.mkdtemp(prefix="rf-sandbox-")
        os.makedirs(self.workdir, mode=0o700, exist_ok=True)
        if self.uid:
            os.chown(self.workdir, self.uid, self.uid)
        self.ruleset, self.landlock = None, []
        try:
            self.ruleset, self.landlock = iso.landlock_ruleset(SYSTEM_DIRS + ETC_FILES + py_paths,
                                                               [self.workdir, "/dev/shm", *DEVICES])
        except OSError as exc:
            print(f"sandbox: no Landlock ({exc})", file=sys.stderr)
        # compiled by the pool: libseccomp's bindings would add ~1 MB to every fork here
        self.seccomp = bytes.fromhex(cfg["seccomp"]) if cfg["seccomp"] else None
        for name in PRELOAD:
            __import__(name)
        # compile() builds the ~120 AST node types on its first call in a process (PyAST_Check):
        # done here once instead of in every child (~1 ms each)
        exec(compile("pass", "<warm-up>", "exec"), {})
        self.inherited_limits = {"rlimit-as": (resource.RLIMIT_AS, cfg["memory_mb"] << 20),
                                 "rlimit-fsize": (resource.RLIMIT_FSIZE, cfg["file_mb"] << 20),
                                 "rlimit-nofile": (resource.RLIMIT_NOFILE, 256), "rlimit-core": (resource.RLIMIT_CORE, 0)}
        self._lock_down_init()
        # Objects made so far move to the GC's permanent generation: a collection in a child
        # then does not walk (and copy-on-write-fault) every page inherited from the worker.
        gc.collect()
        gc.freeze()
        # probe in a throwaway child so that `protections` says what really takes effect
        self.protections += self._probe_child_protections()

    def _lock_down_init(self) -> None:
        """What every child inherits is set once, on the init itself: a scrubbed environment and
        working directory, the rlimits but CPU time (the init's own CPU time would count),
        no_new_privs and seccomp (the init needs none of the denied syscalls once its namespaces
        exist). Per snippet that saves ~1 ms, of which 0.4 ms was loading the BPF program."""
        os.chdir(self.workdir)
        os.environ.clear()
        os.environ.update(PATH="/usr/local/bin:/usr/bin:/bin", HOME=self.workdir, TMPDIR=self.workdir, LANG="C.UTF-8")
        tempfile.tempdir = self.workdir
        sys.argv = ["<snippet>"]
        signal.signal(signal.SIGXCPU, signal.SIG_DFL)
        # a child's output is line-buffered and flushed on the deadline signal, so a snippet killed
        # at its deadline still returns what it printed before (the init never writes to stdout)
        sys.stdout.reconfigure(line_buffering=True)
        signal.signal(DEADLINE_SIGNAL, _flush_and_die)
        iso.set_rlimits(dict(self.inherited_limits.values()))
        iso.prctl(iso.PR_SET_NO_NEW_PRIVS, 1)
        if self.seccomp is not None:
            iso.seccomp_apply(self.seccomp)

    def _probe_child_protections(self) -> list[str]:
        def probe():
            inherited = self._inherited()  # before Landlock hides /proc
            return self._lock_down() + inherited
        return in_child(probe, [])

    def _lock_down(self) -> list[str]:
        """In the child: what must be fresh per snippet. Returns what took effect."""
        c = self.cfg
        limits = {resource.RLIMIT_CPU: int(c["cpu_s"])}
        if self.uid:
            limits[resource.RLIMIT_NPROC] = c["max_pids"]  # counts a uid's processes: only with a uid of its own
        iso.set_rlimits(limits)
        applied = ["rlimit-cpu"] + (["rlimit-nproc"] if self.uid else [])
        if self.uid:
            os.setgroups([])
            os.setgid(self.uid)
            os.setuid(self.uid)
        if self.ruleset is not None:
            iso.landlock_apply(self.ruleset)  # a domain of its own: the snippet cannot signal the init
            applied += self.landlock
        return applied

    def _inherited(self) -> list[str]:
        """In the probe child: which of the init's settings the child really has."""
        status = dict(line.split(":\t", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":\t" in line)
        checks = {name: resource.getrlimit(res)[0] == value for name, (res, value) in self.inherited_limits.items()
                  if name != "rlimit-core"}  # not a protection of its own to report
        checks.update({"no-new-privs": status.get("NoNewPrivs", "").strip() == "1",
                       "seccomp": status.get("Seccomp", "").strip() == "2"})
        return [name for name, ok in checks.items() if ok]

    def serve(self) -> None:
        send(self.wfd, {"hello": True, "protections": self.protections})
        child = self._spawn()
        while True:
            req = recv(self.rfd)
            if req is None:  # the pool closed us; the waiting child dies with us (or reads EOF)
                if not self.in_pid_ns:  # the work dir is in the host's /tmp, not a private tmpfs
                    self._sweep()
                    shutil.rmtree(self.workdir, ignore_errors=True)
                return
            send(self.wfd, self.run(child, req))
            child = self._spawn()  # forks while the pool reads this result and sends the next request

    def _spawn(self) -> tuple[int, int, int, int, int]:
        """Fork the next child ahead of its request: it locks itself down and waits on a pipe for
        its code, so the fork and lock-down overlap the round trip to the pool. It is forked after
        the previous snippet's sweep and wipe, from the init's clean state, and runs one snippet."""
        code_r, code_w = os.pipe()
        in_r, in_w = os.pipe()
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        pid = iso.fast_fork()
        if pid == 0:
            self._child(code_r, in_r, out_w, err_w)
        for fd in (code_r, in_r, out_w, err_w):
            os.close(fd)
        return pid, code_w, in_w, out_r, err_r

    def run(self, child: tuple[int, int, int, int, int], req: dict) -> dict:
        pid, code_w, in_w, out_r, err_r = child
        start = time.monotonic()
        try:
            send(code_w, req["code"])  # the child blocks reading it, so a long snippet streams through
            os.write(in_w, req.get("stdin", "").encode()[:65536])
        except OSError:  # the child is gone (killed in its set-up): its exit status says so
            pass
        os.close(code_w)
        os.close(in_w)
        result = self._supervise(pid, out_r, err_r, start, float(req["timeout"]))
        self._sweep()
        # wipe what the snippet left: its work dir, and in the private tmpfs /tmp and /dev/shm
        # (never the directories that hold Python paths bound back from the host: read-only anyway)
        wipe = [self.workdir] + (["/tmp", "/dev/shm"] if self.in_pid_ns else [])
        for d in wipe:
            for name in os.listdir(d):
                p = os.path.join(d, name)
                if p == self.workdir or any(_under(k, p) for k in self.kept):
                    continue
                shutil.rmtree(p, ignore_errors=True) if os.path.isdir(p) and not os.path.islink(p) else os.unlink(p)
        result["protections"] = self.protections
        return result

    def _child(self, code_r: int, in_r: int, out_w: int, err_w: int) -> None:
        try:
            os.setsid()
            os.dup2(in_r, 0)
            os.dup2(out_w, 1)
            os.dup2(err_w, 2)
            self._lock_down()  # uses the ruleset fd: before closing fds
            os.dup2(code_r, 3)
            iso.close_fds_from(4)
            random.seed()  # fast_fork skipped the at-fork reseed: snippets must not share a stream
            # sys.stdin/stdout/stderr already wrap fds 0/1/2 (now the pipes); the worker never
            # read or wrote them, so their buffers are empty and they can be reused as they are
        except BaseException:
            os.write(2, ("sandbox setup failed:\n" + traceback.format_exc()).encode())
            os._exit(70)
        code = recv(3)
        if code is None:  # the init went away before a request came
            os._exit(0)
        os.close(3)
        rc = 0
        try:
            exec(compile(code, "<snippet>", "exec"), {"__name__": "__main__", "__builtins__": builtins})
        except SystemExit as exc:
            rc = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            if not isinstance(exc.code, (int, type(None))):
                print(exc.code, file=sys.stderr)
        except BaseException as exc:
            traceback.print_exception(type(exc), exc, exc.__traceback__.tb_next)  # hide this frame
            rc = 1
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:
                pass
        os._exit(rc & 0xFF)

    def _supervise(self, pid: int, out_r: int, err_r: int, start: float, timeout: float) -> dict:
        limit = self.cfg["output_bytes"]
        bufs = {out_r: bytearray(), err_r: bytearray()}
        pidfd = os.pidfd_open(pid)
        for fd in bufs:
            os.set_blocking(fd, False)
        reason, exited = None, False
        open_fds = set(bufs)
        while not exited:
            left = start + timeout - time.monotonic()
            if left <= 0:
                reason = "timeout"
                break
            ready, _, _ = select.select([pidfd, *open_fds], [], [], left)
            for fd in ready:
                if fd == pidfd:
                    exited = True
                    continue
                chunk = self._read_some(fd)
                if chunk is None:
                    open_fds.discard(fd)
                else:
                    bufs[fd] += chunk
            if sum(map(len, bufs.values())) > limit:
                reason = "limit"
                break
        if not exited:
            if reason == "timeout":  # let it flush what it printed (it dies by SIGKILL either way)
                os.kill(pid, DEADLINE_SIGNAL)
                select.select([pidfd], [], [], DEADLINE_GRACE_S)
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        _, status = os.waitpid(pid, 0)
        duration = time.monotonic() - start
        for fd in list(open_fds):  # drain what is already in the pipes, without waiting
            while len(bufs[fd]) <= limit and (chunk := self._read_some(fd)):
                bufs[fd] += chunk
        os.close(pidfd)
        os.close(out_r)
        os.close(err_r)
        stdout = bytes(bufs[out_r][:limit]).decode("utf-8", "replace")
        stderr = bytes(bufs[err_r][:limit]).decode("utf-8", "replace")
        sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
        rc = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -sig
        if reason is None:
            last = stderr.strip().splitlines()[-1] if stderr.strip() else ""
            if sig in (signal.SIGXCPU, signal.SIGXFSZ) or last.startswith("MemoryError") or "File too large" in last:
                reason = "limit"
            elif sig == signal.SIGKILL:  # not ours: the cgroup OOM killer
                reason = "limit"
            else:
                reason = "ok" if rc == 0 else "error"
        return {"status": reason, "returncode": rc, "signal": sig, "stdout": stdout, "stderr": stderr,
                "duration_s": round(duration, 4), "truncated": any(len(b) > limit for b in bufs.values())}

    @staticmethod
    def _read_some(fd: int) -> bytes | None:
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            return b""
        return chunk or None

    def _sweep(self) -> None:
        """Kill every process the snippet left behind, then reap them."""
        for _ in range(100):
            if self.in_pid_ns:
                try:
                    os.kill(-1, signal.SIGKILL)  # PID 1: every process in the namespace but us
                except ProcessLookupError:
                    pass
            else:
                for pid in descendants(os.getpid()):
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
            try:
                while os.waitpid(-1, 0):
                    pass
            except ChildProcessError:
                pass
            if not self.in_pid_ns and descendants(os.getpid()):
                continue
            return


def _unreadable_as(uid: int, paths: list[str]) -> list[str] | None:
    """The paths that `uid` cannot list and enter, checked in a throwaway child (a snippet run as
    that uid would otherwise fail to import the standard library, and look like a wrong answer);
    None if the check itself failed."""
    def check():
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
        return [p for p in paths if not os.access(p, os.R_OK | os.X_OK)]
    return in_child(check, None)


def in_child(fn, failed):
    """fn() run in a throwaway forked child, its JSON result read back (`failed` if it raised).
    The child never returns: an exception there must not unwind into the init's code."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            os.write(w, json.dumps(fn()).encode())
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(0)
    os.close(w)
    data = b"".join(iter(lambda: os.read(r, 65536), b""))
    os.close(r)
    os.waitpid(pid, 0)
    return json.loads(data) if data else failed


def descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    out, stack = [], [root]
    while stack:
        for c in children.get(stack.pop(), []):
            out.append(c)
            stack.append(c)
    return out


def main() -> None:
    cfg = json.loads(sys.argv[-1])
    iso.prctl(iso.PR_SET_PDEATHSIG, signal.SIGKILL)  # the pool dies -> we die
    rfd, wfd = os.dup(0), os.dup(1)
    devnull = os.open("/dev/null", os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(2, 1)  # stray prints must not corrupt the protocol
    sys.stdout.reconfigure(errors="replace")
    sys.stderr.reconfigure(errors="replace")
    protections = []
    if cfg["cgroups"]:
        try:
            iso.cgroup_join([Path(p) for p in cfg["cgroups"]])
            protections += ["cgroup-memory", "cgroup-pids"]
        except OSError as exc:
            print(f"sandbox: no cgroups ({exc})", file=sys.stderr)
    in_ns = False
    if not cfg["namespaces"]:
        print("sandbox: no namespaces (turned off)", file=sys.stderr)
    else:
        flags = iso.CLONE_NEWNS | iso.CLONE_NEWNET | iso.CLONE_NEWPID | iso.CLONE_NEWIPC | iso.CLONE_NEWUTS
        uid, gid = os.getuid(), os.getgid()
        try:
            if os.geteuid() != 0:
                iso.unshare(iso.CLONE_NEWUSER | flags)
                iso.write_file("/proc/self/setgroups", "deny")
                iso.write_file("/proc/self/uid_map", f"0 {uid} 1")
                iso.write_file("/proc/self/gid_map", f"0 {gid} 1")
                protections.append("user-ns")
            else:
                iso.unshare(flags)
            in_ns = True
        except OSError as exc:
            print(f"sandbox: no namespaces ({exc})", file=sys.stderr)
    if in_ns:
        pid = os.fork()  # the first child of a new pid namespace is its PID 1
        if pid:
            os.close(rfd)
            os.close(wfd)
            _, status = os.waitpid(pid, 0)
            os._exit(os.waitstatus_to_exitcode(status) & 0xFF)
        iso.prctl(iso.PR_SET_PDEATHSIG, signal.SIGKILL)
        iso.mount(None, "/", None, iso.MS_REC | iso.MS_PRIVATE)
        iso.mount("proc", "/proc", "proc", iso.MS_NOSUID | iso.MS_NODEV)
        # A checkout or venv under /tmp (`mktemp -d`, pytest's tmp_path) would vanish under the
        # private tmpfs: held open first, bound back read-only at the same path.
        private = ["/tmp", "/dev/shm"]
        # Only paths strictly below them, and only the outermost of nested ones: /tmp itself on
        # sys.path (a script run from /tmp) would undo the private /tmp, and a path bound back
        # read-only leaves no room to make the parent of one nested in it.
        below = [p for p in python_paths() if any(_under(p, d) and p != d for d in private)]
        kept = iso.hold_paths([p for p in below if not any(q != p and _under(p, q) for q in below)])
        size = f"size={cfg['tmpfs_mb']}m,nr_inodes=4096,mode=1777"
        for d in private:
            iso.mount("tmpfs", d, "tmpfs", iso.MS_NOSUID | iso.MS_NODEV, size)
        iso.bind_back(kept)
        protections += ["pid-ns", "net-ns", "mount-ns", "ipc-ns", "private-tmp"]
    else:
        iso.prctl(iso.PR_SET_CHILD_SUBREAPER, 1)
        protections.append("subreaper-sweep")
    Init(cfg, rfd, wfd, in_ns, protections).serve()
    os._exit(0)


if __name__ == "__main__":
    main()
