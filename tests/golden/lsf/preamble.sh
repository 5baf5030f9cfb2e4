# ==> /scratch/proj/golden-exp/pre/.hpcsim/pre.sh <==
#!/bin/bash
#BSUB -J pre
#BSUB -o /scratch/proj/golden-exp/pre/.hpcsim/pre.job.out
#BSUB -e /scratch/proj/golden-exp/pre/.hpcsim/pre.job.err
#BSUB -nnodes 2
#BSUB -W 01:30
#BSUB -P proj1
#BSUB -q pbatch
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
