# Eurus / UltraInteract: data/eurus/ (the trees and what they give), models/eurus/seed{seed}/ (SFT,
# preference, reward models), results/eurus/ (best-of-N, trends, claims' inputs). Params: the `eurus`
# section. The trees and the best-of-N candidates are built once (params `seed`); SFT, preference,
# reward models and best-of-N selection take the `{seed}` wildcard: the main build is params `seed`,
# `snakemake claims` builds them at each of claims.seeds.

from reasonforge.eurus.config import EurusConfig

EURUS = rfconfig.build(EurusConfig, config["eurus"], "eurus")  # the section as one config object (its defaults)
PREF_ALGOS = EURUS.preference.algos
RM_LOSSES = EURUS.reward.losses
TREE_MODELS = EURUS.tree_models()

# This family's models, evaluated by name like the base models.
EURUS_MODELS = {"sft": "models/eurus/seed{seed}/sft", "sft-reference": "models/eurus/seed{seed}/sft-reference", **{algo: f"models/eurus/seed{{seed}}/pref/{algo}" for algo in PREF_ALGOS}}


rule build_trees:
    """Preference trees on the first eurus.instructions train-pool instructions of each family:
    actors sample, the sandbox runs, the critic comments; one row per node."""
    input:
        models=expand("models/base/{name}", name=TREE_MODELS),
        tasks=expand("data/tasks/{task}/train.parquet", task=SYNTHETIC),
        code=code("build_trees"),
    output:
        "data/eurus/trees.parquet",
    params:
        cfg=conf("eurus.instructions", "eurus.trees", "sandbox", "generation.batch_size", "generation.backend",
                 "generation.top_p", "generation.stop", "seed"),
    conda:
        ENV
    log:
        "logs/eurus/build_trees.log",
    threads: threads_of("generate")
    resources:
        **resources_of("generate"),
    script:
        "../scripts/build_trees.py"


rule derive_ultrainteract:
    """SFT rows (correct actions), the same instructions' references alone (E1's ladder), preference
    pairs (correct vs incorrect at one node) and stats."""
    input:
        trees="data/eurus/trees.parquet",
        tasks=expand("data/tasks/{task}/train.parquet", task=SYNTHETIC),
        code=code("derive_ultrainteract"),
    output:
        sft="data/eurus/sft.parquet",
        sft_reference="data/eurus/sft_reference.parquet",
        pairs="data/eurus/pairs.parquet",
        stats=report("data/eurus/stats.md", caption="../report/ultrainteract.rst", category="Eurus"),
    params:
        cfg=conf("eurus.sft.history"),
    conda:
        ENV
    log:
        "logs/eurus/derive_ultrainteract.log",
    threads: threads_of("tables")
    resources:
        **resources_of("tables"),
    script:
        "../scripts/derive_ultrainteract.py"


rule train_sft:
    """trl.SFTTrainer from `strong` on the correct actions (completion-only loss)."""
    input:
        model="models/base/strong",
        data="data/eurus/sft.parquet",
        code=code("train_sft"),
    output:
        directory("models/eurus/seed{seed}/sft"),
    params:
        cfg=conf("eurus.sft"),
    conda:
        ENV
    log:
        "logs/eurus/seed{seed}/train_sft.log",
    threads: threads_of("train")
    resources:
        **resources_of("train"),
    script:
        "../scripts/train_sft.py"


use rule train_sft as train_sft_reference with:
    input:
        model="models/base/strong",
        data="data/eurus/sft_reference.parquet",
        code=code("train_sft"),
    output:
        directory("models/eurus/seed{seed}/sft-reference"),
    log:
        "logs/eurus/seed{seed}/train_sft_reference.log",


