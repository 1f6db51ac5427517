"""How a model reads a prompt: as raw text (a base model) or through its tokenizer's chat template.

    chat = ChatFormat.of("models/base/strong", tok)
    chat.render(tok, "Q: 2+2?\n")              # the text the model reads: the template's user turn, the assistant's opened
    chat.conversational(sft_table)             # TRL's conversational format for its trainers

A role whose tokenizer carries a chat template (an instruct or "thinking" model) gets every prompt through
`apply_chat_template`, with the role's system prompt (params `models.<role>.system_prompt`, written by its
import into the model directory as chat.json and carried to every model trained from it); a template
mismatch silently zeroes verifier rewards (TRL #6966, open-r1 #560). Base models, the default build's
included, keep raw text: their `render` is the identity, so nothing they build changes. A continuation (a
search's partial solution, a rollout's prefix) follows the rendered prompt inside the assistant's turn.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

CHAT_FILE = "chat.json"


@dataclass
class ChatFormat:
    template: bool = False          # the tokenizer has a chat template
    system: str | None = None       # the role's system prompt
    _adds_bos: bool | None = field(default=None, repr=False, compare=False)

    @classmethod
    def of(cls, model_dir: str | Path, tok) -> "ChatFormat":
        path = Path(model_dir) / CHAT_FILE
        system = json.loads(path.read_text()).get("system_prompt") if path.exists() else None
        return cls(bool(getattr(tok, "chat_template", None)), system)

    def save(self, model_dir: str | Path) -> None:
        """Carry the system prompt to a model trained from this one (its tokenizer carries the template)."""
        if self.system is not None:
            (Path(model_dir) / CHAT_FILE).write_text(json.dumps({"system_prompt": self.system}, indent=1) + "\n")

    def messages(self, prompt: str) -> list[dict]:
        return ([{"role": "system", "content": self.system}] if self.system else []) + [{"role": "user", "content": prompt}]

    def render(self, tok, prompt: str) -> str:
        """The text the model reads for `prompt`. A template's leading BOS is dropped where the tokenizer adds
        its own when it encodes the text (two BOS tokens otherwise)."""
        if not self.template:
            return prompt
        text = tok.apply_chat_template(self.messages(prompt), tokenize=False, add_generation_prompt=True)
        return self._strip_bos(tok, text)

    def _strip_bos(self, tok, text: str) -> str:
        bos = tok.bos_token
        if self._adds_bos is None:
            self._adds_bos = bool(bos) and tok("x")["input_ids"][:1] == [tok.bos_token_id]
        return text[len(bos):] if self._adds_bos and text.startswith(bos) else text

    def sequence(self, tok, prompt: str, completion: str) -> str:
        """Prompt and completion as a scoring head reads them and as TRL trained it: for a base model the
        text and EOS; for a chat model the template's rendering of the whole exchange."""
        if not self.template:
            eos = tok.eos_token
            return prompt + completion + ("" if completion.endswith(eos) else eos)
        text = tok.apply_chat_template(self.messages(prompt) + [{"role": "assistant", "content": completion}], tokenize=False)
        return self._strip_bos(tok, text)

    def conversational(self, table: pd.DataFrame, answers: tuple[str, ...] = ("completion",)) -> pd.DataFrame:
        """A training table in TRL's conversational format for a chat model: `prompt` as the (system and)
        user messages, each answer column as the assistant's message; TRL's trainers then apply the template.
        A base model's table is returned as it is."""
        if not self.template:
            return table
        out = table.copy()
        out["prompt"] = [self.messages(p) for p in table["prompt"]]
        for col in answers:
            out[col] = [[{"role": "assistant", "content": a}] for a in table[col]]
        return out


def text_of(completion) -> str:
    """A completion as text: TRL hands a chat model's completions to reward functions as messages."""
    if isinstance(completion, list):
        return "".join(m["content"] for m in completion if m.get("role", "assistant") == "assistant")
    return completion
