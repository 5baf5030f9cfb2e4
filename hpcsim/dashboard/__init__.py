"""``hpcsim dashboard``: a live local web view of experiments (jobs, databases, inference,
training metrics), served to one browser over loopback with a per-run token.

:mod:`~hpcsim.dashboard.data`, :mod:`~hpcsim.dashboard.databases` and
:mod:`~hpcsim.dashboard.files` read what the page shows and never write;
:mod:`~hpcsim.dashboard.snapshot` puts it together; :mod:`~hpcsim.dashboard.server` serves it.
"""
