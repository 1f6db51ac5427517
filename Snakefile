# reasonforge: every artifact is declared here once; dvc.yaml is generated from these rules
# (`reasonforge dvc-sync`). params.yaml is read by rules/common.smk through reasonforge's own
# loader; overlay it with `--configfile configs/smoke.yaml`. How jobs run (threads, resources)
# lives in profiles/default, Snakemake's workflow profile, loaded without being named.


include: "rules/common.smk"
include: "rules/tasks.smk"
include: "rules/models.smk"
include: "rules/eurus.smk"
include: "rules/w2s.smk"
include: "rules/alphallm.smk"
include: "rules/eval.smk"
include: "rules/claims.smk"


rule all:
    input:
        rules.summarize.output,
        rules.derive_ultrainteract.output.stats,
        rules.reward_trends.output,
        rules.rm_accuracy.output,
        rules.w2s_report.output,
        rules.alphallm.input,


onsuccess:
    dvc_commit_after_build(log)
