"""trainjob.py: where a job's checkpoints live, which are complete, when one must not be resumed, where the
job reports. (That a stopped trainer resumes to the same weights: test_train.py, test_models.py,
test_grpo_train.py; a smoke SFT job tracked by MLflow: test_workflow.py.)"""
import os
from types import SimpleNamespace

import pytest

from reasonforge import trainjob
from reasonforge.trainjob import TrainJob


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "models/base").mkdir(parents=True)
    (tmp_path / "models/base/weights").write_text("w")
    (tmp_path / "data.parquet").write_text("d")
    return tmp_path


def job_inputs(**over):
    return {"inputs": ["models/base", "data.parquet"], "params": {"cfg": {"lr": 1e-3}}, "wildcards": {"seed": "0"}, **over}


def save(ckpt: TrainJob, step: int, complete: bool = True):
    d = ckpt.dir / f"checkpoint-{step}"
    d.mkdir(parents=True)
    (d / "model.safetensors").write_text("m")
    if complete:
        (d / "trainer_state.json").write_text("{}")


def test_a_checkpoint_is_kept_for_the_same_job_and_a_partial_one_is_dropped(workdir):
    ckpt = trainjob.prepare("models/sft", 50, **job_inputs())
    assert ckpt.dir == trainjob.ROOT / "models/sft" and (workdir / ckpt.dir / "fingerprint.json").exists()
    assert ckpt.every == 50 and ckpt.last() is None
    save(ckpt, 4)
    save(ckpt, 10)
    save(ckpt, 12, complete=False)  # killed while saving: no trainer_state.json yet
    assert [p.name for p in ckpt.all()] == ["checkpoint-4", "checkpoint-10"]  # by step, not by name
    again = trainjob.prepare("models/sft", 50, **job_inputs())
    assert again.last().name == "checkpoint-10" and not (again.dir / "checkpoint-12").exists()


@pytest.mark.parametrize("change,named", [
    (lambda w: None, None),
    (lambda w: os.utime(w / "data.parquet", ns=(1, 1)), "inputs"),             # a rebuilt input
    (lambda w: (w / "models/base/weights").write_text("other"), "inputs"),     # a file inside an input directory
    ("params", "params"),
    ("wildcards", "wildcards"),
])
def test_a_checkpoint_of_other_params_or_inputs_is_deleted_not_resumed(workdir, change, named):
    ckpt = trainjob.prepare("models/sft", 2, **job_inputs())
    save(ckpt, 2)
    said = []
    if change == "params":
        again = trainjob.prepare("models/sft", 2, print_fn=said.append, **job_inputs(params={"cfg": {"lr": 1e-4}}))
    elif change == "wildcards":
        again = trainjob.prepare("models/sft", 2, print_fn=said.append, **job_inputs(wildcards={"seed": "1"}))
    else:
        change(workdir)
        again = trainjob.prepare("models/sft", 2, print_fn=said.append, **job_inputs())
    if named is None:
        assert again.last() is not None and said == []
    else:
        assert again.last() is None and len(said) == 1 and f"other {named}" in said[0] and "models/sft" in said[0]


def test_checkpoints_go_once_the_output_is_published_and_stay_after_an_error(workdir):
    with pytest.raises(RuntimeError):
        with trainjob.prepare("models/eurus/seed0/sft", 2, **job_inputs()) as ckpt:
            save(ckpt, 2)
            raise RuntimeError("training failed")
    assert ckpt.last() is not None
    other = trainjob.prepare("models/eurus/seed0/dpo", 2, **job_inputs())
    with trainjob.prepare("models/eurus/seed0/sft", 2, **job_inputs()) as ckpt:
        pass
    assert not ckpt.dir.exists() and other.dir.exists()  # the sibling job's stay
    other.remove()
    assert not trainjob.ROOT.exists() or not any(trainjob.ROOT.iterdir())


def test_an_absolute_output_path_keeps_its_checkpoints_under_the_root(workdir):
    ckpt = trainjob.prepare(workdir / "models/sft", 0, **job_inputs())
    assert ckpt.dir.resolve().is_relative_to((workdir / trainjob.ROOT).resolve())
    assert not (workdir / "models/sft").exists()


def test_of_job_reads_the_snakemake_object(workdir):
    class Named(dict):
        def items(self):
            return super().items()

    sm = SimpleNamespace(output=["models/sft"], input=["models/base", "data.parquet"], resources=SimpleNamespace(checkpoint_every=7),
                         params=Named(cfg={"lr": 1e-3}), wildcards=Named(seed="0"))
    ckpt = trainjob.of(sm)
    assert ckpt.every == 7 and (ckpt.dir / "fingerprint.json").exists()
    sm.resources = SimpleNamespace()  # a rule without the resource: checkpoints only on a stop signal
    assert trainjob.of(sm).every == 0


def test_trainer_args_say_where_to_save_and_report(workdir):
    tj = trainjob.prepare("models/sft", 25, "mlflow", **job_inputs())
    args = tj.trainer_args()
    assert args == dict(output_dir=str(tj.dir), report_to="mlflow", run_name="models/sft", save_strategy="steps",
                        save_steps=25, save_total_limit=1)
    assert trainjob.prepare("models/sft", 0, **job_inputs()).trainer_args()["report_to"] == "none"
    assert "save_strategy" not in trainjob.prepare("models/sft", 0, **job_inputs()).trainer_args()  # the stop's save only


def test_pretraining_logs_to_a_local_mlflow_store(workdir, monkeypatch):
    mlflow = pytest.importorskip("mlflow")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", (workdir / "mlruns").as_uri())
    tj = trainjob.prepare("models/base/strong", 0, "mlflow", **job_inputs())
    with tj.tracker({"lr": 0.1}) as log:
        for step, loss in enumerate([3.0, 2.0, 1.5]):
            log({"loss": loss}, step)
    run = mlflow.search_runs(experiment_names=[trainjob.EXPERIMENT], output_format="list")[0]
    history = mlflow.MlflowClient().get_metric_history(run.info.run_id, "loss")
    assert [(m.step, m.value) for m in history] == [(0, 3.0), (1, 2.0), (2, 1.5)]
    assert run.info.run_name == "models/base/strong" and run.data.params == {"lr": "0.1"}
    with pytest.raises(ValueError, match="report_to: 'tensorboard'"):
        with trainjob.prepare("models/x", 0, "tensorboard", **job_inputs()).tracker({}):
            pass


def test_pretraining_logs_to_trackio_through_its_init_log_finish(workdir, monkeypatch):
    """trackio's own API (init, log, finish), here a stand-in module recording the calls: the package needs a
    web stack the build does not; transformers' trainers report to it through their own callback."""
    import sys
    import types

    calls = []
    trackio = types.ModuleType("trackio")
    trackio.init = lambda **kw: calls.append(("init", kw))
    trackio.log = lambda metrics, step=None: calls.append(("log", metrics, step))
    trackio.finish = lambda: calls.append(("finish",))
    monkeypatch.setitem(sys.modules, "trackio", trackio)
    monkeypatch.delenv("TRACKIO_PROJECT", raising=False)
    tj = trainjob.prepare("models/base/strong", 0, "trackio", **job_inputs())
    with tj.tracker({"lr": 0.1}) as log:
        log({"loss": 3.0}, 0)
        log({"loss": 2.0}, 20)
    assert calls == [("init", {"project": "reasonforge", "name": "models/base/strong", "config": {"lr": 0.1}}),
                     ("log", {"loss": 3.0}, 0), ("log", {"loss": 2.0}, 20), ("finish",)]
