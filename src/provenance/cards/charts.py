"""Charts of a ledger for the dataset card: languages, demographic mentions, licence mix and PII rates.

Every chart is first laid out once, as a list of rectangles, lines and texts in pixel coordinates, then drawn by two
backends: an SVG writer of our own (no dependency, byte-for-byte deterministic: no ids, no dates, fixed fonts and
sizes, so the text of every label can be checked) and matplotlib for PNG (the optional extra ``charts``), which
draws the same primitives at the same places, so both files show the same picture. Like the card, the charts read
nothing but the ledger, and no raw text: only counts of records, characters and findings.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from ..errors import MissingExtraError
from ..ledger import Ledger
from ..models.licenses import Restriction, Use

# ---- what a chart says ---------------------------------------------------------------------------------------------

# Okabe & Ito's colour-blind-safe palette: use classes of licences, and one colour for plain bars.
BAR = "#0072B2"
MUTED = "#9E9E9E"
USE_COLOURS: dict[Use, str] = {
    Use.commercial: "#009E73",
    Use.non_commercial: "#E69F00",
    Use.research_only: "#D55E00",
    Use.unknown: MUTED,
}
USE_NAMES: dict[Use, str] = {
    Use.commercial: "commercial use allowed",
    Use.non_commercial: "non-commercial only",
    Use.research_only: "research only",
    Use.unknown: "terms unknown",
}
CHART_NAMES = ("languages", "demographics", "licences", "pii")
PNG_HINT = "pip install 'provenance-toolkit[charts]' (matplotlib draws the PNG copies; the SVG charts need nothing)"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float  # a share (0..1) when the chart is in percent, else a count
    text: str  # what is written after the bar
    colour: str = BAR


@dataclass(frozen=True)
class Panel:
    heading: str | None
    bars: tuple[Bar, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Chart:
    name: str
    title: str
    subtitle: str
    x_label: str
    percent: bool
    panels: tuple[Panel, ...]
    legend: tuple[tuple[str, str], ...] = ()  # (label, colour)
    notes: tuple[str, ...] = ()
    empty_message: str = "Nothing to show."

    @property
    def bars(self) -> list[Bar]:
        return [b for p in self.panels for b in p.bars]


# ---- facts from the ledger -----------------------------------------------------------------------------------------


def _pct(x: float) -> str:
    if x == 0:
        return "0%"
    if x < 0.001:
        return "<0.1%"
    return f"{x:.1%}"


def _records(n: int) -> str:
    return f"{n:,} record{'s' * (n != 1)}"


def _human(n: float) -> str:
    for unit in ("", "k", "M", "G", "T"):
        if abs(n) < 1000 or unit == "T":
            return f"{n:,.0f}" if unit == "" else f"{n:,.1f} {unit}"
        n /= 1000
    return f"{n}"


def licence_mix(store: Ledger) -> list[dict[str, Any]]:
    """Records per effective licence (the record's own, else its source's), with the licence's use class."""
    from ..licenses.taxonomy import terms_of_expression

    rows = store.execute(
        """SELECT coalesce(r.record_license, s.license) AS license, count(*) AS records,
                  list(DISTINCT s.source_id ORDER BY s.source_id) AS sources
           FROM records r JOIN sources s USING (source_id) GROUP BY 1 ORDER BY 2 DESC, 1"""
    )
    out = []
    for license, records, sources in rows:
        terms = terms_of_expression(license)
        out.append(
            {
                "license": license,
                "records": records,
                "sources": list(sources),
                "use": terms.use,
                "share_alike": terms.share_alike,
                "no_derivatives": terms.no_derivatives,
                "unknown_terms": Restriction.unknown_terms in terms.restrictions,
                "name": terms.name,
            }
        )
    return out


def latest_stamp(store: Ledger, scanner: str) -> str | None:
    """The stamp of the scanner's most recent run recorded in the ledger."""
    rows = store.execute(
        "SELECT rs.stamp FROM record_scans rs LEFT JOIN scans s USING (scan_id) WHERE rs.stamp LIKE ? "
        "GROUP BY rs.stamp ORDER BY max(s.started_at) DESC NULLS LAST, rs.stamp DESC LIMIT 1",
        [f"{scanner}@%"],
    )
    return rows[0][0] if rows else None


