"""rule w2s_report -> reasonforge.w2s.report"""
import re

import pandas as pd

from reasonforge import io, job
from reasonforge.tables import EvalSamples
from reasonforge.w2s.tables import W2SGold, W2SLabels, W2SPairs, W2SSelection
from reasonforge.w2s.report import accuracy, label_precision, markdown, pgr_table

sm = snakemake  # noqa: F821


def by_iter(paths, schema):
    return {int(re.search(r"iter(\d+)", p).group(1)): io.read_table(p, schema) for p in paths}


with job.running(sm.log[0]):
    evals = pd.concat([io.read_table(p, EvalSamples) for p in sm.input.evals], ignore_index=True)
    table = pgr_table(accuracy(evals))
    prec = label_precision(io.read_table(sm.input.weak, W2SLabels), io.read_table(sm.input.icl, W2SLabels), by_iter(sm.input.selections, W2SSelection),
                           by_iter(sm.input.relabels, W2SLabels), io.read_table(sm.input.pairs, W2SPairs), io.read_table(sm.input.gold, W2SGold))
    models = sorted(table["model"].unique(), key=lambda m: (m != "w2s-weak", m == "w2s-ceiling", m))
    text = markdown(table, prec, models)
    io.write_text(sm.output.table, text)
    io.write_json(sm.output.metrics, {
        "accuracy": {f"{r.model}/{r.benchmark}/{r.split}": round(r.accuracy, 4) for r in table.itertuples()},
        "pgr": {f"{r.model}/{r.benchmark}/{r.split}": (None if r.pgr != r.pgr else round(r.pgr, 4))
                for r in table.itertuples() if r.model not in ("w2s-weak", "w2s-ceiling")},
        "precision": {r.stage: None if r.precision != r.precision else round(r.precision, 4) for r in prec.itertuples()},
    })
    print(text)
