# Claims: the methods retrained with claims.seeds, each finding with a 95% CI over seeds.
# `snakemake claims` (or `make claims`) -> results/claims/{method}.md + .json (DVC metrics).
# The seeded models reuse the main rules (`use rule ... with:`): same scripts, outputs under
# models/seeds/seed{seed}/, the seed from the wildcard instead of params.yaml's `seed`.

CLAIM_SEEDS = config["claims"]["seeds"]


wildcard_constraints:
    seed=r"\d+",


CLAIM_ALGOS = ["dpo", "kto", "nca"]
CLAIM_RMS = ["bt", "bt+dr"]


use rule train_sft as claims_train_sft with:
    output:
        directory("models/seeds/seed{seed}/sft"),
    params:
        cfg=conf("eurus.sft"),
    log:
        "logs/seeds/seed{seed}/train_sft.log",


use rule train_preference as claims_train_preference with:
    input:
        model="models/seeds/seed{seed}/sft",
        pairs="data/ultrainteract/pairs.parquet",
        code=code("train_preference"),
    output:
        directory("models/seeds/seed{seed}/pref/{algo}"),
    params:
        cfg=conf("eurus.preference.trl", "eurus.preference.per_algo", "eurus.preference.lora"),
    log:
        "logs/seeds/seed{seed}/train_preference/{algo}.log",


use rule train_reward as claims_train_reward with:
    input:
        model="models/seeds/seed{seed}/sft",
        pairs="data/ultrainteract/pairs.parquet",
        code=code("train_reward"),
    output:
        directory("models/seeds/seed{seed}/rm/{loss}"),
    params:
        cfg=conf("eurus.reward"),
    log:
        "logs/seeds/seed{seed}/train_reward/{loss}.log",


use rule evaluate as claims_evaluate with:
    input:
        model=lambda w: f"models/seeds/seed{w.seed}/sft" if w.model == "sft" else f"models/seeds/seed{w.seed}/pref/{w.model}",
        tasks=task_files(EVAL_BENCHMARKS),
        code=code("evaluate"),
    output:
        expand("results/seeds/seed{{seed}}/{{model}}/{benchmark}.parquet", benchmark=EVAL_BENCHMARKS),
    wildcard_constraints:
        model=one_of(["sft"] + CLAIM_ALGOS),
    params:
        cfg=conf("generation", "sandbox", "eval.splits"),
    log:
        "logs/seeds/seed{seed}/evaluate/{model}.log",


use rule bon_select as claims_bon_select with:
    input:
        samples=expand("results/bon/samples/{benchmark}.parquet", benchmark=EVAL_BENCHMARKS),
        tasks=task_files(EVAL_BENCHMARKS),
        scorer=lambda w: [f"models/seeds/seed{w.seed}/rm/{w.selector[3:]}"],
        code=code("bon_select"),
    output:
        expand("results/seeds/seed{{seed}}/bon/{{selector}}/{benchmark}.parquet", benchmark=EVAL_BENCHMARKS),
    wildcard_constraints:
        selector=one_of([f"rm-{loss}" for loss in CLAIM_RMS]),
    params:
        cfg=conf(),
    log:
        "logs/seeds/seed{seed}/bon_select/{selector}.log",


rule claims_eurus:
    """E1-E3 of the Eurus paper over claims.seeds: SFT vs base, KTO/NCA vs DPO and the chosen-reward
    trend, BT+DR vs BT reward models."""
    input:
        base=expand("results/eval/strong/{benchmark}.parquet", benchmark=EVAL_BENCHMARKS),
        evals=expand("results/seeds/seed{seed}/{model}/{benchmark}.parquet", seed=CLAIM_SEEDS,
                     model=["sft"] + CLAIM_ALGOS, benchmark=EVAL_BENCHMARKS),
        pref=expand("models/seeds/seed{seed}/pref/{algo}", seed=CLAIM_SEEDS, algo=CLAIM_ALGOS),
        rm=expand("models/seeds/seed{seed}/rm/{loss}", seed=CLAIM_SEEDS, loss=CLAIM_RMS),
        bon=expand("results/seeds/seed{seed}/bon/rm-{loss}/{benchmark}.parquet", seed=CLAIM_SEEDS,
                   loss=CLAIM_RMS, benchmark=EVAL_BENCHMARKS),
        code=code("claims_eurus"),
    output:
        table=report("results/claims/eurus.md", caption="../report/claims.rst", category="Claims"),
        metrics="results/claims/eurus.json",
    params:
        cfg=conf("claims.seeds"),
    conda:
        ENV
    log:
        "logs/claims/eurus.log",
    resources:
        mem_mb=1000,
        runtime=10,
    script:
        "../scripts/claims_eurus.py"


rule claims:
    """Every method's claims (target: `snakemake claims`)."""
    input:
        rules.claims_eurus.output,
