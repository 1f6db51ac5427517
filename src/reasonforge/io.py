"""Atomic, validating table I/O: write to a temp file in the same directory, then rename.

A schema violation raises TableError naming the file, the missing or unexpected columns, the
failing checks and their first rows; nothing is written. Every write is a job's publication, so
it is also where an abandoned job is stopped from publishing (`job.check_owner`).
"""
from __future__ import annotations

import glob
import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pandera.errors

from .buildstate import record_publication
from .job import check_owner, in_build


class TableError(ValueError):
    pass


def _temp_prefix(path: Path) -> str:
    """Temp siblings are `.{name}.incomplete-{pid}-...`: what a killed job leaves says what it is,
    and whose it was, so the next write of the same output removes it once that process is gone."""
    return f".{path.name}.incomplete-{os.getpid()}-"


def _remove_stale_temps(path: Path) -> None:
    for stale in path.parent.glob(f".{glob.escape(path.name)}.incomplete-*"):
        pid = stale.name.rsplit(".incomplete-", 1)[1].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True) if stale.is_dir() else stale.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


@contextmanager
def atomic_path(path: str | Path, suffix: str = ""):
    """Yield a temp path next to `path`; rename onto it only if the block succeeds and the build
    that started this job is still alive (see job.py)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temps(path)
    fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(path), suffix=suffix or ".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        check_owner(path)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text(path: str | Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text)


def write_json(path: str | Path, obj) -> None:
    write_text(path, json.dumps(obj, indent=2, sort_keys=True) + "\n")


def _describe_failures(cases: pd.DataFrame) -> list[str]:
    """One phrase per failed check, naming the columns, the check and its first failing rows."""
    problems = []
    for check, group in cases.groupby("check", sort=False, dropna=False):
        if check == "column_in_dataframe":
            problems.append("missing column(s) " + ", ".join(map(repr, group["failure_case"])))
        elif check == "column_in_schema":
            problems.append("unexpected column(s) " + ", ".join(map(repr, group["failure_case"])))
        elif group["index"].isna().all():  # the check itself could not run (e.g. a column it reads is missing)
            problems.append(f"check {check!r} could not run: {', '.join(map(str, group['failure_case'].unique()))}")
        elif (group["schema_context"] == "Column").all():
            for column, g in group.groupby("column", sort=False):
                rows = sorted({int(i) for i in g["index"].dropna()})
                values = ", ".join(repr(v) for v in g["failure_case"][:3])
                problems.append(f"column {column!r} failed {check} at rows {rows[:5]} (values {values})")
        else:  # a table-level check: pandera reports every column of each failing row
            rows = sorted({int(i) for i in group["index"].dropna()})
            problems.append(f"table check {check!r} failed at rows {rows[:5]}")
    return problems


def _validate(df: pd.DataFrame, schema, path) -> pd.DataFrame:
    try:
        return schema.validate(df, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        rows = sorted({int(i) for i in cases["index"].dropna() if str(i).lstrip("-").isdigit()})[:5]
        preview = df.iloc[[i for i in rows if i < len(df)]].to_string(max_colwidth=40) if rows else ""
        raise TableError(f"{path}: does not match schema {schema.__name__}: " + "; ".join(_describe_failures(cases))
                         + (f"\nfirst failing rows:\n{preview}" if preview else "")) from None
    except pandera.errors.SchemaError as exc:  # pragma: no cover - lazy=True raises SchemaErrors
        raise TableError(f"{path}: does not match schema {schema.__name__}: {exc}") from None


def write_table(df: pd.DataFrame, path: str | Path, schema) -> pd.DataFrame:
    """Validate against `schema` (a pandera model), then write parquet (or csv by suffix) atomically.
    The caller names the schema, so only the code that writes or reads a table imports it."""
    df = _validate(df.reset_index(drop=True), schema, path)
    suffix = Path(path).suffix
    with atomic_path(path, suffix=suffix) as tmp:
        if suffix == ".csv":
            df.to_csv(tmp, index=False)
        else:
            df.to_parquet(tmp, index=False)
    return df


def read_table(path: str | Path, schema) -> pd.DataFrame:
    path = Path(path)
    if not path.exists():
        raise TableError(f"{path}: no such file")
    try:
        df = pd.read_csv(path) if path.suffix == ".csv" else pd.read_parquet(path)
    except Exception as exc:
        raise TableError(f"{path}: cannot read as {path.suffix.lstrip('.')}: {exc}") from None
    return _validate(df, schema, path)


@contextmanager
def atomic_dir(path: str | Path):
    """Yield a temp directory next to `path`; it replaces `path` only if the block succeeds and the
    build that started this job is still alive. The old directory is renamed away first, so `path`
    is never a half-written directory (at worst, for an instant, absent)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temps(path)
    tmp = Path(tempfile.mkdtemp(prefix=_temp_prefix(path), dir=path.parent))
    try:
        yield tmp
        check_owner(path)
        if path.exists():
            old = Path(tempfile.mkdtemp(prefix=_temp_prefix(path), dir=path.parent))
            os.replace(path, old)
            os.replace(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if in_build():  # what Snakemake needs to compare the directory by content (buildstate.py)
        record_publication(path)
