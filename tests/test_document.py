import yaml

from reasonforge.tasks.document import SEPARATOR
from reasonforge.tasks.pools import build_family

CFG = {"n_pretrain": 200, "n_train": 50, "n_test": 20, "n_ood": 50, "forms": ["cot", "pot"],
       "train": {"min_steps": 1, "max_steps": 4, "max_operand": 12}, "ood": {"min_steps": 5, "max_steps": 6, "max_operand": 25}}


def test_no_prompt_or_solution_holds_the_separator():
    """Problems are joined by SEPARATOR and generation stops at it: a prompt or solution holding
    it would cut a solution short or split one problem in two."""
    for family in ("math", "code", "logic"):
        for split, df in build_family(family, CFG, seed=0).items():
            held = [i for i, r in df.iterrows() if SEPARATOR in r["prompt"] or SEPARATOR in r["solution"]]
            assert not held, (family, split, held[:3])


def test_generation_stops_at_the_separator():
    params = yaml.safe_load(open("params.yaml"))
    assert SEPARATOR in params["generation"]["stop"]