rule train_preference:
    """{algo} (DPO, KTO, NCA, ORPO through TRL) from the SFT model on the tree pairs."""
    input:
        model="models/eurus/seed{seed}/sft",
        pairs="data/eurus/pairs.parquet",
        code=code("train_preference"),
    output:
        directory("models/eurus/seed{seed}/pref/{algo}"),
    wildcard_constraints:
        algo=one_of(PREF_ALGOS),
    params:
        cfg=conf("eurus.preference.trl", "eurus.preference.per_algo", "eurus.preference.lora"),
        section="eurus.preference",
    conda:
        ENV
    log:
        "logs/eurus/seed{seed}/train_preference/{algo}.log",
    threads: threads_of("train")
    resources:
        **resources_of("train"),
    script:
        "../scripts/train_preference.py"


rule train_reward:
    """Reward model with loss {loss} (bt, dr, bt+dr) from the SFT model; held-out pair accuracy."""
    input:
        model="models/eurus/seed{seed}/sft",
        pairs="data/eurus/pairs.parquet",
        code=code("train_reward"),
    output:
        directory("models/eurus/seed{seed}/rm/{loss}"),
    wildcard_constraints:
        loss=one_of(RM_LOSSES),
    params:
        cfg=conf("eurus.reward"),
    conda:
        ENV
    log:
        "logs/eurus/seed{seed}/train_reward/{loss}.log",
    threads: threads_of("train")
    resources:
        **resources_of("train"),
    script:
        "../scripts/train_reward.py"


rule bon_samples:
    """eurus.bon.n sampled completions of the main build's SFT model per instruction of the splits
    eval.sampled_splits names (the test split: what the claims and the ladder read; ood too was 244 s
    of sampling and 392 s of reward-model scoring in the 2026-12-07 build), verified: built once, so
    every seed's selectors rerank the same candidates."""
    input:
        model=f"models/eurus/seed{SEED}/sft",
        tasks=task_files(EVAL_BENCHMARKS),
        code=code("bon_samples"),
    output:
        expand("results/eurus/bon/samples/{benchmark}.parquet", benchmark=EVAL_BENCHMARKS),
    params:
        cfg=conf("eurus.bon.n", "generation", "sandbox", "eval.sampled_splits", "seed"),
    conda:
        ENV
    log:
        "logs/eurus/bon_samples.log",
    threads: threads_of("generate")
    resources:
        **resources_of("generate"),
    script:
        "../scripts/bon_samples.py"


# best-of-N selectors by a reward model (rm-<loss>): they score every candidate
BON_RERANKERS = [s for s in EURUS.bon.selectors if s.startswith("rm-")]


rule bon_select:
    """Best-of-N by {selector}: random or majority vote, per benchmark."""
    input:
        samples=expand("results/eurus/bon/samples/{benchmark}.parquet", benchmark=EVAL_BENCHMARKS),
        code=code("bon_select"),
    output:
        expand("results/eurus/seed{{seed}}/bon/{{selector}}/{benchmark}.parquet", benchmark=EVAL_BENCHMARKS),
    wildcard_constraints:
        selector=one_of([s for s in EURUS.bon.selectors if s not in BON_RERANKERS]),
    conda:
        ENV
    log:
        "logs/eurus/seed{seed}/bon_select/{selector}.log",
    threads: threads_of("tables")
    resources:
        **resources_of("tables"),
    script:
        "../scripts/bon_select.py"


rule bon_rerank:
    """Best-of-N by the reward model trained with loss {loss}: every candidate's score, then the pick."""
    input:
        samples=expand("results/eurus/bon/samples/{benchmark}.parquet", benchmark=EVAL_BENCHMARKS),
        tasks=task_files(EVAL_BENCHMARKS),
        scorer="models/eurus/seed{seed}/rm/{loss}",
        code=code("bon_select"),
    output:
        picks=expand("results/eurus/seed{{seed}}/bon/rm-{{loss}}/{benchmark}.parquet", benchmark=EVAL_BENCHMARKS),
        scores="results/eurus/seed{seed}/bon/rm-{loss}/scores.parquet",
    wildcard_constraints:
        loss=one_of([rfconfig.reward_loss(s) for s in BON_RERANKERS]),
    conda:
        ENV
    log:
        "logs/eurus/seed{seed}/bon_select/rm-{loss}.log",
    threads: threads_of("score")
    resources:
        **resources_of("score"),
    script:
        "../scripts/bon_select.py"


