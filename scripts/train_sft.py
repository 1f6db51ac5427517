"""rule train_sft -> reasonforge.train.sft.train_sft"""
import torch

from reasonforge import io, job, trainjob
from reasonforge.eurus.tables import SFTData
from reasonforge.train.sft import SFTRun, train_sft

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    cfg = sm.params.cfg["eurus"]["sft"]
    torch.set_num_threads(sm.threads)
    data = io.read_table(sm.input.data, SFTData)
    with trainjob.of(sm) as tj, io.atomic_dir(sm.output[0]) as tmp:
        metrics = train_sft(sm.input.model, data, SFTRun(trl=cfg["trl"], lora=cfg["lora"], seed=job.run_seed(sm)),
                            str(tmp), key="eurus.sft", trainjob=tj)
    print(f"{sm.output[0]}: {len(data)} examples, {len(metrics)} steps, loss {metrics['loss'].iloc[0]:.3f} -> "
          f"{metrics['loss'].iloc[-1]:.3f}")
