"""From preference trees to training data: SFT rows, preference pairs and the trees' statistics.

- SFT: every correct action, by default without the interaction history (the paper found SFT on
  correct actions alone best); `history=True` keeps the trajectory before it as the prompt.
- Reference SFT: the same instructions with their reference solutions alone (E1's ladder).
- Pairs: per expanded node, its correct child (chosen) against its incorrect child (rejected), with
  the trajectory that led there as the prompt. Chosen is always verified correct and rejected
  verified incorrect: the tree holds the verdicts and this module re-checks them.
"""
from __future__ import annotations

import pandas as pd

from .interact import continue_context


def contexts(nodes: pd.DataFrame) -> dict[str, str]:
    """node_id -> the text an actor continued to produce that node's children (the trajectory so
    far): the instruction, then each incorrect ancestor with its observation and feedback."""
    by_id = nodes.set_index("node_id").to_dict("index")
    out: dict[str, str] = {}

    def walk(node_id: str) -> str:
        if node_id not in out:
            n = by_id[node_id]
            if n["parent_id"] is None or pd.isna(n["parent_id"]):
                out[node_id] = n["instruction"]
            else:
                out[node_id] = continue_context(walk(n["parent_id"]), {"prompt": n["instruction"]},
                                                n["action"], n["observation"], n["critique"])
        return out[node_id]

    for node_id in by_id:
        walk(node_id)
    return out


def sft_rows(nodes: pd.DataFrame, history: bool = False) -> pd.DataFrame:
    ctx = contexts(nodes) if history else {}
    right = nodes[(nodes["turn"] > 0) & nodes["correct"]]
    return pd.DataFrame(dict(
        tree_id=right["tree_id"], turn=right["turn"], task=right["task"], form=right["form"],
        prompt=[ctx[p] if history else i for p, i in zip(right["parent_id"], right["instruction"])],
        completion=right["action"], obtained=right["obtained"])).reset_index(drop=True)


def reference_rows(nodes: pd.DataFrame, tasks: pd.DataFrame) -> pd.DataFrame:
    """SFT rows of the same instructions with their reference solutions alone: E1's ladder rung
    that says what the trees add over the references they fall back to."""
    roots = nodes[nodes["turn"] == 0]
    solution = tasks.set_index("id")["solution"]
    missing = [t for t in roots["tree_id"] if t not in solution.index or not isinstance(solution.get(t), str)]
    if missing:
        raise ValueError(f"reference SFT rows: no reference solution for the instructions of {len(missing)} trees "
                         f"(first: {missing[0]}) in the task tables")
    return pd.DataFrame(dict(tree_id=roots["tree_id"], turn=1, task=roots["task"], form=roots["form"],
                             prompt=roots["instruction"], completion=list(solution.loc[roots["tree_id"]]),
                             obtained="reference")).reset_index(drop=True)


def pair_rows(nodes: pd.DataFrame) -> pd.DataFrame:
    ctx = contexts(nodes)
    kids = nodes[nodes["turn"] > 0]
    records = []
    for parent, group in kids.groupby("parent_id", sort=False):
        right, wrong = group[group["correct"]], group[~group["correct"]]
        if len(right) == 0 or len(wrong) == 0:
            continue
        if len(right) > 1 or len(wrong) > 1:
            raise ValueError(f"trees: node {parent} has {len(right)} correct and {len(wrong)} incorrect children; expected one each")
        c, w = right.iloc[0], wrong.iloc[0]
        records.append(dict(tree_id=c["tree_id"], turn=int(c["turn"]), task=c["task"], form=c["form"],
                            prompt=ctx[parent], chosen=c["action"], rejected=w["action"],
                            chosen_actor=c["actor"], rejected_actor=w["actor"], chosen_obtained=c["obtained"]))
    return pd.DataFrame(records, columns=["tree_id", "turn", "task", "form", "prompt", "chosen", "rejected",
                                          "chosen_actor", "rejected_actor", "chosen_obtained"])


def stats_markdown(nodes: pd.DataFrame, pairs: pd.DataFrame) -> str:
    kids = nodes[nodes["turn"] > 0]
    right = kids[kids["correct"]]
    lines = ["# UltraInteract trees: statistics", "",
             f"- trees: {nodes['tree_id'].nunique()}, nodes: {len(kids)} (without roots), pairs: {len(pairs)}",
             f"- correct actions: {len(right)}, of which escalated {int((right['obtained'] == 'escalated').sum())} "
             f"and from the reference {int((right['obtained'] == 'reference').sum())}",
             f"- trees without any correct action: {nodes['tree_id'].nunique() - right['tree_id'].nunique()}", "",
             "## Depth: trees by their deepest turn", "", "| turns | trees |", "|---|---|"]
    for depth, n in kids.groupby("tree_id")["turn"].max().value_counts().sort_index().items():
        lines.append(f"| {depth} | {n} |")
    lines += ["", "## Sampled actions correct, by task and turn", "",
              "(over every action the actors and the escalation sampled at that node; the reference not counted)", "",
              "| task | turn | expansions | sampled | correct | rate |", "|---|---|---|---|---|---|"]
    per_expansion = kids.drop_duplicates(["parent_id"])
    for (task, turn), g in per_expansion.groupby(["task", "turn"]):
        sampled, correct = int(g["n_candidates"].sum()), int(g["n_correct"].sum())
        rate = f"{100 * correct / sampled:.1f}%" if sampled else "-"
        lines.append(f"| {task} | {turn} | {len(g)} | {sampled} | {correct} | {rate} |")
    lines += ["", "## Pairs by task and turn", "", "| task | turn | pairs |", "|---|---|---|"]
    for (task, turn), n in pairs.groupby(["task", "turn"]).size().items():
        lines.append(f"| {task} | {turn} | {n} |")
    return "\n".join(lines) + "\n"
