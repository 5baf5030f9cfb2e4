"""Declarative experiments: a YAML spec of models, ensembles, a database and the batch job
that runs them (``hpcsim submit --spec``; docs/spec.md)."""

from hpcsim.spec.runner import build, run_spec
from hpcsim.spec.schema import AppSpec, DatabaseSpec, JobSpec, RunSpec, Spec, load_spec

__all__ = ["AppSpec", "DatabaseSpec", "JobSpec", "RunSpec", "Spec", "build", "load_spec", "run_spec"]
