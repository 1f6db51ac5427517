"""rule bon_select -> reasonforge.evaluate.bon.select (scores from reasonforge.models.score), per benchmark"""
from pathlib import Path

import pandas as pd

from reasonforge import io, job
from reasonforge.tables import EvalSamples, Instructions
from reasonforge.evaluate.bon import select
from reasonforge.models.score import load_scorer

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    selector = sm.wildcards.selector
    scorer = load_scorer(sm.input.scorer[0], "sequence", threads=sm.threads) if sm.input.scorer else None
    prompts = pd.concat([io.read_table(p, Instructions) for p in sm.input.tasks]).set_index("id")["prompt"]
    for path, out in zip(sm.input.samples, sm.output):
        samples = io.read_table(path, EvalSamples)
        scores = None
        if scorer is not None:
            sampled = samples[~samples["greedy"]].sort_values(["id", "sample"])
            scores = scorer.score(list(prompts.loc[sampled["id"]]), list(sampled["completion"]))
        chosen = select(samples, selector, scores=scores, seed=job.run_seed(sm), name=f"bon-{selector}")
        io.write_table(chosen, out, EvalSamples)
        print(Path(out).stem, chosen.groupby("split")["correct"].mean().round(3).to_dict())
    if scorer is not None:
        print(f"{scorer.tokens_read} tokens read by the reward model")
