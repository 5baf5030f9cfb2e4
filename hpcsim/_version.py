"""hpcsim's version, as installed: setuptools-scm derives it from the git tag when the package
is built (``0.1.devN+g<commit>`` between tags), and the distribution's metadata carries it."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("hpcsim")
except PackageNotFoundError:  # a source tree on sys.path that was never installed
    __version__ = "0+unknown"
