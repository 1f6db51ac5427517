"""Execution of untrusted code: a pre-forked worker pool with namespaces, cgroups, rlimits,
Landlock and seccomp (whatever the host allows; `Sandbox.protections` says which)."""
from .pool import Sandbox

__all__ = ["Sandbox"]
