"""From engine curves to figures and files: numpy arrays in, plotly figures, images, CSV and JSON out.

    schedules (engine) -> numpy array -> render -> pages (Streamlit)

No streamlit here: the app passes ``theme="light"/"dark"`` and shows the figure with
``st.plotly_chart(fig, theme=None, config=chart_config(name))``. matplotlib (static images) is imported on first use.
"""

from .decimate import minmax_decimate
from .figures import Curve, chart_config, lr_figure
from .files import curves_csv, curves_json
from .static import static_image
from .style import DARK, LIGHT, PALETTE, color

__all__ = ["DARK", "LIGHT", "PALETTE", "Curve", "chart_config", "color", "curves_csv", "curves_json",
           "lr_figure", "minmax_decimate", "static_image"]
