"""Self-check quizzes: one per chapter, stored as JSON in ``relu_course/quizzes/``.

A chapter shows its quiz with one line, ``rc.quiz.show("03-relu-explained")``. The quiz is
drawn by `JupyterQuiz <https://pypi.org/project/jupyterquiz/>`_ as HTML and JavaScript in the
cell's output, so it works on the static website (no kernel needed: clicking an answer gives
feedback), in Jupyter and in Colab. Where JupyterQuiz is missing, or JavaScript cannot run, the
questions are still shown as plain text.

The files use JupyterQuiz's format -- a list of questions, each a dict:

* ``{"question": ..., "type": "multiple_choice", "answers": [{"answer": ..., "correct": bool,
  "feedback": ...}, ...]}`` -- exactly one correct answer;
* ``"type": "many_choice"`` -- one or more correct answers;
* ``{"question": ..., "type": "numeric", "precision": digits, "answers": [{"type": "value",
  "value": number, "correct": true, "feedback": ...}, {"type": "default", "feedback": ...}]}``.

:func:`validate` checks a quiz against these rules (and that every answer has feedback);
:func:`available` lists the quizzes, :func:`load` reads one, :func:`show` draws it (in the
:data:`COLORS` of the course's palette) and :func:`as_text` gives its plain-text form.
"""

from __future__ import annotations

import json
import random
from importlib import resources
from numbers import Real

__all__ = ["available", "load", "validate", "show", "as_text", "COLORS"]

#: Quiz colours from the course's colour-blind-safe palette (Okabe & Ito).
COLORS = {
    "--jq-multiple-choice-bg": "#0072B2",
    "--jq-many-choice-bg": "#CC79A7",
    "--jq-numeric-bg": "#0072B2",
    "--jq-string-bg": "#0072B2",
    "--jq-correct-color": "#009E73",
    "--jq-incorrect-color": "#D55E00",
}

_TYPES = ("multiple_choice", "many_choice", "numeric")


def _quiz_files():
    return resources.files("relu_course") / "quizzes"


def available() -> list[str]:
    """Names of the chapters that have a quiz (the notebook file names without ``.ipynb``).

    Example:
        >>> "03-relu-explained" in available()
        True
    """
    return sorted(p.name[:-5] for p in _quiz_files().iterdir() if p.name.endswith(".json"))


def validate(questions, name: str = "quiz") -> None:
    """Raise ``ValueError`` naming the question and the problem if ``questions`` is malformed.

    Example:
        >>> validate([{"question": "2 + 2?", "type": "numeric", "precision": 1,
        ...            "answers": [{"type": "value", "value": 4, "correct": True,
        ...                         "feedback": "Yes."}]}])
    """
    if not isinstance(questions, list) or not questions:
        raise ValueError(f"{name}: a quiz is a non-empty list of questions")
    for i, q in enumerate(questions, start=1):
        where = f"{name}, question {i}"
        if not isinstance(q, dict) or not str(q.get("question", "")).strip():
            raise ValueError(f"{where}: needs a non-empty 'question' text")
        if q.get("type") not in _TYPES:
            raise ValueError(f"{where}: 'type' must be one of {', '.join(_TYPES)}, got {q.get('type')!r}")
        answers = q.get("answers")
        if not isinstance(answers, list) or not answers:
            raise ValueError(f"{where}: needs a list of 'answers'")
        for j, a in enumerate(answers, start=1):
            if not isinstance(a, dict) or not str(a.get("feedback", "")).strip():
                raise ValueError(f"{where}, answer {j}: every answer needs 'feedback'")
        if q["type"] == "numeric":
            if not isinstance(q.get("precision"), int) or q["precision"] < 1:
                raise ValueError(f"{where}: a numeric question needs an int 'precision' >= 1")
            values = [a for a in answers if a.get("type") == "value" and a.get("correct") is True]
            if not values or not all(isinstance(a.get("value"), Real) for a in values):
                raise ValueError(f"{where}: a numeric question needs a correct answer with a 'value'")
            continue
        if len(answers) < 2:
            raise ValueError(f"{where}: a choice question needs at least two answers")
        for j, a in enumerate(answers, start=1):
            if not str(a.get("answer", "")).strip() or not isinstance(a.get("correct"), bool):
                raise ValueError(f"{where}, answer {j}: needs an 'answer' text and a bool 'correct'")
        correct = sum(a["correct"] for a in answers)
        if q["type"] == "multiple_choice" and correct != 1:
            raise ValueError(f"{where}: a multiple_choice question needs exactly one correct answer, has {correct}")
        if q["type"] == "many_choice" and correct < 1:
            raise ValueError(f"{where}: a many_choice question needs at least one correct answer")


def load(chapter: str) -> list[dict]:
    """The validated questions of a chapter's quiz.

    Raises:
        ValueError: for a chapter without a quiz (the message lists those that have one).

    Example:
        >>> load("03-relu-explained")[0]["type"]
        'multiple_choice'
    """
    if not isinstance(chapter, str):
        raise TypeError(f"quiz.load() expects a chapter name (str), got {type(chapter).__name__}")
    path = _quiz_files() / f"{chapter}.json"
    if not path.is_file():
        raise ValueError(f"quiz: no quiz named {chapter!r}; available: {', '.join(available())}")
    questions = json.loads(path.read_text(encoding="utf-8"))
    validate(questions, chapter)
    return questions


def as_text(questions: list[dict]) -> str:
    """The questions and their options as plain text (answers not marked).

    Example:
        >>> print(as_text([{"question": "Is ReLU convex?", "type": "multiple_choice", "answers": [
        ...     {"answer": "yes", "correct": True, "feedback": ""},
        ...     {"answer": "no", "correct": False, "feedback": ""}]}]))
        1. Is ReLU convex?
           a) yes
           b) no
    """
    lines = []
    for i, q in enumerate(questions, start=1):
        lines.append(f"{i}. {q['question']}")
        if q["type"] == "numeric":
            lines.append("   (answer with a number)")
        else:
            hint = " (choose all that apply)" if q["type"] == "many_choice" else ""
            lines += [f"   {chr(97 + j)}) {a['answer']}{hint if j == 0 else ''}"
                      for j, a in enumerate(q["answers"])]
    return "\n".join(lines)


def show(chapter: str) -> None:
    """Display a chapter's quiz in a notebook (interactive where JavaScript runs).

    Example:
        >>> show("03-relu-explained")  # doctest: +SKIP
    """
    questions = load(chapter)
    try:
        from jupyterquiz import display_quiz
    except ImportError:  # pragma: no cover - jupyterquiz is a dependency
        print(as_text(questions))
        return
    # JupyterQuiz names its HTML elements with Python's global `random`: seed it from the
    # chapter name for stable outputs, and put the learner's random state back afterwards.
    state = random.getstate()
    random.seed(f"relu-course quiz {chapter}")
    try:
        display_quiz(questions, colors=COLORS, shuffle_answers=True)
    finally:
        random.setstate(state)
