"""The learning paths page (``chapters/learning-paths.md``): a 1-week core path and a 2-week
full path, day by day, as tables of ``| chapter | what to do | minutes |``.

Every time on the page is recomputed here from the chapters themselves: a core's minutes are
its box's (``tools/shape.py``), a deep dive's follow the same rule, a quiz takes
:data:`QUIZ_MINUTES`, an exercise :data:`EXERCISE_MINUTES` by the difficulty in its heading, a
mini-project :data:`MINI_PROJECT_MINUTES`. When a chapter changes, a failure names the row to
update; then update that day's total in its heading and the path's total under it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import cache

import pytest
import shape

PAGE = shape.CHAPTERS / "learning-paths.md"
NOTEBOOKS = sorted(shape.CHAPTERS.glob("*.ipynb"))

#: The page's rules for timing what the boxes do not time (stated in its "How the times are
#: counted"; the instructor guide gives a quiz about 5 minutes and a mini-project 2-4 hours).
QUIZ_MINUTES = 5
EXERCISE_MINUTES = {"basic": 10, "intermediate": 20, "challenging": 30}
MINI_PROJECT_MINUTES = 180
#: The design guide's budget for the core path, in hours, and the paths' lengths in days.
CORE_PATH_HOURS = (10, 12)
CORE_PATH_DAYS = (5, 6)
FULL_PATH_DAYS = 10

PATHS = {"core": "The 1-week core path", "full": "The 2-week full path"}

EXERCISE = re.compile(r"^### Exercise (\d+\.\d+) -- (.+) \((?:coding|conceptual); "
                      r"(basic|intermediate|challenging)\)$", re.M)
MINI_PROJECT = re.compile(r"^### Mini-project -- (.+) \(project; challenging\)$", re.M)
NUMBERED_SECTION = re.compile(r"^## (\d+)\. ", re.M)
DAY = re.compile(r"^### Day (\d+) -- .+ \((\d+) min\)$", re.M)
LINK = re.compile(r"\]\((\d\d-[\w-]+)\.ipynb\)")
TOTAL = re.compile(r"^\*\*Total: (\d+) minutes \(about ([\d.]+) hours\)\.\*\*$", re.M)
ONE_EXERCISE = re.compile(r"^Exercise (\d+\.\d+), \*(.+)\* \((\w+)\)$")
ITALIC = re.compile(r"\*([^*]+)\*")


# ---- the chapters ---------------------------------------------------------------------------

@dataclass
class Chapter:
    stem: str
    core: int                                   # minutes, as in the box
    sections: int                               # numbered sections of the core
    deep_dives: dict[str, int]                  # title -> index of its first cell
    exercises: dict[str, tuple[str, str]]       # "3.1" -> (title, difficulty)
    mini_project: str | None
    nb: dict = field(repr=False)


def markdown(cells) -> str:
    return "\n".join(shape.source(c) for c in cells if c["cell_type"] == "markdown")


@cache
def chapters() -> dict[str, Chapter]:
    out = {}
    for path in NOTEBOOKS:
        nb = shape.load(path)
        text = markdown(nb["cells"])
        numbers = [int(n) for n in NUMBERED_SECTION.findall(markdown(shape.core_cells(nb)))]
        out[path.stem] = Chapter(
            stem=path.stem, core=shape.reading_minutes(nb), sections=max(numbers),
            deep_dives={t: start for t, start, _ in shape.deep_dive_sections(nb)},
            exercises={n: (t, d) for n, t, d in EXERCISE.findall(text)},
            mini_project=next(iter(MINI_PROJECT.findall(text)), None), nb=nb)
    return out


def deep_dive_minutes(chapter: Chapter, titles: list[str]) -> int:
    """Minutes for the named deep dives, by the boxes' rule, rounded up to 5 minutes."""
    nb, minutes = chapter.nb, 0.0
    for title, start, end in shape.deep_dive_sections(nb):
        if title in titles:
            cells = nb["cells"][start:end]
            words = sum(shape.words(shape.source(c)) for c in cells if c["cell_type"] == "markdown")
            lines = sum(shape.code_lines(c) for c in cells
                        if c["cell_type"] == "code" and not shape.is_check(c))
            minutes += words / shape.WORDS_PER_MINUTE + lines / shape.CODE_LINES_PER_MINUTE
    return 5 * math.ceil(minutes / 5)


# ---- the page -------------------------------------------------------------------------------

@dataclass
class Row:
    day: int
    chapter: str
    what: str
    minutes: int

    def where(self) -> str:
        return f"day {self.day}, {self.chapter}: {self.what[:60]!r}"


@dataclass
class Day:
    number: int
    minutes: int
    rows: list[Row]
    text: str


def page() -> str:
    return PAGE.read_text(encoding="utf-8")


