# reasonforge: every artifact is declared here once; dvc.yaml is generated from these rules
# (`reasonforge dvc-sync`). params.yaml is read by rules/common.smk through reasonforge's own
# loader; overlay it with `--configfile configs/smoke.yaml`. How jobs run: threads and resources
# per stage family in params.yaml's resources: section; profiles/default (always loaded) and
# profiles/slurm (a cluster) say the rest.


include: "rules/common.smk"
include: "rules/tasks.smk"
include: "rules/models.smk"
include: "rules/eurus.smk"
include: "rules/w2s.smk"
include: "rules/alphallm.smk"
include: "rules/grpo.smk"

# Every model evaluated by name (and named in params: alphallm.policy, eval.sampled): each rules file's
# own dict, name -> directory (`{seed}` where the claims retrain it); common.smk `model_dir` resolves.
MODELS = {**BASE_MODELS, **EURUS_MODELS, **W2S_MODELS, **ALPHA_MODELS, **GRPO_MODELS}
# The benchmarks each model is evaluated on: eval.benchmarks, but weak-to-strong's models, trained on
# w2s.tasks alone, on those (their math and code evaluations were ~900 of the 2026-12-07 default build's
# 11,034 job-seconds, and no report or claim read them)
EVAL_ON = {name: EVAL_BENCHMARKS for name in MODELS} | {name: W2S_BENCHMARKS for name in W2S_MODELS}

include: "rules/eval.smk"


# Table work (seconds of pandas: the `tables` resource family) runs inside the Snakemake process
# on a cluster, not as an sbatch job of its own that would wait on the scheduler for longer than it
# runs; so do the aggregate targets.
localrules:
    all,
    claims,
    alphallm,
    make_tasks,
    load_external,
    make_corpus,
    train_tokenizer,
    derive_ultrainteract,
    bon_select,
    bon_ladder,
    reward_trends,
    summarize,
    results_page,
    w2s_split,
    w2s_select,
    w2s_oracle_labels,
    w2s_stage2_pairs,
    w2s_report,
    claims_eurus,
    claims_w2s,
    claims_alphallm,
    grpo_prompts,
    grpo_report,
    claims_grpo,


# The build's results pages, gathered into results/README.md: one line per page a method adds.
RESULTS = [
    rules.summarize.output.table,
    rules.summarize.output.plot,
    rules.derive_ultrainteract.output.stats,
    rules.reward_trends.output.plot,
    rules.rm_accuracy.output[0],
    f"results/eurus/seed{SEED}/bon_ladder.md",
    rules.w2s_report.output.table,
    rules.alphallm_critics_report.output.table,
    f"results/alphallm/seed{SEED}/ablation.md",
    f"results/alphallm/seed{SEED}/accuracy_vs_tokens.png",
    rules.grpo_report.output.page,
    rules.grpo_report.output.plot,
]


rule all:
    default_target: True
    input:
        rules.summarize.output,
        rules.derive_ultrainteract.output.stats,
        rules.reward_trends.output,
        rules.rm_accuracy.output,
        f"results/eurus/seed{SEED}/bon_ladder.parquet",
        rules.w2s_report.output,
        rules.alphallm.input,
        rules.grpo_report.output,
        "results/README.md",


rule results_page:
    """Every results page of the build in one file (results/README.md), linked from the README."""
    input:
        pages=RESULTS,
        code=code("results_page"),
    output:
        "results/README.md",
    conda:
        "envs/reasonforge.yaml"  # ENV is relative to rules/
    log:
        "logs/results_page.log",
    threads: threads_of("tables")
    resources:
        **resources_of("tables"),
    script:
        "scripts/results_page.py"


rule claims:
    """Every method's claims over claims.seeds (target: `snakemake claims`): one line per method."""
    input:
        rules.claims_eurus.output,
        rules.claims_w2s.output,
        rules.claims_alphallm.output,
        rules.claims_grpo.output,


onstart:
    check_executor()


onsuccess:
    dvc_commit_after_build(log)
