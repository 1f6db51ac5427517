# Evaluation: results/eval/seed{seed}/{model}/{benchmark}.parquet, then the summary, table, metrics,
# plot of the main build (params `seed`). Every model of MODELS (the Snakefile's, each family's dict)
# is evaluated by name with `eval.models: all`.

EVAL_MODELS = list(MODELS) if config["eval"]["models"] == "all" else config["eval"]["models"]
EVAL_SAMPLED = EVAL_MODELS if config["eval"]["sampled"] == "all" else config["eval"]["sampled"]
_unknown = [m for m in EVAL_MODELS + EVAL_SAMPLED if m not in MODELS]
if _unknown:
    raise rfconfig.ParamsError(f"eval.models / eval.sampled: {', '.join(map(repr, _unknown))} not built by any rule "
                               f"(models: {', '.join(MODELS)})")
BON = expand("results/eurus/seed{seed}/bon/{selector}/{benchmark}.parquet", seed=SEED, selector=EURUS.bon.selectors,
             benchmark=EVAL_BENCHMARKS)


rule evaluate:
    """Greedy pass@1 (+ n sampled completions) of {model} at {seed} on every benchmark, verified by
    execution or exact answer checking. One job per model, not per (model, benchmark): a job's start
    (imports, model load, sandbox workers) cost ~6 s here, more than a smoke evaluation itself."""
    input:
        model=lambda w: model_dir(w.model, w.seed),
        tasks=task_files(EVAL_BENCHMARKS),
        code=code("evaluate"),
    output:
        expand("results/eval/seed{{seed}}/{{model}}/{benchmark}.parquet", benchmark=EVAL_BENCHMARKS),
    wildcard_constraints:
        model=one_of([name for name in MODELS if EVAL_ON[name] == EVAL_BENCHMARKS]),  # the others: rule evaluate_families
    params:
        cfg=conf("generation", "sandbox", "eval.n_samples", "eval.sampled", "eval.sampled_splits", "eval.splits"),
    conda:
        ENV
    log:
        "logs/evaluate/seed{seed}/{model}.log",
    threads: threads_of("evaluate")
    resources:
        **resources_of("evaluate"),
    script:
        "../scripts/evaluate.py"


# Models trained on some families only (the Snakefile's EVAL_ON: weak-to-strong's, on w2s.tasks) are
# evaluated on those by the same job; one such list of benchmarks, which a rule's outputs fix.
FAMILY_EVAL = {name: benchmarks for name, benchmarks in EVAL_ON.items() if benchmarks != EVAL_BENCHMARKS}
if len({tuple(b) for b in FAMILY_EVAL.values()}) > 1:
    raise rfconfig.ParamsError(f"evaluation: models on different benchmark subsets {FAMILY_EVAL}; rule evaluate_families "
                               "takes one")
FAMILY_BENCHMARKS = next(iter(FAMILY_EVAL.values()), [])


use rule evaluate as evaluate_families with:
    input:
        model=lambda w: model_dir(w.model, w.seed),
        tasks=task_files(FAMILY_BENCHMARKS),
        code=code("evaluate"),
    output:
        expand("results/eval/seed{{seed}}/{{model}}/{benchmark}.parquet", benchmark=FAMILY_BENCHMARKS),
    wildcard_constraints:
        model=one_of(FAMILY_EVAL),


rule summarize:
    """Long-format summary with 95% CIs, markdown table, DVC metrics and the accuracy plot."""
    input:
        samples=[path for name in EVAL_MODELS for path in expand("results/eval/seed{seed}/{model}/{benchmark}.parquet",
                                                                  seed=SEED, model=name, benchmark=EVAL_ON[name])] + BON,
        code=code("summarize"),
    output:
        summary="results/eval/summary.csv",
        table=report("results/eval/table.md", caption="../report/table.rst", category="Evaluation"),
        metrics=report("results/metrics.json", caption="../report/metrics.rst", category="Evaluation"),
        plot=report("results/plots/accuracy.png", caption="../report/accuracy.rst", category="Evaluation"),
    params:
        cfg=conf("eval.k"),
    conda:
        ENV
    log:
        "logs/summarize.log",
    threads: threads_of("tables")
    resources:
        **resources_of("tables"),
    script:
        "../scripts/summarize.py"
