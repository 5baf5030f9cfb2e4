"""SmartRedis-style logging to HPCSIM_LOG_FILE / SR_LOG_FILE / stdout at each level."""

from __future__ import annotations

import re

import pytest

from hpcsim.client import (
    Client,
    Dataset,
    LLDebug,
    LLDeveloper,
    LLInfo,
    LLQuiet,
    LogContext,
    log_data,
    log_error,
    log_warning,
)
from hpcsim.errors import ConfigError

LEVELS = {"quiet": LLQuiet, "info": LLInfo, "debug": LLDebug, "developer": LLDeveloper}


@pytest.mark.parametrize("configured", list(LEVELS))
def test_levels_and_format(standalone, tmp_path, monkeypatch, configured):
    log = tmp_path / "client.log"
    monkeypatch.setenv("HPCSIM_LOG_FILE", str(log))
    monkeypatch.setenv("HPCSIM_LOG_LEVEL", configured.upper())
    client = Client(logger_name="the_client")
    emitters = {
        "function": lambda level, text: log_data("function", level, text),
        "client": client.log_data,
        "dataset": Dataset("the_dataset").log_warning,
        "context": LogContext("the_context").log_error,
    }
    for name, emit in emitters.items():
        for level_name, level in LEVELS.items():
            emit(level, f"{name} at {level_name}")
    lines = log.read_text().splitlines()
    assert all(re.fullmatch(r"[a-z_]+@\d\d-\d\d-\d\d:.+", line) for line in lines)
    texts = [line.split(":", 1)[1] for line in lines if "New client created" not in line]
    enabled = [name for name, level in LEVELS.items() if level <= LEVELS[configured]]
    expected = []
    for name, prefix in [("function", ""), ("client", ""), ("dataset", "WARNING: "), ("context", "ERROR: ")]:
        expected += [f"{prefix}{name} at {level}" for level in enabled]
    assert texts == expected
    created = [line for line in lines if "New client created" in line]
    assert len(created) == (1 if LEVELS[configured] >= LLDebug else 0)
    assert all(line.startswith("the_client@") for line in created)


def test_smartredis_names_and_stdout(standalone, tmp_path, monkeypatch, capsys):
    log_warning("ctx", LLInfo, "to stdout")
    assert re.fullmatch(r"ctx@\d\d-\d\d-\d\d:WARNING: to stdout\n", capsys.readouterr().out)
    log = tmp_path / "sr.log"
    monkeypatch.setenv("SR_LOG_FILE", str(log))
    monkeypatch.setenv("SR_LOG_LEVEL", "quiet")
    log_error("ctx", LLQuiet, "kept")
    log_error("ctx", LLInfo, "dropped")
    assert log.read_text().endswith(":ERROR: kept\n")
    monkeypatch.setenv("HPCSIM_LOG_LEVEL", "warning")
    log_data("ctx", LLInfo, "also dropped")
    assert "also dropped" not in log.read_text()


def test_bad_log_settings(standalone, tmp_path, monkeypatch):
    with pytest.raises(TypeError):
        log_data("ctx", 7, "x")
    with pytest.raises(TypeError):
        log_data("ctx", LLInfo, 3)
    monkeypatch.setenv("HPCSIM_LOG_FILE", str(tmp_path / "missing-dir" / "log"))
    with pytest.raises(ConfigError, match="HPCSIM_LOG_FILE"):
        log_data("ctx", LLQuiet, "x")
    monkeypatch.setenv("HPCSIM_LOG_LEVEL", "chatty")
    with pytest.raises(ConfigError, match="HPCSIM_LOG_LEVEL='chatty'"):
        log_data("ctx", LLQuiet, "x")
