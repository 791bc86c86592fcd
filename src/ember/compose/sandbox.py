"""Rendering follow-up templates safely, and refusing bad ones when they are saved.

Templates are edited by users, so they run in Jinja2's sandbox with
StrictUndefined: a template cannot reach Python internals, and a misspelt
variable is an error. That error must surface when the template is saved, not
when an email is about to go out, so ``template_problems`` parses the source,
compares its variables with the documented set and test-renders it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, meta
from jinja2.sandbox import SandboxedEnvironment

from ember.compose.facts import FactText
from ember.errors import Problem

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


def _environment(recorded: list[FactText] | None = None) -> SandboxedEnvironment:
    def finalize(value: Any) -> Any:
        if recorded is not None and isinstance(value, FactText):
            recorded.append(value)
        return value

    return SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True,
                                keep_trailing_newline=False, finalize=finalize)


def render(source: str, context: Mapping[str, Any]) -> Rendered:
    """Render a template; list the quoted facts it printed and the placeholders left to fill."""
    recorded: list[FactText] = []
    text = _environment(recorded).from_string(source).render(dict(context))
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
    problems = []
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
        except Exception as exc:  # any failure of a user's template is a reason to refuse it
            return [Problem(where, f"fails when rendered: {exc}",
                            "check attribute names against the documented variables (docs/compose.md)")]
    return []
