# ==> /scratch/proj/golden-exp/sim/.hpcsim/sim.sh <==
#!/bin/bash
#SBATCH --job-name=sim
#SBATCH --output=/scratch/proj/golden-exp/sim/.hpcsim/sim.job.out
#SBATCH --error=/scratch/proj/golden-exp/sim/.hpcsim/sim.job.err
#SBATCH --nodes=2
#SBATCH --time=01:30:00
#SBATCH --account=proj1
#SBATCH --partition=debug
#SBATCH --constraint=gpu
module load PrgEnv-gnu
module load cudatoolkit

# step 0: model sim
hpcsim_step_0() {
    : >/scratch/proj/golden-exp/sim/.hpcsim/sim.ec
    (
        cd / || exit
        export HPCSIM_EXP=/scratch/proj/golden-exp
        export HPCSIM_ENTITY=sim
        exec srun --export=ALL /bin/echo hello world
    ) >/scratch/proj/golden-exp/sim/sim.out 2>/scratch/proj/golden-exp/sim/sim.err </dev/null
    local rc=$?
    printf '%s\n' "$rc" >/scratch/proj/golden-exp/sim/.hpcsim/sim.ec
    return "$rc"
}

hpcsim_step_0
rc=$?
printf '%s\n' "$rc" >/scratch/proj/golden-exp/sim/.hpcsim/sim.job.ec
exit "$rc"
