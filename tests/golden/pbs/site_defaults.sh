# ==> /scratch/proj/golden-exp/sim/.hpcsim/sim.sh <==
#!/bin/bash
#PBS -N sim
#PBS -o /scratch/proj/golden-exp/sim/.hpcsim/sim.job.out
#PBS -e /scratch/proj/golden-exp/sim/.hpcsim/sim.job.err
#PBS -l select=2:ncpus=64
#PBS -l walltime=01:30:00
#PBS -l filesystems=home:eagle
#PBS -q debug
#PBS -A proj1

# step 0: model sim
hpcsim_step_0() {
    : >/scratch/proj/golden-exp/sim/.hpcsim/sim.ec
    (
        cd / || exit
        export HPCSIM_EXP=/scratch/proj/golden-exp
        export HPCSIM_ENTITY=sim
        exec mpirun -x HPCSIM_EXP -x HPCSIM_ENTITY /bin/echo hello world
    ) >/scratch/proj/golden-exp/sim/sim.out 2>/scratch/proj/golden-exp/sim/sim.err </dev/null
    local rc=$?
    printf '%s\n' "$rc" >/scratch/proj/golden-exp/sim/.hpcsim/sim.ec
    return "$rc"
}

hpcsim_step_0
rc=$?
printf '%s\n' "$rc" >/scratch/proj/golden-exp/sim/.hpcsim/sim.job.ec
exit "$rc"
