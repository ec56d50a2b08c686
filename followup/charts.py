"""Server-rendered SVG charts (pygal) for the dashboard and the PDF reports, each with its data as a table.

A chart is readable without JavaScript and without colour: the SVG carries a ``<title>`` and a ``<desc>``
that says what it shows in words, and every chart comes with the same figures as an accessible table.

pygal writes an inline ``<script>`` (its tooltip configuration) and an inline ``<style>`` into every SVG. The
pages run under a strict Content Security Policy, so the script is always removed and, for the web, the
style too: the same rules are served once as a stylesheet by :func:`chart_css` (scoped to ``.pygal-chart``).
In the PDF a chart is an image (a ``data:`` URL, with the description as its text alternative) carrying
:data:`PRINT_STYLE`, the few rules of pygal's stylesheet that matter on paper: WeasyPrint then neither
styles every SVG node as part of the page nor parses pygal's whole stylesheet (hover, tooltips,
transitions, maps) once per chart, which made up most of the time an annual report took to render.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from itertools import count

import pygal
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pygal.style import Style

# Each colour has at least 4.5:1 contrast on white (WCAG 1.4.3 for text, 1.4.11 for graphics).
PALETTE = ("#1d4f91", "#a13d00", "#2a6b2f", "#6b2c91", "#7a5c00", "#005f6b")
TEXT = "#1a1a1a"
SUBTLE = "#595959"  # 7:1 on white
FONT = "Arial, Helvetica, sans-serif"

STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground=TEXT,
    foreground_strong=TEXT,
    foreground_subtle=SUBTLE,
    opacity="1",
    opacity_hover="1",
    transition="0ms",
    colors=PALETTE,
    font_family=FONT,
    label_font_size=14,
    major_label_font_size=14,
    value_font_size=14,
    value_label_font_size=14,
    legend_font_size=14,
    title_font_size=16,
    tooltip_font_size=14,
    no_data_font_size=18,
)

COMMON = {
    "style": STYLE,
    "js": [],  # pygal's tooltip script lives on a CDN: never reference it
    "disable_xml_declaration": True,
    "show_legend": False,
    "print_values": False,
    "dots_size": 4,
    "stroke_style": {"width": 3},
    "margin": 12,
}

_ids = count(1)

# What pygal's stylesheet does for a line or bar chart on paper (no hover, tooltips or transitions).
PRINT_STYLE = "".join(
    [
        f"svg{{font-family:{FONT}}}",
        ".graph{fill:%s}",
        ".graph>.background,.plot>.background{fill:#ffffff}",
        ".title{font-size:16px;fill:%s;text-anchor:middle}",
        ".axis text{font-size:14px}",
        ".axis text.major,.series text{fill:%s}",
        "text.no_data{font-size:18px;fill:%s;text-anchor:middle}",
        ".axis .line,.axis .major.line{stroke:%s}",
        ".axis .guide.line{stroke-dasharray:4,4;stroke:black}",
        ".axis .major.guide.line{stroke-dasharray:6,6;stroke:black}",
        ".guide.line,.nofill{fill:none}",
        ".horizontal .axis.y .guide.line,.vertical .axis.x .guide.line{opacity:0}",
        ".horizontal .axis.always_show .guide.line,.vertical .axis.always_show .guide.line{opacity:1}",
        ".centered,.axis.x text{text-anchor:middle}",
        ".axis.x text[transform]{text-anchor:start}",
        ".axis.x text[transform].backwards{text-anchor:end}",
        ".axis.y text{text-anchor:end}",
        ".axis.y text[transform].backwards{text-anchor:start}",
        ".reactive{fill-opacity:1;stroke-opacity:.8;stroke-width:1}",
        ".dot{stroke-width:1px;fill-opacity:1;stroke-opacity:1}",
        ".series{stroke-width:3}",
        "text{stroke:none}",
        *(f".color-{index}{{stroke:{colour};fill:{colour}}}" for index, colour in enumerate(PALETTE)),
    ]
).replace("%s", TEXT)


# On paper at most six scale steps: fewer labels to lay out, and the table beside gives every figure.
PRINT_SCALE = {"max_scale": 6}


def _options(**extra) -> dict:
    return {**COMMON, "no_data_text": _("No data"), **extra}


@dataclass(frozen=True)
class TableRow:
    label: str
    display: str  # formatted, "<5" when suppressed, "–" without data


@dataclass(frozen=True)
class Chart:
    """An SVG chart and the data behind it; ``svg`` is safe markup ready for a template."""

    title: str
    description: str
    svg: SafeString
    caption: str
    label_heading: str
    value_heading: str
    rows: tuple[TableRow, ...]


def _number(value: float) -> str:
    return number_format(
        value, decimal_pos=0 if float(value).is_integer() else 1, use_l10n=True, force_grouping=True
    )


def _float(value) -> float | None:
    """pygal draws floats; a suppressed or missing value is a gap in the line, never a zero."""
    return None if value.value is None or value.suppressed else float(Decimal(value.value))


def _strip(*, keep_style: bool, title: str, description: str):
    """An xml filter: remove pygal's inline script (and style for the web) and describe the chart."""

    def apply(root):
        number = next(_ids)
        for comment in [node for node in root if not isinstance(node.tag, str)]:
            root.remove(comment)  # pygal's credits, with addresses that have no place in the page
        for parent in root.iter():
            for child in list(parent):
                if "tooltip" in child.get("class", "").split():
                    parent.remove(child)  # the JavaScript tooltip's box, hidden by an inline style
                elif keep_style and str(child.tag).rsplit("}", 1)[-1] == "desc":
                    parent.remove(child)  # on paper: each point's data for the tooltip (in the table)
            parent.attrib.pop("style", None)  # the policy blocks inline styles
        for defs in root.findall("{http://www.w3.org/2000/svg}defs") + root.findall("defs"):
            for child in list(defs):
                tag = child.tag.rsplit("}", 1)[-1]
                if tag == "script" or (tag == "style" and not keep_style):
                    defs.remove(child)
                elif tag == "style":
                    child.text = PRINT_STYLE
        title_node = next((node for node in root if str(node.tag).rsplit("}", 1)[-1] == "title"), None)
        if title_node is None:
            title_node = root.makeelement("title", {})
            root.insert(0, title_node)
        title_node.text = title
        title_node.set("id", f"chart-title-{number}")
        desc = root.makeelement("desc", {"id": f"chart-desc-{number}"})
        desc.text = description
        root.insert(list(root).index(title_node) + 1, desc)
        root.set("role", "img")
        root.set("aria-labelledby", f"chart-title-{number} chart-desc-{number}")
        root.set("focusable", "false")
        return root

    return apply


