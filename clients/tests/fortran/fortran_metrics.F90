! client%log_metric (an hpcsim extension) from Fortran, through each specific procedure of the
! generic (default and c_int64_t steps, c_float and c_double values): points go to the stream
! __hpcsim.metrics.<name> (never prefixed); a bad name, step or value returns SRParameterError
! and writes nothing; a key of another type returns SRRuntimeError.
!
! Usage: fortran_metrics [NAME]   log the points of tests/native/test_metrics.py's POINTS and
!                                 FORTRAN_POINTS to metric NAME (default: a unique name)
#include "fortran_test_util.inc"

program fortran_metrics

  use iso_c_binding
  use, intrinsic :: ieee_arithmetic, only : ieee_value, ieee_quiet_nan, ieee_positive_inf, ieee_negative_inf
  use hpcsim_client
  use fortran_test_util

  implicit none

  character(len=*), parameter :: test_name = 'fortran_metrics'
  character(len=*), parameter :: prefix = '__hpcsim.metrics.'
  character(len=256) :: name_arg
  character(len=:), allocatable :: name, bad
  real(kind=c_double), dimension(1) :: one
  integer :: result, i
  type(client_type) :: client

  call start_test(test_name)
  if (command_argument_count() >= 1) then
    call get_command_argument(1, name_arg)
    name = trim(name_arg)
  else
    name = 'fortran_metric' // unique_suffix()
  end if
  result = client%initialize(test_name)
  call ok(result, 'client%initialize')

  result = client%log_metric(name, 0, 0.1_c_double)
  call ok(result, 'log_metric(default integer, c_double)')
  result = client%log_metric(name, 1_c_int64_t, 1.0_c_double / 3.0_c_double)
  call ok(result, 'log_metric(c_int64_t, c_double)')
  result = client%log_metric(name, 2, -2.5e-300_c_double)
  call ok(result, 'log_metric 2')
  result = client%log_metric(name, 3, 5e-324_c_double)
  call ok(result, 'log_metric 3')
  result = client%log_metric(name, 4611686018427387904_c_int64_t, 1e300_c_double)
  call ok(result, 'log_metric 2**62')
  result = client%log_metric(name, 10, 0.1_c_float)
  call ok(result, 'log_metric(default integer, c_float)')
  result = client%log_metric(name, 1099511627776_c_int64_t, 1.0_c_float / 3.0_c_float)
  call ok(result, 'log_metric(c_int64_t, c_float)')
  call check(exists(prefix // name), 'no stream ' // prefix // name)

  result = client%log_metric('', 0, 1.0_c_double)
  call expect_error(result, SRParameterError, "log_metric('')", 'must not be empty')
  call check(.not. exists(prefix), 'an empty metric name wrote ' // prefix)
  do i = 1, 2
    bad = name // merge(' ', char(9), i == 1) // 'x'
    result = client%log_metric(bad, 0, 1.0_c_double)
    call expect_error(result, SRParameterError, 'log_metric with whitespace', 'whitespace')
    call check(.not. exists(prefix // bad), 'a metric name with whitespace was written')
  end do
  result = client%log_metric(name // '_neg', -1, 1.0_c_double)
  call expect_error(result, SRParameterError, 'log_metric(step -1)', 'step', '-1')
  result = client%log_metric(name // '_neg', -1_c_int64_t, 1.0_c_float)
  call expect_error(result, SRParameterError, 'log_metric(step -1_c_int64_t)', 'step', '-1')
  call check(.not. exists(prefix // name // '_neg'), 'a negative step was written')
  result = client%log_metric(name // '_nan', 0, ieee_value(1.0_c_double, ieee_quiet_nan))
  call expect_error(result, SRParameterError, 'log_metric(NaN)', 'finite')
  result = client%log_metric(name // '_nan', 0, ieee_value(1.0_c_double, ieee_positive_inf))
  call expect_error(result, SRParameterError, 'log_metric(+inf)', 'finite')
  result = client%log_metric(name // '_nan', 0, ieee_value(1.0_c_float, ieee_negative_inf))
  call expect_error(result, SRParameterError, 'log_metric(-inf, c_float)', 'finite')
  call check(.not. exists(prefix // name // '_nan'), 'a value that is not finite was written')

  ! a key of another type: the server's refusal
  result = client%use_tensor_ensemble_prefix(.false.)
  call ok(result, 'use_tensor_ensemble_prefix')
  one = 1.0_c_double
  result = client%put_tensor(prefix // name // '_str', one, shape(one))
  call ok(result, 'put_tensor')
  result = client%log_metric(name // '_str', 0, 1.0_c_double)
  call expect_error(result, SRRuntimeError, 'log_metric on a tensor', 'WRONGTYPE')
  result = client%delete_tensor(prefix // name // '_str')
  call ok(result, 'delete_tensor')

  result = client%destructor()
  call ok(result, 'client%destructor')
  write(*, '(a)') 'PASS ' // test_name

contains

logical function exists(key)
  character(len=*), intent(in) :: key
  call ok(client%key_exists(key, exists), 'key_exists ' // key)
end function exists

end program fortran_metrics
