"""The self-check questions: answers accepted by the same rule the page applies, bad input refused."""

import json
import re

import pytest

from energylab.widgets import quiz


def test_number_accepts_within_tolerance_only():
    q = quiz.number("GPT-3's training energy?", 1287.0, unit="MWh", rel_tol=0.05)
    assert q.check(1287) and q.check(1287 * 1.049) and q.check(1287 * 0.951)
    assert not q.check(1287 * 1.06) and not q.check(0.0)
    q_abs = quiz.number("A share near zero?", 0.0, abs_tol=0.5, unit="%")
    assert q_abs.check(0.4) and not q_abs.check(0.6)


def test_choice_by_text_or_index():
    q = quiz.choice("Straight on semilog axes?", ["power law", "exponential"], answer="exponential")
    assert q.answer == 1 and q.check("exponential") and q.check(1)
    assert not q.check("power law") and not q.check(0) and not q.check(True)


def test_html_is_self_contained_and_deterministic():
    box = quiz.quiz(quiz.number("x?", 2.5, rel_tol=0.1), quiz.choice("y?", ["a", "b"], 0))
    page = box._repr_html_()
    assert page == quiz.quiz(quiz.number("x?", 2.5, rel_tol=0.1), quiz.choice("y?", ["a", "b"], 0))._repr_html_()
    # no external asset: no src=, no href=, no http
    assert not re.search(r"\b(src|href)\s*=|https?://", page)
    # each question carries the answer its script checks against, and wires itself
    specs = [json.loads(s.replace("&quot;", '"')) for s in re.findall(r'data-spec="([^"]*)"', page)]
    assert [s["answer"] for s in specs] == [2.5, 0]
    assert page.count("wptQuiz(\"wptq-") == 2


def test_prompts_are_escaped():
    page = quiz.quiz(quiz.choice("<b>bold</b> `code` *em*", ["<i>", "ok"], 1))._repr_html_()
    assert "<b>bold</b>" not in page and "&lt;b&gt;" in page
    assert "<code>code</code>" in page and "<em>em</em>" in page


@pytest.mark.parametrize("kwargs, word", [
    (dict(prompt="q", answer=float("nan")), "answer"),
    (dict(prompt="q", answer="12"), "answer"),
    (dict(prompt="q", answer=True), "answer"),
    (dict(prompt="q", answer=None), "answer"),
    (dict(prompt="q", answer=[1.0, 2.0]), "answer"),
    (dict(prompt="", answer=1.0), "prompt"),
    (dict(prompt="q", answer=1.0, rel_tol=1.5), "rel_tol"),
    (dict(prompt="q", answer=1.0, rel_tol=0.0, abs_tol=0.0), "abs_tol"),
    (dict(prompt="q", answer=1.0, abs_tol=-1.0), "abs_tol"),
    (dict(prompt="q", answer=1.0, predict="yes"), "predict"),
])
def test_number_rejects_bad_input(kwargs, word):
    with pytest.raises(ValueError, match=word):
        quiz.number(**kwargs)


@pytest.mark.parametrize("options, answer, word", [
    (["only one"], 0, "options"),
    (["a", "a"], 0, "options"),
    ("ab", 0, "options"),
    (["a", "b"], "c", "answer"),
    (["a", "b"], 2, "answer"),
    (["a", "b"], True, "answer"),
])
def test_choice_rejects_bad_input(options, answer, word):
    with pytest.raises(ValueError, match=word):
        quiz.choice("q", options, answer)


def test_quiz_needs_questions():
    with pytest.raises(ValueError, match="question"):
        quiz.quiz()
    with pytest.raises(ValueError, match="question"):
        quiz.quiz("not a question")


def test_asterisk_in_a_formula_is_not_emphasis():
    page = quiz.quiz(quiz.choice("q", ["a", "b"], 0, explain="f* = f_ref·x, and *this* is stressed"))._repr_html_()
    assert "f* = f_ref" in page and "<em>this</em>" in page
