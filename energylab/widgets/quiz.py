"""Self-check questions for the static book: multiple choice and numeric answers.

Display only. A chapter (or a lab) computes the answer with energylab and hands it to
:func:`number` or :func:`choice`; :func:`quiz` groups questions into one box whose
``_repr_html_`` is a self-contained HTML fragment: the markup, a small stylesheet and a
small script, all inline. Nothing is fetched from anywhere, so the check works in the
built book opened from ``file://`` without a network, in Jupyter, and on Binder.
The reader types a number or clicks an option and gets feedback at once; a "show
answer" button reveals the worked answer.

Because the answer is computed when the notebook runs, a question cannot drift from the
model: change the model and the expected answer moves with it.

Use a code cell tagged ``remove-input`` so the book shows the questions, not the code
(which contains the answers)::

    from energylab.widgets import quiz
    quiz.quiz(
        quiz.number("How many MWh did GPT-3's training take?", 1287, unit="MWh",
                    rel_tol=0.05, explain="1,287 MWh (Patterson et al. 2021)."),
        quiz.choice("Which axis makes an exponential straight?",
                    ["linear", "semilog", "log–log"], answer="semilog"),
        title="Check yourself",
    )

Answers are checked in the reader's browser; they are visible in the page source, so
these are self-checks, not graded tests (the labs' ``checks`` do the grading).
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import textwrap
from dataclasses import dataclass, field

from .. import validate

__all__ = ["Question", "Quiz", "number", "choice", "quiz"]

_CSS = """
.wpt-quiz{border:1px solid #b9c6d6;border-left:4px solid #3f6fb5;border-radius:6px;
 padding:.6em 1em .7em;margin:1em 0;background:#f7f9fc;color:#1d2430;font-size:.95em}
.wpt-quiz-title{font-weight:600;margin:0 0 .4em}
.wpt-q{margin:.7em 0 .2em;padding-top:.5em;border-top:1px solid #dde4ee}
.wpt-q:first-of-type{border-top:none;padding-top:0}
.wpt-q-prompt{margin:0 0 .4em}
.wpt-q-kind{font-size:.8em;font-weight:600;color:#3f6fb5;text-transform:uppercase;
 letter-spacing:.04em;margin-right:.4em}
.wpt-q label{display:block;margin:.15em 0;cursor:pointer}
.wpt-q input[type=text]{width:9em;padding:.15em .3em;font:inherit}
.wpt-q button{font:inherit;font-size:.9em;margin:.2em .4em .2em 0;padding:.1em .7em;
 border:1px solid #8aa0bd;border-radius:4px;background:#fff;cursor:pointer}
.wpt-q-feedback{margin:.3em 0 0;min-height:1.2em}
.wpt-q-feedback.wpt-ok{color:#1b6e2f}
.wpt-q-feedback.wpt-no{color:#a1260d}
.wpt-q-answer{margin:.3em 0 0;padding:.3em .6em;background:#fff;border-radius:4px;
 border:1px dashed #b9c6d6}
"""

# One checker for every question on a page: it is installed once (guarded), then each
# question's inline call wires its own element. Numbers accept "1,287", "1 287", "1.3e3",
# "1.3×10^3" and a decimal comma ("1,59").
_JS = """
(function(){
if(!window.wptQuiz){window.wptQuiz=function(id){
 var q=document.getElementById(id); if(!q||q.dataset.ready){return;} q.dataset.ready="1";
 var spec=JSON.parse(q.getAttribute("data-spec")); var fb=q.querySelector(".wpt-q-feedback");
 var ans=q.querySelector(".wpt-q-answer");
 function say(ok,text){fb.textContent=text;fb.className="wpt-q-feedback "+(ok?"wpt-ok":"wpt-no");
  if(ok){ans.hidden=false;}}
 q.querySelector(".wpt-q-show").addEventListener("click",function(){ans.hidden=false;});
 if(spec.kind==="choice"){
  q.querySelectorAll("input[type=radio]").forEach(function(r){r.addEventListener("change",function(){
   var ok=Number(r.value)===spec.answer;
   say(ok, ok?"Correct.":"Not this one: try again, or show the answer.");});});
 } else {
  var box=q.querySelector("input[type=text]");
  function check(){
   var raw=box.value.replace(/[\\s\\u202f]/g,"").replace(/\\u2212/g,"-").replace(/[×x]10\\^?/i,"e");
   // "1,287" and "1,287,000" are thousands; "1,59" (no point) is a decimal comma
   raw=(raw.indexOf(".")<0&&!/^-?\\d{1,3}(,\\d{3})+(e|$)/i.test(raw))?raw.replace(",","."):raw.replace(/,/g,"");
   var v=Number(raw);
   if(raw===""||!isFinite(v)){say(false,"Type a number"+(spec.unit?" in "+spec.unit:"")+".");return;}
   var tol=Math.max(spec.abs_tol,spec.rel_tol*Math.abs(spec.answer));
   if(Math.abs(v-spec.answer)<=tol){say(true,"Correct (within "+spec.tol_text+").");}
   else{say(false,(v>spec.answer?"Too high":"Too low")+": try again, or show the answer.");}}
  q.querySelector(".wpt-q-check").addEventListener("click",check);
  box.addEventListener("keydown",function(e){if(e.key==="Enter"){check();}});
 }};}
})();
"""


def _text(name: str, value, allow_empty: bool = False) -> str:
    if not isinstance(value, str) or (not allow_empty and not value.strip()):
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    return value


def _number(name: str, value) -> float:
    if isinstance(value, (bool, str)) or value is None:
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    out = validate.finite(name, value)
    if not isinstance(out, float):
        raise ValueError(f"{name} must be a single number, got {value!r}")
    return out


def _inline(text: str) -> str:
    """Escape for HTML, keeping a small Markdown subset: `code` and *emphasis*."""
    out, code = [], False
    for part in html.escape(text).split("`"):
        # *emphasis* only when the asterisks hug a word, so "f* = …" stays as typed
        out.append(f"<code>{part}</code>" if code else re.sub(r"\*(\S(?:[^*]*\S)?)\*", r"<em>\1</em>", part))
        code = not code
    return "".join(out)


@dataclass(frozen=True)
class Question:
    """One question: ``kind`` is ``"number"`` or ``"choice"``; see :func:`number`, :func:`choice`."""

    kind: str
    prompt: str
    answer: float | int
    explain: str = ""
    options: tuple[str, ...] = ()
    unit: str = ""
    rel_tol: float = 0.0
    abs_tol: float = 0.0
    answer_text: str = ""
    label: str = field(default="")

    def check(self, response) -> bool:
        """Whether ``response`` is accepted: the same rule the page's script applies.

        >>> q = number("1 kW for 2 h, in kWh?", 2.0, rel_tol=0.1)
        >>> q.check(2.1), q.check(2.5)
        (True, False)
        """
        if self.kind == "choice":
            if isinstance(response, str):
                return response == self.options[self.answer]
            return isinstance(response, int) and not isinstance(response, bool) and response == self.answer
        value = _number("response", response)
        return abs(value - self.answer) <= max(self.abs_tol, self.rel_tol * abs(self.answer))

    @property
    def tolerance_text(self) -> str:
        parts = []
        if self.rel_tol:
            parts.append(f"{self.rel_tol * 100:g} %")
        if self.abs_tol:
            parts.append(f"{self.abs_tol:g}{(' ' + self.unit) if self.unit else ''}")
        return " or ".join(parts) if parts else "exact"

    def _html(self, qid: str) -> str:
        kind = "Predict" if self.label == "predict" else ("Numeric" if self.kind == "number" else "Choose")
        spec = {"kind": self.kind, "answer": self.answer, "unit": self.unit,
                "rel_tol": self.rel_tol, "abs_tol": self.abs_tol, "tol_text": self.tolerance_text}
        head = (f'<div class="wpt-q" id="{qid}" data-spec="{html.escape(json.dumps(spec))}">'
                f'<p class="wpt-q-prompt"><span class="wpt-q-kind">{kind}</span>{_inline(self.prompt)}</p>')
        if self.kind == "choice":
            body = "".join(f'<label><input type="radio" name="{qid}" value="{i}"> {_inline(o)}</label>'
                           for i, o in enumerate(self.options))
            body += '<button type="button" class="wpt-q-show">show answer</button>'
        else:
            unit = f" {html.escape(self.unit)}" if self.unit else ""
            body = (f'<input type="text" inputmode="decimal" aria-label="your answer{unit}">{unit} '
                    '<button type="button" class="wpt-q-check">check</button>'
                    '<button type="button" class="wpt-q-show">show answer</button>')
        answer = self.answer_text or (self.options[self.answer] if self.kind == "choice" else "")
        if answer and not answer.endswith((".", "!", "?")):
            answer += "."
        reveal = _inline(answer) + ((" " if answer else "") + _inline(self.explain) if self.explain else "")
        return (head + body + '<p class="wpt-q-feedback" aria-live="polite"></p>'
                f'<div class="wpt-q-answer" hidden><strong>Answer:</strong> {reveal}</div>'
                f'<script>wptQuiz("{qid}");</script></div>')


def number(prompt: str, answer, *, unit: str = "", rel_tol: float = 0.1, abs_tol: float = 0.0,
           digits: int = 3, explain: str = "", predict: bool = False) -> Question:
    """A question answered with a number, accepted within a tolerance.

    Parameters
    ----------
    prompt : str
        The question (plain text; `code` and *emphasis* are rendered).
    answer : float
        The expected value, computed by the caller (with energylab), finite.
    unit : str
        Unit shown after the box and in the answer (``"MWh"``, ``"%"``).
    rel_tol, abs_tol : float
        Accepted if ``|x − answer| <= max(abs_tol, rel_tol·|answer|)``; ``rel_tol`` in
        [0, 1], ``abs_tol`` >= 0, not both zero.
    digits : int
        Significant digits of the answer as revealed, 1 to 10.
    explain : str
        How to get there, shown with the answer.
    predict : bool
        Label the question "Predict" (answer before moving an explorer or running code).

    Raises
    ------
    ValueError
        For a non-numeric or non-finite answer, a tolerance out of range, an empty prompt.

    Examples
    --------
    >>> q = number("Energy of 1 kW for 3 h, in kWh?", 3.0, unit="kWh", rel_tol=0.05)
    >>> q.answer_text
    '3 kWh.'
    """
    _text("prompt", prompt)
    value = _number("answer", answer)
    rel = float(validate.fraction("rel_tol", _number("rel_tol", rel_tol)))
    ab = float(validate.nonnegative("abs_tol", _number("abs_tol", abs_tol)))
    if rel == 0 and ab == 0:
        raise ValueError("rel_tol and abs_tol must not both be 0 (a typed number never matches exactly)")
    nd = validate.integer("digits", digits, 1, 10)
    predict = validate.flag("predict", predict)
    shown = f"{value:,.{nd}g}" if abs(value) >= 1e-3 or value == 0 else f"{value:.{nd}g}"
    if "e" not in shown and abs(value) >= 10 ** nd:
        shown = f"{value:,.0f}"
    return Question("number", prompt, value, _text("explain", explain, allow_empty=True),
                    unit=_text("unit", unit, allow_empty=True), rel_tol=rel, abs_tol=ab,
                    answer_text=shown + (f" {unit}" if unit else "") + ".",
                    label="predict" if predict else "")


def choice(prompt: str, options, answer, *, explain: str = "", predict: bool = False) -> Question:
    """A multiple-choice question with one right option.

    Parameters
    ----------
    prompt : str
    options : sequence of str
        Two to eight distinct options, shown in the given order.
    answer : str or int
        The right option, by its text or by its index.
    explain : str
        Why, shown with the answer.
    predict : bool
        Label the question "Predict".

    Raises
    ------
    ValueError
        Fewer than two or more than eight options, duplicates, or an answer not among them.

    Examples
    --------
    >>> choice("Which is larger?", ["1 kWh", "1 MJ"], "1 kWh").answer
    0
    """
    _text("prompt", prompt)
    if isinstance(options, str) or not hasattr(options, "__iter__"):
        raise ValueError(f"options must be a list of strings, got {options!r}")
    opts = tuple(_text("each option", o) for o in options)
    if not 2 <= len(opts) <= 8 or len(set(opts)) != len(opts):
        raise ValueError(f"options must be 2 to 8 distinct strings, got {list(opts)!r}")
    index = (opts.index(validate.one_of("answer", answer, opts, normalise=str)) if isinstance(answer, str)
             else validate.integer("answer", answer, 0, len(opts) - 1))
    predict = validate.flag("predict", predict)
    return Question("choice", prompt, index, _text("explain", explain, allow_empty=True), options=opts,
                    label="predict" if predict else "")


@dataclass(frozen=True)
class Quiz:
    """A box of questions; displays as self-contained HTML (see the module docstring)."""

    questions: tuple[Question, ...]
    title: str = "Check yourself"

    @property
    def key(self) -> str:
        """A short id derived from the content, so re-running gives identical HTML."""
        text = json.dumps([self.title] + [[q.kind, q.prompt, q.options] for q in self.questions])
        return hashlib.sha1(text.encode()).hexdigest()[:10]

    def _repr_html_(self) -> str:
        items = "".join(q._html(f"wptq-{self.key}-{i}") for i, q in enumerate(self.questions))
        return (f"<style>{_CSS.strip()}</style><script>{_JS.strip()}</script>"
                f'<div class="wpt-quiz"><p class="wpt-quiz-title">{html.escape(self.title)}</p>'
                f"{items}</div>")

    def __repr__(self) -> str:
        # Plain text (Jupyter's fallback, and what nbval compares), wrapped to the page.
        lines = [f"{self.title}:"]
        for i, q in enumerate(self.questions, 1):
            prompt = f"(predict first) {q.prompt}" if q.label == "predict" else q.prompt
            lines.append(textwrap.fill(f"{i}. {prompt}", 86, initial_indent="  ",
                                       subsequent_indent="     "))
            if q.kind == "choice":
                lines.extend(textwrap.fill(f"({chr(97 + j)}) {o}", 86, initial_indent="     ",
                                           subsequent_indent="         ")
                             for j, o in enumerate(q.options))
        return "\n".join(lines)


def quiz(*questions: Question, title: str = "Check yourself") -> Quiz:
    """Group questions made by :func:`number` and :func:`choice` into one box.

    Examples
    --------
    >>> box = quiz(number("2 + 2?", 4.0), choice("Larger?", ["a", "b"], 1), title="Warm-up")
    >>> len(box.questions), box.title
    (2, 'Warm-up')
    """
    if not questions or not all(isinstance(q, Question) for q in questions):
        raise ValueError("quiz needs one or more questions made by quiz.number or quiz.choice")
    return Quiz(tuple(questions), _text("title", title))
