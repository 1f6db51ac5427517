"""rule alphallm_samples -> reasonforge.evaluate.run.evaluate (sampled only) on the AlphaLLM pool"""
from reasonforge import io, job
from reasonforge.alphallm.tables import AlphaSamples
from reasonforge.tables import Instructions
from reasonforge.alphallm.data import prompt_pool
from reasonforge.evaluate.run import evaluate
from reasonforge.models.generate import load_generator
from reasonforge.sandbox import Sandbox

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    cfg, seed = sm.params.cfg, job.run_seed(sm)
    box = cfg["sandbox"]
    pool = prompt_pool([io.read_table(p, Instructions) for p in sm.input.train], cfg["alphallm"]["prompts"])
    generator = load_generator(sm.input.model, cfg["generation"]["backend"], seed=seed, threads=sm.threads)
    with Sandbox(workers=sm.threads, timeout=box["timeout_s"], memory_mb=box["memory_mb"]) as sandbox:
        samples = evaluate(generator, pool, "policy", "pool", cfg["generation"], cfg["alphallm"]["critics"]["samples"], sandbox,
                           seed=seed, timeout=box["timeout_s"], greedy=False)
    table = samples.merge(pool[["id", "task", "prompt"]], on="id")[["id", "task", "form", "prompt", "sample", "completion", "correct"]]
    io.write_table(table, sm.output[0], AlphaSamples)
    print(f"{sm.output[0]}: {len(table)} samples, correct {table.groupby('task')['correct'].mean().round(3).to_dict()}")
