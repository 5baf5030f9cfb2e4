"""Native clients' data-plane throughput: hpcsim's C and Fortran clients against raw hiredis.

Builds the shipped clients with ``hpcsim clients build`` (or uses an install given with
``--prefix``), compiles the programs in scripts/bench/native/ with ``hpcsim clients flags``,
starts one redis-server (loopback TCP, or a Unix socket with ``--unix``; password on, no
persistence, 4 GB bulk limit) and, per tensor size, alternates rounds between four programs,
each with its own connection to that server:

* ``c``: hpcsim's C client, ``put_tensor``/``unpack_tensor`` of a float64 vector
  (``SRMemLayoutContiguous``);
* ``fortran``: hpcsim's Fortran client, ``put_tensor``/``unpack_tensor`` of a ``real(8)``
  vector (``dims = shape(a)``);
* ``fortran_3d``: the same with a rank-3 ``real(8)`` array (transposed to C order on put and
  back on unpack): context, not a target;
* ``raw`` (the baseline): hiredis alone, ``redisCommandArgv`` SET/GET of exactly the bytes
  hpcsim stores for that tensor (header + elements), every reply freed.

``ratio`` is hpcsim / raw throughput (medians over rounds); targets: >= 0.9 from 1 MiB up,
>= 0.8 in ops/s at 1 KiB. Then one put (and one unpack) of ``--rss-bytes`` (1 GiB) per program
in a fresh process: the growth of its peak RSS (``VmHWM``) over the buffer it already holds;
target: a put adds at most 1/4 of the tensor's size.

Prints one JSON object on stdout; progress goes to stderr.

    .venv/bin/python scripts/bench/native.py            # 1 KiB, 1 MiB, 16 MiB, 256 MiB; 1 GiB RSS
    .venv/bin/python scripts/bench/native.py --quick    # up to 16 MiB, fewer rounds; 256 MiB RSS
    .venv/bin/python scripts/bench/native.py --prefix ~/hc   # reuse (or build once into) ~/hc
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import secrets
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import redis
from _redis import start_server
from redis.backoff import NoBackoff
from redis.retry import Retry

from hpcsim.dataplane import codec
from hpcsim.db.discovery import find_redis_server
from hpcsim.errors import ConfigError
from hpcsim.native.build import read_manifest

HERE = Path(__file__).resolve().parent
PROGRAMS = HERE / "native"
KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB
SIZES = [KIB, MIB, 16 * MIB, 256 * MIB]
QUICK_SIZES = [KIB, MIB, 16 * MIB]
SIDES = ("c", "fortran", "fortran_3d", "raw")
HPCSIM_SIDES = ("c", "fortran")  # what the targets are about
#: variables that would point the programs at another database or prefix their keys
FOREIGN = ("SSDB", "SR_DB_TYPE", "SSKEYIN", "SSKEYOUT", "HPCSIM_DB", "HPCSIM_KEYIN", "HPCSIM_KEYOUT")


def log(message: str) -> None:
    print(f"[native bench] {message}", file=sys.stderr, flush=True)


def hpcsim_command() -> str:
    """The ``hpcsim`` command of this interpreter's environment (else the one on PATH)."""
    found = shutil.which("hpcsim", path=str(Path(sys.executable).parent)) or shutil.which("hpcsim")
    if found is None:
        raise SystemExit("native bench: no `hpcsim` command (pip install -e . first)")
    return found


def run(argv: list[str], what: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"native bench: {what} failed: `{shlex.join(argv)}`\n{done.stdout}{done.stderr}")
    return done.stdout


def installed(prefix: Path) -> dict[str, Any] | None:
    try:
        return read_manifest(prefix)
    except ConfigError:
        return None


def build(prefix: Path, scratch: Path) -> float | None:
    """``hpcsim clients build --prefix PREFIX`` unless clients are installed there; seconds or None."""
    if installed(prefix) is not None:
        log(f"using the clients installed at {prefix}")
        return None
    log(f"building the clients into {prefix} (hpcsim clients build)")
    env = dict(os.environ, XDG_DATA_HOME=str(scratch / "xdg"))  # keep the user's record of their build
    start = time.perf_counter()
    argv = [hpcsim_command(), "clients", "build", "--prefix", str(prefix), "--jobs", str(os.cpu_count() or 2)]
    run(argv, "building the clients", env)
    return round(time.perf_counter() - start, 1)


