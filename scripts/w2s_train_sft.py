"""rule w2s_train_sft -> reasonforge.train.sft.train_sft on the rows of one weak-to-strong table"""
import torch

from reasonforge import io, job, trainjob
from reasonforge.w2s.tables import W2SGold, W2SLabels, W2SSelection
from reasonforge.train.sft import SFTRun, train_sft
from reasonforge.w2s.select import stage1_rows

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    name, cfg = sm.wildcards.name, sm.params.cfg
    stage = "weak" if name == "weak" else "stage1"  # the params of w2s.weak or w2s.stage1
    table = io.read_table(sm.input.data, {"weak": W2SGold, "ceiling": W2SGold, "naive": W2SLabels, "oracle": W2SLabels}.get(name, W2SSelection))
    if name.startswith("stage1/"):       # stage1/{set}/iter{k}: the set's responses of the selected questions
        data = stage1_rows(table, name.split("/")[1])
    elif name in ("naive", "oracle"):    # every weak label, selected or not; the right ones
        data = table.rename(columns={"response": "completion"})
    else:                                # weak (train_1 gold), ceiling (train_2 gold)
        data = table
    torch.set_num_threads(sm.threads)
    with trainjob.of(sm) as tj, io.atomic_dir(sm.output[0]) as tmp:
        metrics = train_sft(sm.input.model, data[["prompt", "completion"]],
                            SFTRun(trl=cfg["w2s"][stage]["trl"], seed=job.run_seed(sm)), str(tmp), key=f"w2s.{stage}", trainjob=tj)
    loss = f", loss {metrics['loss'].iloc[0]:.3f} -> {metrics['loss'].iloc[-1]:.3f}" if len(metrics) else ""
    print(f"{sm.output[0]}: {len(data)} examples, {len(metrics)} steps{loss}")
