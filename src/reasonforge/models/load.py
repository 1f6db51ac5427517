"""Load a model directory (a causal LM, or a reward model: one score per sequence), or import a pretrained one (hub id or local path) into the build."""
from __future__ import annotations

import json
import shutil
from pathlib import Path


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


def import_model(source: str, revision: str | None, out_dir: str | Path) -> dict:
    """Copy a local model directory, or download a hub id at `revision`, into out_dir, and
    record where it came from (the resolved commit for hub models) in source.json."""
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
    load_model(out_dir)
    (out_dir / "source.json").write_text(json.dumps(record, indent=1))
    return record
