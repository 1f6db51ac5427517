"""Every `snakemake` command the README shows runs as written: each is dry-run here (seen: the
README's `snakemake --profile profiles/slurm --configfile configs/paper.yaml claims` failed, since
`--configfile` takes several files and swallowed the target)."""
import re
import subprocess

import pytest

from conftest import ROOT


def documented_commands() -> list[str]:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    found = []
    for page in pages:
        for block in re.findall(r"```bash\n(.*?)```", page.read_text(), re.S):
            for line in block.splitlines():
                for part in line.split(" #")[0].split("&&"):
                    part = part.strip()
                    if part.startswith("snakemake") and part not in found:
                        found.append(part)
    return found


def test_the_readme_shows_snakemake_commands():
    assert len(documented_commands()) >= 5


@pytest.mark.parametrize("command", documented_commands())
def test_documented_command_dry_runs(command, bin_dir):
    argv = command.split()
    argv[0] = str(bin_dir / "snakemake")
    if "--unlock" not in argv:
        argv.append("--dry-run")
    r = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, f"{command}\n{r.stdout[-2000:]}\n{r.stderr[-3000:]}"
