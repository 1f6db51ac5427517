"""rule alphallm_mcts -> reasonforge.alphallm.compute.search_variant (eta-MCTS, reasonforge.search.mcts)"""
from reasonforge import io, job
from reasonforge.alphallm.compute import mcts_config, search_variant
from reasonforge.alphallm.data import compute_problems, load_critics
from reasonforge.models.generate import load_generator
from reasonforge.sandbox import Sandbox

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    cfg, seed, variant = sm.params.cfg, job.run_seed(sm), sm.wildcards.variant
    box = cfg["sandbox"]
    mcts = mcts_config(cfg["alphallm.mcts"], variant, seed, cfg["generation.batch_size"])
    print(f"{variant}: {mcts}")
    problems = compute_problems([io.read_table(p) for p in sm.input.tasks], cfg["alphallm.compute.problems"])
    policy = load_generator(sm.input.policy, "hf", seed=seed, threads=sm.threads)
    rollout = load_generator(sm.input.rollout, "hf", seed=seed, threads=sm.threads) if mcts.rollouts > 0 else None
    critics = load_critics(*sm.input.critics, mcts.weights, sm.threads)
    with Sandbox(workers=sm.threads, timeout=box["timeout_s"], memory_mb=box["memory_mb"]) as sandbox:
        decoded = search_variant(problems, variant, policy, critics, rollout, mcts, sandbox, timeout=box["timeout_s"])
    io.write_table(decoded, sm.output[0])
