"""rule bon_ladder -> reasonforge.evaluate.bon.ladder, ladder_markdown"""
from pathlib import Path

import pandas as pd

from reasonforge import io, job
from reasonforge.eurus.tables import BonLadder, BonScores
from reasonforge.evaluate.bon import candidates, ladder, ladder_markdown
from reasonforge.tables import EvalSamples

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    # a reward model's scores, by the directory it was written to (rm-<loss>)
    scores = {Path(p).parent.name: io.read_table(p, BonScores).set_index(["benchmark", "id", "sample"])["score"]
              for p in sm.input.scores}
    tables = []
    for path in sm.input.samples:
        samples = io.read_table(path, EvalSamples)
        keys = pd.MultiIndex.from_frame(candidates(samples)[["benchmark", "id", "sample"]])
        mine = {name: list(s.loc[keys]) for name, s in scores.items()}
        tables.append(ladder(samples, mine).assign(benchmark=Path(path).stem))
    table = io.write_table(pd.concat(tables, ignore_index=True), sm.output.table, BonLadder)
    text = ladder_markdown(table, f"Best-of-N ladder, seed {job.run_seed(sm)}")
    io.write_text(sm.output.page, text)
    print(text)
