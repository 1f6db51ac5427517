"""models/chat.py: a chat model (its tokenizer carries a chat template) reads every prompt through the template,
with its role's system prompt; a base model reads raw text. The chat model here is built from the project's
own tokenizer and a from-scratch model with a template set on it, as a local model directory."""
import json
import shutil

import pandas as pd
import pytest
import torch

from reasonforge.models.chat import CHAT_FILE, ChatFormat, text_of
from reasonforge.models.generate import HFGenerator, SamplingConfig
from reasonforge.models.pretrain import PretrainConfig, build_model
from reasonforge.models.score import SequenceScorer
from reasonforge.models.tokenizer import train_tokenizer
from reasonforge.tasks.pools import build_family

TEMPLATE = ("{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}\n{% endfor %}"
            "{% if add_generation_prompt %}<|assistant|>\n{% endif %}")
CFG = {"n_pretrain": 4, "n_train": 30, "n_test": 2, "n_ood": 2, "forms": ["cot"],
       "train": {"min_steps": 1, "max_steps": 2, "max_operand": 9}, "ood": {"min_steps": 3, "max_steps": 3, "max_operand": 9}}


@pytest.fixture(scope="module")
def rows():
    return build_family("math", CFG, 0)["train"]


@pytest.fixture(scope="module")
def dirs(tmp_path_factory, rows):
    """(base, chat): the same random weights; the chat one's tokenizer has a template and its role a
    system prompt (chat.json, as import_model writes it)."""
    tok = train_tokenizer(list(rows["prompt"] + rows["solution"]) + [TEMPLATE], vocab_size=200)
    root = tmp_path_factory.mktemp("chat")
    model = build_model(PretrainConfig(d_model=32, n_layers=1, n_heads=2, d_ff=64, max_len=256), tok)
    model.save_pretrained(root / "base")
    tok.save_pretrained(root / "base")
    shutil.copytree(root / "base", root / "chat")
    tok.chat_template = TEMPLATE
    tok.save_pretrained(root / "chat")
    ChatFormat(True, "Be brief.").save(root / "chat")
    return root / "base", root / "chat"


