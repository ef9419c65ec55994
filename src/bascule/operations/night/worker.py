"""`bascule worker`: a process that takes the night's schools from the queue (PostgreSQL store,
operations/night/queue.py) and works them, `concurrency` at a time, until it is stopped
(SIGINT/SIGTERM: the jobs under way finish first). Every `queue.heartbeat_seconds` it says it is
alive, and gives back to the queue the jobs of workers silent for three intervals (killed,
machine lost): another worker, or itself, retries them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from bascule.operations.night.queue import (
    QUEUE,
    STOPPED_TOO_OFTEN,
    give_up,
    queue_app,
    worker_name,
)
from bascule.operations.night.queue_status import require_queue
from bascule.settings import Settings
from bascule.store.engine import open_store

_log = logging.getLogger(__name__)


def run_worker(settings: Settings, *, concurrency: int = 1,
               on_ready: Callable[[], None] = lambda: None) -> None:
    """Work the queue until stopped; `on_ready` once the store is reached. UserError on a
    SQLite store (no queue there)."""
    require_queue(settings)
    open_store(settings.store_url)  # the schema, procrastinate's included, brought up to date
    on_ready()
    app = queue_app(settings, connections=concurrency + 3)
    heartbeat = settings.queue_heartbeat_seconds

    async def work() -> None:
        async with app.open_async():
            rescue = asyncio.create_task(_give_back_stalled(settings))
            try:
                await app.run_worker_async(
                    queues=[QUEUE], name=worker_name(), concurrency=concurrency,
                    update_heartbeat_interval=heartbeat,
                    stalled_worker_timeout=3 * heartbeat, delete_jobs="successful")
            finally:
                rescue.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await rescue

    asyncio.run(work())


async def _give_back_stalled(settings: Settings) -> None:
    """Jobs of silent workers back to the queue, or failed once out of attempts."""
    from procrastinate.jobs import Status

    app = queue_app(settings)
    heartbeat = settings.queue_heartbeat_seconds
    async with app.open_async():
        while True:
            await asyncio.sleep(heartbeat)
            for job in await app.job_manager.get_stalled_jobs(
                    queue=QUEUE, seconds_since_heartbeat=3 * heartbeat):
                try:
                    if job.attempts + 1 >= settings.queue_max_attempts:
                        await app.job_manager.finish_job(job, Status.FAILED, delete_job=False)
                        give_up(settings, str(job.task_kwargs["run_id"]),
                                str(job.task_kwargs["uai"]), STOPPED_TOO_OFTEN)
                    else:
                        await app.job_manager.retry_job(job)
                except Exception:  # another worker gave it back first
                    _log.debug("job %s already given back", job.id)
