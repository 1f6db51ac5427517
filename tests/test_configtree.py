"""configtree.build: a params section as its dataclass tree, errors naming the dotted key."""
from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from reasonforge.configtree import ParamsError, build


@dataclass(kw_only=True)
class Leaf:
    name: str
    weight: float = 1.0


@dataclass(kw_only=True)
class Root:
    size: int
    leaves: list[Leaf] = field(default_factory=list)
    spare: Leaf | None = None
    options: dict = field(default_factory=dict)


def test_nested_optional_and_listed_dataclasses_are_built():
    root = build(Root, {"size": 3, "leaves": [{"name": "a"}, {"name": "b", "weight": 0.5}], "spare": {"name": "c"},
                        "options": {"lr": 1e-3}}, "root")
    assert root.leaves == [Leaf(name="a"), Leaf(name="b", weight=0.5)] and root.spare == Leaf(name="c")
    assert root.options == {"lr": 1e-3}  # a plain mapping stays one
    assert build(Root, {"size": 1, "spare": None}, "root").spare is None


@pytest.mark.parametrize("data, message", [
    ({"size": 1, "colour": "red"}, r"^root\.colour: unknown key$"),
    ({"leaves": []}, r"^root\.size: missing required key$"),
    ({"size": 1, "leaves": [{"name": "a"}, {"weight": 2.0}]}, r"^root\.leaves\[1\]\.name: missing required key$"),
    ({"size": 1, "spare": "c"}, r"^root\.spare: expected a mapping, got 'c'$"),
])
def test_a_bad_section_names_the_key(data, message):
    with pytest.raises(ParamsError, match=message):
        build(Root, data, "root")
