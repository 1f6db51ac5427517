"""Records of published directories, and what the Snakemake hook does with them (on stand-in DAG
objects here; on the smoke DAG in test_workflow.py)."""
import os
from types import SimpleNamespace

import pytest

from reasonforge import buildstate


class Out(str):
    """A job's output as Snakemake's DAG hands it: a path with a directory flag."""

    def __new__(cls, path, is_directory=True):
        out = super().__new__(cls, path)
        out.is_directory = is_directory
        return out


@pytest.fixture()
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def make_model(path, weights=b"w" * 10):
    path.mkdir(parents=True, exist_ok=True)
    (path / "model.bin").write_bytes(weights)
    (path / "config.json").write_text("{}")
    (path / buildstate.TIMESTAMP).write_text("")  # Snakemake's; never part of the content


def test_a_published_directory_is_recorded_and_compared_by_content(workdir):
    model = workdir / "models/m"
    make_model(model)
    buildstate.record_publication("models/m")
    record = buildstate.read_record("models/m")
    assert set(record["files"]) == {"model.bin", "config.json"}
    assert buildstate.difference("models/m", record) is None
    os.utime(model / "model.bin", ns=(1, 1))  # moved in time (a DVC checkout), same bytes: hashed, the same
    assert buildstate.difference("models/m", record) is None
    assert buildstate.read_record("models/m")["files"]["model.bin"][1] == 1  # the record took the new time
    (model / "model.bin").write_bytes(b"x" * 10)  # same size, other bytes
    assert buildstate.difference("models/m", buildstate.read_record("models/m")) == "model.bin changed"
    (model / "model.bin").unlink()
    (model / "extra").write_text("")
    assert buildstate.difference("models/m", record) == "model.bin missing; extra added"


def test_content_change_time_survives_a_byte_identical_rebuild(workdir):
    make_model(workdir / "models/m")
    buildstate.record_publication("models/m")
    first = buildstate.read_record("models/m")["changed_ns"]
    make_model(workdir / "models/m")  # rewritten, the same bytes
    buildstate.record_publication("models/m")
    assert buildstate.read_record("models/m")["changed_ns"] == first
    make_model(workdir / "models/m", weights=b"v" * 10)
    buildstate.record_publication("models/m")
    assert buildstate.read_record("models/m")["changed_ns"] > first


def test_outside_the_working_directory_nothing_is_recorded(workdir, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "m"
    make_model(elsewhere)
    buildstate.record_publication(elsewhere)
    assert buildstate.record_path(elsewhere) is None and not (workdir / ".snakemake").exists()


class Dag:
    """What buildstate reads of Snakemake's DAG."""

    def __init__(self, levels, depending, needrun=()):
        self.levels, self.depending, self._needrun = levels, depending, set(needrun)
        self.jobs = [j for level in levels for j in level]

    def toposorted(self):
        return self.levels

    def needrun(self, job):
        return job in self._needrun

    def finished(self, job):
        return False


class Job(SimpleNamespace):
    __hash__ = object.__hash__  # the DAG keys its maps by job
    __eq__ = object.__eq__


def job(name, inputs, outputs):
    return Job(rule=SimpleNamespace(name=name), input=inputs, output=outputs, is_norun=False)


def test_restat_puts_an_unchanged_directory_back_to_its_content_time(workdir):
    data = workdir / "data.txt"
    data.write_text("d")
    os.utime(data, ns=(10**18, 10**18))
    make_model(workdir / "models/m")
    buildstate.record_publication("models/m")
    changed = buildstate.read_record("models/m")["changed_ns"]
    big = workdir / "big.bin"
    big.write_bytes(b"b" * 2000)
    train = job("train", [Out("data.txt", False)], [Out("models/m")])
    stamp = workdir / "models/m" / buildstate.TIMESTAMP
    os.utime(stamp, ns=(changed + 100, changed + 100))  # Snakemake touches it after the job
    assert buildstate.restat(Dag([[train]], {train: {}})) == {"models/m"}
    assert stamp.stat().st_mtime_ns == changed  # a small input is compared by checksum, not time
    os.utime(big, ns=(changed + 5, changed + 5))
    train.input.append(Out("big.bin", False))
    os.utime(stamp, ns=(changed + 10, changed + 10))
    dag = Dag([[train]], {train: {}})
    dag.max_checksum_file_size = 1000  # big.bin is compared by time: the model must not look older
    buildstate.restat(dag)
    assert stamp.stat().st_mtime_ns == changed + 5


def test_missing_or_damaged_outputs_read_downstream_are_found(workdir):
    make_model(workdir / "models/m")
    buildstate.record_publication("models/m")
    train, use = job("train", [], [Out("models/m")]), job("use", [Out("models/m")], [Out("out.txt", False)])
    gone = job("gone", [], [Out("models/g")])
    reader = job("read", [Out("models/g")], [Out("r.txt", False)])
    dag = Dag([[train, gone], [use, reader]], {train: {use: {"models/m"}}, gone: {reader: {"models/g"}}, use: {}, reader: {}})
    assert [(j, outs) for j, outs, _ in buildstate.damaged(dag)] == [(gone, ["models/g"])]
    (workdir / "models/m/model.bin").unlink()
    found = {j.rule.name: why for j, _, why in buildstate.damaged(dag)}
    assert set(found) == {"gone", "train"} and found["train"] == "not what train published: model.bin missing"
    assert "gone" in found["gone"] and buildstate.damaged(Dag([[gone]], {gone: {}})) == []  # read by nobody: not ours
    assert buildstate.damaged(Dag([[train, gone], [use, reader]], dag.depending, needrun=[train, gone])) == []
