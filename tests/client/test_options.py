"""ConfigOptions (SmartRedis' test_configoptions) and the timeout variables; no server needed."""

from __future__ import annotations

import pytest

from hpcsim.client import ConfigOptions
from hpcsim.client.error import RedisKeyError
from hpcsim.client.options import Timeouts, read_keys, read_timeouts
from hpcsim.errors import ClientError, ConfigError


@pytest.fixture(autouse=True)
def _no_settings(monkeypatch):
    for name in (
        "HPCSIM_CONN_TIMEOUT",
        "HPCSIM_CMD_TIMEOUT",
        "HPCSIM_CMD_INTERVAL",
        "HPCSIM_CONN_INTERVAL",
        "HPCSIM_SOCKET_TIMEOUT",
        "SR_CONN_TIMEOUT",
        "SR_CONN_INTERVAL",
        "SR_CMD_TIMEOUT",
        "SR_CMD_INTERVAL",
        "SR_SOCKET_TIMEOUT",
        "HPCSIM_KEYOUT",
        "HPCSIM_KEYIN",
        "SSKEYOUT",
        "SSKEYIN",
    ):
        monkeypatch.delenv(name, raising=False)


def test_options(monkeypatch):
    monkeypatch.setenv("test_integer_key", "42")
    monkeypatch.setenv("test_string_key", "charizard")
    options = ConfigOptions.create_from_environment("")
    assert options.get_integer_option("test_integer_key") == 42
    assert not options.is_configured("missing_key")
    with pytest.raises(RedisKeyError, match="missing_key"):
        options.get_integer_option("missing_key")
    options.override_integer_option("missing_key", 42)
    assert options.is_configured("missing_key")
    assert options.get_integer_option("missing_key") == 42
    assert options.get_string_option("test_string_key") == "charizard"
    with pytest.raises(RedisKeyError):
        options.get_string_option("missing_string")
    options.override_string_option("missing_string", "pikachu")
    assert options.get_string_option("missing_string") == "pikachu"
    monkeypatch.setenv("not_an_int", "4x")
    with pytest.raises(ConfigError, match="not_an_int"):
        options.get_integer_option("not_an_int")


def test_options_with_suffix(monkeypatch):
    monkeypatch.setenv("integer_key_suffixtest", "42")
    monkeypatch.setenv("integer_key", "1")
    options = ConfigOptions.create_from_environment("suffixtest")
    assert options.get_integer_option("integer_key") == 42
    assert options.variable("integer_key") == "integer_key_suffixtest"
    assert not options.is_configured("string_key")


def test_unmanaged_and_type_errors():
    with pytest.raises(ClientError, match="create_from_environment"):
        ConfigOptions().get_integer_option("x")
    with pytest.raises(TypeError):
        ConfigOptions.create_from_environment(3)
    options = ConfigOptions.create_from_environment("")
    with pytest.raises(TypeError):
        options.override_integer_option("x", "1")
    with pytest.raises(TypeError):
        options.override_string_option("x", 1)
    with pytest.raises(TypeError):
        options.is_configured(1)


def test_timeouts_defaults_and_synonyms(monkeypatch):
    assert read_timeouts(ConfigOptions.create_from_environment("")) == Timeouts(5.0, 0.1, 10.0, 0.1, 30.0)
    monkeypatch.setenv("SR_CONN_TIMEOUT", "3")
    monkeypatch.setenv("SR_CONN_INTERVAL", "250")
    monkeypatch.setenv("SR_CMD_TIMEOUT", "4")
    monkeypatch.setenv("SR_CMD_INTERVAL", "50")
    monkeypatch.setenv("SR_SOCKET_TIMEOUT", "1500")
    assert read_timeouts(ConfigOptions.create_from_environment("")) == Timeouts(3.0, 0.25, 4.0, 0.05, 1.5)
    monkeypatch.setenv("HPCSIM_CMD_INTERVAL", "0.5")
    monkeypatch.setenv("HPCSIM_CMD_TIMEOUT_db2", "20")
    named = read_timeouts(ConfigOptions.create_from_environment("db2"))
    assert named.command_interval == 0.5
    assert named.command == 20.0
    assert named.connect == 3.0


def test_keys_inherit_for_named_databases(monkeypatch):
    monkeypatch.setenv("SSKEYOUT", "plain")
    monkeypatch.setenv("HPCSIM_KEYIN", "a,b")
    assert read_keys(ConfigOptions.create_from_environment("x")) == ("plain", ["a", "b"])
    monkeypatch.setenv("SSKEYOUT_x", "named")
    assert read_keys(ConfigOptions.create_from_environment("x")) == ("named", ["a", "b"])
