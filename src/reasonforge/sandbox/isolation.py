"""Linux isolation primitives for the sandbox, each optional: callers record what took effect.

ctypes wrappers for unshare/mount/Landlock/close_range/prctl; seccomp through pyseccomp (the
system libseccomp); memory + pids cgroups, v1 or v2. Nothing here is called on the supervisor's own
process: only in sandbox workers and their children.
"""
from __future__ import annotations

import ctypes
import errno
import os
import resource
import socket
import struct
from pathlib import Path

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 4, 32, 4096, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS, PR_SET_CHILD_SUBREAPER = 1, 38, 36
SYS_CLOSE_RANGE = 436
SYS_LANDLOCK_CREATE_RULESET, SYS_LANDLOCK_ADD_RULE, SYS_LANDLOCK_RESTRICT_SELF = 444, 445, 446


def _check(ret: int, what: str) -> int:
    if ret < 0:
        e = ctypes.get_errno()
        raise OSError(e, f"{what}: {os.strerror(e)}")
    return ret


def unshare(flags: int) -> None:
    _check(libc.unshare(flags), "unshare")


def mount(source: str | None, target: str, fstype: str | None, flags: int = 0, data: str | None = None) -> None:
    enc = lambda s: s.encode() if s is not None else None
    _check(libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)), f"mount {target}")


def prctl(option: int, arg: int = 0) -> None:
    _check(libc.prctl(option, ctypes.c_ulong(arg), 0, 0, 0), f"prctl {option}")


def close_fds_from(lowest: int) -> None:
    """close_range(lowest, ~0): much faster than closing fds one by one."""
    if libc.syscall(SYS_CLOSE_RANGE, lowest, 0xFFFFFFFF, 0) < 0:
        os.closerange(lowest, 65536)


_pyapi = ctypes.PyDLL(None)  # calls hold the GIL


def fast_fork() -> int:
    """fork(2) without Python's at-fork hooks (thread and lock re-initialisation, ~1 ms in a
    process that imported threading). Only for single-threaded processes such as the sandbox
    worker; a child that needs fresh randomness must reseed (see worker._child)."""
    pid = _pyapi.fork()
    if pid < 0:
        raise OSError(ctypes.get_errno(), "fork failed")
    return pid


def write_file(path: str | Path, text: str) -> None:
    with open(path, "w") as f:
        f.write(text)


def expose_paths(paths: list[str]) -> list[str]:
    """In a private mount namespace, make every directory on `paths` traversable by other users:
    a directory without o+x (e.g. /root, or a 0700 temp dir further down) is covered by a tmpfs
    holding only bind mounts of the entries the paths need, which hides the rest of it. Deeper
    such directories are covered in later rounds, once the bind above them shows them. Returns
    the covered dirs."""
    covered: list[str] = []
    real = [Path(os.path.realpath(p)).parts for p in paths]
    while True:
        blocked = set()
        for parts in real:
            for i in range(1, len(parts) - 1):
                d = os.path.join(*parts[: i + 1])
                if not os.stat(d).st_mode & 0o001:
                    blocked.add(d)
                    break
        if not blocked:
            return covered
        for d in sorted(blocked):
            # every entry below d that any path needs, so d is covered once
            names = sorted({parts[len(Path(d).parts)] for parts in real
                            if len(parts) > len(Path(d).parts) and os.path.join(*parts[: len(Path(d).parts)]) == d})
            held = {os.path.join(d, n): os.open(os.path.join(d, n), os.O_PATH) for n in names}
            mount("tmpfs", d, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=64k")
            for target, fd in held.items():
                _bind(fd, target)
            covered.append(d)


def hold_paths(paths: list[str]) -> dict[str, int]:
    """O_PATH fds of `paths`, taken before a mount hides them (see bind_back)."""
    held = {}
    for p in paths:
        try:
            held[p] = os.open(p, os.O_PATH | os.O_CLOEXEC)
        except OSError:
            pass
    return held


def bind_back(held: dict[str, int]) -> None:
    """Bind each held path, read-only, at its own path again (its parent directories made afresh,
    mode 0755, in the mount that hid it)."""
    for path, fd in held.items():
        os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
        _bind(fd, path, readonly=True)


def _bind(fd: int, target: str, readonly: bool = False) -> None:
    """Bind-mount what the O_PATH `fd` refers to at `target` (made as a dir or an empty file); closes fd."""
    src = f"/proc/self/fd/{fd}"
    if os.path.isdir(src):
        os.makedirs(target, mode=0o755, exist_ok=True)
    else:
        open(target, "a").close()
    mount(src, target, None, MS_BIND | MS_REC)
    if readonly:
        mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY)
    os.close(fd)


