# ==> /scratch/proj/golden-exp/coupled/.hpcsim/coupled.sh <==
#!/bin/bash
#$ -N coupled
#$ -o /scratch/proj/golden-exp/coupled/.hpcsim/coupled.job.out
#$ -e /scratch/proj/golden-exp/coupled/.hpcsim/coupled.job.err
#$ -S /bin/bash
#$ -pe mpi 64
#$ -l h_rt=01:30:00
#$ -q debug.q
#$ -A proj1

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
