"""Training metrics: ``Client.log_metric``, an hpcsim extension (SmartRedis has no such call).

Each metric is a Redis stream at ``__hpcsim.metrics.<name>`` (never prefixed, whatever the
client's ensemble prefixing), one entry per point with the fields ``step`` and ``value`` in
decimal text, capped at about 100,000 entries. ``hpcsim dashboard`` plots them; any Redis client
reads them back with ``XRANGE __hpcsim.metrics.<name> - +``.
"""

from __future__ import annotations

import math
from numbers import Real

from hpcsim.client._base import ClientBase, check_int, check_key
from hpcsim.dataplane.protocol import METRICS_PREFIX

__all__ = ["MetricsOps"]

#: the approximate number of points a metric keeps (``XADD ... MAXLEN ~``); older ones are dropped
_MAX_POINTS = b"100000"


def _name(name: object) -> str:
    """A metric name: a non-empty str without whitespace (it becomes part of a key)."""
    text = check_key(name, "metric name")
    if any(char.isspace() for char in text):
        raise ValueError(f"metric name {text!r} must not contain whitespace")
    return text


def _step(step: object) -> int:
    number = check_int(step, "step")
    if number < 0:
        raise ValueError(f"step must not be negative, got {number}")
    return number


def _value(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"metric value must be an int or a float, not {type(value).__name__}")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise ValueError(f"metric value must be a finite number, got {value!r}")
    return number


class MetricsOps(ClientBase):
    """Appending points to a training metric's stream."""

    def log_metric(self, name: str, step: int, value: float) -> None:
        """Append the point ``(step, value)`` to the metric ``name`` (an hpcsim extension).

        The point goes to the stream ``__hpcsim.metrics.<name>`` (never prefixed) as
        ``XADD <key> MAXLEN ~ 100000 * step <step> value <value>``, both fields in decimal text;
        read it back with ``XRANGE __hpcsim.metrics.<name> - +``. ``hpcsim dashboard`` plots it.

        Args:
            name: the metric's name: a non-empty str without whitespace, such as ``"loss"``.
            step: the point's step (an epoch, an iteration): an int >= 0.
            value: the point's value: a finite int or float.

        Raises:
            TypeError: ``name`` is not a str, ``step`` not an int or ``value`` not a real
                number (a bool is neither).
            ValueError: ``name`` is empty or holds whitespace, ``step`` is negative, or
                ``value`` is NaN or infinite.
            ClientError: the database refused the point, e.g. the key holds something else
                (a ``RuntimeError``).

        Example:
            ```python
            client.log_metric("loss", epoch, float(loss))
            ```
        """
        key = METRICS_PREFIX + _name(name)
        fields = (b"step", b"%d" % _step(step), b"value", repr(_value(value)).encode())
        self._call(key, b"XADD", b"MAXLEN", b"~", _MAX_POINTS, b"*", *fields)
