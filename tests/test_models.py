import json
import random
import signal

import pandas as pd
import pytest
import torch

from reasonforge.trainjob import TrainJob
from reasonforge.models.generate import (HFGenerator, SamplingConfig, attention_window, load_generator,
                                         resolve_backend, truncate_at_stop)
from reasonforge.models.load import import_model, load_model
from reasonforge.models.pretrain import PretrainConfig, build_model, lr_at, pack_docs, pretrain
from reasonforge.models.tokenizer import train_tokenizer
from reasonforge.tasks.pools import build_family

CFG = {"n_pretrain": 4, "n_train": 150, "n_test": 4, "n_ood": 4, "forms": ["cot", "pot"],
       "train": {"min_steps": 1, "max_steps": 2, "max_operand": 9}, "ood": {"min_steps": 3, "max_steps": 3, "max_operand": 9}}


@pytest.fixture(scope="module")
def corpus():
    df = pd.concat([build_family(f, CFG, seed=0)["train"] for f in ("math", "code", "logic")])
    return list(df["prompt"]), list(df["solution"])


@pytest.fixture(scope="module")
def tok(corpus):
    return train_tokenizer([p + s for p, s in zip(*corpus)], vocab_size=200)


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory, tok, corpus):
    out = tmp_path_factory.mktemp("m") / "tiny"
    cfg = PretrainConfig(d_model=32, n_layers=1, n_heads=2, d_ff=64, steps=40, batch_size=16, lr=5e-3, warmup=5)
    log = pretrain(cfg, tok, [p + s for p, s in zip(*corpus)], out, log_every=10)
    assert log[-1]["loss"] < log[0]["loss"] * 0.7  # it learns something
    return out


def test_lr_schedule_warmup_hold_then_cosine_to_a_tenth():
    cfg = PretrainConfig(d_model=8, n_layers=1, n_heads=1, d_ff=8, steps=110, lr=1.0, warmup=10)
    lrs = [lr_at(s, cfg) for s in range(110)]
    assert lrs[:10] == [(s + 1) / 10 for s in range(10)] and lrs[10] == 1.0
    assert all(a > b for a, b in zip(lrs[10:], lrs[11:])) and lrs[-1] == pytest.approx(0.1, abs=1e-3)
    held = PretrainConfig(**{**cfg.__dict__, "hold": 0.5})
    lrs_held = [lr_at(s, held) for s in range(110)]
    assert lrs_held[:60] == lrs[:10] + [1.0] * 50  # warmup, then the peak for half the remaining steps
    assert all(a > b for a, b in zip(lrs_held[60:], lrs_held[61:])) and lrs_held[-1] == pytest.approx(0.1, abs=1e-2)


def test_a_probe_is_logged_and_changes_no_weight(tok, corpus, tmp_path):
    """A bench's probe sees the model at each log step; the weights equal a run without it."""
    cfg = PretrainConfig(d_model=16, n_layers=1, n_heads=2, d_ff=32, steps=6, batch_size=4, lr=5e-3, warmup=2)
    texts = [p + s for p, s in zip(*corpus)]
    seen = []

    def probe(model):
        assert not model.training and not torch.is_grad_enabled()
        seen.append(1)
        return {"probe": float(len(seen))}

    log = pretrain(cfg, tok, texts, tmp_path / "probed", log_every=2, probe=probe)
    pretrain(cfg, tok, texts, tmp_path / "plain", log_every=2)
    assert [e["probe"] for e in log] == [1.0, 2.0, 3.0, 4.0]  # steps 0, 2, 4 and the last
    probed, plain = (load_model(tmp_path / d)[0].state_dict() for d in ("probed", "plain"))
    assert all(torch.equal(probed[k], plain[k]) for k in plain)


