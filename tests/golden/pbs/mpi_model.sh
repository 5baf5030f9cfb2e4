# ==> /scratch/proj/golden-exp/mpi/.hpcsim/mpi.sh <==
#!/bin/bash
#PBS -N mpi
#PBS -o /scratch/proj/golden-exp/mpi/.hpcsim/mpi.job.out
#PBS -e /scratch/proj/golden-exp/mpi/.hpcsim/mpi.job.err
#PBS -l select=2:ncpus=64
#PBS -l walltime=01:30:00
#PBS -q debug
#PBS -A proj1

# step 0: model mpi
hpcsim_step_0() {
    : >/scratch/proj/golden-exp/mpi/.hpcsim/mpi.ec
    (
        cd / || exit
        export OMP_NUM_THREADS=4
        export HPCSIM_EXP=/scratch/proj/golden-exp
        export HPCSIM_ENTITY=mpi
        exec mpiexec -n 8 --ppn 4 --envall /bin/echo rank
    ) >/scratch/proj/golden-exp/mpi/mpi.out 2>/scratch/proj/golden-exp/mpi/mpi.err </dev/null
    local rc=$?
    printf '%s\n' "$rc" >/scratch/proj/golden-exp/mpi/.hpcsim/mpi.ec
    return "$rc"
}

hpcsim_step_0
rc=$?
printf '%s\n' "$rc" >/scratch/proj/golden-exp/mpi/.hpcsim/mpi.job.ec
exit "$rc"
