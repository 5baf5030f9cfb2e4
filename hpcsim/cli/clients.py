"""``hpcsim clients``: build the shipped C, C++ and Fortran clients with your compilers, and
print the flags a Makefile needs to use them.

Thin over :mod:`hpcsim.native.build`: what it refuses before running anything (no cmake, an
unknown compiler, no hiredis, an unwritable prefix) reaches the ``hpcsim`` entry point, which
prints one line and exits 2; a failed cmake step prints one line and exits 1.
"""

from __future__ import annotations

import shlex
from pathlib import Path

import click

__all__ = ["clients"]


@click.group()
def clients() -> None:
    """Native clients for C, C++ and Fortran simulations: SmartRedis's APIs on hpcsim's data plane.

    Nothing is prebuilt: Fortran module files only work with the compiler that wrote them, so
    `hpcsim clients build` compiles the sources shipped with hpcsim with the compilers you name
    and installs libraries, headers, modules, CMake packages (hpcsim_client, and smartredis /
    smartredis-fortran for porting by relinking) and pkg-config files. It needs cmake 3.16+
    and hiredis (apt-get install cmake libhiredis-dev). See docs/native-clients.md.

    \b
    Examples:
      hpcsim clients build --prefix ~/hpcsim-clients                     # GNU, found on PATH
      hpcsim clients build --prefix $HOME/sr --cc cc --cxx CC --fc ftn   # a Cray
      mpif90 sim.F90 $(hpcsim clients flags --lang fortran) -o sim       # a Makefile's rule
      cmake -Dhpcsim_client_DIR=$HOME/sr/share/cmake/hpcsim_client ...   # find_package(hpcsim_client)
    """


@clients.command()
@click.option(
    "--prefix",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Install here: lib/, include/ (headers, .mod files), share/cmake/, lib/pkgconfig/.",
)
@click.option("--cc", metavar="CC", help="C compiler (a name on PATH or a path). [default: $CC, else cc]")
@click.option("--cxx", metavar="CXX", help="C++ compiler. [default: $CXX, else c++]")
@click.option(
    "--fc",
    metavar="FC",
    help="Fortran compiler. [default: $FC, else gfortran, ftn, ifx, ... on PATH; none: no Fortran]",
)
@click.option("--no-fortran", is_flag=True, help="Build the C and C++ clients only.")
@click.option(
    "--build-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Build here and keep it (faster rebuilds, ctest, build.log). [default: a temporary directory]",
)
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Parallel compile jobs. [default: the CPU count]")
@click.option("--sanitize", is_flag=True, help="Build C and C++ with AddressSanitizer and UBSan (for testing).")
@click.option(
    "--tests", is_flag=True, help="Also build the clients' test programs (ctest in --build-dir; PREFIX/libexec)."
)
@click.option(
    "--source",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Build this clients tree instead of the one shipped with hpcsim (`hpcsim clients source`).",
)
@click.option(
    "--cmake-arg",
    "cmake_args",
    multiple=True,
    metavar="ARG",
    help="Extra cmake configure argument (repeatable), e.g. -DHIREDIS_ROOT=/opt/hiredis.",
)
def build(
    prefix: Path,
    cc: str | None,
    cxx: str | None,
    fc: str | None,
    no_fortran: bool,
    build_dir: Path | None,
    jobs: int | None,
    sanitize: bool,
    tests: bool,
    source: Path | None,
    cmake_args: tuple[str, ...],
) -> None:
    """Build the C, C++ and Fortran clients with your compilers and install them at PREFIX.

    Everything is checked before anything is compiled: cmake, the compilers, hiredis and that
    PREFIX can be written. Progress goes to stderr; a failed step prints its first error and
    the path of the full log, and exits 1. The prefix is remembered for `hpcsim clients flags`.

    \b
    Examples:
      hpcsim clients build --prefix ~/hpcsim-clients
      hpcsim clients build --prefix /opt/hpcsim-clients/intel --cc icx --cxx icpx --fc ifx
      hpcsim clients build --prefix $HOME/sr --cc cc --cxx CC --fc ftn          # Cray PrgEnv
      hpcsim clients build --prefix $HOME/sr --cc nvc --cxx nvc++ --fc nvfortran
      hpcsim clients build --prefix /tmp/hc --no-fortran --build-dir /tmp/hc-build --tests
    """
    from hpcsim.native.build import BuildFailed, BuildOptions, build_clients

    options = BuildOptions(
        prefix=prefix,
        cc=cc,
        cxx=cxx,
        fc=fc,
        fortran=not no_fortran,
        build_dir=build_dir,
        jobs=jobs,
        sanitize=sanitize,
        tests=tests,
        source=source,
        cmake_args=cmake_args,
    )
    try:
        result = build_clients(options, progress=lambda line: click.echo(f"hpcsim clients: {line}", err=True))
    except BuildFailed as exc:
        click.echo(f"hpcsim: error: {exc}", err=True)
        click.get_current_context().exit(1)
    manifest = result.manifest
    built = ["C", *(["C++"] if manifest.get("cxx") else []), *(["Fortran"] if manifest.get("fortran") else [])]
    where = shlex.quote(str(result.prefix))
    click.echo(f"hpcsim clients: installed the {', '.join(built)} clients in {result.prefix}", err=True)
    click.echo(f"hpcsim clients: compile and link with: $(hpcsim clients flags --prefix {where} --lang c)", err=True)


@clients.command()
@click.option(
    "--prefix",
    type=click.Path(file_okay=False, path_type=Path),
    help="The install. [default: $HPCSIM_CLIENTS_PREFIX, else where the last `hpcsim clients build` installed]",
)
@click.option(
    "--lang",
    type=click.Choice(["c", "cxx", "fortran"]),
    default="c",
    show_default=True,
    help="The language of the program: which libraries it links.",
)
@click.option("--cflags", "what", flag_value="cflags", help="Only the compile flags (-I).")
@click.option("--libs", "what", flag_value="libs", help="Only the link flags (-L, rpath, -l).")
def flags(prefix: Path | None, lang: str, what: str | None) -> None:
    """Print the compile and link flags of a program that uses the clients, on one line.

    The link flags include an rpath, so the program finds the libraries when it runs. Fortran
    programs get -I for the .mod files and enum_fortran.inc (compile .F90 files, which are
    preprocessed). The same flags come from pkg-config: PKG_CONFIG_PATH=PREFIX/lib/pkgconfig
    pkg-config --cflags --libs hpcsim_client (or hpcsim_client_cxx, hpcsim_client_fortran).

    \b
    Examples:
      cc -o sim sim.c $(hpcsim clients flags)
      mpif90 -c sim.F90 $(hpcsim clients flags --lang fortran --cflags)
      mpif90 -o sim sim.o $(hpcsim clients flags --lang fortran --libs)
      # in a Makefile:
      CXXFLAGS += $(shell hpcsim clients flags --lang cxx --cflags)
      LDLIBS   += $(shell hpcsim clients flags --lang cxx --libs)
    """
    from hpcsim.native.build import compile_flags

    chosen = what if what in ("cflags", "libs") else "both"
    click.echo(shlex.join(compile_flags(prefix, lang, chosen)))


@clients.command()
def source() -> None:
    """Print the folder of the clients' sources shipped with hpcsim (CMakeLists.txt, include/,
    src/, tests/), e.g. to build them by hand with cmake.

    \b
    Example:
      cmake -S "$(hpcsim clients source)" -B build -DCMAKE_INSTALL_PREFIX=$HOME/hc
      cmake --build build -j4 && cmake --install build
    """
    from hpcsim.native.build import source_dir

    click.echo(str(source_dir()))