def test_a_stopped_pretraining_resumes_to_the_same_weights(tok, corpus, tmp_path, stop_signal_at_step):
    """SIGTERM during step 6 of 12, checkpoints every 4: the job saves after step 6 and exits 143 without
    writing the model; the re-run resumes at step 6 and ends with the bytes of a run never stopped."""
    cfg = PretrainConfig(d_model=16, n_layers=1, n_heads=2, d_ff=32, steps=12, batch_size=4, lr=5e-3, warmup=2)
    texts = [p + s for p, s in zip(*corpus)]
    straight = pretrain(cfg, tok, texts, tmp_path / "straight", log_every=2)
    tj = TrainJob(tmp_path / "tj", every=4)
    stop_signal_at_step(6)
    with pytest.raises(SystemExit) as stopped:
        pretrain(cfg, tok, texts, tmp_path / "stopped", log_every=2, trainjob=tj)
    assert stopped.value.code == 128 + signal.SIGTERM and not (tmp_path / "stopped").exists()
    assert [p.name for p in tj.all()] == ["checkpoint-6"]  # checkpoint-4 saved, then replaced by the stop's
    stop_signal_at_step(None)
    resumed = pretrain(cfg, tok, texts, tmp_path / "resumed", log_every=2, trainjob=tj)
    weights = [(tmp_path / d / "model.safetensors").read_bytes() for d in ("straight", "resumed")]
    assert weights[0] == weights[1]
    assert [(e["step"], e["loss"]) for e in resumed] == [(e["step"], e["loss"]) for e in straight]


@pytest.fixture(scope="module")
def noisy_model_dir(tmp_path_factory, tok):
    """Random weights, large enough that each prompt gets its own continuation, some ending in eos."""
    out = tmp_path_factory.mktemp("m") / "noisy"
    torch.manual_seed(0)
    model = build_model(PretrainConfig(d_model=32, n_layers=1, n_heads=2, d_ff=64), tok)
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0, 0.5)
        model.get_input_embeddings().weight[tok.eos_token_id] *= 2.0
    model.save_pretrained(out)
    tok.save_pretrained(out)
    return out


def test_tokenizer_roundtrip_and_boundaries(tok, corpus):
    prompts, solutions = corpus
    for p, s in zip(prompts[:50], solutions[:50]):
        ids = tok(p + s)["input_ids"]
        assert ids[0] == tok.bos_token_id and tok.unk_token_id not in ids
        assert tok.decode(ids, skip_special_tokens=True) == p + s
        # prompt ends in a newline: its tokens are a prefix of prompt+solution's (TRL needs this)
        assert tok(p + s)["input_ids"][: len(tok(p)["input_ids"])] == tok(p)["input_ids"]
    digits = tok("12345", add_special_tokens=False)["input_ids"]
    assert len(digits) == 5
    assert tok.unk_token_id not in tok("def f(x): return {'a': [1]} # ~`|\\")["input_ids"]
    assert tok.padding_side == "left"


def test_documents_are_packed_whole(tok):
    """Web text: every token of every document (BOS, text, EOS) is in the stream, cut into full
    max_len windows, the order seeded; a corpus shorter than a window is an error."""
    texts = [f"Q: {i}+1\nA (steps):\nAnswer: {i + 1}" for i in range(30)]
    w = pack_docs(tok, texts, max_len=16, seed=0)
    assert w.shape[1] == 16 and w.dtype == torch.long
    n_tokens = sum(len(ids) + 1 for ids in tok(texts)["input_ids"])
    assert w.shape[0] == n_tokens // 16
    flat = w.flatten().tolist()
    # only the tail (< one window, shorter than two documents) is dropped
    assert flat.count(tok.bos_token_id) >= len(texts) - 1 and flat.count(tok.eos_token_id) >= len(texts) - 2
    assert tok.pad_token_id not in flat
    assert torch.equal(w, pack_docs(tok, texts, 16, seed=0)) and not torch.equal(w, pack_docs(tok, texts, 16, seed=1))
    with pytest.raises(ValueError, match="shorter than one window"):
        pack_docs(tok, texts[:1], max_len=4096)


def test_saved_model_loads_with_auto_classes(model_dir):
    model, tok = load_model(model_dir)
    assert model.config.model_type == "llama" and tok.pad_token == "<pad>"
    log = json.loads((model_dir / "train_log.json").read_text())
    assert log["params"] == sum(p.numel() for p in model.parameters())


