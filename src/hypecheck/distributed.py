"""Batch checking past one machine, on a Dask distributed cluster (``pip install 'hypecheck[dask]'``).

``hypecheck batch INPUT --dask tcp://scheduler:8786`` reads the input here, in
chunks, and hands each chunk to the cluster as one task carrying its records as
plain data; a few chunks per worker thread are in flight at a time, so memory
stays bounded however large the input.  Each worker process builds the pipeline
once (:func:`hypecheck.batching.pipeline`, cached per process and keyed by the
:class:`~hypecheck.batching.PipelineSpec`).  The records travel inside the task,
not as scattered data, so when a worker dies the scheduler reruns its tasks on
another and no record is lost; a task that raises is retried ``retries`` times.

:func:`check_bag` is the same check for a :class:`dask.bag.Bag` a program already has.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .batching import (
    Engine,
    Line,
    Output,
    PipelineSpec,
    Record,
    check_chunk,
    checked,
    ordered,
    pipeline,
    rows,
    same_version,
)
from .errors import HypecheckError

if TYPE_CHECKING:
    import dask.bag
    from distributed import Client

INSTALL = "the Dask engine is not installed: pip install 'hypecheck[dask]' (dask and distributed)"


def connect(address: str) -> Client:
    """A client for ``address``: a scheduler (``tcp://host:8786``) or ``local:N`` for N local worker processes."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise HypecheckError(INSTALL) from exc
    if address.startswith("local:"):
        try:
            workers = int(address.removeprefix("local:"))
        except ValueError:
            workers = 0
        if workers < 1:
            raise HypecheckError(f"--dask {address}: local:N needs a number of workers of 1 or more")
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0")
        return Client(cluster)
    try:
        return Client(address, timeout=30)
    except OSError as exc:
        raise HypecheckError(f"--dask {address}: cannot reach the scheduler ({exc})") from exc


def disconnect(client: Client) -> None:
    """Close ``client``, and the local cluster :func:`connect` started for it."""
    cluster = client.cluster
    client.close()
    if cluster is not None:
        cluster.close()


def dask_engine(client: Client, spec: PipelineSpec, output: Output, *, retries: int = 2) -> Engine:
    """An engine for :func:`hypecheck.batching.run_batch` that runs each chunk as a task on ``client``'s cluster."""
    run_id = uuid.uuid4().hex[:8]

    def run(work: Iterator[list[Record]]) -> Iterator[list[Line]]:
        window = 2 * max(1, sum(client.nthreads().values()))
        numbered = enumerate(work)

        def submit(item: tuple[int, list[Record]]) -> Any:
            n, chunk = item
            return client.submit(
                check_chunk, spec, output, chunk, key=f"hypecheck-{run_id}-{n}", retries=retries, pure=False
            )

        yield from ordered(submit, numbered, window)

    return run


def check_bag(bag: dask.bag.Bag, spec: PipelineSpec | None = None, output: Output | None = None) -> dask.bag.Bag:
    """A Bag of result objects (as ``batch`` writes them) for a Bag of ``{"id", "text"}`` records, order kept.

    ``spec`` says how each worker builds its pipeline (default: built-in rules and
    the shipped learned layer), ``output`` which jurisdictions, notes and minimum
    confidence to report.  An item that is not such a record gets an ``error``.
    """
    return bag.map_partitions(_check_partition, spec or PipelineSpec(), output or Output())


def _check_partition(items: Any, spec: PipelineSpec, output: Output) -> list[dict[str, Any]]:
    records = [
        checked(item.get("id"), item.get("text"), "item")
        if isinstance(item, dict)
        else ("", {"id": None, "error": "item: not a record object with id and text"})
        for item in items
    ]
    same_version(output)
    nlp, lock = pipeline(spec)
    with lock:
        return rows(nlp, output, records)
