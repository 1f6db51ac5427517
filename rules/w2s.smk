# Weak-to-strong reasoning: data/w2s/, models/w2s/seed{seed}/, results/w2s/. Params: the `w2s` section.
# train_2's gold is read by the ceiling's training, the oracle rung of the ladder and the reports alone. The split is made
# once (params `seed`); every rule from the weak model's fine-tuning on takes the `{seed}` wildcard
# (data/w2s/seed{seed}/, models/w2s/seed{seed}/): the main build is params `seed`, the claims each of
# claims.seeds, on the same split and base models.

from reasonforge.w2s.config import W2SConfig

W2S = rfconfig.build(W2SConfig, config["w2s"], "w2s")  # the section as one config object (its defaults)
W2S_TASKS = W2S.tasks
W2S_ITERS = W2S.iterations
W2S_SET = W2S.stage1.set
W2S_ALGOS = W2S.stage2.algos
W2S_STAGE1 = W2S.stage1_runs  # the chosen set through every iteration, the other sets at iteration 1
# evaluated by name on the w2s.tasks benchmarks (the Snakefile's EVAL_ON; rule evaluate_families)
W2S_MODELS = {"w2s-weak": "models/w2s/seed{seed}/weak", "w2s-naive": "models/w2s/seed{seed}/naive",
              "w2s-oracle": "models/w2s/seed{seed}/oracle", "w2s-ceiling": "models/w2s/seed{seed}/ceiling",
              **{f"w2s-s1-{s}-{k}": f"models/w2s/seed{{seed}}/stage1/{s}/iter{k}" for s, k in W2S_STAGE1},
              **{f"w2s-s2-{algo}": f"models/w2s/seed{{seed}}/stage2/{algo}" for algo in W2S_ALGOS}}
W2S_BENCHMARKS = [b for b in EVAL_BENCHMARKS if b in W2S_TASKS]
# Stage II samples and trains from the model w2s.stage2.start names (by default the last stage-I iteration
# of stage1.set): one of this family's at {seed}, another family's at params `seed`. An input function:
# `model_dir` reads MODELS, which the Snakefile puts together after every rules file.
W2S_START = W2S.stage2_start
W2S_STAGE2_START = lambda w: model_dir(W2S_START, w.seed if W2S_START in W2S_MODELS else None, key="w2s.stage2.start")


wildcard_constraints:
    iter=r"\d+",


rule w2s_split:
    """train_1 (gold for the weak model) and train_2 (the strong side's questions) from each w2s
    family's train pool; the gold of each part in a file of its own."""
    input:
        tasks=expand("data/tasks/{task}/train.parquet", task=W2S_TASKS),
        code=code("w2s_split"),
    output:
        split="data/w2s/split.parquet",
        gold_1="data/w2s/gold_train_1.parquet",
        gold_2="data/w2s/gold_train_2.parquet",
    params:
        cfg=conf("w2s.train_1", "w2s.train_2", "seed"),
    conda:
        ENV
    log:
        "logs/w2s/split.log",
    threads: threads_of("tables")
    resources:
        **resources_of("tables"),
    script:
        "../scripts/w2s_split.py"


rule w2s_train_sft:
    """SFT (trl.SFTTrainer) for weak-to-strong: the weak model on train_1 gold; the strong base on
    all weak labels (naive), on the right ones (oracle), on train_2 gold (ceiling), or on stage I's
    selection of iteration k."""
    input:
        model=lambda w: f"models/base/{W2S.weak.model}" if w.name == "weak" else "models/base/strong",
        data=lambda w: {"weak": "data/w2s/gold_train_1.parquet", "naive": f"data/w2s/seed{w.seed}/weak_labels.parquet",
                        "oracle": f"data/w2s/seed{w.seed}/oracle_labels.parquet",
                        "ceiling": "data/w2s/gold_train_2.parquet"}.get(w.name)
        or f"data/w2s/seed{w.seed}/stage1/{w.name.split('/')[-1]}.parquet",
        code=code("w2s_train_sft"),
    output:
        directory("models/w2s/seed{seed}/{name}"),
    wildcard_constraints:
        name=one_of(["weak", "naive", "oracle", "ceiling"] + [f"stage1/{s}/iter{k}" for s, k in W2S_STAGE1]),
    params:
        cfg=lambda w: conf("w2s.weak" if w.name == "weak" else "w2s.stage1"),
    conda:
        ENV
    log:
        "logs/w2s/seed{seed}/train_sft/{name}.log",
    threads: threads_of("train")
    resources:
        **resources_of("train"),
    script:
        "../scripts/w2s_train_sft.py"


