"""Matplotlib figures as inline SVG that is byte-stable and safe to embed in HTML.

A report is compared byte for byte between renders (and archived next to its
run), so the SVG must not carry anything that changes between runs: no date,
no random element ids, no text turned into glyph paths that depend on the font
cache. And it must not reference anything outside the document: no DOCTYPE
pointing at w3.org, no namespace URLs (the HTML parser puts inline ``<svg>`` in
the SVG namespace by itself).

The figures are built with :class:`matplotlib.figure.Figure` directly, never
through ``pyplot``, so no GUI backend or global figure registry is involved and
the code is safe under any backend (``Agg`` included).
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import matplotlib
from markupsafe import Markup, escape
from matplotlib.figure import Figure

__all__ = ["CHART_RC", "chart_style", "figure_to_svg"]

CHART_RC: Mapping[str, Any] = {
    "svg.hashsalt": "whitecell",
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Helvetica Neue", "Arial", "Liberation Sans"],
    "font.size": 9.5,
    "axes.edgecolor": "#9aa3ad",
    "axes.labelcolor": "#2b2f33",
    "axes.titlesize": 10.5,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": "#4a5159",
    "ytick.color": "#4a5159",
    "legend.frameon": False,
    "path.simplify": False,
}
"""Matplotlib settings for every report chart (fixed hash salt, text kept as text)."""

_RC_LOCK = threading.RLock()  # rcParams are process-global: one chart at a time

_NO_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}
_ID_ATTR = re.compile(r'\bid="([^"]+)"')
_HREF_REF = re.compile(r'(xlink:href|href)="#([^"]+)"')
_URL_REF = re.compile(r"url\(#([^)]+)\)")
_ROOT = re.compile(r"<svg\b[^>]*>")
_VIEWBOX = re.compile(r'viewBox="([^"]+)"')


@contextmanager
def chart_style(salt: str) -> Iterator[None]:
    """Matplotlib settings for one report chart; ``salt`` fixes the ids of its SVG.

    Matplotlib's settings are global to the process, so charts are drawn one at
    a time (a lock) and every setting is restored on exit.
    """
    with _RC_LOCK, matplotlib.rc_context():
        params: Any = matplotlib.rcParams  # its stubs take only literal keys
        params.update(CHART_RC)
        params["svg.hashsalt"] = f"whitecell-{salt}"
        yield


def figure_to_svg(fig: Figure, *, chart_id: str, title: str) -> Markup:
    """Serialise ``fig`` as an ``<svg>`` element to inline in an HTML page.

    The element scales to its container (``viewBox`` kept, fixed width and
    height dropped), carries ``role="img"`` and a ``<title>`` for screen
    readers, and every id inside it is prefixed with ``chart_id`` so two charts
    in one page never share an id. Call it inside :func:`chart_style` so the
    SVG is byte-stable.

    Args:
        fig: the figure to save (left untouched).
        chart_id: a short identifier, unique within the page (letters, digits, dashes).
        title: accessible title of the chart.

    Returns:
        The SVG markup, marked safe for Jinja2.
    """
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9-]*", chart_id):
        raise ValueError(f"chart_id must be letters, digits and dashes; got {chart_id!r}")
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata=_NO_METADATA)
    text = buf.getvalue()
    start = text.find("<svg")
    if start < 0:  # pragma: no cover - matplotlib always writes an <svg> root
        raise RuntimeError("matplotlib did not produce an <svg> element")
    text = text[start:]
    text = _ID_ATTR.sub(lambda m: f'id="{chart_id}-{m.group(1)}"', text)
    text = _HREF_REF.sub(lambda m: f'{m.group(1)}="#{chart_id}-{m.group(2)}"', text)
    text = _URL_REF.sub(lambda m: f"url(#{chart_id}-{m.group(1)})", text)
    root = _ROOT.search(text)
    if root is None:  # pragma: no cover
        raise RuntimeError("matplotlib did not produce an <svg> element")
    box = _VIEWBOX.search(root.group(0))
    view_box = box.group(1) if box else "0 0 100 100"
    new_root = (
        f'<svg class="chart" id="{chart_id}" viewBox="{view_box}" version="1.1" role="img" '
        f'aria-labelledby="{chart_id}-title" preserveAspectRatio="xMidYMid meet">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
    )
    text = text[: root.start()] + new_root + text[root.end() :]
    return Markup(text.strip())
