# ==> /scratch/proj/golden-exp/envy/.hpcsim/envy.sh <==
#!/bin/bash
#$ -N envy
#$ -o /scratch/proj/golden-exp/envy/.hpcsim/envy.job.out
#$ -e /scratch/proj/golden-exp/envy/.hpcsim/envy.job.err
#$ -S /bin/bash
#$ -pe mpi 64
#$ -l h_rt=01:30:00
#$ -q debug.q
#$ -A proj1

# step 0: model envy
hpcsim_step_0() {
    : >/scratch/proj/golden-exp/envy/.hpcsim/envy.ec
    (
        cd / || exit
        export LIST=a,b,c
        export SPACED='x y  z'
        export QUOTED='it'"'"'s "q" $(no)'
        export INHERIT
        export HPCSIM_EXP=/scratch/proj/golden-exp
        export HPCSIM_ENTITY=envy
        export HPCSIM_KEYOUT=envy
        export SSKEYOUT=envy
        exec mpirun -x LIST -x SPACED -x QUOTED -x INHERIT -x HPCSIM_EXP -x HPCSIM_ENTITY -x HPCSIM_KEYOUT -x SSKEYOUT /bin/echo '$HOME' 'a;b'
    ) >/scratch/proj/golden-exp/envy/envy.out 2>/scratch/proj/golden-exp/envy/envy.err </dev/null
    local rc=$?
    printf '%s\n' "$rc" >/scratch/proj/golden-exp/envy/.hpcsim/envy.ec
    return "$rc"
}

hpcsim_step_0
rc=$?
printf '%s\n' "$rc" >/scratch/proj/golden-exp/envy/.hpcsim/envy.job.ec
exit "$rc"
