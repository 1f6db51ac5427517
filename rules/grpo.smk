# GRPO with verifier rewards: data/grpo/ (its prompts), models/grpo/seed{seed}/ (the trained policy),
# results/grpo/ (per-step table, plot, pass@k samples). Params: the `grpo` section. The start model and
# the model whose trained tokens GRPO matches are named in params (grpo.start, grpo.match_tokens) and
# resolved by `model_dir` inside input functions (MODELS is put together after every rules file is read).

from reasonforge.grpo.config import GRPOMethodConfig

GRPO = rfconfig.build(GRPOMethodConfig, config["grpo"], "grpo")
GRPO_BENCHMARKS = [t for t in GRPO.tasks if t in EVAL_BENCHMARKS]

GRPO_MODELS = {"grpo": "models/grpo/seed{seed}/grpo"}


# the start model at a seed; the model whose trained tokens GRPO stops at (none when grpo.match_tokens is null)
grpo_start = lambda w: model_dir(GRPO.start, w.seed, "grpo.start")
grpo_matched = lambda seed: [model_dir(GRPO.match_tokens, seed, "grpo.match_tokens")] if GRPO.match_tokens else []


rule grpo_prompts:
    """The first grpo.instructions train-pool instructions of each family of grpo.tasks (the Eurus trees'
    own instructions at the default), with what the verifiers read."""
    input:
        tasks=expand("data/tasks/{task}/train.parquet", task=GRPO.tasks),
        code=code("grpo_prompts"),
    output:
        "data/grpo/prompts.parquet",
    params:
        cfg=conf("grpo.instructions"),
    conda:
        ENV
    log:
        "logs/grpo/grpo_prompts.log",
    threads: threads_of("tables")
    resources:
        **resources_of("tables"),
    script:
        "../scripts/grpo_prompts.py"


rule train_grpo:
    """trl.GRPOTrainer from grpo.start, rewarded by the verifiers (one batched verification per step),
    until the trained tokens of grpo.match_tokens's training or trl.max_steps."""
    input:
        model=grpo_start,
        prompts="data/grpo/prompts.parquet",
        matched=lambda w: grpo_matched(w.seed),
        code=code("grpo_train"),
    output:
        directory("models/grpo/seed{seed}/grpo"),
    params:
        cfg=conf("grpo.trl", "grpo.lora", "grpo.format_weight", "grpo.match_tokens", "generation.stop", "sandbox"),
    conda:
        ENV
    log:
        "logs/grpo/seed{seed}/train_grpo.log",
    threads: threads_of("train")
    resources:
        **resources_of("train"),
    script:
        "../scripts/grpo_train.py"


rule grpo_report:
    """The main build's GRPO run step by step: the table (DVC plots), the plot, a page with where a
    step's time went."""
    input:
        model=f"models/grpo/seed{SEED}/grpo",
        code=code("grpo_report"),
    output:
        steps="results/grpo/steps.csv",
        plot=report("results/plots/grpo_training.png", caption="../report/grpo_training.rst", category="GRPO"),
        page="results/grpo/training.md",
    conda:
        ENV
    log:
        "logs/grpo/grpo_report.log",
    threads: threads_of("tables")
    resources:
        **resources_of("tables"),
    script:
        "../scripts/grpo_report.py"


rule grpo_passk:
    """grpo.passk.n samples per test instruction of {which} (start | grpo) at {seed}, verified: pass@k
    before and after (claim G2). Only the claims ask for it."""
    input:
        model=lambda w: grpo_start(w) if w.which == "start" else f"models/grpo/seed{w.seed}/grpo",
        tasks=expand("data/tasks/{benchmark}/test.parquet", benchmark=GRPO_BENCHMARKS),
        code=code("grpo_passk"),
    output:
        expand("results/grpo/seed{{seed}}/passk/{{which}}/{benchmark}.parquet", benchmark=GRPO_BENCHMARKS),
    wildcard_constraints:
        which="start|grpo",
    params:
        cfg=conf("grpo.passk.n", "generation", "sandbox"),
    conda:
        ENV
    log:
        "logs/grpo/seed{seed}/grpo_passk/{which}.log",
    threads: threads_of("evaluate")
    resources:
        **resources_of("evaluate"),
    script:
        "../scripts/grpo_passk.py"


rule claims_grpo:
    """G1-G3 over claims.seeds: GRPO vs its start (greedy), its gain at pass@1 vs pass@k, GRPO vs DPO at
    matched trained tokens."""
    input:
        evals=lambda w: expand("results/eval/seed{seed}/{model}/{benchmark}.parquet", seed=CLAIM_SEEDS,
                               model=["grpo", GRPO.start] + ([GRPO.match_tokens] if GRPO.match_tokens else []),
                               benchmark=GRPO_BENCHMARKS),
        passk=expand("results/grpo/seed{seed}/passk/{which}/{benchmark}.parquet", seed=CLAIM_SEEDS,
                     which=["start", "grpo"], benchmark=GRPO_BENCHMARKS),
        models=expand("models/grpo/seed{seed}/grpo", seed=CLAIM_SEEDS),
        matched=lambda w: [m for s in CLAIM_SEEDS for m in grpo_matched(s)],
        code=code("claims_grpo"),
        splits=claims_need_test,
        match=lambda w: need_param(GRPO.match_tokens, "grpo.match_tokens: null, but the claims compare GRPO with the "
                                      "model whose trained tokens it matched (G3): name one (dpo) to build the claims"),
    output:
        table=report("results/claims/grpo.md", caption="../report/claims.rst", category="Claims"),
        metrics="results/claims/grpo.json",
    params:
        cfg=conf("claims.seeds", "grpo.passk.k", "grpo.start", "grpo.match_tokens"),
    conda:
        ENV
    log:
        "logs/claims/grpo.log",
    threads: threads_of("tables")
    resources:
        **resources_of("tables"),
    script:
        "../scripts/claims_grpo.py"
