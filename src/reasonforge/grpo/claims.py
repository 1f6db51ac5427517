"""GRPO's claims over seeds: G1 (it raises greedy accuracy over its start), G2 (it sharpens more than it
widens: a larger gain at pass@1 than at pass@k for the largest k; Yue et al., arXiv 2504.13837), G3
(against DPO from the same start on the same instructions' pairs, at matched trained tokens)."""
from __future__ import annotations

from ..evaluate.claims import above_zero, check_seeds, mean_ci, seed_diff


def grpo_claims(per_seed: dict[int, dict]) -> list[dict]:
    """per_seed[seed] = {
        "greedy": {"start": ..., "grpo": ..., "dpo": ...}: greedy test accuracy on grpo.tasks,
        "passk": {"start": {k: pass@k}, "grpo": {k: pass@k}}: from grpo.passk.n samples per test instruction,
        "tokens": {"grpo trained": ..., "grpo generated": ..., "dpo trained": ...},
    }"""
    check_seeds(per_seed)
    ms = list(per_seed.values())
    ci = lambda f, **extra: {**mean_ci([f(m) for m in ms]), **extra}  # noqa: E731
    ks = sorted(ms[0]["passk"]["start"])
    top = ks[-1]
    out = []
    g1 = seed_diff(per_seed, lambda m: m["greedy"]["grpo"], lambda m: m["greedy"]["start"])
    out.append(dict(id="G1", claim="GRPO with verifier rewards raises greedy test accuracy over its start model",
                    rule="95% CI of (GRPO - start) greedy test accuracy above 0",
                    numbers={"start": ci(lambda m: m["greedy"]["start"]), "GRPO": ci(lambda m: m["greedy"]["grpo"]),
                             "GRPO - start": g1},
                    reproduced=above_zero(g1)))
    gain = lambda k: lambda m: m["passk"]["grpo"][k] - m["passk"]["start"][k]  # noqa: E731
    g2 = seed_diff(per_seed, gain(ks[0]), gain(top))
    numbers = {}
    for k in ks:
        numbers[f"pass@{k} start"] = ci(lambda m, k=k: m["passk"]["start"][k])
        numbers[f"pass@{k} GRPO"] = ci(lambda m, k=k: m["passk"]["grpo"][k])
    numbers |= {f"gain at pass@{k}": ci(gain(k)) for k in ks}
    numbers[f"gain at pass@{ks[0]} - gain at pass@{top}"] = g2
    out.append(dict(id="G2", claim=f"GRPO sharpens more than it widens: its gain at pass@{ks[0]} exceeds its gain at pass@{top}",
                    rule=f"95% CI of (gain at pass@{ks[0]} - gain at pass@{top}) above 0, gains over the start model",
                    numbers=numbers, reproduced=above_zero(g2)))
    g3 = seed_diff(per_seed, lambda m: m["greedy"]["grpo"], lambda m: m["greedy"]["dpo"])
    tokens = {f"tokens {what}": ci(lambda m, w=what: m["tokens"][w], scale=1) for what in ms[0]["tokens"]}
    out.append(dict(id="G3", claim="From the same start and instructions, GRPO beats DPO on the Eurus pairs at matched trained tokens",
                    rule="95% CI of (GRPO - DPO) greedy test accuracy above 0 (GRPO stops at DPO's trained tokens)",
                    numbers={"DPO": ci(lambda m: m["greedy"]["dpo"]), "GRPO": ci(lambda m: m["greedy"]["grpo"]),
                             "GRPO - DPO": g3, **tokens},
                    reproduced=above_zero(g3)))
    return out
