"""Logging helpers wired in ``settings.LOGGING``."""

import logging


class OneLineClientErrors(logging.Filter):
    """A refusal (403, 404…) is logged on one line, without its traceback.

    Django logs every 4xx answered for an exception (``PermissionDenied``, ``Http404``) with that
    exception's traceback: 45 lines for a refusal that the code raised on purpose. Keep the
    line (``Forbidden (Permission denied): /crm/…``), drop the traceback; 5xx keep theirs.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