def test_a_base_model_reads_raw_text_and_a_chat_model_its_template(dirs):
    from transformers import AutoTokenizer

    base_tok, chat_tok = (AutoTokenizer.from_pretrained(d) for d in dirs)
    base, chat = ChatFormat.of(dirs[0], base_tok), ChatFormat.of(dirs[1], chat_tok)
    assert base == ChatFormat(False, None) and chat == ChatFormat(True, "Be brief.")
    assert base.render(base_tok, "Q: 1+1?\n") == "Q: 1+1?\n"
    assert chat.render(chat_tok, "Q: 1+1?\n") == "<|system|>\nBe brief.\n<|user|>\nQ: 1+1?\n\n<|assistant|>\n"
    assert chat.sequence(chat_tok, "Q", "Answer: 2") == "<|system|>\nBe brief.\n<|user|>\nQ\n<|assistant|>\nAnswer: 2\n"
    assert base.sequence(base_tok, "Q", "Answer: 2") == "QAnswer: 2" + base_tok.eos_token
    table = pd.DataFrame({"prompt": ["Q"], "chosen": ["a"], "rejected": ["b"]})
    assert base.conversational(table, ("chosen", "rejected")) is table
    conv = chat.conversational(table, ("chosen", "rejected")).iloc[0]
    assert conv["prompt"] == [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Q"}]
    assert conv["chosen"] == [{"role": "assistant", "content": "a"}] and conv["rejected"] == [{"role": "assistant", "content": "b"}]
    assert text_of([{"role": "assistant", "content": "Answer: 2"}]) == "Answer: 2" and text_of("Answer: 2") == "Answer: 2"


def test_generation_renders_a_chat_models_prompts_and_continues_a_prefix_in_its_turn(dirs, rows):
    """The chat model's greedy completions are the base model's (same weights) for the rendered prompts,
    a search's partial solution following the opened assistant turn; a base model reads prompt + prefix."""
    prompts, prefixes = list(rows["prompt"][:4]), ["Step 1:"] * 4
    cfg = SamplingConfig(max_new_tokens=8)
    chat, base = HFGenerator(str(dirs[1])), HFGenerator(str(dirs[0]))
    rendered = [chat.chat.render(chat.tok, p) + "Step 1:" for p in prompts]
    assert all(r.startswith("<|system|>\nBe brief.\n<|user|>\n") for r in rendered)
    assert chat.generate(prompts, cfg, prefixes=prefixes) == base.generate(rendered, cfg)
    assert chat.tokens_read == base.tokens_read
    assert base.generate(prompts, cfg, prefixes=prefixes) == base.generate([p + "Step 1:" for p in prompts], cfg)
    with pytest.raises(ValueError, match="3 prefixes for 4 prompts"):
        base.generate(prompts, cfg, prefixes=prefixes[:3])


def test_a_chat_models_scorer_reads_the_exchange_through_the_template(dirs):
    scorer = SequenceScorer(str(dirs[1]))
    assert scorer.texts(["Q"], ["Answer: 2"]) == ["<|system|>\nBe brief.\n<|user|>\nQ\n<|assistant|>\nAnswer: 2\n"]
    assert SequenceScorer(str(dirs[0])).texts(["Q"], ["Answer: 2"])[0].startswith("QAnswer: 2")


def test_sft_of_a_chat_model_trains_on_the_conversational_format_and_carries_the_format(dirs, rows, tmp_path, monkeypatch):
    """TRL gets the table as messages (it applies the template); the trained model keeps the template and
    the role's system prompt, so the models trained from it read prompts the same way."""
    import datasets

    from reasonforge.train.sft import SFTRun, train_sft

    seen = []
    from_pandas = datasets.Dataset.from_pandas
    monkeypatch.setattr(datasets.Dataset, "from_pandas", lambda df, **kw: seen.append(df) or from_pandas(df, **kw))
    data = pd.DataFrame({"prompt": rows["prompt"], "completion": rows["solution"]})
    out = tmp_path / "sft"
    metrics = train_sft(str(dirs[1]), data, SFTRun(trl={"max_steps": 2, "per_device_train_batch_size": 4, "disable_tqdm": True}), str(out))
    assert len(metrics) == 2
    assert seen[0]["prompt"].iloc[0][-1] == {"role": "user", "content": data["prompt"].iloc[0]}
    assert seen[0]["completion"].iloc[0] == [{"role": "assistant", "content": data["completion"].iloc[0]}]
    assert json.loads((out / CHAT_FILE).read_text()) == {"system_prompt": "Be brief."}
    assert ChatFormat.of(out, HFGenerator(str(out)).tok) == ChatFormat(True, "Be brief.")
    seen.clear()
    train_sft(str(dirs[0]), data, SFTRun(trl={"max_steps": 1, "per_device_train_batch_size": 4, "disable_tqdm": True}), str(tmp_path / "b"))
    assert seen[0]["prompt"].iloc[0] == data["prompt"].iloc[0] and not (tmp_path / "b" / CHAT_FILE).exists()  # raw text


@pytest.mark.parametrize("kind", ["dpo", "kto", "reward", "critic", "grpo"])
def test_every_trainer_takes_a_chat_models_table(kind, dirs, rows, tmp_path):
    """Each of TRL's trainers gets the conversational format (the critic's Trainer the rendered text) and the
    trained model carries the role's system prompt on."""
    from reasonforge.train.critic import CriticRun, train_critic
    from reasonforge.train.preference import PreferenceRun, train_preference
    from reasonforge.train.reward import RewardRun, train_reward

    steps = {"max_steps": 1, "per_device_train_batch_size": 4, "disable_tqdm": True}
    pairs = pd.DataFrame({"prompt": rows["prompt"], "chosen": rows["solution"], "rejected": "Answer: 0"})
    out = str(tmp_path / kind)
    if kind in ("dpo", "kto"):
        metrics = train_preference(kind, str(dirs[1]), pairs, PreferenceRun(trl={**steps, "max_length": 128}), out)
    elif kind == "reward":
        metrics = train_reward(str(dirs[1]), pairs, RewardRun(loss="bt", trl={**steps, "max_length": 128}), out)
    elif kind == "critic":
        table = pd.DataFrame({"prompt": rows["prompt"], "completion": rows["solution"], "label": 1.0})
        metrics = train_critic(str(dirs[1]), table, CriticRun(args=steps), out)
    else:
        from reasonforge.grpo.train import GRPORun, train_grpo

        prompts = rows[["id", "task", "form", "prompt", "answer", "tests"]].reset_index(drop=True)
        run = GRPORun(trl={**steps, "num_generations": 2, "per_device_train_batch_size": 2, "max_completion_length": 8})
        metrics = train_grpo(str(dirs[1]), prompts, run, None, out)
    assert len(metrics) == 1 and json.loads((tmp_path / kind / CHAT_FILE).read_text()) == {"system_prompt": "Be brief."}
