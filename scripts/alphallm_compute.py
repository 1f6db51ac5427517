"""rule alphallm_compute -> reasonforge.alphallm.compute (sampling_rows, search_rows, compute_table, plot)"""
import json
from pathlib import Path

import pandas as pd

from reasonforge import io, job
from reasonforge.alphallm.tables import AlphaCompute, AlphaDecoded
from reasonforge.tables import EvalSamples, Instructions
from reasonforge.alphallm.compute import ablation_table, compute_table, plot, sampling_rows, search_rows
from reasonforge.alphallm.critics import Critic

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    cfg = sm.params.cfg
    samples = io.read_table(sm.input.samples, EvalSamples)
    counts = json.loads(open(sm.input.tokens).read())
    prompts = pd.concat([io.read_table(p, Instructions) for p in sm.input.tasks]).set_index("id")["prompt"]
    sampled = samples[~samples["greedy"]].sort_values(["id", "sample"])
    scores = {}
    for name, path in (("orm", sm.input.orm), ("rm", sm.input.rm)):
        critic = Critic(path, threads=sm.threads)
        ps, cs = list(prompts.loc[sampled["id"]]), list(sampled["completion"])
        scores[name] = (critic.score(ps, cs), critic.scorer.read_counts(ps, cs))
        assert sum(scores[name][1]) == critic.tokens_read, "per-sample read counts must add up to what the scorer read"
    # the ceiling of reranking: the verifier picks a right sample when there is one (it reads no tokens)
    scores["verifier"] = (list(sampled["correct"].astype(float)), [0] * len(sampled))
    rows = sampling_rows(samples, counts, cfg["alphallm"]["compute"]["n"], scores)
    rows += search_rows(pd.concat([io.read_table(Path(sm.input.decoded, f"{v}.parquet"), AlphaDecoded) for v in sm.params.variants],
                                  ignore_index=True))
    table = compute_table(rows)
    io.write_table(table, sm.output.table, AlphaCompute)
    with io.atomic_path(sm.output.plot, suffix=".png") as tmp:
        plot(table, str(tmp))
    ablation = ablation_table(table, cfg["alphallm"]["mcts"]["iterations"])
    io.write_text(sm.output.ablation, ablation)
    mean = table[table["task"] == "mean"]
    io.write_json(sm.output.metrics, {f"{r.method} @{r.budget}": {"accuracy": round(r.accuracy, 4), "tokens": round(r.tokens, 1)}
                                      for r in mean.itertuples()})
    print(mean[["method", "budget", "accuracy", "tokens"]].to_string(index=False))
    print(ablation)
