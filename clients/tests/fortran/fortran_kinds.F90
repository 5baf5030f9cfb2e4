! Every Fortran kind the client maps (integer(c_int8_t .. c_int64_t), real(c_float),
! real(c_double), and hpcsim's logical(c_bool), complex(c_float_complex) and
! complex(c_double_complex)) at ranks 0, 1 and 3 and empty, through put_tensor/unpack_tensor
! and a dataset, bit-exact. Written against hpcsim's own module (`use hpcsim_client`, which
! also provides the enumerators).
!
! Usage: fortran_kinds                 put, unpack and compare, then delete (ctest)
!        fortran_kinds put PREFIX      put every tensor and dataset under PREFIX and stop
!        fortran_kinds check PREFIX    unpack what another language put under PREFIX and compare
#include "fortran_test_util.inc"

program fortran_kinds

  use iso_c_binding
  use hpcsim_client
  use fortran_test_util

  implicit none

  character(len=*), parameter :: test_name = 'fortran_kinds'
  character(len=16) :: mode
  character(len=256) :: prefix
  integer :: result
  type(client_type) :: client

  call start_test(test_name)
  mode = 'self'
  prefix = 'fortran_kinds' // unique_suffix()
  if (command_argument_count() >= 2) then
    call get_command_argument(1, mode)
    call get_command_argument(2, prefix)
    call check(mode == 'put' .or. mode == 'check', 'usage: fortran_kinds [put|check PREFIX]')
  end if

  result = client%initialize(test_name)
  call ok(result, 'client%initialize')
  call kind_int8(client, trim(mode), trim(prefix))
  call kind_int16(client, trim(mode), trim(prefix))
  call kind_int32(client, trim(mode), trim(prefix))
  call kind_int64(client, trim(mode), trim(prefix))
  call kind_float32(client, trim(mode), trim(prefix))
  call kind_float64(client, trim(mode), trim(prefix))
  call kind_bool(client, trim(mode), trim(prefix))
  call kind_complex64(client, trim(mode), trim(prefix))
  call kind_complex128(client, trim(mode), trim(prefix))
  result = client%destructor()
  call ok(result, 'client%destructor')
  write(*, '(a)') 'PASS ' // test_name // ' (' // trim(mode) // ')'

contains

! The value at row-major position v, for each kind (numpy computes the same, see
! tests/native/test_fortran.py).
elemental integer(kind=c_int8_t) function v_int8(v)
  integer, intent(in) :: v
  v_int8 = int(v - 12, c_int8_t)
end function v_int8

elemental integer(kind=c_int16_t) function v_int16(v)
  integer, intent(in) :: v
  v_int16 = int((v - 12) * 1000, c_int16_t)
end function v_int16

elemental integer(kind=c_int32_t) function v_int32(v)
  integer, intent(in) :: v
  v_int32 = int(v - 12, c_int32_t) * 100000001_c_int32_t
end function v_int32

elemental integer(kind=c_int64_t) function v_int64(v)
  integer, intent(in) :: v
  v_int64 = int(v - 12, c_int64_t) * 700000000001_c_int64_t
end function v_int64

elemental real(kind=c_float) function v_float32(v)
  integer, intent(in) :: v
  v_float32 = real(v - 12, c_float) * 0.1_c_float
end function v_float32

elemental real(kind=c_double) function v_float64(v)
  integer, intent(in) :: v
  v_float64 = real(v - 12, c_double) * 0.1_c_double
end function v_float64

elemental logical(kind=c_bool) function v_bool(v)
  integer, intent(in) :: v
  v_bool = logical(mod(v, 3) == 0, c_bool)
end function v_bool

elemental complex(kind=c_float_complex) function v_complex64(v)
  integer, intent(in) :: v
  v_complex64 = cmplx(real(v, c_float) * 0.5_c_float, -real(v, c_float) * 0.25_c_float, c_float_complex)
end function v_complex64

elemental complex(kind=c_double_complex) function v_complex128(v)
  integer, intent(in) :: v
  v_complex128 = cmplx(real(v, c_double) * 0.5_c_double, -real(v, c_double) * 0.25_c_double, c_double_complex)
end function v_complex128

#define HS_SUB kind_int8
#define HS_T integer(kind=c_int8_t)
#define HS_NAME 'int8'
#define HS_VALUE v_int8
#include "fortran_kinds_body.inc"
#undef HS_SUB
#undef HS_T
#undef HS_NAME
#undef HS_VALUE

#define HS_SUB kind_int16
#define HS_T integer(kind=c_int16_t)
#define HS_NAME 'int16'
#define HS_VALUE v_int16
#include "fortran_kinds_body.inc"
#undef HS_SUB
#undef HS_T
#undef HS_NAME
#undef HS_VALUE

#define HS_SUB kind_int32
#define HS_T integer(kind=c_int32_t)
#define HS_NAME 'int32'
#define HS_VALUE v_int32
#include "fortran_kinds_body.inc"
#undef HS_SUB
#undef HS_T
#undef HS_NAME
#undef HS_VALUE

#define HS_SUB kind_int64
#define HS_T integer(kind=c_int64_t)
#define HS_NAME 'int64'
#define HS_VALUE v_int64
#include "fortran_kinds_body.inc"
#undef HS_SUB
#undef HS_T
#undef HS_NAME
#undef HS_VALUE

#define HS_SUB kind_float32
#define HS_T real(kind=c_float)
#define HS_NAME 'float32'
#define HS_VALUE v_float32
#include "fortran_kinds_body.inc"
#undef HS_SUB
#undef HS_T
#undef HS_NAME
#undef HS_VALUE

#define HS_SUB kind_float64
#define HS_T real(kind=c_double)
#define HS_NAME 'float64'
#define HS_VALUE v_float64
#include "fortran_kinds_body.inc"
#undef HS_SUB
#undef HS_T
#undef HS_NAME
#undef HS_VALUE

#define HS_SUB kind_bool
#define HS_T logical(kind=c_bool)
#define HS_NAME 'bool'
#define HS_VALUE v_bool
#include "fortran_kinds_body.inc"
#undef HS_SUB
#undef HS_T
#undef HS_NAME
#undef HS_VALUE

#define HS_SUB kind_complex64
#define HS_T complex(kind=c_float_complex)
#define HS_NAME 'complex64'
#define HS_VALUE v_complex64
#include "fortran_kinds_body.inc"
#undef HS_SUB
#undef HS_T
#undef HS_NAME
#undef HS_VALUE

#define HS_SUB kind_complex128
#define HS_T complex(kind=c_double_complex)
#define HS_NAME 'complex128'
#define HS_VALUE v_complex128
#include "fortran_kinds_body.inc"
#undef HS_SUB
#undef HS_T
#undef HS_NAME
#undef HS_VALUE

end program fortran_kinds
