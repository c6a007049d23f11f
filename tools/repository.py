"""Show or change the repository URL the course points to, in every place that needs it.

The URL lives in ``_config.yml`` (``repository.url``): the website's Colab, Binder, GitHub and
issue buttons are made from it. Two places cannot read ``_config.yml`` and carry a copy, which
the tests keep equal to it: the notebooks' setup cell (on Colab it installs ``relu_course``
from this repository) and ``CITATION.cff``. A fork changes all of them with one command::

    python tools/repository.py set https://github.com/ME/understanding-relu [--branch main]
    python tools/repository.py show

``set`` edits the files in place (the notebooks keep their outputs; nothing is re-executed).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_URL = re.compile(r"^https://github\.com/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_CONFIG_URL = re.compile(r"^(repository:\n(?:  .*\n)*?  url: )(\S+)$", re.M)
_CONFIG_BRANCH = re.compile(r"^(repository:\n(?:  .*\n)*?  branch: )(\S+)$", re.M)
_SETUP_REPO = re.compile(r'^(    repo = ")([^"]+)(")$', re.M)
_CITATION_URL = re.compile(r'^(repository-code: "?)([^"\s]+)("?)$', re.M)


def _one(pattern: re.Pattern, text: str, where: str) -> re.Match:
    matches = list(pattern.finditer(text))
    if len(matches) != 1:
        raise SystemExit(f"{where}: expected one match of {pattern.pattern!r}, "
                         f"found {len(matches)}")
    return matches[0]


def current(root: Path = ROOT) -> dict[str, object]:
    """The URL (and branch) of ``_config.yml`` and the copies in the notebooks and citation."""
    config = (root / "_config.yml").read_text(encoding="utf-8")
    notebooks = {}
    for path in sorted((root / "chapters").glob("*.ipynb")):
        text = "".join("".join(c["source"]) for c in json.loads(
            path.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code")
        notebooks[path.name] = _one(_SETUP_REPO, text, path.name).group(2)
    return {"config": _one(_CONFIG_URL, config, "_config.yml").group(2),
            "branch": _one(_CONFIG_BRANCH, config, "_config.yml").group(2),
            "citation": _one(_CITATION_URL, (root / "CITATION.cff").read_text(encoding="utf-8"),
                             "CITATION.cff").group(2),
            "notebooks": notebooks}


def set_repository(url: str, branch: str | None = None, root: Path = ROOT) -> list[Path]:
    """Point every place at ``url`` (and ``branch``, when given); returns the files changed."""
    url = url.rstrip("/").removesuffix(".git")
    if not _URL.match(url):
        raise SystemExit(f"not a GitHub repository URL: {url!r} "
                         "(expected https://github.com/OWNER/NAME)")
    if branch is not None and not re.fullmatch(r"[A-Za-z0-9_./-]+", branch):
        raise SystemExit(f"not a branch name: {branch!r}")
    changed = []

    def rewrite(path: Path, pattern: re.Pattern, value: str, text: str | None = None) -> str:
        text = path.read_text(encoding="utf-8") if text is None else text
        match = _one(pattern, text, path.name)
        return text[:match.start(2)] + value + text[match.end(2):]

    config_path, citation_path = root / "_config.yml", root / "CITATION.cff"
    config = rewrite(config_path, _CONFIG_URL, url)
    if branch is not None:
        config = rewrite(config_path, _CONFIG_BRANCH, branch, config)
    for path, text in ((config_path, config),
                       (citation_path, rewrite(citation_path, _CITATION_URL, url))):
        if text != path.read_text(encoding="utf-8"):
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    for path in sorted((root / "chapters").glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        cell = next(c for c in nb["cells"] if c["cell_type"] == "code")
        old = "".join(cell["source"])
        new = rewrite(path, _SETUP_REPO, url, old)
        if new != old:
            cell["source"] = new.splitlines(keepends=True)
            path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n",
                            encoding="utf-8")
            changed.append(path)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("show", help="print the URL and where its copies live")
    setter = sub.add_parser("set", help="point the course at another repository")
    setter.add_argument("url")
    setter.add_argument("--branch", default=None)
    args = parser.parse_args(argv)
    if args.command == "show":
        info = current()
        print(f"_config.yml: {info['config']} (branch {info['branch']})")
        print(f"CITATION.cff: {info['citation']}")
        for name, url in info["notebooks"].items():
            print(f"{name}: {url}")
        return 0
    for path in set_repository(args.url, args.branch):
        print(f"updated {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
