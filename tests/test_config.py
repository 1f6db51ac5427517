import copy

import pytest

from reasonforge import config


@pytest.fixture()
def params(root):
    return config.load_yaml(root / "params.yaml")


def test_default_params_and_smoke_overlay_validate(root):
    p = config.load_params(root / "params.yaml")
    assert p["models"]["weak"]["train"]["threads"] == 2          # default filled
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
    bad["eval"]["models"] = ["weak", "nope"]
    with pytest.raises(config.ParamsError, match=r"eval\.models: 'nope'"):
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
