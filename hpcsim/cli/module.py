"""``hpcsim module``: write the environment modulefile of a site-wide install.

A thin layer over :mod:`hpcsim.site.modulefile`: errors it raises (unknown site, unusable
prefix or redis-server) reach the ``hpcsim`` entry point, which prints them as one line and
exits 2.
"""

from __future__ import annotations

from pathlib import Path

import click

from hpcsim._atomic import write_atomic
from hpcsim.cli.options import complete_site
from hpcsim.errors import SiteConfigError
from hpcsim.site import select_site
from hpcsim.site.modulefile import FORMATS, SITE_SUBDIR, module_settings, render_modulefile

__all__ = ["module"]


def _detected_site() -> str:
    config = select_site(None)
    if config is None:
        raise SiteConfigError("no site detected on this machine (`hpcsim site detect` prints none); pass --site NAME")
    return Path(config.source).stem


@click.command()
@click.option(
    "--prefix",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help=f"The install (a virtualenv with hpcsim): PREFIX/bin goes on PATH, site files are in PREFIX/{SITE_SUBDIR}.",
)
@click.option(
    "--site",
    metavar="NAME",
    shell_complete=complete_site,
    help=f"Site name, found in PREFIX/{SITE_SUBDIR} or among the shipped sites. [default: the site detected here]",
)
@click.option(
    "--format",
    "module_format",
    type=click.Choice(FORMATS),
    default="lmod",
    show_default=True,
    help="Lua for Lmod, or Tcl for Environment Modules.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the modulefile here (its folder is created) instead of to stdout.",
)
@click.option(
    "--redis-server",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The redis-server users get. [default: the one hpcsim finds now: the site's, PATH's or the bundled one]",
)
def module(prefix: Path, site: str | None, module_format: str, output: Path | None, redis_server: Path | None) -> None:
    """Write the modulefile that makes the hpcsim installed at PREFIX loadable with
    `module load hpcsim`: it sets HPCSIM_SITE, HPCSIM_SITE_PATH and HPCSIM_REDIS_SERVER and
    puts PREFIX/bin first on PATH. Lmod finds a Lua file at MODULEPATH/hpcsim/VERSION.lua;
    Tcl files (Environment Modules) are named MODULEPATH/hpcsim/VERSION (a development
    version's "+" becomes "-" there: Environment Modules reads "+" as a variant).
    scripts/install-site-module.sh installs hpcsim and runs this for you.

    \b
    Examples:
      hpcsim module --prefix /opt/hpcsim/0.1.0 --site perlmutter
      hpcsim module --prefix /opt/hpcsim/0.1.0 --site polaris --format tcl \\
          --output /opt/modulefiles/hpcsim/0.1.0
    """
    settings = module_settings(prefix, site if site is not None else _detected_site(), redis_server)
    text = render_modulefile(settings, module_format)
    if output is None:
        click.echo(text, nl=False)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(output, text)
    output.chmod(0o644)
    click.echo(f"wrote {output}", err=True)
