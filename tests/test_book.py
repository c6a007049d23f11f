"""Checks of the book as a whole: table of contents, the shared setup cell, citations, figures,
the shape of every chapter, and a warning-free build of the website."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"
NOTEBOOKS = sorted(CHAPTERS.glob("*.ipynb"))
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
REPO_URL = CONFIG["repository"]["url"]
MAX_CODE_LINE = 79          # wider lines scroll sideways on the website

SETUP_CELL = f'''# Setup, the same in every chapter: on Colab, install the course's package;
# everywhere, import it, seed the random generators and pick a device.
import sys

if "google.colab" in sys.modules:
    import subprocess

    repo = "{REPO_URL}"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet",
                    f"relu-course @ git+{{repo}}#subdirectory=code"],
                   check=True)

import torch

import relu_course as rc

# The base seed of every experiment: 0 unless the environment variable
# RELU_COURSE_SEED names another (see the README).
SEED = rc.set_seed()
device = rc.get_device()
print(f"relu_course {{rc.__version__}}, torch {{torch.__version__}}, "
      f"device: {{device}}, base seed: {{SEED}}")'''


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell: dict) -> str:
    src = cell["source"]
    return src if isinstance(src, str) else "".join(src)


def code_cells(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def markdown(nb: dict) -> str:
    return "\n\n".join(source(c) for c in nb["cells"] if c["cell_type"] == "markdown")


def toc_files() -> list[str]:
    files = [TOC["root"]]
    for part in TOC.get("parts", [{"chapters": TOC.get("chapters", [])}]):
        files += [entry["file"] for entry in part["chapters"]]
    return files


def bib_entries() -> dict[str, str]:
    text = (ROOT / "references.bib").read_text(encoding="utf-8")
    starts = [(m.start(), m.group(1)) for m in re.finditer(r"@\w+\{([^,\s]+),", text)]
    return {key: text[pos:(starts[i + 1][0] if i + 1 < len(starts) else len(text))]
            for i, (pos, key) in enumerate(starts)}


CITE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")


def test_there_is_at_least_one_chapter():
    assert NOTEBOOKS, "no chapter notebooks found under chapters/"


# ---- table of contents ----------------------------------------------------------------------

def test_every_toc_entry_exists():
    for entry in toc_files():
        matches = [p for p in (ROOT / f"{entry}.ipynb", ROOT / f"{entry}.md") if p.exists()]
        assert matches, f"_toc.yml lists {entry!r}, but neither .ipynb nor .md exists"


def test_every_chapter_file_is_in_the_toc():
    listed = {str(Path(e)) for e in toc_files()}
    for path in sorted(CHAPTERS.glob("*.ipynb")) + sorted(CHAPTERS.glob("*.md")):
        rel = str(path.relative_to(ROOT).with_suffix(""))
        assert rel in listed, f"{rel} is not listed in _toc.yml"


def test_chapters_appear_in_outline_order():
    numbered = [Path(e).name for e in toc_files() if re.match(r"\d\d-", Path(e).name)]
    assert numbered == sorted(numbered), f"chapters out of outline order in _toc.yml: {numbered}"


# ---- the notebooks' shared parts ------------------------------------------------------------

@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_setup_cell_is_the_shared_one(path):
    first = code_cells(load(path))[0]
    assert source(first) == SETUP_CELL, (
        f"{path.name}: the first code cell must be the shared setup cell (see tests/test_book.py)")
    assert "nbval-ignore-output" in first["metadata"].get("tags", []), (
        "the setup cell prints versions and the device, which vary: tag it nbval-ignore-output")
    assert "hide-input" in first["metadata"]["tags"], "collapse the setup cell on the website"
    assert not first["metadata"].get("jupyter", {}).get("source_hidden"), (
        "the setup cell stays visible in Jupyter and Colab (no jupyter.source_hidden)")
    assert "cellView" not in first["metadata"]


def test_setup_cell_uses_the_configured_repository():
    assert f'repo = "{REPO_URL}"' in SETUP_CELL
    assert REPO_URL.startswith("https://github.com/")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_was_run_top_to_bottom(path):
    nb = load(path)
    cells = [c for c in code_cells(nb) if source(c).strip()]
    counts = [c["execution_count"] for c in cells]
    assert counts == list(range(1, len(cells) + 1)), (
        f"{path.name}: re-execute it top to bottom (python tools/notebooks.py execute)")
    for c in cells:
        for out in c["outputs"]:
            assert out["output_type"] != "error", f"{path.name}: stored error output"
            assert out.get("name") != "stderr", (
                f"{path.name}: stored stderr output (a warning?) in cell:\n{source(c)[:200]}")
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_code_lines_fit_the_page(path):
    for cell in code_cells(load(path)):
        for line in source(cell).splitlines():
            assert len(line) <= MAX_CODE_LINE, f"{path.name}: line longer than {MAX_CODE_LINE}: {line}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_figures_have_output_caption_and_alt_text(path):
    nb = load(path)
    figures = 0
    for cell in code_cells(nb):
        images = [o for o in cell["outputs"] if "image/png" in o.get("data", {})]
        meta = cell["metadata"].get("mystnb", {})
        if images or "figure" in meta:
            figures += 1
            snippet = source(cell)[:120]
            assert images, f"{path.name}: a figure cell has no stored image:\n{snippet}"
            assert len(images) == 1, f"{path.name}: one figure per cell, please:\n{snippet}"
            assert meta.get("figure", {}).get("caption"), f"{path.name}: figure without caption:\n{snippet}"
            assert meta.get("image", {}).get("alt"), f"{path.name}: figure without alt text:\n{snippet}"
    assert figures >= 1, f"{path.name}: a chapter needs at least one figure"


#: Words that mark unfinished text. Matched as whole words in every cell's source, its
#: metadata (captions, alt text) and its text outputs -- not in image data.
PLACEHOLDER = re.compile(r"\b(PLACEHOLDER\w*|TODO|FIXME|TBD|XXX|lorem ipsum)\b", re.IGNORECASE)


def chapter_texts(nb: dict):
    for i, cell in enumerate(nb["cells"]):
        yield i, source(cell)
        yield i, json.dumps(cell.get("metadata", {}), ensure_ascii=False)
        for out in cell.get("outputs", []):
            yield i, "".join(out.get("text", ""))
            yield i, "".join(out.get("data", {}).get("text/plain", ""))


@pytest.mark.parametrize("path", NOTEBOOKS + sorted(CHAPTERS.glob("*.md")), ids=lambda p: p.name)
def test_no_placeholder_text(path):
    texts = chapter_texts(load(path)) if path.suffix == ".ipynb" else [(0, path.read_text())]
    for i, text in texts:
        found = PLACEHOLDER.search(text)
        assert not found, f"{path.name}, cell {i}: unfinished text {found.group(0)!r}: " \
                          f"{text[max(0, found.start() - 80):found.end() + 40]!r}"


# ---- the shape of a chapter -----------------------------------------------------------------

@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_chapter_has_the_standard_sections(path):
    text = markdown(load(path))
    for heading in ("**Learning objectives.**", "## Key takeaways", "## Self-check quiz",
                    "## Exercises", "## References"):
        assert heading in text, f"{path.name}: missing {heading!r}"
    assert text.lstrip().startswith("# "), f"{path.name}: the first cell must be the title"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_exercises_have_stubs_checks_and_hidden_solutions(path):
    nb = load(path)
    text = markdown(nb)
    exercises = re.findall(r"^### Exercise [\d.]+", text, flags=re.M)
    assert len(exercises) >= 3, f"{path.name}: at least 3 exercises, found {len(exercises)}"

    cells = nb["cells"]
    solutions = [c for c in cells if source(c).startswith("# @title Solution")]
    for sol in solutions:
        meta = sol["metadata"]
        assert "hide-input" in meta.get("tags", []), "solution cells are hidden on the website"
        assert meta.get("jupyter", {}).get("source_hidden") is True, "... and in Jupyter"
        assert meta.get("cellView") == "form", "... and in Colab"
        outputs = "".join(o.get("data", {}).get("text/plain", "") if isinstance(
            o.get("data", {}).get("text/plain", ""), str) else "".join(o["data"]["text/plain"])
            for o in sol["outputs"])
        assert outputs.startswith("[PASSED]"), f"{path.name}: a reference solution fails its check"
    stubs = [c for c in code_cells(nb) if "raise NotImplementedError" in source(c)]
    assert len(stubs) == len(solutions), f"{path.name}: each coding exercise needs a stub and a solution"
    conceptual = len(re.findall(r'<details class="solution[ "]', text))
    assert len(solutions) + conceptual >= len(exercises), (
        f"{path.name}: every exercise needs a hidden solution")


EXERCISE_HEADING = re.compile(
    r"^### Exercise \d+\.\d+ -- .+ \((coding|conceptual); (basic|intermediate|challenging)\)$")
#: The last chapter of each part of the book ends its exercises with the part's open-ended
#: mini-project; the instructor guide gives each one a rubric.
MINI_PROJECT_CHAPTERS = ("05", "09", "12", "14")
MINI_PROJECT_HEADING = re.compile(r"^### Mini-project -- (.+) \(project; challenging\)$", re.M)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_exercises_are_labelled_with_kind_and_difficulty(path):
    headings = re.findall(r"^### Exercise .*$", markdown(load(path)), flags=re.M)
    for heading in headings:
        assert EXERCISE_HEADING.match(heading), (
            f"{path.name}: label the exercise '(coding|conceptual; basic|intermediate|"
            f"challenging)': {heading}")


def test_each_part_ends_with_a_mini_project_with_a_rubric():
    guide = (CHAPTERS / "instructor-guide.md").read_text(encoding="utf-8")
    for number in MINI_PROJECT_CHAPTERS:
        path = next(CHAPTERS.glob(f"{number}-*.ipynb"))
        titles = MINI_PROJECT_HEADING.findall(markdown(load(path)))
        assert len(titles) == 1, f"{path.name}: one '### Mini-project -- ...' heading"
        assert f"Mini-project: {titles[0]}" in guide, (
            f"the instructor guide needs a rubric headed 'Mini-project: {titles[0]}'")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_chapter_shows_its_current_quiz(path):
    """Each chapter shows its own quiz, and the stored output (what the website shows) holds
    the questions as they are now in relu_course/quizzes."""
    from relu_course import quiz

    nb = load(path)
    cells = [c for c in code_cells(nb) if "rc.quiz.show(" in source(c)]
    assert len(cells) == 1, f"{path.name}: one quiz cell, rc.quiz.show({path.stem!r})"
    cell = cells[0]
    assert source(cell).strip() == f'rc.quiz.show("{path.stem}")'
    tags = cell["metadata"].get("tags", [])
    # The output is JupyterQuiz's generated HTML/JavaScript, which changes with its version;
    # the quiz's content is checked here and in tests/test_quiz.py instead.
    assert "remove-input" in tags and "nbval-ignore-output" in tags
    scripts = "".join("".join(o["data"].get("application/javascript", ""))
                      for o in cell["outputs"] if o["output_type"] == "display_data")
    assert json.dumps(quiz.load(path.stem)) in scripts, (
        f"{path.name}: the stored quiz is out of date; re-execute the notebook")


def test_every_quiz_belongs_to_a_chapter():
    from relu_course import quiz

    assert set(quiz.available()) <= {p.stem for p in NOTEBOOKS}


def test_instructor_guide_covers_every_chapter():
    """The guide's tables name every published chapter and only exercises that exist."""
    guide = (CHAPTERS / "instructor-guide.md").read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        nb = load(path)
        title = source(nb["cells"][0]).splitlines()[0].lstrip("# ").strip()
        number = int(path.name[:2])
        assert f"| {number}. {title} |" in guide, f"the instructor guide lacks {title!r}"
        exercises = set(re.findall(r"^### Exercise (\d+\.\d+)", markdown(nb), flags=re.M))
        listed = set(re.findall(rf"\b({number}\.\d+)\b", guide))
        assert listed <= exercises, f"the guide lists exercises {listed - exercises} of {path.name}"
        assert exercises <= listed, f"the guide omits exercises {exercises - listed} of {path.name}"