rule w2s_weak_labels:
    """The fine-tuned weak model's greedy responses to train_2, with their final answers."""
    input:
        model="models/w2s/seed{seed}/weak",
        split="data/w2s/split.parquet",
        code=code("w2s_label"),
    output:
        "data/w2s/seed{seed}/weak_labels.parquet",
    params:
        cfg=conf("generation", "sandbox"),
        mode="greedy",
    conda:
        ENV
    log:
        "logs/w2s/seed{seed}/weak_labels.log",
    threads: threads_of("generate")
    resources:
        **resources_of("generate"),
    script:
        "../scripts/w2s_label.py"


use rule w2s_weak_labels as w2s_icl_labels with:
    input:
        model="models/base/strong",
        split="data/w2s/split.parquet",
        weak="data/w2s/seed{seed}/weak_labels.parquet",
        code=code("w2s_label"),
    output:
        "data/w2s/seed{seed}/icl_labels.parquet",
    params:
        cfg=conf("generation", "sandbox", "w2s.icl"),
        mode="icl",
    log:
        "logs/w2s/seed{seed}/icl_labels.log",


use rule w2s_weak_labels as w2s_relabel with:
    input:
        model=lambda w: f"models/w2s/seed{w.seed}/stage1/{W2S_SET}/iter{w.iter}",
        split="data/w2s/split.parquet",
        code=code("w2s_label"),
    output:
        "data/w2s/seed{seed}/relabels/iter{iter}.parquet",
    log:
        "logs/w2s/seed{seed}/relabels/iter{iter}.log",


use rule w2s_weak_labels as w2s_stage2_samples with:
    input:
        model=W2S_STAGE2_START,
        split="data/w2s/split.parquet",
        code=code("w2s_label"),
    output:
        "data/w2s/seed{seed}/stage2/samples.parquet",
    params:
        cfg=conf("generation", "sandbox", "w2s.stage2.n", "w2s.stage2.temperature"),
        mode="sample",
    log:
        "logs/w2s/seed{seed}/stage2_samples.log",


rule w2s_select:
    """Stage I, iteration {iter}: train_2 questions whose weak answer is non-empty and equals the
    strong side's (the strong base in context at iteration 1, then the previous iteration's model)."""
    input:
        weak="data/w2s/seed{seed}/weak_labels.parquet",
        strong=lambda w: (f"data/w2s/seed{w.seed}/icl_labels.parquet" if int(w.iter) == 1
                          else f"data/w2s/seed{w.seed}/relabels/iter{int(w.iter) - 1}.parquet"),
        code=code("w2s_select"),
    output:
        "data/w2s/seed{seed}/stage1/iter{iter}.parquet",
    conda:
        ENV
    log:
        "logs/w2s/seed{seed}/select/iter{iter}.log",
    threads: threads_of("tables")
    resources:
        **resources_of("tables"),
    script:
        "../scripts/w2s_select.py"


rule w2s_oracle_labels:
    """The ladder's oracle rung: the weak labels whose answer is right (train_2's gold read here, never
    by a method): the ceiling of any selection of weak labels."""
    input:
        weak="data/w2s/seed{seed}/weak_labels.parquet",
        gold="data/w2s/gold_train_2.parquet",
        code=code("w2s_oracle_labels"),
    output:
        "data/w2s/seed{seed}/oracle_labels.parquet",
    conda:
        ENV
    log:
        "logs/w2s/seed{seed}/oracle_labels.log",
    threads: threads_of("tables")
    resources:
        **resources_of("tables"),
    script:
        "../scripts/w2s_oracle_labels.py"


rule w2s_stage2_pairs:
    """Stage II pairs from the final stage-I model's samples, the weak response always one side."""
    input:
        samples="data/w2s/seed{seed}/stage2/samples.parquet",
        weak="data/w2s/seed{seed}/weak_labels.parquet",
        code=code("w2s_stage2_pairs"),
    output:
        pairs="data/w2s/seed{seed}/stage2/pairs.parquet",
        stats="data/w2s/seed{seed}/stage2/stats.json",
    params:
        cfg=conf("w2s.stage2.skip_below", "w2s.stage2.flip_at"),
    conda:
        ENV
    log:
        "logs/w2s/seed{seed}/stage2_pairs.log",
    threads: threads_of("tables")
    resources:
        **resources_of("tables"),
    script:
        "../scripts/w2s_stage2_pairs.py"