rule bon_ladder:
    """Best-of-N's ladder at {seed}: every selector beside the verifier's ceiling, the expected random
    pick and length alone; each reward model's pair accuracy on the candidates and length correlation."""
    input:
        samples=expand("results/eurus/bon/samples/{benchmark}.parquet", benchmark=EVAL_BENCHMARKS),
        scores=expand("results/eurus/seed{{seed}}/bon/{selector}/scores.parquet", selector=BON_RERANKERS),
        code=code("bon_ladder"),
    output:
        table="results/eurus/seed{seed}/bon_ladder.parquet",
        page="results/eurus/seed{seed}/bon_ladder.md",
    conda:
        ENV
    log:
        "logs/eurus/seed{seed}/bon_ladder.log",
    threads: threads_of("tables")
    resources:
        **resources_of("tables"),
    script:
        "../scripts/bon_ladder.py"


rule reward_trends:
    """Chosen and rejected rewards of every preference method through training (Eurus's key figure)."""
    input:
        models=expand("models/eurus/seed{seed}/pref/{algo}", seed=SEED, algo=PREF_ALGOS),
        code=code("reward_trends"),
    output:
        plot=report("results/eurus/reward_trends.png", caption="../report/reward_trends.rst", category="Eurus"),
        table="results/eurus/reward_trends.csv",
    conda:
        ENV
    log:
        "logs/eurus/reward_trends.log",
    threads: threads_of("tables")
    resources:
        **resources_of("tables"),
    script:
        "../scripts/reward_trends.py"


rule rm_accuracy:
    """Held-out pair accuracy of every reward model (DVC metrics)."""
    input:
        models=expand("models/eurus/seed{seed}/rm/{loss}", seed=SEED, loss=RM_LOSSES),
        code=code("rm_accuracy"),
    output:
        "results/eurus/rm_accuracy.json",
    conda:
        ENV
    log:
        "logs/eurus/rm_accuracy.log",
    threads: threads_of("score")
    resources:
        **resources_of("score"),
    script:
        "../scripts/rm_accuracy.py"


# Claims: E1-E3 over claims.seeds, the same rules at each seed.
EURUS_CLAIM_ALGOS = ["dpo", "kto", "nca"]
EURUS_CLAIM_RMS = ["bt", "bt+dr"]


rule claims_eurus:
    """E1-E3 of the Eurus paper over claims.seeds: SFT vs base, KTO/NCA vs DPO and the chosen-reward
    trend, BT+DR vs BT reward models."""
    input:
        base=expand("results/eval/seed{seed}/strong/{benchmark}.parquet", seed=SEED, benchmark=EVAL_BENCHMARKS),
        evals=expand("results/eval/seed{seed}/{model}/{benchmark}.parquet", seed=CLAIM_SEEDS,
                     model=["sft", "sft-reference"] + EURUS_CLAIM_ALGOS, benchmark=EVAL_BENCHMARKS),
        pref=expand("models/eurus/seed{seed}/pref/{algo}", seed=CLAIM_SEEDS, algo=EURUS_CLAIM_ALGOS),
        rm=expand("models/eurus/seed{seed}/rm/{loss}", seed=CLAIM_SEEDS, loss=EURUS_CLAIM_RMS),
        bon=expand("results/eurus/seed{seed}/bon/rm-{loss}/{benchmark}.parquet", seed=CLAIM_SEEDS,
                   loss=EURUS_CLAIM_RMS, benchmark=EVAL_BENCHMARKS),
        bon_ladders=expand("results/eurus/seed{seed}/bon_ladder.parquet", seed=CLAIM_SEEDS),
        code=code("claims_eurus"),
        splits=claims_need_test,
    output:
        table=report("results/claims/eurus.md", caption="../report/claims.rst", category="Claims"),
        metrics="results/claims/eurus.json",
    params:
        cfg=conf("claims.seeds", "eval.k"),
    conda:
        ENV
    log:
        "logs/claims/eurus.log",
    threads: threads_of("tables")
    resources:
        **resources_of("tables"),
    script:
        "../scripts/claims_eurus.py"
