"""rule w2s_select -> reasonforge.w2s.select.select_consistent"""
from reasonforge import io, job
from reasonforge.w2s.select import select_consistent

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    weak, strong = io.read_table(sm.input.weak), io.read_table(sm.input.strong)
    selected = select_consistent(weak, strong)
    io.write_table(selected, sm.output[0])
    print(f"{sm.output[0]}: {len(selected)} of {len(weak)} questions kept "
          f"({selected.groupby('task').size().to_dict()})")
