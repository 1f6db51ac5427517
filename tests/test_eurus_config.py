"""eurus/config.py: the `eurus` section's dataclass tree agrees with the schema and holds params.yaml."""
from dataclasses import asdict

from reasonforge import config
from reasonforge.eurus.config import EurusConfig


def test_the_dataclasses_and_the_schema_agree():
    assert config.schema_mismatches(EurusConfig, "eurus") == []


def test_built_from_params_yaml_it_holds_the_section(root):
    section = config.load_params(root / "params.yaml")["eurus"]
    eurus = config.build(EurusConfig, section, "eurus")
    assert asdict(eurus) == section
    assert eurus.tree_models() == ["strong", "weak"]  # the actors' and the escalation's (critic: verifier)
    assert config.build(EurusConfig, {**section, "trees": {**section["trees"], "escalate": None, "critic": "strong",
                                                           "actors": [{"model": "weak"}]}}, "eurus").tree_models() == ["strong", "weak"]
