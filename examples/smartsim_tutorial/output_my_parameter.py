# ruff: noqa
# fmt: off
# Ported from CrayLabs/SmartSim (https://github.com/CrayLabs/SmartSim),
#   doc/tutorials/getting_started/output_my_parameter.py
#   at commit 4e01283be799acec584a1f269fddda37a990bcc0 (the blob is identical at tag v0.8.0,
#   528c1ae0fdbaf78d218f69747b6c64a305120453, and on develop 9f403221764bcc10fd614ee8b5f651a5b7913dad).
# SmartSim is distributed under the BSD 2-Clause License, whose notice follows.
#
# Copyright (c) 2021-2024, Hewlett Packard Enterprise. All rights reserved.
# BSD 2-Clause License: its full text (notice, conditions and disclaimer) is in the header of
# getting_started.py in this folder. It is not repeated here because this file is a template that
# the experiment configures by replacing tags delimited by semicolons, and the license text has one.
#
# hpcsim port: SmartSim's code is kept as SmartSim wrote it, except for these lines:
#   a newline was added at the end of the last line (the original file ends without one,
#   which `ruff format --check` would flag)
# Everything above this line was added by the port (comments only).

import time


time.sleep(2)
print("Hello, my name is ;tutorial_name; " + 
      "and my parameter is ;tutorial_parameter;")