# ---------------------------------------------------------------------------------- Landlock
FS_EXECUTE, FS_WRITE_FILE, FS_READ_FILE, FS_READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
FS_REMOVE_DIR, FS_REMOVE_FILE, FS_MAKE_CHAR, FS_MAKE_DIR = 1 << 4, 1 << 5, 1 << 6, 1 << 7
FS_MAKE_REG, FS_MAKE_SOCK, FS_MAKE_FIFO, FS_MAKE_BLOCK, FS_MAKE_SYM = 1 << 8, 1 << 9, 1 << 10, 1 << 11, 1 << 12
FS_REFER, FS_TRUNCATE, FS_IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1
SCOPE_ABSTRACT_UNIX, SCOPE_SIGNAL = 1 << 0, 1 << 1
FILE_ONLY = FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_TRUNCATE | FS_IOCTL_DEV
READ = FS_EXECUTE | FS_READ_FILE | FS_READ_DIR


def landlock_abi() -> int:
    ret = libc.syscall(SYS_LANDLOCK_CREATE_RULESET, None, 0, 1)  # LANDLOCK_CREATE_RULESET_VERSION
    return ret if ret > 0 else 0


def _fs_rights(abi: int) -> int:
    rights = (1 << 13) - 1
    if abi >= 2:
        rights |= FS_REFER
    if abi >= 3:
        rights |= FS_TRUNCATE
    if abi >= 5:
        rights |= FS_IOCTL_DEV
    return rights


