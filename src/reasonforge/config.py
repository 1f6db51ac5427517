"""params.yaml: load, merge overlays, fill defaults and validate against the JSON schema.

Errors name the file and the dotted key path (`models.weak.d_model`), so a wrong type,
an unknown key or a missing key stops a run before any job starts.
"""
from __future__ import annotations

import copy
import dataclasses
import json
import typing
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from .configtree import ParamsError, build  # noqa: F401  (ParamsError: raised here too; build: re-exported)

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "schemas" / "params.schema.yaml"


# How a job runs is not what it builds: threads and resources belong to the `resources:` section (which
# no stage tracks) or to profiles/, so that another machine's settings never mark an artifact stale.
EXECUTION_KEYS = {"threads", "workers", "gpu", "gpus", "mem_mb", "runtime"}
EXECUTION_HINT = " (an execution setting: per stage family in the resources: section, or a Snakemake profile)"


# libyaml's loader where PyYAML has it: every Snakemake start (so every dvc stage and SLURM job)
# reads params.yaml and the schema, 0.2 s of pure-Python parsing
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(path: str | Path) -> dict:
    """A YAML mapping; a missing file, broken YAML or a non-mapping raises ParamsError naming the
    file (and, for a syntax error, the line and column)."""
    try:
        with open(path) as f:
            data = yaml.load(f, Loader=SAFE_LOADER)
    except OSError as exc:
        raise ParamsError(f"{path}: {exc.strerror}") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise ParamsError(f"{where}: invalid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise ParamsError(f"{path}: invalid YAML: {exc}") from None
    if data is not None and not isinstance(data, dict):
        raise ParamsError(f"{path}: expected a mapping of keys at top level, got {type(data).__name__}")
    return data or {}


def merge(base: dict, overlay: dict) -> dict:
    """Recursive dict merge; overlay wins, lists are replaced whole (as Snakemake does)."""
    out = copy.deepcopy(base)
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _resolve(schema: dict, root: dict) -> dict:
    while "$ref" in schema:
        ref = schema["$ref"].lstrip("#/").split("/")
        schema = root
        for part in ref:
            schema = schema[part]
    return schema


def fill_defaults(instance: Any, schema: dict, root: dict | None = None) -> Any:
    """Insert schema `default`s for absent keys (in place), following properties,
    additionalProperties, $ref and if/then/else."""
    root = root or schema
    schema = _resolve(schema, root)
    if not isinstance(instance, dict):
        return instance
    for key, sub in schema.get("properties", {}).items():
        sub = _resolve(sub, root)
        if key not in instance and "default" in sub:
            instance[key] = copy.deepcopy(sub["default"])
        if key in instance:
            fill_defaults(instance[key], sub, root)
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        for key in instance:
            if key not in schema.get("properties", {}):
                fill_defaults(instance[key], extra, root)
    return instance


def _describe(error: jsonschema.ValidationError) -> str:
    path = ".".join(str(p) for p in error.absolute_path)
    if error.validator == "additionalProperties":
        unknown = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return "; ".join(f"{'.'.join(filter(None, [path, k]))}: unknown key{EXECUTION_HINT if k in EXECUTION_KEYS else ''}"
                         for k in unknown)
    if error.validator == "required":
        missing = error.message.split("'")[1]
        return f"{'.'.join(filter(None, [path, missing]))}: missing required key"
    return f"{path or '<root>'}: {error.message}"


# JSON Schema's "integer" admits 1.0; here it does not: `seed: 1.0` made other tasks than `seed: 1`
# (the generators' streams are seeded by the text of the seed), and `steps: 6.0` failed mid-build.
_TYPES = jsonschema.Draft7Validator.TYPE_CHECKER.redefine(
    "integer", lambda checker, v: isinstance(v, int) and not isinstance(v, bool))
Validator = jsonschema.validators.extend(jsonschema.Draft7Validator, type_checker=_TYPES)


def validate(params: dict, source: str = "params.yaml", schema_path: Path = SCHEMA_PATH, trainers: bool = True) -> dict:
    """Fill defaults and validate; returns the params, raises ParamsError naming every bad key.
    trainers=False skips building the trainers' config classes (importing TRL takes ~9 s; the
    Snakefile does that check once per set of values, see `trainer_problems`)."""
    schema = load_yaml(schema_path)
    params = fill_defaults(copy.deepcopy(params), schema)
    errors = sorted(Validator(schema).iter_errors(params), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        lines = [_describe(e) for e in errors]
        raise ParamsError(f"{source}: invalid params:\n  " + "\n  ".join(lines))
    _check_references(params, source)
    if trainers:
        check_trainers(params, source)
    return params


def trainer_sections(params: dict) -> list[tuple[str, dict, dict, dict]]:
    """(kind, options, option -> params key, options the trainer adds itself) for every TRL or
    transformers config the params configure (train/options.py: the kinds)."""
    out = []

    def add(kind: str, section: str, per_algo: str | None = None, base: dict | None = None):
        options, keys = dict(subtree(params, section)), {}
        keys.update({k: f"{section}.{k}" for k in options})
        if per_algo:  # the algorithm's own options over the shared ones (scripts/train_preference.py)
            own = subtree(params, per_algo).get(kind, {})
            options.update(own)
            keys.update({k: f"{per_algo}.{kind}.{k}" for k in own})
        out.append((kind, options, keys, base or {}))

    sft = {"completion_only_loss": True}  # train/sft.py
    losses = {"dpo": {"loss_type": "sigmoid"}, "nca": {"loss_type": "nca_pair"}}  # train/preference.py
    add("sft", "eurus.sft.trl", base=sft)
    for algo in params["eurus"]["preference"]["algos"]:
        add(algo, "eurus.preference.trl", "eurus.preference.per_algo", losses.get(algo))
    add("reward", "eurus.reward.trl")
    add("sft", "w2s.weak.trl", base=sft)
    add("sft", "w2s.stage1.trl", base=sft)
    for algo in params["w2s"]["stage2"]["algos"]:
        add(algo, "w2s.stage2.trl", "w2s.stage2.per_algo", losses.get(algo))
    add("args", "alphallm.critics.args")
    add("sft", "alphallm.improve.trl", base=sft)
    add("grpo", "grpo.trl")
    return out


def trainer_problems(params: dict) -> list[str]:
    from .train.options import problems

    found = {}
    for kind, options, keys, base in trainer_sections(params):
        for problem in problems(kind, options, keys, base):
            # a shared section goes to several classes: say each problem once
            found.setdefault(problem.rsplit(" (", 1)[0], problem)
    return list(found.values())


def check_trainers(params: dict, source: str = "params.yaml", stamps: Path | None = None) -> None:
    """ParamsError naming every bad trainer option. With `stamps` (a directory), sections that passed
    before are not checked again: a stamp per content, so only a change pays TRL's import."""
    stamp = None
    if stamps is not None:
        import hashlib
        from importlib.metadata import version

        text = json.dumps([trainer_sections(params), version("trl"), version("transformers")], sort_keys=True, default=str)
        stamp = Path(stamps) / hashlib.sha256(text.encode()).hexdigest()[:24]
        if stamp.exists():
            return
    found = trainer_problems(params)
    if found:
        raise ParamsError(f"{source}: invalid params:\n  " + "\n  ".join(found))
    if stamp is not None:
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.touch()


def typed(overrides: Any) -> Any:
    """Snakemake's `--config key=value` reads a nested value with YAML's BaseLoader, so every scalar in
    it is a string (`claims={"seeds": [4, 5, 6]}` gave '4', '5', '6'): read them again as YAML does."""
    if isinstance(overrides, dict):
        return {k: typed(v) for k, v in overrides.items()}
    if isinstance(overrides, list):
        return [typed(v) for v in overrides]
    if isinstance(overrides, str):
        try:
            return yaml.load(overrides, Loader=SAFE_LOADER)
        except yaml.YAMLError:
            return overrides
    return overrides


def reward_loss(name: str) -> str:
    """The loss of the reward model a params value names as `rm-<loss>` (a best-of-N selector,
    alphallm.critics.orm, alphallm.compute.reward_model): models/eurus/seed<seed>/rm/<loss>."""
    return name.removeprefix("rm-")


def _check_references(params: dict, source: str) -> None:
    """Cross-key checks the schema cannot express."""
    problems = []
    actors = params["eurus"]["trees"]["actors"] + [params["eurus"]["trees"]["escalate"] or {"model": None}]
    for i, actor in enumerate(actors):
        if actor["model"] is not None and actor["model"] not in params["models"]:
            where = f"actors[{i}]" if i < len(actors) - 1 else "escalate"
            problems.append(f"eurus.trees.{where}.model: {actor['model']!r} is not a key of models")
    missing_rm = [s for s in params["eurus"]["bon"]["selectors"]
                  if s.startswith("rm-") and reward_loss(s) not in params["eurus"]["reward"]["losses"]]
    for s in missing_rm:
        problems.append(f"eurus.bon.selectors: {s!r} needs {reward_loss(s)!r} in eurus.reward.losses")
    known = {"math", "code", "logic", *params["tasks"]["external"]}
    for bench in params["eval"]["benchmarks"]:
        if bench not in known:
            problems.append(f"eval.benchmarks: {bench!r} is neither a task family nor tasks.external key")
    for family in ("math", "code", "logic"):
        for split in ("train", "ood"):
            d = params["tasks"][family][split]
            if d["min_steps"] > d["max_steps"]:
                problems.append(f"tasks.{family}.{split}.min_steps: greater than max_steps")
    for name, model in params["models"].items():
        if model["source"] == "scratch" and model["d_model"] % model["n_heads"]:
            problems.append(f"models.{name}.d_model: not divisible by n_heads")
    n_samples = params["eval"]["n_samples"]
    if n_samples > 0:
        for k in params["eval"]["k"]:
            if k > n_samples:
                problems.append(f"eval.k: {k} is larger than eval.n_samples ({n_samples}): pass@{k} needs {k} samples")
    problems += _check_pools(params) + _check_models(params)
    alpha = params["alphallm"]
    if not any(alpha["mcts"]["weights"].values()):
        problems.append("alphallm.mcts.weights: all zero: eta-MCTS would weigh no critic (give one a weight > 0)")
    if alpha["compute"]["ablations"] and alpha["mcts"]["iterations"] not in alpha["compute"]["budgets"]:
        problems.append(f"alphallm.compute.budgets: {alpha['compute']['budgets']} must hold alphallm.mcts.iterations "
                        f"({alpha['mcts']['iterations']}): the ablation ladder's last rung is eta-MCTS at that budget")
    if params["resources"]["pretrain"]["gpu"] > 1:
        problems.append(f"resources.pretrain.gpu: {params['resources']['pretrain']['gpu']}: pretraining's own loop runs in "
                        "one process; several GPUs per job are for the TRL trainers (resources.train.gpu)")
    if problems:
        raise ParamsError(f"{source}: invalid params:\n  " + "\n  ".join(problems))


def _check_pools(params: dict) -> list[str]:
    """Each method draws its instructions from the families' train pools: what it asks must be there."""
    problems, tasks = [], params["tasks"]
    w2s, alpha = params["w2s"], params["alphallm"]
    for family in ("math", "code", "logic"):
        n = tasks[family]["n_train"]
        if params["eurus"]["instructions"] > n:
            problems.append(f"eurus.instructions: {params['eurus']['instructions']} is more than tasks.{family}.n_train ({n})")
    for family in w2s["tasks"]:
        n = tasks[family]["n_train"]
        if w2s["train_1"] + w2s["train_2"] > n:
            problems.append(f"w2s.train_1 + w2s.train_2: {w2s['train_1']} + {w2s['train_2']} is more than "
                            f"tasks.{family}.n_train ({n})")
    for family in alpha["tasks"]:
        n = tasks[family]["n_train"]
        if alpha["prompts"] > n:
            problems.append(f"alphallm.prompts: {alpha['prompts']} is more than tasks.{family}.n_train ({n})")
    return problems


def _check_models(params: dict) -> list[str]:
    """Keys that name a base model (params `models`) or a reward model (`eurus.reward.losses`)."""
    problems, base = [], params["models"]
    critic = params["eurus"]["trees"]["critic"]
    if critic != "verifier" and critic not in base:
        problems.append(f"eurus.trees.critic: {critic!r} is neither verifier nor a key of models ({', '.join(base)})")
    if params["w2s"]["weak"]["model"] not in base:
        problems.append(f"w2s.weak.model: {params['w2s']['weak']['model']!r} is not a key of models ({', '.join(base)})")
    losses = params["eurus"]["reward"]["losses"]
    for key in ("alphallm.critics.orm", "alphallm.compute.reward_model"):
        name = subtree(params, key)
        if name != "own" and reward_loss(name) not in losses:
            problems.append(f"{key}: {name!r} names no reward model: {reward_loss(name)!r} is not in eurus.reward.losses "
                            f"({', '.join(losses)})")
    return problems


def load_params(path: str | Path = "params.yaml", overlays: list[str | Path] = ()) -> dict:
    params = load_yaml(path)
    for overlay in overlays:
        params = merge(params, load_yaml(overlay))
    return validate(params, source=" + ".join(map(str, [path, *overlays])))


def subtree(params: dict, key: str | tuple) -> Any:
    """The value at a dotted key (`alphallm.mcts`) or a tuple of its parts (`("models", name)`)."""
    node = params
    for part in key.split(".") if isinstance(key, str) else key:
        node = node[part]
    return node


class Conf(dict):
    """A rule's params: the params tree pruned to the keys the rule declares (`declared`, dotted), in
    canonical order. A script reads it as the params tree (`cfg["alphallm"]["mcts"]`, never a key
    built from strings); `reasonforge dvc-sync` makes `declared` the DVC stage's params."""

    def __init__(self, tree: dict, declared: tuple[str, ...]):
        super().__init__(tree)
        self.declared = tuple(declared)

    def __reduce__(self):  # Snakemake pickles a job's params into its script
        return Conf, (dict(self), self.declared)


def pruned(params: dict, keys) -> Conf:
    """The sub-trees of `params` at `keys` (dotted, or tuples of parts), as one tree."""
    tree: dict = {}
    declared = []
    for key in keys:
        parts = key.split(".") if isinstance(key, str) else list(key)
        node = tree
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = subtree(params, parts)
        declared.append(".".join(parts))
    return Conf(canonical(tree), tuple(sorted(declared)))


def canonical(value: Any) -> Any:
    """Dicts with their keys sorted, recursively: Snakemake compares a rule's params by repr, so
    the same values in another key order (an overlay merged, `reasonforge params` output) must
    not read as "params changed"."""
    if isinstance(value, dict):
        return {k: canonical(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [canonical(v) for v in value]
    return value


# A method's params section as one dataclass tree (eurus/config.py, w2s/config.py, alphallm/config.py):
# configtree.build makes it from the validated section, `schema_mismatches` is what its test checks, so
# the dataclasses' defaults and the schema's never drift apart (MCTSConfig.top_p was 1.0, the schema's 0.95).

def schema_mismatches(cls, key: str, schema_path: Path = SCHEMA_PATH, exempt: tuple[str, ...] = ()) -> list[str]:
    """Where the dataclass tree `cls` and the schema at params `key` disagree: a key one has and the
    other has not, a default that differs (the schema's as validation fills it), a key required by one
    and defaulted by the other. `exempt`: dotted paths of fields that are not params (a run's seed)."""
    root = load_yaml(schema_path)
    node = root
    for part in key.split("."):
        node = _resolve(node, root)["properties"][part]
    return _mismatches(cls, _resolve(node, root), root, key, exempt)


def _mismatches(cls, node: dict, root: dict, key: str, exempt=()) -> list[str]:
    props = {k: _resolve(v, root) for k, v in node.get("properties", {}).items()}
    fields = {f.name: f for f in dataclasses.fields(cls) if f"{key}.{f.name}" not in exempt}
    hints = typing.get_type_hints(cls)
    out = [f"{key}.{k}: in the schema, not in {cls.__name__}" for k in sorted(set(props) - set(fields))]
    out += [f"{key}.{k}: in {cls.__name__}, not in the schema" for k in sorted(set(fields) - set(props))]
    for name in sorted(set(props) & set(fields)):
        prop, f, where = props[name], fields[name], f"{key}.{name}"
        inner = _dataclass_in(hints[name])
        if inner is not None:  # a nested section: its own keys and defaults
            sub = _resolve(prop.get("items", prop), root) if typing.get_origin(hints[name]) is list else prop
            out += _mismatches(inner, sub, root, where, exempt)
        has_default = f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
        if "default" not in prop:
            if has_default and inner is None:
                out.append(f"{where}: required by the schema, defaulted in {cls.__name__}")
            continue
        if not has_default:
            out.append(f"{where}: defaulted by the schema, required in {cls.__name__}")
            continue
        if inner is not None and prop["default"] is not None:
            continue  # a section's default is its fields' defaults, compared above
        schema_default = fill_defaults(copy.deepcopy(prop["default"]), prop, root)
        ours = f.default if f.default is not dataclasses.MISSING else f.default_factory()
        if dataclasses.is_dataclass(ours):
            ours = dataclasses.asdict(ours)
        if ours != schema_default:
            out.append(f"{where}: default {ours!r} in {cls.__name__}, {schema_default!r} in the schema")
    return out


def _dataclass_in(hint):
    """The dataclass a field holds (itself, optional, or a list of it), or None."""
    if dataclasses.is_dataclass(hint):
        return hint
    inner = [a for a in typing.get_args(hint) if dataclasses.is_dataclass(a)]
    return inner[0] if inner else None
