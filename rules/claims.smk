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
        section="eurus.preference",
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
        scorer=lambda w: [reward_model_dir(w.selector, root=f"models/seeds/seed{w.seed}")],
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
        splits=claims_need_test,
    output:
        table=report("results/claims/eurus.md", caption="../report/claims.rst", category="Claims"),
        metrics="results/claims/eurus.json",
    params:
        cfg=conf("claims.seeds"),
    conda:
        ENV
    log:
        "logs/claims/eurus.log",
    threads: threads_of("tables")
    resources:
        **resources_of("tables"),
    script:
        "../scripts/claims_eurus.py"


# Weak-to-strong, per seed: the whole chain from the weak model's fine-tuning on (the same split and
# gold, the same base models), under data/seeds/seed{seed}/w2s/ and models/seeds/seed{seed}/w2s/.
W2S_CLAIM_MODELS = {"w2s-weak": "weak", "w2s-naive": "naive", "w2s-ceiling": "ceiling",
                    "w2s-s1": f"stage1/{W2S_SET}/iter{W2S_ITERS[-1]}", **{f"w2s-s2-{a}": f"stage2/{a}" for a in W2S_ALGOS}}


use rule w2s_train_sft as claims_w2s_train_sft with:
    input:
        model=lambda w: f"models/base/{W2S['weak']['model']}" if w.name == "weak" else "models/base/strong",
        data=lambda w: {"weak": "data/w2s/gold_train_1.parquet", "ceiling": "data/w2s/gold_train_2.parquet",
                        "naive": f"data/seeds/seed{w.seed}/w2s/weak_labels.parquet"}.get(w.name)
        or f"data/seeds/seed{w.seed}/w2s/stage1/{w.name.split('/')[-1]}.parquet",
        code=code("w2s_train_sft"),
    output:
        directory("models/seeds/seed{seed}/w2s/{name}"),
    wildcard_constraints:
        name=one_of(["weak", "naive", "ceiling"] + [f"stage1/{W2S_SET}/iter{k}" for k in W2S_ITERS]),
    params:
        cfg=lambda w: conf("w2s.weak" if w.name == "weak" else "w2s.stage1"),
    log:
        "logs/seeds/seed{seed}/w2s/train_sft/{name}.log",


use rule w2s_weak_labels as claims_w2s_weak_labels with:
    input:
        model="models/seeds/seed{seed}/w2s/weak",
        split="data/w2s/split.parquet",
        code=code("w2s_label"),
    output:
        "data/seeds/seed{seed}/w2s/weak_labels.parquet",
    params:
        cfg=conf("generation", "sandbox"),
        mode="greedy",
    log:
        "logs/seeds/seed{seed}/w2s/weak_labels.log",


use rule w2s_icl_labels as claims_w2s_icl_labels with:
    input:
        model="models/base/strong",
        split="data/w2s/split.parquet",
        weak="data/seeds/seed{seed}/w2s/weak_labels.parquet",
        code=code("w2s_label"),
    output:
        "data/seeds/seed{seed}/w2s/icl_labels.parquet",
    params:
        cfg=conf("generation", "sandbox", "w2s.icl"),
        mode="icl",
    log:
        "logs/seeds/seed{seed}/w2s/icl_labels.log",


use rule w2s_relabel as claims_w2s_relabel with:
    input:
        model=lambda w: f"models/seeds/seed{w.seed}/w2s/stage1/{W2S_SET}/iter{w.iter}",
        split="data/w2s/split.parquet",
        code=code("w2s_label"),
    output:
        "data/seeds/seed{seed}/w2s/relabels/iter{iter}.parquet",
    params:
        cfg=conf("generation", "sandbox"),
        mode="greedy",
    log:
        "logs/seeds/seed{seed}/w2s/relabels/iter{iter}.log",


use rule w2s_select as claims_w2s_select with:
    input:
        weak="data/seeds/seed{seed}/w2s/weak_labels.parquet",
        strong=lambda w: (f"data/seeds/seed{w.seed}/w2s/icl_labels.parquet" if int(w.iter) == 1
                          else f"data/seeds/seed{w.seed}/w2s/relabels/iter{int(w.iter) - 1}.parquet"),
        code=code("w2s_select"),
    output:
        "data/seeds/seed{seed}/w2s/stage1/iter{iter}.parquet",
    log:
        "logs/seeds/seed{seed}/w2s/select/iter{iter}.log",


use rule w2s_stage2_samples as claims_w2s_stage2_samples with:
    input:
        model=f"models/seeds/seed{{seed}}/w2s/{W2S_CLAIM_MODELS['w2s-s1']}",
        split="data/w2s/split.parquet",
        code=code("w2s_label"),
    output:
        "data/seeds/seed{seed}/w2s/stage2/samples.parquet",
    params:
        cfg=conf("generation", "sandbox", "w2s.stage2.n", "w2s.stage2.temperature"),
        mode="sample",
    log:
        "logs/seeds/seed{seed}/w2s/stage2_samples.log",


