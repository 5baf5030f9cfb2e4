"""``hpcsim site``: list, show, validate and detect site configurations.

These commands let a user check a site file before a run depends on it, and see which site
hpcsim would pick on this machine. User errors raise :class:`SiteConfigError`, which the
``hpcsim`` entry point prints as one line before exiting with status 2.
"""

from __future__ import annotations

from pathlib import Path

import click
import yaml

from hpcsim.cli.options import complete_site, echo_json
from hpcsim.control.summary import format_table
from hpcsim.errors import SiteConfigError
from hpcsim.site import available_sites, detect_site, load_site, select_site

__all__ = ["site"]


@click.group()
def site() -> None:
    """Site configurations: list, show, validate and detect them.

    \b
    Examples:
      hpcsim site list
      hpcsim site show perlmutter > mysite.yaml
      hpcsim site validate mysite.yaml
      hpcsim site detect --hostname login01.frontier.olcf.ornl.gov
    """


@site.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the sites as a JSON list.")
def list_sites(as_json: bool) -> None:
    """Table of every known site (HPCSIM_SITE_PATH first, then the shipped ones).

    \b
    Examples:
      HPCSIM_SITE_PATH=~/sites hpcsim site list
      hpcsim site list --json | jq '.[].name'
    """
    rows, broken = [], []
    for name, path in sorted(available_sites().items()):
        try:
            config = load_site(path)
        except SiteConfigError:
            broken.append(str(path))
            rows.append({"name": name, "scheduler": "?", "description": "INVALID", "source": str(path)})
            continue
        rows.append(
            {"name": config.name, "scheduler": config.scheduler, "description": config.description, "source": str(path)}
        )
    if as_json:
        echo_json(rows)
    else:
        click.echo(format_table(rows, ("name", "scheduler", "description", "source")))
    if broken:
        raise SiteConfigError(f"invalid site file(s): {', '.join(broken)}; see `hpcsim site validate FILE`")


@site.command()
@click.argument("name_or_path", shell_complete=complete_site)
def show(name_or_path: str) -> None:
    """Print the validated config of NAME_OR_PATH as YAML, with every default filled in.

    \b
    Examples:
      hpcsim site show polaris
      hpcsim site show ./mysite.yaml
    """
    config = load_site(name_or_path)
    click.echo(f"# {config.source}")
    click.echo(yaml.safe_dump(config.to_dict(), sort_keys=False, default_flow_style=False), nl=False)


@site.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
def validate(files: tuple[Path, ...]) -> None:
    """Check each FILE; print "ok: FILE" or "FILE: what is wrong", exit 2 if any is invalid.

    \b
    Example:
      hpcsim site validate site_configs/*.yaml
    """
    bad = 0
    for path in files:
        try:
            load_site(path)
        except SiteConfigError as exc:
            bad += 1
            message = str(exc).removeprefix(f"{path}: ")
            click.echo(f"{path}: {message}", err=True)
        else:
            click.echo(f"ok: {path}")
    if bad:
        raise SiteConfigError(f"{bad} of {len(files)} site file(s) invalid")


@site.command()
@click.option("--hostname", help="Match this hostname instead of choosing as hpcsim would here.")
def detect(hostname: str | None) -> None:
    """Print the site hpcsim would use here (HPCSIM_SITE, else a hostname match), or "none".

    With --hostname, print the site whose hostname patterns match it.

    \b
    Examples:
      hpcsim site detect
      hpcsim site detect --hostname perlmutter-login01.nersc.gov
    """
    config = detect_site(hostname) if hostname is not None else select_site(None)
    click.echo(config.name if config is not None else "none")
