# ==> /scratch/proj/golden-exp/coupled/.hpcsim/coupled.sh <==
#!/bin/bash
#BSUB -J coupled
#BSUB -o /scratch/proj/golden-exp/coupled/.hpcsim/coupled.job.out
#BSUB -e /scratch/proj/golden-exp/coupled/.hpcsim/coupled.job.err
#BSUB -nnodes 2
#BSUB -W 01:30
#BSUB -P proj1
#BSUB -q pbatch

# step 0: model coupled
hpcsim_step_0() {
    : >/scratch/proj/golden-exp/coupled/.hpcsim/coupled.ec
    (
        cd / || exit
        export A=1
        export B=x,y
        export HPCSIM_EXP=/scratch/proj/golden-exp
        export HPCSIM_ENTITY=coupled
        exec mpirun -n 4 -x A -x B -x HPCSIM_EXP -x HPCSIM_ENTITY /bin/echo ocean : -n 2 -x A -x B -x HPCSIM_EXP -x HPCSIM_ENTITY /bin/echo atmos
    ) >/scratch/proj/golden-exp/coupled/coupled.out 2>/scratch/proj/golden-exp/coupled/coupled.err </dev/null
    local rc=$?
    printf '%s\n' "$rc" >/scratch/proj/golden-exp/coupled/.hpcsim/coupled.ec
    return "$rc"
}

hpcsim_step_0
rc=$?
printf '%s\n' "$rc" >/scratch/proj/golden-exp/coupled/.hpcsim/coupled.job.ec
exit "$rc"
