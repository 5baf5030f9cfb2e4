"""Diagnostics: what hpcsim finds on this machine (``hpcsim.diagnostics.info.collect_info``,
``hpcsim info``) and whether a workflow runs on it end to end
(``hpcsim.diagnostics.doctor.run_doctor``, ``hpcsim doctor``). The commands in ``hpcsim.cli``
only format what these return, so a driver or a site's own health check can call them too.

The package imports nothing itself: ``collect_info`` must stay fast, while the doctor needs the
whole workflow machinery.
"""
