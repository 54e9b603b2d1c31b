"""LR schedules, exactly: the Streamlit entry point (run with `streamlit run app.py`)."""

import streamlit as st

st.set_page_config(page_title="LR schedules, exactly", page_icon="📉", layout="wide")

PAGES = {
    "Schedules": [
        st.Page("app_pages/explore.py", title="Explore", icon=":material/show_chart:", default=True),  # served at /
        st.Page("app_pages/compare.py", title="Compare", icon=":material/stacked_line_chart:", url_path="compare"),
        st.Page("app_pages/compose.py", title="Compose", icon=":material/merge:", url_path="compose"),
        st.Page("app_pages/animate.py", title="Animate", icon=":material/animation:", url_path="animate"),
    ],
    "Learn by doing": [
        st.Page("app_pages/train.py", title="Train", icon=":material/model_training:", url_path="train"),
        st.Page("app_pages/range_test.py", title="LR range test", icon=":material/search_insights:",
                url_path="range-test"),
        st.Page("app_pages/plateau.py", title="Plateau", icon=":material/trending_flat:", url_path="plateau"),
        st.Page("app_pages/batch_size.py", title="Batch size & LR", icon=":material/stacks:", url_path="batch-size"),
    ],
}

st.navigation(PAGES).run()
st.sidebar.caption("Every curve comes from an exact numpy engine, tested equal to the frameworks' own step loops "
                   "(PyTorch 2.13, transformers 5.23; OneFlow's published tables) to 1e-9.")