def test_batched_greedy_matches_one_at_a_time(noisy_model_dir, corpus):
    gen = HFGenerator(str(noisy_model_dir))
    prompts = corpus[0][:6] + corpus[0][-3:]  # mixed lengths, so sorting into batches reorders them
    cfg = SamplingConfig(max_new_tokens=12, batch_size=4)
    batched = [o[0].text for o in gen.generate(prompts, cfg)]
    single = [gen.generate([p], SamplingConfig(max_new_tokens=12, batch_size=1))[0][0].text for p in prompts]
    assert batched == single and len(set(batched)) > 5


@pytest.mark.parametrize("stop", [[], ["X", "Bo"]])
def test_decode_loop_matches_transformers_generate(noisy_model_dir, corpus, stop):
    """The own decode loop (rows leave the batch when they end) gives model.generate's greedy output."""
    gen = HFGenerator(str(noisy_model_dir))
    prompts = random.Random(0).sample(corpus[0], 24)  # 24 rows: the prompt goes in as two length groups
    ours = gen.generate(prompts, SamplingConfig(max_new_tokens=24, batch_size=24, stop=stop))
    enc = gen.tok(prompts, return_tensors="pt", padding=True)
    ref = gen.model.generate(**enc, max_new_tokens=24, do_sample=False, pad_token_id=gen.tok.pad_token_id,
                             eos_token_id=gen.tok.eos_token_id, **({"stop_strings": stop, "tokenizer": gen.tok} if stop else {}))
    for (c,), row in zip(ours, ref[:, enc["input_ids"].shape[1]:].tolist()):
        ended = gen.tok.eos_token_id in row
        row = row[: row.index(gen.tok.eos_token_id)] if ended else row  # then pads, as after a stop string
        text, stopped = truncate_at_stop(gen.tok.decode(row, skip_special_tokens=True), stop)
        assert c.text == text
        if not stopped:
            assert (c.tokens, c.finish_reason) == (len(row), "eos" if ended else "length")
    reasons = {c.finish_reason for (c,) in ours}
    assert reasons == ({"eos", "length", "stop"} if stop else {"eos", "length"})  # rows left at different steps


def test_sliding_window_models_decode_within_the_window_and_refuse_beyond(tmp_path, tok, corpus):
    from transformers import MistralConfig, MistralForCausalLM, Qwen2Config

    torch.manual_seed(0)
    config = MistralConfig(hidden_size=32, intermediate_size=64, num_hidden_layers=1, num_attention_heads=2,
                           num_key_value_heads=2, vocab_size=len(tok), sliding_window=96,
                           bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id, pad_token_id=tok.pad_token_id)
    model = MistralForCausalLM(config)
    model.save_pretrained(tmp_path)
    tok.save_pretrained(tmp_path)
    gen = HFGenerator(str(tmp_path))
    assert gen.window == 96
    prompts = [p for p in corpus[0] if len(tok(p)["input_ids"]) < 40][:4]
    ours = gen.generate(prompts, SamplingConfig(max_new_tokens=16))
    enc = gen.tok(prompts, return_tensors="pt", padding=True)
    ref = gen.model.generate(**enc, max_new_tokens=16, do_sample=False, pad_token_id=tok.pad_token_id,
                             eos_token_id=tok.eos_token_id)[:, enc["input_ids"].shape[1]:]
    for (c,), row in zip(ours, ref.tolist()):
        row = row[: row.index(tok.eos_token_id)] if tok.eos_token_id in row else row
        assert c.text == tok.decode(row, skip_special_tokens=True)
    with pytest.raises(ValueError, match="sliding attention window"):
        gen.generate(prompts, SamplingConfig(max_new_tokens=90))
    hybrid = Qwen2Config(num_hidden_layers=2, layer_types=["full_attention", "linear_attention"])
    with pytest.raises(ValueError, match="attention-only"):
        attention_window(hybrid)