use rule w2s_stage2_pairs as claims_w2s_stage2_pairs with:
    input:
        samples="data/seeds/seed{seed}/w2s/stage2/samples.parquet",
        weak="data/seeds/seed{seed}/w2s/weak_labels.parquet",
        code=code("w2s_stage2_pairs"),
    output:
        pairs="data/seeds/seed{seed}/w2s/stage2/pairs.parquet",
        stats="data/seeds/seed{seed}/w2s/stage2/stats.json",
    params:
        cfg=conf("w2s.stage2.skip_below", "w2s.stage2.flip_at"),
    log:
        "logs/seeds/seed{seed}/w2s/stage2_pairs.log",


use rule w2s_stage2 as claims_w2s_stage2 with:
    input:
        model=f"models/seeds/seed{{seed}}/w2s/{W2S_CLAIM_MODELS['w2s-s1']}",
        pairs="data/seeds/seed{seed}/w2s/stage2/pairs.parquet",
        code=code("train_preference"),
    output:
        directory("models/seeds/seed{seed}/w2s/stage2/{algo}"),
    params:
        cfg=conf("w2s.stage2.trl", "w2s.stage2.per_algo"),
        section="w2s.stage2",
    log:
        "logs/seeds/seed{seed}/w2s/stage2/{algo}.log",


use rule evaluate as claims_evaluate_w2s with:
    input:
        model=lambda w: f"models/seeds/seed{w.seed}/w2s/{W2S_CLAIM_MODELS[w.model]}",
        tasks=task_files(W2S_BENCHMARKS),
        code=code("evaluate"),
    output:
        expand("results/seeds/seed{{seed}}/{{model}}/{benchmark}.parquet", benchmark=W2S_BENCHMARKS),
    wildcard_constraints:
        model=one_of(list(W2S_CLAIM_MODELS)),
    params:
        cfg=conf("generation", "sandbox", "eval.splits"),
    log:
        "logs/seeds/seed{seed}/evaluate/{model}.log",


rule claims_w2s:
    """W1-W3 of the weak-to-strong paper over claims.seeds: selection raises label precision, stage I
    beats naive weak-to-strong, stage II is at least stage I with PGR > 0."""
    input:
        evals=expand("results/seeds/seed{seed}/{model}/{benchmark}.parquet", seed=CLAIM_SEEDS,
                     model=list(W2S_CLAIM_MODELS), benchmark=W2S_BENCHMARKS),
        weak=expand("data/seeds/seed{seed}/w2s/weak_labels.parquet", seed=CLAIM_SEEDS),
        kept=expand("data/seeds/seed{seed}/w2s/stage1/iter1.parquet", seed=CLAIM_SEEDS),
        gold="data/w2s/gold_train_2.parquet",
        code=code("claims_w2s"),
        splits=claims_need_test,
    output:
        table=report("results/claims/w2s.md", caption="../report/claims.rst", category="Claims"),
        metrics="results/claims/w2s.json",
    params:
        cfg=conf("claims.seeds", "w2s.stage2.algos"),
    conda:
        ENV
    log:
        "logs/claims/w2s.log",
    threads: threads_of("tables")
    resources:
        **resources_of("tables"),
    script:
        "../scripts/claims_w2s.py"


# AlphaLLM, per seed: the critics retrained (same data), the compute comparison (sampling, eta-MCTS at
# every budget, the ablation ladder) and round 1 of self-improvement with its greedy evaluation, under
# models/seeds/seed{seed}/, data/seeds/seed{seed}/alphallm/ and results/seeds/seed{seed}/alphallm/.
ALPHA_BENCHMARKS = [b for b in EVAL_BENCHMARKS if b in ALPHA_TASKS]
# the claims need eta-MCTS at its configured budget and the ablation ladder only
ALPHA_CLAIM_VARIANTS = [f"b{ALPHA['mcts']['iterations']}"] + [v for v in ALPHA_VARIANTS if not v.startswith("b")]


use rule alphallm_critic as claims_alphallm_critic with:
    output:
        directory("models/seeds/seed{seed}/critics/{critic}"),
    params:
        cfg=conf("alphallm.critics.heldout", "alphallm.critics.args", "alphallm.critics.max_length"),
    log:
        "logs/seeds/seed{seed}/alphallm/critic/{critic}.log",


use rule alphallm_sample_eval as claims_alphallm_sample_eval with:
    output:
        samples="results/seeds/seed{seed}/alphallm/samples/samples.parquet",
        tokens="results/seeds/seed{seed}/alphallm/samples/tokens.json",
    params:
        cfg=conf("alphallm.compute.problems", "alphallm.compute.n", "generation", "sandbox"),
    log:
        "logs/seeds/seed{seed}/alphallm/sample_eval.log",


