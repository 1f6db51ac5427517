# AlphaLLM: data/alphallm/, models/critics/, models/alphallm/, results/alphallm/. Params: the `alphallm` section.

ALPHA = config["alphallm"]
ALPHA_TASKS = ALPHA["tasks"]
ALPHA_POLICY = model_named("alphallm.policy")
ALPHA_ROLLOUT = model_named("alphallm.rollout")
ALPHA_ROUNDS = list(range(1, ALPHA["improve"]["rounds"] + 1))
ALPHA_ORM = "models/critics/orm" if ALPHA["critics"]["orm"] == "own" else reward_model_dir(ALPHA["critics"]["orm"])
ALPHA_RM = reward_model_dir(ALPHA["compute"]["reward_model"])  # the Eurus reward model best-of-N reranks with
ALPHA_CRITICS = {"value": "models/critics/value", "prm": "models/critics/prm", "orm": ALPHA_ORM}
ALPHA_VARIANTS = [f"b{b}" for b in ALPHA["compute"]["budgets"]] + (
    ["vanilla", "adaptive", "prm", "rollout"] if ALPHA["compute"]["ablations"] else [])
for _name in (ALPHA["policy"], ALPHA["rollout"]):
    if _name.startswith("alphallm-"):
        raise ValueError(f"alphallm.policy / rollout: {_name} is built by AlphaLLM itself")


MODEL_DIRS.update({f"alphallm-round{r}": f"models/alphallm/round{r}" for r in ALPHA_ROUNDS})  # greedy evals by name

wildcard_constraints:
    round=r"\d+",


rule alphallm_imagine:
    """New problems written by the policy after each seed problem of the pool, kept when the
    family's grammar computes their answer (or, by a param, the policy answers them consistently)."""
    input:
        model=ALPHA_POLICY,
        train=expand("data/tasks/{task}/train.parquet", task=ALPHA_TASKS),
        held=expand("data/tasks/{task}/{split}.parquet", task=ALPHA_TASKS, split=["test", "ood"]),
        code=code("alphallm_imagine"),
    output:
        table="data/alphallm/imagined.parquet",
        stats="data/alphallm/imagine_stats.json",
    params:
        cfg=conf("alphallm.prompts", "alphallm.imagine", "generation", "sandbox", "seed"),
    conda:
        ENV
    log:
        "logs/alphallm/imagine.log",
    threads: threads_of("generate")
    resources:
        **resources_of("generate"),
    script:
        "../scripts/alphallm_imagine.py"


rule alphallm_samples:
    """alphallm.critics.samples policy samples per pool problem, verified: the critics' data."""
    input:
        model=ALPHA_POLICY,
        train=expand("data/tasks/{task}/train.parquet", task=ALPHA_TASKS),
        code=code("alphallm_samples"),
    output:
        "data/alphallm/samples.parquet",
    params:
        cfg=conf("alphallm.prompts", "alphallm.critics.samples", "generation", "sandbox", "seed"),
    conda:
        ENV
    log:
        "logs/alphallm/samples.log",
    threads: threads_of("generate")
    resources:
        **resources_of("generate"),
    script:
        "../scripts/alphallm_samples.py"


rule alphallm_step_labels:
    """The PRM's step labels: Monte-Carlo rollouts of the policy from every step of the first
    alphallm.critics.prm_samples samples of each problem, verified."""
    input:
        model=ALPHA_POLICY,
        samples="data/alphallm/samples.parquet",
        train=expand("data/tasks/{task}/train.parquet", task=ALPHA_TASKS),
        code=code("alphallm_step_labels"),
    output:
        "data/alphallm/step_labels.parquet",
    params:
        cfg=conf("alphallm.critics.prm_samples", "alphallm.critics.prm_rollouts", "alphallm.critics.prm_threshold",
                 "generation", "sandbox", "seed"),
    conda:
        ENV
    log:
        "logs/alphallm/step_labels.log",
    threads: threads_of("generate")
    resources:
        **resources_of("generate"),
    script:
        "../scripts/alphallm_step_labels.py"


rule alphallm_critic:
    """The {critic} critic (value: MSE on prefixes; prm: BCE on step labels; orm: BCE on whole
    samples), from the policy's weights, on the problems outside the held-out fraction."""
    input:
        model=ALPHA_POLICY,
        data=lambda w: "data/alphallm/step_labels.parquet" if w.critic == "prm" else "data/alphallm/samples.parquet",
        code=code("alphallm_critic"),
    output:
        directory("models/critics/{critic}"),
    wildcard_constraints:
        critic="value|prm|orm",
    params:
        cfg=conf("alphallm.critics.heldout", "alphallm.critics.args", "alphallm.critics.max_length", "seed"),
    conda:
        ENV
    log:
        "logs/alphallm/critic/{critic}.log",
    threads: threads_of("train")
    resources:
        **resources_of("train"),
    script:
        "../scripts/alphallm_critic.py"


rule alphallm_critics_report:
    """Precision, recall and expected calibration error of each critic on the held-out problems."""
    input:
        critics=list(ALPHA_CRITICS.values()),
        samples="data/alphallm/samples.parquet",
        steps="data/alphallm/step_labels.parquet",
        code=code("alphallm_critics_report"),
    output:
        metrics="results/alphallm/critics.json",
        table=report("results/alphallm/critics.md", caption="../report/alphallm.rst", category="AlphaLLM"),
    params:
        cfg=conf("alphallm.critics.heldout", "alphallm.critics.orm"),
    conda:
        ENV
    log:
        "logs/alphallm/critics_report.log",
    threads: threads_of("score")
    resources:
        **resources_of("score"),
    script:
        "../scripts/alphallm_critics_report.py"