def hiredis_flags(manifest: dict[str, Any]) -> list[str]:
    """Compile and link flags for the raw baseline: the hiredis the clients linked."""
    flags: list[str] = []
    pkg_config = shutil.which("pkg-config")
    if pkg_config and subprocess.run([pkg_config, "--exists", "hiredis"], check=False).returncode == 0:
        flags += shlex.split(run([pkg_config, "--cflags", "hiredis"], "pkg-config"))
    libdir = manifest.get("hiredis_libdir")
    if libdir:
        flags += [f"-L{libdir}", f"-Wl,-rpath,{libdir}"]
    return [*flags, "-lhiredis"]


def compile_programs(prefix: Path, out: Path) -> dict[str, Path]:
    """The three benchmark programs, compiled with the compilers the clients were built with."""
    manifest = read_manifest(prefix)
    compilers = manifest.get("compilers") or {}
    if not manifest.get("fortran"):
        raise SystemExit(f"native bench: the clients at {prefix} were built without Fortran")
    hpcsim = hpcsim_command()

    def flags(lang: str) -> list[str]:
        return shlex.split(run([hpcsim, "clients", "flags", "--prefix", str(prefix), "--lang", lang], "clients flags"))

    cc = compilers.get("c") or "cc"
    fc = compilers.get("fortran") or "gfortran"
    programs = {"c": out / "bench_hpcsim", "fortran": out / "bench_fortran", "raw": out / "bench_raw"}
    commands = {
        "c": [cc, "-O2", str(PROGRAMS / "bench_hpcsim.c"), "-o", str(programs["c"]), *flags("c")],
        "fortran": [fc, "-O2", str(PROGRAMS / "bench_fortran.F90"), "-o", str(programs["fortran"]), *flags("fortran")],
        "raw": [cc, "-O2", str(PROGRAMS / "bench_raw.c"), "-o", str(programs["raw"]), *hiredis_flags(manifest)],
    }
    for name, argv in commands.items():
        log(f"compiling {name}: {shlex.join(argv)}")
        done = subprocess.run(argv, capture_output=True, text=True, cwd=out, check=False)
        if done.returncode != 0:
            raise SystemExit(f"native bench: compiling {name} failed: `{shlex.join(argv)}`\n{done.stderr}")
    return programs


def dims_3d(count: int) -> list[int]:
    """A near-cube shape of ``count`` elements (a power of two), largest extent first."""
    if count <= 0 or count & (count - 1):
        return [count, 1, 1]
    bits = count.bit_length() - 1
    low = bits // 3
    mid = (bits - low) // 2
    return [2 ** (bits - low - mid), 2**mid, 2**low]


def header_hex(count: int) -> str:
    """The header hpcsim writes before ``count`` float64 elements (1-D), in hex."""
    first = codec.encode_tensor(np.empty(count, dtype=np.float64))[0]
    return bytes(first[: codec.header_length(1)]).hex()


def argv_of(programs: dict[str, Path], side: str, mode: str, size: int) -> list[str]:
    count = size // 8
    if side == "c":
        return [str(programs["c"]), mode, "bench_c", str(size)]
    if side == "fortran":
        return [str(programs["fortran"]), mode, "bench_f", str(count)]
    if side == "fortran_3d":
        return [str(programs["fortran"]), mode, "bench_f3", *map(str, dims_3d(count))]
    return [str(programs["raw"]), mode, "bench_raw", str(size), header_hex(count)]


class Side:
    """One program serving the line protocol of native/bench_common.h."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        self.name = name
        self.process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
        self.read()  # {"ready": true}

    def read(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.name}: the program exited ({self.process.wait()}) without answering")
        answer: dict[str, Any] = json.loads(line)
        if "error" in answer:
            raise RuntimeError(f"{self.name}: {answer['error']}")
        return answer

    def ask(self, command: str, n: int = 0) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(f"{command} {n}\n")
        self.process.stdin.flush()
        return self.read()

    def close(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(OSError):
                assert self.process.stdin is not None
                self.process.stdin.write("quit 0\n")
                self.process.stdin.close()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def reps_for(size: int, quick: bool) -> tuple[int, int]:
    """(operations per round, rounds), as scripts/bench/client.py."""
    if size <= KIB:
        return (2000 if quick else 5000), (3 if quick else 5)
    ops = max(1, min(200, (256 * MIB) // size))
    return (max(1, ops // 4) if quick else ops), (3 if quick else 5)


def verify(raw: redis.Redis, size: int) -> None:
    """Every side stored the same elements, in the wire format hpcsim's Python client reads."""
    count = size // 8
    expected = np.arange(count, dtype=np.float64) * 0.5
    values = {key: raw.get(key) for key in ("bench_c", "bench_f", "bench_f3", "bench_raw")}
    if any(not isinstance(v, bytes) for v in values.values()):
        raise RuntimeError(f"{size} B: a side's key is missing after the rounds")
    if not np.array_equal(codec.decode_tensor(values["bench_raw"], "bench_raw"), expected):
        raise RuntimeError(f"{size} B: the baseline's value does not decode to the expected elements")
    if values["bench_c"] != values["bench_raw"] or values["bench_f"] != values["bench_raw"]:
        raise RuntimeError(f"{size} B: C or Fortran stored other bytes than the baseline")
    cube = codec.decode_tensor(values["bench_f3"], "bench_f3")
    if list(cube.shape) != dims_3d(count) or not np.array_equal(cube.ravel(), expected):
        raise RuntimeError(f"{size} B: the rank-3 Fortran array does not read back as a(i,j,k) == t[i-1,j-1,k-1]")


