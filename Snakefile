# reasonforge: every artifact is declared here once; dvc.yaml is generated from these rules
# (`reasonforge dvc-sync`). Overlay a config with `--configfile configs/smoke.yaml`.
configfile: "params.yaml"


include: "rules/common.smk"
include: "rules/tasks.smk"
include: "rules/models.smk"
include: "rules/eval.smk"


rule all:
    input:
        rules.summarize.output,


onsuccess:
    dvc_commit_after_build(log)
