"""Wake-ups between the parts of one `intro serve` process.

The web site queues a sign-in link in the database; the scheduler, a thread of the same
process, would find it at its next look anyway. Setting this event makes it look at once.
Across processes (the web site under gunicorn) the scheduler's short poll does the job.
"""

from __future__ import annotations

import threading

link_queued = threading.Event()
