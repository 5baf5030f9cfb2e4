"""The Model quickstart from SmartSim's documentation, ported by changing the imports only
(and exiting non-zero when the model fails).

Run it from anywhere: ``python examples/quickstart.py``. It creates ./getting-started/ with a
configured input file, runs the application there and prints a summary of the launch.
"""

import sys
from pathlib import Path

from hpcsim import Experiment
from hpcsim.log import get_logger

here = Path(__file__).resolve().parent
exe_ex = sys.executable

logger = get_logger("Experiment Log")
# Initialize the Experiment on this machine; on a cluster use launcher="auto" (the site's
# or PATH's scheduler) or name one: "slurm", "pbs", "lsf"
exp = Experiment("getting-started", launcher="local")

# Initialize a RunSettings object
model_settings = exp.create_run_settings(exe=exe_ex, exe_args=str(here / "application.py"))

# Initialize a Model object; THERMO fills the ;THERMO; tag of the input file
model = exp.create_model("model", model_settings, params={"THERMO": 42})

# Attach value configuration file
model.attach_generator_files(to_configure=str(here / "configure_inputs.txt"))

# Create the model directory with its configured file, then run it
exp.generate(model, overwrite=True)
exp.start(model, block=True)

logger.info(exp.summary())
if exp.get_status(model)[0].name != "COMPLETED":
    sys.exit(f"the model failed (see {Path(model.path) / 'model.err'})")
print((Path(model.path) / "model.out").read_text(), end="")
