import os

import pytest

from conftest import instructions
from reasonforge import io, tables


def test_roundtrip(tmp_path):
    path = tmp_path / "data/tasks/math/test.parquet"
    io.write_table(instructions(), path, tables.Instructions)
    back = io.read_table(path, tables.Instructions)
    assert list(back["id"]) == ["a", "b"] and back["difficulty"].dtype == "int64"


def test_violation_names_file_column_and_rows(tmp_path):
    path = tmp_path / "data/tasks/math/test.parquet"
    with pytest.raises(io.TableError) as e:
        io.write_table(instructions(task=["math", "poetry"]), path, tables.Instructions)
    msg = str(e.value)
    assert str(path) in msg and "'task'" in msg and "[1]" in msg and "poetry" in msg
    assert not path.exists() and (not path.parent.exists() or not list(path.parent.iterdir()))


def test_strict_rejects_extra_columns(tmp_path):
    with pytest.raises(io.TableError, match="extra"):
        io.write_table(instructions(extra=1), tmp_path / "data/tasks/x/test.parquet", tables.Instructions)


def test_read_validates(tmp_path):
    path = tmp_path / "data/tasks/math/test.parquet"
    instructions(answer=[None, None]).to_parquet(path.parent.mkdir(parents=True) or path)
    with pytest.raises(io.TableError, match="answer or tests"):
        io.read_table(path, tables.Instructions)


def test_write_is_atomic_on_failure(tmp_path):
    path = tmp_path / "x.txt"
    path.write_text("old")
    with pytest.raises(RuntimeError):
        with io.atomic_path(path) as tmp:
            tmp.write_text("half")
            raise RuntimeError("killed")
    assert path.read_text() == "old" and os.listdir(tmp_path) == ["x.txt"]


def test_atomic_dir(tmp_path):
    target = tmp_path / "model"
    with pytest.raises(ValueError):
        with io.atomic_dir(target) as tmp:
            (tmp / "w").write_text("x")
            raise ValueError
    assert not target.exists() and os.listdir(tmp_path) == []
    with io.atomic_dir(target) as tmp:
        (tmp / "w").write_text("x")
    assert (target / "w").read_text() == "x"


def test_missing_and_unexpected_columns_are_named(tmp_path):
    """A code test table without `tests` and with `prompt` renamed: every column by name, and
    the row check that could not run says why."""
    df = instructions(task="code", form="code", answer=[None, None]).drop(columns=["tests"])
    df = df.rename(columns={"prompt": "question"})
    path = tmp_path / "data/tasks/code/test.parquet"
    with pytest.raises(io.TableError) as e:
        io.write_table(df, path, tables.Instructions)
    msg = str(e.value)
    assert "missing column(s) 'prompt', 'tests'" in msg and "unexpected column(s) 'question'" in msg
    assert "check 'every row needs an answer or tests' could not run: KeyError" in msg


def test_row_check_names_its_rows(tmp_path):
    with pytest.raises(io.TableError, match=r"table check 'every row needs an answer or tests' failed at rows \[1\]"):
        io.write_table(instructions(answer=["1", None]), tmp_path / "data/tasks/math/test.parquet", tables.Instructions)
