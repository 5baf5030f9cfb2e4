! The producer of the online-training seed as a compiled MPI simulation: every rank advances a
! mock simulation and, each iteration, uploads a batch of samples and their targets with
! hpcsim's Fortran client:
!
!   points_<rank>_<iteration>   real(4) points(n, 2), uniform in [-1, 1]^2
!   value_<rank>_<iteration>    real(4) values(n, 1) = sin(2 x) + y**2 at those points
!
! (points_<iteration> and value_<iteration> when it runs as a single rank), the keys the
! training service's DynamicDataGenerator reads with uploader_ranks = the number of ranks.
! Fortran arrays are column-major and the client keeps the index order, so points(i, j)
! arrives in numpy as points[i-1, j-1] with shape (n, 2): one sample per row, as the trainer
! expects. With key prefixing on (the driver enables it), the keys are stored as
! `<model name>.points_...`, which is where a trainer registered to read this model looks.
!
! Usage: mpirun -n 3 ./producer [--iterations N] [--interval SECONDS] [--samples M]
! The database comes from the environment (HPCSIM_DB or SSDB), as for every hpcsim client.
program producer

use, intrinsic :: iso_c_binding, only : c_float, c_int
use, intrinsic :: iso_fortran_env, only : int64, output_unit, error_unit
use mpi
! hpcsim's module: the client, the error helpers and the constants of enum_fortran.inc. The
! SmartRedis spelling works as well: `use smartredis_client, only : client_type, enum_kind`,
! `use smartredis_errors, only : get_last_error` and `#include "enum_fortran.inc"`.
use hpcsim_client, only : client_type, enum_kind, get_last_error, SRNoError

implicit none

interface
  ! POSIX usleep(3): the "simulation" takes this long per iteration
  function usleep(microseconds) bind(c, name="usleep")
    import :: c_int
    integer(c_int), value :: microseconds
    integer(c_int) :: usleep
  end function usleep
end interface

integer :: iterations = 16
integer :: samples = 64
real :: interval = 0.5

type(client_type) :: client
real(kind=c_float), allocatable :: points(:,:), values(:,:)
character(len=MPI_MAX_PROCESSOR_NAME) :: host
character(len=32) :: suffix
integer(kind=int64) :: state
integer :: rank, ranks, host_length, ierr, iteration, i
integer(kind=enum_kind) :: code

call MPI_Init(ierr)
call MPI_Comm_rank(MPI_COMM_WORLD, rank, ierr)
call MPI_Comm_size(MPI_COMM_WORLD, ranks, ierr)
call MPI_Get_processor_name(host, host_length, ierr)
call read_arguments()

! one client per rank; the address, database type and key prefixes come from the environment
code = client%initialize("producer")
call check(code, "initialize")

allocate(points(samples, 2), values(samples, 1))
state = 12345_int64 + 7919_int64 * rank  ! each rank samples its own points, reproducibly

do iteration = 0, iterations - 1
  ierr = usleep(int(interval * 1.0e6, kind=c_int))  ! the simulation advances
  do i = 1, samples
    points(i, 1) = uniform()
    points(i, 2) = uniform()
  end do
  values(:, 1) = sin(2.0_c_float * points(:, 1)) + points(:, 2)**2

  if (ranks > 1) then
    write(suffix, '(i0, "_", i0)') rank, iteration
  else
    write(suffix, '(i0)') iteration
  end if
  code = client%put_tensor("points_" // trim(suffix), points, shape(points))
  call check(code, "put_tensor points_" // trim(suffix))
  code = client%put_tensor("value_" // trim(suffix), values, shape(values))
  call check(code, "put_tensor value_" // trim(suffix))

  write(output_unit, '("rank ", i0, " on ", a, ": uploaded iteration ", i0)') rank, host(1:host_length), iteration
  flush(output_unit)
end do

code = client%destructor()
call MPI_Finalize(ierr)

contains

!> --iterations N, --interval SECONDS and --samples M, each optional.
subroutine read_arguments()
  character(len=64) :: name, value
  integer :: index, status

  index = 1
  do while (index <= command_argument_count())
    call get_command_argument(index, name)
    call get_command_argument(index + 1, value, status=status)
    if (status /= 0) call usage("no value after " // trim(name))
    select case (name)
    case ("--iterations")
      read(value, *, iostat=status) iterations
    case ("--interval")
      read(value, *, iostat=status) interval
    case ("--samples")
      read(value, *, iostat=status) samples
    case default
      call usage("unknown argument " // trim(name))
    end select
    if (status /= 0) call usage("bad value " // trim(value) // " for " // trim(name))
    index = index + 2
  end do
  if (iterations < 0 .or. samples < 1 .or. interval < 0.0) call usage("--samples must be at least 1, the others not negative")
end subroutine read_arguments

subroutine usage(problem)
  character(len=*), intent(in) :: problem

  if (rank == 0) then
    write(error_unit, '(a)') "producer: " // problem
    write(error_unit, '(a)') "usage: producer [--iterations N] [--interval SECONDS] [--samples M]"
  end if
  call MPI_Abort(MPI_COMM_WORLD, 2, ierr)
end subroutine usage

!> Stops every rank with the client's message if `code` is an error.
subroutine check(code, what)
  integer(kind=enum_kind), intent(in) :: code
  character(len=*), intent(in) :: what

  if (code == SRNoError) return
  write(error_unit, '("rank ", i0, ": ", a, " failed (error ", i0, "): ", a)') rank, what, code, get_last_error()
  flush(error_unit)
  call MPI_Abort(MPI_COMM_WORLD, 1, ierr)
end subroutine check

!> Uniform in [-1, 1): the minimal standard generator (Park and Miller), the same on every
!! compiler.
function uniform()
  real(kind=c_float) :: uniform

  state = mod(16807_int64 * state, 2147483647_int64)
  uniform = real(2.0d0 * real(state, kind=kind(1.0d0)) / 2147483647.0d0 - 1.0d0, kind=c_float)
end function uniform

end program producer
