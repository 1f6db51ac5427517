"""Generation on a GPU: the project's transformers backend (its decode loop, and the static-cache
path it takes on CUDA, compiled into CUDA graphs by transformers) against `model.generate`
(dynamic cache), in one run, for random-init Llama models of 100M and 1B parameters in bf16.
128 new tokens forced (the eos logit row zeroed), each side warmed up at the same shape, best of
two. Then the greedy check in fp32: the backend's outputs against model.generate's, 16 prompts.

    python bench/generation_gpu.py [--sizes 100m 1b] [--batches 1 64 256] [--new-tokens 128]
    python bench/generation_gpu.py --sizes tiny --batches 1 4 --new-tokens 16   # a CPU smoke run
"""
from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

import torch

from reasonforge.models.generate import HFGenerator, SamplingConfig

SIZES = {  # Llama shapes: hidden, layers, heads, intermediate (vocab 32000)
    "tiny": (64, 2, 4, 128),
    "100m": (768, 12, 12, 2048),
    "1b": (2048, 16, 32, 5632),
}
VOCAB = 32000


def word_tokenizer(out: Path):
    """A word-level tokenizer over VOCAB made-up words: prompts of an exact length, any id decodable."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {f"w{i}": i for i in range(VOCAB)}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="w1"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="w0", pad_token="w0", unk_token="w1")
    fast.save_pretrained(out)
    return fast


def build(size: str, dtype: torch.dtype, out: Path) -> Path:
    from transformers import LlamaConfig, LlamaForCausalLM

    hidden, layers, heads, inter = SIZES[size]
    torch.manual_seed(0)
    cfg = LlamaConfig(vocab_size=VOCAB, hidden_size=hidden, num_hidden_layers=layers, num_attention_heads=heads,
                      num_key_value_heads=heads, intermediate_size=inter, max_position_embeddings=2048,
                      eos_token_id=0, pad_token_id=0, bos_token_id=None, tie_word_embeddings=False)
    model = LlamaForCausalLM(cfg)
    with torch.no_grad():
        model.lm_head.weight[0].zero_()  # eos never wins the argmax: every row decodes all its tokens
    model.to(dtype).save_pretrained(out)
    word_tokenizer(out)
    return out


def prompts(n: int, length: int = 32) -> list[str]:
    rng = random.Random(0)
    return [" ".join(f"w{rng.randrange(2, VOCAB)}" for _ in range(length)) for _ in range(n)]


def timed(fn, repeat: int = 2) -> float:
    fn()  # warm-up at this shape (compilation, CUDA graph capture, allocator)
    best = float("inf")
    for _ in range(repeat):
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        t = time.perf_counter()
        fn()
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        best = min(best, time.perf_counter() - t)
    return best


def reference(gen: HFGenerator, batch: list[str], new: int, cache: str | None = None):
    enc = gen.tok(batch, return_tensors="pt", padding=True).to(gen.device)
    kw = {"cache_implementation": cache} if cache else {}
    return gen.model.generate(**enc, max_new_tokens=new, do_sample=False, pad_token_id=0, eos_token_id=0, **kw)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", nargs="+", default=["100m", "1b"], choices=list(SIZES))
    ap.add_argument("--batches", nargs="+", type=int, default=[1, 64, 256])
    ap.add_argument("--new-tokens", type=int, default=128)
    args = ap.parse_args()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    name = torch.cuda.get_device_name() if device == "cuda" else "CPU"
    print(f"device: {name}; torch {torch.__version__}; {args.new_tokens} new tokens forced; best of 2 after a warm-up")
    print(f"{'model':>6} {'batch':>5} {'generate tok/s':>15} {'loop tok/s':>11} {'static tok/s':>13} {'static/generate':>16}")
    tmp = Path(tempfile.mkdtemp())
    for size in args.sizes:
        path = build(size, torch.bfloat16 if device == "cuda" else torch.float32, tmp / size)
        loop, static = HFGenerator(str(path), decode="loop"), HFGenerator(str(path), decode="static")
        n_params = sum(p.numel() for p in loop.model.parameters()) / 1e6
        for b in args.batches:
            batch = prompts(b)
            cfg = SamplingConfig(max_new_tokens=args.new_tokens, batch_size=b)
            tokens = b * args.new_tokens
            t_ref = timed(lambda: reference(loop, batch, args.new_tokens))
            t_loop = timed(lambda: loop.generate(batch, cfg))
            t_static = timed(lambda: static.generate(batch, cfg))
            print(f"{size:>6} {b:>5} {tokens / t_ref:>15,.0f} {tokens / t_loop:>11,.0f} {tokens / t_static:>13,.0f} "
                  f"{t_ref / t_static:>15.2f}x   ({n_params:,.0f}M parameters)")
        del loop, static
        # greedy exactness in fp32: both paths against model.generate, 16 prompts of mixed lengths
        exact = build(size, torch.float32, tmp / f"{size}-fp32")
        rng = random.Random(1)
        mixed = [p[: rng.randrange(20, len(p))].rsplit(" ", 1)[0] for p in prompts(16, 40)]
        cfg = SamplingConfig(max_new_tokens=args.new_tokens, batch_size=16)
        for mode in ("loop", "static"):
            gen = HFGenerator(str(exact), decode=mode)
            ref = reference(gen, mixed, args.new_tokens)[:, gen.tok(mixed, return_tensors="pt", padding=True)["input_ids"].shape[1]:]
            want = [gen.tok.decode(r, skip_special_tokens=True) for r in ref.tolist()]
            got = [c.text for (c,) in gen.generate(mixed, cfg)]
            print(f"{size:>6} fp32 greedy, {mode}: {sum(a == b for a, b in zip(got, want))}/16 identical to model.generate")


if __name__ == "__main__":
    main()
