"""Loggers for drivers and for hpcsim itself (``HPCSIM_LOG_LEVEL``: debug, info, warning)."""

from __future__ import annotations

import logging
import sys

from hpcsim import config
from hpcsim.errors import ConfigError

__all__ = ["get_logger"]

_FORMAT = "%(asctime)s %(name)s %(levelname)s %(message)s"


def get_logger(name: str) -> logging.Logger:
    """A logger that prints to stderr once, at ``HPCSIM_LOG_LEVEL`` (default INFO).

    Driver scripts get readable progress without configuring logging; an application that
    configures the root logger itself can set ``propagate`` as it likes. An unknown level
    falls back to INFO here (loggers are made at import time); making an experiment or
    running a command refuses it with a one-line :class:`ConfigError`.
    """
    logger = logging.getLogger(name)
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(_FORMAT, datefmt="%H:%M:%S"))
        logger.addHandler(handler)
        try:
            level = config.log_level()
        except ConfigError:
            level = "INFO"
        logger.setLevel(level)
        logger.propagate = False
    return logger
