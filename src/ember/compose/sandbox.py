"""Rendering follow-up templates safely, and refusing bad ones when they are saved.

Templates are edited by users, so they run in Jinja2's sandbox with
StrictUndefined: a template cannot reach Python internals, and a misspelt
variable is an error. That error must surface when the template is saved, not
when an email is about to go out, so ``template_problems`` parses the source,
compares its variables with the documented set and test-renders it.

A template also must not be able to freeze the server. One big-number power
(``9**(9**7)``) or string repeat runs in C for seconds while holding the
interpreter lock, so every request waits. The sandbox's own hooks refuse such
operations before they run (``call_binop`` for ``**`` and ``*``, ``call`` for
string padding, a short ``range``); the source is scanned for them at save, so
a branch the test renders never take is refused too; output has a size cap;
and a render has a time cap, enforced line by line in the template's own code.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import FrameType
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, meta, nodes
from jinja2.exceptions import SecurityError
from jinja2.filters import do_center, do_indent
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment

from ember.compose.facts import FactText
from ember.errors import InvalidInput, Problem

PLACEHOLDER = re.compile(r"\[\[([^\[\]]+)\]\]")
SUBJECT_PREFIX = "Subject:"
# Openers and emails that exist only to "touch base" annoy the prospect and move nothing.
PURPOSELESS = re.compile(r"\b(touch(ing)? base|just checking in|checking in|just following up|circling back|"
                         r"circle back|just wanted to follow up|see if you had any questions)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Rendered:
    subject: str | None
    text: str
    facts: list[dict[str, Any]]
    placeholders: list[str]


# A follow-up is a page of text: these bounds leave every real template far inside them.
MAX_OUTPUT_CHARS = 100_000
MAX_EXPONENT = 64
MAX_REPEAT = 1_000  # a string or list repeated more often than this is no follow-up
MAX_RANGE = 1_000
MAX_LOOP_DEPTH = 2
RENDER_SECONDS = 2.0
_PADDING_METHODS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})
_TEMPLATE_FILE = "<template>"


class TooCostly(SecurityError):
    """The template asked for more work or text than any follow-up needs."""


def _check_power(base: Any, exponent: Any) -> None:
    if isinstance(exponent, int) and abs(exponent) > MAX_EXPONENT and not (isinstance(base, int) and abs(base) <= 1):
        raise TooCostly(f"a power with exponent {exponent} (at most {MAX_EXPONENT})")


def _check_repeat(left: Any, right: Any) -> None:
    for sequence, times in ((left, right), (right, left)):
        if isinstance(sequence, str | list | tuple) and isinstance(times, int) and not isinstance(times, bool) \
                and times * max(1, len(sequence)) > MAX_OUTPUT_CHARS:
            raise TooCostly(f"text repeated {times} times")


def _short_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise TooCostly(f"a range of {len(numbers)} numbers (at most {MAX_RANGE})")
    return numbers


def _bounded_width(width: Any) -> None:
    if isinstance(width, int) and width > MAX_OUTPUT_CHARS:
        raise TooCostly(f"a width of {width} characters")


class GuardedEnvironment(SandboxedEnvironment):
    """Jinja2's sandbox, with its hooks refusing work no follow-up needs before it starts."""

    # Intercepted operators are also never folded at compile time, so ``9**(9**7)`` reaches call_binop.
    intercepted_binops = frozenset({"**", "*"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.globals["range"] = _short_range
        self.filters["center"] = self._center
        self.filters["indent"] = self._indent

    @staticmethod
    def _center(value: str, width: int = 80) -> str:
        _bounded_width(width)
        return do_center(value, width)

    @staticmethod
    def _indent(value: str, width: int | str = 4, first: bool = False, blank: bool = False) -> str:
        _bounded_width(width if isinstance(width, int) else len(width))
        return do_indent(value, width, first, blank)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            _check_power(left, right)
        elif operator == "*":
            _check_repeat(left, right)
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        if getattr(__obj, "__name__", None) in _PADDING_METHODS and isinstance(getattr(__obj, "__self__", None), str):
            for value in (*args, *kwargs.values()):
                _bounded_width(value)
        return super().call(__context, __obj, *args, **kwargs)


def _environment(recorded: list[FactText] | None = None) -> GuardedEnvironment:
    def finalize(value: Any) -> Any:
        if recorded is not None and isinstance(value, FactText):
            recorded.append(value)
        return value

    return GuardedEnvironment(undefined=StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True,
                              keep_trailing_newline=False, finalize=finalize)


def _bounded_text(chunks: Iterator[str]) -> str:
    parts: list[str] = []
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > MAX_OUTPUT_CHARS:
            raise TooCostly(f"more than {MAX_OUTPUT_CHARS} characters of text")
        parts.append(chunk)
    return "".join(parts)


def _within(seconds: float, work: Any) -> Any:
    """Run ``work()``, stopping the template's own code once ``seconds`` have passed.

    A trace function sees each line the compiled template runs (and nothing else), so a loop that
    would run for minutes stops at the deadline, in whichever thread renders it."""
    deadline = time.monotonic() + seconds

    def on_line(frame: FrameType, event: str, arg: Any) -> Any:
        if time.monotonic() > deadline:
            raise TooCostly(f"rendering took longer than {seconds:g} seconds")
        return on_line

    def on_call(frame: FrameType, event: str, arg: Any) -> Any:
        return on_line if frame.f_code.co_filename == _TEMPLATE_FILE else None

    previous = sys.gettrace()
    sys.settrace(on_call)
    try:
        return work()
    finally:
        sys.settrace(previous)


def _render_text(source: str, context: Mapping[str, Any], recorded: list[FactText]) -> str:
    template = _environment(recorded).from_string(source)
    return str(_within(RENDER_SECONDS, lambda: _bounded_text(template.generate(dict(context)))))


def render(source: str, context: Mapping[str, Any]) -> Rendered:
    """Render a template; list the quoted facts it printed and the placeholders left to fill.

    A template that asks for too much work is an InvalidInput that says so: it is refused at save,
    and one stored before these checks fails here, alone, instead of holding the server."""
    recorded: list[FactText] = []
    try:
        text = _render_text(source, context, recorded)
    except TooCostly as exc:
        raise InvalidInput("the template asks for too much work to render", [Problem(
            "template", f"{exc}", "remove the big number, repeat or loop; a follow-up needs none")]) from exc
    subject, body = split_subject(tidy(text))
    body = re.sub(r"\n{3,}", "\n\n", body).strip() + "\n"
    return Rendered(subject, body, _facts(recorded, context, body + (subject or "")), placeholders_in(subject, body))


# A quote dropped into the middle of our sentence keeps the capital it had at the start of
# theirs ("you told me that Our reports..."); common words lose it, names keep theirs.
_MID_SENTENCE_CAPITAL = re.compile(
    r"(\b(?:that|about|said|because|how|when|whether|and|but|so) )"
    r"(Our|We|We're|We've|The|It|It's|My|This|These|There|What|How|Their|They|A|An|Your|You|That|Some|Most|"
    r"Every|Right|So|Honestly|Well|Currently|At|In|For|If|Nobody|Everyone|Half)\b")
_DOUBLED_STOP = re.compile(r"(?<![.])([.?!])\s*\.(?![.])")


def tidy(text: str) -> str:
    """Punctuation a filled template gets wrong: doubled full stops and capitals mid-sentence."""
    text = _DOUBLED_STOP.sub(r"\1", text)
    return _MID_SENTENCE_CAPITAL.sub(lambda m: m.group(1) + m.group(2).lower(), text)


def split_subject(text: str) -> tuple[str | None, str]:
    """Email templates start with a "Subject: ..." line; the rest is the body."""
    stripped = text.lstrip()
    if not stripped.startswith(SUBJECT_PREFIX):
        return None, text
    first, _, rest = stripped.partition("\n")
    return first[len(SUBJECT_PREFIX):].strip(), rest


def placeholders_in(*texts: str | None) -> list[str]:
    found: list[str] = []
    for text in texts:
        for match in PLACEHOLDER.finditer(text or ""):
            if match.group(0) not in found:
                found.append(match.group(0))
    return found


def _facts(recorded: list[FactText], context: Mapping[str, Any], output: str) -> list[dict[str, Any]]:
    """Facts printed directly, plus any whose text a filter changed but that still shows in the output."""
    candidates = list(recorded) + [v for v in _all_fact_texts(context) if v and str(v) in output]
    facts: list[dict[str, Any]] = []
    seen: set[str] = set()
    for value in candidates:
        for quote, start_s in value.sources:
            if quote not in seen:
                seen.add(quote)
                facts.append({"quote": quote, "start_s": start_s})
    return facts


def _all_fact_texts(value: Any) -> list[FactText]:
    if isinstance(value, FactText):
        return [value]
    if isinstance(value, Mapping):
        return [f for v in value.values() for f in _all_fact_texts(v)]
    if isinstance(value, list | tuple):
        return [f for v in value for f in _all_fact_texts(v)]
    return []


def template_problems(name: str, source: str, allowed: frozenset[str], samples: Sequence[Mapping[str, Any]],
                      *, needs_subject: bool, spoken_or_sent: bool) -> list[Problem]:
    """Everything wrong with a template, found at save time. Empty means it may be saved."""
    where = f"template {name}"
    try:
        parsed = _environment().parse(source)
    except TemplateSyntaxError as exc:
        return [Problem(f"{where}, line {exc.lineno}", exc.message or "syntax error",
                        "close every {{ }} and {% %} tag and end each {% if %}/{% for %} block")]
    problems = costly_constructs(parsed, where)
    unknown = sorted(meta.find_undeclared_variables(parsed) - allowed)
    if unknown:
        problems.append(Problem(where, f"unknown variable(s): {', '.join(unknown)}",
                                f"use only the documented variables: {', '.join(sorted(allowed))}"))
    if needs_subject and not source.lstrip().startswith(SUBJECT_PREFIX):
        problems.append(Problem(f"{where}, line 1", "an email template must start with a subject line",
                                'make the first line "Subject: ..."'))
    if spoken_or_sent and (match := PURPOSELESS.search(source)):
        line = source[: match.start()].count("\n") + 1
        problems.append(Problem(f"{where}, line {line}", f'"{match.group(0)}" gives the prospect no reason to talk',
                                "recall their problem and what was to happen since, then offer something new"))
    if problems:
        return problems
    for sample in samples:
        try:
            render(source, sample)
        except InvalidInput as exc:
            return [Problem(where, f"too costly: {exc.problems[0].what}", exc.problems[0].fix)]
        except Exception as exc:  # any failure of a user's template is a reason to refuse it
            return [Problem(where, f"fails when rendered: {exc}",
                            "check attribute names against the documented variables (docs/compose.md)")]
    return []


def _constant(node: nodes.Node) -> Any:
    try:
        return node.as_const()  # type: ignore[attr-defined]
    except Exception:  # not a constant (or folding refused): judged when it runs
        return None


def _loop_depth(node: nodes.Node) -> int:
    inner = [_loop_depth(child) for child in node.iter_child_nodes()]
    return (1 if isinstance(node, nodes.For) else 0) + max(inner, default=0)


def costly_constructs(parsed: nodes.Template, where: str) -> list[Problem]:
    """Work no follow-up needs, found in the source itself, so a branch no test render takes is
    refused as well: powers beyond small exponents, long repeats and ranges, deeply nested loops."""
    found: list[str] = []
    for power in parsed.find_all(nodes.Pow):
        exponent = _constant(power.right)
        if not isinstance(exponent, int) or abs(exponent) > MAX_EXPONENT:
            found.append(f"a power whose exponent is not a number up to {MAX_EXPONENT}")
    for product in parsed.find_all(nodes.Mul):
        for side in (product.left, product.right):
            value = _constant(side)
            if isinstance(value, int) and not isinstance(value, bool) and value > MAX_REPEAT:
                found.append(f"a multiplication by {value} (text or lists repeated at most {MAX_REPEAT} times)")
    for call in parsed.find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name == "range":
            bounds = [_constant(arg) for arg in call.args]
            if not all(isinstance(b, int) for b in bounds) or len(range(*bounds)) > MAX_RANGE:
                found.append(f"a range that is not a fixed list of at most {MAX_RANGE} numbers")
    if _loop_depth(parsed) > MAX_LOOP_DEPTH:
        found.append(f"loops nested more than {MAX_LOOP_DEPTH} deep")
    return [Problem(where, f"too costly: {what}", "remove it; a follow-up needs no big numbers, repeats or loops "
                    "beyond the facts it lists") for what in dict.fromkeys(found)]
