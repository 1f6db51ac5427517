import os
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def bin_dir() -> Path:
    return Path(sys.executable).parent


@pytest.fixture(scope="session", autouse=True)
def slurm(request):
    """The single-node SLURM of cluster/local-slurm (installed with apt where it can), started before
    the first test of a session that runs the workflow tests and stopped at its end if this session
    started it. Yields None when it runs, or why it does not. Started first, not with the workflow
    module: where SLURM is installed but its controller is down, every Snakemake start waits 9 s in
    the SLURM executor plugin's `scontrol show config` (run at import); the documented dry-runs took
    13 s each that way, 4 s with the controller up (2026-12-03, this VM)."""
    if not any(item.path.name == "test_workflow.py" for item in request.session.items):
        yield "this session runs no workflow test"
        return
    script = str(ROOT / "cluster/local-slurm")
    was_running = subprocess.run([script, "check"], capture_output=True).returncode == 0
    r = subprocess.run([script, "start"], capture_output=True, text=True)
    yield None if r.returncode == 0 else (r.stderr.strip() or f"cluster/local-slurm start: exit {r.returncode}")
    if r.returncode == 0 and not was_running:
        subprocess.run([script, "stop"], capture_output=True)


@pytest.fixture
def stop_signal_at_step(monkeypatch):
    """`arm(k)`: this process gets SIGTERM (as from scancel or a preemption) during the k-th optimizer step
    from now on; `arm(None)` disarms. Every trainer here steps a torch AdamW, so this stops each of them
    at a step of the test's choosing through the real signal path."""
    import torch

    state = {"k": None, "n": 0}
    step = torch.optim.AdamW.step

    def counted(self, *args, **kwargs):
        state["n"] += 1
        if state["n"] == state["k"]:
            os.kill(os.getpid(), signal.SIGTERM)
        return step(self, *args, **kwargs)

    monkeypatch.setattr(torch.optim.AdamW, "step", counted)

    def arm(k):
        state.update(k=k, n=0)

    return arm


@pytest.fixture
def vllm_standin(monkeypatch):
    """A `vllm` module with the surface reasonforge's vLLM backend uses (vLLM 0.22-0.31: `LLM(model=, seed=,
    ...)`, `LLM.generate(prompts, SamplingParams, use_tqdm=)` -> RequestOutput(prompt_token_ids, outputs=
    [CompletionOutput(text, token_ids, finish_reason, stop_reason)]), `SamplingParams(n, temperature, top_p,
    max_tokens, stop, seed)`), answering through the transformers backend, so the adapter's code runs on
    CPU. `calls` records each generate's SamplingParams. vLLM's wheels need CUDA: the real one runs on a GPU."""
    import types
    from dataclasses import dataclass

    from reasonforge.models.generate import HFGenerator, SamplingConfig

    @dataclass
    class SamplingParams:  # unknown keywords fail, as vLLM's own
        n: int = 1
        temperature: float = 1.0
        top_p: float = 1.0
        max_tokens: int | None = 16
        stop: list | None = None
        seed: int | None = None

    @dataclass
    class CompletionOutput:
        text: str
        token_ids: list
        finish_reason: str          # "stop" (a stop string or EOS) | "length"
        stop_reason: object = None  # the stop string matched; None at EOS

    @dataclass
    class RequestOutput:
        prompt_token_ids: list
        outputs: list

    class LLM:
        def __init__(self, model: str, seed: int = 0, **kwargs):
            self.hf, module.calls = HFGenerator(model), []

        def generate(self, prompts, sampling_params, use_tqdm=True):
            p = sampling_params
            module.calls.append(p)
            cfg = SamplingConfig(n=p.n, temperature=p.temperature, top_p=p.top_p, max_new_tokens=p.max_tokens,
                                 stop=list(p.stop or []), seed=p.seed or 0)
            results = []
            for prompt, outs in zip(prompts, self.hf.generate(list(prompts), cfg)):
                results.append(RequestOutput(self.hf.tok(prompt)["input_ids"], [CompletionOutput(
                    o.text, list(range(o.tokens)), "length" if o.finish_reason == "length" else "stop",
                    next((s for s in p.stop or [] if o.finish_reason == "stop"), None)) for o in outs]))
            return results

    module = types.ModuleType("vllm")
    module.LLM, module.SamplingParams, module.calls = LLM, SamplingParams, []
    monkeypatch.setitem(sys.modules, "vllm", module)
    return module


def joined(prompts, prefixes):
    """What a base model reads: each prompt followed by its continuation (models/generate.py, read_as)."""
    return [p + (prefixes[i] if prefixes is not None else "") for i, p in enumerate(prompts)]


class Scripted:
    """A stand-in generator: fn(prompt, sample index) -> completion text; records each call as
    (prompts, n, temperature)."""

    def __init__(self, fn):
        self.fn, self.calls = fn, []

    def generate(self, prompts, cfg, progress=False, prefixes=None):
        from reasonforge.models.generate import Completion

        prompts = joined(prompts, prefixes)
        self.calls.append((list(prompts), cfg.n, cfg.temperature))
        return [[Completion(self.fn(p, j), 5, "stop") for j in range(cfg.n)] for p in prompts]


@pytest.fixture(scope="module")
def sandbox():
    from reasonforge.sandbox import Sandbox

    with Sandbox(workers=2) as sb:
        yield sb


class Stepper:
    """A stand-in policy for search: fn(prompt, k) -> (text, finish reason), k = how many times
    this prompt was asked before. Counts characters as tokens (read: prompts; generated: text + 1)
    and records each call's prompts."""

    def __init__(self, fn):
        self.fn, self.calls, self.asked = fn, [], {}
        self.tokens_read = self.tokens_generated = 0

    def generate(self, prompts, cfg, progress=False, prefixes=None):
        from reasonforge.models.generate import Completion

        prompts = joined(prompts, prefixes)
        self.calls.append(list(prompts))
        out = []
        for p in prompts:
            row = []
            for _ in range(cfg.n):
                k = self.asked[p] = self.asked.get(p, -1) + 1
                text, finish = self.fn(p, k)
                self.tokens_read += len(p) if not row else 0  # a prompt sampled n times is read once
                self.tokens_generated += len(text) + 1
                row.append(Completion(text, len(text) + 1, finish))
            out.append(row)
        return out


class Judge:
    """A stand-in critic: fn(prompt, completion) -> score; counts characters read; records calls."""

    def __init__(self, fn):
        self.fn, self.calls, self.tokens_read = fn, [], 0

    def score(self, prompts, completions):
        self.calls.append(list(completions))
        self.tokens_read += sum(len(p) + len(c) for p, c in zip(prompts, completions))
        return [self.fn(p, c) for p, c in zip(prompts, completions)]


def instructions(**over):
    """A two-row instructions table (tables.Instructions), with columns overridden."""
    df = pd.DataFrame(dict(id=["a", "b"], task=["math", "logic"], source="synthetic", split="test", difficulty=[1, 2],
                           form="cot", prompt=["p1", "p2"], answer=["1", "T"], tests=[None, None], solution=["s", "s"]))
    for k, v in over.items():
        df[k] = v
    return df
