"""The annual report's charts: matplotlib bar charts drawn only from protected figures.

A chart takes its numbers from the table as published (`report.ShownTable`), so a count
the small-number rule hides has no bar: the chart writes "fewer than 5" or "not shown" at
its foot instead, and no axis or label gives it away. Imported only by `ccp report`
(matplotlib costs ~0.4 s to import).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workflow.reports.counting import NOT_RECORDED, TOTAL
from workflow.reports.tables import ShownCell, ShownTable

DPI = 200
WIDTH_IN, HEIGHT_IN = 6.3, 3.0  # 16 cm wide: the text width of the A4 page
DARK_BLUE = "#1F3864"
LIGHT_BLUE = "#8EAADB"
GREY = "#595959"
FONTS = ["Carlito", "Calibri", "DejaVu Sans"]


@dataclass
class Chart:
    key: str
    path: Path
    alt: str  # the alternative text a screen reader reads (docPr descr)


def draw(shown: ShownTable, out_dir: Path) -> Chart:
    """Draw the chart of one table into ``out_dir/<key>.png``."""
    key = shown.table.chart or shown.table.key
    drawers = {
        "referrals_by_month": _month_bars,
        "age_bands": _bars,
        "time_to_discussion": _bars,
        "risk": _risk_bars,
        "actions": _action_bars,
        "themes": _theme_bars,
    }
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
    try:
        alt = drawers.get(key, _bars)(axes, shown)
        _tidy(axes)
        figure.tight_layout()
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / f"{key}.png"
        figure.savefig(path, dpi=DPI, format="png", metadata={"Software": None})
    finally:
        plt.close(figure)
    return Chart(key, path, alt)


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    available = {font.name for font in font_manager.fontManager.ttflist}
    family = next((name for name in FONTS if name in available), "DejaVu Sans")
    plt.rcParams.update(
        {
            "font.family": family,
            "font.size": 9,
            "axes.edgecolor": GREY,
            "axes.labelcolor": GREY,
            "xtick.color": GREY,
            "ytick.color": GREY,
            "svg.hashsalt": "ccp",
        }
    )
    return plt


def _tidy(axes: Any) -> None:
    from matplotlib.ticker import MaxNLocator

    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    if axes.get_ylabel() != "":
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))


def _series(shown: ShownTable, column: int = 0) -> list[tuple[str, ShownCell]]:
    return [(row.label, cells[column]) for row, cells in shown.rows if not row.total]


def _value(cell: ShownCell) -> int | None:
    return None if cell.hidden or not isinstance(cell.value, int | float) else int(cell.value)


def _vertical(axes: Any, labels: list[str], cells: list[ShownCell], ylabel: str) -> None:
    values = [_value(cell) for cell in cells]
    heights = [value or 0 for value in values]
    positions = range(len(labels))
    bars = axes.bar(positions, heights, color=DARK_BLUE, width=0.65)
    top = max(heights, default=0) or 1
    for bar, value, cell in zip(bars, values, cells, strict=True):
        x = bar.get_x() + bar.get_width() / 2
        if value is None:
            _hidden_label(axes, x, top * 0.02, cell.text, rotation=90)
        else:
            axes.text(x, value, str(value), ha="center", va="bottom", fontsize=8)
    axes.set_xticks(list(positions), labels)
    axes.set_ylabel(ylabel)
    axes.set_ylim(0, top * 1.18)


def _hidden_label(axes: Any, x: float, y: float, text: str, *, rotation: int) -> None:
    """Where a bar would be: the words the table shows, never a height."""
    vertical = rotation == 90
    axes.text(
        x,
        y,
        text,
        rotation=rotation,
        ha="center" if vertical else "left",
        va="bottom" if vertical else "center",
        fontsize=7,
        color=GREY,
        style="italic",
    )


def _bars(axes: Any, shown: ShownTable) -> str:
    series = [(label, cell) for label, cell in _series(shown) if label != NOT_RECORDED]
    labels = [label for label, _ in series]
    cells = [cell for _, cell in series]
    _vertical(axes, labels, cells, shown.table.columns[0].title)
    if len(labels) > 5:
        axes.tick_params(axis="x", labelsize=8)
    return _alt("Bar chart", shown, series)


def _month_bars(axes: Any, shown: ShownTable) -> str:
    series = _series(shown)
    labels = [_short_month(label) for label, _ in series]
    _vertical(axes, labels, [cell for _, cell in series], "Referrals")
    axes.tick_params(axis="x", labelsize=8)
    return _alt("Bar chart", shown, series)


def _short_month(label: str) -> str:
    month, _, year = label.partition(" ")
    return f"{month[:3]}\n{year}"


def _risk_bars(axes: Any, shown: ShownTable) -> str:
    rows = [(row, cells) for row, cells in shown.rows if not row.total]
    positions = list(range(len(rows)))
    width = 0.38
    top = 1
    for offset, index, colour in ((-width / 2, 0, LIGHT_BLUE), (width / 2, 1, DARK_BLUE)):
        cells = [row_cells[index] for _, row_cells in rows]
        values = [_value(cell) for cell in cells]
        top = max(top, *[value or 0 for value in values])
        bars = axes.bar(
            [p + offset for p in positions],
            [value or 0 for value in values],
            width=width,
            color=colour,
            label=shown.table.columns[index].title,
        )
        for bar, value, cell in zip(bars, values, cells, strict=True):
            x = bar.get_x() + bar.get_width() / 2
            if value is None:
                _hidden_label(axes, x, 0, cell.text, rotation=90)
            else:
                axes.text(x, value, str(value), ha="center", va="bottom", fontsize=8)
    axes.set_xticks(positions, [row.label for row, _ in rows])
    axes.set_ylabel("Children")
    axes.set_ylim(0, top * 1.25)
    axes.legend(frameon=False, fontsize=8)
    parts = []
    for row, cells in rows:
        parts.append(f"{row.label}: {cells[0].text} at referral, {cells[1].text} latest")
    return (
        f"Grouped bar chart: {shown.table.title}. " + "; ".join(parts) + ". " + _hidden_note(shown)
    ).strip()


def _action_bars(axes: Any, shown: ShownTable) -> str:
    total = next(cells for row, cells in shown.rows if row.total)
    wanted = ("completed", "open", "overdue", "cancelled")
    columns = shown.table.columns
    series = [(columns[i].title, total[i]) for i, c in enumerate(columns) if c.key in wanted]
    _horizontal(axes, series, "Actions")
    return _alt("Horizontal bar chart of all agencies' actions by outcome", shown, series)


def _theme_bars(axes: Any, shown: ShownTable) -> str:
    series = _series(shown)[:10]
    _horizontal(axes, series, "Children")
    return _alt("Horizontal bar chart", shown, series)


def _horizontal(axes: Any, series: list[tuple[str, ShownCell]], xlabel: str) -> None:
    labels = [_wrap(label) for label, _ in series][::-1]
    cells = [cell for _, cell in series][::-1]
    values = [_value(cell) for cell in cells]
    positions = range(len(labels))
    bars = axes.barh(positions, [value or 0 for value in values], color=DARK_BLUE, height=0.6)
    right = max([value or 0 for value in values], default=0) or 1
    for bar, value, cell in zip(bars, values, cells, strict=True):
        y = bar.get_y() + bar.get_height() / 2
        if value is None:
            _hidden_label(axes, right * 0.01, y, cell.text, rotation=0)
        else:
            axes.text(value, y, f" {value}", va="center", fontsize=8)
    axes.set_yticks(list(positions), labels)
    axes.set_xlabel(xlabel)
    axes.set_xlim(0, right * 1.15)
    from matplotlib.ticker import MaxNLocator

    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.tick_params(axis="y", labelsize=8)


def _wrap(label: str, width: int = 34) -> str:
    words, lines, line = label.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "\n".join(lines[:2]) + ("…" if len(lines) > 2 else "")


def _alt(kind: str, shown: ShownTable, series: list[tuple[str, ShownCell]]) -> str:
    values = "; ".join(f"{label}: {cell.text}" for label, cell in series)
    return f"{kind}: {shown.table.title}. {values}. {_hidden_note(shown)}".strip()


def _hidden_note(shown: ShownTable) -> str:
    if any(cell.hidden for row, cells in shown.rows for cell in cells if row.label != TOTAL):
        return "Small numbers are not drawn, to protect the children."
    return ""