def section(text: str, heading: str) -> str:
    """The text under ``## heading`` up to the next ``## `` heading."""
    start = text.index(f"\n## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end >= 0 else len(text)]


def parse_days(text: str) -> list[Day]:
    matches = list(DAY.finditer(text))
    days = []
    for k, match in enumerate(matches):
        end = matches[k + 1].start() if k + 1 < len(matches) else len(text)
        block = text[match.end():end]
        number, rows, chapter = int(match.group(1)), [], None
        for line in block.splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not line.startswith("|") or not cells[-1].isdigit():
                continue                                     # header, rule, prose
            assert len(cells) == 3, f"day {number}: a row needs 3 cells: {line!r}"
            link = LINK.search(cells[0])
            chapter = link.group(1) if link else chapter
            assert chapter, f"day {number}: the first row must link its chapter: {line!r}"
            rows.append(Row(number, chapter, cells[1], int(cells[2])))
        days.append(Day(number, int(match.group(2)), rows, block))
    return days


def path_days(path: str) -> list[Day]:
    return parse_days(section(page(), PATHS[path]))


def kind(row: Row) -> str:
    for prefix, name in (("core", "core"), ("deep dives:", "deep dives"),
                         ("self-check quiz", "quiz"), ("Exercise", "exercises"),
                         ("Mini-project", "mini-project")):
        if row.what.startswith(prefix):
            return name
    raise AssertionError(f"learning-paths.md, {row.where()}: a row starts with 'core', "
                         f"'deep dives:', 'self-check quiz', 'Exercise' or 'Mini-project'")


def rows(path: str) -> list[Row]:
    return [row for day in path_days(path) for row in day.rows]


def expected_minutes(row: Row) -> int:
    chapter = chapters()[row.chapter]
    what = kind(row)
    if what == "core":
        return chapter.core
    if what == "deep dives":
        return deep_dive_minutes(chapter, ITALIC.findall(row.what))
    if what == "quiz":
        return QUIZ_MINUTES
    if what == "exercises":
        return sum(EXERCISE_MINUTES[chapter.exercises[n][1]]
                   for n in re.findall(r"\b(\d+\.\d+)\b", row.what) if n in chapter.exercises)
    return MINI_PROJECT_MINUTES


# ---- the checks -----------------------------------------------------------------------------

def test_the_page_states_the_rules_used_here():
    rules = section(page(), "How the times are counted")
    stated = {
        "quiz": f"**Self-check quiz**: {QUIZ_MINUTES} minutes",
        "exercises": ("*basic* {basic} minutes, *intermediate* {intermediate},\n  "
                      "*challenging* {challenging}").format(**EXERCISE_MINUTES),
        "mini-project": f"**Mini-project**: {MINI_PROJECT_MINUTES} minutes"}
    for what, text in stated.items():
        assert text in rules, (
            f"learning-paths.md: 'How the times are counted' must state the {what} rule that "
            f"tests/test_learning_paths.py uses: {text!r}")


@pytest.mark.parametrize("path", PATHS)
def test_every_chapter_appears_once_with_its_core_and_quiz(path):
    for what in ("core", "quiz"):
        found = [r.chapter for r in rows(path) if kind(r) == what]
        assert sorted(found) == sorted(chapters()), (
            f"learning-paths.md, {path} path: one {what} row per chapter, in "
            f"{sorted(set(chapters()) ^ set(found)) or 'duplicates: ' + str(found)}")


@pytest.mark.parametrize("path", PATHS)
def test_core_minutes_are_the_boxes(path):
    for row in rows(path):
        if kind(row) == "core":
            box = chapters()[row.chapter].core
            assert row.minutes == box, (
                f"learning-paths.md, {row.where()}: the box says {box} min, the page "
                f"{row.minutes}; update the row, its day's total and the path's total")


@pytest.mark.parametrize("path", PATHS)
def test_core_rows_name_every_section(path):
    for row in rows(path):
        if kind(row) == "core":
            n = chapters()[row.chapter].sections
            assert row.what.startswith(f"core, §1-§{n}"), (
                f"learning-paths.md, {row.where()}: the core has sections §1-§{n}")


@pytest.mark.parametrize("path", PATHS)
def test_every_row_is_timed_by_the_rules(path):
    for row in rows(path):
        expected = expected_minutes(row)
        assert row.minutes == expected, (
            f"learning-paths.md, {row.where()}: {row.minutes} min stated, {expected} by the "
            f"rules; update the row, its day's total and the path's total")


@pytest.mark.parametrize("path", PATHS)
def test_days_and_path_add_up(path):
    days = path_days(path)
    assert [d.number for d in days] == list(range(1, len(days) + 1)), "days numbered 1, 2, ..."
    for day in days:
        total = sum(r.minutes for r in day.rows)
        assert total == day.minutes, (
            f"learning-paths.md, {path} path, day {day.number}: the rows add up to {total} "
            f"min, the heading says {day.minutes}")
    totals = TOTAL.findall(section(page(), PATHS[path]))
    assert len(totals) == 1, f"{path} path: one '**Total: N minutes (about H hours).**' line"
    minutes, hours = int(totals[0][0]), totals[0][1]
    assert minutes == sum(d.minutes for d in days), (
        f"learning-paths.md, {path} path: the days add up to {sum(d.minutes for d in days)} "
        f"min, the total says {minutes}")
    assert hours == f"{minutes / 60:.1f}", f"{path} path: {minutes} min is {minutes / 60:.1f} h"


@pytest.mark.parametrize("path", PATHS)
def test_each_day_states_its_objectives(path):
    for day in path_days(path):
        assert re.search(rf"After day {day.number} you can[^:]*:\n\n- \*\*\w", day.text), (
            f"learning-paths.md, {path} path, day {day.number}: state the day's objectives "
            f"('After day {day.number} you can:' and a list starting with a verb in bold)")


def test_core_path_is_one_week_of_10_to_12_hours():
    days = path_days("core")
    assert CORE_PATH_DAYS[0] <= len(days) <= CORE_PATH_DAYS[1], f"{len(days)} days"
    total = sum(d.minutes for d in days)
    low, high = CORE_PATH_HOURS
    assert 60 * low <= total <= 60 * high, (
        f"the core path takes {total} min ({total / 60:.1f} h), not {low}-{high} hours: "
        f"add or drop exercises")
    for row in rows("core"):
        assert kind(row) in ("core", "quiz", "exercises"), (
            f"the core path skips deep dives and mini-projects: {row.where()}")
        if kind(row) == "exercises":
            assert ONE_EXERCISE.match(row.what), (
                f"core path, {row.where()}: one exercise a row, 'Exercise N.M, *Title* "
                f"(difficulty)'")


def test_full_path_covers_every_deep_dive_exercise_and_mini_project():
    assert len(path_days("full")) == FULL_PATH_DAYS
    named = {stem: {"deep dives": [], "exercises": [], "mini-project": []} for stem in chapters()}
    for row in rows("full"):
        what = kind(row)
        if what == "deep dives":
            named[row.chapter][what] += ITALIC.findall(row.what)
        elif what == "exercises":
            named[row.chapter][what] += re.findall(r"\b(\d+\.\d+)\b", row.what)
        elif what == "mini-project":
            named[row.chapter][what] += ITALIC.findall(row.what)
    for stem, chapter in chapters().items():
        got = named[stem]
        assert sorted(got["deep dives"]) == sorted(chapter.deep_dives), (
            f"full path, {stem}: name each deep dive once: {sorted(chapter.deep_dives)}")
        assert sorted(got["exercises"]) == sorted(chapter.exercises), (
            f"full path, {stem}: list each exercise once: {sorted(chapter.exercises)}")
        expected = [chapter.mini_project] if chapter.mini_project else []
        assert got["mini-project"] == expected, f"full path, {stem}: mini-project {expected}"


@pytest.mark.parametrize("path", PATHS)
def test_named_exercises_deep_dives_and_projects_exist(path):
    for row in rows(path):
        chapter, what = chapters()[row.chapter], kind(row)
        if what == "exercises":
            numbers = re.findall(r"\b(\d+\.\d+)\b", row.what)
            assert numbers, f"learning-paths.md, {row.where()}: name the exercises by number"
            for n in numbers:
                assert n in chapter.exercises, (
                    f"learning-paths.md, {row.where()}: {row.chapter} has no exercise {n}")
            one = ONE_EXERCISE.match(row.what)
            if one:
                title, difficulty = chapter.exercises[one.group(1)]
                assert (one.group(2), one.group(3)) == (title, difficulty), (
                    f"learning-paths.md, {row.where()}: exercise {one.group(1)} is "
                    f"*{title}* ({difficulty})")
        elif what == "deep dives":
            for title in ITALIC.findall(row.what):
                assert title in chapter.deep_dives, (
                    f"learning-paths.md, {row.where()}: no deep dive {title!r}; the chapter's "
                    f"are {list(chapter.deep_dives)}")
        elif what == "mini-project":
            assert ITALIC.findall(row.what) == [chapter.mini_project], (
                f"learning-paths.md, {row.where()}: the chapter's mini-project is "
                f"{chapter.mini_project!r}")


def test_short_of_time_figure():
    text = section(page(), "If you are short of time")
    stated = re.search(r"the cores and quizzes alone take (\d+) minutes", text)
    assert stated, "state how long the cores and quizzes alone take"
    total = sum(c.core for c in chapters().values()) + QUIZ_MINUTES * len(chapters())
    assert int(stated.group(1)) == total, f"the cores and quizzes take {total} minutes"


@pytest.mark.parametrize("name", ["index.md", "instructor-guide.md"])
def test_landing_page_and_instructor_guide_link_the_page(name):
    text = (shape.CHAPTERS / name).read_text(encoding="utf-8")
    assert "](learning-paths.md)" in text, f"chapters/{name} should link learning-paths.md"


def test_referenced_labels_exist():
    guide = (shape.CHAPTERS / "instructor-guide.md").read_text(encoding="utf-8")
    for label in re.findall(r"\{ref\}`[^`<]*<([^>]+)>`", page()):
        assert f"({label})=" in guide, f"learning-paths.md: no label ({label})= to refer to"
