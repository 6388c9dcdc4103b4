"""Starting and watching Dagster runs through the webserver's GraphQL API (settings.dagster_url).

The app never runs a job itself: runs land in the Dagster instance the webserver serves, queue
behind the "duckdb" pool like any other run, and show in the Dagster UI.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from mediavault_assets.progress import StageProgress, read_progress
from mediavault_assets.run_tags import PARTITION_TAG, ROOTS_PARTITIONS, SCAN_JOB, TRIGGER_TAG

CODE_LOCATION = "mediavault"
# Runs the app starts say so: the scan records it as scan_history.triggered_by.
API_TAGS = {TRIGGER_TAG: "api"}
IN_PROGRESS = frozenset({"QUEUED", "NOT_STARTED", "STARTING", "STARTED", "CANCELING"})

REPOSITORIES_QUERY = """
query MediaVaultRepositories {
  repositoriesOrError {
    __typename
    ... on RepositoryConnection {
      nodes { name location { name } pipelines { name } }
    }
    ... on PythonError { message }
  }
}
"""

LAUNCH_RUN_MUTATION = """
mutation MediaVaultLaunchRun($executionParams: ExecutionParams!) {
  launchRun(executionParams: $executionParams) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on RunConfigValidationInvalid { errors { message } }
    ... on Error { message }
  }
}
"""

TERMINATE_RUN_MUTATION = """
mutation MediaVaultTerminateRun($runId: String!) {
  terminateRun(runId: $runId, terminatePolicy: SAFE_TERMINATE) {
    __typename
    ... on TerminateRunFailure { message }
    ... on Error { message }
  }
}
"""

# A new library root's partition, at once (the library_roots_sync sensor would add it within a
# minute, but only while the daemon runs).
ADD_PARTITION_MUTATION = """
mutation MediaVaultAddPartition(
  $repositorySelector: RepositorySelector!, $partitionsDefName: String!, $partitionKey: String!
) {
  addDynamicPartition(
    repositorySelector: $repositorySelector,
    partitionsDefName: $partitionsDefName,
    partitionKey: $partitionKey
  ) {
    __typename
    ... on PythonError { message }
    ... on UnauthorizedError { message }
  }
}
"""

RUNS_QUERY = """
query MediaVaultRuns($filter: RunsFilter, $limit: Int) {
  runsOrError(filter: $filter, limit: $limit) {
    __typename
    ... on Runs {
      results {
        runId
        jobName
        status
        creationTime
        startTime
        endTime
        tags { key value }
        stats {
          __typename
          ... on RunStatsSnapshot { stepsSucceeded stepsFailed }
        }
      }
    }
    ... on Error { message }
  }
}
"""


# A run's log, page by page: the steps write their progress lines there.
RUN_LOG_QUERY = """
query MediaVaultRunLog($runId: ID!, $cursor: String) {
  logsForRun(runId: $runId, afterCursor: $cursor) {
    __typename
    ... on EventConnection {
      cursor
      hasMore
      events { __typename ... on MessageEvent { message stepKey } }
    }
    ... on Error { message }
  }
}
"""


class DagsterUnavailable(RuntimeError):
    """The webserver did not answer (not started, wrong dagster_url, network)."""


class DagsterError(RuntimeError):
    """The webserver answered with an error (unknown job, invalid config...)."""


@dataclass(frozen=True)
class Run:
    run_id: str
    job: str
    status: str
    created: datetime | None
    started: datetime | None
    ended: datetime | None
    tags: dict[str, str]
    steps_succeeded: int | None
    steps_failed: int | None

    @property
    def partition(self) -> str | None:
        return self.tags.get(PARTITION_TAG)

    @property
    def in_progress(self) -> bool:
        return self.status in IN_PROGRESS


class DagsterClient:
    def __init__(self, url: str, *, timeout: float = 3.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout

    def run_url(self, run_id: str) -> str:
        return f"{self.url}/runs/{run_id}"

    def launch(
        self,
        job: str,
        *,
        run_config: dict[str, Any] | None = None,
        tags: dict[str, str] | None = None,
    ) -> str:
        """Start `job` (from the code location "mediavault"); returns the run id."""
        location, repository = self._repository_for(job)
        params = {
            "selector": {
                "repositoryLocationName": location,
                "repositoryName": repository,
                "jobName": job,
            },
            "runConfigData": run_config or {},
            "executionMetadata": {
                "tags": [{"key": k, "value": v} for k, v in (tags or {}).items()]
            },
        }
        result = self._graphql(LAUNCH_RUN_MUTATION, {"executionParams": params})["launchRun"]
        if result["__typename"] == "LaunchRunSuccess":
            return str(result["run"]["runId"])
        errors = [e["message"] for e in result.get("errors") or []]
        raise DagsterError(
            f"Dagster refused to start {job}: "
            + ("; ".join(errors) or result.get("message") or result["__typename"])
        )

    def cancel(self, run_id: str) -> None:
        """Ask Dagster to stop a run (its steps end as they would on SIGTERM; the scan's
        scan_history row then says cancelled)."""
        result = self._graphql(TERMINATE_RUN_MUTATION, {"runId": run_id})["terminateRun"]
        if result["__typename"] != "TerminateRunSuccess":
            raise DagsterError(
                f"Dagster could not cancel run {run_id[:8]}: "
                + (result.get("message") or result["__typename"])
            )

    def add_root_partition(self, key: str) -> None:
        """Add library root `key` as a partition of the scan job (already there is fine)."""
        location, repository = self._repository_for(SCAN_JOB)
        selector = {"repositoryLocationName": location, "repositoryName": repository}
        result = self._graphql(
            ADD_PARTITION_MUTATION,
            {
                "repositorySelector": selector,
                "partitionsDefName": ROOTS_PARTITIONS,
                "partitionKey": key,
            },
        )["addDynamicPartition"]
        added = ("AddDynamicPartitionSuccess", "DuplicateDynamicPartitionError")
        if result["__typename"] not in added:
            raise DagsterError(
                f"Dagster could not add the partition {key!r}: "
                + (result.get("message") or result["__typename"])
            )

    def runs(self, jobs: list[str] | None = None, *, limit: int = 20) -> list[Run]:
        """The most recent runs (of these jobs), newest first."""
        found: list[Run] = []
        for job in jobs or [None]:
            filter_ = {"pipelineName": job} if job else {}
            data = self._graphql(RUNS_QUERY, {"filter": filter_, "limit": limit})["runsOrError"]
            if data["__typename"] != "Runs":
                raise DagsterError(data.get("message") or data["__typename"])
            found.extend(_run(r) for r in data["results"])
        epoch = datetime.min.replace(tzinfo=UTC)
        found.sort(key=lambda r: r.created or epoch, reverse=True)
        return found[:limit]

    def stage_progress(self, run_id: str) -> list[StageProgress]:
        """The latest progress line of each stage of a run (probe, parse, hash...), in order."""
        latest: dict[str, StageProgress] = {}
        cursor = None
        while True:
            data = self._graphql(RUN_LOG_QUERY, {"runId": run_id, "cursor": cursor})["logsForRun"]
            if data["__typename"] != "EventConnection":
                raise DagsterError(data.get("message") or data["__typename"])
            for event in data["events"]:
                if event["__typename"] == "LogMessageEvent":
                    progress = read_progress(event.get("message") or "")
                    if progress is not None:
                        latest[progress.stage] = progress
            if not data.get("hasMore") or data.get("cursor") in (None, cursor):
                return list(latest.values())
            cursor = data["cursor"]

    def _repository_for(self, job: str) -> tuple[str, str]:
        """(code location, repository) that has `job`: "mediavault" (workspace.yaml), else the
        one location that has it (`dagster dev -m ...` names the location after the module)."""
        data = self._graphql(REPOSITORIES_QUERY, {})["repositoriesOrError"]
        if data["__typename"] != "RepositoryConnection":
            raise DagsterError(data.get("message") or data["__typename"])
        having = [
            (str(repo["location"]["name"]), str(repo["name"]))
            for repo in data["nodes"]
            if any(p["name"] == job for p in repo["pipelines"])
        ]
        preferred = [h for h in having if h[0] == CODE_LOCATION]
        if preferred or len(having) == 1:
            return (preferred or having)[0]
        raise DagsterError(
            f"the Dagster webserver at {self.url} has no job {job!r} in code location "
            f"{CODE_LOCATION!r}"
            + (f" (found it in {', '.join(h[0] for h in having)})" if having else "")
        )

    def _graphql(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        try:
            response = httpx.post(
                f"{self.url}/graphql",
                json={"query": query, "variables": variables},
                timeout=self.timeout,
            )
        except httpx.HTTPError as error:
            raise DagsterUnavailable(
                f"The Dagster webserver at {self.url} is not reachable ({type(error).__name__})."
            ) from None
        if response.status_code != 200:
            raise DagsterUnavailable(
                f"The Dagster webserver at {self.url} answered HTTP {response.status_code}."
            )
        body = response.json()
        if body.get("errors"):
            raise DagsterError("; ".join(str(e.get("message")) for e in body["errors"]))
        return dict(body["data"])


def _run(data: dict[str, Any]) -> Run:
    stats = data.get("stats") or {}
    return Run(
        run_id=data["runId"],
        job=data["jobName"],
        status=data["status"],
        created=_time(data.get("creationTime")),
        started=_time(data.get("startTime")),
        ended=_time(data.get("endTime")),
        tags={t["key"]: t["value"] for t in data.get("tags") or []},
        steps_succeeded=stats.get("stepsSucceeded"),
        steps_failed=stats.get("stepsFailed"),
    )


def _time(value: float | None) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if value else None
