"""A BPE tokenizer trained on the task corpus.

Digits are single tokens (arithmetic stays learnable), punctuation is isolated, whitespace runs
are their own pre-tokens, so no merge crosses a prompt/completion boundary that ends in a
newline (TRL tokenizes prompt and prompt+completion separately). The printable ASCII alphabet is
always in the vocabulary, so real benchmarks tokenize without <unk>.
"""
from __future__ import annotations

import string
from pathlib import Path

from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, processors, trainers
from transformers import PreTrainedTokenizerFast

SPECIALS = {"pad_token": "<pad>", "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"}


def train_tokenizer(texts: list[str], vocab_size: int) -> PreTrainedTokenizerFast:
    tok = Tokenizer(models.BPE(unk_token=SPECIALS["unk_token"]))
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(r"\s+"), behavior="isolated"),
        pre_tokenizers.Punctuation(behavior="isolated"),
        pre_tokenizers.Digits(individual_digits=True),
    ])
    tok.decoder = decoders.Fuse()  # BPE without a decoder would join tokens with spaces
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=list(SPECIALS.values()),
                                  initial_alphabet=list(string.printable), show_progress=False)
    tok.train_from_iterator(texts, trainer)
    bos = SPECIALS["bos_token"]
    tok.post_processor = processors.TemplateProcessing(single=f"{bos} $A", pair=f"{bos} $A $B",
                                                       special_tokens=[(bos, tok.token_to_id(bos))])
    return PreTrainedTokenizerFast(tokenizer_object=tok, padding_side="left", **SPECIALS)


def save_tokenizer(tok: PreTrainedTokenizerFast, out_dir: str | Path) -> None:
    tok.save_pretrained(out_dir)
