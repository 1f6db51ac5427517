"""grpo/config.py: the `grpo` section's dataclass tree agrees with the schema and holds params.yaml."""
from dataclasses import asdict

import pytest

from reasonforge import config
from reasonforge.grpo.config import GRPOMethodConfig


def test_the_dataclasses_and_the_schema_agree():
    assert config.schema_mismatches(GRPOMethodConfig, "grpo") == []


def test_built_from_params_yaml_it_holds_the_section(root):
    section = config.load_params(root / "params.yaml")["grpo"]
    grpo = config.build(GRPOMethodConfig, section, "grpo")
    assert asdict(grpo) == section
    assert grpo.start == "sft" and grpo.match_tokens == "dpo"


@pytest.mark.parametrize("key,value,says", [
    ("beta", -0.1, "grpo.trl.beta: -0.1 must be >= 0"),
    ("num_generations", 1, "grpo.trl.num_generations: 1 must be >= 2"),
    ("learning_rate", -1.0, "grpo.trl.learning_rate: -1.0 must be > 0"),
    ("nosuch", 1, "grpo.trl"),
])
def test_grpo_trl_values_that_cannot_train_are_refused_before_any_job(root, key, value, says):
    params = config.load_params(root / "params.yaml")
    params["grpo"]["trl"][key] = value
    problems = config.trainer_problems(params)
    assert any(says in p for p in problems), problems


def test_grpo_beta_zero_is_valid(root):
    params = config.load_params(root / "params.yaml")
    params["grpo"]["trl"]["beta"] = 0.0
    assert config.trainer_problems(params) == []


def test_the_paper_overlay_generates_with_vllm_colocated_and_trl_accepts_it(root):
    """On a GPU, GRPO generates through TRL's vLLM in colocate mode (inside the training job, whose
    resources are the train family's: tests/test_resources.py plans it); TRL builds that config without vLLM."""
    params = config.merge(config.load_params(root / "params.yaml"), config.load_yaml(root / "configs/paper.yaml"))
    trl = params["grpo"]["trl"]
    assert trl["use_vllm"] is True and trl["vllm_mode"] == "colocate"
    assert [p for p in config.trainer_problems(params) if p.startswith("grpo.")] == []
