# ==> /scratch/proj/golden-exp/mpi/.hpcsim/mpi.sh <==
#!/bin/bash
#SBATCH --job-name=mpi
#SBATCH --output=/scratch/proj/golden-exp/mpi/.hpcsim/mpi.job.out
#SBATCH --error=/scratch/proj/golden-exp/mpi/.hpcsim/mpi.job.err
#SBATCH --nodes=2
#SBATCH --time=01:30:00
#SBATCH --account=proj1
#SBATCH --partition=debug

# step 0: model mpi
hpcsim_step_0() {
    : >/scratch/proj/golden-exp/mpi/.hpcsim/mpi.ec
    (
        cd / || exit
        export OMP_NUM_THREADS=4
        export HPCSIM_EXP=/scratch/proj/golden-exp
        export HPCSIM_ENTITY=mpi
        exec srun --ntasks=8 --ntasks-per-node=4 --export=ALL /bin/echo rank
    ) >/scratch/proj/golden-exp/mpi/mpi.out 2>/scratch/proj/golden-exp/mpi/mpi.err </dev/null
    local rc=$?
    printf '%s\n' "$rc" >/scratch/proj/golden-exp/mpi/.hpcsim/mpi.ec
    return "$rc"
}

hpcsim_step_0
rc=$?
printf '%s\n' "$rc" >/scratch/proj/golden-exp/mpi/.hpcsim/mpi.job.ec
exit "$rc"
