"""Evaluate one model on one benchmark: greedy pass@1 and, when n_samples > 0, n sampled
completions per instruction (for pass@k / maj@k). Returns the per-sample EvalSamples table."""
from __future__ import annotations

import pandas as pd

from ..models.generate import SamplingConfig
from ..tasks.verify import verify_batch


def evaluate(generator, instructions: pd.DataFrame, model: str, benchmark: str, gen: dict,
             n_samples: int, sandbox, seed: int = 0, timeout: float | None = None, greedy: bool = True) -> pd.DataFrame:
    """greedy=False: only the n sampled completions (best-of-N draws its candidates so)."""
    rows = instructions.to_dict("records")
    prompts = [r["prompt"] for r in rows]
    common = dict(max_new_tokens=gen["max_new_tokens"], batch_size=gen["batch_size"], stop=gen.get("stop", []), seed=seed)
    runs = [(True, SamplingConfig(n=1, temperature=0.0, **common))] if greedy else []
    if n_samples > 0:
        runs.append((False, SamplingConfig(n=n_samples, temperature=gen["temperature"], top_p=gen["top_p"], **common)))
    records = []
    for greedy, cfg in runs:
        outs = generator.generate(prompts, cfg, progress=True)
        flat = [(row, j, c) for row, cs in zip(rows, outs) for j, c in enumerate(cs)]
        verdicts = verify_batch([f[0] for f in flat], [f[2].text for f in flat], sandbox, timeout=timeout)
        for (row, j, c), v in zip(flat, verdicts):
            records.append(dict(id=row["id"], model=model, benchmark=benchmark, split=row["split"], form=row["form"],
                                sample=0 if greedy else j + 1, greedy=greedy, completion=c.text, answer=v.answer,
                                correct=v.correct, status=v.status, tokens=c.tokens))
    return pd.DataFrame(records)
