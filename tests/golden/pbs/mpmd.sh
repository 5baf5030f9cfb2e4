# ==> /scratch/proj/golden-exp/coupled/.hpcsim/coupled.sh <==
#!/bin/bash
#PBS -N coupled
#PBS -o /scratch/proj/golden-exp/coupled/.hpcsim/coupled.job.out
#PBS -e /scratch/proj/golden-exp/coupled/.hpcsim/coupled.job.err
#PBS -l select=2:ncpus=64
#PBS -l walltime=01:30:00
#PBS -q debug
#PBS -A proj1

# step 0: model coupled
hpcsim_step_0() {
    : >/scratch/proj/golden-exp/coupled/.hpcsim/coupled.ec
    (
        cd / || exit
        export A=1
        export B=x,y
        export HPCSIM_EXP=/scratch/proj/golden-exp
        export HPCSIM_ENTITY=coupled
        exec mpiexec -n 4 --envall /bin/echo ocean : -n 2 --envall /bin/echo atmos
    ) >/scratch/proj/golden-exp/coupled/coupled.out 2>/scratch/proj/golden-exp/coupled/coupled.err </dev/null
    local rc=$?
    printf '%s\n' "$rc" >/scratch/proj/golden-exp/coupled/.hpcsim/coupled.ec
    return "$rc"
}

hpcsim_step_0
rc=$?
printf '%s\n' "$rc" >/scratch/proj/golden-exp/coupled/.hpcsim/coupled.job.ec
exit "$rc"
