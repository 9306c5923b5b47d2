"""Named points where a process can be made to die on purpose, to prove crash safety for real.

`DSRS_CRASH_AT=consumer.after_db_commit` makes the process exit abruptly (no cleanup, no offset
commit, no close) the first time it reaches that point. Unset, which is always the case outside the
crash tests, a failpoint costs one set lookup.
"""

import os

CRASH_EXIT_CODE = 86
_armed = frozenset(filter(None, os.environ.get("DSRS_CRASH_AT", "").split(",")))


def reach(name: str) -> None:
    if name in _armed:
        os._exit(CRASH_EXIT_CODE)
