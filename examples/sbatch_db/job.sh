#!/bin/bash
#SBATCH --job-name=hpcsim-db-example
#SBATCH --nodes=2
#SBATCH --ntasks-per-node=1
#SBATCH --time=00:10:00
# Your own batch script, with a database in it (docs/db-in-batch-scripts.md).
# Submit it from this directory:   sbatch job.sh
# with hpcsim installed in the Python that `python` and `hpcsim` are here (activate its venv
# below, or submit from a shell where it is active: sbatch passes your environment on).
set -euo pipefail
# source ~/venvs/hpcsim/bin/activate

# The network the compute nodes reach each other on (ib0, hsn0, ...: `ip -br addr` on a node).
DB_INTERFACE=${DB_INTERFACE:-eth0}
DB_PORT=${DB_PORT:-6780}

# 1. Start the database: one shard, as an `srun --overlap` step of this job on its first node.
#    The command returns once the shard answers, and prints the variables to export:
#    HPCSIM_DB (host:port), HPCSIM_DB_TYPE, HPCSIM_DB_PASSWORD_FILE, SSDB, SR_DB_TYPE and
#    HPCSIM_DB_DIR (./hpcsim-db-$SLURM_JOB_ID: its logs, password and job records).
eval "$(hpcsim db start --interface "$DB_INTERFACE" --port "$DB_PORT")"
# If a step below fails, `set -e` ends the script: stop the database on the way out.
trap 'hpcsim db stop' EXIT

# 2. Use it from as many steps as you like; every rank's hpcsim.Client() finds it.
srun python "$SLURM_SUBMIT_DIR/app.py"

# 3. Check that every shard still answers (exit status 1 if one does not).
hpcsim db ping

# 4. Stop it: SHUTDOWN on every shard, then its step ends. (Drop the trap first, or it would
#    try a second time.)
trap - EXIT
hpcsim db stop
