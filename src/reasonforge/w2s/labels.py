"""Labels for weak-to-strong: a model's responses to the train_2 questions and their final answers.

    label(model_dir, questions, prompts, n=1, temperature=0.0, cfg, seed, threads)

One call serves the weak labels (the fine-tuned weak model, zero-shot, greedy), the strong side's
in-context labels (the strong base after k demonstrations), the relabels of each stage-I iteration
and stage II's N samples. The table keeps the question's own prompt (what a model is trained on),
not the demonstrations it was asked with. Answers come from `final_answers`, which never reads a
gold answer; a program-aided response is run in the sandbox for its answer.
"""
from __future__ import annotations

import pandas as pd

from ..models.generate import SamplingConfig, load_generator
from ..sandbox import Sandbox
from ..tasks.verify import final_answers

COLUMNS = ["id", "task", "form", "prompt", "sample", "response", "answer", "demos"]


def label(model_dir: str, questions: pd.DataFrame, prompts: list[str], cfg: dict, seed: int, threads: int,
          n: int = 1, temperature: float = 0.0, demos: list[int] | None = None) -> pd.DataFrame:
    """questions: id, task, form, prompt (one row per question); prompts: what the model is asked
    (the question's prompt, or demonstrations then the prompt); demos: how many each was shown.
    cfg has `generation` and `sandbox`."""
    gen, box = cfg["generation"], cfg["sandbox"]
    generator = load_generator(model_dir, gen["backend"], seed=seed, threads=threads)
    sampling = SamplingConfig(n=n, temperature=temperature, top_p=gen["top_p"] if temperature > 0 else 1.0,
                              max_new_tokens=gen["max_new_tokens"], batch_size=gen["batch_size"],
                              stop=gen.get("stop", []), seed=seed)
    outs = generator.generate(prompts, sampling, progress=True)
    rows = questions.to_dict("records")
    shown = demos or [0] * len(rows)
    flat = [(q, j, c.text, d) for q, cs, d in zip(rows, outs, shown) for j, c in enumerate(cs)]
    with Sandbox(workers=threads, timeout=box["timeout_s"], memory_mb=box["memory_mb"]) as sandbox:
        answers = final_answers([f[0] for f in flat], [f[2] for f in flat], sandbox, timeout=box["timeout_s"])
    return pd.DataFrame([dict(id=q["id"], task=q["task"], form=q["form"], prompt=q["prompt"], sample=j, response=text,
                              answer=a, demos=d) for (q, j, text, d), a in zip(flat, answers)], columns=COLUMNS)
