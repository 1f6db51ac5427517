"""rules bon_select, bon_rerank -> reasonforge.evaluate.bon.select (scores from reasonforge.models.score), per benchmark"""
from pathlib import Path

import pandas as pd

from reasonforge import io, job
from reasonforge.eurus.tables import BonScores
from reasonforge.evaluate.bon import candidates, select
from reasonforge.models.score import load_scorer
from reasonforge.tables import EvalSamples, Instructions

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    reranking = "scores" in sm.output.keys()
    selector = f"rm-{sm.wildcards.loss}" if reranking else sm.wildcards.selector
    if reranking:
        scorer = load_scorer(sm.input.scorer, "sequence", threads=sm.threads)
        prompts = pd.concat([io.read_table(p, Instructions) for p in sm.input.tasks]).set_index("id")["prompt"]
    all_scores = []
    for path, out in zip(sm.input.samples, sm.output[: len(sm.input.samples)]):
        samples = io.read_table(path, EvalSamples)
        scores = None
        if reranking:
            cands = candidates(samples)
            scores = scorer.score(list(prompts.loc[cands["id"]]), list(cands["completion"]))
            all_scores.append(cands[["benchmark", "split", "id", "sample"]].assign(score=scores))
        chosen = select(samples, selector, scores=scores, seed=job.run_seed(sm), name=f"bon-{selector}")
        io.write_table(chosen, out, EvalSamples)
        print(Path(out).stem, chosen.groupby("split")["correct"].mean().round(3).to_dict())
    if reranking:
        io.write_table(pd.concat(all_scores, ignore_index=True), sm.output.scores, BonScores)
        print(f"{scorer.tokens_read} tokens read by the reward model")
