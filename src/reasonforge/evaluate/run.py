"""Evaluate one model on one benchmark: greedy pass@1 and, when n_samples > 0, n sampled
completions per instruction (for pass@k / maj@k). Returns the per-sample EvalSamples table."""
from __future__ import annotations

import pandas as pd

from ..models.generate import SamplingConfig
from ..tasks.verify import verify_batch


def evaluate(generator, instructions: pd.DataFrame, model: str, benchmark: str, gen: dict,
             n_samples: int, sandbox, seed: int = 0, timeout: float | None = None) -> pd.DataFrame:
    rows = instructions.to_dict("records")
    prompts = [r["prompt"] for r in rows]
    runs = [(True, SamplingConfig(n=1, temperature=0.0, max_new_tokens=gen["max_new_tokens"],
                                  batch_size=gen["batch_size"], seed=seed))]
    if n_samples > 0:
        runs.append((False, SamplingConfig(n=n_samples, temperature=gen["temperature"], top_p=gen["top_p"],
                                           max_new_tokens=gen["max_new_tokens"], batch_size=gen["batch_size"], seed=seed)))
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
