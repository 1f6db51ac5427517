import copy
import pickle

import pytest

from reasonforge import config


@pytest.fixture()
def params(root):
    return config.load_yaml(root / "params.yaml")


def test_default_params_and_smoke_overlay_validate(root):
    p = config.load_params(root / "params.yaml")
    assert p["models"]["weak"]["train"]["weight_decay"] == 0.1   # written in params.yaml
    assert p["generation"]["top_p"] == 0.95 and p["tasks"]["external"] == {}  # a default filled
    s = config.load_params(root / "params.yaml", [root / "configs" / "smoke.yaml"])
    assert s["models"]["weak"]["d_model"] < p["models"]["weak"]["d_model"]
    assert s["models"]["weak"]["source"] == "scratch"            # merged, not replaced


def test_wrong_type_names_the_key(params):
    params["models"]["strong"]["d_model"] = "big"
    with pytest.raises(config.ParamsError, match=r"models\.strong\.d_model: 'big' is not of type 'integer'"):
        config.validate(params)


def test_unknown_key_names_the_key(params):
    params["generation"]["temprature"] = 0.5
    with pytest.raises(config.ParamsError, match=r"generation\.temprature: unknown key"):
        config.validate(params)


def test_missing_key_names_the_key(params):
    del params["tasks"]["math"]["n_test"]
    with pytest.raises(config.ParamsError, match=r"tasks\.math\.n_test: missing required key"):
        config.validate(params)


def test_cross_key_checks(params):
    bad = copy.deepcopy(params)
    bad["eurus"]["trees"]["actors"].append({"model": "nope"})
    with pytest.raises(config.ParamsError, match=r"eurus\.trees\.actors\[2\]\.model: 'nope' is not a key of models"):
        config.validate(bad)
    bad = copy.deepcopy(params)
    bad["eurus"]["reward"]["losses"] = ["bt"]
    with pytest.raises(config.ParamsError, match=r"eurus\.bon\.selectors: 'rm-dr' needs 'dr' in eurus\.reward\.losses"):
        config.validate(bad)
    bad = copy.deepcopy(params)
    bad["tasks"]["code"]["ood"]["min_steps"] = 9
    with pytest.raises(config.ParamsError, match=r"tasks\.code\.ood\.min_steps"):
        config.validate(bad)


def test_pretrained_model_needs_path(params):
    params["models"]["real"] = {"source": "pretrained"}
    with pytest.raises(config.ParamsError, match=r"models\.real\.path: missing required key"):
        config.validate(params)
    params["models"]["real"]["path"] = "/some/dir"
    assert config.validate(params)["models"]["real"]["revision"] is None


def test_merge_replaces_lists_and_merges_dicts():
    assert config.merge({"a": {"b": 1, "c": [1, 2]}}, {"a": {"c": [3]}}) == {"a": {"b": 1, "c": [3]}}


def test_cli_params_reports_errors(tmp_path, root, capsys):
    from reasonforge.cli import main

    bad = tmp_path / "p.yaml"
    bad.write_text((root / "params.yaml").read_text().replace("vocab_size: 512", "vocab_size: lots"))
    assert main(["params", "--params", str(bad)]) == 1
    assert "tokenizer.vocab_size" in capsys.readouterr().err


def test_eval_k_larger_than_n_samples_is_rejected(params):
    params["eval"].update(n_samples=2, k=[1, 4])
    with pytest.raises(config.ParamsError, match=r"eval\.k: 4 is larger than eval\.n_samples \(2\)"):
        config.validate(params)
    params["eval"].update(n_samples=0)  # no sampling: k is unused
    config.validate(params)


def test_execution_settings_are_not_params(params):
    params["models"]["weak"]["train"]["threads"] = 8
    params["sandbox"]["workers"] = 4
    with pytest.raises(config.ParamsError) as e:
        config.validate(params)
    for key in ("models.weak.train.threads", "sandbox.workers"):
        assert f"{key}: unknown key (an execution setting" in str(e.value)


