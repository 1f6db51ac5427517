# AlphaLLM: data/alphallm/, models/alphallm/seed{seed}/, results/alphallm/. Params: the `alphallm` section.
# Imagination and the critics' data come from the starting policy once (params `seed`); the critics,
# the compute comparison (sampling, MCTS decoding) and the self-improvement rounds take the `{seed}`
# wildcard: the main build is params `seed`, the claims each of claims.seeds. Models of other families
# (the policy, the rollout model, a Eurus reward model) are named in params and taken at params `seed`.

from reasonforge.alphallm.config import AlphaLLMConfig

ALPHA = rfconfig.build(AlphaLLMConfig, config["alphallm"], "alphallm")  # the section as one config object (its defaults)
ALPHA_TASKS = ALPHA.tasks
ALPHA_ROUNDS = list(range(1, ALPHA.improve.rounds + 1))
ALPHA_VARIANTS = ALPHA.variants
# the claims need eta-MCTS at its configured budget and the ablation ladder only: other seeds than the
# main build's decode those (the default budgets cost 2.3x the iterations of these variants)
ALPHA_CLAIM_VARIANTS = ALPHA.claim_variants
for _name in (ALPHA.policy, ALPHA.rollout):
    if _name.startswith("alphallm-"):
        raise ValueError(f"alphallm.policy / rollout: {_name} is built by AlphaLLM itself")

# evaluated by name: each round, and round 1 on its search's verified-right leaves (A3's ladder)
ALPHA_MODELS = {**{f"alphallm-round{r}": f"models/alphallm/seed{{seed}}/round{r}" for r in ALPHA_ROUNDS},
                "alphallm-round1-verified": "models/alphallm/seed{seed}/round1-verified"}


# Input functions (`model_dir` reads MODELS, which the Snakefile puts together after every rules file):
# the policy and rollout model alphallm.policy / rollout name; a round's starting policy, round r-1's
# (alphallm.policy for round 1).
ALPHA_POLICY = lambda w: model_dir(ALPHA.policy, key="alphallm.policy")
ALPHA_ROLLOUT = lambda w: model_dir(ALPHA.rollout, key="alphallm.rollout")
ALPHA_ROUND_START = lambda w: ALPHA_POLICY(w) if int(w.round) == 1 else f"models/alphallm/seed{w.seed}/round{int(w.round) - 1}"
# The critics at {seed}: the ORM is a Eurus reward model (at params `seed`) when alphallm.critics.orm names one.
ALPHA_CRITICS = [f"models/alphallm/seed{{seed}}/critics/{k}" for k in ("value", "prm")] + [
    "models/alphallm/seed{seed}/critics/orm" if ALPHA.critics.orm == "own" else reward_model_dir(ALPHA.critics.orm)]
ALPHA_MCTS_VARIANTS = lambda w: ALPHA_VARIANTS if int(w.seed) == SEED else ALPHA_CLAIM_VARIANTS


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
        directory("models/alphallm/seed{seed}/critics/{critic}"),
    wildcard_constraints:
        critic="value|prm|orm",
    params:
        cfg=conf("alphallm.critics.heldout", "alphallm.critics.args", "alphallm.critics.max_length"),
    conda:
        ENV
    log:
        "logs/alphallm/seed{seed}/critic/{critic}.log",
    threads: threads_of("train")
    resources:
        **resources_of("train"),
    script:
        "../scripts/alphallm_critic.py"


rule alphallm_critics_report:
    """Precision, recall and expected calibration error of each critic on the held-out problems."""
    input:
        critics=expand(ALPHA_CRITICS, seed=SEED),
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
        policy=ALPHA_ROUND_START,
        rollout=ALPHA_ROLLOUT,
        critics=ALPHA_CRITICS,
        imagined="data/alphallm/imagined.parquet",
        code=code("alphallm_search"),
    output:
        "data/alphallm/seed{seed}/search/round{round}.parquet",
    params:
        cfg=conf("alphallm.mcts", "alphallm.improve.gamma", "generation.batch_size", "sandbox"),
    conda:
        ENV
    log:
        "logs/alphallm/seed{seed}/search/round{round}.log",
    threads: threads_of("search")
    resources:
        **resources_of("search"),
    script:
        "../scripts/alphallm_search.py"


rule alphallm_round:
    """Round {round}'s policy: trl.SFTTrainer from the previous round's on the kept leaves."""
    input:
        model=ALPHA_ROUND_START,
        data="data/alphallm/seed{seed}/search/round{round}.parquet",
        code=code("alphallm_round"),
    output:
        directory("models/alphallm/seed{seed}/round{round}"),
    params:
        cfg=conf("alphallm.improve.trl"),
        keep="kept",  # the leaves the ORM kept (score >= gamma)
    conda:
        ENV
    log:
        "logs/alphallm/seed{seed}/round{round}.log",
    threads: threads_of("train")
    resources:
        **resources_of("train"),
    script:
        "../scripts/alphallm_round.py"


# A3's ladder: round 1 trained on the same search's best leaves that the verifier finds right (an oracle filter).
use rule alphallm_round as alphallm_round_verified with:
    input:
        model=ALPHA_POLICY,
        data="data/alphallm/seed{seed}/search/round1.parquet",
        code=code("alphallm_round"),
    output:
        directory("models/alphallm/seed{seed}/round1-verified"),
    params:
        cfg=conf("alphallm.improve.trl"),
        keep="correct",
    log:
        "logs/alphallm/seed{seed}/round1-verified.log",


