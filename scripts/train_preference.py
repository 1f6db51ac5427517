"""rules train_preference, w2s_stage2 -> reasonforge.train.preference.train_preference"""
import torch

from reasonforge import io, job, trainjob
from reasonforge.train.preference import PreferencePairs, PreferenceRun, train_preference

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    algo, section = sm.wildcards.algo, sm.params.section  # eurus.preference | w2s.stage2
    family, stage = section.split(".")
    cfg = sm.params.cfg[family][stage]
    torch.set_num_threads(sm.threads)
    options = {**cfg["trl"], **cfg["per_algo"].get(algo, {})}
    pairs = io.read_table(sm.input.pairs, PreferencePairs)
    run = PreferenceRun(trl=options, lora=cfg.get("lora"), seed=job.run_seed(sm))
    with trainjob.of(sm) as tj, io.atomic_dir(sm.output[0]) as tmp:
        metrics = train_preference(algo, sm.input.model, pairs, run, str(tmp), key=f"{section} ({algo})", trainjob=tj)
    last = metrics.iloc[-1] if len(metrics) else {}
    print(f"{sm.output[0]}: {len(pairs)} pairs, {len(metrics)} steps; final chosen reward "
          f"{last.get('rewards_chosen', float('nan')):.3f}, rejected {last.get('rewards_rejected', float('nan')):.3f}")