def test_broken_yaml_names_file_and_line(tmp_path):
    bad = tmp_path / "overlay.yaml"
    bad.write_text("tasks:\n  math:\n    n_train: [1, 2\n  code: {}\n")
    with pytest.raises(config.ParamsError, match=rf"^{bad}:4:\d+: invalid YAML"):
        config.load_yaml(bad)
    with pytest.raises(config.ParamsError, match=rf"^{tmp_path}/nope.yaml: No such file"):
        config.load_yaml(tmp_path / "nope.yaml")
    bad.write_text("- a list\n")
    with pytest.raises(config.ParamsError, match="expected a mapping"):
        config.load_yaml(bad)


def test_canonical_orders_keys_recursively():
    a = {"train": {"lr": 1, "steps": 2}, "d_model": 8, "layers": [{"b": 1, "a": 2}]}
    b = {"d_model": 8, "layers": [{"a": 2, "b": 1}], "train": {"steps": 2, "lr": 1}}
    assert repr(a) != repr(b) and repr(config.canonical(a)) == repr(config.canonical(b))
    assert config.canonical(a) == a


# Values that passed validation and then died mid-build (or trained something wrong without a word):
# each must be refused before any job runs, naming its key.
CANNOT_TRAIN = [
    ({"eurus": {"preference": {"trl": {"beta": -0.1}}}}, r"eurus\.preference\.trl\.beta: -0\.1 must be > 0"),
    ({"eurus": {"preference": {"trl": {"beta": 0}}}}, r"eurus\.preference\.trl\.beta: 0 must be > 0"),
    ({"eurus": {"sft": {"trl": {"num_train_epochs": -1}}}}, r"eurus\.sft\.trl\.num_train_epochs: -1 must be > 0"),
    ({"eurus": {"sft": {"trl": {"learning_rate": -1.0}}}}, r"eurus\.sft\.trl\.learning_rate: -1\.0 must be > 0"),
    ({"eurus": {"sft": {"trl": {"learning_rate": "fast"}}}}, r"eurus\.sft\.trl\.learning_rate: 'fast' is not of type float"),
    ({"eurus": {"reward": {"trl": {"per_device_train_batch_size": 0}}}},
     r"eurus\.reward\.trl\.per_device_train_batch_size: 0 must be >= 1"),
    ({"eurus": {"preference": {"per_algo": {"dpo": {"loss_type": "nosuch"}}}}},
     r"eurus\.preference\.per_algo\.dpo\.loss_type: 'nosuch' is not one of sigmoid"),
    ({"eurus": {"sft": {"trl": {"nosuch_option": 1}}}}, r"eurus\.sft\.trl\.nosuch_option: not an option of trl\.SFTConfig"),
    ({"alphallm": {"critics": {"args": {"lr_scheduler_type": "nosuch"}}}},
     r"alphallm\.critics\.args\.lr_scheduler_type: nosuch is not a valid SchedulerType"),
    ({"w2s": {"stage2": {"trl": {"beta": -1}}}}, r"w2s\.stage2\.trl\.beta: -1 must be > 0"),
    ({"eurus": {"preference": {"algos": []}}}, r"eurus\.preference\.algos: \[\] should be non-empty"),
    ({"w2s": {"stage2": {"algos": []}}}, r"w2s\.stage2\.algos: \[\] should be non-empty"),
    ({"alphallm": {"critics": {"heldout": 0}}}, r"alphallm\.critics\.heldout: 0 is less than or equal to the minimum"),
    ({"models": {"weak": {"train": {"steps": 6.0}}}}, r"models\.weak\.train\.steps: 6\.0 is not of type 'integer'"),
    ({"w2s": {"train_1": 5000, "train_2": 5000}}, r"w2s\.train_1 \+ w2s\.train_2: 5000 \+ 5000 is more than tasks\.logic\.n_train \(6000\)"),
    ({"alphallm": {"prompts": 7000}}, r"alphallm\.prompts: 7000 is more than tasks\.math\.n_train"),
    ({"alphallm": {"mcts": {"weights": {"value": 0, "prm": 0, "orm": 0}}}}, r"alphallm\.mcts\.weights: all zero"),
    ({"claims": {"seeds": [-1, 2, 3]}}, r"claims\.seeds\.0: -1 is less than the minimum of 0"),
    ({"claims": {"seeds": [1.0, 2.0, 3.0]}}, r"claims\.seeds\.0: 1\.0 is not of type 'integer'"),
    ({"seed": 1.0}, r"seed: 1\.0 is not of type 'integer'"),
    ({"eval": {"benchmarks": ["math", "math"]}}, r"eval\.benchmarks: .* has non-unique elements"),
    ({"alphallm": {"compute": {"budgets": [4, 4, 8]}}}, r"alphallm\.compute\.budgets: .* has non-unique elements"),
    ({"eurus": {"trees": {"critic": "nosuch"}}}, r"eurus\.trees\.critic: 'nosuch' is neither verifier nor a key of models"),
    ({"w2s": {"weak": {"model": "nosuch"}}}, r"w2s\.weak\.model: 'nosuch' is not a key of models"),
    ({"alphallm": {"critics": {"orm": "rm-nosuch"}}}, r"alphallm\.critics\.orm: 'rm-nosuch' names no reward model"),
    ({"eurus": {"reward": {"losses": ["bt", "dr"]}}}, r"alphallm\.compute\.reward_model: 'rm-bt\+dr' names no reward model"),
    ({"alphallm": {"compute": {"reward_model": "bt"}}}, r"alphallm\.compute\.reward_model: 'bt' does not match"),
]


