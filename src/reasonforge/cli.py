"""The `reasonforge` command."""
from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path


def cmd_dvc_sync(args) -> int:
    from .dvcsync import build_dvc_yaml
    from .io import write_text

    root = Path(args.root)
    text = build_dvc_yaml(root)
    target = root / "dvc.yaml"
    if args.check:
        if not target.exists() or target.read_text() != text:
            from .dvcsync import shape_change

            print(f"{target}: stale for params.yaml: {shape_change(root, text)}\n"
                  "DVC runs only the stages dvc.yaml lists, so `dvc repro` and `dvc exp run -S` cannot build these "
                  "params: run `reasonforge dvc-sync` (and commit dvc.yaml), then DVC again; or build with "
                  "`snakemake --cores all`", file=sys.stderr)
            return 1
        print(f"{target}: up to date")
        return 0
    write_text(target, text)
    print(f"{target}: written ({text.count('cmd:')} stages)")
    return 0


CLAIMS_BEGIN = "<!-- claims: written by `reasonforge readme` from results/claims/*.md; do not edit -->"
CLAIMS_END = "<!-- /claims -->"


def claims_files(root: Path) -> list[str]:
    """Every method's claims table (results/claims/<method>.md), by name: a new method's claims join
    the README without an edit here."""
    found = sorted(str(p.relative_to(root)) for p in (root / "results/claims").glob("*.md"))
    if not found:
        raise FileNotFoundError(f"{root / 'results/claims'}: no claims tables (build them: snakemake claims)")
    return found


def claims_block(root: Path) -> str:
    """The README's claims section: each method's claims table as the claims target wrote it (so no
    number in the README is typed by hand), under its title and a link to the whole file. Only the
    file's first table, the verdicts: its ladders follow in the file, under their own heading."""
    parts = []
    for rel in claims_files(root):
        text = (root / rel).read_text().splitlines()
        title = text[0].removeprefix("# ").strip() if text else rel
        first = next((i for i, line in enumerate(text) if line.startswith("|")), len(text))
        rows = list(itertools.takewhile(lambda line: line.startswith("|"), text[first:]))
        parts.append(f"**{title}** ([{rel}]({rel}))\n\n" + "\n".join(rows))
    return "\n\n".join([CLAIMS_BEGIN, *parts, CLAIMS_END])


def cmd_readme(args) -> int:
    """Rewrite the README's claims section from results/claims/*.md (--check: fail if it differs)."""
    from .io import write_text

    root = Path(args.root)
    readme = root / "README.md"
    text = readme.read_text()
    if text.count(CLAIMS_BEGIN) != 1 or text.count(CLAIMS_END) != 1:
        print(f"{readme}: needs one claims section, {CLAIMS_BEGIN} ... {CLAIMS_END}", file=sys.stderr)
        return 1
    head, rest = text.split(CLAIMS_BEGIN)
    tail = rest.split(CLAIMS_END, 1)[1]
    new = head + claims_block(root) + tail
    if args.check:
        if new != text:
            print(f"{readme}: the claims section differs from results/claims/*.md: run `reasonforge readme`",
                  file=sys.stderr)
            return 1
        print(f"{readme}: claims section up to date")
        return 0
    write_text(readme, new)
    print(f"{readme}: claims section written from {', '.join(claims_files(root))}")
    return 0


def _tool(name: str) -> str:
    """The command installed beside this python (the project's venv), else the one on PATH."""
    beside = Path(sys.executable).with_name(name)
    return str(beside) if beside.exists() else name


