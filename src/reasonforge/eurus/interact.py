"""The UltraInteract turn: an actor acts, the environment runs its code, a critic comments.

A trajectory is plain text the actor continues. Turn 1 is the instruction's prompt (which ends with
its answer header, e.g. `A (steps):`). After a wrong action the context grows by

    <action>
    Observation: <what running the program showed>     (only when the action ran code)
    Feedback: <the critic's line>
    <the answer header again>

and the actor answers again, up to `max_turns`. Actions are in the tasks' step formats: `Step k:`
lines of text reasoning ending in `Answer:`, or a ```python block (program-aided math, code).

Batched: all open trajectories of a turn generate in one call, and all their programs run in one
`sandbox.map` (verification and observation are the same run).
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..models.generate import SamplingConfig
from ..tasks.verify import Verdict, verify_batch
from .critic import ModelCritic, verifier_critique


@dataclass
class InteractConfig:
    max_turns: int = 5
    temperature: float = 0.0
    top_p: float = 1.0
    max_new_tokens: int = 128
    batch_size: int = 64
    stop: tuple[str, ...] = ("\n\n",)
    seed: int = 0

    def sampling(self, n: int = 1, temperature: float | None = None, seed: int | None = None) -> SamplingConfig:
        return SamplingConfig(n=n, temperature=self.temperature if temperature is None else temperature,
                              top_p=self.top_p, max_new_tokens=self.max_new_tokens, stop=list(self.stop),
                              seed=self.seed if seed is None else seed, batch_size=self.batch_size)


def header(row: dict) -> str:
    """The answer header that ends an instruction's prompt (`A (steps):`, `A (python):`, `Code:`)."""
    return row["prompt"].rstrip("\n").rsplit("\n", 1)[-1] + "\n"


def observation(row: dict, verdict: Verdict) -> str:
    """What the interpreter showed: only actions that ran code have one."""
    return verdict.output if row["form"] in ("pot", "code") else ""


def shown_action(action: str, obs: str) -> str:
    """The action as the next reader sees it: the action, then what running it showed."""
    return action.rstrip("\n") + "\n" + (f"Observation: {obs}\n" if obs else "")


def continue_context(context: str, row: dict, action: str, obs: str, critique: str) -> str:
    """The next turn's context after a wrong action."""
    return context + shown_action(action, obs) + f"Feedback: {critique}\n" + header(row)


def critique_all(critic, rows: list[dict], contexts: list[str], actions: list[str], verdicts: list[Verdict]) -> list[str]:
    """Feedback for every wrong action (empty for the right ones). critic None = the verifier critic."""
    if critic is None:
        return [verifier_critique(r, a, v) for r, a, v in zip(rows, actions, verdicts)]
    wrong = [i for i, v in enumerate(verdicts) if not v.correct]
    shown = [contexts[i] + shown_action(actions[i], observation(rows[i], verdicts[i])) for i in wrong]
    out = [""] * len(rows)
    for i, text in zip(wrong, critic(shown) if shown else []):
        out[i] = text
    return out


def make_critic(name: str, model_dirs: dict[str, str], backend: str = "hf", threads: int | None = None):
    """`verifier` (the default) or the name of a model in `model_dirs`."""
    if name == "verifier":
        return None
    if name not in model_dirs:
        raise ValueError(f"interact.critic: {name!r} is neither 'verifier' nor a model ({', '.join(sorted(model_dirs))})")
    from ..models.generate import load_generator

    return ModelCritic(load_generator(model_dirs[name], backend, threads=threads))


def rollout(actor, instructions: pd.DataFrame, cfg: InteractConfig, sandbox, critic=None,
            actor_name: str = "actor") -> pd.DataFrame:
    """Multi-turn trajectories of one actor: one row per (instruction, turn) until the action is
    correct or `max_turns` is reached."""
    rows = instructions.to_dict("records")
    contexts = [r["prompt"] for r in rows]
    open_ = list(range(len(rows)))
    records = []
    for turn in range(1, cfg.max_turns + 1):
        if not open_:
            break
        outs = actor.generate([contexts[i] for i in open_], cfg.sampling(seed=cfg.seed + turn))
        actions = [o[0].text for o in outs]
        batch = [rows[i] for i in open_]
        verdicts = verify_batch(batch, actions, sandbox)
        critiques = critique_all(critic, batch, [contexts[i] for i in open_], actions, verdicts)
        still_open = []
        for i, o, a, v, c in zip(open_, outs, actions, verdicts, critiques):
            obs = observation(rows[i], v)
            records.append(dict(id=rows[i]["id"], task=rows[i]["task"], turn=turn, actor=actor_name,
                                context=contexts[i], action=a, observation=obs, critique=c,
                                correct=v.correct, status=v.status, tokens=o[0].tokens))
            if not v.correct:
                contexts[i] = continue_context(contexts[i], rows[i], a, obs, c)
                still_open.append(i)
        open_ = still_open
    return pd.DataFrame(records)
