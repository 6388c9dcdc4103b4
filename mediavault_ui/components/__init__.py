"""Custom Streamlit components (st.components.v2)."""