def _dvc(root: Path, *args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([_tool("dvc"), *args], cwd=root, **kw)


def cmd_dvc_commit(args) -> int:
    """Record in dvc.lock what a plain snakemake build made, and nothing it did not make.

    DVC knows params.yaml only, so a stage is committed only if Snakemake, with params.yaml alone,
    has nothing to do for it: its outputs exist and its recorded params, inputs (the code it runs
    among them) and script are the current ones. A build with an overlay, or a stage built by code
    edited since, stays stale in `dvc status`, as in `snakemake -n`, with one line saying why."""
    from .dvcsync import SHAPE_STAGE, build_dvc_yaml, snakemake_stale, stage_outputs

    root = Path(args.root)
    status = _dvc(root, "status", "--json", capture_output=True, text=True)
    if status.returncode:
        print(f"dvc-commit: `dvc status` failed, dvc.lock left as it was:\n{status.stderr.strip()}", file=sys.stderr)
        return status.returncode
    dvc_stale = sorted(name.split(":")[-1] for name in json.loads(status.stdout or "{}"))
    if not dvc_stale:
        return 0
    snakemake_would_run = snakemake_stale(root)
    outputs = stage_outputs(root / "dvc.yaml")
    commit = []
    for name in dvc_stale:
        if name == SHAPE_STAGE:  # its params are recorded when dvc.yaml is what the rules make of them
            if (root / "dvc.yaml").read_text() == build_dvc_yaml(root):
                commit.append(name)
            else:
                print(f"dvc.lock: {name} not recorded: dvc.yaml is stale for params.yaml (`reasonforge dvc-sync`)",
                      file=sys.stderr)
        elif name in snakemake_would_run:
            print(f"dvc.lock: {name} not recorded: snakemake -n with params.yaml alone would run it "
                  f"({snakemake_would_run[name]})", file=sys.stderr)
        elif name in outputs and all((root / o).exists() for o in outputs[name]):
            commit.append(name)
    if not commit:
        return 0
    # Every stale stage committable (a whole build): one `dvc commit` over the whole index, 12 s for
    # the smoke DAG's 76 stages, where naming them took 220 s (DVC collects the index once per target).
    everything = commit == dvc_stale
    relinked = [o for name in (outputs if everything else commit) for o in outputs.get(name, [])]
    with mtimes_kept(root, relinked):
        return _dvc(root, "commit", "-f", "-q", *([] if everything else commit)).returncode


@contextlib.contextmanager
def mtimes_kept(root: Path, outputs: list[str]):
    """`dvc commit` re-links committed outputs from its cache, which gives them new mtimes. Snakemake
    compares an input larger than --max-checksum-file-size (1 MB) by mtime alone, so after a default
    build (the corpus is 1.4 MB) it called everything downstream stale. The same content keeps its
    times: files first, then directories (re-linking a file changes its directory's mtime)."""
    paths = []
    for o in outputs:
        top = root / o
        if top.is_dir():
            paths += [p for p in sorted(top.rglob("*"), key=lambda p: -len(p.parts)) if not p.is_symlink()]
        paths.append(top)
    kept = {p: p.stat() for p in paths if p.exists()}
    try:
        yield
    finally:
        for p in sorted(kept, key=lambda p: (p.is_dir(), -len(p.parts))):
            if p.exists():
                os.utime(p, ns=(kept[p].st_atime_ns, kept[p].st_mtime_ns), follow_symlinks=False)


def cmd_pull(args) -> int:
    """`dvc pull`, then the pulled outputs' times put back in the DAG's order. DVC writes files in
    its own order, and Snakemake compares a directory input (every model) by mtime: after a pull
    into an empty workspace it called 57 of the smoke DAG's jobs stale. Only when `dvc status` says
    every stage matches its params, code and inputs by content does `snakemake --touch` re-date them."""
    root = Path(args.root)
    problem = remote_problem(root, args.remote)
    if problem:
        print(f"pull: {problem}", file=sys.stderr)
        return 2
    pulled = _dvc(root, "pull", *(["-r", args.remote] if args.remote else []))
    if pulled.returncode:
        return pulled.returncode
    status = _dvc(root, "status", "--json", capture_output=True, text=True)
    stale = sorted(json.loads(status.stdout or "{}")) if status.returncode == 0 else None
    if stale != []:
        why = status.stderr.strip() if stale is None else "stale: " + ", ".join(s.split(":")[-1] for s in stale)
        print(f"pull: outputs left as pulled ({why}); `snakemake -n` says what would run", file=sys.stderr)
        return 0
    touch = subprocess.run([_tool("snakemake"), "--touch", "--cores", "1", "--quiet", "all"],
                           cwd=root, env=dict(os.environ, REASONFORGE_UNDER_DVC="1"))
    return touch.returncode


# DVC reaches these remotes only through a plugin package (the project's extras install them)
REMOTE_PLUGINS = {"ssh": ("dvc_ssh", "ssh"), "s3": ("dvc_s3", "s3"), "gs": ("dvc_gs", "gs"), "azure": ("dvc_azure", "azure")}


def remote_problem(root: Path, name: str | None) -> str | None:
    """Why `dvc pull` from `name` (default: the default remote) cannot work, or None. Without this,
    a repository with no remote printed "Everything is up to date." and then an ERROR listing every
    missing file."""
    listed = _dvc(root, "remote", "list", capture_output=True, text=True)
    remotes = dict(line.split()[:2] for line in listed.stdout.splitlines() if len(line.split()) >= 2)
    if name is None:
        default = _dvc(root, "remote", "default", capture_output=True, text=True)
        name = default.stdout.strip() if default.returncode == 0 else None
        if not name:
            return ("no DVC remote to pull from: this repository has no default remote "
                    "(`dvc remote add -d store <url>`, or `reasonforge pull -r NAME`" +
                    (f"; remotes: {', '.join(remotes)})" if remotes else ")"))
    if name not in remotes:
        return f"no DVC remote named {name!r} (remotes: {', '.join(remotes) or 'none'})"
    scheme = remotes[name].split("://", 1)[0] if "://" in remotes[name] else "local"
    if scheme in REMOTE_PLUGINS:
        import importlib.util

        module, extra = REMOTE_PLUGINS[scheme]
        if importlib.util.find_spec(module) is None:
            return (f"remote {name!r} is {remotes[name]}: DVC reaches {scheme}:// remotes through the "
                    f"{module.replace('_', '-')} package: pip install -e '.[{extra}]'")
    return None


# Artifact path patterns -> their schema ("module.Class" under reasonforge), for `reasonforge validate`.
# Imported on use: the build's scripts name their schemas themselves and never read this map.
SCHEMA_FOR_PATH = {
    "data/tasks/*/*.parquet": "tables.Instructions",
    "data/corpus/*.parquet": "tables.Corpus",
    "results/eval/*/*.parquet": "tables.EvalSamples",
    "results/eurus/bon/*/scores.parquet": "eurus.tables.BonScores",
    "results/eurus/bon/*/*.parquet": "tables.EvalSamples",
    "results/eurus/bon_ladder.parquet": "eurus.tables.BonLadder",
    "results/eval/summary.csv": "tables.Summary",
    "data/eurus/trees.parquet": "eurus.tables.TreeNodes",
    "data/eurus/sft.parquet": "eurus.tables.SFTData",
    "data/eurus/sft_reference.parquet": "eurus.tables.SFTData",
    "data/eurus/pairs.parquet": "eurus.tables.Pairs",
    "data/w2s/split.parquet": "w2s.tables.W2SSplit",
    "data/w2s/gold_train_*.parquet": "w2s.tables.W2SGold",
    "data/w2s/*labels.parquet": "w2s.tables.W2SLabels",
    "data/w2s/relabels/*.parquet": "w2s.tables.W2SLabels",
    "data/w2s/stage2/samples.parquet": "w2s.tables.W2SLabels",
    "data/w2s/stage1/*.parquet": "w2s.tables.W2SSelection",
    "data/w2s/stage2/pairs.parquet": "w2s.tables.W2SPairs",
    "data/alphallm/imagined.parquet": "alphallm.tables.AlphaImagined",
    "data/alphallm/samples.parquet": "alphallm.tables.AlphaSamples",
    "data/alphallm/step_labels.parquet": "alphallm.tables.AlphaStepLabels",
    "data/alphallm/search/*.parquet": "alphallm.tables.AlphaSearch",
    "results/alphallm/samples/*.parquet": "tables.EvalSamples",
    "results/alphallm/mcts/*.parquet": "alphallm.tables.AlphaDecoded",
    "results/alphallm/compute.parquet": "alphallm.tables.AlphaCompute",
    "data/grpo/prompts.parquet": "grpo.tables.GRPOPrompts",
    "results/grpo/passk/*/*.parquet": "tables.EvalSamples",
}


def schema_for(path: str | Path):
    """The schema of an artifact, found by the tail of its path (absolute or relative)."""
    import fnmatch
    import importlib
    import re

    norm = re.sub(r"/seed\d+/", "/", str(path).replace("\\", "/"))  # a seeded rule's output: its table at any seed
    for pattern, name in SCHEMA_FOR_PATH.items():
        if fnmatch.fnmatch(norm, pattern) or fnmatch.fnmatch(norm, "*/" + pattern):
            module, cls = name.rsplit(".", 1)
            return getattr(importlib.import_module(f"reasonforge.{module}"), cls)
    raise KeyError(f"{path}: no schema for this artifact (known: {', '.join(SCHEMA_FOR_PATH)})")


def cmd_validate(args) -> int:
    from .io import TableError, read_table

    bad = 0
    for path in args.paths:  # relative to the current directory or absolute: the schema is found by the path's tail
        try:
            df = read_table(Path(path).absolute(), schema_for(Path(path).absolute()))
            print(f"{path}: ok ({len(df)} rows)")
        except (TableError, KeyError) as exc:
            print(str(exc).strip("'\""), file=sys.stderr)
            bad += 1
    return 1 if bad else 0


def cmd_show(args) -> int:
    """A table (first rows), a text artifact, a directory (its listing) or a binary file (its
    path, size and what to open it with)."""
    path = Path(args.path)
    if not path.exists():
        print(f"{path}: no such file (build it: snakemake {path})", file=sys.stderr)
        return 1
    if path.is_dir():
        entries = sorted(path.iterdir())
        print(f"{path}/: directory of {len(entries)} entries")
        for p in entries:
            print(f"  {p.name}/" if p.is_dir() else f"  {p.name}  ({p.stat().st_size:,} bytes)")
        return 0
    if path.suffix in (".parquet", ".csv"):
        import pandas as pd

        try:
            df = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
        except Exception as exc:
            print(f"{path}: cannot read as {path.suffix.lstrip('.')}: {exc}", file=sys.stderr)
            return 1
        print(df.head(args.rows).to_string(max_colwidth=60))
        if len(df) > args.rows:
            print(f"... {len(df)} rows in all (--rows N shows more)")
        return 0
    try:
        text = path.read_text()
    except OSError as exc:
        print(f"{path}: {exc.strerror}", file=sys.stderr)
        return 1
    except UnicodeDecodeError:
        kind = {".png": "a PNG image", ".jpg": "a JPEG image", ".pdf": "a PDF"}.get(path.suffix.lower(), "a binary file")
        print(f"{path}: {kind}, {path.stat().st_size:,} bytes; open it with a viewer "
              f"(`dvc plots show` renders the plots)")
        return 0
    print(text, end="")
    return 0


def cmd_sandbox_run(args) -> int:
    """One JSON result per file, in order. A file that cannot be read gets a result of its own
    (status "unreadable") and a line on stderr; the others still run; the exit status is then 2."""
    from .sandbox import Sandbox, SandboxError

    codes, unreadable = {}, {}
    for f in args.files:
        try:
            codes[f] = Path(f).read_bytes().decode("utf-8")
        except OSError as exc:
            unreadable[f] = exc.strerror or str(exc)
        except UnicodeDecodeError as exc:
            unreadable[f] = f"not UTF-8 text (byte {exc.start})"
    for f, why in unreadable.items():
        print(f"{f}: {why}", file=sys.stderr)
    try:
        with Sandbox(workers=args.workers, timeout=args.timeout, memory_mb=args.memory_mb,
                     accept_missing=args.accept_missing) as sb:
            results = dict(zip(codes, sb.map(list(codes.values()))))
    except SandboxError as exc:
        print(f"sandbox: {exc}", file=sys.stderr)
        return 1
    for f in args.files:
        result = results.get(f) or {"status": "unreadable", "returncode": None, "signal": None, "stdout": "",
                                    "stderr": unreadable[f], "duration_s": None, "truncated": False, "protections": []}
        print(json.dumps({"file": f, **result}))
    return 2 if unreadable else 0


def cmd_params(args) -> int:
    """Validate params (+ overlays) and print the merged result with defaults filled in."""
    import yaml

    from .config import ParamsError, load_params

    try:
        params = load_params(args.params, args.overlay)
    except ParamsError as exc:  # names the file (and line) or the key
        print(exc, file=sys.stderr)
        return 1
    print(yaml.safe_dump(params, sort_keys=False), end="")
    return 0


def _number(kind, minimum: float, strict: bool = False):
    """An argparse type: a number >= minimum (> minimum if strict), with a message that says so."""
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a{'n integer' if kind is int else ' number'}") from None
        if value < minimum or (strict and value == minimum):
            raise argparse.ArgumentTypeError(f"{text} must be {'>' if strict else '>='} {minimum}")
        return value
    return parse


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="reasonforge", description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("dvc-sync", help="generate dvc.yaml from the Snakemake rules")
    p.add_argument("--check", action="store_true", help="fail if dvc.yaml is stale")
    p.add_argument("--root", default=".")
    p.set_defaults(fn=cmd_dvc_sync)
    p = sub.add_parser("readme", help="write the README's claims section from results/claims/*.md")
    p.add_argument("--check", action="store_true", help="fail if the README's claims section is stale")
    p.add_argument("--root", default=".")
    p.set_defaults(fn=cmd_readme)
    p = sub.add_parser("dvc-commit", help="record finished Snakemake outputs in dvc.lock")
    p.add_argument("--root", default=".")
    p.set_defaults(fn=cmd_dvc_commit)
    p = sub.add_parser("pull", help="dvc pull, then the outputs dated in the DAG's order (snakemake -n agrees)")
    p.add_argument("--root", default=".")
    p.add_argument("-r", "--remote", help="the DVC remote to pull from (default: the default remote)")
    p.set_defaults(fn=cmd_pull)
    p = sub.add_parser("validate", help="check artifacts against their pandera schema")
    p.add_argument("paths", nargs="+")
    p.set_defaults(fn=cmd_validate)
    p = sub.add_parser("show", help="print a table, markdown or json artifact")
    p.add_argument("path")
    p.add_argument("--rows", type=int, default=20)
    p.set_defaults(fn=cmd_show)
    p = sub.add_parser("params", help="validate params.yaml (+ overlays) and print it with defaults")
    p.add_argument("overlay", nargs="*")
    p.add_argument("--params", default="params.yaml")
    p.set_defaults(fn=cmd_params)
    p = sub.add_parser("sandbox", help="run code in the sandbox")
    ssub = p.add_subparsers(dest="sandbox_cmd", required=True)
    r = ssub.add_parser("run", help="run each FILE in the sandbox; one JSON object per file")
    r.add_argument("files", nargs="+", metavar="FILE")
    r.add_argument("--timeout", type=_number(float, 0, strict=True), default=5.0, help="seconds per file (> 0)")
    r.add_argument("--workers", type=_number(int, 1), default=None, help="default: one per CPU")
    r.add_argument("--memory-mb", type=_number(int, 64), default=512, help="address-space limit (>= 64)")
    r.add_argument("--accept-missing", default=None, metavar="NAMES",
                   help="comma-separated protections the pool may run without (e.g. own-uid,cgroups), or 'all'; "
                        "default: $REASONFORGE_SANDBOX_ACCEPT_MISSING, else none: the pool refuses to start")
    r.set_defaults(fn=cmd_sandbox_run)
    args = ap.parse_args(argv)
    try:
        rc = args.fn(args)
        sys.stdout.flush()  # here, so that a closed pipe is caught below and not at exit
        return rc
    except BrokenPipeError:  # `reasonforge show x.parquet | head`: the reader left, nothing is wrong
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
