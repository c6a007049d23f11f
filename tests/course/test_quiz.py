"""Tests of relu_course.quiz: the stored quizzes are valid plain JSON, and quizzes are shown as
text and as widgets without touching the global random state."""

from __future__ import annotations

import copy
import json
import random

import pytest

from relu_course import quiz

GOOD = [
    {"question": "Pick one", "type": "multiple_choice", "answers": [
        {"answer": "a", "correct": True, "feedback": "yes"},
        {"answer": "b", "correct": False, "feedback": "no"}]},
    {"question": "Pick some", "type": "many_choice", "answers": [
        {"answer": "a", "correct": True, "feedback": "yes"},
        {"answer": "b", "correct": True, "feedback": "yes"},
        {"answer": "c", "correct": False, "feedback": "no"}]},
    {"question": "A number", "type": "numeric", "precision": 2, "answers": [
        {"type": "value", "value": 0.5, "correct": True, "feedback": "yes"},
        {"type": "default", "feedback": "no"}]},
]


def broken(index, change):
    questions = copy.deepcopy(GOOD)
    change(questions[index])
    return questions


@pytest.mark.parametrize("name", quiz.available())
def test_every_stored_quiz_is_valid(name):
    questions = quiz.load(name)
    assert len(questions) >= 5, f"{name}: a quiz should have at least 5 questions"


def test_quizzes_exist():
    assert "03-relu-explained" in quiz.available()


def test_valid_quiz_passes():
    quiz.validate(GOOD)


@pytest.mark.parametrize("questions, message", [
    ([], "non-empty list"),
    (broken(0, lambda q: q.update(question=" ")), "question 1: needs a non-empty 'question'"),
    (broken(0, lambda q: q.update(type="essay")), "'type' must be one of"),
    (broken(0, lambda q: q["answers"][1].update(correct=True)), "exactly one correct answer, has 2"),
    (broken(0, lambda q: q["answers"][0].pop("feedback")), "answer 1: every answer needs 'feedback'"),
    (broken(0, lambda q: q.update(answers=q["answers"][:1])), "at least two answers"),
    (broken(0, lambda q: q["answers"][1].update(correct="no")), "bool 'correct'"),
    (broken(1, lambda q: [a.update(correct=False) for a in q["answers"]]), "at least one correct answer"),
    (broken(2, lambda q: q.pop("precision")), "int 'precision'"),
    (broken(2, lambda q: q["answers"][0].update(value="half")), "correct answer with a 'value'"),
    (broken(2, lambda q: q.update(answers=[])), "list of 'answers'"),
])
def test_validation_names_the_problem(questions, message):
    with pytest.raises(ValueError, match=message):
        quiz.validate(questions, "demo")


def test_as_text_lists_questions_and_options():
    text = quiz.as_text(GOOD)
    assert "1. Pick one" in text and "   a) a" in text and "   b) b" in text
    assert "choose all that apply" in text and "answer with a number" in text


def test_show_displays_the_quiz_and_restores_the_random_state(monkeypatch):
    shown = []
    import jupyterquiz

    monkeypatch.setattr(jupyterquiz, "display_quiz",
                        lambda questions, **kw: shown.append((questions, kw, random.random())))
    random.seed(123)
    expected_next = random.random()
    random.seed(123)
    quiz.show("03-relu-explained")
    quiz.show("03-relu-explained")
    assert random.random() == expected_next                   # the learner's stream is intact
    (q1, kw1, r1), (q2, _, r2) = shown
    assert q1 == quiz.load("03-relu-explained") and kw1["colors"] == quiz.COLORS
    assert r1 == r2                                           # element ids repeat: stable output


def test_quiz_files_are_plain_json_lists():
    for name in quiz.available():
        data = json.loads((quiz._quiz_files() / f"{name}.json").read_text(encoding="utf-8"))
        assert isinstance(data, list)
