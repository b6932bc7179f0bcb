"""The team roll-up at scale: 50 reps x 2,000 notes (100k notes) from local bare repositories.

    python bench/team.py                 # 50 reps x 2,000 notes (generation ~2 min the first time)
    python bench/team.py --reps 5 --notes 500

Rows: the first `team review` (every rep fetched and read, mirrors empty), then again after
10 reps each pushed 20 contact commits; each with the process's peak memory (ru_maxrss). Reps'
vaults come from generate.py (a different seed per rep, so NIPs differ) and are kept under
bench/vaults/team-<reps>x<notes>/ while the parameters are the same.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate as gen  # noqa: E402
from run import run_process, salesnotes_cmd, seconds  # noqa: E402

TODAY = "2026-11-27"


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout.strip()


def build(base: Path, reps: int, notes: int) -> list[Path]:
    """Each rep's vault (a repository) and its bare remote; reused when present."""
    remotes = []
    for i in range(reps):
        vault, remote = base / f"rep{i:02d}", base / f"rep{i:02d}.git"
        if not remote.exists():
            gen.build_vault(vault, notes, seed=gen.SEED + i, quiet=True)
            git(base, "clone", "-q", "--bare", str(vault), str(remote))
            git(vault, "remote", "add", "origin", str(remote))
            print(f"rep {i + 1}/{reps} ready", file=sys.stderr)
        git(vault, "remote", "set-url", "origin", str(remote))  # the folder may have moved
        remotes.append(remote)
    return remotes


def team_vault(base: Path, remotes: list[Path]) -> Path:
    root = base / "team"
    shutil.rmtree(root, ignore_errors=True)
    subprocess.run([*salesnotes_cmd(), "team", "init", str(root), "--locale", "en"], check=True,
                   capture_output=True)
    lines = [f'  - {{name: Rep {i:02d}, remote: "{r}"}}' for i, r in enumerate(remotes)]
    text = (root / "team.yaml").read_text().replace("reps: []", "reps:\n" + "\n".join(lines))
    (root / "team.yaml").write_text(text)
    return root


def push_contacts(base: Path, reps: int, commits: int) -> None:
    """`commits` contact commits in each of the first `reps` vaults, as `salesnotes log` writes."""
    for i in range(reps):
        vault = base / f"rep{i:02d}"
        notes = sorted((vault / "clients").rglob("*.md"))
        for k in range(commits):
            note = notes[(k * 97) % len(notes)]
            with note.open("a", encoding="utf-8") as f:
                f.write(f"- {TODAY} phone: bench contact {k}\n")
            rel = note.relative_to(vault).as_posix()
            git(vault, "add", rel)
            git(vault, "commit", "-qm", f"contact: {note.stem} (phone)\n\nbench\n\n"
                f"Contact-Date: {TODAY}\nChannel: phone", "--", rel)
        git(vault, "push", "-q", "origin", "HEAD:main")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=50)
    parser.add_argument("--notes", type=int, default=2000)
    args = parser.parse_args()
    base = HERE / "vaults" / f"team-{args.reps}x{args.notes}"
    base.mkdir(parents=True, exist_ok=True)
    remotes = build(base, args.reps, args.notes)
    root = team_vault(base, remotes)
    review = [*salesnotes_cmd(), "--vault", str(root), "--today", TODAY, "team", "review"]
    first = run_process(review, root)
    push_contacts(base, min(10, args.reps), 20)
    again = run_process(review, root)
    print(f"| what | reps x notes | time | peak memory | exit |\n|---|---|--:|--:|--:|\n"
          f"| first `team review` | {args.reps} x {args.notes} | {seconds(first.seconds)} | "
          f"{first.maxrss_mb:.0f} MB | {first.code} |\n"
          f"| after 10 reps pushed 20 contacts each | {args.reps} x {args.notes} | "
          f"{seconds(again.seconds)} | {again.maxrss_mb:.0f} MB | {again.code} |")
    if first.code or again.code:
        print(first.stderr[-2000:], again.stderr[-2000:], file=sys.stderr)


if __name__ == "__main__":
    main()