@pytest.mark.parametrize("overlay, message", CANNOT_TRAIN, ids=[m.split(":")[0].replace("\\", "") for _, m in CANNOT_TRAIN])
def test_a_value_that_cannot_train_is_refused_naming_its_key(params, overlay, message):
    with pytest.raises(config.ParamsError, match=message):
        config.validate(config.merge(params, overlay))


def test_trainer_checks_are_stamped_once_per_content(params, tmp_path):
    checked = config.validate(params, trainers=False)
    config.check_trainers(checked, stamps=tmp_path)
    assert len(list(tmp_path.iterdir())) == 1
    config.check_trainers(checked, stamps=tmp_path)  # the same values: the stamp, no second one
    assert len(list(tmp_path.iterdir())) == 1
    bad = config.merge(checked, {"eurus": {"sft": {"trl": {"learning_rate": -1.0}}}})
    with pytest.raises(config.ParamsError, match="learning_rate"):
        config.check_trainers(bad, stamps=tmp_path)
    assert len(list(tmp_path.iterdir())) == 1


def test_snakemake_config_values_are_read_as_yaml():
    # Snakemake reads `--config claims={"seeds": [4, 5, 6]}` with YAML's BaseLoader: strings
    assert config.typed({"claims": {"seeds": ["4", "5", "6"]}, "x": "hf", "y": ["1.5", "true"]}) == \
        {"claims": {"seeds": [4, 5, 6]}, "x": "hf", "y": [1.5, True]}


def test_pruned_params_hold_the_declared_subtrees_as_one_tree(params):
    cfg = config.pruned(params, ["generation.batch_size", ("models", "weak"), "seed", "eurus.sft"])
    assert cfg == {"eurus": {"sft": config.canonical(params["eurus"]["sft"])}, "generation": {"batch_size": params["generation"]["batch_size"]},
                   "models": {"weak": config.canonical(params["models"]["weak"])}, "seed": params["seed"]}
    assert cfg.declared == ("eurus.sft", "generation.batch_size", "models.weak", "seed")  # dvc-sync's params of the stage
    # Snakemake compares params by repr and hands them to the script pickled
    assert repr(cfg) == repr(dict(cfg)) and pickle.loads(pickle.dumps(cfg)).declared == cfg.declared


def test_schema_mismatches_finds_every_drift():
    from dataclasses import dataclass, field

    @dataclass(kw_only=True)
    class Stage1:  # w2s.stage1 with a default that drifted, a key the schema lacks and one it has left out
        set: str = "weak"
        compare_sets: list[str] = field(default_factory=lambda: ["weak", "icl", "hybrid"])
        iterations: int
        colour: str = "red"

    assert config.schema_mismatches(Stage1, "w2s.stage1") == [
        "w2s.stage1.trl: in the schema, not in Stage1", "w2s.stage1.colour: in Stage1, not in the schema",
        "w2s.stage1.iterations: defaulted by the schema, required in Stage1",
        "w2s.stage1.set: default 'weak' in Stage1, 'hybrid' in the schema"]
