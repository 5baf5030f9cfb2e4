"""hpcsim: HPC-native workflows for simulations coupled with machine learning.

Describe models, ensembles and databases in a Python driver, render them into scheduler
scripts from Jinja templates, launch them, and follow them through a durable job store.
"""

from hpcsim._version import __version__
from hpcsim.entities import Ensemble, Model
from hpcsim.experiment import Experiment
from hpcsim.settings import BatchSettings, RunSettings
from hpcsim.status import Status

__all__ = ["BatchSettings", "Ensemble", "Experiment", "Model", "RunSettings", "Status", "__version__"]
