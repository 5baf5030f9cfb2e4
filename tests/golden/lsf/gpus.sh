# ==> /scratch/proj/golden-exp/gpu/.hpcsim/gpu.sh <==
#!/bin/bash
#BSUB -J gpu
#BSUB -o /scratch/proj/golden-exp/gpu/.hpcsim/gpu.job.out
#BSUB -e /scratch/proj/golden-exp/gpu/.hpcsim/gpu.job.err
#BSUB -nnodes 2
#BSUB -W 01:30
#BSUB -P proj1
#BSUB -q pbatch
#BSUB -alloc_flags smt4
#BSUB -gpu num=4

# step 0: model gpu
hpcsim_step_0() {
    : >/scratch/proj/golden-exp/gpu/.hpcsim/gpu.ec
    (
        cd / || exit
        export HPCSIM_EXP=/scratch/proj/golden-exp
        export HPCSIM_ENTITY=gpu
        exec mpirun -x HPCSIM_EXP -x HPCSIM_ENTITY /bin/echo gpu
    ) >/scratch/proj/golden-exp/gpu/gpu.out 2>/scratch/proj/golden-exp/gpu/gpu.err </dev/null
    local rc=$?
    printf '%s\n' "$rc" >/scratch/proj/golden-exp/gpu/.hpcsim/gpu.ec
    return "$rc"
}

hpcsim_step_0
rc=$?
printf '%s\n' "$rc" >/scratch/proj/golden-exp/gpu/.hpcsim/gpu.job.ec
exit "$rc"
