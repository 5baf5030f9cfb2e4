"""Driver of the online-training seed (online_training.rst) on one machine, or on a cluster.

A database, a producer (the mock simulation, with key prefixing) and a training service
registered to read what the producer writes. The producer starts without blocking and the
training service trains while samples arrive; the driver waits for both and stops the database.

    python examples/online_training/driver.py                      # Keras, local launcher
    python examples/online_training/driver.py --framework torch    # PyTorch DataLoader
    python examples/online_training/driver.py --ranks 4            # producer: 4 MPI ranks (mpi4py)
    python examples/online_training/driver.py --launcher slurm --hosts node3,node1,node2

Each entity's output is in online-training/<name>/<name>.out; the training service prints one
JSON line per epoch.
"""

import argparse
import sys
import time
from pathlib import Path

from hpcsim import Experiment
from hpcsim.log import get_logger

HERE = Path(__file__).resolve().parent
TRAINERS = {"keras": "training_service.py", "torch": "training_service_torch.py"}

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--framework", choices=sorted(TRAINERS), default="keras")
parser.add_argument("--launcher", default="local")
parser.add_argument("--port", type=int, default=6780)
parser.add_argument("--ranks", type=int, default=1, help="producer MPI ranks (mpirun; needs mpi4py)")
parser.add_argument("--iterations", type=int, default=16, help="producer iterations")
parser.add_argument("--interval", type=float, default=0.5, help="seconds between producer iterations")
parser.add_argument("--epochs", type=int, default=100)
parser.add_argument("--hosts", help="with a scheduler: DB,PRODUCER,TRAINER nodes, each entity a batch job on its node")
args = parser.parse_args()
hosts = {}
if args.hosts:
    if len(args.hosts.split(",")) != 3:
        parser.error(f"--hosts takes three nodes, DB,PRODUCER,TRAINER, not {args.hosts!r}")
    hosts = dict(zip(["db", "producer", "training_service"], args.hosts.split(","), strict=True))

logger = get_logger("Experiment Log")
exp = Experiment("online-training", launcher=args.launcher)
if hosts:
    db = exp.create_database(port=args.port, batch=True, hosts=hosts["db"], time="00:10:00")
else:
    db = exp.create_database(port=args.port)


def batch(name):
    """A one-node batch job on the entity's node, with --hosts; else none."""
    if not hosts:
        return None
    return exp.create_batch_settings(nodes=1, time="00:10:00", batch_args={"nodelist": hosts[name]})


# producer
producer_script = str(HERE / "producer.py")
producer_args = ["producer.py", "--iterations", str(args.iterations), "--interval", str(args.interval)]
if args.ranks > 1:
    root_ok = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"}
    settings = exp.create_run_settings(
        sys.executable, exe_args=producer_args, run_command="mpirun", env_vars=root_ok, run_args={"oversubscribe": None}
    )
    settings.set_tasks(args.ranks)
else:
    # the seed runs "python"; sys.executable is the same interpreter, wherever it is installed
    settings = exp.create_run_settings(sys.executable, exe_args=producer_args, run_command=None)
uploader_model = exp.create_model("producer", settings, enable_key_prefixing=True, batch_settings=batch("producer"))
uploader_model.attach_generator_files(to_copy=producer_script)

# training_service
training_script = str(HERE / TRAINERS[args.framework])
trainer_args = [Path(training_script).name, "--epochs", str(args.epochs), "--uploader-ranks", str(args.ranks)]
settings = exp.create_run_settings(sys.executable, exe_args=trainer_args, run_command=None)
trainer_model = exp.create_model("training_service", settings, batch_settings=batch("training_service"))
trainer_model.attach_generator_files(to_copy=training_script)
trainer_model.register_incoming_entity(uploader_model)

exp.generate(db, uploader_model, trainer_model, overwrite=True)
try:
    exp.start(db, uploader_model, block=False, summary=False)
    # The seed blocks on the trainer here; this driver also watches the producer, so that a
    # producer that fails does not leave the trainer waiting for data that never comes.
    exp.start(trainer_model, block=False, summary=False)
    while not exp.finished(trainer_model):
        if exp.finished(uploader_model) and exp.get_status(uploader_model)[0].name != "COMPLETED":
            logger.error("the producer failed; stopping the training service")
            exp.stop(trainer_model)
            break
        time.sleep(0.5)
    while not exp.finished(uploader_model):  # the producer may still be uploading
        time.sleep(0.5)
finally:
    exp.stop(db)
logger.info("\n%s", exp.summary())
failed = [e.name for e in (uploader_model, trainer_model) if exp.get_status(e)[0].name != "COMPLETED"]
sys.exit(f"failed: {', '.join(failed)} (see their .err files)" if failed else 0)
