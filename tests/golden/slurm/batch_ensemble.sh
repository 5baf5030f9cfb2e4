# ==> /scratch/proj/golden-exp/ens/.hpcsim/ens.sh <==
#!/bin/bash
#SBATCH --job-name=ens
#SBATCH --output=/scratch/proj/golden-exp/ens/.hpcsim/ens.job.out
#SBATCH --error=/scratch/proj/golden-exp/ens/.hpcsim/ens.job.err
#SBATCH --nodes=2
#SBATCH --time=01:30:00
#SBATCH --account=proj1
#SBATCH --partition=debug

# step 0: model ens_0
hpcsim_step_0() {
    : >/scratch/proj/golden-exp/ens/ens_0/.hpcsim/ens_0.ec
    (
        cd / || exit
        export HPCSIM_EXP=/scratch/proj/golden-exp
        export HPCSIM_ENTITY=ens_0
        export HPCSIM_KEYOUT=ens_0
        export SSKEYOUT=ens_0
        exec srun --job-name=ens_0 --export=ALL /bin/echo member --dt=0.1
    ) >/scratch/proj/golden-exp/ens/ens_0/ens_0.out 2>/scratch/proj/golden-exp/ens/ens_0/ens_0.err </dev/null
    local rc=$?
    printf '%s\n' "$rc" >/scratch/proj/golden-exp/ens/ens_0/.hpcsim/ens_0.ec
    return "$rc"
}

# step 1: model ens_1
hpcsim_step_1() {
    : >/scratch/proj/golden-exp/ens/ens_1/.hpcsim/ens_1.ec
    (
        cd / || exit
        export HPCSIM_EXP=/scratch/proj/golden-exp
        export HPCSIM_ENTITY=ens_1
        export HPCSIM_KEYOUT=ens_1
        export SSKEYOUT=ens_1
        exec srun --job-name=ens_1 --export=ALL /bin/echo member --dt=0.1
    ) >/scratch/proj/golden-exp/ens/ens_1/ens_1.out 2>/scratch/proj/golden-exp/ens/ens_1/ens_1.err </dev/null
    local rc=$?
    printf '%s\n' "$rc" >/scratch/proj/golden-exp/ens/ens_1/.hpcsim/ens_1.ec
    return "$rc"
}

# step 2: model ens_2
hpcsim_step_2() {
    : >/scratch/proj/golden-exp/ens/ens_2/.hpcsim/ens_2.ec
    (
        cd / || exit
        export HPCSIM_EXP=/scratch/proj/golden-exp
        export HPCSIM_ENTITY=ens_2
        export HPCSIM_KEYOUT=ens_2
        export SSKEYOUT=ens_2
        exec srun --job-name=ens_2 --export=ALL /bin/echo member --dt=0.2
    ) >/scratch/proj/golden-exp/ens/ens_2/ens_2.out 2>/scratch/proj/golden-exp/ens/ens_2/ens_2.err </dev/null
    local rc=$?
    printf '%s\n' "$rc" >/scratch/proj/golden-exp/ens/ens_2/.hpcsim/ens_2.ec
    return "$rc"
}

# step 3: model ens_3
hpcsim_step_3() {
    : >/scratch/proj/golden-exp/ens/ens_3/.hpcsim/ens_3.ec
    (
        cd / || exit
        export HPCSIM_EXP=/scratch/proj/golden-exp
        export HPCSIM_ENTITY=ens_3
        export HPCSIM_KEYOUT=ens_3
        export SSKEYOUT=ens_3
        exec srun --job-name=ens_3 --export=ALL /bin/echo member --dt=0.2
    ) >/scratch/proj/golden-exp/ens/ens_3/ens_3.out 2>/scratch/proj/golden-exp/ens/ens_3/ens_3.err </dev/null
    local rc=$?
    printf '%s\n' "$rc" >/scratch/proj/golden-exp/ens/ens_3/.hpcsim/ens_3.ec
    return "$rc"
}

# 4 steps, at most 2 at once; each records its own exit code
hpcsim_step_0 &
hpcsim_step_1 &
while [ "$(jobs -rp | wc -l)" -ge 2 ]; do wait -n; done
hpcsim_step_2 &
while [ "$(jobs -rp | wc -l)" -ge 2 ]; do wait -n; done
hpcsim_step_3 &
wait
rc=0
for ec in /scratch/proj/golden-exp/ens/ens_0/.hpcsim/ens_0.ec /scratch/proj/golden-exp/ens/ens_1/.hpcsim/ens_1.ec /scratch/proj/golden-exp/ens/ens_2/.hpcsim/ens_2.ec /scratch/proj/golden-exp/ens/ens_3/.hpcsim/ens_3.ec; do
    [ "$(cat "$ec" 2>/dev/null)" = 0 ] || rc=1
done
printf '%s\n' "$rc" >/scratch/proj/golden-exp/ens/.hpcsim/ens.job.ec
exit "$rc"
