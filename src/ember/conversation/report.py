"""The analysis as versioned JSON (see docs/analysis.md) and as readable text."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ember.conversation.analysis import Analysis
    from ember.conversation.next_steps import NextStep

# Version of the JSON written by to_dict; readers check it.
SCHEMA_VERSION = "1.0"


def _r(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def _due(step: NextStep) -> str | None:
    if step.due is None:
        return None
    return step.due.isoformat(timespec="minutes") if step.due_has_time else step.due.date().isoformat()


def _quote(speaker: str, side: Any, quote: str, start: float) -> dict[str, Any]:
    return {"speaker": speaker, "side": str(side) if side else None, "quote": quote,
            "start_s": start}


def to_dict(a: Analysis) -> dict[str, Any]:
    sides = a.sides.sides
    return {
        "schema_version": SCHEMA_VERSION,
        "source": a.source,
        "format": a.format,
        "timing_estimated": a.timing_estimated,
        "call_date": a.call_date.isoformat(timespec="minutes"),
        "side_method": a.sides.method,
        "side_confidence": a.sides.confidence,
        "sides_known": a.sides.known,
        "side_reason": a.sides.reason or None,
        "notes": list(a.notes),
        "duration_s": _r(a.duration_s, 1),
        "speakers": [{"name": s.name, "side": str(s.side), "talk_s": _r(s.talk_s, 1)}
                     for s in a.speakers],
        "rep_talk_ratio": _r(a.rep_talk_ratio, 3),
        "longest_rep_monologue_s": _r(a.longest_rep_monologue_s, 1),
        "longest_rep_monologue_start_s": _r(a.longest_rep_monologue_start_s),
        "longest_prospect_story_s": _r(a.longest_prospect_story_s, 1),
        "longest_prospect_story_start_s": _r(a.longest_prospect_story_start_s),
        "questions": {"rep": a.rep_questions, "prospect": a.prospect_questions,
                      "rep_per_minute": _r(a.rep_questions_per_min)},
        "question_list": [
            {"speaker": q.speaker, "side": str(sides.get(q.speaker, "")) or None,
             "start_s": _r(q.start), "text": q.text} for q in a.questions
        ],
        "interactivity_per_min": _r(a.interactivity_per_min),
        "patience_s": _r(a.patience_s),
        "engaging_moments": [{"start_s": _r(m.start), "end_s": _r(m.end), "reason": m.reason}
                             for m in a.engaging_moments],
        "small_talk_s": _r(a.small_talk_s, 1),
        "small_talk": [_quote(u.speaker, sides.get(u.speaker), u.text, _r(u.start) or 0.0)
                       for u in a.small_talk],
        "purposeless_openers": [
            _quote(u.speaker, sides.get(u.speaker), u.text, _r(u.start) or 0.0)
            for u in a.purposeless_openers
        ],
        "next_steps": [
            {"type": str(s.type), "owner": str(s.owner) if s.owner else None, "due": _due(s),
             "due_phrase": s.due_phrase, "quote": s.quote, "start_s": s.start_s,
             "speaker": s.speaker, "kind": s.kind} for s in a.next_steps
        ],
        "commitments": [
            {"speaker": c.speaker, "side": str(c.side) if c.side else None, "start_s": c.start_s,
             "text": c.text, "kind": c.kind, "score": c.score} for c in a.commitments
        ],
        "qualification": {
            area: {"covered": c.covered,
                   "evidence": [_quote(e.speaker, e.side, e.quote, e.start_s) for e in c.evidence]}
            for area, c in a.qualification.items()
        },
        "prospect_roles": [
            {"speaker": p.speaker, "role": str(p.role), "quote": p.quote, "start_s": p.start_s,
             "evidence": [{"role": str(e.role), "quote": e.quote, "start_s": e.start_s}
                          for e in p.evidence]}
            for p in a.prospect_roles
        ],
        "problems": [_quote(p.speaker, p.side, p.quote, p.start_s) for p in a.problems],
        "closing_points": [_quote(p.speaker, p.side, p.quote, p.start_s) for p in a.closing_points],
        "benchmarks": [{"metric": b.metric, "value": b.value, "target": b.target,
                        "verdict": str(b.verdict), "reason": b.reason} for b in a.benchmarks],
    }


def clock(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def render_text(a: Analysis) -> str:
    """A plain-text report; every finding shows its time and quote."""
    d = to_dict(a)
    out: list[str] = []
    title = a.source or "call"
    out.append(f"{title} — {d['format']}, {clock(a.duration_s)} long")
    if a.timing_estimated:
        out.append("  note: the file has no timestamps; times are estimated from word counts")
    out.append(f"  sides ({a.sides.method}, confidence {a.sides.confidence:.2f}): " + ", ".join(
        f"{s['name']} = {s['side']} ({clock(s['talk_s'])})" for s in d["speakers"]))
    if not a.sides.known:
        out.append(f"  note: {a.sides.reason}; figures that depend on sides are not graded")
    out.extend(f"  note: {note}" for note in a.notes)
    ratio = "-" if a.rep_talk_ratio is None else f"{a.rep_talk_ratio:.0%}"
    patience = "-" if a.patience_s is None else f"{a.patience_s:.1f} s"
    out.append(f"  rep talk {ratio} · longest rep monologue {a.longest_rep_monologue_s:.0f} s · "
               f"longest prospect story {a.longest_prospect_story_s:.0f} s")
    out.append(f"  questions: rep {a.rep_questions} ({a.rep_questions_per_min:.1f}/min), prospect "
               f"{a.prospect_questions} · interactivity {a.interactivity_per_min:.1f} switches/min · "
               f"patience {patience} · small talk {a.small_talk_s:.0f} s")
    out.append("")
    out.append("Benchmarks")
    for b in d["benchmarks"]:
        # The note above gives the whole reason once; each ungraded line only points to it.
        unlabelled = b["verdict"] == "unknown" and not a.sides.known
        reason = "not graded: speakers not labelled (see the note above)" if unlabelled else b["reason"]
        out.append(f"  [{b['verdict'].upper():4}] {b['metric']}: {b['value']} (target {b['target']}) — {reason}")
    sections: list[tuple[str, list[str]]] = [
        ("Next steps", [f"{clock(s['start_s'])} {s['type']}, owner {s['owner'] or '?'}, due "
                        f"{s['due'] or '-'}{' (' + s['due_phrase'] + ')' if s['due_phrase'] else ''}"
                        f": “{s['quote']}”" for s in d["next_steps"]]),
        ("Questions", [f"{clock(q['start_s'])} {q['speaker']} ({q['side']}): {q['text']}"
                       for q in d["question_list"]]),
        ("Engaging moments", [f"{clock(m['start_s'])}–{clock(m['end_s'])} {m['reason']}"
                              for m in d["engaging_moments"]]),
        ("Qualification", [f"{area}: {'covered' if c['covered'] else 'OPEN'}"
                           + (f" — “{c['evidence'][0]['quote']}”" if c["evidence"] else "")
                           for area, c in d["qualification"].items()]),
        ("Prospect roles", [f"{p['speaker']}: {p['role']}"
                            + (f" — “{p['quote']}”" if p["quote"] else "")
                            for p in d["prospect_roles"]]),
        ("Problems", [f"{clock(p['start_s'])} {p['speaker']}: “{p['quote']}”" for p in d["problems"]]),
        ("Purposeless openers", [f"{clock(p['start_s'])} {p['speaker']}: “{p['quote']}”"
                                 for p in d["purposeless_openers"]]),
        ("Closing points", [f"{clock(p['start_s'])} {p['speaker']}: “{p['quote']}”"
                            for p in d["closing_points"]]),
    ]
    for heading, lines in sections:
        out.append("")
        out.append(f"{heading} ({len(lines)})")
        out.extend(f"  {line}" for line in lines or ["none found"])
    return "\n".join(out) + "\n"


def iso(value: datetime) -> str:
    return value.isoformat(timespec="minutes")
