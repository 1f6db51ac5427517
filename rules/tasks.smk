# Instruction tables: data/tasks/{task}/{split}.parquet; the pretraining corpus: data/corpus/


rule make_tasks:
    """Synthetic family {task}: disjoint pools train / test / ood (harder) / pretrain (only for the
    corpus), with verifiable answers or tests."""
    input:
        code=code("make_tasks"),
    output:
        train="data/tasks/{task}/train.parquet",
        test="data/tasks/{task}/test.parquet",
        ood="data/tasks/{task}/ood.parquet",
        pretrain="data/tasks/{task}/pretrain.parquet",
    wildcard_constraints:
        task=one_of(SYNTHETIC),
    params:
        cfg=lambda w: conf(("tasks", w.task), "seed"),
    conda:
        ENV
    log:
        "logs/make_tasks/{task}.log",
    threads: threads_of("tables")
    resources:
        **resources_of("tables"),
    script:
        "../scripts/make_tasks.py"


rule load_external:
    """A real benchmark (GSM8K, MATH, MBPP, HumanEval) in the same instruction table."""
    input:
        code=code("load_external"),
    output:
        test="data/tasks/{name}/test.parquet",
    wildcard_constraints:
        name=one_of(EXTERNAL),
    params:
        cfg=lambda w: conf(("tasks", "external", w.name)),
    conda:
        ENV
    log:
        "logs/load_external/{name}.log",
    threads: threads_of("tables")
    resources:
        **resources_of("tables"),
    script:
        "../scripts/load_external.py"


rule make_corpus:
    """Web-like pretraining documents from every family's pretrain pool: a fraction of solutions
    flawed, some documents chaining several problems."""
    input:
        pools=expand("data/tasks/{task}/pretrain.parquet", task=SYNTHETIC),
        code=code("make_corpus"),
    output:
        "data/corpus/pretrain.parquet",
    params:
        cfg=conf("corpus", "seed"),
    conda:
        ENV
    log:
        "logs/make_corpus.log",
    threads: threads_of("tables")
    resources:
        **resources_of("tables"),
    script:
        "../scripts/make_corpus.py"
