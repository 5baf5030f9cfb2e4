# ==> /scratch/proj/golden-exp/pre/.hpcsim/pre.sh <==
#!/bin/bash
#SBATCH --job-name=pre
#SBATCH --output=/scratch/proj/golden-exp/pre/.hpcsim/pre.job.out
#SBATCH --error=/scratch/proj/golden-exp/pre/.hpcsim/pre.job.err
#SBATCH --nodes=2
#SBATCH --time=01:30:00
#SBATCH --account=proj1
#SBATCH --partition=debug
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
        exec srun --export=ALL /bin/echo pre
    ) >/scratch/proj/golden-exp/pre/pre.out 2>/scratch/proj/golden-exp/pre/pre.err </dev/null
    local rc=$?
    printf '%s\n' "$rc" >/scratch/proj/golden-exp/pre/.hpcsim/pre.ec
    return "$rc"
}

hpcsim_step_0
rc=$?
printf '%s\n' "$rc" >/scratch/proj/golden-exp/pre/.hpcsim/pre.job.ec
exit "$rc"
