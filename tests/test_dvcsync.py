import ast

import pytest
import yaml

from reasonforge import dvcsync


@pytest.fixture(scope="module")
def stages(root):
    return yaml.safe_load(dvcsync.build_dvc_yaml(root))["stages"]


def test_committed_dvc_yaml_is_current(root):
    assert (root / "dvc.yaml").read_text() == dvcsync.build_dvc_yaml(root)


def test_one_stage_per_job_with_exact_params(stages, root):
    assert {"make_tasks-math", "train_tokenizer", "pretrain-weak", "pretrain-strong", "evaluate-weak-seed0",
            "evaluate-nca-seed0", "train_preference-kto-seed0", "train_reward-bt+dr-seed0", "bon_rerank-dr-seed0", "bon_ladder-seed0",
            "summarize"} <= set(stages)
    assert stages["pretrain-weak"]["params"] == ["models.weak", "seed"]
    assert stages["make_tasks-code"]["params"] == ["seed", "tasks.code"]
    assert stages["summarize"]["metrics"] == ["results/metrics.json"]
    assert stages["summarize"]["plots"] == ["results/plots/accuracy.png"]
    assert "--allowed-rules pretrain -- models/base/weak" in stages["pretrain-weak"]["cmd"]
    # a seeded rule's seed is its wildcard, in its paths: params `seed` moves them (dvc-sync), it is no param of the stage
    assert stages["train_preference-dpo-seed0"]["params"] == ["eurus.preference.lora", "eurus.preference.per_algo",
                                                              "eurus.preference.trl"]
    assert stages["train_preference-dpo-seed0"]["outs"] == ["models/eurus/seed0/pref/dpo"]
    assert stages["rm_accuracy"]["metrics"] == ["results/eurus/rm_accuracy.json"]
    assert stages["reward_trends"]["plots"] == ["results/eurus/reward_trends.png"]


def test_code_deps_follow_imports(stages):
    deps = stages["pretrain-weak"]["deps"]
    assert "scripts/pretrain.py" in deps and "src/reasonforge/models/pretrain.py" in deps
    assert "src/reasonforge/sandbox/pool.py" not in deps  # pretraining runs no sandbox
    assert "src/reasonforge/sandbox/worker.py" in stages["evaluate-strong-seed0"]["deps"]


def test_outputs_are_disjoint(stages):
    dvcsync.check_disjoint(stages)
    with pytest.raises(ValueError, match="overlap"):
        dvcsync.check_disjoint({"a": {"outs": ["models/base"]}, "b": {"outs": ["models/base/weak"]}})


def test_imported_modules_resolves_relative_imports(root):
    src = root / "src"
    mods = dvcsync.imported_modules(root / "scripts" / "summarize.py", src)
    names = {str(p.relative_to(src)) for p in mods}
    assert {"reasonforge/evaluate/report.py", "reasonforge/evaluate/metrics.py", "reasonforge/io.py",
            "reasonforge/tables.py"} <= names


def test_check_detects_stale(tmp_path, root, monkeypatch):
    from reasonforge.cli import main

    assert main(["dvc-sync", "--check", "--root", str(root)]) == 0
    monkeypatch.setattr(dvcsync, "build_dvc_yaml", lambda r: "stages: {}\n")
    assert main(["dvc-sync", "--check", "--root", str(root)]) == 1


def test_every_dvc_params_key_is_written_in_params_yaml(root):
    """DVC reads params.yaml as it is, without the schema's defaults: a key a stage declares but the
    file leaves to its default makes `dvc commit` fail ("Parameters ... are missing")."""
    import yaml

    from reasonforge import config

    written = config.load_yaml(root / "params.yaml")
    stages = yaml.safe_load((root / "dvc.yaml").read_text())["stages"]
    missing = set()
    for name, stage in stages.items():
        for key in (k for entry in stage.get("params", []) for k in ([entry] if isinstance(entry, str) else sum(entry.values(), []))):
            node = written
            for part in key.split("."):
                if not isinstance(node, dict) or part not in node:
                    missing.add(f"{name}: {key}")
                    break
                node = node[part]
    assert not missing, sorted(missing)