def _render(chart, *, title: str, description: str, for_print: bool) -> SafeString:
    chart.add_xml_filter(_strip(keep_style=for_print, title=title, description=description))
    if for_print:
        encoded = base64.b64encode(chart.render(is_unicode=True).encode()).decode("ascii")
        return format_html(
            '<img class="chart__svg" src="data:image/svg+xml;base64,{}" alt="{}">', encoded, description
        )
    # pygal built the markup from numbers and our own escaped strings; etree escapes text on output.
    return mark_safe(chart.render())


def _describe(labels: Sequence[str], values: Sequence) -> str:
    shown = [(label, value) for label, value in zip(labels, values, strict=True) if _float(value) is not None]
    if not shown:
        return _("No values to show for the chosen period.")
    highest = max(shown, key=lambda pair: _float(pair[1]))
    lowest = min(shown, key=lambda pair: _float(pair[1]))
    hidden = len(labels) - len(shown)
    text = _("Highest value %(high)s (%(high_label)s), lowest %(low)s (%(low_label)s).") % {
        "high": highest[1].display(),
        "high_label": highest[0],
        "low": lowest[1].display(),
        "low_label": lowest[0],
    }
    if hidden:
        text += " " + ngettext(
            "%(count)s value is not shown because it is below 5 or missing.",
            "%(count)s values are not shown because they are below 5 or missing.",
            hidden,
        ) % {"count": hidden}
    return text


