"""Structured logs of nightly runs: one JSON object per line, or readable lines on a terminal.

Every record carries an `event` name and its fields (run id, stage, counts,
seconds), so log shippers and `jq` can read runs without parsing prose.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

LOGGER = "partnermatch.nightly"


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "event": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        return json.dumps(entry, default=str, ensure_ascii=False)


class Readable(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = " ".join(f"{k}={v}" for k, v in getattr(record, "fields", {}).items())
        return f"{record.levelname.lower():7} {record.getMessage()} {fields}".rstrip()


class EventLog:
    """`log.info("stage.finish", stage="matched", seconds=3.2)` → one structured record."""

    def __init__(self, logger: logging.Logger) -> None:
        self.logger = logger
        self.context: dict[str, Any] = {}

    def bind(self, **fields: Any) -> None:
        self.context.update(fields)

    def _emit(self, level: int, event: str, fields: dict[str, Any]) -> None:
        self.logger.log(level, event, extra={"fields": {**self.context, **fields}})

    def info(self, event: str, **fields: Any) -> None:
        self._emit(logging.INFO, event, fields)

    def warning(self, event: str, **fields: Any) -> None:
        self._emit(logging.WARNING, event, fields)

    def error(self, event: str, **fields: Any) -> None:
        self._emit(logging.ERROR, event, fields)


def configure(fmt: str = "auto", stream: TextIO | None = None, log_file: Path | None = None) -> EventLog:
    """Logs to stderr (JSON lines unless `fmt` is "text", or "auto" on a terminal) and optionally to a file (JSON)."""
    stream = stream or sys.stderr
    logger = logging.getLogger(LOGGER)
    logger.handlers.clear()
    logger.setLevel(logging.INFO)
    logger.propagate = False
    readable = fmt == "text" or (fmt == "auto" and stream.isatty())
    handler = logging.StreamHandler(stream)
    handler.setFormatter(Readable() if readable else JsonLines())
    logger.addHandler(handler)
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        to_file = logging.FileHandler(log_file, encoding="utf-8")
        to_file.setFormatter(JsonLines())
        logger.addHandler(to_file)
    return EventLog(logger)