rule alphallm_sample_eval:
    """The starting policy on the compute problems: greedy and max(alphallm.compute.n) samples, with
    the tokens it read and decoded."""
    input:
        model=ALPHA_POLICY,
        tasks=expand("data/tasks/{task}/test.parquet", task=ALPHA_TASKS),
        code=code("alphallm_sample_eval"),
    output:
        samples="results/alphallm/seed{seed}/samples/samples.parquet",
        tokens="results/alphallm/seed{seed}/samples/tokens.json",
    params:
        cfg=conf("alphallm.compute.problems", "alphallm.compute.n", "generation", "sandbox"),
    conda:
        ENV
    log:
        "logs/alphallm/seed{seed}/sample_eval.log",
    threads: threads_of("generate")
    resources:
        **resources_of("generate"),
    script:
        "../scripts/alphallm_sample_eval.py"


rule alphallm_mcts:
    """MCTS decoding of the compute problems by the starting policy, a table per variant: eta-MCTS at
    each budget b{n} and each rung of the ablation ladder (vanilla, adaptive, prm, rollout); other
    seeds than the main build's decode only what the claims read (ALPHA_MCTS_VARIANTS). One job for all, like
    `evaluate`: the models load once (a smoke search costs less than a job's start)."""
    input:
        policy=ALPHA_POLICY,
        rollout=ALPHA_ROLLOUT,
        critics=ALPHA_CRITICS,
        tasks=expand("data/tasks/{task}/test.parquet", task=ALPHA_TASKS),
        code=code("alphallm_mcts"),
    output:
        directory("results/alphallm/seed{seed}/mcts"),
    params:
        cfg=conf("alphallm.mcts", "alphallm.compute.problems", "alphallm.compute.budgets", "alphallm.compute.ablations",
                 "generation.batch_size", "sandbox"),
        variants=ALPHA_MCTS_VARIANTS,
    conda:
        ENV
    log:
        "logs/alphallm/seed{seed}/mcts.log",
    threads: threads_of("search")
    resources:
        **resources_of("search"),
    script:
        "../scripts/alphallm_mcts.py"


rule alphallm_compute:
    """Accuracy against counted tokens: greedy, self-consistency, best-of-N by the ORM and by the
    Eurus reward model, eta-MCTS at every budget; the ablation table; the plot."""
    input:
        samples="results/alphallm/seed{seed}/samples/samples.parquet",
        tokens="results/alphallm/seed{seed}/samples/tokens.json",
        decoded="results/alphallm/seed{seed}/mcts",
        orm=ALPHA_CRITICS[2],
        rm=reward_model_dir(ALPHA.compute.reward_model),  # the Eurus reward model best-of-N reranks with
        tasks=expand("data/tasks/{task}/test.parquet", task=ALPHA_TASKS),
        code=code("alphallm_compute"),
    output:
        table="results/alphallm/seed{seed}/compute.parquet",
        plot=report("results/alphallm/seed{seed}/accuracy_vs_tokens.png", caption="../report/accuracy_vs_tokens.rst",
                    category="AlphaLLM"),
        ablation="results/alphallm/seed{seed}/ablation.md",
        metrics="results/alphallm/seed{seed}/metrics.json",
    params:
        cfg=conf("alphallm.compute", "alphallm.mcts.iterations"),
        variants=ALPHA_MCTS_VARIANTS,
    conda:
        ENV
    log:
        "logs/alphallm/seed{seed}/compute.log",
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
        expand("models/alphallm/seed{seed}/round{r}", seed=SEED, r=ALPHA_ROUNDS),
        f"results/alphallm/seed{SEED}/compute.parquet",
        expand("results/eval/seed{seed}/alphallm-round{r}/{benchmark}.parquet", seed=SEED, r=ALPHA_ROUNDS,
               benchmark=EVAL_BENCHMARKS),


# Claims: A1-A3 over claims.seeds, the same rules at each seed (round 1 of self-improvement).
ALPHA_BENCHMARKS = [b for b in EVAL_BENCHMARKS if b in ALPHA_TASKS]


rule claims_alphallm:
    """A1-A3 of the AlphaLLM paper over claims.seeds, with A1b: eta-MCTS against best-of-N + ORM at
    equal counted tokens."""
    input:
        computes=expand("results/alphallm/seed{seed}/compute.parquet", seed=CLAIM_SEEDS),
        rounds=expand("results/eval/seed{seed}/alphallm-round1/{benchmark}.parquet", seed=CLAIM_SEEDS,
                      benchmark=ALPHA_BENCHMARKS),
        verified=expand("results/eval/seed{seed}/alphallm-round1-verified/{benchmark}.parquet", seed=CLAIM_SEEDS,
                        benchmark=ALPHA_BENCHMARKS),
        searches=expand("data/alphallm/seed{seed}/search/round1.parquet", seed=CLAIM_SEEDS),
        start=lambda w: expand("results/eval/seed{seed}/{policy}/{benchmark}.parquet", seed=SEED, policy=ALPHA.policy,
                               benchmark=ALPHA_BENCHMARKS),
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
