"""rule train_tokenizer -> reasonforge.models.tokenizer.train_tokenizer"""
from reasonforge import io, job
from reasonforge.tables import Corpus
from reasonforge.models.tokenizer import train_tokenizer

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    docs = io.read_table(sm.input.corpus, Corpus)
    tok = train_tokenizer(list(docs["text"]), sm.params.cfg["tokenizer"]["vocab_size"])
    with io.atomic_dir(sm.output[0]) as tmp:
        tok.save_pretrained(tmp)
    print(f"{sm.output[0]}: vocabulary of {len(tok)}")
