"""One shared look for the screen (plotly) and for files (matplotlib).

Colours are set explicitly in every figure (``layout.colorway`` and each trace's colour) rather than left to a
template: Streamlit's chart theme recolours traces that have no explicit colour, and server-side exports never see
that theme, so the figure itself has to carry the style for the screen and the files to match.
"""

from __future__ import annotations

# Okabe & Ito (2008), "Color Universal Design": distinguishable under the common colour-vision deficiencies.
# Their order, with black moved last and replaced by a mid grey that reads on white and on a dark background.
# (Yellow, 4th, has little contrast on white; it is only reached from the 4th curve on.)
PALETTE: tuple[str, ...] = (  # Okabe-Ito, ordered for contrast on white: the app's blue first, yellow late
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#56B4E9",  # sky blue
    "#CC79A7",  # reddish purple
    "#F0E442",  # yellow (faint on white)
    "#999999",  # grey (Okabe-Ito black, lightened for dark themes)
)


def color(i: int) -> str:
    """The palette colour of the ``i``-th curve (cycles after 8)."""
    return PALETTE[i % len(PALETTE)]


# Theme colours: background = plot area, paper = around it, grid = grid lines, axis = axis lines and ticks,
# text = labels and titles, muted = phase boundaries and notes.
LIGHT: dict[str, str] = {
    "background": "#FFFFFF",
    "paper": "#FFFFFF",
    "grid": "#E5E5E5",
    "axis": "#6B6B6B",
    "text": "#262730",
    "muted": "#7A7A7A",
}
# Dark colours match the dark theme of .streamlit/config.toml, so the chart sits flush in the dark app.
DARK: dict[str, str] = {  # the app's dark theme (.streamlit/config.toml) behind the chart
    "background": "#0F1419",
    "paper": "#0F1419",
    "grid": "#2A323C",
    "axis": "#9AA3AE",
    "text": "#E6EAF0",
    "muted": "#A3ACB8",
}
THEMES: dict[str, dict[str, str]] = {"light": LIGHT, "dark": DARK}


def theme_colors(theme: str) -> dict[str, str]:
    """LIGHT or DARK by name; ValueError for anything else."""
    try:
        return THEMES[theme]
    except KeyError:
        raise ValueError(f"theme must be one of {sorted(THEMES)}, got {theme!r}") from None


# Fonts: plotly takes the whole stack (the browser picks the first it has); matplotlib takes the first entry,
# which ships with matplotlib, so files render identically everywhere.
FONT_FAMILY: tuple[str, ...] = ("DejaVu Sans", "Verdana", "Arial", "sans-serif")
# Sizes in CSS pixels (plotly); matplotlib sizes are in points: multiply by PT_PER_PX.
FONT_SIZE = 13        # axis titles, legend
TICK_SIZE = 12
TITLE_SIZE = 15
SMALL_SIZE = 11       # phase labels, notes
LINE_WIDTH = 2.0      # curves
PHASE_WIDTH = 1.0     # phase boundaries
PT_PER_PX = 0.75      # 1 CSS px = 1/96 in, 1 pt = 1/72 in

# Line dashes by Curve.dash: plotly dash names and matplotlib dash tuples of the same look.
DASHES_PLOTLY: dict[str | None, str] = {None: "solid", "dash": "dash", "dot": "dot"}
DASHES_MPL: dict[str | None, object] = {None: "solid", "dash": (0, (5, 3)), "dot": (0, (1, 2))}

# Axis titles by x unit (the same on screen and in files)
X_TITLES: dict[str, str] = {"steps": "step", "epochs": "epoch", "fraction": "fraction of training"}
Y_TITLE = "learning rate"
