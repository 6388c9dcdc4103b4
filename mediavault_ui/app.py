"""MediaVault review app: the Streamlit pages (shell/main.py) plus the media routes, one origin.

Start it with `mediavault ui`, which runs `streamlit run` on this file; Streamlit finds the
st.App below and serves it with uvicorn.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware

from mediavault_ui.routes import HostGuard, media_routes

app = st.App(
    Path(__file__).parent / "shell" / "main.py",
    routes=media_routes(),
    middleware=[Middleware(HostGuard)],
)
