"""Loggers for drivers and for hpcsim itself (``HPCSIM_LOG_LEVEL``: debug, info, warning)."""

from __future__ import annotations

import logging
import os
import sys

__all__ = ["get_logger"]

_FORMAT = "%(asctime)s %(name)s %(levelname)s %(message)s"


def get_logger(name: str) -> logging.Logger:
    """A logger that prints to stderr once, at ``HPCSIM_LOG_LEVEL`` (default INFO).

    Driver scripts get readable progress without configuring logging; an application that
    configures the root logger itself can set ``propagate`` as it likes.
    """
    logger = logging.getLogger(name)
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(_FORMAT, datefmt="%H:%M:%S"))
        logger.addHandler(handler)
        logger.setLevel(os.environ.get("HPCSIM_LOG_LEVEL", "INFO").upper())
        logger.propagate = False
    return logger
