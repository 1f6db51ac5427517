# Eurus / UltraInteract: data/ultrainteract/, models/sft/, models/pref/{algo}/, models/rm/{loss}/,
# results/bon/. Params: the `eurus` section.

EURUS = config["eurus"]
PREF_ALGOS = EURUS["preference"]["algos"]
RM_LOSSES = EURUS["reward"]["losses"]
TREE_MODELS = sorted({a["model"] for a in EURUS["trees"]["actors"]} | ({EURUS["trees"]["escalate"]["model"]}
                     if EURUS["trees"]["escalate"] else set()) | ({EURUS["trees"]["critic"]} - {"verifier"}))

# This family's models, evaluated by name like the base models.
MODEL_DIRS["sft"] = "models/sft"
MODEL_DIRS.update({algo: f"models/pref/{algo}" for algo in PREF_ALGOS})


rule build_trees:
    """Preference trees on the first eurus.instructions train-pool instructions of each family:
    actors sample, the sandbox runs, the critic comments; one row per node."""
    input:
        models=expand("models/base/{name}", name=TREE_MODELS),
        tasks=expand("data/tasks/{task}/train.parquet", task=SYNTHETIC),
        code=code("build_trees"),
    output:
        "data/ultrainteract/trees.parquet",
    params:
        cfg=conf("eurus.instructions", "eurus.trees", "sandbox", "generation.batch_size", "generation.backend",
                 "generation.top_p", "generation.stop", "seed"),
    conda:
        ENV
    log:
        "logs/build_trees.log",
    threads: threads_of("generate")
    resources:
        **resources_of("generate"),
    script:
        "../scripts/build_trees.py"


rule derive_ultrainteract:
    """SFT rows (correct actions), preference pairs (correct vs incorrect at one node) and stats."""
    input:
        trees="data/ultrainteract/trees.parquet",
        code=code("derive_ultrainteract"),
    output:
        sft="data/ultrainteract/sft.parquet",
        pairs="data/ultrainteract/pairs.parquet",
        stats=report("data/ultrainteract/stats.md", caption="../report/ultrainteract.rst", category="Eurus"),
    params:
        cfg=conf("eurus.sft.history"),
    conda:
        ENV
    log:
        "logs/derive_ultrainteract.log",
    threads: threads_of("tables")
    resources:
        **resources_of("tables"),
    script:
        "../scripts/derive_ultrainteract.py"


rule train_sft:
    """trl.SFTTrainer from `strong` on the correct actions (completion-only loss)."""
    input:
        model="models/base/strong",
        data="data/ultrainteract/sft.parquet",
        code=code("train_sft"),
    output:
        directory("models/sft"),
    params:
        cfg=conf("eurus.sft", "seed"),
    conda:
        ENV
    log:
        "logs/train_sft.log",
    threads: threads_of("train")
    resources:
        **resources_of("train"),
    script:
        "../scripts/train_sft.py"


rule train_preference:
    """{algo} (DPO, KTO, NCA, ORPO through TRL) from the SFT model on the tree pairs."""
    input:
        model="models/sft",
        pairs="data/ultrainteract/pairs.parquet",
        code=code("train_preference"),
    output:
        directory("models/pref/{algo}"),
    wildcard_constraints:
        algo=one_of(PREF_ALGOS),
    params:
        cfg=conf("eurus.preference.trl", "eurus.preference.per_algo", "eurus.preference.lora", "seed"),
        section="eurus.preference",
    conda:
        ENV
    log:
        "logs/train_preference/{algo}.log",
    threads: threads_of("train")
    resources:
        **resources_of("train"),
    script:
        "../scripts/train_preference.py"


rule train_reward:
    """Reward model with loss {loss} (bt, dr, bt+dr) from the SFT model; held-out pair accuracy."""
    input:
        model="models/sft",
        pairs="data/ultrainteract/pairs.parquet",
        code=code("train_reward"),
    output:
        directory("models/rm/{loss}"),
    wildcard_constraints:
        loss=one_of(RM_LOSSES),
    params:
        cfg=conf("eurus.reward", "seed"),
    conda:
        ENV
    log:
        "logs/train_reward/{loss}.log",
    threads: threads_of("train")
    resources:
        **resources_of("train"),
    script:
        "../scripts/train_reward.py"


rule bon_samples:
    """eurus.bon.n sampled completions of the SFT model per test / ood instruction, verified."""
    input:
        model="models/sft",
        tasks=task_files(EVAL_BENCHMARKS),
        code=code("bon_samples"),
    output:
        expand("results/bon/samples/{benchmark}.parquet", benchmark=EVAL_BENCHMARKS),
    params:
        cfg=conf("eurus.bon.n", "generation", "sandbox", "eval.splits", "seed"),
    conda:
        ENV
    log:
        "logs/bon_samples.log",
    threads: threads_of("generate")
    resources:
        **resources_of("generate"),
    script:
        "../scripts/bon_samples.py"


rule bon_select:
    """Best-of-N by {selector}: random, majority vote, or a reward model (rm-{loss}), per benchmark."""
    input:
        samples=expand("results/bon/samples/{benchmark}.parquet", benchmark=EVAL_BENCHMARKS),
        tasks=task_files(EVAL_BENCHMARKS),
        scorer=lambda w: [reward_model_dir(w.selector)] if w.selector.startswith("rm-") else [],
        code=code("bon_select"),
    output:
        expand("results/bon/{{selector}}/{benchmark}.parquet", benchmark=EVAL_BENCHMARKS),
    wildcard_constraints:
        selector=one_of(EURUS["bon"]["selectors"]),
    params:
        cfg=conf("seed"),
    conda:
        ENV
    log:
        "logs/bon_select/{selector}.log",
    threads: threads_of("score")
    resources:
        **resources_of("score"),
    script:
        "../scripts/bon_select.py"


rule reward_trends:
    """Chosen and rejected rewards of every preference method through training (Eurus's key figure)."""
    input:
        models=expand("models/pref/{algo}", algo=PREF_ALGOS),
        code=code("reward_trends"),
    output:
        plot=report("results/plots/reward_trends.png", caption="../report/reward_trends.rst", category="Eurus"),
        table="results/eurus/reward_trends.csv",
    conda:
        ENV
    log:
        "logs/reward_trends.log",
    threads: threads_of("tables")
    resources:
        **resources_of("tables"),
    script:
        "../scripts/reward_trends.py"


rule rm_accuracy:
    """Held-out pair accuracy of every reward model (DVC metrics)."""
    input:
        models=expand("models/rm/{loss}", loss=RM_LOSSES),
        code=code("rm_accuracy"),
    output:
        "results/eurus/rm_accuracy.json",
    conda:
        ENV
    log:
        "logs/rm_accuracy.log",
    threads: threads_of("score")
    resources:
        **resources_of("score"),
    script:
        "../scripts/rm_accuracy.py"
