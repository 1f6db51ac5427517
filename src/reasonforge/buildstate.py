"""What Snakemake does not see and DVC does: an output that went missing, a directory whose content
changed, a directory rebuilt byte-identical. Installed by rules/common.smk.

Seen on the smoke DAG (Snakemake 9.27):
- A job that fails or is killed has its outputs deleted by Snakemake, and Snakemake does not rebuild
  a missing output that is not a target's (dag.py `update_needrun` treats it as a deleted temp
  file): after `kill -9` of `train_sft` the next run said "Nothing to be done" while everything
  downstream was built from the old model, and `dvc status` listed 20 stale stages. A failed `-f`
  re-run left no model and nothing to do.
- A directory output is compared by its mtime (its `.snakemake_timestamp`): a file deleted inside it
  went unnoticed, and a byte-identical rebuild of a model made the 38 jobs downstream stale while
  DVC, content-addressed, called nothing stale.

So every directory a job publishes (`io.atomic_dir`) is recorded: its files' sizes, mtimes and md5s,
and when its content last changed. In the main Snakemake process (not under `dvc repro`, which
decides by content itself), before Snakemake reads any time:
1. a recorded directory whose content is as recorded gets its timestamp back to when that content
   was first published, no earlier than its job's newest input: a byte-identical rebuild makes
   nothing downstream stale (ninja's `restat`);
2. a job runs, and with it everything downstream, when an output of it is missing while another job
   of the DAG reads it, or when its directory differs from the record (a file missing, added or
   changed): the plan's reason is "Missing output files", and a warning says which and why.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from urllib.parse import quote

RECORDS = Path(".snakemake/reasonforge/published")
TIMESTAMP = ".snakemake_timestamp"  # Snakemake's mtime carrier inside a directory output


def record_path(path: str | Path) -> Path | None:
    """Where a directory's record lives: under the working directory's .snakemake, None for a path
    outside the working directory (a test's temp dir)."""
    try:
        rel = Path(path).resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return None
    return RECORDS / (quote(str(rel), safe="") + ".json")


def _listing(path: Path) -> dict[str, os.stat_result]:
    out = {}
    for root, _, files in os.walk(path):
        for name in files:
            full = Path(root, name)
            rel = str(full.relative_to(path))
            if rel != TIMESTAMP:
                out[rel] = full.stat()
    return out


def _md5(file: Path) -> str:
    h = hashlib.md5()
    with open(file, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _write(where: Path, record: dict) -> None:
    where.parent.mkdir(parents=True, exist_ok=True)
    tmp = where.with_name(f".{where.name}.{os.getpid()}")
    tmp.write_text(json.dumps(record, sort_keys=True))
    os.replace(tmp, where)


def read_record(path: str | Path) -> dict | None:
    where = record_path(path)
    try:
        return json.loads(where.read_text()) if where else None
    except (OSError, ValueError):
        return None


def record_publication(path: str | Path) -> None:
    """Called by a job right after it published the directory `path`."""
    where = record_path(path)
    if where is None:
        return
    path = Path(path)
    files = {rel: [st.st_size, st.st_mtime_ns, _md5(path / rel)] for rel, st in sorted(_listing(path).items())}
    digest = hashlib.md5(json.dumps({rel: f[2] for rel, f in files.items()}, sort_keys=True).encode()).hexdigest()
    old = read_record(path)
    changed_ns = old["changed_ns"] if old and old.get("digest") == digest else time.time_ns()
    _write(where, {"digest": digest, "changed_ns": changed_ns, "files": files})


def difference(path: str | Path, record: dict) -> str | None:
    """How the directory differs from its record (None: the same content). A file whose mtime moved
    (a DVC checkout, a copy) is hashed; when its content is the same, the record takes the new mtime
    so the next look is a stat again."""
    path = Path(path)
    listing, files = _listing(path), record["files"]
    gone, added = sorted(set(files) - set(listing)), sorted(set(listing) - set(files))
    if gone or added:
        return "; ".join(filter(None, [f"{', '.join(gone)} missing" if gone else "", f"{', '.join(added)} added" if added else ""]))
    moved = False
    for rel, st in listing.items():
        size, mtime_ns, md5 = files[rel]
        if st.st_size != size:
            return f"{rel} changed"
        if st.st_mtime_ns != mtime_ns:
            if _md5(path / rel) != md5:
                return f"{rel} changed"
            files[rel][1], moved = st.st_mtime_ns, True
    if moved:
        _write(record_path(path), record)
    return None


def snakemake_mtime_ns(path: str | Path) -> int | None:
    """The time Snakemake reads for a path: a directory's timestamp file when it has one."""
    path = Path(path)
    try:
        if path.is_dir() and (path / TIMESTAMP).is_file():
            return (path / TIMESTAMP).stat().st_mtime_ns
        return path.stat().st_mtime_ns
    except OSError:
        return None


def restat(dag) -> set[str]:
    """Timestamps of recorded directories with unchanged content set back to when that content was
    published, but no earlier than the newest input that Snakemake compares by time (a directory, or
    a file above its checksum size): the job that made them must not look stale, or it would run
    again at every build. Upstream first, so a job's inputs have their times back before its own
    outputs are looked at. Returns the paths changed."""
    changed = set()
    checksummed = getattr(dag, "max_checksum_file_size", 1_000_000)
    for level in dag.toposorted():
        for job in level:
            for out in job.output:
                stamp = Path(str(out), TIMESTAMP)
                record = read_record(str(out)) if out.is_directory and stamp.is_file() else None
                if record is None or difference(str(out), record) is not None:
                    continue
                timed = [f for f in map(str, job.input) if os.path.isdir(f) or
                         (os.path.isfile(f) and os.path.getsize(f) > checksummed)]
                back = max([record["changed_ns"], *filter(None, map(snakemake_mtime_ns, timed))])
                if stamp.stat().st_mtime_ns > back:
                    os.utime(stamp, ns=(back, back))
                    changed.add(str(out))
    return changed


def damaged(dag) -> list[tuple[object, list, str]]:
    """(job, outputs, why) for each job of the DAG that Snakemake would not
    run although an output of it is missing and read by another job of the DAG, or differs from
    what the job published."""
    found = []
    for job in dag.jobs:
        if dag.needrun(job) or dag.finished(job) or job.is_norun:
            continue
        read = {str(f) for files in dag.depending[job].values() for f in files}
        missing = [f for f in job.output if str(f) in read and not os.path.exists(str(f))]
        if missing:
            found.append((job, missing, "read by a job downstream, but gone (a failed or killed job "
                                                   "has its outputs deleted by Snakemake)"))
            continue
        for out in job.output:
            record = read_record(str(out)) if out.is_directory and os.path.isdir(str(out)) else None
            why = difference(str(out), record) if record else None
            if why:
                found.append((job, [out], f"not what {job.rule.name} published: {why}"))
    return found


def install(workflow) -> None:
    """Wrap Snakemake's needrun pass (private API: pyproject bounds Snakemake to the tested minor) so
    that, in the main process and once per DAG, recorded directories are restat-ed before it and
    damaged outputs make their jobs run after it."""
    if not workflow.is_main_process or os.environ.get("REASONFORGE_UNDER_DVC"):
        return
    from snakemake.dag import DAG
    from snakemake.logging import logger

    if getattr(DAG.update_needrun, "reasonforge", False):
        return
    original = DAG.update_needrun

    async def update_needrun(self, create_inventory=False):
        if self.workflow.touch:  # `snakemake --touch` dates what exists; it must not be asked to run anything
            return await original(self, create_inventory)
        first = not getattr(self, "_reasonforge_checked", False)
        if first:
            self._reasonforge_checked = True
            changed = restat(self)
            if changed:  # drop what Snakemake may already have read of their times
                for key in [k for k in self.workflow.iocache.mtime if str(k) in changed]:
                    del self.workflow.iocache.mtime[key]
        await original(self, create_inventory)
        if not first:
            return
        found = damaged(self)
        for job, outputs, why in found:
            logger.warning(f"reasonforge: {', '.join(map(str, outputs))}: {why}; {job.rule.name} runs again, "
                           "and everything downstream of it")
            # a damaged directory is, for Snakemake, an output to make again: only a missing output
            # among its reasons makes a job run (Reason.__bool__ ignores incomplete_output)
            self.reason(job).missing_output.update(outputs)
        if found:
            await original(self, create_inventory=False)

    update_needrun.reasonforge = True
    DAG.update_needrun = update_needrun
