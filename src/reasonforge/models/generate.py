"""One generation interface, two backends (transformers; vLLM when installed with a GPU).

    gen = load_generator("models/base/strong", backend="auto")
    outs = gen.generate(prompts, SamplingConfig(n=4, temperature=0.8, stop=["\\n"]))
    outs[i][j].text, outs[i][j].tokens, outs[i][j].finish_reason

Prompts are full texts, so step-by-step continuation is `prompt + prefix` with a stop string.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import torch


@dataclass
class SamplingConfig:
    n: int = 1
    temperature: float = 0.0          # 0 = greedy
    top_p: float = 1.0
    max_new_tokens: int = 128
    stop: list[str] = field(default_factory=list)
    seed: int = 0
    batch_size: int = 64


@dataclass
class Completion:
    text: str
    tokens: int
    finish_reason: str  # stop | eos | length


def truncate_at_stop(text: str, stop: list[str]) -> tuple[str, bool]:
    cut = min((i for s in stop if (i := text.find(s)) >= 0), default=-1)
    return (text[:cut], True) if cut >= 0 else (text, False)


class HFGenerator:
    """transformers backend: batched, left padding, KV cache, stop strings."""

    def __init__(self, path: str, device: str | None = None, threads: int | None = None):
        from .load import load_model

        if threads:
            torch.set_num_threads(threads)
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.model, self.tok = load_model(path, self.device)

    @torch.inference_mode()
    def generate(self, prompts: list[str], cfg: SamplingConfig, progress: bool = False) -> list[list[Completion]]:
        out: list[list[Completion]] = []
        per_batch = max(1, cfg.batch_size // cfg.n)
        batches = range(0, len(prompts), per_batch)
        if progress:
            from tqdm import tqdm

            batches = tqdm(batches, desc="generate", unit="batch")
        for start in batches:
            chunk = prompts[start : start + per_batch]
            torch.manual_seed(cfg.seed + start)
            enc = self.tok(chunk, return_tensors="pt", padding=True).to(self.device)
            kwargs = dict(max_new_tokens=cfg.max_new_tokens, num_return_sequences=cfg.n,
                          pad_token_id=self.tok.pad_token_id, eos_token_id=self.tok.eos_token_id)
            if cfg.temperature > 0:
                kwargs.update(do_sample=True, temperature=cfg.temperature, top_p=cfg.top_p)
            else:
                kwargs.update(do_sample=False)
            if cfg.stop:
                kwargs.update(stop_strings=cfg.stop, tokenizer=self.tok)
            seqs = self.model.generate(**enc, **kwargs)[:, enc["input_ids"].shape[1]:]
            for i in range(len(chunk)):
                out.append([self._completion(seqs[i * cfg.n + j], cfg) for j in range(cfg.n)])
        return out

    def _completion(self, ids: torch.Tensor, cfg: SamplingConfig) -> Completion:
        ids = ids.tolist()
        eos = self.tok.eos_token_id
        finish = "length"
        if eos in ids:
            ids, finish = ids[: ids.index(eos)], "eos"
        ids = [t for t in ids if t != self.tok.pad_token_id]
        text = self.tok.decode(ids, skip_special_tokens=True)
        text, stopped = truncate_at_stop(text, cfg.stop)
        if stopped:
            return Completion(text, len(self.tok(text, add_special_tokens=False)["input_ids"]), "stop")
        return Completion(text, len(ids), finish)


class VLLMGenerator:
    """vLLM backend (GPU). Imported only when chosen."""

    def __init__(self, path: str, seed: int = 0, **llm_kwargs):
        from vllm import LLM

        self.llm = LLM(model=path, seed=seed, **llm_kwargs)

    def generate(self, prompts: list[str], cfg: SamplingConfig, progress: bool = False) -> list[list[Completion]]:
        from vllm import SamplingParams

        params = SamplingParams(n=cfg.n, temperature=cfg.temperature, top_p=cfg.top_p, max_tokens=cfg.max_new_tokens,
                                stop=cfg.stop or None, seed=cfg.seed)
        results = self.llm.generate(prompts, params, use_tqdm=progress)
        return [[Completion(o.text, len(o.token_ids), "stop" if o.finish_reason == "stop" and o.stop_reason is not None
                            else ("eos" if o.finish_reason == "stop" else "length")) for o in r.outputs] for r in results]


def vllm_available() -> bool:
    try:
        import vllm  # noqa: F401
    except ImportError:
        return False
    return torch.cuda.is_available()


def resolve_backend(backend: str) -> str:
    if backend == "auto":
        return "vllm" if vllm_available() else "hf"
    if backend == "vllm" and not vllm_available():
        raise RuntimeError("generation.backend: vllm requested but vllm is not installed or no GPU is visible "
                           "(pip install 'reasonforge[vllm]' on a CUDA machine, or use backend: hf)")
    return backend


def load_generator(path: str, backend: str = "auto", seed: int = 0, threads: int | None = None):
    backend = resolve_backend(backend)
    return VLLMGenerator(path, seed=seed) if backend == "vllm" else HFGenerator(path, threads=threads)