def bench_size(
    programs: dict[str, Path], env: dict[str, str], raw: redis.Redis, size: int, quick: bool
) -> dict[str, Any]:
    ops, rounds = reps_for(size, quick)
    runs: dict[str, list[float]] = {f"{side}_{op}": [] for side in SIDES for op in ("put", "get")}
    sides: dict[str, Side] = {}
    try:
        for side in SIDES:
            sides[side] = Side(side, argv_of(programs, side, "serve", size), env)
        for index in range(rounds):
            order = SIDES[index % len(SIDES) :] + SIDES[: index % len(SIDES)]  # who goes first rotates
            for side in order:
                times = sides[side].ask("round", ops)
                runs[f"{side}_put"].append(ops / times["put_s"])
                runs[f"{side}_get"].append(ops / times["get_s"])
        for side, program in sides.items():
            if not program.ask("check")["ok"]:
                raise RuntimeError(f"{size} B: {side} unpacked other data than it put")
        verify(raw, size)
    finally:
        for program in sides.values():
            program.close()
        raw.delete("bench_c", "bench_f", "bench_f3", "bench_raw")
    rates = {name: statistics.median(values) for name, values in runs.items()}
    value_bytes = size + codec.header_length(1)
    ratio = {
        f"{side}_{op}": round(rates[f"{side}_{op}"] / rates[f"raw_{op}"], 3)
        for side in SIDES
        if side != "raw"
        for op in ("put", "get")
    }
    result: dict[str, Any] = {
        "bytes": size,
        "value_bytes": value_bytes,
        "ops_per_round": ops,
        "rounds": rounds,
        "fortran_3d_dims": dims_3d(size // 8),
        "ops_per_s": {name: round(rate, 1) for name, rate in rates.items()},
        "GB_per_s": {name: round(rate * value_bytes / 1e9, 3) for name, rate in rates.items()},
        "ratio": ratio,
        "runs_ops_per_s": {name: [round(v, 1) for v in values] for name, values in runs.items()},
    }
    log(f"{size} B: ratios {ratio}")
    return result


def bench_rss(programs: dict[str, Path], env: dict[str, str], size: int) -> dict[str, Any]:
    """Peak-RSS growth of one put (then one unpack into the same buffer) of ``size`` bytes."""
    sides: dict[str, Any] = {}
    for side in SIDES:
        done = subprocess.run(
            argv_of(programs, side, "rss", size), capture_output=True, text=True, env=env, check=False
        )
        lines = done.stdout.strip().splitlines()
        answer: dict[str, Any] = json.loads(lines[-1]) if lines else {"error": done.stderr.strip()}
        if done.returncode != 0 or "error" in answer:
            raise RuntimeError(f"rss {side}: {answer.get('error', done.stderr.strip())}")
        base_kib = max(answer["hwm_before_kib"], answer["rss_before_kib"])
        put_added = max(0, answer["hwm_after_put_kib"] - base_kib) * KIB
        # VmHWM was reset after the put (-1: could not be, then the put's peak is the base)
        get_base_kib = answer["hwm_before_get_kib"] if answer["hwm_before_get_kib"] > 0 else answer["hwm_after_put_kib"]
        get_added = max(0, answer["hwm_after_get_kib"] - get_base_kib) * KIB
        sides[side] = {
            **answer,
            "put_added_bytes": put_added,
            "put_added_fraction": round(put_added / size, 3),
            "get_added_bytes": get_added,
            "get_added_fraction": round(get_added / size, 3),
        }
        log(f"rss {side}: a put of {size} B adds {put_added / size:.3f} of it, an unpack {get_added / size:.3f}")
    return {"bytes": size, "sides": sides}


def program_env(address: str, password_file: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(FOREIGN)}
    env.update(HPCSIM_DB=address, HPCSIM_DB_TYPE="standalone", HPCSIM_DB_PASSWORD_FILE=str(password_file))
    return env


def versions(manifest: dict[str, Any]) -> dict[str, Any]:
    info: dict[str, Any] = {"compilers": manifest.get("compiler_ids")}
    server = subprocess.run([str(find_redis_server()), "--version"], capture_output=True, text=True, check=False)
    info["redis_server"] = next((w[2:] for w in server.stdout.split() if w.startswith("v=")), None)
    pkg_config = shutil.which("pkg-config")
    if pkg_config:
        done = subprocess.run([pkg_config, "--modversion", "hiredis"], capture_output=True, text=True, check=False)
        info["hiredis"] = done.stdout.strip() or None
    return info


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="sizes up to 16 MiB, fewer rounds, 256 MiB RSS put")
    parser.add_argument("--unix", action="store_true", help="talk over a Unix socket instead of loopback TCP")
    parser.add_argument("--dir", type=Path, default=None, help="parent of the temporary directory")
    parser.add_argument(
        "--prefix",
        type=Path,
        default=None,
        help="clients installed here (built here first if absent); default: a fresh build",
    )
    parser.add_argument(
        "--rss-bytes", type=int, default=None, help="size of the RSS put (default 1 GiB, quick 256 MiB; 0: skip)"
    )
    args = parser.parse_args()
    rss_bytes = args.rss_bytes if args.rss_bytes is not None else (256 * MIB if args.quick else GIB)
    password = secrets.token_hex(16)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="hpcsim-native-bench-", dir=args.dir) as tmp:
        directory = Path(tmp)
        prefix = (args.prefix or directory / "clients").expanduser().resolve()
        build_s = build(prefix, directory)
        programs = compile_programs(prefix, directory)
        manifest = read_manifest(prefix)
        password_file = directory / "password"
        password_file.write_text(password)
        password_file.chmod(0o600)
        process, target = start_server(directory, password, args.unix)
        try:
            address = f"unix://{target['unix_socket_path']}" if args.unix else f"127.0.0.1:{target['port']}"
            env = program_env(address, password_file)
            raw = redis.Redis(password=password, protocol=2, **target)
            measuring = time.perf_counter()
            sizes = QUICK_SIZES if args.quick else SIZES
            results = [bench_size(programs, env, raw, size, args.quick) for size in sizes]
            rss = bench_rss(programs, env, rss_bytes) if rss_bytes > 0 else None
            measure_s = time.perf_counter() - measuring
        finally:
            with contextlib.suppress(redis.RedisError):
                stopper = redis.Redis(password=password, protocol=2, retry=Retry(NoBackoff(), 0), **target)
                stopper.execute_command("SHUTDOWN", "NOSAVE")
            process.wait(timeout=30)
    small = next(r for r in results if r["bytes"] == KIB)
    large = [r for r in results if r["bytes"] >= MIB]

    def worst(rows: list[dict[str, Any]], sides: tuple[str, ...]) -> float:
        return min(r["ratio"][f"{side}_{op}"] for r in rows for side in sides for op in ("put", "get"))

    targets: dict[str, Any] = {
        "small_ops_ratio_min_0.8": worst([small], HPCSIM_SIDES),
        "large_throughput_ratio_min_0.9": worst(large, HPCSIM_SIDES),
    }
    met = {
        "small_ops_ratio_min_0.8": targets["small_ops_ratio_min_0.8"] >= 0.8,
        "large_throughput_ratio_min_0.9": targets["large_throughput_ratio_min_0.9"] >= 0.9,
    }
    context: dict[str, Any] = {
        "fortran_3d_small_ops_ratio_min": worst([small], ("fortran_3d",)),
        "fortran_3d_large_throughput_ratio_min": worst(large, ("fortran_3d",)),
    }
    if rss is not None:
        fractions = [rss["sides"][side]["put_added_fraction"] for side in HPCSIM_SIDES]
        targets["put_rss_added_fraction_max_0.25"] = max(fractions)
        met["put_rss_added_fraction_max_0.25"] = max(fractions) <= 0.25
        context["raw_put_rss_added_fraction"] = rss["sides"]["raw"]["put_added_fraction"]
        context["fortran_3d_put_rss_added_fraction"] = rss["sides"]["fortran_3d"]["put_added_fraction"]
    report = {
        "benchmark": "native",
        "transport": "unix" if args.unix else "tcp-loopback",
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        **versions(manifest),
        "build_s": build_s,
        "measure_s": round(measure_s, 1),
        "total_s": round(time.perf_counter() - started, 1),
        "sizes": results,
        "rss": rss,
        "targets": targets,
        "met": met,
        "context": context,
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
