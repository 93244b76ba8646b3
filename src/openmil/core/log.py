"""Logging that never writes personal data.

`PersonalDataFilter` sits on every handler of the logging configuration
(settings.LOGGING). Whatever a logger was given, the line written keeps:

- URLs without their query string (searches carry names: `?q=Fatima`);
- SQL statements without their values (the debug cursor logs them with
  parameters inlined), so only the statement's kind and table are left;
- database error details without the key values they quote.

No OpenMIL code logs request bodies, and the request object attached to
Django's error records is dropped, so no handler can format its POST data.
"""

import logging
import re

# A path followed by a query string, in a request line or a message.
_QUERY = re.compile(r"(/[^\s\"'?]*)\?[^\s\"']*")
# PostgreSQL: DETAIL:  Key (lab_id, reference)=(3, REF-1) already exists.
_KEY_DETAIL = re.compile(r"(Key \([^)]*\)=)\([^)]*\)")
# The statement kind and its first table, all that is kept of SQL.
_SQL_HEAD = re.compile(
    r"^\s*(SELECT|INSERT INTO|UPDATE|DELETE FROM|SAVEPOINT|RELEASE SAVEPOINT|"
    r"ROLLBACK TO SAVEPOINT|BEGIN|COMMIT|ROLLBACK|CREATE|ALTER|DROP)\b",
    re.IGNORECASE,
)
_SQL_TABLE = re.compile(r"\b(?:FROM|INTO|UPDATE)\s+\"?([\w.]+)\"?", re.IGNORECASE)
WITHHELD = "[query withheld]"


def scrub(text: str) -> str:
    """The text without query strings and quoted key values."""
    return _KEY_DETAIL.sub(r"\1(…)", _QUERY.sub(r"\1?" + WITHHELD, text))


def _sql_summary(sql: str) -> str:
    head = _SQL_HEAD.match(sql)
    table = _SQL_TABLE.search(sql)
    kind = head.group(1).upper() if head else "SQL"
    return f"{kind} {table.group(1)}" if table else kind


class PersonalDataFilter(logging.Filter):
    """Rewrite each record so that no personal data reaches a log."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("django.db.backends") and hasattr(record, "sql"):
            duration = getattr(record, "duration", 0.0) or 0.0
            record.msg = "(%.3f) %s; alias=%s"
            record.args = (
                duration,
                _sql_summary(str(record.sql)),
                getattr(record, "alias", ""),
            )
            record.sql = _sql_summary(str(record.sql))
            record.params = ()
        else:
            message = record.getMessage()
            clean = scrub(message)
            if clean != message:
                record.msg, record.args = clean, ()
        if record.exc_info and record.exc_info[1] is not None:
            # Format the traceback now, scrubbed, instead of the raw one.
            record.exc_text = scrub(
                logging.Formatter().formatException(record.exc_info)
            )
            record.exc_info = None
        if hasattr(record, "request"):
            record.request = None
        return True