def pii_rates(store: Ledger) -> dict[str, Any]:
    """Records with at least one finding of each PII type, over the records the latest pii scanner read."""
    stamp = latest_stamp(store, "pii")
    if stamp is None:
        return {"stamp": None, "scanned": 0, "types": [], "gaps": []}
    scanned = store.execute("SELECT count(DISTINCT record_id) FROM record_scans WHERE stamp = ?", [stamp])[0][0]
    types = [
        {"label": label, "records": n, "share": n / scanned if scanned else 0.0}
        for label, n in store.execute(
            "SELECT label, count(DISTINCT record_id) FROM findings WHERE scanner = 'pii' AND stamp = ? "
            "GROUP BY 1 ORDER BY 2 DESC, 1",
            [stamp],
        )
    ]
    return {"stamp": stamp, "scanned": scanned, "types": types, "gaps": scanner_gaps(store, "pii")}


def scanner_gaps(store: Ledger, scanner: str) -> list[str]:
    """What the latest finished scan that ran ``scanner`` said it did not look for, about that scanner."""
    rows = store.execute(
        "SELECT not_checked FROM scans WHERE status = 'finished' AND list_contains("
        "list_transform(scanners, lambda s: split_part(s, '@', 1)), ?) ORDER BY finished_at DESC LIMIT 1",
        [scanner],
    )
    gaps = (rows[0][0] if rows else None) or []
    return [g for g in gaps if f"the {scanner} scanner" in g]


# ---- the four charts -----------------------------------------------------------------------------------------------


def language_chart(store: Ledger, *, top: int = 10) -> Chart | None:
    from ..coverage import language_coverage

    lang = language_coverage(store)
    if lang.scanner is None:
        return None
    known = [r for r in lang.languages if r.language != "und" and (r.chars or 0) > 0]
    known.sort(key=lambda r: (-(r.char_share or 0), r.language))
    unknown = next((r for r in lang.languages if r.language == "und"), None)
    bars = [
        Bar(r.language, r.char_share or 0.0, f"{_pct(r.char_share or 0)} · {_records(r.records or 0)}")
        for r in known[:top]
    ]
    rest = known[top:]
    if rest:
        share = sum(r.char_share or 0 for r in rest)
        bars.append(Bar(f"other ({len(rest)} languages)", share, f"{_pct(share)} · {len(rest)} languages", MUTED))
    if unknown is not None and (unknown.char_share or 0) > 0:
        bars.append(
            Bar(
                "unknown (und)",
                unknown.char_share or 0.0,
                f"{_pct(unknown.char_share or 0)} · {_records(unknown.records or 0)}",
                MUTED,
            )
        )
    return Chart(
        name="languages",
        title="Languages: share of characters",
        subtitle=(
            f"Measured by {lang.scanner} over {_records(lang.records)} ({_human(lang.chars)} characters). "
            f"Effective number of languages {lang.effective_languages:.2f}; "
            f"{_pct(lang.low_resource_share)} of characters in low-resource languages."
        ),
        x_label="share of characters",
        percent=True,
        panels=(Panel(None, tuple(bars)),),
        notes=((f"Top {top} languages shown; the rest are summed as 'other'.",) if rest else ())
        + (("'und': text no language could be told for.",) if unknown is not None else ()),
        empty_message="No language was identified.",
    )


def _display(name: str) -> str:
    return name.replace("_", " ")


