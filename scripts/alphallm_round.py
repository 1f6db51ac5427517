"""rule alphallm_round -> reasonforge.train.sft.train_sft on reasonforge.alphallm.improve.sft_rows"""
import torch

from reasonforge import io, job, trainjob
from reasonforge.alphallm.tables import AlphaSearch
from reasonforge.alphallm.improve import sft_rows
from reasonforge.train.sft import SFTRun, train_sft

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    data = sft_rows(io.read_table(sm.input.data, AlphaSearch), by=sm.params.keep)
    torch.set_num_threads(sm.threads)
    with trainjob.of(sm) as tj, io.atomic_dir(sm.output[0]) as tmp:
        metrics = train_sft(sm.input.model, data, SFTRun(trl=sm.params.cfg["alphallm"]["improve"]["trl"], seed=job.run_seed(sm)),
                            str(tmp), key="alphallm.improve", trainjob=tj)
    loss = f", loss {metrics['loss'].iloc[0]:.3f} -> {metrics['loss'].iloc[-1]:.3f}" if len(metrics) else ""
    print(f"{sm.output[0]}: {len(data)} leaves ({sm.params.keep}), {len(metrics)} steps{loss}")