use rule alphallm_mcts as claims_alphallm_mcts with:
    input:
        policy=ALPHA_POLICY,
        rollout=ALPHA_ROLLOUT,
        critics=lambda w: seeded_critics(w.seed),
        tasks=expand("data/tasks/{task}/test.parquet", task=ALPHA_TASKS),
        code=code("alphallm_mcts"),
    output:
        expand("results/seeds/seed{{seed}}/alphallm/mcts/{variant}.parquet", variant=ALPHA_CLAIM_VARIANTS),
    params:
        cfg=conf("alphallm.mcts", "alphallm.compute.problems", "generation.batch_size", "sandbox"),
    log:
        "logs/seeds/seed{seed}/alphallm/mcts.log",


use rule alphallm_compute as claims_alphallm_compute with:
    input:
        samples="results/seeds/seed{seed}/alphallm/samples/samples.parquet",
        tokens="results/seeds/seed{seed}/alphallm/samples/tokens.json",
        decoded=expand("results/seeds/seed{{seed}}/alphallm/mcts/{variant}.parquet", variant=ALPHA_CLAIM_VARIANTS),
        orm=lambda w: seeded_critics(w.seed)[2],
        rm=ALPHA_RM,
        tasks=expand("data/tasks/{task}/test.parquet", task=ALPHA_TASKS),
        code=code("alphallm_compute"),
    output:
        table="results/seeds/seed{seed}/alphallm/compute.parquet",
        plot="results/seeds/seed{seed}/alphallm/accuracy_vs_tokens.png",
        ablation="results/seeds/seed{seed}/alphallm/ablation.md",
        metrics="results/seeds/seed{seed}/alphallm/metrics.json",
    log:
        "logs/seeds/seed{seed}/alphallm/compute.log",


use rule alphallm_search as claims_alphallm_search with:
    input:
        policy=ALPHA_POLICY,
        rollout=ALPHA_ROLLOUT,
        critics=lambda w: seeded_critics(w.seed),
        imagined="data/alphallm/imagined.parquet",
        code=code("alphallm_search"),
    output:
        "data/seeds/seed{seed}/alphallm/search/round1.parquet",
    params:
        cfg=conf("alphallm.mcts", "alphallm.improve.gamma", "generation.batch_size", "sandbox"),
    log:
        "logs/seeds/seed{seed}/alphallm/search/round1.log",


use rule alphallm_round as claims_alphallm_round with:
    input:
        model=ALPHA_POLICY,
        data="data/seeds/seed{seed}/alphallm/search/round1.parquet",
        code=code("alphallm_round"),
    output:
        directory("models/seeds/seed{seed}/alphallm/round1"),
    params:
        cfg=conf("alphallm.improve.trl"),
    log:
        "logs/seeds/seed{seed}/alphallm/round1.log",


use rule evaluate as claims_evaluate_alphallm with:
    input:
        model="models/seeds/seed{seed}/alphallm/round1",
        tasks=task_files(ALPHA_BENCHMARKS),
        code=code("evaluate"),
    output:
        expand("results/seeds/seed{{seed}}/{{model}}/{benchmark}.parquet", benchmark=ALPHA_BENCHMARKS),
    wildcard_constraints:
        model="alphallm-round1",
    params:
        cfg=conf("generation", "sandbox", "eval.splits"),
    log:
        "logs/seeds/seed{seed}/evaluate/{model}.log",


rule claims_alphallm:
    """A1-A3 of the AlphaLLM paper over claims.seeds, with A1b: eta-MCTS against best-of-N + ORM at
    equal counted tokens."""
    input:
        computes=expand("results/seeds/seed{seed}/alphallm/compute.parquet", seed=CLAIM_SEEDS),
        rounds=expand("results/seeds/seed{seed}/alphallm-round1/{benchmark}.parquet", seed=CLAIM_SEEDS, benchmark=ALPHA_BENCHMARKS),
        start=expand("results/eval/{policy}/{benchmark}.parquet", policy=ALPHA["policy"], benchmark=ALPHA_BENCHMARKS),
        code=code("claims_alphallm"),
        splits=claims_need_test,
    output:
        table=report("results/claims/alphallm.md", caption="../report/claims.rst", category="Claims"),
        metrics="results/claims/alphallm.json",
    params:
        cfg=conf("claims.seeds", "alphallm.mcts.iterations", "alphallm.compute.ablations"),
    conda:
        ENV
    log:
        "logs/claims/alphallm.log",
    threads: threads_of("tables")
    resources:
        **resources_of("tables"),
    script:
        "../scripts/claims_alphallm.py"


rule claims:
    """Every method's claims (target: `snakemake claims`)."""
    input:
        rules.claims_eurus.output,
        rules.claims_w2s.output,
        rules.claims_alphallm.output,
