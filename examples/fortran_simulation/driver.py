"""Driver of the online-training seed with a compiled MPI Fortran simulation as the producer.

A database, the Fortran producer (``producer.F90``, built by ``make``; key prefixing on) as an
MPI job, and the Python training service of examples/online_training registered to read what
the producer writes, with ``--uploader-ranks`` set to the producer's rank count. The producer
starts without blocking and the training service trains while samples arrive; the driver
watches both and stops the database.

    make                                                         # ./producer (see the Makefile)
    python examples/fortran_simulation/driver.py                 # 3 ranks under mpirun, PyTorch
    python examples/fortran_simulation/driver.py --framework keras
    python examples/fortran_simulation/driver.py --launcher slurm --hosts node1,node2
        # database on node1, trainer on node2, producer: 3 nodes, one rank each (srun --mpi=pmix)

Each entity's output is in fortran-simulation/<name>/<name>.out; the producer prints a line per
rank and iteration, the training service one JSON line per epoch.
"""

import argparse
import shutil
import sys
import time
from pathlib import Path

from hpcsim import Experiment
from hpcsim.log import get_logger

HERE = Path(__file__).resolve().parent
TRAINERS = {"keras": "training_service.py", "torch": "training_service_torch.py"}
TRAINER_DIR = HERE.parent / "online_training"
#: Open MPI's mpirun refuses to run as root without these
ROOT_OK = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"}

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--framework", choices=sorted(TRAINERS), default="torch")
parser.add_argument("--launcher", default="local", help="local (mpirun) or a scheduler's launcher (slurm: srun)")
parser.add_argument("--port", type=int, default=6780)
parser.add_argument("--producer", default=str(HERE / "producer"), help="the built Fortran producer (make)")
parser.add_argument("--ranks", type=int, default=3, help="producer MPI ranks (with a scheduler: nodes, one rank each)")
parser.add_argument("--iterations", type=int, default=16, help="producer iterations")
parser.add_argument("--interval", type=float, default=0.5, help="seconds between producer iterations")
parser.add_argument("--samples", type=int, default=64, help="samples per rank and iteration")
parser.add_argument("--epochs", type=int, default=100, help="at least; then until an epoch has every sample")
parser.add_argument(
    "--trainer",
    help="a training service script of your own (it takes --epochs, --uploader-ranks and --min-samples); "
    "default: --framework's in examples/online_training",
)
parser.add_argument("--mpi", default="pmix", help="with srun: its --mpi plugin for the producer")
parser.add_argument("--time", default="00:10:00", help="with a scheduler: each batch job's time limit")
parser.add_argument(
    "--trainer-wait",
    type=float,
    default=600,
    help="seconds to wait for the training service to start (a batch job may queue)",
)
parser.add_argument(
    "--trainer-grace",
    type=float,
    default=600,
    help="seconds the training service may go on after the producer is done before it is stopped",
)
parser.add_argument("--hosts", help="with a scheduler: DB,TRAINER nodes (the producer spans --ranks nodes)")
args = parser.parse_args()

found = shutil.which(args.producer)
if found is None:
    sys.exit(f"no producer program at {args.producer}: build it with `make -C {HERE}` (see its Makefile)")
producer_exe = str(Path(found).resolve())  # the applications run in their own directories
local = args.launcher == "local"
hosts = {}
if args.hosts:
    if local:
        parser.error("--hosts needs a scheduler (--launcher slurm)")
    if len(args.hosts.split(",")) != 2:
        parser.error(f"--hosts takes two nodes, DB,TRAINER, not {args.hosts!r}")
    hosts = dict(zip(["db", "training_service"], args.hosts.split(","), strict=True))

logger = get_logger("Experiment Log")
exp = Experiment("fortran-simulation", launcher=args.launcher)
if local:
    db = exp.create_database(port=args.port)
else:
    db = exp.create_database(port=args.port, batch=True, hosts=hosts.get("db"), time=args.time)