def demographic_chart(store: Ledger, *, top: int = 6, min_cell_count: int = 10) -> Chart | None:
    from ..coverage import demographic_coverage

    demo = demographic_coverage(store, min_cell_count=min_cell_count)
    if demo.scanner is None:
        return None
    panels, hidden_axes = [], []
    axes = sorted(demo.axes, key=lambda a: (-(a.records_mentioning or 0), a.axis))
    for axis in axes:
        shown = sorted((g for g in axis.groups if g.records is not None), key=lambda g: (-(g.records or 0), g.group))
        if not shown:
            hidden_axes.append(_display(axis.axis))
            continue
        bars = tuple(
            Bar(_display(g.group), g.record_share or 0.0, f"{_pct(g.record_share or 0)} · {_records(g.records or 0)}")
            for g in shown[:top]
        )
        notes = []
        if len(shown) > top:
            notes.append(f"{len(shown) - top} more group(s) with at least {min_cell_count} records not shown")
        if axis.suppressed_groups:
            notes.append(f"{axis.suppressed_groups} group(s) under {min_cell_count} records omitted (suppressed)")
        mentioning = (
            _records(axis.records_mentioning) if axis.records_mentioning is not None else f"<{min_cell_count} records"
        )
        panels.append(Panel(f"{_display(axis.axis)} ({mentioning} mention it)", bars, tuple(notes)))
    notes = []
    if hidden_axes:
        notes.append(f"Not shown, every group under {min_cell_count} records (suppressed): {', '.join(hidden_axes)}.")
    notes.append("Mentions measure what the text talks about, not who wrote it.")
    return Chart(
        name="demographics",
        title="Demographic mentions: records mentioning each group",
        subtitle=(
            f"Measured by {demo.scanner} over {_records(demo.records)}, with the HolisticBias and Gender-GAP "
            f"lexicons. Groups under {min_cell_count} records are suppressed."
        ),
        x_label="share of scanned records mentioning the group",
        percent=True,
        panels=tuple(panels),
        notes=tuple(notes),
        empty_message=f"No group is mentioned in {min_cell_count} or more records.",
    )


def licence_chart(store: Ledger) -> Chart | None:
    mix = licence_mix(store)
    if not mix:
        return None
    total = sum(m["records"] for m in mix)
    bars = []
    for m in mix:
        flags = [f for f, on in (("share-alike", m["share_alike"]), ("no derivatives", m["no_derivatives"])) if on]
        text = f"{m['records']:,} · {_pct(m['records'] / total)}" + "".join(f" · {f}" for f in flags)
        bars.append(Bar(m["license"], float(m["records"]), text, USE_COLOURS[m["use"]]))
    present = [u for u in USE_COLOURS if any(m["use"] is u for m in mix)]
    return Chart(
        name="licences",
        title="Licence mix: records per effective licence",
        subtitle=(
            f"{_records(total)}; each record counts under its own licence where the data has a licence column, "
            "else its source's (declared in the sources manifest). Colour: what the licence allows."
        ),
        x_label="records",
        percent=False,
        panels=(Panel(None, tuple(bars)),),
        legend=tuple((USE_NAMES[u], USE_COLOURS[u]) for u in present),
        notes=("Use classes follow the licences' terms (provenance's licence taxonomy); not legal advice.",),
    )


def pii_chart(store: Ledger) -> Chart | None:
    pii = pii_rates(store)
    if pii["stamp"] is None:
        return None
    bars = tuple(Bar(t["label"], t["share"], f"{_pct(t['share'])} · {_records(t['records'])}") for t in pii["types"])
    gaps = tuple(f"Not looked for: {g}." for g in pii["gaps"])
    return Chart(
        name="pii",
        title="Personal data: share of records with each type",
        subtitle=(
            f"Measured by {pii['stamp']} over {_records(pii['scanned'])}: records with at least one finding of "
            "each type. Values are never stored, only keyed hashes."
        ),
        x_label="share of scanned records",
        percent=True,
        panels=(Panel(None, bars),),
        notes=gaps,
        empty_message="No personal data was found.",
    )


def build_charts(store: Ledger, *, top_languages: int = 10, min_cell_count: int = 10) -> dict[str, Chart]:
    """The charts the ledger has facts for, by name (a chart whose scanner never ran is left out)."""
    charts = {
        "languages": language_chart(store, top=top_languages),
        "demographics": demographic_chart(store, min_cell_count=min_cell_count),
        "licences": licence_chart(store),
        "pii": pii_chart(store),
    }
    return {k: v for k, v in charts.items() if v is not None}


