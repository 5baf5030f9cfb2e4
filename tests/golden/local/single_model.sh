# ==> /scratch/proj/golden-exp/sim/.hpcsim/sim.sh <==
#!/bin/bash
# hpcsim model sim: runs on this machine, no scheduler
# step 0: model sim
hpcsim_step_0() {
    : >/scratch/proj/golden-exp/sim/.hpcsim/sim.ec
    (
        cd / || exit
        export HPCSIM_EXP=/scratch/proj/golden-exp
        export HPCSIM_ENTITY=sim
        exec /bin/echo hello world
    ) >/scratch/proj/golden-exp/sim/sim.out 2>/scratch/proj/golden-exp/sim/sim.err </dev/null
    local rc=$?
    printf '%s\n' "$rc" >/scratch/proj/golden-exp/sim/.hpcsim/sim.ec
    return "$rc"
}
hpcsim_step_0
