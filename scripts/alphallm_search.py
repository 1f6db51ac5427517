"""rule alphallm_search -> reasonforge.alphallm.improve.search_round (eta-MCTS, reasonforge.alphallm.mcts)"""
from reasonforge import io, job
from reasonforge.alphallm.tables import AlphaImagined, AlphaSearch
from reasonforge.alphallm.data import load_critics
from reasonforge.alphallm.improve import search_round
from reasonforge.models.generate import load_generator
from reasonforge.sandbox import Sandbox
from reasonforge.alphallm.mcts import MCTSConfig

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    cfg, seed = sm.params.cfg, job.run_seed(sm)
    box = cfg["sandbox"]
    mcts = MCTSConfig(**cfg["alphallm"]["mcts"], seed=seed, batch_size=cfg["generation"]["batch_size"])
    imagined = io.read_table(sm.input.imagined, AlphaImagined)
    problems = imagined[imagined["status"] == "kept"].reset_index(drop=True)
    policy = load_generator(sm.input.policy, "hf", seed=seed, threads=sm.threads)
    rollout = load_generator(sm.input.rollout, "hf", seed=seed, threads=sm.threads)
    critics = load_critics(*sm.input.critics, mcts.weights, sm.threads, keep_orm=True)
    with Sandbox(workers=sm.threads, timeout=box["timeout_s"], memory_mb=box["memory_mb"]) as sandbox:
        table = search_round(problems, policy, critics, rollout, mcts, cfg["alphallm"]["improve"]["gamma"], sandbox,
                             timeout=box["timeout_s"])
    io.write_table(table, sm.output[0], AlphaSearch)