def trend_chart(result, *, title: str, for_print: bool = False, width: int = 720, height: int = 320) -> Chart:
    """A line chart of the result's periods (month, quarter or year buckets)."""
    labels = [row.label for row in result.periods]
    values = [row.value for row in result.periods]
    description = _("Line chart per period.") + " " + _describe(labels, values)
    chart = pygal.Line(
        width=width,
        height=height,
        x_label_rotation=0 if len(labels) <= 6 else 45,
        value_formatter=_number,
        allow_interruptions=True,
        include_x_axis=True,  # the scale starts at zero, so a small change does not look large
        **_options(margin_right=72, **PRINT_SCALE if for_print else {}),  # room for the last label
    )
    chart.x_labels = labels
    chart.add(title, [_float(value) for value in values])
    return Chart(
        title=title,
        description=description,
        svg=_render(chart, title=title, description=description, for_print=for_print),
        caption=_("%(title)s per period") % {"title": title},
        label_heading=_("Period"),
        value_heading=_("Value"),
        rows=tuple(TableRow(row.label, row.value.display()) for row in result.periods),
    )


def split_chart(result, *, title: str, split_label: str, for_print: bool = False, width: int = 720) -> Chart:
    """A horizontal bar chart of the result's split rows (localities, sexes, age bands...)."""
    labels = [row.label for row in result.rows]
    values = [row.value for row in result.rows]
    description = (
        _("Bar chart by %(split)s.") % {"split": split_label.lower()} + " " + _describe(labels, values)
    )
    chart = pygal.HorizontalBar(
        width=width,
        height=max(160, 60 + 36 * len(labels)),
        value_formatter=_number,
        **_options(**PRINT_SCALE if for_print else {}),
    )
    # pygal draws the first bar at the bottom; reversed, the chart reads top-down like the table.
    chart.x_labels = labels[::-1]
    chart.add(title, [_float(value) for value in values[::-1]])
    return Chart(
        title=title,
        description=description,
        svg=_render(chart, title=title, description=description, for_print=for_print),
        caption=_("%(title)s by %(split)s") % {"title": title, "split": split_label.lower()},
        label_heading=split_label,
        value_heading=_("Value"),
        rows=tuple(TableRow(row.label, row.value.display()) for row in result.rows),
    )


def sparkline(result, *, title: str) -> SafeString:
    """A small trend line for a dashboard card; the card states the figures in words beside it."""
    labels = [row.label for row in result.periods]
    values = [row.value for row in result.periods]
    description = _describe(labels, values)
    chart = pygal.Line(
        width=240,
        height=60,
        show_dots=True,
        show_x_labels=False,
        show_y_labels=False,
        show_x_guides=False,
        show_y_guides=False,
        spacing=0,
        allow_interruptions=True,
        classes=(Ellipsis, "pygal-sparkline"),
        **_options(margin=6, no_data_text="", dots_size=3),
    )
    chart.x_labels = labels
    chart.add(title, [_float(value) for value in values])
    return _render(
        chart, title=_("Trend: %(title)s") % {"title": title}, description=description, for_print=False
    )


@cache
def chart_css() -> str:
    """pygal's own stylesheet for our style, scoped to ``.pygal-chart`` instead of one chart's id."""
    chart = pygal.Line(**COMMON)
    chart.add("", [1])
    for _index in range(len(PALETTE) - 1):
        chart.add("", [1])
    tree = chart.render_tree()
    style = next(node for node in tree.iter() if str(node.tag).rsplit("}", 1)[-1] == "style")
    return style.text.replace(f"#chart-{chart.uuid}", ".pygal-chart")
