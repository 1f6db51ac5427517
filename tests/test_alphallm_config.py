"""alphallm/config.py: the `alphallm` section's dataclass tree (its `mcts` the search's MCTSConfig)
agrees with the schema and holds params.yaml."""
from dataclasses import asdict

from reasonforge import config
from reasonforge.alphallm.config import RUN_FIELDS, AlphaLLMConfig


def test_the_dataclasses_and_the_schema_agree():
    assert config.schema_mismatches(AlphaLLMConfig, "alphallm", exempt=RUN_FIELDS) == []


def test_built_from_params_yaml_it_holds_the_section(root):
    section = config.load_params(root / "params.yaml")["alphallm"]
    alpha = config.build(AlphaLLMConfig, section, "alphallm")
    built = asdict(alpha)
    for key in RUN_FIELDS:  # a job's, not params
        built["mcts"].pop(key.rsplit(".", 1)[1])
    assert built == section
    assert alpha.variants == ["b4", "b8", "b16", "b32", "vanilla", "adaptive", "prm", "rollout", "verifier"]
    assert alpha.claim_variants == ["b8", "vanilla", "adaptive", "prm", "rollout", "verifier"]  # mcts.iterations 8, the ladders
