! The last error of the calling thread, as SmartRedis 0.6.1's smartredis_errors module.
module smartredis_errors

use iso_c_binding, only : c_ptr, c_char
use, intrinsic :: iso_fortran_env, only : stderr => error_unit
use fortran_c_interop, only : hs_c_string

implicit none; private

interface
  function c_get_last_error() bind(c, name="SRGetLastError")
    import :: c_ptr
    type(c_ptr) :: c_get_last_error
  end function c_get_last_error

  function c_get_last_error_location() bind(c, name="SRGetLastErrorLocation")
    import :: c_ptr
    type(c_ptr) :: c_get_last_error_location
  end function c_get_last_error_location
end interface

public :: get_last_error, print_last_error

contains

!> The message of the last error, a newline, and where it was raised.
function get_last_error()
  character(kind=c_char, len=:), allocatable :: get_last_error

  get_last_error = hs_c_string(c_get_last_error()) // new_line('a') // hs_c_string(c_get_last_error_location())
end function get_last_error

!> Writes get_last_error() to `unit` (default: standard error).
subroutine print_last_error(unit)
  integer, optional, intent(in) :: unit

  integer :: target_unit

  target_unit = stderr
  if (present(unit)) target_unit = unit
  write(target_unit, '(a)') get_last_error()
end subroutine print_last_error

end module smartredis_errors
