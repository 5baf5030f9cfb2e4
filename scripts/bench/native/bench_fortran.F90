! One side of scripts/bench/native.py: hpcsim's Fortran client, put_tensor and unpack_tensor of
! a real(8) array of rank 1 or 3 (dims = shape(a)), the database from the environment.
!
!   bench_fortran serve KEY D1 [D2 D3]   line protocol of bench_common.h
!   bench_fortran rss KEY D1 [D2 D3]     one put and one unpack; VmRSS/VmHWM before and after
!
! Element a(i,j,k) is n/2 where n is its row-major (C-order) index, so every side of the
! benchmark stores the same elements 0, 0.5, 1, ... (a rank-3 array is transposed on put).
program bench_fortran

  use iso_fortran_env, only : int64, input_unit, output_unit
  use hpcsim_client, only : client_type, enum_kind, SRNoError, get_last_error

  implicit none

  type(client_type) :: client
  character(len=256) :: mode, key, arg
  character(len=128) :: line
  character(len=16) :: cmd
  integer :: nargs, rank, i, j, k, ios, dims(3)
  integer(int64) :: n, m, t0, t1, t2, rate, rss, hwm, hwm_put, hwm_reset, hwm_get
  real(8), allocatable, target :: a1(:), r1(:), a3(:,:,:), r3(:,:,:)
  logical :: same

  nargs = command_argument_count()
  if (nargs /= 3 .and. nargs /= 5) call die("usage: bench_fortran serve|rss KEY D1 [D2 D3]")
  call get_command_argument(1, mode)
  call get_command_argument(2, key)
  rank = nargs - 2
  dims = 1
  do i = 1, rank
    call get_command_argument(2 + i, arg)
    read(arg, *) dims(i)
  end do

  if (rank == 1) then
    allocate(a1(dims(1)))
    do i = 1, dims(1)
      a1(i) = real(i - 1, 8) * 0.5d0
    end do
  else
    allocate(a3(dims(1), dims(2), dims(3)))
    do k = 1, dims(3)
      do j = 1, dims(2)
        do i = 1, dims(1)
          m = (int(i - 1, int64) * dims(2) + (j - 1)) * dims(3) + (k - 1)
          a3(i, j, k) = real(m, 8) * 0.5d0
        end do
      end do
    end do
  end if
  call check(client%initialize("bench"), "initialize")

  if (trim(mode) == "rss") then
    rss = status_kib("VmRSS")
    hwm = status_kib("VmHWM")
    call put()
    hwm_put = status_kib("VmHWM")
    hwm_reset = reset_hwm()
    ! into the same array: only what the library itself allocates counts
    if (rank == 1) then
      call check(client%unpack_tensor(trim(key), a1, shape(a1)), "unpack_tensor")
    else
      call check(client%unpack_tensor(trim(key), a3, shape(a3)), "unpack_tensor")
    end if
    hwm_get = status_kib("VmHWM")
    call check(client%delete_tensor(trim(key)), "delete_tensor")
    write(output_unit, '(a,i0,a,i0,a,i0,a,i0,a,i0,a)') '{"rss_before_kib": ', rss, &
      ', "hwm_before_kib": ', hwm, ', "hwm_after_put_kib": ', hwm_put, &
      ', "hwm_before_get_kib": ', hwm_reset, ', "hwm_after_get_kib": ', hwm_get, '}'
    flush(output_unit)
    call check(client%destructor(), "destructor")
    stop
  end if
  if (trim(mode) /= "serve") call die("unknown mode " // trim(mode))

  if (rank == 1) then
    allocate(r1(dims(1)))
    r1 = 0
  else
    allocate(r3(dims(1), dims(2), dims(3)))
    r3 = 0
  end if
  call put()
  write(output_unit, '(a)') '{"ready": true}'
  flush(output_unit)
  call system_clock(count_rate=rate)
  do
    read(input_unit, '(a)', iostat=ios) line
    if (ios /= 0) exit
    n = 0
    read(line, *, iostat=ios) cmd, n
    if (ios /= 0) call die("bad command line: " // trim(line))
    select case (trim(cmd))
    case ("round")
      call system_clock(t0)
      do m = 1, n
        call put()
      end do
      call system_clock(t1)
      do m = 1, n
        call unpack()
      end do
      call system_clock(t2)
      write(output_unit, '(a,es24.16e3,a,es24.16e3,a)') '{"put_s": ', real(t1 - t0, 8) / real(rate, 8), &
        ', "get_s": ', real(t2 - t1, 8) / real(rate, 8), '}'
    case ("check")
      if (rank == 1) then
        r1 = 0
        call unpack()
        same = .not. any(r1 < a1 .or. r1 > a1)  ! exact (no NaN here)
      else
        r3 = 0
        call unpack()
        same = .not. any(r3 < a3 .or. r3 > a3)
      end if
      if (same) then
        write(output_unit, '(a)') '{"ok": true}'
      else
        write(output_unit, '(a)') '{"ok": false}'
      end if
    case ("quit")
      exit
    case default
      call die("unknown command " // trim(cmd))
    end select
    flush(output_unit)
  end do
  call check(client%destructor(), "destructor")

contains

  subroutine put()
    if (rank == 1) then
      call check(client%put_tensor(trim(key), a1, shape(a1)), "put_tensor")
    else
      call check(client%put_tensor(trim(key), a3, shape(a3)), "put_tensor")
    end if
  end subroutine put

  subroutine unpack()
    if (rank == 1) then
      call check(client%unpack_tensor(trim(key), r1, shape(r1)), "unpack_tensor")
    else
      call check(client%unpack_tensor(trim(key), r3, shape(r3)), "unpack_tensor")
    end if
  end subroutine unpack

  subroutine check(code, what)
    integer(kind=enum_kind), intent(in) :: code
    character(len=*), intent(in) :: what
    if (code /= SRNoError) call die(what // ": " // get_last_error())
  end subroutine check

  subroutine die(message)
    character(len=*), intent(in) :: message
    character(len=len(message)) :: clean
    integer :: c
    clean = message
    do c = 1, len(clean)  ! keep the JSON string valid
      if (clean(c:c) == '"' .or. clean(c:c) == '\' .or. iachar(clean(c:c)) < 32) clean(c:c) = "'"
    end do
    write(output_unit, '(a)') '{"error": "' // clean // '"}'
    flush(output_unit)
    error stop 1
  end subroutine die

  ! A field of /proc/self/status in KiB (VmRSS, VmHWM), or -1.
  function status_kib(field) result(kib)
    character(len=*), intent(in) :: field
    integer(int64) :: kib
    character(len=256) :: text
    integer :: unit, stat
    kib = -1
    open(newunit=unit, file="/proc/self/status", action="read", status="old", iostat=stat)
    if (stat /= 0) return
    do
      read(unit, '(a)', iostat=stat) text
      if (stat /= 0) exit
      if (index(text, field // ":") == 1) then
        read(text(len(field) + 2:), *, iostat=stat) kib
        exit
      end if
    end do
    close(unit)
  end function status_kib

  ! Resets VmHWM to the current VmRSS ("5" into clear_refs, Linux 4.0+); VmHWM after, or -1.
  function reset_hwm() result(kib)
    integer(int64) :: kib
    integer :: unit, stat
    kib = -1
    open(newunit=unit, file="/proc/self/clear_refs", action="write", status="old", iostat=stat)
    if (stat /= 0) return
    write(unit, '(a)', advance="no", iostat=stat) "5"
    close(unit, iostat=stat)
    if (stat == 0) kib = status_kib("VmHWM")
  end function reset_hwm

end program bench_fortran