def test_the_vllm_backend_through_a_stand_in_with_vllms_surface(noisy_model_dir, corpus, vllm_standin, monkeypatch):
    """The vLLM adapter's code on CPU: its SamplingParams, its finish reasons (stop string, EOS, length) and
    token counts come out as the transformers backend's for the same answers."""
    from reasonforge.models.generate import VLLMGenerator

    prompts = corpus[0][:6]
    cfg = SamplingConfig(n=2, temperature=0.0, max_new_tokens=12, stop=["\n"], seed=3)
    hf = HFGenerator(str(noisy_model_dir)).generate(prompts, cfg)
    gen = VLLMGenerator(str(noisy_model_dir), seed=3)
    outs = gen.generate(prompts, cfg)
    assert outs == hf and {o.finish_reason for r in outs for o in r} >= {"stop", "length"}
    (params,) = vllm_standin.calls
    assert (params.n, params.temperature, params.max_tokens, params.stop, params.seed) == (2, 0.0, 12, ["\n"], 3)
    assert gen.tokens_generated == sum(o.tokens for r in outs for o in r) > 0 and gen.tokens_read > 0
    gen.generate(prompts[:1], SamplingConfig(max_new_tokens=4))
    assert vllm_standin.calls[-1].stop is None  # no stop strings: None, as vLLM expects
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert resolve_backend("auto") == "vllm"  # installed, with a GPU: auto picks it


def test_top_p_keeps_the_nucleus():
    logits = torch.log(torch.tensor([[0.5, 0.3, 0.15, 0.05]]))
    rng = torch.Generator().manual_seed(0)
    draw = lambda p: {HFGenerator._pick(logits, SamplingConfig(temperature=1.0, top_p=p), rng).item() for _ in range(300)}
    assert draw(0.01) == {0}
    assert draw(0.7) == {0, 1}
    assert draw(1.0) == {0, 1, 2, 3}


@pytest.mark.parametrize("stop", [[], ["X", "Bo"]])
def test_static_cache_decode_gives_the_loops_greedy_output(noisy_model_dir, corpus, stop):
    """The path a GPU takes (transformers' static cache; compiled there, eager here): the same
    greedy completions, token counts and finish reasons as the decode loop, and tokens counted."""
    loop, static = HFGenerator(str(noisy_model_dir), decode="loop"), HFGenerator(str(noisy_model_dir), decode="static")
    assert (loop.decode_mode, static.decode_mode, HFGenerator(str(noisy_model_dir)).decode_mode) == ("loop", "static", "loop")
    prompts = random.Random(1).sample(corpus[0], 12)
    cfg = SamplingConfig(max_new_tokens=20, batch_size=12, stop=stop)
    ours, theirs = loop.generate(prompts, cfg), static.generate(prompts, cfg)
    assert [(c.text, c.tokens, c.finish_reason) for (c,) in theirs] == [(c.text, c.tokens, c.finish_reason) for (c,) in ours]
    assert static.tokens_read == loop.tokens_read and static.tokens_generated >= sum(c.tokens for (c,) in theirs)
    if not stop:
        assert static.tokens_generated == loop.tokens_generated
    sampled = SamplingConfig(n=2, temperature=1.0, max_new_tokens=10, seed=5, batch_size=8)
    a, b = static.generate(prompts[:3], sampled), static.generate(prompts[:3], sampled)
    assert [[c.text for c in x] for x in a] == [[c.text for c in x] for x in b]  # seeded per batch
    with pytest.raises(ValueError, match="decode"):
        HFGenerator(str(noisy_model_dir), decode="graphs")


def test_sampling_n_seed_tokens_and_stop(model_dir, corpus):
    gen = HFGenerator(str(model_dir))
    prompts = corpus[0][:3]
    cfg = SamplingConfig(n=4, temperature=1.0, max_new_tokens=10, seed=7, batch_size=8)
    a, b = gen.generate(prompts, cfg), gen.generate(prompts, cfg)
    assert [len(x) for x in a] == [4, 4, 4]
    assert [[c.text for c in x] for x in a] == [[c.text for c in x] for x in b]
    for outs in a:
        for c in outs:
            assert 0 <= c.tokens <= 10 and c.finish_reason in ("eos", "length")
    stopped = gen.generate(prompts, SamplingConfig(n=2, temperature=1.0, max_new_tokens=20, stop=["\n"], seed=1))
    for outs in stopped:
        for c in outs:
            assert "\n" not in c.text
            assert c.finish_reason != "stop" or c.tokens == len(gen.tok(c.text, add_special_tokens=False)["input_ids"])


