! The consumer of the seed's key-prefixing example (model.rst) in Fortran, written the SmartRedis
! way (smartredis_client, smartredis_logger, enum_fortran.inc): reads both producers' "tensor"
! by switching the data source, and logs them as the seed's Python consumer does:
!   <logger>@HH-MM-SS:1: [5 6 7 8]
!   <logger>@HH-MM-SS:2: [1 2 3 4]
! Run as an entity that registered producer_1 and producer_2 as incoming entities.
program kp_consumer

use iso_c_binding, only : c_int64_t
use smartredis_client, only : client_type, enum_kind
use smartredis_logger, only : log_data
use smartredis_errors, only : print_last_error

implicit none

#include "enum_fortran.inc"

type(client_type) :: client
integer(kind=c_int64_t) :: val1(4), val2(4)

call check(client%initialize(), "initialize")
call check(client%set_data_source("producer_1"), "set_data_source producer_1")
call check(client%unpack_tensor("tensor", val1, shape(val1)), "unpack_tensor producer_1.tensor")  ! key producer_1.tensor
call check(client%set_data_source("producer_2"), "set_data_source producer_2")
call check(client%unpack_tensor("tensor", val2, shape(val2)), "unpack_tensor producer_2.tensor")  ! key producer_2.tensor
call log_data(client, LLInfo, "1: " // show(val1))
call log_data(client, LLInfo, "2: " // show(val2))
call check(client%destructor(), "destructor")

contains

!> numpy's way of printing a 1-D integer array: [5 6 7 8]
function show(values) result(text)
  integer(kind=c_int64_t), intent(in) :: values(:)
  character(len=:), allocatable :: text
  character(len=24) :: item
  integer :: i

  text = "["
  do i = 1, size(values)
    write(item, '(i0)') values(i)
    text = text // trim(item)
    if (i < size(values)) text = text // " "
  end do
  text = text // "]"
end function show

subroutine check(code, what)
  integer(kind=enum_kind), intent(in) :: code
  character(len=*), intent(in) :: what

  if (code == SRNoError) return
  write(0, '(a, " failed (error ", i0, ")")') what, code
  call print_last_error()
  error stop 1
end subroutine check

end program kp_consumer
