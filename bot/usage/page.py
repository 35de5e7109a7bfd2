"""`townhall stats --html`: the report as one self-contained page with inline SVG charts.

No script, no external stylesheet, font or image: the page opens offline and in any mail
client. Every text from the records (question texts above all) goes through `_e`.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from bot.knowledge.topics import topic_label
from bot.usage.report import VERDICTS, UsageReport

COLOURS = {
    "discord": "#5865f2",
    "slack": "#2eb67d",
    "answer": "#10a37f",
    "closest": "#e0a100",
    "none": "#9aa0a6",
    "up": "#2eb67d",
    "down": "#d93025",
}
WIDTH = 720
BAR = 18  # height of one horizontal bar
LABEL = 260  # room for a topic's title left of its bar
SHORT_LABEL = 34  # characters of a title that fit in LABEL
TOP_TOPICS = 15

STYLE = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "Noto Sans KR", sans-serif;
       margin: 24px auto; max-width: 780px; color: #202124; padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; margin-top: 32px; }
.sub { color: #5f6368; margin-top: 0; }
.figures { display: flex; gap: 24px; flex-wrap: wrap; }
.figure { background: #f1f3f4; border-radius: 8px; padding: 8px 14px; }
.figure b { display: block; font-size: 22px; }
svg { display: block; max-width: 100%; height: auto; }
svg text { font: 12px system-ui, sans-serif; fill: #202124; }
.legend span { display: inline-block; margin-right: 14px; }
.legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px;
            border-radius: 2px; vertical-align: baseline; }
table { border-collapse: collapse; width: 100%; margin-top: 8px; }
th, td { text-align: left; padding: 4px 6px; border-bottom: 1px solid #e8eaed;
         vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.empty { color: #5f6368; font-style: italic; }
blockquote { margin: 2px 0 2px 12px; color: #3c4043; overflow-wrap: anywhere; }
"""


def report_page(report: UsageReport) -> str:
    """The whole page for `report`, as HTML text."""
    data = report.as_json()
    questions = data["questions"]
    title = f"Town Hall bot usage, {data['first_day']} to {data['last_day']}"
    figures = [("questions", questions["total"]), *list(questions["per_platform"].items())]
    figures += list(questions["per_verdict"].items())
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        '<p class="sub">Questions answered on Discord and Slack (the offline CLI is not '
        "counted). Days in the community's time zone.</p>",
        '<div class="figures">'
        + "".join(f'<div class="figure"><b>{n}</b>{_e(k)}</div>' for k, n in figures)
        + "</div>",
        '<h2 id="per-day">Questions per day</h2>',
        _legend(("discord", "slack")),
        _per_day(questions["per_day"]),
        '<h2 id="topics">Topics asked most</h2>',
        _topic_ranking(data["topics"][:TOP_TOPICS]),
        '<h2 id="verdicts">Verdict mix per language</h2>',
        _legend(VERDICTS),
        _verdict_mix(questions["per_language"]),
        '<h2 id="feedback">Feedback per topic</h2>',
        _legend(("up", "down"), {"up": "👍 up", "down": "👎 down"}),
        _feedback(data["topics"]),
        '<h2 id="gaps">Gap report: what the talk did not answer</h2>',
        _gaps(data["gaps"]),
        '<h2 id="disliked">Answers with the most 👎 (down votes)</h2>',
        _disliked(data["most_disliked"]),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _legend(keys: Sequence[str], names: dict[str, str] | None = None) -> str:
    items = "".join(
        f'<span><i style="background:{COLOURS[k]}"></i>{_e((names or {}).get(k, k))}</span>'
        for k in keys
    )
    return f'<p class="legend">{items}</p>'


def _svg(height: int, body: list[str], label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" aria-label="{_e(label)}">'
        + "".join(body)
        + "</svg>"
    )


def _per_day(days: list[dict[str, int | str]]) -> str:
    if not any(d["total"] for d in days):
        return '<p class="empty">No questions in this span.</p>'
    height, bottom, left = 220, 190, 36
    peak = max(int(d["total"]) for d in days)
    step = (WIDTH - left) / len(days)
    width = max(2.0, step * 0.7)
    body = [
        f'<line x1="{left}" y1="{bottom}" x2="{WIDTH}" y2="{bottom}" stroke="#bdc1c6"/>',
        f'<text x="{left - 6}" y="{bottom - 160 + 4}" text-anchor="end">{peak}</text>',
        f'<text x="{left - 6}" y="{bottom + 4}" text-anchor="end">0</text>',
    ]
    label_every = max(1, len(days) // 8)
    for place, day in enumerate(days):
        x = left + place * step + (step - width) / 2
        y = float(bottom)
        for platform in ("discord", "slack"):
            count = int(day[platform])
            if count:
                h = 160 * count / peak
                y -= h
                body.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{h:.1f}" '
                    f'fill="{COLOURS[platform]}"><title>{_e(day["day"])} {platform}: '
                    f"{count}</title></rect>"
                )
        if day["total"]:
            body.append(
                f'<text x="{x + width / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle">'
                f"{day['total']}</text>"
            )
        if place % label_every == 0:
            body.append(
                f'<text x="{x + width / 2:.1f}" y="{bottom + 18}" text-anchor="middle">'
                f"{_e(str(day['day'])[5:])}</text>"
            )
    return _svg(height, body, "questions per day")


