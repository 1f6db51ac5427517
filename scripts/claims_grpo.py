"""rule claims_grpo -> reasonforge.grpo.claims.grpo_claims"""
from pathlib import Path

import pandas as pd

from reasonforge import io, job
from reasonforge.evaluate.claims import greedy_test_accuracy_of, seed_of, write_claims
from reasonforge.evaluate.report import sampled_metrics
from reasonforge.grpo.claims import grpo_claims
from reasonforge.grpo.report import steps_table
from reasonforge.grpo.train import trained_tokens
from reasonforge.tables import EvalSamples

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    cfg = sm.params.cfg
    seeds, ks = cfg["claims"]["seeds"], cfg["grpo"]["passk"]["k"]
    start, matched = cfg["grpo"]["start"], cfg["grpo"]["match_tokens"]

    def pass_at(paths: list[str], k: int) -> float:
        """pass@k on the test split, the mean over benchmarks (each counts once)."""
        return sum(float(sampled_metrics(io.read_table(p, EvalSamples).sort_values(["id", "sample"]), k, p)[f"pass@{k}"].mean())
                   for p in paths) / len(paths)

    per_seed = {}
    for s in seeds:
        mine = lambda paths: [p for p in paths if seed_of(p) == s]  # noqa: E731
        evals = lambda model: [p for p in mine(sm.input.evals) if f"/{model}/" in p]  # noqa: E731
        passk = lambda which: [p for p in mine(sm.input.passk) if f"/passk/{which}/" in p]  # noqa: E731
        steps = steps_table(pd.read_parquet(Path(mine(sm.input.models)[0]) / "metrics.parquet"))
        per_seed[s] = {
            "greedy": {"start": greedy_test_accuracy_of(evals(start)), "grpo": greedy_test_accuracy_of(evals("grpo")),
                       "dpo": greedy_test_accuracy_of(evals(matched))},
            "passk": {which: {k: pass_at(passk(which), k) for k in ks} for which in ("start", "grpo")},
            "tokens": {"GRPO trained": int(steps["trained_tokens"].iloc[-1]),
                       "GRPO generated": int(steps["generated_tokens"].iloc[-1]),
                       f"{matched.upper()} trained": trained_tokens(mine(sm.input.matched)[0], "grpo.match_tokens")},
        }
        print(f"seed {s}: {per_seed[s]}")
    claims = grpo_claims(per_seed)
    note = (f"GRPO starts from `{start}` at each seed and trains on the Eurus trees' instructions until it has been "
            f"trained on as many tokens (prompt and completion) as `{matched}` was on the trees' pairs from the same "
            "start; its generated tokens are counted beside (the pairs' own generation, in the trees, is not). "
            "Accuracies: test split, the mean over grpo.tasks; pass@k unbiased from grpo.passk.n samples.")
    print(write_claims("GRPO", claims, seeds, note, sm.output.table, sm.output.metrics))
