"""rule train_preference -> reasonforge.train.preference.train_preference"""
import torch

from reasonforge import io, job
from reasonforge.train.preference import PreferenceRun, train_preference

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    cfg, algo = sm.params.cfg, sm.wildcards.algo
    torch.set_num_threads(sm.threads)
    options = {**cfg["eurus.preference.trl"], **cfg["eurus.preference.per_algo"].get(algo, {})}
    pairs = io.read_table(sm.input.pairs)
    run = PreferenceRun(trl=options, lora=cfg["eurus.preference.lora"], seed=job.run_seed(sm))
    with io.atomic_dir(sm.output[0]) as tmp:
        metrics = train_preference(algo, sm.input.model, pairs, run, str(tmp), key=f"eurus.preference ({algo})")
    last = metrics.iloc[-1]
    print(f"{sm.output[0]}: {len(pairs)} pairs, {len(metrics)} steps; final chosen reward "
          f"{last.get('rewards_chosen', float('nan')):.3f}, rejected {last.get('rewards_rejected', float('nan')):.3f}")
