"""Load a model directory (a causal LM, or a reward model: one score per sequence), or import a pretrained one (hub id or local path) into the build."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from .chat import ChatFormat


def load_model(path: str | Path, device: str = "cpu"):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(path, padding_side="left")
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    model = AutoModelForCausalLM.from_pretrained(path).to(device).eval()
    return model, tok


def load_reward_model(path: str | Path):
    """A sequence-classification model with one label (a reward model or value head) and its tokenizer."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(path)
    model = AutoModelForSequenceClassification.from_pretrained(path, num_labels=1, dtype=torch.float32)
    model.config.pad_token_id = tok.pad_token_id
    return model, tok


def import_model(source: str, revision: str | None, out_dir: str | Path, system_prompt: str | None = None) -> dict:
    """Copy a local model directory, or download a hub id at `revision`, into out_dir, and
    record where it came from (the resolved commit for hub models) in source.json. A chat model (its
    tokenizer has a chat template) gets `system_prompt` in chat.json (models/chat.py); a base model
    reads raw text, so a system prompt for it is an error."""
    out_dir = Path(out_dir)
    src = Path(source)
    if src.is_dir():
        missing = [f for f in ("config.json",) if not (src / f).exists()]
        if missing:
            raise FileNotFoundError(f"{source}: not a Hugging Face model directory (no {', '.join(missing)})")
        shutil.copytree(src, out_dir, dirs_exist_ok=True)
        record = {"source": str(src.resolve()), "kind": "local", "revision": revision}
    else:
        from huggingface_hub import snapshot_download

        path = snapshot_download(source, revision=revision)
        shutil.copytree(path, out_dir, dirs_exist_ok=True)
        record = {"source": source, "kind": "hub", "revision": Path(path).name}
    # check it loads before declaring the artifact done
    _, tok = load_model(out_dir)
    chat = ChatFormat.of(out_dir, tok)
    if system_prompt is not None:
        if not chat.template:
            raise ValueError(f"system_prompt: {source} has no chat template (a base model reads raw text): remove it")
        ChatFormat(True, system_prompt).save(out_dir)
    record["chat_template"] = chat.template
    (out_dir / "source.json").write_text(json.dumps(record, indent=1))
    return record
