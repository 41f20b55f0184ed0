"""Streamlit pages only: layout, session state and calls to the `kb` API."""
