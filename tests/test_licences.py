"""Licences and the citation file: present, consistent with each other and with the book."""

from __future__ import annotations

import tomllib
import yaml
from test_book import CONFIG, ROOT

import relu_course


def test_code_is_mit_and_content_is_cc_by():
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    content = (ROOT / "LICENSE-CONTENT.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in content and "creativecommons.org/licenses/by/4.0" in content
    assert "`chapters/`" in content and "`code/`" in content       # says what applies to what
    project = tomllib.loads((ROOT / "code" / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["license"] == {"text": "MIT"}


def test_the_book_and_readme_state_the_licences():
    for page in (ROOT / "chapters" / "index.md", ROOT / "README.md"):
        text = page.read_text(encoding="utf-8")
        assert "CC BY 4.0" in text and "MIT" in text, page.name


def test_citation_file():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    for key in ("cff-version", "message", "title", "authors", "version", "repository-code"):
        assert cff.get(key), f"CITATION.cff lacks {key}"
    assert cff["cff-version"] == "1.2.0"
    assert cff["repository-code"] == CONFIG["repository"]["url"]
    assert cff["version"] == relu_course.__version__
    assert cff["title"].startswith(CONFIG["title"])
    assert all("name" in a or "family-names" in a for a in cff["authors"])