rule alphallm_search:
    """Round {round} of self-improvement, its search: eta-MCTS with the previous round's policy on
    every kept imagined problem; the best finished leaf of each, kept when its ORM score >= gamma."""
    input:
        policy=lambda w: alpha_policy(w.round),
        rollout=ALPHA_ROLLOUT,
        critics=list(ALPHA_CRITICS.values()),
        imagined="data/alphallm/imagined.parquet",
        code=code("alphallm_search"),
    output:
        "data/alphallm/search/round{round}.parquet",
    params:
        cfg=conf("alphallm.mcts", "alphallm.improve.gamma", "generation.batch_size", "sandbox", "seed"),
    conda:
        ENV
    log:
        "logs/alphallm/search/round{round}.log",
    threads: threads_of("search")
    resources:
        **resources_of("search"),
    script:
        "../scripts/alphallm_search.py"


rule alphallm_round:
    """Round {round}'s policy: trl.SFTTrainer from the previous round's on the kept leaves."""
    input:
        model=lambda w: alpha_policy(w.round),
        data="data/alphallm/search/round{round}.parquet",
        code=code("alphallm_round"),
    output:
        directory("models/alphallm/round{round}"),
    params:
        cfg=conf("alphallm.improve.trl", "seed"),
    conda:
        ENV
    log:
        "logs/alphallm/round{round}.log",
    threads: threads_of("train")
    resources:
        **resources_of("train"),
    script:
        "../scripts/alphallm_round.py"


rule alphallm_sample_eval:
    """The starting policy on the compute problems: greedy and max(alphallm.compute.n) samples, with
    the tokens it read and decoded."""
    input:
        model=ALPHA_POLICY,
        tasks=expand("data/tasks/{task}/test.parquet", task=ALPHA_TASKS),
        code=code("alphallm_sample_eval"),
    output:
        samples="results/alphallm/samples/samples.parquet",
        tokens="results/alphallm/samples/tokens.json",
    params:
        cfg=conf("alphallm.compute.problems", "alphallm.compute.n", "generation", "sandbox", "seed"),
    conda:
        ENV
    log:
        "logs/alphallm/sample_eval.log",
    threads: threads_of("generate")
    resources:
        **resources_of("generate"),
    script:
        "../scripts/alphallm_sample_eval.py"


rule alphallm_mcts:
    """MCTS decoding of the compute problems by the starting policy: eta-MCTS at each budget b{n}
    and each rung of the ablation ladder (vanilla, adaptive, prm, rollout). One job for all, like
    `evaluate`: the models load once (a smoke search costs less than a job's start)."""
    input:
        policy=ALPHA_POLICY,
        rollout=ALPHA_ROLLOUT,
        critics=list(ALPHA_CRITICS.values()),
        tasks=expand("data/tasks/{task}/test.parquet", task=ALPHA_TASKS),
        code=code("alphallm_mcts"),
    output:
        expand("results/alphallm/mcts/{variant}.parquet", variant=ALPHA_VARIANTS),
    params:
        cfg=conf("alphallm.mcts", "alphallm.compute.problems", "generation.batch_size", "sandbox", "seed"),
    conda:
        ENV
    log:
        "logs/alphallm/mcts.log",
    threads: threads_of("search")
    resources:
        **resources_of("search"),
    script:
        "../scripts/alphallm_mcts.py"


rule alphallm_compute:
    """Accuracy against counted tokens: greedy, self-consistency, best-of-N by the ORM and by the
    Eurus reward model, eta-MCTS at every budget; the ablation table; the plot."""
    input:
        samples="results/alphallm/samples/samples.parquet",
        tokens="results/alphallm/samples/tokens.json",
        decoded=expand("results/alphallm/mcts/{variant}.parquet", variant=ALPHA_VARIANTS),
        orm=ALPHA_ORM,
        rm=ALPHA_RM,
        tasks=expand("data/tasks/{task}/test.parquet", task=ALPHA_TASKS),
        code=code("alphallm_compute"),
    output:
        table="results/alphallm/compute.parquet",
        plot=report("results/plots/accuracy_vs_tokens.png", caption="../report/accuracy_vs_tokens.rst", category="AlphaLLM"),
        ablation="results/alphallm/ablation.md",
        metrics="results/alphallm/metrics.json",
    params:
        cfg=conf("alphallm.compute", "alphallm.mcts.iterations"),
    conda:
        ENV
    log:
        "logs/alphallm/compute.log",
    threads: threads_of("score")
    resources:
        **resources_of("score"),
    script:
        "../scripts/alphallm_compute.py"


rule alphallm:
    """Every AlphaLLM artifact: imagination, critics and their report, every round, the compute
    comparison with its ablations, and the rounds' greedy evaluations."""
    input:
        "data/alphallm/imagine_stats.json",
        "results/alphallm/critics.json",
        expand("models/alphallm/round{r}", r=ALPHA_ROUNDS),
        "results/alphallm/compute.parquet",
        expand("results/eval/alphallm-round{r}/{benchmark}.parquet", r=ALPHA_ROUNDS, benchmark=EVAL_BENCHMARKS),
