# ==> /scratch/proj/golden-exp/sim/.hpcsim/sim.sh <==
#!/bin/bash
#$ -N sim
#$ -o /scratch/proj/golden-exp/sim/.hpcsim/sim.job.out
#$ -e /scratch/proj/golden-exp/sim/.hpcsim/sim.job.err
#$ -S /bin/bash
#$ -pe mpi 64
#$ -l h_rt=01:30:00
#$ -q debug.q
#$ -A proj1

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
