"""w2s/config.py: the `w2s` section's dataclass tree agrees with the schema and holds params.yaml."""
from dataclasses import asdict

from reasonforge import config
from reasonforge.w2s.config import W2SConfig


def test_the_dataclasses_and_the_schema_agree():
    assert config.schema_mismatches(W2SConfig, "w2s") == []


def test_built_from_params_yaml_it_holds_the_section(root):
    section = config.load_params(root / "params.yaml")["w2s"]
    w2s = config.build(W2SConfig, section, "w2s")
    assert asdict(w2s) == section
    assert w2s.stage1_runs == [("hybrid", 1), ("hybrid", 2), ("icl", 1), ("weak", 1)]
    assert w2s.stage2_start == "w2s-s1-hybrid-2"  # stage2.start null: the chosen set's last iteration
    named = config.build(W2SConfig, {**section, "stage2": {**section["stage2"], "start": "sft"}}, "w2s")
    assert named.stage2_start == "sft"
