# ==> /scratch/proj/golden-exp/gpu/.hpcsim/gpu.sh <==
#!/bin/bash
#$ -N gpu
#$ -o /scratch/proj/golden-exp/gpu/.hpcsim/gpu.job.out
#$ -e /scratch/proj/golden-exp/gpu/.hpcsim/gpu.job.err
#$ -S /bin/bash
#$ -pe mpi 64
#$ -l h_rt=01:30:00
#$ -l gpu=4
#$ -l mem_free=8G
#$ -q debug.q
#$ -A proj1
#$ -P climate

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
