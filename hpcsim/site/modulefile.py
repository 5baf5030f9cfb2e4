"""Environment modulefiles for a site-wide install of hpcsim (Lmod's Lua or Tcl).

A site admin installs hpcsim once into a prefix (a virtualenv) and publishes a modulefile, so a
user's ``module load hpcsim`` puts that install's ``hpcsim`` and ``python`` on ``PATH`` and
pins the site: ``HPCSIM_SITE`` names it, ``HPCSIM_SITE_PATH`` finds its YAML under
``<prefix>/share/hpcsim/sites`` and ``HPCSIM_REDIS_SERVER`` is the redis-server resolved when
the file was written. Every value is quoted for the module language here, in Python, because
prefixes may hold spaces, quotes, ``$``, brackets or backslashes that would otherwise be
interpreted (Tcl substitutes ``$`` and ``[...]``) or end the string.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from hpcsim._resources import shipped_dir
from hpcsim._version import __version__
from hpcsim.db.discovery import find_redis_server
from hpcsim.errors import ConfigError, SiteConfigError
from hpcsim.render.environment import render
from hpcsim.site.config import load_site
from hpcsim.site.schema import SiteConfig

__all__ = [
    "FORMATS",
    "SITE_SUBDIR",
    "ModuleSettings",
    "lua_quote",
    "module_settings",
    "module_version",
    "render_modulefile",
    "tcl_quote",
]

#: modulefile languages: Lua for Lmod, Tcl for Environment Modules. Lmod can read Tcl too, but its
#: translation (8.6) mangles quotes, backslashes and non-ASCII in paths, so give Lmod the Lua file.
FORMATS = ("lmod", "tcl")
#: where, under the prefix, the install keeps its site YAML files
SITE_SUBDIR = Path("share", "hpcsim", "sites")

_TCL_SPECIAL = frozenset('\\"$[]{}')
_NAMED_ESCAPES = {"\n": "\\n", "\t": "\\t"}  # the same in Lua and Tcl, and readable in help text


def module_version(version: str = __version__) -> str:
    """The name a modulefile for hpcsim ``version`` gets (``hpcsim/<name>``): the version with a
    local part's ``+`` made ``-`` (``0.2.1.dev3+g1a2b3c`` is ``0.2.1.dev3-g1a2b3c``), since
    Environment Modules reads ``+name`` in a module name as a variant and cannot load it."""
    return version.replace("+", "-")


@dataclass(frozen=True)
class ModuleSettings:
    """What one modulefile sets, as plain strings, before any quoting."""

    version: str
    site: str
    prefix: str
    bin_dir: str
    site_path: str
    redis_server: str


def _installed_site(name: str, site_path: Path) -> SiteConfig:
    """The site users of the module will get: ``site_path/<name>.yaml`` if the install has one,
    else a shipped site; a file only on this shell's ``HPCSIM_SITE_PATH`` is refused because
    the module's users would not find it."""
    if "/" in name or name.endswith((".yaml", ".yml")):
        raise SiteConfigError(
            f"--site takes a site name, got the path {name!r}; copy the file into {site_path}/ "
            "(scripts/install-site-module.sh does) and pass its name"
        )
    for suffix in (".yaml", ".yml"):
        if (site_path / f"{name}{suffix}").is_file():
            return load_site(site_path / f"{name}{suffix}")
    config = load_site(name)
    if Path(config.source).parent != shipped_dir("site_configs"):
        raise SiteConfigError(
            f"site {name!r} comes from {config.source}, which users of the module will not search; "
            f"copy it into {site_path}/ first"
        )
    return config


def _redis_server(explicit: str | Path | None, site: SiteConfig) -> str:
    if explicit is None:
        return str(find_redis_server(site.redis_server).absolute())
    path = Path(explicit).expanduser()
    if not (path.is_file() and os.access(path, os.X_OK)):
        raise ConfigError(f"--redis-server {str(explicit)!r} is not an executable file")
    return str(path.absolute())


def module_settings(prefix: str | Path, site: str, redis_server: str | Path | None = None) -> ModuleSettings:
    """Validate what a modulefile for the install at ``prefix`` will set.

    ``site`` is a site name, looked for in ``prefix/share/hpcsim/sites`` and then among the
    shipped sites; ``redis_server`` defaults to :func:`find_redis_server` with the site's
    ``redis_server``, resolved now so the module pins one binary. Raises
    :class:`SiteConfigError` for an unknown site and :class:`ConfigError` for a prefix that
    cannot go on ``PATH`` or a redis-server that is not an executable file.
    """
    root = Path(os.path.abspath(Path(prefix).expanduser()))
    if os.pathsep in str(root):
        raise ConfigError(f"--prefix {str(prefix)!r} contains {os.pathsep!r}, which cannot appear in a PATH entry")
    site_path = root / SITE_SUBDIR
    config = _installed_site(site, site_path)
    return ModuleSettings(
        version=__version__,
        site=site,
        prefix=str(root),
        bin_dir=str(root / "bin"),
        site_path=str(site_path),
        redis_server=_redis_server(redis_server, config),
    )


def lua_quote(value: str) -> str:
    """``value`` as a double-quoted Lua string literal that yields exactly its UTF-8 bytes:
    printable ASCII stays as it is, ``"`` and ``\\`` are backslashed, newline and tab are
    ``\\n`` and ``\\t``, every other byte is a three-digit ``\\ddd`` escape."""
    out = []
    for byte in value.encode():
        char = chr(byte)
        if char in '"\\':
            out.append("\\" + char)
        elif char in _NAMED_ESCAPES:
            out.append(_NAMED_ESCAPES[char])
        elif 0x20 <= byte < 0x7F:
            out.append(char)
        else:
            out.append(f"\\{byte:03d}")
    return '"' + "".join(out) + '"'


def tcl_quote(value: str) -> str:
    """``value`` as a double-quoted Tcl word with no substitution left in it: ``\\ " $ [ ] { }``
    are backslashed (braces too, so the word can sit inside a braced proc body), newline and tab
    are ``\\n`` and ``\\t``, other control characters ``\\uXXXX``; the rest stays as it is."""
    out = []
    for char in value:
        if char in _TCL_SPECIAL:
            out.append("\\" + char)
        elif char in _NAMED_ESCAPES:
            out.append(_NAMED_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def render_modulefile(settings: ModuleSettings, module_format: str = "lmod") -> str:
    """The modulefile text for ``settings`` in ``module_format``, from ``templates/module/``
    (a file of the same name on ``HPCSIM_TEMPLATE_PATH`` overrides it)."""
    if module_format not in FORMATS:
        raise ConfigError(f"unknown modulefile format {module_format!r}; known: {', '.join(FORMATS)}")
    template, quote = ("module/lmod.lua.j2", lua_quote) if module_format == "lmod" else ("module/tcl.j2", tcl_quote)
    return render(template, None, m=settings, quote=quote)
