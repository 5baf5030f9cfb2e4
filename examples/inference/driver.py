"""Driver for the "ML Models and Scripts" story of the seed document (model.rst), on one machine.

It builds a small PyTorch MLP and serializes it in memory, then asks hpcsim to load it into the
database before the application starts (``add_ml_model``), together with a TorchScript script
(``add_script``) and a Python function (``add_function``). The application (``app.py``) runs all
three on a tensor through ``hpcsim.Client``. Run it with
``python examples/inference/driver.py [LAUNCHER [PORT]]`` (default: local, port 6781).
"""

import sys
from pathlib import Path

import torch

from hpcsim import Experiment
from hpcsim.log import get_logger
from hpcsim.ml.torch import serialize_model

HERE = Path(__file__).resolve().parent
logger = get_logger("Experiment Log")


class Net(torch.nn.Module):
    """A two-layer perceptron: 4 features in, 2 out."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden = torch.nn.Linear(4, 8)
        self.out = torch.nn.Linear(8, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(torch.relu(self.hidden(x)))


def timestwo(x):
    """A TorchScript function: hpcsim sends its source (inspect.getsource) to the database."""
    return 2 * x


torch.manual_seed(0)
launcher = sys.argv[1] if len(sys.argv) > 1 else "local"
port = int(sys.argv[2]) if len(sys.argv) > 2 else 6781  # the seed uses 6379, often taken by a system Redis

exp = Experiment("inference", launcher=launcher)
db = exp.create_database(port=port, db_nodes=1)

settings = exp.create_run_settings(exe=sys.executable, exe_args=str(HERE / "app.py"))
model = exp.create_model("app", settings)
# loaded into the database after it is up and before app.py starts
model.add_ml_model(name="mlp", backend="TORCH", model=serialize_model(Net()), device="CPU")
model.add_script(name="negate_script", script="def negate(x):\n\treturn torch.neg(x)\n", device="CPU")
model.add_function(name="timestwo_fn", function=timestwo, device="CPU")

exp.generate(db, model, overwrite=True)
try:
    exp.start(db, model, block=True)
finally:
    exp.stop(db)
logger.info(exp.summary())
if exp.get_status(model)[0].name != "COMPLETED":
    sys.exit(f"app failed (see {Path(model.path) / 'app.err'})")
print((Path(model.path) / "app.out").read_text(), end="")
