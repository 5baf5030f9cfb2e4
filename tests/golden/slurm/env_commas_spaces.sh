# ==> /scratch/proj/golden-exp/envy/.hpcsim/envy.sh <==
#!/bin/bash
#SBATCH --job-name=envy
#SBATCH --output=/scratch/proj/golden-exp/envy/.hpcsim/envy.job.out
#SBATCH --error=/scratch/proj/golden-exp/envy/.hpcsim/envy.job.err
#SBATCH --nodes=2
#SBATCH --time=01:30:00
#SBATCH --account=proj1
#SBATCH --partition=debug

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
        exec srun --export=ALL /bin/echo '$HOME' 'a;b'
    ) >/scratch/proj/golden-exp/envy/envy.out 2>/scratch/proj/golden-exp/envy/envy.err </dev/null
    local rc=$?
    printf '%s\n' "$rc" >/scratch/proj/golden-exp/envy/.hpcsim/envy.ec
    return "$rc"
}

hpcsim_step_0
rc=$?
printf '%s\n' "$rc" >/scratch/proj/golden-exp/envy/.hpcsim/envy.job.ec
exit "$rc"
