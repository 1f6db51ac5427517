"""rule derive_ultrainteract -> reasonforge.eurus.derive"""
from reasonforge import io, job
from reasonforge.eurus.tables import Pairs, SFTData, TreeNodes
from reasonforge.eurus.derive import pair_rows, sft_rows, stats_markdown

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    nodes = io.read_table(sm.input.trees, TreeNodes)
    sft = io.write_table(sft_rows(nodes, history=sm.params.cfg["eurus"]["sft"]["history"]), sm.output.sft, SFTData)
    pairs = io.write_table(pair_rows(nodes), sm.output.pairs, Pairs)
    text = stats_markdown(nodes, pairs)
    io.write_text(sm.output.stats, text)
    print(text)
