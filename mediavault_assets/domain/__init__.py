"""The pure domain core: naming, languages, quality, grouping and deletion rules.

Nothing in this package imports Dagster, DuckDB or touches the file system, so every rule can be
read and tested on its own.
"""