def test_samples_of_a_prompt_share_one_prefill(noisy_model_dir, corpus):
    """n samples per prompt: each prompt is prefilled once, and the n rows decode exactly as n
    copies of the prompt prefilled separately would (greedy: n identical completions equal to n=1)."""
    gen = HFGenerator(str(noisy_model_dir))
    prompts = corpus[0][:5]
    one = [o[0].text for o in gen.generate(prompts, SamplingConfig(max_new_tokens=12, batch_size=64))]
    gen.prefilled = 0
    many = gen.generate(prompts, SamplingConfig(n=4, max_new_tokens=12, batch_size=64))
    assert gen.prefilled == len(prompts)  # not 4 x 5
    assert [[c.text for c in outs] for outs in many] == [[t] * 4 for t in one]
    sampled = gen.generate(prompts, SamplingConfig(n=4, temperature=1.0, max_new_tokens=12, batch_size=64, seed=3))
    assert sum(len({c.text for c in outs}) > 1 for outs in sampled) >= 3  # the copies diverge when sampling


def test_generators_count_tokens_read_and_decoded(noisy_model_dir, corpus):
    """What search and sampling are compared by: every prompt token prefilled (a prompt sampled n
    times read once) and every token decoded, the eos and what a stop string cut off included."""
    gen = HFGenerator(str(noisy_model_dir))
    prompts = corpus[0][:3]
    outs = gen.generate(prompts, SamplingConfig(n=2, temperature=1.0, max_new_tokens=10, stop=["\n"], batch_size=64))
    assert gen.tokens_read == sum(len(gen.tok(p)["input_ids"]) for p in prompts)
    kept = sum(c.tokens for o in outs for c in o)
    assert kept <= gen.tokens_generated <= 6 * 10
    # without stop strings each completion decoded its own tokens, plus the eos when it ended so
    before = gen.tokens_generated
    outs = gen.generate(prompts, SamplingConfig(n=2, temperature=1.0, max_new_tokens=10, batch_size=64, seed=1))
    assert gen.tokens_generated - before == sum(c.tokens + (c.finish_reason == "eos") for o in outs for c in o)


def test_prefix_continuation(model_dir, corpus):
    """Step-by-step use: continue a partial solution up to the next newline."""
    gen = HFGenerator(str(model_dir))
    prompt = corpus[0][0] + "Step 1:"
    (c,), = gen.generate([prompt], SamplingConfig(max_new_tokens=16, stop=["\n"]))
    assert "\n" not in c.text


def test_truncate_at_stop():
    assert truncate_at_stop("a\nb<end>c", ["<end>", "\n"]) == ("a", True)
    assert truncate_at_stop("abc", ["x"]) == ("abc", False)


def test_backend_selection():
    assert resolve_backend("hf") == "hf"
    if not torch.cuda.is_available():
        assert resolve_backend("auto") == "hf"
        with pytest.raises(RuntimeError, match="vllm"):
            resolve_backend("vllm")


def test_import_pretrained_from_local_dir(model_dir, tmp_path):
    out = tmp_path / "models/base/imported"
    record = import_model(str(model_dir), None, out)
    assert record["kind"] == "local" and (out / "source.json").exists()
    gen = load_generator(str(out), "hf")
    assert len(gen.generate(["Q: x\n"], SamplingConfig(max_new_tokens=3))[0]) == 1
    with pytest.raises(FileNotFoundError, match="not a Hugging Face model directory"):
        import_model(str(tmp_path), None, tmp_path / "other")


def test_import_writes_a_chat_models_system_prompt_and_refuses_one_for_a_base_model(model_dir, tmp_path):
    from transformers import AutoTokenizer

    with pytest.raises(ValueError, match="system_prompt: .* has no chat template"):
        import_model(str(model_dir), None, tmp_path / "base", system_prompt="Be brief.")
    chat_src = tmp_path / "chat_src"
    import shutil

    shutil.copytree(model_dir, chat_src)
    tok = AutoTokenizer.from_pretrained(chat_src)
    tok.chat_template = "{% for m in messages %}{{ m['content'] }}{% endfor %}"
    tok.save_pretrained(chat_src)
    record = import_model(str(chat_src), None, tmp_path / "chat", system_prompt="Be brief.")
    assert record["chat_template"] is True
    assert json.loads((tmp_path / "chat" / "chat.json").read_text()) == {"system_prompt": "Be brief."}
