# ==> /scratch/proj/golden-exp/gpu/.hpcsim/gpu.sh <==
#!/bin/bash
#SBATCH --job-name=gpu
#SBATCH --output=/scratch/proj/golden-exp/gpu/.hpcsim/gpu.job.out
#SBATCH --error=/scratch/proj/golden-exp/gpu/.hpcsim/gpu.job.err
#SBATCH --nodes=2
#SBATCH --time=01:30:00
#SBATCH --account=proj1
#SBATCH --partition=debug
#SBATCH --constraint=gpu
#SBATCH --gpus=8
#SBATCH --exclusive

# step 0: model gpu
hpcsim_step_0() {
    : >/scratch/proj/golden-exp/gpu/.hpcsim/gpu.ec
    (
        cd / || exit
        export HPCSIM_EXP=/scratch/proj/golden-exp
        export HPCSIM_ENTITY=gpu
        exec srun --export=ALL /bin/echo gpu
    ) >/scratch/proj/golden-exp/gpu/gpu.out 2>/scratch/proj/golden-exp/gpu/gpu.err </dev/null
    local rc=$?
    printf '%s\n' "$rc" >/scratch/proj/golden-exp/gpu/.hpcsim/gpu.ec
    return "$rc"
}

hpcsim_step_0
rc=$?
printf '%s\n' "$rc" >/scratch/proj/golden-exp/gpu/.hpcsim/gpu.job.ec
exit "$rc"
