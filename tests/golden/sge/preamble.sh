# ==> /scratch/proj/golden-exp/pre/.hpcsim/pre.sh <==
#!/bin/bash
#$ -N pre
#$ -o /scratch/proj/golden-exp/pre/.hpcsim/pre.job.out
#$ -e /scratch/proj/golden-exp/pre/.hpcsim/pre.job.err
#$ -S /bin/bash
#$ -pe mpi 64
#$ -l h_rt=01:30:00
#$ -q debug.q
#$ -A proj1
module load gcc/12
source /opt/venv/bin/activate
echo "start $(date)"

# step 0: model pre
hpcsim_step_0() {
    : >/scratch/proj/golden-exp/pre/.hpcsim/pre.ec
    (
        cd / || exit
        export HPCSIM_EXP=/scratch/proj/golden-exp
        export HPCSIM_ENTITY=pre
        exec mpirun -x HPCSIM_EXP -x HPCSIM_ENTITY /bin/echo pre
    ) >/scratch/proj/golden-exp/pre/pre.out 2>/scratch/proj/golden-exp/pre/pre.err </dev/null
    local rc=$?
    printf '%s\n' "$rc" >/scratch/proj/golden-exp/pre/.hpcsim/pre.ec
    return "$rc"
}

hpcsim_step_0
rc=$?
printf '%s\n' "$rc" >/scratch/proj/golden-exp/pre/.hpcsim/pre.job.ec
exit "$rc"
