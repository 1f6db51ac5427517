"""rule alphallm_mcts -> reasonforge.alphallm.decode.search_variant (eta-MCTS, reasonforge.alphallm.mcts), per variant
(the `verifier` variant with reasonforge.alphallm.decode.VerifierCritic as its ORM)"""
from reasonforge import io, job
from reasonforge.alphallm.tables import AlphaDecoded
from reasonforge.tables import Instructions
from reasonforge.alphallm.config import VERIFIER
from reasonforge.alphallm.decode import VerifierCritic, mcts_config, search_variant
from reasonforge.alphallm.data import compute_problems, load_critics
from reasonforge.models.generate import load_generator
from reasonforge.sandbox import Sandbox

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    cfg, seed = sm.params.cfg, job.run_seed(sm)
    box = cfg["sandbox"]
    configs = {v: mcts_config(cfg["alphallm"]["mcts"], v, seed, cfg["generation"]["batch_size"]) for v in sm.params.variants}
    problems = compute_problems([io.read_table(p, Instructions) for p in sm.input.tasks], cfg["alphallm"]["compute"]["problems"])
    policy = load_generator(sm.input.policy, "hf", seed=seed, threads=sm.threads)
    rollout = load_generator(sm.input.rollout, "hf", seed=seed, threads=sm.threads)
    # every critic any variant weights, loaded once; each search is handed (and pays for) its own
    loaded = load_critics(*sm.input.critics, {k: max(c.weights.get(k, 0) for c in configs.values()) for k in ("value", "prm", "orm")},
                          sm.threads)
    with Sandbox(workers=sm.threads, timeout=box["timeout_s"], memory_mb=box["memory_mb"]) as sandbox, \
            io.atomic_dir(sm.output[0]) as tmp:
        for variant, mcts in configs.items():  # in order: the policy's sampler runs on from one variant to the next
            print(f"{variant}: {mcts}")
            critics = {k: c if mcts.weights.get(k, 0) > 0 else None for k, c in loaded.items()}
            if variant == VERIFIER:
                critics["orm"] = VerifierCritic(problems, sandbox, timeout=box["timeout_s"])
            decoded = search_variant(problems, variant, policy, critics, rollout if mcts.rollouts > 0 else None, mcts,
                                     sandbox, timeout=box["timeout_s"])
            io.write_table(decoded, tmp / f"{variant}.parquet", AlphaDecoded)
