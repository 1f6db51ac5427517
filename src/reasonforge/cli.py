"""The `reasonforge` command."""
from __future__ import annotations

import argparse
import json
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
            print(f"{target}: stale; run `reasonforge dvc-sync` and commit it", file=sys.stderr)
            return 1
        print(f"{target}: up to date")
        return 0
    write_text(target, text)
    print(f"{target}: written ({text.count('cmd:')} stages)")
    return 0


def cmd_dvc_commit(args) -> int:
    """`dvc commit -f` the stages whose outputs all exist (after a plain snakemake build)."""
    from .dvcsync import stage_outputs

    root = Path(args.root)
    done = [n for n, outs in stage_outputs(root / "dvc.yaml").items() if all((root / o).exists() for o in outs)]
    if not done:
        return 0
    dvc = Path(sys.executable).with_name("dvc")  # the dvc installed beside this python
    return subprocess.call([str(dvc) if dvc.exists() else "dvc", "commit", "-f", "-q", *done], cwd=root)


def cmd_validate(args) -> int:
    from .io import TableError, read_table

    bad = 0
    for path in args.paths:
        try:
            df = read_table(path)
            print(f"{path}: ok ({len(df)} rows)")
        except (TableError, KeyError) as exc:
            print(str(exc).strip("'\""), file=sys.stderr)
            bad += 1
    return 1 if bad else 0


def cmd_show(args) -> int:
    path = Path(args.path)
    if not path.exists():
        print(f"{path}: no such file (build it: snakemake {path})", file=sys.stderr)
        return 1
    if path.suffix == ".parquet":
        import pandas as pd

        print(pd.read_parquet(path).head(args.rows).to_string(max_colwidth=60))
    else:
        print(path.read_text(), end="")
    return 0


def cmd_sandbox_run(args) -> int:
    from .sandbox import Sandbox

    codes = []
    for f in args.files:
        try:
            codes.append(Path(f).read_text())
        except OSError as exc:
            print(f"{f}: {exc.strerror}", file=sys.stderr)
            return 2
    with Sandbox(workers=args.workers, timeout=args.timeout, memory_mb=args.memory_mb) as sb:
        for f, result in zip(args.files, sb.map(codes)):
            print(json.dumps({"file": f, **result}))
    return 0


def cmd_params(args) -> int:
    """Validate params (+ overlays) and print the merged result with defaults filled in."""
    import yaml

    from .config import ParamsError, load_params

    try:
        params = load_params(args.params, args.overlay)
    except ParamsError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(yaml.safe_dump(params, sort_keys=False), end="")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="reasonforge", description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("dvc-sync", help="generate dvc.yaml from the Snakemake rules")
    p.add_argument("--check", action="store_true", help="fail if dvc.yaml is stale")
    p.add_argument("--root", default=".")
    p.set_defaults(fn=cmd_dvc_sync)
    p = sub.add_parser("dvc-commit", help="record finished Snakemake outputs in dvc.lock")
    p.add_argument("--root", default=".")
    p.set_defaults(fn=cmd_dvc_commit)
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
    r.add_argument("--timeout", type=float, default=5.0)
    r.add_argument("--workers", type=int, default=None)
    r.add_argument("--memory-mb", type=int, default=512)
    r.set_defaults(fn=cmd_sandbox_run)
    args = ap.parse_args(argv)
    return args.fn(args)


if __name__ == "__main__":
    sys.exit(main())
