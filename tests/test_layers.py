"""The package's layers, read from its imports: no import runs up a layer, shared services never
import a method, no method imports another, and no service imports a trainer. Each layer may use
the ones below it; a module may import its own package."""
from pathlib import Path

import pytest

from reasonforge.dvcsync import direct_imports

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "reasonforge"

# A method is a package with a params section of its own (its config.py): found, not listed, so that a
# new method adds no line here. Top-level module or package -> layer; the methods on top of the services.
METHODS = {p.parent.name for p in PACKAGE.glob("*/config.py")}
LAYER = {
    "job": 0, "buildstate": 0, "tables": 0, "configtree": 0,
    "io": 1, "tasks": 1, "sandbox": 1, "trainjob": 1,
    "models": 2,
    "evaluate": 3,
    "train": 4,
    **{method: 5 for method in METHODS},
    "config": 6, "dvcsync": 7, "cli": 8,
}
TRAINERS = {"train/common.py", "train/sft.py", "train/preference.py", "train/reward.py", "train/critic.py"}


def top(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def edges():
    for module in sorted(PACKAGE.rglob("*.py")):
        for dep in direct_imports(module, SRC):
            if dep.parent != PACKAGE or dep.name != "__init__.py":
                yield module, dep


def test_the_methods_are_found():
    assert {"eurus", "w2s", "alphallm", "grpo"} <= METHODS and not METHODS & {"evaluate", "train", "tasks"}


def test_every_module_has_a_layer():
    assert sorted({top(m) for m in PACKAGE.rglob("*.py") if m.name != "__init__.py" or m.parent != PACKAGE} - set(LAYER)) == []


def test_no_import_runs_up_a_layer():
    up = [f"{m.relative_to(PACKAGE)} -> {d.relative_to(PACKAGE)}" for m, d in edges()
          if top(m) != top(d) and LAYER[top(d)] >= LAYER[top(m)]]
    assert up == []


def test_services_never_import_a_method_and_methods_not_each_other():
    found = [f"{m.relative_to(PACKAGE)} -> {d.relative_to(PACKAGE)}" for m, d in edges()
             if top(d) in METHODS and top(d) != top(m)]
    assert found == []


def test_no_service_imports_a_trainer():
    found = [f"{m.relative_to(PACKAGE)} -> {d.relative_to(PACKAGE)}" for m, d in edges()
             if str(d.relative_to(PACKAGE)) in TRAINERS and top(m) not in METHODS and top(m) != "train"]
    assert found == []


@pytest.mark.parametrize("module, import_line, rule", [
    ("models/score.py", "from ..alphallm.tables import AlphaSearch", test_services_never_import_a_method_and_methods_not_each_other),
    ("eurus/critic.py", "from ..w2s.tables import W2SSplit", test_services_never_import_a_method_and_methods_not_each_other),
    ("evaluate/bon.py", "from ..train.reward import train_reward", test_no_service_imports_a_trainer),
    ("models/score.py", "from ..train.sft import train_sft", test_no_import_runs_up_a_layer),
])
def test_each_rule_catches_its_import(tmp_path, monkeypatch, module, import_line, rule):
    """A module made to import what its rule forbids is caught (the checks read the real import graph)."""
    import shutil

    copy = tmp_path / "src"
    shutil.copytree(SRC, copy, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    path = copy / "reasonforge" / module
    path.write_text(path.read_text() + f"\n{import_line}\n")
    monkeypatch.setitem(globals(), "SRC", copy)
    monkeypatch.setitem(globals(), "PACKAGE", copy / "reasonforge")
    with pytest.raises(AssertionError, match=module):
        rule()
