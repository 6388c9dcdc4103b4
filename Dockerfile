# One image for the Dagster code server, webserver, daemon and the review app.
FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 DAGSTER_HOME=/opt/dagster/home MEDIAVAULT_CONFIG=/config/mediavault.yaml
WORKDIR /opt/mediavault
COPY pyproject.toml README.md ./
COPY mediavault_assets ./mediavault_assets
COPY mediavault_ui ./mediavault_ui
COPY sql ./sql
COPY workspace.yaml dagster.yaml ./
RUN pip install --no-cache-dir -e . && mkdir -p "$DAGSTER_HOME"
COPY deploy/dagster.yaml /opt/dagster/home/dagster.yaml
COPY deploy/workspace.yaml /opt/dagster/workspace.yaml
