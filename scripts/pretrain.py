"""rule pretrain -> reasonforge.models.pretrain.pretrain"""
from transformers import AutoTokenizer

from reasonforge import io, job, trainjob
from reasonforge.tables import Corpus
from reasonforge.models.pretrain import PretrainConfig, pretrain

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    name, cfg = sm.wildcards.name, sm.params.cfg
    docs = io.read_table(sm.input.corpus, Corpus)
    tok = AutoTokenizer.from_pretrained(sm.input.tokenizer)
    config = PretrainConfig.from_params(cfg["models"][name], seed=cfg["seed"])
    with trainjob.of(sm) as tj, io.atomic_dir(sm.output[0]) as tmp:
        log = pretrain(config, tok, list(docs["text"]), tmp, threads=sm.threads, trainjob=tj)
    print(f"{sm.output[0]}: final loss {log[-1]['loss']}")
