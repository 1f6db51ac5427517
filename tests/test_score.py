import math

import pytest
import torch

from reasonforge.models.pretrain import PretrainConfig, build_model
from reasonforge.models.score import LogProbScorer, load_scorer
from reasonforge.models.tokenizer import train_tokenizer
from reasonforge.models.load import load_reward_model

TEXTS = ["Q: 1+1\nA (steps):\nStep 1: 1+1=2\nAnswer: 2", "Task: f\nCode:\n```python\ndef f(x):\n    return x\n```"] * 5


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    tok = train_tokenizer(TEXTS, vocab_size=140)
    torch.manual_seed(0)
    model = build_model(PretrainConfig(d_model=32, n_layers=1, n_heads=2, d_ff=64), tok)
    out = tmp_path_factory.mktemp("m") / "tiny"
    model.save_pretrained(out)
    tok.save_pretrained(out)
    return str(out)


def test_logprob_scores_match_a_direct_forward(model_dir):
    scorer = load_scorer(model_dir, "logprob")
    prompts, completions = ["Q: 1+1\nA (steps):\n", "Task: f\nCode:\n"], ["Step 1: 1+1=2", "```python"]
    got = scorer.score(prompts, completions, batch_size=2)
    for p, c, g in zip(prompts, completions, got):
        p_ids = scorer.tok(p)["input_ids"]
        ids = torch.tensor([p_ids + scorer.tok(c, add_special_tokens=False)["input_ids"]])
        logp = torch.log_softmax(scorer.model(ids).logits[0, :-1], -1)
        want = sum(logp[t - 1, ids[0, t]].item() for t in range(len(p_ids), ids.shape[1]))
        assert g == pytest.approx(want, abs=1e-4)
    assert scorer.tokens_read == sum(len(scorer.tok(p + c)["input_ids"]) for p, c in zip(prompts, completions))
    assert isinstance(scorer, LogProbScorer)


def test_sequence_scores_are_batch_independent(model_dir):
    """A row's score does not depend on the other rows of its batch, and scores come back in the
    input order though batches are formed by length (here: [1, 0], then [2])."""
    scorer = load_scorer(model_dir, "sequence")
    prompts = ["Q: 1+1\nA (steps):\n"] * 3
    completions = ["Step 1: 1+1=2\nAnswer: 2", "Answer: 3", "Step 1: 1+1=3\nStep 2: 3+1=4\nAnswer: 4"]
    together = scorer.score(prompts, completions, batch_size=2)
    alone = [scorer.score([p], [c])[0] for p, c in zip(prompts, completions)]
    assert together == pytest.approx(alone, abs=1e-5) and len(set(together)) == 3
    with pytest.raises(ValueError, match="scorer kind"):
        load_scorer(model_dir, "value")


def test_sequence_scores_read_the_eos_token_as_trl_trains_it(model_dir):
    """RewardTrainer appends EOS to each side and the head reads the last token: the scorer must
    score the same sequence."""
    scorer = load_scorer(model_dir, "sequence")
    prompt, completion = "Q: 1+1\nA (steps):\n", "Step 1: 1+1=2\nAnswer: 2"
    ids = scorer.tok(prompt + completion + scorer.tok.eos_token, return_tensors="pt")
    want = scorer.model(**ids).logits[0, 0].item()
    assert scorer.score([prompt], [completion])[0] == pytest.approx(want, abs=1e-5)
    assert scorer.score([prompt], [completion + scorer.tok.eos_token])[0] == pytest.approx(want, abs=1e-5)
