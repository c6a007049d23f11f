"""The repository URL is set in one place (``_config.yml``); its copies agree with it, and
``tools/repository.py set`` changes every one of them for a fork."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml
from repository import ROOT, current, set_repository


def test_every_copy_of_the_url_agrees_with_the_config():
    info = current()
    assert info["citation"] == info["config"]
    assert set(info["notebooks"].values()) == {info["config"]}
    assert len(info["notebooks"]) == len(list((ROOT / "chapters").glob("*.ipynb")))


@pytest.fixture
def copy(tmp_path):
    for name in ("_config.yml", "CITATION.cff"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "chapters", tmp_path / "chapters",
                    ignore=shutil.ignore_patterns("*.md", "_*", ".*"))
    return tmp_path


def test_set_changes_every_copy_for_a_fork(copy):
    before = {p.name: json.loads(p.read_text(encoding="utf-8"))
              for p in (copy / "chapters").glob("*.ipynb")}
    fork = "https://github.com/a-fork/relu-course"
    changed = set_repository(fork + ".git", branch="teaching", root=copy)
    assert len(changed) == 2 + len(before)
    info = current(copy)
    assert info["config"] == info["citation"] == fork and info["branch"] == "teaching"
    assert set(info["notebooks"].values()) == {fork}
    config = yaml.safe_load((copy / "_config.yml").read_text(encoding="utf-8"))
    assert config["repository"] == {**config["repository"], "url": fork, "branch": "teaching"}
    assert yaml.safe_load((copy / "CITATION.cff").read_text(encoding="utf-8"))[
        "repository-code"] == fork
    for name, nb in before.items():                    # only the one line changed
        after = json.loads((copy / "chapters" / name).read_text(encoding="utf-8"))
        old_cells, new_cells = nb["cells"], after["cells"]
        diff = [(a, b) for a, b in zip(old_cells, new_cells) if a != b]
        assert len(old_cells) == len(new_cells) and len(diff) == 1
        assert "".join(diff[0][1]["source"]).count(fork) == 1
    assert set_repository(fork, root=copy) == []               # idempotent


@pytest.mark.parametrize("bad", ["github.com/x/y", "https://gitlab.com/x/y",
                                 "https://github.com/x", "https://github.com/x/y z"])
def test_set_rejects_what_is_not_a_github_repository(copy, bad):
    with pytest.raises(SystemExit, match="not a GitHub repository URL"):
        set_repository(bad, root=copy)


def test_binder_installs_the_cpu_build_of_torch_first():
    binder = ROOT / "binder"
    # repo2docker reads only binder/ when it exists: nothing there may install torch from PyPI
    assert sorted(p.name for p in binder.iterdir()) == ["postBuild"]
    post_build = binder / "postBuild"
    assert post_build.stat().st_mode & 0o111, "binder/postBuild must be executable"
    commands = [line for line in post_build.read_text(encoding="utf-8").splitlines()
                if line.strip() and not line.startswith("#")]
    torch_cpu = next(i for i, c in enumerate(commands)
                     if "--index-url https://download.pytorch.org/whl/cpu" in c and "torch" in c)
    requirements = next(i for i, c in enumerate(commands) if "-r requirements.txt" in c)
    assert torch_cpu < requirements
    assert commands[0] == "set -euo pipefail"
