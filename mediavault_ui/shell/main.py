"""The review app's entry script: who is reviewing, the menu, and the data banner around every
page (see navigation.py for why it lives in shell/)."""

from __future__ import annotations

import streamlit as st
from streamlit import config

from mediavault_assets.settings import ReviewUser
from mediavault_assets.user_store import UserStore
from mediavault_ui import auth, navigation, status, ui
from mediavault_ui.data import DataUnavailable, open_library

st.set_page_config(page_title="MediaVault", page_icon="🎞️", layout="wide")


SESSION_KEY = "sign_in_session"


def _login(store: UserStore, users: list[ReviewUser]) -> None:
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
            st.session_state[SESSION_KEY] = auth.start_session(
                store, user, ip_address=_client(), user_agent=st.context.headers.get("User-Agent")
            )
            st.rerun()
        middle.error("Unknown user name or wrong password.")
    st.stop()


def _client() -> str | None:
    address = st.context.ip_address
    return address if isinstance(address, str) else None


def _sign_out(store: UserStore) -> None:
    auth.end_session(store, st.session_state.get(SESSION_KEY))
    for key in (ui.REVIEWER_KEY, SESSION_KEY, ui.MEDIA_TOKEN_KEY):
        st.session_state.pop(key, None)


def _media_token(store: UserStore) -> str | None:
    """A fresh media token while the signed-in user is still active and their session lives,
    else None (checked on every run: removing a user signs them out)."""
    user = st.session_state.get(ui.REVIEWER_KEY)
    if not user:
        return None
    return auth.media_token(store, st.session_state.get(SESSION_KEY, ""), user)


try:
    library = open_library()
except DataUnavailable as problem:
    st.title("MediaVault")
    st.info(str(problem), icon=":material/info:")
    st.stop()

users = auth.user_store(library.settings)
signing_in = auth.login_required(library.settings, users)
if signing_in:
    token = _media_token(users)
    if token is None:
        _sign_out(users)
        _login(users, users.sign_in_users())
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
else:
    users.ensure_local_user(ui.reviewer())  # the loopback app's one user is its admin

menu = st.navigation(navigation.pages())

with st.sidebar:
    st.caption(f"Reviewer: **{ui.plain(ui.reviewer())}**")
    if signing_in and st.button("Sign out", icon=":material/logout:"):
        _sign_out(users)
        st.rerun()
status.banner(library)
menu.run()
