# Tokenizer and base models: models/tokenizer/, models/base/{name}/

BASE_MODELS = {name: f"models/base/{name}" for name in config["models"]}  # evaluated by name


rule train_tokenizer:
    """BPE tokenizer trained on the pretraining corpus."""
    input:
        corpus="data/corpus/pretrain.parquet",
        code=code("train_tokenizer"),
    output:
        directory("models/tokenizer"),
    params:
        cfg=conf("tokenizer"),
    conda:
        ENV
    log:
        "logs/train_tokenizer.log",
    threads: threads_of("tables")
    resources:
        **resources_of("tables"),
    script:
        "../scripts/train_tokenizer.py"


rule pretrain:
    """Llama-architecture model {name} trained from scratch on the corpus only."""
    input:
        tokenizer="models/tokenizer",
        corpus="data/corpus/pretrain.parquet",
        code=code("pretrain"),
    output:
        directory("models/base/{name}"),
    wildcard_constraints:
        name=one_of(SCRATCH),
    params:
        cfg=lambda w: conf(("models", w.name), "seed"),
    conda:
        ENV
    log:
        "logs/pretrain/{name}.log",
    threads: threads_of("pretrain")
    resources:
        **resources_of("pretrain"),
    script:
        "../scripts/pretrain.py"


rule import_model:
    """A pretrained model (hub id or local directory), pinned: source.json records its revision."""
    input:
        code=code("import_model"),
    output:
        directory("models/base/{name}"),
    wildcard_constraints:
        name=one_of(PRETRAINED),
    params:
        cfg=lambda w: conf(("models", w.name)),
    conda:
        ENV
    log:
        "logs/import_model/{name}.log",
    threads: threads_of("import")
    resources:
        **resources_of("import"),
    script:
        "../scripts/import_model.py"
