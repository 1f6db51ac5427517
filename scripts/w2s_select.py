"""rule w2s_select -> reasonforge.w2s.select.select_consistent"""
from reasonforge import io, job
from reasonforge.w2s.tables import W2SLabels, W2SSelection
from reasonforge.w2s.select import select_consistent

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    weak, strong = io.read_table(sm.input.weak, W2SLabels), io.read_table(sm.input.strong, W2SLabels)
    selected = select_consistent(weak, strong)
    io.write_table(selected, sm.output[0], W2SSelection)
    print(f"{sm.output[0]}: {len(selected)} of {len(weak)} questions kept "
          f"({selected.groupby('task').size().to_dict()})")
