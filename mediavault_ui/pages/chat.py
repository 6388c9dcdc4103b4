"""Chat with your data: questions about the library, with the SQL that ran under each answer.

With AZURE_OPENAI_* or OPENAI_API_KEY set, a model answers through read-only queries; without,
built-in answers cover seed 000's questions. Answers, file names and TMDb text are untrusted:
they are shown with st.text, st.code and st.dataframe only, never as markdown or HTML. Opened
from the Library or Duplicates page (?context=library|duplicates), new conversations are about
that page (seed 000's context_type); from the menu, about the library in general.
"""

from __future__ import annotations

import json
from typing import Any

import polars as pl
import streamlit as st

from mediavault_assets.chat.history import ChatMessage
from mediavault_assets.chat.render import cell_text, strip_controls
from mediavault_assets.chat.router import EXAMPLE_QUESTIONS
from mediavault_assets.chat.service import CONTEXT_TYPES, ChatService, usage_line
from mediavault_assets.settings import Secrets, SettingsError, load_secrets
from mediavault_ui import ui
from mediavault_ui.data import DataUnavailable

SESSION_KEY = "chat_session_id"
CONTEXT_LABELS = {
    "library": "the Library page",
    "duplicates": "the Duplicates page",
    "general": "the library in general",
}


def _frame(columns: list[str], rows: list[list[Any]]) -> pl.DataFrame:
    """Rows as a frame: numbers stay numbers, everything else becomes one line of plain text."""
    data: dict[str, list[Any]] = {}
    for index, column in enumerate(columns):
        values = [row[index] for row in rows]
        if not all(v is None or isinstance(v, int | float) for v in values):
            values = [cell_text(v) for v in values]
        name = cell_text(column, max_chars=60) or f"column_{index + 1}"
        while name in data:  # SELECT a, a
            name += "_"
        data[name] = values
    return pl.DataFrame(data, strict=False)


def _show_runs(message: ChatMessage) -> None:
    for number, run in enumerate((message.context_data or {}).get("runs", []), start=1):
        with st.expander(f"SQL {number}: {run['tool']}", expanded=True):
            st.code(strip_controls(run["sql"]) or "(no SQL)", language="sql")
            if run.get("params"):
                st.code(strip_controls(json.dumps(run["params"], default=str)), language="json")
            if run.get("error"):
                st.text(run["error"])
            else:
                st.dataframe(_frame(run["columns"], run["rows"]), hide_index=True)
                if run.get("truncated"):
                    st.text(f"Showing the first {len(run['rows'])} of {run['row_count']}+ rows.")
    if message.mode == "model":
        cost = "cost unknown" if message.cost_usd is None else f"about ${message.cost_usd:.4f}"
        st.text(
            f"{strip_controls(message.model)} · {message.prompt_tokens} prompt + "
            f"{message.completion_tokens} completion tokens · {cost}"
        )


st.title("Chat with your data")
library = ui.library_or_stop()
reviewer = ui.reviewer()
try:
    secrets = load_secrets()
except SettingsError as problem:
    st.warning(f"{problem}. Answering offline.", icon=":material/key_off:")
    secrets = Secrets()
service = ChatService.from_settings(library.settings, user_id=reviewer, secrets=secrets)
asked_context = st.query_params.get("context")
context_type = asked_context if asked_context in CONTEXT_TYPES else "general"
if service.uses_model:
    st.caption(
        f"Answers by {strip_controls(service.model)} ({secrets.chat_provider}) through "
        "read-only queries over the library. The SQL that ran is shown under each answer."
    )
else:
    st.caption(
        "No model configured (set AZURE_OPENAI_KEY or OPENAI_API_KEY): built-in answers to "
        "questions like the ones below, from the same SQL, shown under each answer."
    )

earlier = service.history.sessions(reviewer)
current = st.session_state.get(SESSION_KEY)
header = st.container(horizontal=True)
if header.button("New conversation", icon=":material/add_comment:"):
    current = st.session_state[SESSION_KEY] = None
if earlier:
    options = [None, *(s.session_id for s in earlier)]
    titles = {s.session_id: strip_controls(s.title) or "(untitled)" for s in earlier}
    picked = header.selectbox(
        "Conversation",
        options,
        index=options.index(current) if current in options else 0,
        format_func=lambda sid: "New conversation" if sid is None else titles[sid],
        label_visibility="collapsed",
        key=f"chat_pick_{current}",  # a new widget when the session changes, so index applies
    )
    if picked != current:
        current = st.session_state[SESSION_KEY] = picked

session = service.history.session(current) if current else None
about = (session.context_type if session else None) or context_type
st.caption(f"Conversation about {CONTEXT_LABELS.get(about, CONTEXT_LABELS['general'])}.")
messages = service.history.messages(current) if current else []
for message in messages:
    with st.chat_message(message.role):
        st.text(message.content)
        if message.role == "assistant":
            _show_runs(message)

if session is not None and session.total_tokens_used:
    # Per model: the main model's answers and the cheap model's titles and routing.
    with st.expander(f"Tokens used: {session.total_tokens_used}, about ${session.total_cost:.4f}"):
        for usage in service.history.usage(session.session_id):
            st.text(usage_line(usage))

question: str | None = None
if not messages:
    examples = st.container(horizontal=True)
    for number, example in enumerate(EXAMPLE_QUESTIONS):
        if examples.button(example, key=f"chat_example_{number}"):
            question = example
question = st.chat_input("Ask about your library") or question
if question:
    try:
        with st.spinner("Looking it up…"):
            answer = service.ask(question, current, context_type=context_type)
    except (DataUnavailable, ValueError) as problem:
        st.info(str(problem), icon=":material/info:")
        st.stop()
    st.session_state[SESSION_KEY] = answer.session_id
    st.rerun()
