"""Keep the credentials out of every log record, whichever handler formats it.

TMDB's v3 auth puts the key in the query string, and the CDK logs request URLs (errors, retries,
debug). The entrypoint's formatter filters secrets from what it prints, but other handlers (pytest's
capture, a library user's own logging) format the raw record. So the record itself is redacted when it
is created: message, pre-formatted traceback and string extras.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any

from airbyte_cdk.utils.airbyte_secrets_utils import add_to_secrets, filter_secrets

_installed = False


def protect(*secrets: str | None) -> None:
    """Register secrets with the CDK's filter and make sure log records are redacted at creation."""
    for secret in secrets:
        if secret:
            add_to_secrets(secret)
    _install()


def _install() -> None:
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        _redact(record)
        return record

    logging.setLogRecordFactory(factory)
    _installed = True


def _redact(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a malformed log call is the logging module's to report, not ours
        return
    redacted = filter_secrets(message)
    if redacted != message:
        record.msg, record.args = redacted, None
    if record.exc_info and record.exc_info[0] is not None:
        text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        # Formatters use exc_text as is when it is set, so the raw exception is never rendered.
        record.exc_text = filter_secrets(text)
    for name, value in list(record.__dict__.items()):
        if isinstance(value, str) and name not in ("msg", "exc_text"):
            cleaned = filter_secrets(value)
            if cleaned != value:
                setattr(record, name, cleaned)
