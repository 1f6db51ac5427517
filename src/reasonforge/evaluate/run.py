"""Evaluate one model on one benchmark: greedy pass@1 and, when n_samples > 0, n sampled
completions per instruction (for pass@k / maj@k). Returns the per-sample EvalSamples table.
`evaluate_files` is what the evaluate and bon_samples rules run: one model, every benchmark."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import io
from ..models.generate import SamplingConfig, load_generator
from ..sandbox import Sandbox
from ..tables import EvalSamples, Instructions
from ..tasks.verify import verify_batch


def evaluate(generator, instructions: pd.DataFrame, model: str, benchmark: str, gen: dict,
             n_samples: int, sandbox, seed: int = 0, timeout: float | None = None, greedy: bool = True,
             sampled_splits: list[str] | None = None) -> pd.DataFrame:
    """greedy=False: only the n sampled completions (best-of-N draws its candidates so).
    sampled_splits: the splits sampled (None: every one); greedy decodes every instruction."""
    all_rows = instructions.to_dict("records")
    sampled_rows = [r for r in all_rows if sampled_splits is None or r["split"] in sampled_splits]
    common = dict(max_new_tokens=gen["max_new_tokens"], batch_size=gen["batch_size"], stop=gen.get("stop", []), seed=seed)
    runs = [(True, all_rows, SamplingConfig(n=1, temperature=0.0, **common))] if greedy else []
    if n_samples > 0 and sampled_rows:
        runs.append((False, sampled_rows, SamplingConfig(n=n_samples, temperature=gen["temperature"], top_p=gen["top_p"], **common)))
    records = []
    for greedy, rows, cfg in runs:
        outs = generator.generate([r["prompt"] for r in rows], cfg, progress=True)
        flat = [(row, j, c) for row, cs in zip(rows, outs) for j, c in enumerate(cs)]
        verdicts = verify_batch([f[0] for f in flat], [f[2].text for f in flat], sandbox, timeout=timeout)
        for (row, j, c), v in zip(flat, verdicts):
            records.append(dict(id=row["id"], model=model, benchmark=benchmark, split=row["split"], form=row["form"],
                                sample=0 if greedy else j + 1, greedy=greedy, completion=c.text, answer=v.answer,
                                correct=v.correct, status=v.status, tokens=c.tokens))
    return pd.DataFrame(records)


def evaluate_files(model_dir: str, task_paths: list[str], outputs: list[str], name: str, cfg: dict,
                   n_samples: int, seed: int, threads: int, greedy: bool = True, sampled_splits: list[str] | None = None) -> None:
    """Evaluate one model on the benchmark of each output (its file stem), with the tasks found in
    task_paths (data/tasks/<benchmark>/<split>.parquet). One generator and one sandbox pool serve
    every benchmark: a model load and the sandbox workers' start cost more than a small benchmark."""
    box = cfg["sandbox"]
    generator = load_generator(model_dir, cfg["generation"]["backend"], seed=seed, threads=threads)
    # one sandbox worker per thread the job was given: how it runs, not what it builds
    with Sandbox(workers=threads, timeout=box["timeout_s"], memory_mb=box["memory_mb"]) as sandbox:
        print("sandbox protections:", ", ".join(sandbox.protections))
        for out in outputs:
            benchmark = Path(out).stem
            instructions = pd.concat([io.read_table(p, Instructions) for p in task_paths if Path(p).parent.name == benchmark])
            samples = evaluate(generator, instructions, name, benchmark, cfg["generation"], n_samples, sandbox,
                               seed=seed, timeout=box["timeout_s"], greedy=greedy, sampled_splits=sampled_splits)
            io.write_table(samples, out, EvalSamples)
            shown = samples[samples["greedy"]] if greedy else samples
            print(benchmark, "greedy" if greedy else "sample", "accuracy",
                  shown.groupby("split")["correct"].mean().round(3).to_dict())
