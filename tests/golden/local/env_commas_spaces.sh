# ==> /scratch/proj/golden-exp/envy/.hpcsim/envy.sh <==
#!/bin/bash
# hpcsim model envy: runs on this machine, no scheduler
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
        exec /bin/echo '$HOME' 'a;b'
    ) >/scratch/proj/golden-exp/envy/envy.out 2>/scratch/proj/golden-exp/envy/envy.err </dev/null
    local rc=$?
    printf '%s\n' "$rc" >/scratch/proj/golden-exp/envy/.hpcsim/envy.ec
    return "$rc"
}
hpcsim_step_0
