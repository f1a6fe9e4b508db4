"""The dispatcher as a service: stopping mid-send loses nothing and sends nothing twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from quote2order.adapters.sqlite import SqliteStore
from quote2order.notifications import Dispatcher, DispatchLoop, UnitOfWorkDocuments
from quote2order.notifications.messages import Message
from quote2order.ports import OutboxStatus
from quote2order.service import SystemClock
from quote2order.testing import RecordingNotifier

from .conftest import World

ROOT = Path(__file__).resolve().parents[2]


def _email_entries(world: World) -> int:
    return sum(1 for e in world.store.outbox_store.list() if e.channel == "email")


def test_stop_during_a_send_finishes_it_and_leaves_nothing_leased(world: World) -> None:
    world.invoiced_order()

    class StopsTheLoop(RecordingNotifier):
        def send(self, message: Message) -> None:
            loop.stop()  # as the SIGTERM handler does, while this message is in hand
            super().send(message)

    notifier = StopsTheLoop()
    loop = DispatchLoop(world.dispatcher(notifier), poll_interval=0.05)
    counts = loop.run()
    assert len(notifier.sent) == 1
    assert not counts.running
    outbox = world.store.outbox_store.list()
    sent = [e for e in outbox if e.status is OutboxStatus.SENT]
    assert notifier.sent[0].entry_id in {e.entry_id for e in sent}
    pending = [e for e in outbox if e.status is OutboxStatus.PENDING]
    assert pending
    assert all(e.claimed_by is None for e in pending), "an entry stayed leased"

    rest = RecordingNotifier()
    world.dispatcher(rest).run_until_empty()
    delivered = [m.message_id for m in notifier.sent + rest.sent]
    assert len(delivered) == len(set(delivered)) == _email_entries(world)


def test_the_loop_waits_and_delivers_what_is_queued_later(world: World) -> None:
    order = world.order()
    world.dispatcher(RecordingNotifier()).run_until_empty()
    notifier = RecordingNotifier()
    loop = DispatchLoop(world.dispatcher(notifier), poll_interval=0.05)
    thread = threading.Thread(target=loop.run)
    thread.start()
    try:
        world.service.confirm_order(order.order_id)  # queues the order confirmation
        deadline = time.monotonic() + 10
        while not notifier.sent and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        loop.stop()
        thread.join(10)
    assert not thread.is_alive()
    assert len(notifier.sent) == 1
    counts = loop.counts()
    assert counts.sent >= 1
    assert counts.runs >= 2
    assert counts.last_delivery_at is not None


SLOW_SENDER = """
import sys, time
from pathlib import Path
from quote2order.adapters.sqlite import SqliteStore
from quote2order.notifications import Dispatcher, DispatchLoop, UnitOfWorkDocuments
from quote2order.service import SystemClock

out = Path(sys.argv[2])

class Slow:
    def send(self, message):
        (out / "sending").write_text(message.entry_id)
        time.sleep(1.0)
        with open(out / "sent.txt", "a") as sent:
            sent.write(message.message_id + "\\n")

store = SqliteStore(sys.argv[1])
dispatcher = Dispatcher(
    store.outbox_store, UnitOfWorkDocuments(store), Slow(), clock=SystemClock()
)
loop = DispatchLoop(dispatcher, poll_interval=0.2)
with loop.signals_stop():
    counts = loop.run()
print("stopped", counts.sent)
"""


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT / "tests")])}


def test_sigterm_during_a_send_exits_0_loses_nothing_and_sends_nothing_twice(
    tmp_path: Path,
) -> None:
    database = tmp_path / "shop.db"
    with SqliteStore(str(database)) as store:
        world = World(uow_factory=store)
        world.invoiced_order()
        emails = sum(1 for e in store.outbox_store.list() if e.channel == "email")
    script = tmp_path / "slow.py"
    script.write_text(SLOW_SENDER, encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, str(script), str(database), str(tmp_path)],
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not (tmp_path / "sending").exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the loop never started sending"
        time.sleep(0.02)
    process.send_signal(signal.SIGTERM)  # while the first message is in hand
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    first_run = (tmp_path / "sent.txt").read_text().split()
    assert len(first_run) == 1  # the message in hand was finished, no other was started

    with SqliteStore(str(database)) as store:
        outbox = store.outbox_store.list()
        assert all(e.claimed_by is None for e in outbox if e.status is OutboxStatus.PENDING)
        rest = RecordingNotifier()
        Dispatcher(
            store.outbox_store, UnitOfWorkDocuments(store), rest, clock=SystemClock()
        ).run_until_empty()
        assert all(e.status is OutboxStatus.SENT for e in store.outbox_store.list())
    delivered = first_run + [m.message_id for m in rest.sent]
    assert len(delivered) == len(set(delivered)) == emails


def test_dispatch_loop_command_runs_until_sigterm_and_exits_0(tmp_path: Path) -> None:
    database = tmp_path / "shop.db"
    with SqliteStore(str(database)) as store:
        World(uow_factory=store).invoiced_order()
    mail = tmp_path / "mail"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "quote2order",
            "dispatch",
            "--loop",
            "--sqlite",
            str(database),
            "--directory",
            str(mail),
            "--render",
            "none",
            "--poll-seconds",
            "0.2",
        ],
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    with SqliteStore(str(database)) as store:
        while any(e.status is not OutboxStatus.SENT for e in store.outbox_store.list()):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.05)
    assert len(list(mail.glob("*.eml"))) == 3
    process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    assert stdout.strip() == "stopped: sent 6, retrying 0, failed 0, lost leases 0"
    assert "outbox entry delivered entry_id=" in stderr  # one structured line per delivery
    assert stderr.count("outbox entry delivered") == 6
