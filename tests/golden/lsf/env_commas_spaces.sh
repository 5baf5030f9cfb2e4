# ==> /scratch/proj/golden-exp/envy/.hpcsim/envy.sh <==
#!/bin/bash
#BSUB -J envy
#BSUB -o /scratch/proj/golden-exp/envy/.hpcsim/envy.job.out
#BSUB -e /scratch/proj/golden-exp/envy/.hpcsim/envy.job.err
#BSUB -nnodes 2
#BSUB -W 01:30
#BSUB -P proj1
#BSUB -q pbatch

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