# ---- layout ---------------------------------------------------------------------------------------------------------

WIDTH = 760
MARGIN = 16
FONT = "DejaVu Sans, Verdana, Arial, Helvetica, sans-serif"
TEXT = "#222222"
GREY = "#555555"
GRID = "#DDDDDD"
ROW = 22
BAR_H = 14
CHAR_W = 0.6  # average advance of DejaVu Sans, in ems: enough for layout, labels never overlap bars


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    stroke: str
    width: float = 1.0


@dataclass(frozen=True)
class Text:
    x: float
    y: float  # baseline
    text: str
    size: float
    anchor: str = "start"  # start | middle | end
    fill: str = TEXT
    bold: bool = False
    halo: bool = False  # a white outline, so the text stays readable where it crosses a gridline


@dataclass
class Layout:
    width: float
    height: float
    title: str
    items: list[Rect | Line | Text] = field(default_factory=list)


def _text_width(text: str, size: float) -> float:
    return len(text) * size * CHAR_W


def _wrap(text: str, size: float, width: float) -> list[str]:
    per_line = max(10, int(width / (size * CHAR_W)))
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > per_line:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return [*lines, line] if line else lines


def _fit(label: str, size: float, width: float) -> str:
    limit = max(4, int(width / (size * CHAR_W)))
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _nice_step(top: float, percent: bool) -> float:
    if top <= 0:
        return 0.25 if percent else 1.0
    raw = top / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if m * magnitude >= raw:
            step = m * magnitude
            break
    if not percent:
        step = max(1.0, round(step))
    return step


def _tick_label(v: float, percent: bool) -> str:
    if percent:
        return f"{v * 100:.0f}%" if abs(v * 100 - round(v * 100)) < 1e-9 else f"{v * 100:.1f}%"
    return f"{v:,.0f}"


def layout(chart: Chart) -> Layout:
    out = Layout(WIDTH, 0, chart.title)
    add = out.items.append
    inner = WIDTH - 2 * MARGIN
    y = MARGIN + 18
    add(Text(MARGIN, y, chart.title, 17, bold=True))
    for line in _wrap(chart.subtitle, 12, inner):
        y += 17
        add(Text(MARGIN, y, line, 12, fill=GREY))
    if chart.legend:
        y += 22
        x = MARGIN
        for label, colour in chart.legend:
            need = 18 + _text_width(label, 12) + 18
            if x + need > WIDTH - MARGIN and x > MARGIN:
                x, y = MARGIN, y + 20
            add(Rect(x, y - 11, 12, 12, colour))
            add(Text(x + 18, y, label, 12))
            x += need
    y += 14

    bars = chart.bars
    if not bars:
        y += 30
        add(Text(WIDTH / 2, y, chart.empty_message, 14, anchor="middle", fill=GREY))
        y += 14
    else:
        longest = max(_text_width(b.label, 12) for b in bars)
        label_w = min(max(longest, 60.0), 280.0)
        value_w = min(max(max(_text_width(b.text, 11.5) for b in bars) + 8, 90.0), 260.0)
        x0 = MARGIN + label_w + 10
        span = WIDTH - MARGIN - value_w - x0
        top = max(b.value for b in bars)
        step = _nice_step(top, chart.percent)
        axis_max = max(step, math.ceil(top / step - 1e-9) * step)
        if chart.percent:
            axis_max = min(axis_max, 1.0) if top <= 1.0 else axis_max
        scale = span / axis_max
        body: list[Rect | Line | Text] = []
        segments: list[tuple[float, float]] = []  # the rows of bars of each panel, where the gridlines run
        for panel in chart.panels:
            if panel.heading:
                y += 20
                body.append(Text(MARGIN, y, panel.heading, 13, bold=True))
                y += 4
            start = y
            for bar in panel.bars:
                top_y = y + (ROW - BAR_H) / 2
                w = max(bar.value * scale, 1.0 if bar.value > 0 else 0.0)
                body.append(Text(x0 - 8, y + ROW / 2 + 4, _fit(bar.label, 12, label_w), 12, anchor="end"))
                body.append(Rect(x0, top_y, w, BAR_H, bar.colour))
                body.append(Text(x0 + w + 6, y + ROW / 2 + 4, bar.text, 11.5, fill=TEXT, halo=True))
                y += ROW
            segments.append((start, y))
            for note in panel.notes:
                y += 15
                body.append(Text(x0, y, note, 11, fill=GREY))
            if panel.notes:
                y += 4
        if chart.panels[-1].notes:
            y += 4
            segments.append((y - 4, y))
        else:
            segments[-1] = (segments[-1][0], segments[-1][1] + 4)
        # gridlines under the bars, then the axis, tick labels and the axis label
        ticks = [i * step for i in range(round(axis_max / step) + 1)]
        for t in ticks:
            x = x0 + t * scale
            for a, b in segments:
                add(Line(x, a, x, b, GRID if t else "#888888"))
        out.items.extend(body)
        add(Line(x0, y, x0 + axis_max * scale, y, "#888888"))
        y += 14
        for t in ticks:
            add(Text(x0 + t * scale, y, _tick_label(t, chart.percent), 11, anchor="middle", fill=GREY))
        y += 18
        add(Text(x0 + axis_max * scale / 2, y, chart.x_label, 12, anchor="middle", fill=TEXT))
    for note in chart.notes:
        for i, line in enumerate(_wrap(note, 11, inner)):
            y += 17 if i == 0 else 14
            add(Text(MARGIN, y, line, 11, fill=GREY))
    out.height = math.ceil(y + MARGIN)
    return out


