"""rule make_corpus -> reasonforge.tasks.corpus.build_corpus"""
from reasonforge import io, job
from reasonforge.tables import Corpus, Instructions
from reasonforge.tasks.corpus import build_corpus

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    cfg = sm.params.cfg
    docs = build_corpus([io.read_table(p, Instructions) for p in sm.input.pools], cfg["corpus"], cfg["seed"])
    io.write_table(docs, sm.output[0], Corpus)
    problems, flawed = int(docs["n_problems"].sum()), int(docs["n_flawed"].sum())
    print(f"{sm.output[0]}: {len(docs)} documents, {problems} problems, {flawed} flawed ({flawed / problems:.1%})")
