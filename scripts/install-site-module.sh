#!/usr/bin/env bash
# Install hpcsim for a whole site: a virtualenv at PREFIX with hpcsim and its bundled redis-server,
# the site's YAML in PREFIX/share/hpcsim/sites, and a modulefile that users load with
# `module load hpcsim`. Run it once per hpcsim version; versions live side by side. See docs/site-admin.md.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: install-site-module.sh --prefix DIR --site NAME|FILE [options]

Creates a virtualenv at DIR, installs hpcsim with its bundled redis-server ('hpcsim[redis]') into
it, copies the site's YAML into DIR/share/hpcsim/sites/ and writes the modulefile
MODDIR/hpcsim/VERSION.lua (Lmod) or MODDIR/hpcsim/VERSION (Tcl, Environment Modules).

  --prefix DIR         where hpcsim is installed (created; one directory per version)
  --site NAME|FILE     a site name (`hpcsim site list`) or the path of a site YAML file
  --modulefiles MODDIR where the modulefile goes (default: DIR/modulefiles)
  --format lmod|tcl    modulefile language (default: lmod)
  --python PY          the Python that creates the virtualenv (default: python3; 3.10 or newer)
  --from SRC           what pip installs: a source folder, wheel or sdist (default: this checkout)
  -h, --help           this text

The module pins the redis-server found at install time (the site's redis_server, PATH, then the
bundled one); set HPCSIM_REDIS_SERVER=PATH while running this script to choose another.

Example:
  bash scripts/install-site-module.sh --prefix /opt/hpcsim/0.1.0 --site perlmutter \
      --modulefiles /opt/modulefiles
  module use /opt/modulefiles; module load hpcsim
EOF
}

die() {
    printf 'install-site-module: error: %s\n' "$*" >&2
    exit 2
}

absolute() {
    case $1 in
        /*) printf '%s' "$1" ;;
        *) printf '%s/%s' "$PWD" "$1" ;;
    esac
}

prefix="" site="" moddir="" format=lmod python=python3
src=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
while [ $# -gt 0 ]; do
    case $1 in
        -h | --help)
            usage
            exit 0
            ;;
        --prefix | --site | --modulefiles | --format | --python | --from)
            if [ $# -lt 2 ] || [ -z "$2" ]; then die "$1 needs a value; see --help"; fi
            case $1 in
                --prefix) prefix=$2 ;;
                --site) site=$2 ;;
                --modulefiles) moddir=$2 ;;
                --format) format=$2 ;;
                --python) python=$2 ;;
                --from) src=$2 ;;
            esac
            shift 2
            ;;
        *) die "unknown argument '$1'; see --help" ;;
    esac
done

[ -n "$prefix" ] || die "--prefix DIR is required; see --help"
[ -n "$site" ] || die "--site NAME|FILE is required; see --help"
case $format in
    lmod | tcl) ;;
    *) die "--format must be lmod or tcl, got '$format'" ;;
esac
case $prefix in
    *:*) die "--prefix '$prefix' contains ':', which cannot appear in a PATH entry" ;;
    *'$'*) die "--prefix '$prefix' contains '\$', which setuptools cannot build packages under" ;;
esac
command -v "$python" >/dev/null || die "--python '$python' is not a command"
[ -e "$src" ] || die "--from '$src' does not exist"
prefix=$(absolute "$prefix")
moddir=$(absolute "${moddir:-$prefix/modulefiles}")
case $src in
    */*) src=$(absolute "$src") ;;
esac

echo "== virtualenv $prefix ($python)"
"$python" -m venv "$prefix"
echo "== pip install hpcsim[redis] from $src"
"$prefix/bin/python" -m pip install --quiet "${src}[redis]"
hpcsim=$prefix/bin/hpcsim

sites=$prefix/share/hpcsim/sites
case $site in
    */* | *.yaml | *.yml) file=$site ;;
    *)
        shown=$("$hpcsim" site show "$site") # first line: "# <the file it was loaded from>"
        file=${shown%%$'\n'*}
        file=${file#\# }
        ;;
esac
name=$(basename -- "$file")
name=${name%.yaml}
name=${name%.yml}
echo "== site $name from $file"
mkdir -p -- "$sites"
install -m 0644 -- "$file" "$sites/$name.yaml"
"$hpcsim" site validate "$sites/$name.yaml" >/dev/null

# the modulefile's name: the version, with a local part's "+" (Environment Modules' variant mark) made "-"
version=$("$prefix/bin/python" -c 'from hpcsim.site.modulefile import module_version; print(module_version())')
if [ "$format" = lmod ]; then modulefile=$moddir/hpcsim/$version.lua; else modulefile=$moddir/hpcsim/$version; fi
echo "== modulefile $modulefile"
"$hpcsim" module --prefix "$prefix" --site "$name" --format "$format" --output "$modulefile"

printf '\nhpcsim %s is installed for site %s. Users load it with:\n' "$version" "$name"
printf '  module use %q; module load hpcsim\n' "$moddir"
