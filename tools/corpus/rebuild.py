"""Rebuild the corpus folder from corpus/manifest.json.

Each file is read from a local git mirror when one is present
(`/work/.mirror/OWNER+NAME/repo`, read with `git show COMMIT:PATH`), otherwise from
https://raw.githubusercontent.com/OWNER/NAME/COMMIT/PATH. Every file is checked against
its sha256; missing or mismatched files are reported and the run goes on.

    python tools/corpus/rebuild.py [--out /work/corpus] [--mirrors /work/.mirror] [--offline]

Exit status: 0 when every file is in place, 1 when some are missing or mismatched,
2 for usage errors.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus_common import (  # noqa: E402
    DEFAULT_CORPUS,
    MANIFEST,
    load_manifest,
    rel_path,
    repo_dir,
)

RAW = "https://raw.githubusercontent.com/{repo}/{commit}/{path}"


def from_mirror(mirrors: Path, repo: str, commit: str, path: str) -> bytes | None:
    """The blob from a local mirror, or None when there is no mirror or no such blob."""
    for git_dir in (mirrors / repo_dir(repo) / "repo", mirrors / repo_dir(repo)):
        if not (git_dir / "HEAD").exists():
            continue
        proc = subprocess.run(
            ["git", "--git-dir", str(git_dir), "show", f"{commit}:{path}"],
            capture_output=True,
            check=False,
        )
        if proc.returncode == 0:
            return proc.stdout
    return None


def from_raw(repo: str, commit: str, path: str, timeout: float) -> bytes | None:
    url = RAW.format(repo=repo, commit=commit, path=urllib.request.quote(path))
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 (fixed https host)
            return resp.read()
    except (urllib.error.URLError, TimeoutError, OSError):
        return None


def fetch_one(
    repo: str, commit: str, path: str, sha256: str, dest: Path, args: argparse.Namespace
) -> str:
    """Place one file; returns 'ok', 'cached', 'missing' or 'mismatch'."""
    if dest.exists() and hashlib.sha256(dest.read_bytes()).hexdigest() == sha256:
        return "cached"
    data = from_mirror(args.mirrors, repo, commit, path)
    source = "mirror"
    if data is None and not args.offline:
        data = from_raw(repo, commit, path, args.timeout)
        source = "raw"
    if data is None:
        return "missing"
    if hashlib.sha256(data).hexdigest() != sha256:
        print(f"mismatch ({source}): {repo}@{commit[:12]}:{path}", file=sys.stderr)
        return "mismatch"
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(data)
    return "ok"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_CORPUS, help="corpus folder to (re)build")
    ap.add_argument("--manifest", type=Path, default=MANIFEST)
    ap.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"))
    ap.add_argument("--offline", action="store_true", help="never download; mirrors only")
    ap.add_argument("--timeout", type=float, default=30.0)
    args = ap.parse_args(argv)
    if not args.manifest.exists():
        ap.error(f"no manifest at {args.manifest}")

    counts: dict[str, int] = {}
    bad: list[str] = []
    for entry in load_manifest(args.manifest):
        jobs = [("files", entry["commit"], entry["path"], entry["sha256"])]
        if "after" in entry:
            a = entry["after"]
            jobs.append(("after", a["commit"], a["path"], a["sha256"]))
        for area, commit, path, sha in jobs:
            dest = args.out / area / rel_path(entry["repo"], commit, path)
            status = fetch_one(entry["repo"], commit, path, sha, dest, args)
            counts[status] = counts.get(status, 0) + 1
            if status in ("missing", "mismatch"):
                bad.append(f"{status}: {area} {entry['repo']}@{commit[:12]}:{path}")
    for line in bad:
        print(line)
    summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    print(f"corpus at {args.out}: {summary}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