use rule train_preference as w2s_stage2 with:
    input:
        model=W2S_STAGE2_START,
        pairs="data/w2s/seed{seed}/stage2/pairs.parquet",
        code=code("train_preference"),
    output:
        directory("models/w2s/seed{seed}/stage2/{algo}"),
    wildcard_constraints:
        algo=one_of(W2S_ALGOS),
    params:
        cfg=conf("w2s.stage2.trl", "w2s.stage2.per_algo"),
        section="w2s.stage2",
    log:
        "logs/w2s/seed{seed}/stage2/{algo}.log",


rule w2s_report:
    """PGR of every method on test and ood, and weak-label precision before and after selection."""
    input:
        evals=expand("results/eval/seed{seed}/{model}/{benchmark}.parquet", seed=SEED, model=W2S_MODELS,
                     benchmark=W2S_BENCHMARKS),
        weak=f"data/w2s/seed{SEED}/weak_labels.parquet",
        icl=f"data/w2s/seed{SEED}/icl_labels.parquet",
        selections=expand("data/w2s/seed{seed}/stage1/iter{iter}.parquet", seed=SEED, iter=W2S_ITERS),
        relabels=expand("data/w2s/seed{seed}/relabels/iter{iter}.parquet", seed=SEED, iter=W2S_ITERS[:-1]),
        pairs=f"data/w2s/seed{SEED}/stage2/pairs.parquet",
        gold="data/w2s/gold_train_2.parquet",
        code=code("w2s_report"),
    output:
        table=report("results/w2s/pgr.md", caption="../report/w2s.rst", category="Weak-to-strong"),
        metrics="results/w2s/metrics.json",
    params:
        cfg=conf("w2s.stage1.set", "eval.splits"),
    conda:
        ENV
    log:
        "logs/w2s/report.log",
    threads: threads_of("tables")
    resources:
        **resources_of("tables"),
    script:
        "../scripts/w2s_report.py"


# Claims: W1-W3 over claims.seeds, the same rules at each seed (stage I: the chosen set, every iteration).
# W2's ladder beside them: the oracle-filtered labels, and the weak responses consistency kept at iteration 1.
W2S_CLAIM_MODELS = {"w2s-weak": "weak", "w2s-naive": "naive", "w2s-ceiling": "ceiling",
                    f"w2s-s1-{W2S_SET}-{W2S_ITERS[-1]}": "stage1", **{f"w2s-s2-{a}": f"stage2-{a}" for a in W2S_ALGOS},
                    "w2s-oracle": "oracle", **({"w2s-s1-weak-1": "stage1-weak-1"} if ("weak", 1) in W2S_STAGE1 else {})}


rule claims_w2s:
    """W1-W3 of the weak-to-strong paper over claims.seeds: selection raises label precision, stage I
    beats naive weak-to-strong, stage II is at least stage I with PGR > 0."""
    input:
        evals=expand("results/eval/seed{seed}/{model}/{benchmark}.parquet", seed=CLAIM_SEEDS,
                     model=list(W2S_CLAIM_MODELS), benchmark=W2S_BENCHMARKS),
        weak=expand("data/w2s/seed{seed}/weak_labels.parquet", seed=CLAIM_SEEDS),
        kept=expand("data/w2s/seed{seed}/stage1/iter1.parquet", seed=CLAIM_SEEDS),
        gold="data/w2s/gold_train_2.parquet",
        code=code("claims_w2s"),
        splits=claims_need_test,
    output:
        table=report("results/claims/w2s.md", caption="../report/claims.rst", category="Claims"),
        metrics="results/claims/w2s.json",
    params:
        cfg=conf("claims.seeds", "w2s.stage2.algos"),
        models=W2S_CLAIM_MODELS,  # evaluated name -> the claims' name
    conda:
        ENV
    log:
        "logs/claims/w2s.log",
    threads: threads_of("tables")
    resources:
        **resources_of("tables"),
    script:
        "../scripts/claims_w2s.py"