# ---- backends -------------------------------------------------------------------------------------------------------


def _n(v: float) -> str:
    s = f"{v:.1f}"
    return s[:-2] if s.endswith(".0") else s


def to_svg(chart: Chart, *, standalone: bool = True) -> str:
    """The chart as SVG text: deterministic, no ids, every label a text element. ``standalone=False`` leaves out
    the XML declaration and namespace, for inlining in HTML."""
    lay = layout(chart)
    ns = ' xmlns="http://www.w3.org/2000/svg"' if standalone else ""
    head = '<?xml version="1.0" encoding="UTF-8"?>\n' if standalone else ""
    parts = [
        f'{head}<svg{ns} width="{_n(lay.width)}" height="{_n(lay.height)}" viewBox="0 0 {_n(lay.width)} '
        f'{_n(lay.height)}" role="img" aria-label="{escape(lay.title)}" font-family="{FONT}">',
        f"<title>{escape(lay.title)}</title>",
        f'<rect x="0" y="0" width="{_n(lay.width)}" height="{_n(lay.height)}" fill="#FFFFFF"/>',
    ]
    for item in lay.items:
        if isinstance(item, Rect):
            parts.append(
                f'<rect x="{_n(item.x)}" y="{_n(item.y)}" width="{_n(item.w)}" height="{_n(item.h)}" '
                f'fill="{item.fill}"/>'
            )
        elif isinstance(item, Line):
            parts.append(
                f'<line x1="{_n(item.x1)}" y1="{_n(item.y1)}" x2="{_n(item.x2)}" y2="{_n(item.y2)}" '
                f'stroke="{item.stroke}" stroke-width="{_n(item.width)}"/>'
            )
        else:
            attrs = f' text-anchor="{item.anchor}"' if item.anchor != "start" else ""
            attrs += ' font-weight="bold"' if item.bold else ""
            attrs += (
                ' stroke="#FFFFFF" stroke-width="3" stroke-linejoin="round" paint-order="stroke"' if item.halo else ""
            )
            parts.append(
                f'<text x="{_n(item.x)}" y="{_n(item.y)}" font-size="{_n(item.size)}" fill="{item.fill}"{attrs}>'
                f"{escape(item.text, quote=False)}</text>"
            )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def png_available() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