def landlock_ruleset(read_paths: list[str], write_paths: list[str]) -> tuple[int, list[str]]:
    """Build (once) a ruleset: filesystem allow-list, TCP deny and signal/abstract-socket
    scoping where the ABI has them. Returns (ruleset fd, names of the protections)."""
    abi = landlock_abi()
    if abi < 1:
        raise OSError(errno.ENOSYS, "Landlock unavailable")
    handled_fs = _fs_rights(abi)
    handled_net = NET_BIND_TCP | NET_CONNECT_TCP if abi >= 4 else 0
    scoped = SCOPE_ABSTRACT_UNIX | SCOPE_SIGNAL if abi >= 6 else 0
    attr = struct.pack("QQQ", handled_fs, handled_net, scoped)
    size = 8 if abi < 4 else (16 if abi < 6 else 24)
    buf = ctypes.create_string_buffer(attr[:size], size)
    ruleset = _check(libc.syscall(SYS_LANDLOCK_CREATE_RULESET, buf, ctypes.c_size_t(size), 0), "landlock_create_ruleset")
    for paths, access in ((read_paths, READ), (write_paths, handled_fs)):
        for p in paths:
            try:
                fd = os.open(p, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue
            rights = access & handled_fs
            if not os.path.isdir(p):
                rights &= FILE_ONLY
            rule = ctypes.create_string_buffer(struct.pack("=Qi", rights, fd), 12)
            try:
                _check(libc.syscall(SYS_LANDLOCK_ADD_RULE, ruleset, 1, rule, 0), f"landlock_add_rule {p}")
            finally:
                os.close(fd)
    applied = [f"landlock-fs(abi{abi})"] + (["landlock-tcp"] if handled_net else []) + \
        (["landlock-signal-scope"] if scoped else [])
    return ruleset, applied


def landlock_apply(ruleset: int) -> None:
    """Restrict this process (and its future children) to the ruleset; sets no_new_privs."""
    prctl(PR_SET_NO_NEW_PRIVS, 1)
    _check(libc.syscall(SYS_LANDLOCK_RESTRICT_SELF, ruleset, 0), "landlock_restrict_self")


# ---------------------------------------------------------------------------------- seccomp
DENIED_SYSCALLS = [
    "ptrace", "process_vm_readv", "process_vm_writev", "mount", "umount2", "pivot_root", "chroot",
    "unshare", "setns", "kexec_load", "init_module", "finit_module", "delete_module", "reboot",
    "swapon", "swapoff", "bpf", "perf_event_open", "keyctl", "add_key", "request_key", "userfaultfd",
    "io_uring_setup", "open_by_handle_at", "name_to_handle_at", "fanotify_init", "syslog",
    "settimeofday", "clock_settime", "sethostname", "setdomainname", "acct", "quotactl",
]


def seccomp_program() -> bytes:
    """Deny every socket family but AF_UNIX (EAFNOSUPPORT) and the syscalls that reach kernel or
    namespace state (EPERM). Compiled to BPF once per worker; `seccomp_apply` loads it."""
    import pyseccomp as sc

    f = sc.SyscallFilter(defaction=sc.ALLOW)
    f.add_rule(sc.ERRNO(errno.EAFNOSUPPORT), "socket", sc.Arg(0, sc.NE, socket.AF_UNIX))
    f.add_rule(sc.ERRNO(errno.EAFNOSUPPORT), "socketpair", sc.Arg(0, sc.NE, socket.AF_UNIX))
    for name in DENIED_SYSCALLS:
        try:
            f.add_rule(sc.ERRNO(errno.EPERM), name)
        except Exception:  # syscall unknown on this arch
            pass
    import tempfile

    with tempfile.TemporaryFile() as out:
        f.export_bpf(out)
        out.seek(0)
        return out.read()


PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def seccomp_apply(program: bytes) -> None:
    """Load a compiled BPF filter (needs no_new_privs, set by landlock_apply or here)."""
    prctl(PR_SET_NO_NEW_PRIVS, 1)
    buf = ctypes.create_string_buffer(program, len(program))
    prog = _SockFprog(len(program) // 8, ctypes.addressof(buf))
    _check(libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0), "seccomp")


# ---------------------------------------------------------------------------------- cgroups
CGROUP_ROOT = Path("/sys/fs/cgroup")
CONTROLLERS = ("memory", "pids")


def cgroup_version(root: Path = CGROUP_ROOT) -> int:
    """2 on a unified hierarchy (cgroup.controllers at the root), else 1 (v1 or hybrid, where the
    memory and pids controllers sit in v1 hierarchies)."""
    return 2 if (root / "cgroup.controllers").exists() else 1


def cgroup_create(name: str, memory_bytes: int, max_pids: int, root: Path = CGROUP_ROOT) -> list[Path]:
    """Memory + pids cgroups named `name`, v1 or v2; returns their dirs (empty if not permitted:
    the worker then reports no cgroup protections and the pool refuses unless that is accepted)."""
    return (_cgroup_create_v2 if cgroup_version(root) == 2 else _cgroup_create_v1)(name, memory_bytes, max_pids, root)


def _cgroup_create_v1(name: str, memory_bytes: int, max_pids: int, root: Path) -> list[Path]:
    made = []
    try:
        mem = root / "memory" / "reasonforge" / name
        mem.mkdir(parents=True, exist_ok=True)
        made.append(mem)
        write_file(mem / "memory.limit_in_bytes", str(memory_bytes))
        pids = root / "pids" / "reasonforge" / name
        pids.mkdir(parents=True, exist_ok=True)
        made.append(pids)
        write_file(pids / "pids.max", str(max_pids))
    except OSError:
        cgroup_remove(made)
        return []
    return made


def _own_cgroup_v2(root: Path) -> Path:
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        if line.startswith("0::"):
            return root / line[3:].lstrip("/")
    return root


def _cgroup_create_v2(name: str, memory_bytes: int, max_pids: int, root: Path) -> list[Path]:
    """Under `reasonforge/` in the root cgroup (root on the host) or, failing that, in this
    process's own cgroup (a delegated subtree). v2 lets a cgroup hand controllers to children only
    while it holds no processes itself (the root excepted), so `reasonforge/` stays empty: the
    workers sit in its leaves. The leaf gets memory.max, memory.swap.max = 0 (else a memory bomb
    swaps instead of being killed) and pids.max."""
    wanted = " ".join(f"+{c}" for c in CONTROLLERS)
    for base in dict.fromkeys([root, _own_cgroup_v2(root)]):
        leaf = None
        try:
            if not set(CONTROLLERS) <= set((base / "cgroup.controllers").read_text().split()):
                continue
            write_file(base / "cgroup.subtree_control", wanted)
            parent = base / "reasonforge"
            parent.mkdir(exist_ok=True)
            write_file(parent / "cgroup.subtree_control", wanted)
            leaf = parent / name
            leaf.mkdir()
            write_file(leaf / "memory.max", str(memory_bytes))
            if (leaf / "memory.swap.max").exists():
                write_file(leaf / "memory.swap.max", "0")
            write_file(leaf / "pids.max", str(max_pids))
            return [leaf]
        except OSError:
            if leaf is not None:
                cgroup_remove([leaf])
    return []


def cgroup_join(dirs: list[Path]) -> None:
    for d in dirs:
        write_file(d / "cgroup.procs", str(os.getpid()))


def cgroup_remove(dirs: list[Path], wait_s: float = 5.0) -> None:
    """rmdir each cgroup, retrying while its last processes finish dying."""
    import time

    deadline = time.monotonic() + wait_s
    for d in dirs:
        while d.exists():
            try:
                d.rmdir()
            except OSError:
                if time.monotonic() > deadline:
                    break
                time.sleep(0.02)


# ---------------------------------------------------------------------------------- rlimits
def set_rlimits(limits: dict[int, int]) -> None:
    """Hard and soft limit alike, so the snippet cannot raise them again."""
    for res, val in limits.items():
        resource.setrlimit(res, (val, val))
