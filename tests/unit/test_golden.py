"""Every scheduler x case renders exactly the text in tests/golden/<scheduler>/<case>.sh.

Regenerate after a deliberate template change with ``pytest tests/unit/test_golden.py
--regen-golden`` and review the diff like code.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from hpcsim import Experiment
from hpcsim.entities import Ensemble, Model
from hpcsim.settings.bsub import BsubBatchSettings
from hpcsim.settings.qsub import QsubBatchSettings
from hpcsim.settings.sbatch import SbatchSettings
from hpcsim.settings.sge import SgeQsubBatchSettings

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
EXP = Path("/scratch/proj/golden-exp")  # rendering never touches it
SCHEDULERS = ("local", "slurm", "pbs", "lsf", "sge")


def _batch(
    scheduler: str, **kw: object
) -> SbatchSettings | QsubBatchSettings | BsubBatchSettings | SgeQsubBatchSettings | None:
    if scheduler == "slurm":
        return SbatchSettings(nodes=2, time="01:30:00", account="proj1", partition="debug", **kw)  # type: ignore[arg-type]
    if scheduler == "pbs":
        return QsubBatchSettings(nodes=2, ncpus=64, time="01:30:00", queue="debug", account="proj1", **kw)  # type: ignore[arg-type]
    if scheduler == "lsf":
        return BsubBatchSettings(nodes=2, time="01:30:00", project="proj1", queue="pbatch", **kw)  # type: ignore[arg-type]
    if scheduler == "sge":
        return SgeQsubBatchSettings(ncpus=64, pe_type="mpi", time="01:30:00", account="proj1", queue="debug.q", **kw)  # type: ignore[arg-type]
    return None


def single_model(exp: Experiment, scheduler: str) -> list[Model | Ensemble]:
    rs = exp.create_run_settings("/bin/echo", ["hello", "world"])
    return [exp.create_model("sim", rs, batch_settings=_batch(scheduler))]


def env_commas_spaces(exp: Experiment, scheduler: str) -> list[Model | Ensemble]:
    env = {"LIST": "a,b,c", "SPACED": "x y  z", "QUOTED": 'it\'s "q" $(no)', "INHERIT": None}
    rs = exp.create_run_settings("/bin/echo", ["$HOME", "a;b"], env_vars=env)
    model = exp.create_model("envy", rs, batch_settings=_batch(scheduler), enable_key_prefixing=True)
    return [model]


def batch_ensemble(exp: Experiment, scheduler: str) -> list[Model | Ensemble]:
    rs = exp.create_run_settings("/bin/echo", ["member"])
    ens = exp.create_ensemble(
        "ens",
        params={"dt": [0.1, 0.2]},
        replicas=2,
        run_settings=rs,
        batch_settings=_batch(scheduler),
        params_as_args=["dt"],
        max_concurrent=2,
    )
    return [ens]


def job_array(exp: Experiment, scheduler: str) -> list[Model | Ensemble]:
    rs = exp.create_run_settings("/bin/echo", ["task"])
    ens = exp.create_ensemble(
        "arr", replicas=3, run_settings=rs, batch_settings=_batch(scheduler), array=True, max_concurrent=2
    )
    return [ens]


def preamble(exp: Experiment, scheduler: str) -> list[Model | Ensemble]:
    batch = _batch(scheduler)
    if batch is not None:
        batch.add_preamble(["module load gcc/12", "source /opt/venv/bin/activate", 'echo "start $(date)"'])
    rs = exp.create_run_settings("/bin/echo", ["pre"])
    return [exp.create_model("pre", rs, batch_settings=batch)]


def gpus(exp: Experiment, scheduler: str) -> list[Model | Ensemble]:
    extra: dict[str, dict[str, object]] = {
        "slurm": {"gpus": 8, "constraint": "gpu", "exclusive": True},
        "pbs": {"ngpus": 4, "place": "scatter", "filesystems": "home:eagle"},
        "lsf": {"gpus": 4, "smts": 4},
        "sge": {"ngpus": 4, "resources": {"mem_free": "8G"}, "project": "climate"},
    }
    rs = exp.create_run_settings("/bin/echo", ["gpu"])
    return [exp.create_model("gpu", rs, batch_settings=_batch(scheduler, **extra.get(scheduler, {})))]


_MPI = {"slurm": "srun", "pbs": "mpiexec", "lsf": "jsrun", "sge": "mpirun", "local": "mpirun"}


def mpi_model(exp: Experiment, scheduler: str) -> list[Model | Ensemble]:
    rs = exp.create_run_settings("/bin/echo", ["rank"], run_command=_MPI[scheduler], env_vars={"OMP_NUM_THREADS": 4})
    rs.set_tasks(8)
    if scheduler != "lsf":
        rs.set_tasks_per_node(4)
    return [exp.create_model("mpi", rs, batch_settings=_batch(scheduler))]


def mpmd(exp: Experiment, scheduler: str) -> list[Model | Ensemble]:
    command = {"lsf": "mpirun"}.get(scheduler, _MPI[scheduler])
    first = exp.create_run_settings("/bin/echo", ["ocean"], run_command=command, env_vars={"A": "1"})
    first.set_tasks(4)
    second = exp.create_run_settings("/bin/echo", ["atmos"], run_command=command, env_vars={"B": "x,y"})
    second.set_tasks(2)
    first.make_mpmd(second)
    return [exp.create_model("coupled", first, batch_settings=_batch(scheduler))]


CASES: dict[str, Callable[[Experiment, str], list[Model | Ensemble]]] = {
    "single_model": single_model,
    "env_commas_spaces": env_commas_spaces,
    "batch_ensemble": batch_ensemble,
    "job_array": job_array,
    "preamble": preamble,
    "gpus": gpus,
    "mpi_model": mpi_model,
    "mpmd": mpmd,
    "site_defaults": single_model,
}
#: the case "site_defaults" renders with a real site: modules, site env and default directives
SITES = {"slurm": "perlmutter", "pbs": "polaris", "lsf": "lassen", "sge": "sge-generic"}
_LOCAL_ONLY = {"single_model", "env_commas_spaces", "mpi_model", "mpmd"}


#: every scheduler x case that exists: the local launcher has no batch settings
COMBINATIONS = [(s, c) for s in SCHEDULERS for c in sorted(CASES) if s != "local" or c in _LOCAL_ONLY]


@pytest.mark.parametrize(("scheduler", "case"), COMBINATIONS)
def test_golden(
    scheduler: str, case: str, regen_golden: bool, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # models without a path that were never generated run in the driver's working directory:
    # "/" keeps the golden text independent of where pytest runs
    monkeypatch.chdir("/")
    site = SITES[scheduler] if case == "site_defaults" else "local"
    exp = Experiment("golden", exp_path=EXP, launcher=scheduler, site=site)
    text = exp.preview(*CASES[case](exp, scheduler))
    capsys.readouterr()
    path = GOLDEN / scheduler / f"{case}.sh"
    if regen_golden:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    assert path.is_file(), f"missing golden file {path}; run pytest {__file__} --regen-golden"
    expected = path.read_text()
    assert text == expected, f"{path} differs; if the change is deliberate, rerun with --regen-golden and review"
