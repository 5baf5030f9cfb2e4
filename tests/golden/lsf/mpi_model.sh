# ==> /scratch/proj/golden-exp/mpi/.hpcsim/mpi.sh <==
#!/bin/bash
#BSUB -J mpi
#BSUB -o /scratch/proj/golden-exp/mpi/.hpcsim/mpi.job.out
#BSUB -e /scratch/proj/golden-exp/mpi/.hpcsim/mpi.job.err
#BSUB -nnodes 2
#BSUB -W 01:30
#BSUB -P proj1
#BSUB -q pbatch

# step 0: model mpi
hpcsim_step_0() {
    : >/scratch/proj/golden-exp/mpi/.hpcsim/mpi.ec
    (
        cd / || exit
        export OMP_NUM_THREADS=4
        export HPCSIM_EXP=/scratch/proj/golden-exp
        export HPCSIM_ENTITY=mpi
        exec jsrun --np=8 -E OMP_NUM_THREADS -E HPCSIM_EXP -E HPCSIM_ENTITY /bin/echo rank
    ) >/scratch/proj/golden-exp/mpi/mpi.out 2>/scratch/proj/golden-exp/mpi/mpi.err </dev/null
    local rc=$?
    printf '%s\n' "$rc" >/scratch/proj/golden-exp/mpi/.hpcsim/mpi.ec
    return "$rc"
}

hpcsim_step_0
rc=$?
printf '%s\n' "$rc" >/scratch/proj/golden-exp/mpi/.hpcsim/mpi.job.ec
exit "$rc"
