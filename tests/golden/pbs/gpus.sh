# ==> /scratch/proj/golden-exp/gpu/.hpcsim/gpu.sh <==
#!/bin/bash
#PBS -N gpu
#PBS -o /scratch/proj/golden-exp/gpu/.hpcsim/gpu.job.out
#PBS -e /scratch/proj/golden-exp/gpu/.hpcsim/gpu.job.err
#PBS -l select=2:ncpus=64:ngpus=4
#PBS -l walltime=01:30:00
#PBS -l place=scatter
#PBS -l filesystems=home:eagle
#PBS -q debug
#PBS -A proj1

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
