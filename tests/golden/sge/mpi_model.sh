# ==> /scratch/proj/golden-exp/mpi/.hpcsim/mpi.sh <==
#!/bin/bash
#$ -N mpi
#$ -o /scratch/proj/golden-exp/mpi/.hpcsim/mpi.job.out
#$ -e /scratch/proj/golden-exp/mpi/.hpcsim/mpi.job.err
#$ -S /bin/bash
#$ -pe mpi 64
#$ -l h_rt=01:30:00
#$ -q debug.q
#$ -A proj1

# step 0: model mpi
hpcsim_step_0() {
    : >/scratch/proj/golden-exp/mpi/.hpcsim/mpi.ec
    (
        cd / || exit
        export OMP_NUM_THREADS=4
        export HPCSIM_EXP=/scratch/proj/golden-exp
        export HPCSIM_ENTITY=mpi
        exec mpirun -n 8 --npernode 4 -x OMP_NUM_THREADS -x HPCSIM_EXP -x HPCSIM_ENTITY /bin/echo rank
    ) >/scratch/proj/golden-exp/mpi/mpi.out 2>/scratch/proj/golden-exp/mpi/mpi.err </dev/null
    local rc=$?
    printf '%s\n' "$rc" >/scratch/proj/golden-exp/mpi/.hpcsim/mpi.ec
    return "$rc"
}

hpcsim_step_0
rc=$?
printf '%s\n' "$rc" >/scratch/proj/golden-exp/mpi/.hpcsim/mpi.job.ec
exit "$rc"