def _hbars(rows: list[tuple[str, list[tuple[str, int]]]], label: str) -> str:
    """One horizontal bar per row, split into coloured parts, with its total at the end."""
    peak = max((sum(n for _, n in parts) for _, parts in rows), default=0)
    if not rows or peak == 0:
        return '<p class="empty">Nothing recorded in this span.</p>'
    room = WIDTH - LABEL - 50
    body = []
    for place, (name, parts) in enumerate(rows):
        y = 4 + place * (BAR + 8)
        short = name if len(name) <= SHORT_LABEL else name[: SHORT_LABEL - 1] + "…"
        body.append(f'<text x="{LABEL - 8}" y="{y + BAR - 5}" text-anchor="end">{_e(short)}</text>')
        x = float(LABEL)
        for key, count in parts:
            if count:
                w = room * count / peak
                body.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{BAR}" '
                    f'fill="{COLOURS[key]}"><title>{_e(name)} {key}: {count}</title></rect>'
                )
                x += w
        total = sum(n for _, n in parts)
        body.append(f'<text x="{x + 6:.1f}" y="{y + BAR - 5}">{total}</text>')
    return _svg(8 + len(rows) * (BAR + 8), body, label)


def _topic_ranking(topics: list[dict[str, object]]) -> str:
    rows = [
        (topic_label(t["number"], t["title"]), [("answer", int(str(t["asked"])))])
        for t in topics
        if int(str(t["asked"]))
    ]
    return _hbars(rows, "topics asked most")


def _verdict_mix(languages: dict[str, dict[str, int]]) -> str:
    rows = [
        (lang, [(v, counts.get(v, 0)) for v in VERDICTS])
        for lang, counts in sorted(languages.items())
    ]
    table = "".join(
        f"<tr><td>{_e(lang)}</td>"
        + "".join(f'<td class="n">{counts.get(v, 0)}</td>' for v in VERDICTS)
        + "</tr>"
        for lang, counts in sorted(languages.items())
    )
    head = "<tr><th>language</th>" + "".join(f"<th>{v}</th>" for v in VERDICTS) + "</tr>"
    return _hbars(rows, "verdict mix per language") + (
        f"<table>{head}{table}</table>" if languages else ""
    )


def _feedback(topics: list[dict[str, object]]) -> str:
    rated = [t for t in topics if int(str(t["up"])) or int(str(t["down"]))]
    rows = [
        (
            topic_label(t["number"], t["title"]),
            [("up", int(str(t["up"]))), ("down", int(str(t["down"])))],
        )
        for t in rated
    ]
    return _hbars(rows, "feedback per topic")


def _gaps(gaps: list[dict[str, object]]) -> str:
    if not gaps:
        return '<p class="empty">Every question in this span was answered.</p>'
    rows = []
    for gap in gaps:
        name = topic_label(gap["number"], gap["title"]) if gap["topic"] else "(no topic came near)"
        verdicts = gap["by_verdict"]
        assert isinstance(verdicts, dict)
        texts = gap["texts"]
        assert isinstance(texts, list)
        quotes = "".join(f"<blockquote>{_e(text)}</blockquote>" for text in texts)
        rows.append(
            f'<tr><td>{_e(name)}{quotes}</td><td class="n">{gap["questions"]}</td>'
            f'<td class="n">{verdicts["closest"]}</td><td class="n">{verdicts["none"]}</td></tr>'
        )
    head = "<tr><th>nearest topic</th><th>questions</th><th>closest</th><th>none</th></tr>"
    return f"<table>{head}{''.join(rows)}</table>"


def _disliked(answers: list[dict[str, object]]) -> str:
    if not answers:
        return '<p class="empty">No 👎 in this span.</p>'
    rows = "".join(
        f"<tr><td>{_e(a['title'])}"
        + (f"<blockquote>{_e(a['question'])}</blockquote>" if a["question"] else "")
        + f'</td><td>{_e(a["verdict"])}</td><td class="n">{a["down"]}</td>'
        f'<td class="n">{a["up"]}</td></tr>'
        for a in answers
    )
    head = "<tr><th>answer (topic)</th><th>verdict</th><th>👎 down</th><th>👍 up</th></tr>"
    return f"<table>{head}{rows}</table>"
