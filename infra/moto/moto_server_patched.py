"""moto's server with one emulator performance fix (behaviour unchanged).

moto 5.2 rebuilds every attribute of an SQS queue whenever code reads one of them: the message
counts walk the whole queue, and SendMessage (once per SNS fan-out target), AddMessage and
ReceiveMessage (once per message returned) each read a single attribute. With a few thousand
messages waiting, every publish costs tens of milliseconds of CPU and the emulator, not the
platform, sets the pace. Here `Queue.attributes` is a read-only mapping that computes only
the attribute asked for. Started by infra/stack.sh exactly like `moto_server`.
"""

import json
import sys
from collections.abc import Iterator, Mapping
from typing import Any

from moto.core.utils import camelcase_to_underscores
from moto.server import main
from moto.sqs.models import Queue


class QueueAttributes(Mapping):
    """Same keys and values as moto's Queue.attributes dict, each computed when read."""

    def __init__(self, queue: Queue) -> None:
        self._queue = queue

    def _computed(self) -> list[str]:
        q = self._queue
        names = list(q.BASE_ATTRIBUTES)
        if q.fifo_queue:
            names += q.FIFO_ATTRIBUTES
        if q.kms_master_key_id:
            names += q.KMS_ATTRIBUTES
        return names

    def _names(self) -> list[str]:
        q = self._queue
        names = self._computed()
        extra = [n for n, on in (("Policy", q.policy), ("RedrivePolicy", q.redrive_policy)) if on]
        return names + [n for n in extra if n not in names]

    def __getitem__(self, name: str) -> Any:
        # Mirrors moto's Queue.attributes: the plain attribute, then Policy/RedrivePolicy when set.
        if name not in self._names():
            raise KeyError(name)
        q = self._queue
        value = getattr(q, camelcase_to_underscores(name)) if name in self._computed() else None
        if name == "Policy" and q.policy:
            value = q.policy
        if name == "RedrivePolicy" and q.redrive_policy:
            value = json.dumps(q.redrive_policy)
        return str(value).lower() if isinstance(value, bool) else value

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())


Queue.attributes = property(QueueAttributes)  # type: ignore[assignment]

if __name__ == "__main__":
    sys.exit(main())
