"""A Notifier that writes each message as an ``.eml`` file into a directory (demos, tests).

The file is named after the Message-ID, so a re-send overwrites the same file instead of
making a second one. Writes go to a temporary name first and are renamed into place.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from quote2order.errors import DeliveryError
from quote2order.notifications.messages import Message, to_email_message

__all__ = ["DirectoryNotifier"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._@-]")


class DirectoryNotifier:
    """Writes ``<directory>/<message-id>.eml`` per message."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)

    def path_for(self, message: Message) -> Path:
        """Where ``message`` is written."""
        name = _UNSAFE.sub("_", message.message_id.strip("<>"))
        return self.directory / f"{name}.eml"

    def send(self, message: Message) -> None:
        data = to_email_message(message).as_bytes()
        target = self.path_for(message)
        temporary = target.with_suffix(".eml.tmp")
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(data)
            temporary.replace(target)
        except OSError as exc:
            raise DeliveryError(f"cannot write {target}: {exc}") from exc
