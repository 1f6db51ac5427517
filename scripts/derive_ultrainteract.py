"""rule derive_ultrainteract -> reasonforge.eurus.derive"""
import pandas as pd

from reasonforge import io, job
from reasonforge.eurus.tables import Pairs, SFTData, TreeNodes
from reasonforge.eurus.derive import pair_rows, reference_rows, sft_rows, stats_markdown
from reasonforge.tables import Instructions

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    nodes = io.read_table(sm.input.trees, TreeNodes)
    sft = io.write_table(sft_rows(nodes, history=sm.params.cfg["eurus"]["sft"]["history"]), sm.output.sft, SFTData)
    tasks = pd.concat([io.read_table(p, Instructions) for p in sm.input.tasks])
    io.write_table(reference_rows(nodes, tasks), sm.output.sft_reference, SFTData)
    pairs = io.write_table(pair_rows(nodes), sm.output.pairs, Pairs)
    text = stats_markdown(nodes, pairs)
    io.write_text(sm.output.stats, text)
    print(text)
