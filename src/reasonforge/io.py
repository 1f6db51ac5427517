"""Atomic, validating table I/O: write to a temp file in the same directory, then rename.

A schema violation raises TableError naming the file, the failing columns and checks, and the
first failing rows; nothing is written.
"""
from __future__ import annotations

import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pandera.errors

from .tables import schema_for


class TableError(ValueError):
    pass


@contextmanager
def atomic_path(path: str | Path, suffix: str = ""):
    """Yield a temp path next to `path`; rename onto it only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix or ".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text(path: str | Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text)


def write_json(path: str | Path, obj) -> None:
    write_text(path, json.dumps(obj, indent=2, sort_keys=True) + "\n")


def _validate(df: pd.DataFrame, schema, path) -> pd.DataFrame:
    try:
        return schema.validate(df, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        problems = []
        for (context, column, check), _ in cases.groupby(["schema_context", "column", "check"], dropna=False):
            where = f"column {column!r}" if context == "Column" else "table"
            problems.append(f"{where} failed {check}")
        rows = sorted({int(i) for i in cases["index"].dropna() if str(i).lstrip("-").isdigit()})[:5]
        preview = df.iloc[[i for i in rows if i < len(df)]].to_string(max_colwidth=40) if rows else ""
        raise TableError(
            f"{path}: does not match schema {schema.__name__}: {'; '.join(sorted(set(problems)))}; "
            f"first failing rows {rows}\n{preview}"
        ) from None
    except pandera.errors.SchemaError as exc:  # pragma: no cover - lazy=True raises SchemaErrors
        raise TableError(f"{path}: does not match schema {schema.__name__}: {exc}") from None


def write_table(df: pd.DataFrame, path: str | Path, schema=None) -> pd.DataFrame:
    """Validate, then write parquet (or csv by suffix) atomically."""
    schema = schema or schema_for(str(path))
    df = _validate(df.reset_index(drop=True), schema, path)
    suffix = Path(path).suffix
    with atomic_path(path, suffix=suffix) as tmp:
        if suffix == ".csv":
            df.to_csv(tmp, index=False)
        else:
            df.to_parquet(tmp, index=False)
    return df


def read_table(path: str | Path, schema=None) -> pd.DataFrame:
    schema = schema or schema_for(str(path))
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
    """Yield a temp directory next to `path`; it replaces `path` only if the block succeeds."""
    import shutil

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        yield tmp
        if path.exists():
            shutil.rmtree(path)
        os.replace(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


@contextmanager
def log_to(path: str | Path | None):
    """Send this process's stdout/stderr (fd level: subprocesses and progress bars too) to `path`."""
    import sys

    if path is None:
        yield
        return
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with open(path, "a") as f:
        os.dup2(f.fileno(), 1)
        os.dup2(f.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])
