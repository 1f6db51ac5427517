"""One generation interface, two backends (transformers; vLLM when installed with a GPU).

    gen = load_generator("models/base/strong", backend="auto")
    outs = gen.generate(prompts, SamplingConfig(n=4, temperature=0.8, stop=["\\n"]))
    outs[i][j].text, outs[i][j].tokens, outs[i][j].finish_reason

Prompts are full texts, so step-by-step continuation is `prompt + prefix` with a stop string.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import torch
from transformers.cache_utils import Cache, DynamicLayer

from .chat import ChatFormat


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


class PreallocatedLayer(DynamicLayer):
    """A DynamicLayer that writes each step into a buffer sized for the whole generation instead
    of torch.cat-ing the cache (at batch 64 on CPU that copy was the largest part of a decode
    step). Rows still leave the batch through batch_select_indices."""

    def __init__(self, room: int):
        super().__init__()
        self.room = room

    def _allocate(self, key_states, value_states, batch: int) -> None:
        self.dtype, self.device, self.length = key_states.dtype, key_states.device, 0
        self.key_buf = key_states.new_zeros((batch, key_states.shape[1], self.room, key_states.shape[3]))
        self.value_buf = value_states.new_zeros((batch, value_states.shape[1], self.room, value_states.shape[3]))
        self.is_initialized = True

    def put_rows(self, rows: torch.Tensor, batch: int, width: int, keys: torch.Tensor, values: torch.Tensor) -> None:
        """Prefill `rows` of a `batch`-row cache, right-aligned at `width` (left padding stays zero)."""
        if not self.is_initialized:
            self._allocate(keys, values, batch)
        self.key_buf[rows, :, width - keys.shape[2] : width] = keys
        self.value_buf[rows, :, width - values.shape[2] : width] = values
        self.length = width
        self.keys, self.values = self.key_buf[:, :, :width], self.value_buf[:, :, :width]

    def update(self, key_states, value_states, *args, **kwargs):
        if not self.is_initialized:
            self._allocate(key_states, value_states, key_states.shape[0])
        end = self.length + key_states.shape[-2]
        self.key_buf[:, :, self.length : end] = key_states
        self.value_buf[:, :, self.length : end] = value_states
        self.length = end
        self.keys, self.values = self.key_buf[:, :, :end], self.value_buf[:, :, :end]
        return self.keys, self.values

    def batch_select_indices(self, indices):
        for name in ("key_buf", "value_buf"):  # copy only the filled part into a smaller buffer
            buf = getattr(self, name)
            kept = buf.new_empty((len(indices), *buf.shape[1:]))
            kept[:, :, : self.length] = buf[indices, :, : self.length]
            setattr(self, name, kept)
        self.keys, self.values = self.key_buf[:, :, : self.length], self.value_buf[:, :, : self.length]


def attention_window(config) -> int | None:
    """The shortest sliding attention window of a model, None when every layer attends to all
    tokens. A model with any other kind of layer (linear attention, state space) is refused."""
    kinds = set(getattr(config, "layer_types", None) or [])
    if kinds - {"full_attention", "sliding_attention"}:
        raise ValueError(f"{config.model_type}: layer types {sorted(kinds)}; the transformers backend decodes "
                         "attention-only models (use generation.backend: vllm)")
    sliding = "sliding_attention" in kinds if kinds else getattr(config, "use_sliding_window", True)
    return getattr(config, "sliding_window", None) if sliding else None


class HFGenerator:
    """transformers backend: batched, left padding, KV cache, stop strings.

    Its own decode loop rather than `model.generate`: rows that end (eos or a stop string) leave
    the batch and the KV cache at once, so a batch costs what its live rows cost; with the
    preallocated cache and grouped prefill it took batch-64 throughput of `strong` on 2 CPU
    threads from 3.6k to ~6k tokens/s (bench/). `model.generate` stays the reference: tests check
    greedy outputs are identical. Its cache treats every layer as full attention, which is exact
    for sliding-window layers while prompt + new tokens fit the window; beyond it, it refuses.
    """

    def __init__(self, path: str, device: str | None = None, threads: int | None = None, decode: str = "auto"):
        from .load import load_model

        if threads:
            torch.set_num_threads(threads)
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.model, self.tok = load_model(path, self.device)
        # "loop": the decode loop below; "static": transformers' static KV cache, whose decode step
        # it compiles into CUDA graphs on a GPU. On an H100 (1B Llama, bf16) a step of the loop took
        # 16.9 ms at batch 1 and 15.9 at batch 64, bound by kernel launches and per-step cache and
        # mask work; the compiled static step 3.0 and 7.8 (the figures). On CPU the loop is
        # faster (rows leave early, no padding to the longest row), so `auto` picks by device.
        if decode not in ("auto", "loop", "static"):
            raise ValueError(f"decode: {decode!r} is not auto, loop or static")
        self.decode_mode = ("static" if self.device.startswith("cuda") else "loop") if decode == "auto" else decode
        self.window = attention_window(self.model.config)
        self.chat = ChatFormat.of(path, self.tok)
        self.prefilled = 0  # prompts run through prefill (a prompt sampled n times counts once)
        # compute counts for search against sampling: prompt tokens run through prefill (a prompt
        # sampled n times read once) and tokens decoded (stop-string overshoot included)
        self.tokens_read = 0
        self.tokens_generated = 0
        self.share_prefill = True  # False only to measure what sharing saves (bench/)

    @cached_property
    def pieces(self) -> list[str]:
        """Per-token text, only to notice stop strings early (the final text is decoded whole).
        Built on first use: ~1 s for a 150k vocabulary."""
        return [self.tok.decode([i]) for i in range(len(self.tok))]

    @torch.inference_mode()
    def generate(self, prompts: list[str], cfg: SamplingConfig, progress: bool = False,
                 prefixes: list[str] | None = None) -> list[list[Completion]]:
        """n completions per prompt; `prefixes`: a continuation of each (a partial solution), which follows the
        prompt as the model reads it (its chat template's rendering for a chat model, models/chat.py)."""
        prompts = read_as(self.chat, self.tok, prompts, prefixes)
        # Batches of similar length waste less on padding; results come back in prompt order.
        order = sorted(range(len(prompts)), key=lambda i: len(prompts[i]))
        out: list[list[Completion]] = [[] for _ in prompts]
        per_batch = max(1, cfg.batch_size // cfg.n)
        batches = range(0, len(prompts), per_batch)
        if progress:
            from tqdm import tqdm

            batches = tqdm(batches, desc="generate", unit="batch")
        for start in batches:
            chunk = order[start : start + per_batch]
            batch = [prompts[i] for i in chunk for _ in range(cfg.n)]
            if self.decode_mode == "static":
                rows = self.decode_static(batch, cfg, cfg.seed + start)
            else:
                rows = self.decode(batch, cfg, torch.Generator(self.device).manual_seed(cfg.seed + start))
            for k, i in enumerate(chunk):
                out[i] = [self._completion(*row, cfg) for row in rows[k * cfg.n : (k + 1) * cfg.n]]
        return out

    def decode(self, prompts: list[str], cfg: SamplingConfig, rng: torch.Generator) -> list[tuple[list[int], str]]:
        """(new token ids, finish reason) per prompt; eos is not included in the ids."""
        # A prompt sampled n times is prefilled once; its cache rows are then copied n times
        # (best-of-16 prefilled each prompt 16 times before).
        unique = list(dict.fromkeys(prompts)) if self.share_prefill else prompts
        enc = self.tok(unique, return_tensors="pt", padding=True).to(self.device)
        mask = enc["attention_mask"]
        self._check_window(mask.shape[1], cfg)
        cache = Cache(layers=[PreallocatedLayer(mask.shape[1] + cfg.max_new_tokens)
                              for _ in range(self.model.config.num_hidden_layers)])
        logits = self.prefill(enc["input_ids"], mask, cache)
        self.prefilled += len(unique)
        self.tokens_read += int(mask.sum())
        if len(unique) < len(prompts):
            row_of = {p: i for i, p in enumerate(unique)}
            index = torch.tensor([row_of[p] for p in prompts], device=self.device)
            cache.batch_select_indices(index)
            logits, mask = logits[index], mask[index]
        position = mask.sum(-1, keepdim=True) - 1
        ids: list[list[int]] = [[] for _ in prompts]
        reason = ["length"] * len(prompts)
        tails = [""] * len(prompts)
        window = max((len(s) for s in cfg.stop), default=0) + 16
        rows: list[int | None] = list(range(len(prompts)))  # prompt index of each batch row; None once it ended
        for step in range(cfg.max_new_tokens):
            token = self._pick(logits, cfg, rng)
            self.tokens_generated += sum(i is not None for i in rows)  # one token per live row (eos too)
            for row, (i, t) in enumerate(zip(rows, token.tolist())):
                if i is None:
                    continue
                if t == self.tok.eos_token_id:
                    reason[i], rows[row] = "eos", None
                    continue
                ids[i].append(t)
                if cfg.stop:
                    tails[i] = (tails[i] + self.pieces[t])[-window:]
                    if any(s in tails[i] for s in cfg.stop):
                        reason[i], rows[row] = "stop", None
            live = [row for row, i in enumerate(rows) if i is not None]
            if not live or step == cfg.max_new_tokens - 1:
                break
            # Ended rows leave the batch and the cache, in one copy once they are 1/8 of it
            if len(rows) - len(live) >= max(1, len(rows) // 8):
                index = torch.tensor(live, device=self.device)
                cache.batch_select_indices(index)
                token, mask, position = token[index], mask[index], position[index]
                rows = [rows[row] for row in live]
            mask = torch.cat([mask, mask.new_ones(len(rows), 1)], dim=1)
            position = position + 1
            logits = self.model(input_ids=token[:, None], attention_mask=mask, position_ids=position,
                                past_key_values=cache, use_cache=True).logits[:, -1]
        return list(zip(ids, reason))

    def _check_window(self, width: int, cfg: SamplingConfig) -> None:
        if self.window and width + cfg.max_new_tokens > self.window:
            raise ValueError(f"prompt ({width} tokens) + max_new_tokens ({cfg.max_new_tokens}) exceed the "
                             f"model's sliding attention window ({self.window}); use generation.backend: vllm")

    def decode_static(self, prompts: list[str], cfg: SamplingConfig, seed: int) -> list[tuple[list[int], str]]:
        """decode() through `model.generate` with a static cache (compiled into CUDA graphs on a GPU):
        every row stays in the batch to the end; greedy output is model.generate's, which decode()
        matches token for token. Sampling draws from the global RNG, forked and seeded per batch."""
        enc = self.tok(prompts, return_tensors="pt", padding=True).to(self.device)
        self._check_window(enc["input_ids"].shape[1], cfg)
        sampling = dict(do_sample=True, temperature=cfg.temperature, top_p=cfg.top_p, top_k=0) if cfg.temperature > 0 \
            else dict(do_sample=False, temperature=None, top_p=None, top_k=None)
        stops = dict(stop_strings=cfg.stop, tokenizer=self.tok) if cfg.stop else {}
        with torch.random.fork_rng(devices=[self.device] if self.device.startswith("cuda") else []):
            torch.manual_seed(seed)
            out = self.model.generate(**enc, max_new_tokens=cfg.max_new_tokens, cache_implementation="static",
                                      pad_token_id=self.tok.eos_token_id, eos_token_id=self.tok.eos_token_id,
                                      **sampling, **stops)  # a finished row is padded with eos: cut there
        self.tokens_read += int(enc["attention_mask"].sum())
        rows = []
        for new in out[:, enc["input_ids"].shape[1]:].tolist():
            cut = next((k for k, t in enumerate(new) if t == self.tok.eos_token_id), None)
            ids = new if cut is None else new[:cut]
            self.tokens_generated += len(ids) + (cut is not None)  # the eos step counts, as in decode()
            rows.append((ids, "length" if cut is None else "eos"))  # a stop string is found in the text
        return rows

    def prefill(self, input_ids: torch.Tensor, mask: torch.Tensor, cache: Cache, group: int = 16) -> torch.Tensor:
        """Run the prompts into `cache`; last-position logits. Rows go through in groups of similar
        length, each padded only to its own longest prompt (one padded batch spent ~40% of its
        prompt compute on padding in bench/); the cache holds them left-padded to the batch width."""
        lengths = mask.sum(-1)
        order = lengths.argsort()
        logits = None
        for start in range(0, len(order), group):
            rows = order[start : start + group]
            width = int(lengths[rows].max())
            part_mask = mask[rows, -width:]
            part_cache = Cache(layers=[PreallocatedLayer(width) for _ in cache.layers])
            part = self.model(input_ids=input_ids[rows, -width:], attention_mask=part_mask,
                              position_ids=(part_mask.cumsum(-1) - 1).clamp(min=0),
                              past_key_values=part_cache, use_cache=True, logits_to_keep=1).logits[:, -1].float()
            logits = part.new_empty((len(order), part.shape[-1])) if logits is None else logits
            logits[rows] = part
            for layer, filled in zip(cache.layers, part_cache.layers):
                layer.put_rows(rows, len(order), mask.shape[1], filled.keys, filled.values)
        return logits

    @staticmethod
    def _pick(logits: torch.Tensor, cfg: SamplingConfig, rng: torch.Generator) -> torch.Tensor:
        if cfg.temperature <= 0:
            return logits.argmax(-1)
        probs = torch.softmax(logits.float() / cfg.temperature, dim=-1)
        if cfg.top_p < 1.0:  # nucleus: keep the smallest head of the sorted distribution with mass >= top_p
            sorted_probs, order = probs.sort(dim=-1, descending=True)
            outside = sorted_probs.cumsum(-1) - sorted_probs >= cfg.top_p
            sorted_probs = sorted_probs.masked_fill(outside, 0.0)
            probs = torch.zeros_like(probs).scatter_(-1, order, sorted_probs)
        return torch.multinomial(probs, 1, generator=rng)[:, 0]

    def _completion(self, ids: list[int], reason: str, cfg: SamplingConfig) -> Completion:
        text = self.tok.decode(ids, skip_special_tokens=True)
        text, stopped = truncate_at_stop(text, cfg.stop)
        if stopped:
            return Completion(text, len(self.tok(text, add_special_tokens=False)["input_ids"]), "stop")
        return Completion(text, len(ids), "length" if reason == "stop" else reason)


class VLLMGenerator:
    """vLLM backend (GPU). Imported only when chosen."""

    def __init__(self, path: str, seed: int = 0, **llm_kwargs):
        from transformers import AutoTokenizer
        from vllm import LLM

        self.llm = LLM(model=path, seed=seed, **llm_kwargs)
        self.tok = AutoTokenizer.from_pretrained(path)
        self.chat = ChatFormat.of(path, self.tok)
        self.tokens_read = 0
        self.tokens_generated = 0

    def generate(self, prompts: list[str], cfg: SamplingConfig, progress: bool = False,
                 prefixes: list[str] | None = None) -> list[list[Completion]]:
        from vllm import SamplingParams

        prompts = read_as(self.chat, self.tok, prompts, prefixes)

        params = SamplingParams(n=cfg.n, temperature=cfg.temperature, top_p=cfg.top_p, max_tokens=cfg.max_new_tokens,
                                stop=cfg.stop or None, seed=cfg.seed)
        results = self.llm.generate(prompts, params, use_tqdm=progress)
        self.tokens_read += sum(len(r.prompt_token_ids) for r in results)  # its prefix cache may read fewer
        self.tokens_generated += sum(len(o.token_ids) for r in results for o in r.outputs)
        return [[Completion(o.text, len(o.token_ids), "stop" if o.finish_reason == "stop" and o.stop_reason is not None
                            else ("eos" if o.finish_reason == "stop" else "length")) for o in r.outputs] for r in results]


def read_as(chat: ChatFormat, tok, prompts: list[str], prefixes: list[str] | None) -> list[str]:
    """The texts a model reads: each prompt rendered for it (raw for a base model), then its continuation."""
    if prefixes is not None and len(prefixes) != len(prompts):
        raise ValueError(f"{len(prefixes)} prefixes for {len(prompts)} prompts")
    return [chat.render(tok, p) + (prefixes[i] if prefixes is not None else "") for i, p in enumerate(prompts)]


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
