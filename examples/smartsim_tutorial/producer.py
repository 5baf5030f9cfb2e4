# ruff: noqa
# fmt: off
# Ported from CrayLabs/SmartSim (https://github.com/CrayLabs/SmartSim),
#   doc/tutorials/getting_started/producer.py
#   at commit 4e01283be799acec584a1f269fddda37a990bcc0 (the blob is identical at tag v0.8.0,
#   528c1ae0fdbaf78d218f69747b6c64a305120453, and on develop 9f403221764bcc10fd614ee8b5f651a5b7913dad).
# SmartSim is distributed under the BSD 2-Clause License, whose notice follows.
#
# BSD 2-Clause License
#
# Copyright (c) 2021-2024, Hewlett Packard Enterprise
# All rights reserved.
#
# Redistribution and use in source and binary forms, with or without
# modification, are permitted provided that the following conditions are met:
#
# 1. Redistributions of source code must retain the above copyright notice, this
#    list of conditions and the following disclaimer.
#
# 2. Redistributions in binary form must reproduce the above copyright notice,
#    this list of conditions and the following disclaimer in the documentation
#    and/or other materials provided with the distribution.
#
# THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS"
# AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE
# IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
# DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE
# FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
# DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
# SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER
# CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY,
# OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
# OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
#
# hpcsim port: SmartSim's code is kept as SmartSim wrote it, except for these lines:
#   line 6: `from smartredis import Client, ConfigOptions` -> `from hpcsim.client import Client, ConfigOptions`
#   a newline was added at the end of the last line (the original file ends without one,
#   which `ruff format --check` would flag)
# Everything above this line was added by the port (comments only).

import numpy as np
import argparse
import time
import os

from hpcsim.client import Client, ConfigOptions

parser = argparse.ArgumentParser(description="SmartRedis ensemble producer process.")
parser.add_argument("--redis-port")
args = parser.parse_args()

time.sleep(2)
address = "127.0.0.1:" + str(args.redis_port)
os.environ["SSDB"] = address
c = Client(None, logger_name="SmartSim")

data = np.random.rand(1, 1, 3, 3)
c.put_tensor("product", data)
