"""The families' grammars read backwards: every generated prompt parses to its own answer, and
prompts outside the grammar (or with no single answer) parse to None."""
import random

import pytest

from reasonforge.tasks import logic, math
from reasonforge.tasks.grammar import SOLVERS, solve_logic, solve_math


@pytest.mark.parametrize("family", ["math", "logic"])
def test_every_generated_prompt_parses_to_its_answer(family):
    difficulty = {"min_steps": 1, "max_steps": 5, "max_operand": 20}
    rows = (math.generate(random.Random(3), 800, difficulty, ["cot", "pot"]) if family == "math"
            else logic.generate(random.Random(3), 800, difficulty))
    assert [SOLVERS[family](r["prompt"]) for r in rows] == [r["answer"] for r in rows]


@pytest.mark.parametrize("prompt", [
    "Q: Ann has 3 pens. Ann gives away 5. How many pens does Ann have?\nA (steps):\n",        # more than held
    "Q: Ann has 3 pens. Ann gets 2 more. How many eggs does Ann have?\nA (steps):\n",        # another item
    "Q: Ann has 3 pens. Bob gets 2 more. How many pens does Ann have?\nA (steps):\n",        # another person
    "Q: Ann has 3 pens. Ann buys 2 bags of 4 cups. How many pens does Ann have?\nA (steps):\n",
    "Q: Ann has 3 pens. Ann sings. How many pens does Ann have?\nA (steps):\n",
    "Q: Zed has 3 pens. Zed gets 1 more. How many pens does Zed have?\nA (steps):\n",          # not a name of the family
    "Ann has 3 pens. Ann gets 1 more. How many pens does Ann have?\n",
])
def test_math_outside_the_grammar(prompt):
    assert solve_math(prompt) is None


def test_math_inside_the_grammar():
    assert solve_math("Q: Ann has 3 pens. Ann buys 2 bags of 4 pens. Then Ann has 2 times as many. "
                      "Ann gives away 5. How many pens does Ann have?\nA (python):\n") == "17"


@pytest.mark.parametrize("prompt", [
    "Q: Ann is taller than Bob. Cid is taller than Bob. Who is the tallest?\nA (steps):\n",   # two answers
    "Q: Ann is taller than Bob. Bob is taller than Ann. Who is the tallest?\nA (steps):\n",   # a cycle
    # a cycle beside a chain passes every count (4 facts, 5 people, distinct ends): it must not hang
    "Q: Ann is taller than Bob. Bob is taller than Cid. Cid is taller than Ann. Dee is taller than Eve. Who is the shortest?\nA (steps):\n",
    "Q: Ann is taller than Bob. Who is the oldest?\nA (steps):\n",
    "Q: Let a = T, b = F. Evaluate: a and b or a\nA (steps):\n",                              # unparenthesised
    "Q: Let a = T. Evaluate: a and c\nA (steps):\n",                                          # no value for c
    "Q: Let a = T, a = F. Evaluate: a\nA (steps):\n",
])
def test_logic_outside_the_grammar(prompt):
    assert solve_logic(prompt) is None


def test_logic_inside_the_grammar():
    assert solve_logic("Q: Bob is shorter than Ann. Cid is shorter than Bob. Who is the shortest?\nA (steps):\n") == "Cid"
    assert solve_logic("Q: Let a = T, b = F. Evaluate: not (a and (not b))\nA (steps):\n") == "F"