PNG_SCALE = 2  # pixels per layout unit: crisp on high-density screens


def write_png(chart: Chart, path: str | Path) -> Path:
    """Draw the chart's layout with matplotlib (Agg, no pyplot state) into a PNG file."""
    try:
        from matplotlib import patheffects
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.lines import Line2D
        from matplotlib.patches import Rectangle
    except ImportError:
        raise MissingExtraError("PNG charts need matplotlib, which is not installed", hint=PNG_HINT) from None
    lay = layout(chart)
    dpi = 100
    fig = Figure(figsize=(lay.width / dpi, lay.height / dpi), dpi=dpi, facecolor="white")
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, lay.width)
    ax.set_ylim(lay.height, 0)
    ax.set_axis_off()
    pt = 72 / dpi  # one layout unit (a CSS pixel) in points
    for item in lay.items:
        if isinstance(item, Rect):
            ax.add_patch(Rectangle((item.x, item.y), item.w, item.h, facecolor=item.fill, linewidth=0))
        elif isinstance(item, Line):
            ax.add_line(Line2D([item.x1, item.x2], [item.y1, item.y2], color=item.stroke, linewidth=item.width * pt))
        else:
            ax.text(
                item.x,
                item.y,
                item.text,
                fontsize=item.size * pt,
                ha={"start": "left", "middle": "center", "end": "right"}[item.anchor],
                va="baseline",
                color=item.fill,
                fontweight="bold" if item.bold else "normal",
                family="DejaVu Sans",
                parse_math=False,
                path_effects=[patheffects.withStroke(linewidth=3 * pt, foreground="white")] if item.halo else None,
            )
    path = Path(path)
    fig.savefig(path, dpi=dpi * PNG_SCALE, facecolor="white", metadata={"Software": None})
    return path


def write_charts(
    ledger: str | Path | Ledger,
    out_dir: str | Path,
    *,
    formats: Sequence[str] | None = None,
    top_languages: int = 10,
    min_cell_count: int = 10,
) -> dict[str, list[Path]]:
    """Write each chart the ledger has facts for as ``chart-NAME.svg`` and ``chart-NAME.png`` into ``out_dir``.

    ``formats`` defaults to SVG, plus PNG when matplotlib is installed (the ``charts`` extra); asking for ``png``
    without it raises :class:`MissingExtraError`. Returns chart name -> the files written (SVG first).
    """
    wanted = tuple(formats) if formats is not None else (("svg", "png") if png_available() else ("svg",))
    unknown = sorted(set(wanted) - {"svg", "png"})
    if unknown:
        raise ValueError(f"unknown chart format(s): {', '.join(unknown)} (svg, png)")
    if "png" in wanted and not png_available():
        raise MissingExtraError("PNG charts need matplotlib, which is not installed", hint=PNG_HINT)
    if isinstance(ledger, Ledger):
        charts = build_charts(ledger, top_languages=top_languages, min_cell_count=min_cell_count)
    else:
        with Ledger(ledger, read_only=True) as store:
            charts = build_charts(store, top_languages=top_languages, min_cell_count=min_cell_count)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, list[Path]] = {}
    for name, chart in charts.items():
        files = []
        if "svg" in wanted:
            target = out / f"chart-{name}.svg"
            target.write_text(to_svg(chart), encoding="utf-8")
            files.append(target)
        if "png" in wanted:
            files.append(write_png(chart, out / f"chart-{name}.png"))
        written[name] = files
    return written


def _all_text(chart: Chart) -> Iterable[str]:
    """Every string a chart shows (for tests and accessibility checks)."""
    yield chart.title
    yield chart.subtitle
    for p in chart.panels:
        if p.heading:
            yield p.heading
        for b in p.bars:
            yield b.label
            yield b.text


__all__ = [
    "Bar",
    "Chart",
    "Panel",
    "build_charts",
    "licence_mix",
    "pii_rates",
    "png_available",
    "to_svg",
    "write_charts",
    "write_png",
]
