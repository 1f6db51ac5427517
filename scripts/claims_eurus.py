"""rule claims_eurus -> reasonforge.eurus.claims.eurus_claims"""
import json
from pathlib import Path

import pandas as pd

from reasonforge import io, job
from reasonforge.eurus.claims import RM_TURN1, bon_ladder_means, eurus_claims
from reasonforge.eurus.tables import BonLadder
from reasonforge.evaluate.claims import greedy_test_accuracy, sampled_test_metrics, seed_of, write_claims
from reasonforge.tables import EvalSamples

sm = snakemake  # noqa: F821


with job.running(sm.log[0]):
    seeds, k = sm.params.cfg["claims"]["seeds"], max(sm.params.cfg["eval"]["k"])
    read = lambda paths: [io.read_table(p, EvalSamples) for p in paths]  # noqa: E731
    base = read(sm.input.base)
    per_seed = {}
    for s in seeds:
        mine = lambda paths, part: [p for p in paths if seed_of(p) == s and f"/{part}/" in p]  # noqa: E731
        pref = {Path(p).name: pd.read_parquet(Path(p) / "metrics.parquet") for p in sm.input.pref if seed_of(p) == s}
        rms = {Path(p).name: json.loads((Path(p) / "heldout.json").read_text()) for p in sm.input.rm if seed_of(p) == s}
        evals = {"base": base, **{m: read(mine(sm.input.evals, m)) for m in ["sft", "sft-reference", *pref]}}
        per_seed[s] = {
            "accuracy": {m: greedy_test_accuracy(e) for m, e in evals.items()},
            "sampled": {m: sampled_test_metrics(e, k) for m, e in evals.items()},
            "chosen_reward": {a: (float(t["rewards_chosen"].iloc[0]), float(t["rewards_chosen"].iloc[-1]))
                              for a, t in pref.items()},
            "rm_accuracy": {loss: r["accuracy"] for loss, r in rms.items()},
            "rm_accuracy_turn1": {loss: r["by_kind"][RM_TURN1]["accuracy"] for loss, r in rms.items()
                                  if RM_TURN1 in r["by_kind"]},
            "bon": {f"rm-{loss}": greedy_test_accuracy(read(mine(sm.input.bon, f"rm-{loss}"))) for loss in rms},
            "bon_ladder": bon_ladder_means(io.read_table(next(p for p in sm.input.bon_ladders if seed_of(p) == s), BonLadder)),
        }
    claims = eurus_claims(per_seed)
    note = (f"Base model: `strong` (greedy, deterministic: the same for every seed). Each seed retrains SFT, "
            f"{', '.join(sorted(per_seed[seeds[0]]['chosen_reward']))} and the reward models from the same trees; "
            "best-of-N reranks the main build's SFT samples.")
    print(write_claims("Eurus", claims, seeds, note, sm.output.table, sm.output.metrics))
