"""rule train_grpo -> reasonforge.grpo.train.train_grpo"""
import torch

from reasonforge import io, job, trainjob
from reasonforge.grpo.tables import GRPOPrompts
from reasonforge.grpo.train import GRPORun, trained_tokens, train_grpo
from reasonforge.sandbox import Sandbox

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    cfg, box = sm.params.cfg["grpo"], sm.params.cfg["sandbox"]
    torch.set_num_threads(sm.threads)
    budget = trained_tokens(sm.input.matched[0], "grpo.match_tokens") if sm.input.matched else None
    run = GRPORun(trl=cfg["trl"], lora=cfg["lora"], format_weight=cfg["format_weight"],
                  stop=sm.params.cfg["generation"]["stop"], stop_at_tokens=budget, seed=job.run_seed(sm))
    prompts = io.read_table(sm.input.prompts, GRPOPrompts).sample(frac=1.0, random_state=run.seed)
    with Sandbox(workers=sm.threads, timeout=box["timeout_s"], memory_mb=box["memory_mb"]) as sandbox, \
            trainjob.of(sm) as tj, io.atomic_dir(sm.output[0]) as tmp:
        metrics = train_grpo(sm.input.model, prompts, run, sandbox, str(tmp), timeout=box["timeout_s"], trainjob=tj)
    last = metrics.iloc[-1]
    print(f"{sm.output[0]}: {len(metrics)} steps, {int(last['num_tokens'])} trained tokens"
          + (f" (budget {budget}, of {sm.input.matched[0]})" if budget else "")
          + f"; reward first 5 steps {metrics['reward'].head(5).mean():.3f}, last 5 {metrics['reward'].tail(5).mean():.3f}")
