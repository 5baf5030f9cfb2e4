# ==> /scratch/proj/golden-exp/coupled/.hpcsim/coupled.sh <==
#!/bin/bash
#SBATCH --job-name=coupled
#SBATCH --output=/scratch/proj/golden-exp/coupled/.hpcsim/coupled.job.out
#SBATCH --error=/scratch/proj/golden-exp/coupled/.hpcsim/coupled.job.err
#SBATCH --nodes=2
#SBATCH --time=01:30:00
#SBATCH --account=proj1
#SBATCH --partition=debug

# step 0: model coupled
hpcsim_step_0() {
    : >/scratch/proj/golden-exp/coupled/.hpcsim/coupled.ec
    (
        cd / || exit
        export A=1
        export B=x,y
        export HPCSIM_EXP=/scratch/proj/golden-exp
        export HPCSIM_ENTITY=coupled
        exec srun --ntasks=4 --export=ALL /bin/echo ocean : --ntasks=2 --export=ALL /bin/echo atmos
    ) >/scratch/proj/golden-exp/coupled/coupled.out 2>/scratch/proj/golden-exp/coupled/coupled.err </dev/null
    local rc=$?
    printf '%s\n' "$rc" >/scratch/proj/golden-exp/coupled/.hpcsim/coupled.ec
    return "$rc"
}

hpcsim_step_0
rc=$?
printf '%s\n' "$rc" >/scratch/proj/golden-exp/coupled/.hpcsim/coupled.job.ec
exit "$rc"
