"""rule alphallm_sample_eval -> reasonforge.alphallm.compute.sample_problems"""
from reasonforge import io, job
from reasonforge.tables import EvalSamples, Instructions
from reasonforge.alphallm.decode import sample_problems
from reasonforge.alphallm.data import compute_problems
from reasonforge.models.generate import load_generator
from reasonforge.sandbox import Sandbox

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    cfg, seed = sm.params.cfg, job.run_seed(sm)
    box = cfg["sandbox"]
    problems = compute_problems([io.read_table(p, Instructions) for p in sm.input.tasks], cfg["alphallm"]["compute"]["problems"])
    generator = load_generator(sm.input.model, cfg["generation"]["backend"], seed=seed, threads=sm.threads)
    with Sandbox(workers=sm.threads, timeout=box["timeout_s"], memory_mb=box["memory_mb"]) as sandbox:
        samples, counts = sample_problems(generator, problems, max(cfg["alphallm"]["compute"]["n"]), cfg["generation"], sandbox,
                                          seed, timeout=box["timeout_s"])
    io.write_table(samples, sm.output.samples, EvalSamples)
    io.write_json(sm.output.tokens, counts)
    print(samples.groupby(["benchmark", "greedy"])["correct"].mean().round(3).to_dict(), counts)
