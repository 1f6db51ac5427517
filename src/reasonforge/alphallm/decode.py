"""The compute problems decoded: the policy's greedy answer and N samples, and eta-MCTS at each
budget and each rung of the ablation ladder (compute.py turns them into the table at equal tokens).

- `sample_problems`: greedy and N samples of the policy per problem, with the generator's counts;
- `search_variant`: one eta-MCTS configuration on every family's problems, answers verified;
- `ABLATIONS`: the ablation ladder from vanilla MCTS to eta-MCTS, as overrides of the search params;
- `VerifierCritic`: the verifier in the ORM's place (variant `verifier`), the ceiling of the search:
  how far eta-MCTS gets when the score of a finished path is never wrong.
"""
from __future__ import annotations

from dataclasses import replace

import pandas as pd

from ..models.generate import SamplingConfig
from .config import VERIFIER
from .mcts import MCTSConfig, search
from ..tasks.verify import verify_batch

# Each rung adds one part of eta-MCTS to the one before; the last is eta-MCTS as configured.
ABLATIONS = {
    "vanilla": dict(weights={"value": 1.0, "prm": 0.0, "orm": 0.0}, adaptive=False, merge_distance=None, rollouts=0),
    "adaptive": dict(weights={"value": 1.0, "prm": 0.0, "orm": 0.0}, merge_distance=None, rollouts=0),
    "prm": dict(weights={"value": 1.0, "prm": 1.0, "orm": 0.0}, merge_distance=None, rollouts=0),
    "rollout": dict(merge_distance=None),
    "merge": dict(),
}


class VerifierCritic:
    """Scores a finished path (a leaf, or a rollout's end) 1.0 when the verifier judges it right, else
    0.0, by its problem's reference; it reads no tokens. Problems are found by their prompt."""

    tokens_read = 0

    def __init__(self, problems: pd.DataFrame, sandbox, timeout=None):
        self.rows = {r["prompt"]: r for r in problems.to_dict("records")}
        self.sandbox, self.timeout = sandbox, timeout

    def score(self, prompts: list[str], completions: list[str]) -> list[float]:
        verdicts = verify_batch([self.rows[p] for p in prompts], completions, self.sandbox, timeout=self.timeout)
        return [1.0 if v.correct else 0.0 for v in verdicts]


def mcts_config(params: dict, variant: str, seed: int, batch_size: int) -> MCTSConfig:
    """The search of a variant: `b{iterations}` is eta-MCTS at that budget; an ablation rung is
    eta-MCTS's params with that rung's overrides (the weights of the parts it has not added yet 0);
    `verifier` is eta-MCTS as configured (its ORM replaced by the script)."""
    cfg = MCTSConfig(**params, seed=seed, batch_size=batch_size)
    if variant == VERIFIER:
        return cfg
    if variant.startswith("b"):
        return replace(cfg, iterations=int(variant[1:]))
    over = dict(ABLATIONS[variant])
    if "weights" not in over:
        over["weights"] = cfg.weights
    return replace(cfg, **over)


def sample_problems(generator, problems: pd.DataFrame, n: int, gen: dict, sandbox, seed: int, timeout=None):
    """(EvalSamples rows: greedy = sample 0, then samples 1..n; per task, the generator's counts
    of each run: {task: {greedy_read, greedy_generated, sampled_read, sampled_generated}})."""
    records, counts = [], {}
    for task, group in problems.groupby("task", sort=True):
        rows = group.to_dict("records")
        counts[task] = {}
        for greedy, k in ((True, 1), (False, n)):
            cfg = SamplingConfig(n=k, temperature=0.0 if greedy else gen["temperature"], top_p=1.0 if greedy else gen["top_p"],
                                 max_new_tokens=gen["max_new_tokens"], stop=gen["stop"], seed=seed, batch_size=gen["batch_size"])
            read, made = generator.tokens_read, generator.tokens_generated
            outs = generator.generate([r["prompt"] for r in rows], cfg, progress=True)
            tag = "greedy" if greedy else "sampled"
            counts[task] |= {f"{tag}_read": generator.tokens_read - read, f"{tag}_generated": generator.tokens_generated - made}
            flat = [(r, j, c) for r, cs in zip(rows, outs) for j, c in enumerate(cs)]
            verdicts = verify_batch([f[0] for f in flat], [f[2].text for f in flat], sandbox, timeout=timeout)
            records += [dict(id=r["id"], model="policy", benchmark=task, split=r["split"], form=r["form"],
                             sample=0 if greedy else j + 1, greedy=greedy, completion=c.text, answer=v.answer,
                             correct=v.correct, status=v.status, tokens=c.tokens)
                        for (r, j, c), v in zip(flat, verdicts)]
    return pd.DataFrame(records), counts


def search_variant(problems: pd.DataFrame, variant: str, policy, critics: dict, rollout, cfg: MCTSConfig, sandbox,
                   timeout=None) -> pd.DataFrame:
    """One search per family (its tokens are its own), answers verified."""
    frames = []
    for task, group in problems.groupby("task", sort=True):
        rows = group.to_dict("records")
        result = search([r["prompt"] for r in rows], policy, critics, cfg, rollout=rollout, progress=True)
        verdicts = verify_batch(rows, result.answers, sandbox, timeout=timeout)
        t, n = result.tokens, len(rows)
        frames.append(pd.DataFrame(dict(
            id=[r["id"] for r in rows], task=task, variant=variant, iterations=cfg.iterations, completion=result.answers,
            answer=[v.answer for v in verdicts], correct=[v.correct for v in verdicts],
            policy_tokens=(t.policy_read + t.policy_generated) / n, rollout_tokens=(t.rollout_read + t.rollout_generated) / n,
            critic_tokens=t.critic_read / n, merged=result.merged / n)))
        print(f"{variant} {task}: accuracy {frames[-1]['correct'].mean():.3f}, {t.total / n:.0f} tokens per problem "
              f"(policy {(t.policy_read + t.policy_generated) / n:.0f}, rollout {(t.rollout_read + t.rollout_generated) / n:.0f}, "
              f"critics {t.critic_read / n:.0f}), {result.merged} options merged")
    return pd.concat(frames, ignore_index=True)