# producer: the compiled MPI simulation, with key prefixing (its keys become producer.<name>)
producer_args = ["--iterations", str(args.iterations), "--interval", str(args.interval), "--samples", str(args.samples)]
if local:
    settings = exp.create_run_settings(
        producer_exe, exe_args=producer_args, run_command="mpirun", env_vars=ROOT_OK, run_args={"oversubscribe": None}
    )
    settings.set_tasks(args.ranks)
    producer_batch = None
else:
    # one rank per node; srun starts the ranks through the MPI library's PMI support
    settings = exp.create_run_settings(
        producer_exe, exe_args=producer_args, run_command="srun", run_args={"mpi": args.mpi}
    )
    settings.set_nodes(args.ranks)
    settings.set_tasks_per_node(1)
    producer_batch = exp.create_batch_settings(nodes=args.ranks, time=args.time)
uploader_model = exp.create_model("producer", settings, enable_key_prefixing=True, batch_settings=producer_batch)

# training_service: the seed's trainer, reading points_<rank>_<iteration> from every rank
# it trains at least --epochs epochs, and on until an epoch has had every sample of every rank
training_script = str(Path(args.trainer).resolve() if args.trainer else TRAINER_DIR / TRAINERS[args.framework])
every_sample = args.ranks * args.iterations * args.samples
trainer_args = [Path(training_script).name, "--epochs", str(args.epochs), "--uploader-ranks", str(args.ranks)]
trainer_args += ["--min-samples", str(every_sample)]
settings = exp.create_run_settings(sys.executable, exe_args=trainer_args, run_command=None)
trainer_batch = None
if not local:
    node = {"nodelist": hosts["training_service"]} if hosts else None
    trainer_batch = exp.create_batch_settings(nodes=1, time=args.time, batch_args=node)
trainer_model = exp.create_model("training_service", settings, batch_settings=trainer_batch)
trainer_model.attach_generator_files(to_copy=training_script)
trainer_model.register_incoming_entity(uploader_model)


def wait_until_training(timeout: float) -> None:
    """Returns once the training service printed its first line ("training on <host>": its
    imports are done and it waits for data); SystemExit if it ended first or took longer than
    ``timeout`` seconds."""
    out = Path(trainer_model.path) / "training_service.out"
    deadline = time.monotonic() + timeout
    while not (out.is_file() and out.read_text().startswith("training on")):
        if exp.finished(trainer_model):
            raise SystemExit("the training service ended before it started training (see training_service.err)")
        if time.monotonic() > deadline:
            raise SystemExit(f"the training service did not start within {timeout:g} s (see training_service.err)")
        time.sleep(0.5)


exp.generate(db, uploader_model, trainer_model, overwrite=True)
started = []  # the applications this driver started, to stop them if it fails
try:
    exp.start(db, trainer_model, block=False, summary=False)
    started.append(trainer_model)
    # The trainer starts first: the compiled producer is up in milliseconds, while Python takes
    # seconds to import torch or Keras, so a producer started first would be done before the
    # trainer's first epoch and the training set would not grow while it trains.
    wait_until_training(args.trainer_wait)
    exp.start(uploader_model, block=False, summary=False)
    started.append(uploader_model)
    # Watch the producer while the trainer runs: a producer that fails must not leave the
    # trainer waiting for data that never comes, nor one that uploads too little.
    grace_ends = None
    while not exp.finished(trainer_model):
        if exp.finished(uploader_model):
            if exp.get_status(uploader_model)[0].name != "COMPLETED":
                logger.error("the producer failed; stopping the training service")
                exp.stop(trainer_model)
                break
            grace_ends = grace_ends or time.monotonic() + args.trainer_grace
            if time.monotonic() > grace_ends:
                logger.error(
                    "the training service did not get all %d samples within %g s of the producer's end; stopping it",
                    every_sample,
                    args.trainer_grace,
                )
                exp.stop(trainer_model)
                break
        time.sleep(0.5)
    while not exp.finished(uploader_model):
        time.sleep(0.5)
finally:
    exp.stop(*[entity for entity in started if not exp.finished(entity)], db)
logger.info("\n%s", exp.summary())
failed = [e.name for e in (uploader_model, trainer_model) if exp.get_status(e)[0].name != "COMPLETED"]
sys.exit(f"failed: {', '.join(failed)} (see their .err files)" if failed else 0)
