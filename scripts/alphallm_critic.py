"""rule alphallm_critic -> reasonforge.train.critic.train_critic on reasonforge.alphallm.critics' rows"""
import torch

from reasonforge import io, job, trainjob
from reasonforge.alphallm.tables import AlphaSamples, AlphaStepLabels
from reasonforge.alphallm.critics import heldout_ids, orm_rows, value_rows
from reasonforge.train.critic import CriticRun, train_critic

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    cfg, critic = sm.params.cfg, sm.wildcards.critic
    table = io.read_table(sm.input.data, AlphaStepLabels if sm.wildcards.critic == "prm" else AlphaSamples)
    rows = {"value": value_rows, "orm": orm_rows}.get(critic, lambda t: t)(table)
    # the same held-out problems for every critic and seed, so their reports compare
    held = heldout_ids(table["id"], cfg["alphallm"]["critics"]["heldout"], seed=0)
    rows = rows[~rows["id"].isin(held)].reset_index(drop=True)
    torch.set_num_threads(sm.threads)
    run = CriticRun(loss="mse" if critic == "value" else "bce", args=cfg["alphallm"]["critics"]["args"],
                    max_length=cfg["alphallm"]["critics"]["max_length"], seed=job.run_seed(sm))
    with trainjob.of(sm) as tj, io.atomic_dir(sm.output[0]) as tmp:
        metrics = train_critic(sm.input.model, rows[["prompt", "completion", "label"]], run, str(tmp), key="alphallm.critics", trainjob=tj)
    print(f"{sm.output[0]}: {len(rows)} rows ({rows['label'].mean():.1%} positive), {len(metrics)} steps, "
          f"loss {metrics['loss'].iloc[0]:.3f} -> {metrics['loss'].iloc[-1]:.3f}")
