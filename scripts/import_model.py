"""rule import_model -> reasonforge.models.load.import_model"""
from reasonforge import io, job
from reasonforge.models.load import import_model

sm = snakemake  # noqa: F821
with job.running(sm.log[0]):
    cfg = sm.params.cfg["models"][sm.wildcards.name]
    with io.atomic_dir(sm.output[0]) as tmp:
        print(import_model(cfg["path"], cfg["revision"], tmp, cfg["system_prompt"]))
