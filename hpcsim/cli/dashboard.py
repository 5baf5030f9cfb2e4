"""``hpcsim dashboard``: serve a live web view of experiments until Ctrl-C."""

from __future__ import annotations

import ipaddress
import secrets
import signal
import socket
import sys
from pathlib import Path
from types import FrameType

import click

from hpcsim.cli.options import complete_experiment
from hpcsim.errors import ConfigError

__all__ = ["dashboard"]

EXP_DIR = click.Path(file_okay=False, path_type=Path)


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """``--host`` as an IP address: a name is refused rather than looked up, so what the
    dashboard binds to is exactly what the user wrote."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        raise click.BadParameter(
            f"{host!r} is not an IP address; give one of this machine's addresses, such as 127.0.0.1 (the "
            "default) or ::1",
            param_hint="--host",
        ) from None


def _listen(host: str, port: int) -> socket.socket:
    """A socket listening at ``host:port`` (port 0: a free one); ConfigError if it cannot."""
    family = socket.AF_INET6 if _address(host).version == 6 else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}; choose another --port") from None
    return sock


def _url(sock: socket.socket, host: str, token: str) -> str:
    port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/?token={token}"


@click.command()
@click.argument("exp_dirs", metavar="[EXP_DIR]...", nargs=-1, type=EXP_DIR, shell_complete=complete_experiment)
@click.option(
    "--port", type=click.IntRange(0, 65535), default=0, show_default=True, help="Port to serve on; 0 picks a free one."
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="IP address to serve on (keep it loopback); names are not looked up.",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the page in a web browser.")
def dashboard(exp_dirs: tuple[Path, ...], port: int, host: str, open_browser: bool) -> None:
    """Serve a live web view of the experiments at EXP_DIR... (default: here): every job on a
    timeline, ensembles, logs, databases, inference statistics and training metrics, refreshed
    every second. Prints the page's URL, which carries a one-time token, and serves until Ctrl-C.

    \b
    Examples:
      hpcsim dashboard ./exp --open
      hpcsim dashboard ./sweep ./training --port 8050
    On a cluster, run it on the login node with a fixed port, forward that port from your own
    machine, and open the printed URL there:
      hpcsim dashboard ./exp --port 8050                 # on the login node
      ssh -L 8050:127.0.0.1:8050 login.cluster.example   # on your machine
    """
    from hpcsim.control.store import has_store

    _address(host)  # before anything is read or bound
    directories = list(exp_dirs) or [Path(".")]
    for directory in directories:
        if not has_store(directory):
            raise click.BadParameter(
                f"{str(directory)!r} is not an hpcsim experiment (no .hpcsim/store in it); give the directory "
                "an Experiment ran in (its exp_path)",
                param_hint="EXP_DIR",
            )
    try:
        import uvicorn

        from hpcsim.dashboard.server import create_app, end_streams
    except ImportError as exc:
        raise ConfigError(
            f"hpcsim dashboard needs starlette and uvicorn ({exc}): pip install 'hpcsim[dashboard]'"
        ) from None
    token = secrets.token_urlsafe(32)
    app = create_app(directories, token)
    sock = _listen(host, port)
    url = _url(sock, host, token)
    config = uvicorn.Config(app, log_level="warning", access_log=False, timeout_graceful_shutdown=3)

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            end_streams(app)  # open pages' event streams end, instead of being cancelled with an error
            super().handle_exit(sig, frame)

    server = Server(config)

    def stop(signum: int, frame: FrameType | None) -> None:
        end_streams(app)
        server.should_exit = True  # also after uvicorn hands a caught signal back, so it exits 0

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, stop)
    click.echo(f"hpcsim dashboard: {url}")
    sys.stdout.flush()
    if open_browser:
        import webbrowser

        webbrowser.open(url, new=2)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    if not server.started:
        raise click.ClickException("the dashboard's server did not start; see the messages above")
