# ==> /scratch/proj/golden-exp/arr/.hpcsim/arr.sh <==
#!/bin/bash
#$ -N arr
#$ -o /scratch/proj/golden-exp/arr/.hpcsim/arr.job.out
#$ -e /scratch/proj/golden-exp/arr/.hpcsim/arr.job.err
#$ -S /bin/bash
#$ -pe mpi 64
#$ -l h_rt=01:30:00
#$ -q debug.q
#$ -A proj1
#$ -t 1-3
#$ -tc 2

# step 0: model arr_0
hpcsim_step_0() {
    : >/scratch/proj/golden-exp/arr/arr_0/.hpcsim/arr_0.ec
    (
        cd / || exit
        export HPCSIM_EXP=/scratch/proj/golden-exp
        export HPCSIM_ENTITY=arr_0
        export HPCSIM_KEYOUT=arr_0
        export SSKEYOUT=arr_0
        exec mpirun -x HPCSIM_EXP -x HPCSIM_ENTITY -x HPCSIM_KEYOUT -x SSKEYOUT /bin/echo task
    ) >/scratch/proj/golden-exp/arr/arr_0/arr_0.out 2>/scratch/proj/golden-exp/arr/arr_0/arr_0.err </dev/null
    local rc=$?
    printf '%s\n' "$rc" >/scratch/proj/golden-exp/arr/arr_0/.hpcsim/arr_0.ec
    return "$rc"
}

# step 1: model arr_1
hpcsim_step_1() {
    : >/scratch/proj/golden-exp/arr/arr_1/.hpcsim/arr_1.ec
    (
        cd / || exit
        export HPCSIM_EXP=/scratch/proj/golden-exp
        export HPCSIM_ENTITY=arr_1
        export HPCSIM_KEYOUT=arr_1
        export SSKEYOUT=arr_1
        exec mpirun -x HPCSIM_EXP -x HPCSIM_ENTITY -x HPCSIM_KEYOUT -x SSKEYOUT /bin/echo task
    ) >/scratch/proj/golden-exp/arr/arr_1/arr_1.out 2>/scratch/proj/golden-exp/arr/arr_1/arr_1.err </dev/null
    local rc=$?
    printf '%s\n' "$rc" >/scratch/proj/golden-exp/arr/arr_1/.hpcsim/arr_1.ec
    return "$rc"
}

# step 2: model arr_2
hpcsim_step_2() {
    : >/scratch/proj/golden-exp/arr/arr_2/.hpcsim/arr_2.ec
    (
        cd / || exit
        export HPCSIM_EXP=/scratch/proj/golden-exp
        export HPCSIM_ENTITY=arr_2
        export HPCSIM_KEYOUT=arr_2
        export SSKEYOUT=arr_2
        exec mpirun -x HPCSIM_EXP -x HPCSIM_ENTITY -x HPCSIM_KEYOUT -x SSKEYOUT /bin/echo task
    ) >/scratch/proj/golden-exp/arr/arr_2/arr_2.out 2>/scratch/proj/golden-exp/arr/arr_2/arr_2.err </dev/null
    local rc=$?
    printf '%s\n' "$rc" >/scratch/proj/golden-exp/arr/arr_2/.hpcsim/arr_2.ec
    return "$rc"
}

case "$SGE_TASK_ID" in
    1) hpcsim_step_0 ;;
    2) hpcsim_step_1 ;;
    3) hpcsim_step_2 ;;
    *) echo "hpcsim: no step for array index $SGE_TASK_ID" >&2; false ;;
esac
rc=$?
exit "$rc"
