"""Execution of untrusted code: a pre-forked worker pool with namespaces, cgroups, rlimits,
Landlock and seccomp (whatever the host allows; `Sandbox.protections` says which)."""

__all__ = ["Sandbox", "SandboxError"]


def __getattr__(name: str):
    # Lazy, so that a worker (`reasonforge.sandbox.worker`) does not import the pool's threads
    # and subprocess machinery: every snippet's fork copies page tables for what the worker holds.
    if name in __all__:
        from . import pool

        return getattr(pool, name)
    raise AttributeError(name)