def test_landing_page_links_every_chapter():
    index = (CHAPTERS / "index.md").read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        assert f"]({path.name})" in index, f"chapters/index.md does not link {path.name}"


# ---- glossary ---------------------------------------------------------------------------------

TERM = re.compile(r"\{term\}`([^`<]+?)(?:\s*<([^>]+)>)?`")


def glossary_terms() -> set[str]:
    text = (CHAPTERS / "glossary.md").read_text(encoding="utf-8")
    block = text.split("```{glossary}", 1)[1].split("```", 1)[0]
    return {line.strip().lower() for line in block.splitlines() if line and not line[0].isspace()}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_chapter_links_glossary_terms_that_exist(path):
    terms = glossary_terms()
    used = [(target or text).strip().lower() for text, target in TERM.findall(markdown(load(path)))]
    assert used, f"{path.name}: link the chapter's key terms to the glossary with {{term}}"
    for term in used:
        assert term in terms, f"{path.name}: {term!r} is not in chapters/glossary.md"


# ---- citations ------------------------------------------------------------------------------

def test_every_citation_key_exists():
    known = set(bib_entries())
    for path in NOTEBOOKS + sorted(CHAPTERS.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        for group in CITE.findall(text):
            for key in group.split(","):
                assert key.strip() in known, f"{path.name}: unknown citation key {key.strip()!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_reference_list_covers_every_citation(path):
    """Each chapter ends with a plain reference list (readable in Jupyter and Colab, where
    citation roles are not rendered); it must name every work the chapter cites."""
    text = markdown(load(path))
    refs = text.split("## References", 1)[1]
    entries = bib_entries()
    cited = {k.strip() for group in CITE.findall(text) for k in group.split(",")}
    assert cited, f"{path.name}: a chapter should cite its sources"
    for key in sorted(cited):
        entry = entries[key]
        year = re.search(r"year\s*=\s*\{(\d{4})\}", entry).group(1)
        authors = re.search(r"author\s*=\s*\{(.+?)\},\s*\n?\s*\w+\s*=", entry, flags=re.S).group(1)
        surname = authors.split(" and ")[0].split(",")[0].strip("{} ")
        surname = re.sub(r"\{\\.\{?(\w)\}?\}", r"\1", surname)        # Mont{\'u}far -> Montufar
        items = re.split(r"\n- ", "\n" + refs.replace("ú", "u"))[1:]
        assert any(item.startswith(surname) and f"({year})" in item for item in items), (
            f"{path.name}: the reference list lacks an item '{surname} ... ({year})' for {key}")


# ---- the website ----------------------------------------------------------------------------

@pytest.mark.slow
def test_book_builds_without_warnings(built_book):
    result, html = built_book
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    for path in NOTEBOOKS:
        page = (html / "chapters" / f"{path.stem}.html").read_text(encoding="utf-8")
        figures = sum(1 for c in code_cells(load(path))
                      if any("image/png" in o.get("data", {}) for o in c["outputs"]))
        images = re.findall(r'<img[^>]+src="(\.\./_images/[^"]+)"', page)
        assert len(images) >= figures, f"{path.name}: {figures} figures but {len(images)} images"
        for src in images:
            assert (html / "chapters" / src).resolve().exists(), f"missing image file {src}"
        colab = (f"https://colab.research.google.com/github/{REPO_URL.split('github.com/')[1]}"
                 f"/blob/{CONFIG['repository']['branch']}/chapters/{path.name}")
        assert colab in page, f"{path.name}: no Colab launch link to {colab}"
        assert 'class="math' in page, f"{path.name}: no math markup on the page"
        assert "Traceback" not in page
