"""The review app's entry script: who is reviewing, the menu, and the data banner around every
page (see navigation.py for why it lives in shell/)."""

from __future__ import annotations

import streamlit as st
from streamlit import config

from mediavault_assets.settings import ReviewUser
from mediavault_ui import auth, navigation, status, ui
from mediavault_ui.data import DataUnavailable, open_library

st.set_page_config(page_title="MediaVault", page_icon="🎞️", layout="wide")


SESSION_KEY = "sign_in_session"


def _login(users: list[ReviewUser]) -> None:
    _, middle, _ = st.columns([1, 2, 1])
    middle.title("MediaVault")
    with middle.form("login"):
        st.subheader("Sign in to review")
        username = st.text_input("User name")
        password = st.text_input("Password", type="password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        try:
            user = auth.SIGN_IN.sign_in(users, username, password, _client())
        except auth.SignInRefused as refused:
            middle.error(str(refused))
            st.stop()
        if user:
            st.session_state[ui.REVIEWER_KEY] = user
            st.session_state[SESSION_KEY] = auth.start_session(user)
            st.rerun()
        middle.error("Unknown user name or wrong password.")
    st.stop()


def _client() -> str | None:
    address = st.context.ip_address
    return address if isinstance(address, str) else None


def _sign_out() -> None:
    auth.end_session(st.session_state.get(SESSION_KEY))
    for key in (ui.REVIEWER_KEY, SESSION_KEY, ui.MEDIA_TOKEN_KEY):
        st.session_state.pop(key, None)


def _media_token(users: list[ReviewUser]) -> str | None:
    """A fresh media token while the signed-in user is still configured and their session
    lives, else None (checked on every run: removing a user signs them out)."""
    user = st.session_state.get(ui.REVIEWER_KEY)
    if not user or not any(auth.same_text(u.username, user) for u in users):
        return None
    return auth.media_token(st.session_state.get(SESSION_KEY, ""), user)


try:
    library = open_library()
except DataUnavailable as problem:
    st.title("MediaVault")
    st.info(str(problem), icon=":material/info:")
    st.stop()

if auth.login_required(library.settings):
    token = _media_token(library.settings.review_users)
    if token is None:
        _sign_out()
        _login(library.settings.review_users)
    st.session_state[ui.MEDIA_TOKEN_KEY] = token
elif not auth.is_loopback(config.get_option("server.address")):
    # Without users the app must stay on this machine: `mediavault ui` enforces it, this
    # catches a hand-started `streamlit run` that listens on every interface.
    st.title("MediaVault")
    st.error(
        "The review app only serves 127.0.0.1 unless review_users are configured. "
        "Add users (see `mediavault hash-password`) or start it with `mediavault ui`."
    )
    st.stop()

menu = st.navigation(navigation.pages())

with st.sidebar:
    st.caption(f"Reviewer: **{ui.plain(ui.reviewer())}**")
    if auth.login_required(library.settings) and st.button("Sign out", icon=":material/logout:"):
        _sign_out()
        st.rerun()
status.banner(library)
menu.run()
