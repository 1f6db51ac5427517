"""rule w2s_oracle_labels -> reasonforge.w2s.select.select_right"""
from reasonforge import io, job
from reasonforge.w2s.select import select_right
from reasonforge.w2s.tables import W2SGold, W2SLabels

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    weak = io.read_table(sm.input.weak, W2SLabels)
    right = io.write_table(select_right(weak, io.read_table(sm.input.gold, W2SGold)), sm.output[0], W2SLabels)
    print(f"{sm.output[0]}: {len(right)} of {len(weak)} weak labels right ({right.groupby('task').size().to_dict()})")
