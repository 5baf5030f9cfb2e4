"""The ``hpcsim`` command line."""
