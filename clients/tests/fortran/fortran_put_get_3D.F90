! Tensors from Fortran in the style of SmartRedis's examples/serial/fortran/smartredis_put_get_3D:
! a real(8) 10x20x30 array is put and unpacked unchanged, plus existence, polling, rename,
! copy and delete, a 2-D section (copied in and out by the compiler) and 0-d and empty tensors.
#include "fortran_test_util.inc"

program fortran_put_get_3D

  use iso_c_binding
  use smartredis_client, only : client_type, enum_kind
  use fortran_test_util

  implicit none

#include "enum_fortran.inc"

  character(len=*), parameter :: test_name = 'fortran_put_get_3D'
  integer, parameter :: dim1 = 10
  integer, parameter :: dim2 = 20
  integer, parameter :: dim3 = 30

  real(kind=8), dimension(dim1, dim2, dim3) :: recv_array_real_64
  real(kind=c_double), dimension(dim1, dim2, dim3) :: send_array_real_64
  real(kind=c_double), dimension(4, 6) :: big, section_back
  real(kind=c_double) :: scalar, scalar_back
  integer(kind=c_int32_t), dimension(0) :: empty
  integer(kind=c_int32_t), dimension(0, 3) :: empty_back
  character(len=:), allocatable :: suffix, key
  logical :: exists
  integer :: result
  type(client_type) :: client

  call start_test(test_name)
  suffix = unique_suffix()
  key = 'send_array' // suffix
  call random_number(send_array_real_64)

  result = client%initialize("fortran_put_get_3D")
  call ok(result, 'client%initialize')
  call check(client%isinitialized(), 'isinitialized after initialize')

  result = client%put_tensor(key, send_array_real_64, shape(send_array_real_64))
  call ok(result, 'put_tensor')
  recv_array_real_64 = 0
  result = client%unpack_tensor(key, recv_array_real_64, shape(recv_array_real_64))
  call ok(result, 'unpack_tensor')
  call check(same(transfer(send_array_real_64, [0_c_int8_t]), &
                 transfer(recv_array_real_64, [0_c_int8_t])), &
                 'real(8) 3-D round trip')

  ! names are len_trim-ed: a blank-padded name finds the same tensor
  result = client%tensor_exists(key // '    ', exists)
  call ok(result, 'tensor_exists')
  call check(exists, 'tensor_exists with a blank-padded name')
  result = client%poll_tensor(key, 10, 3, exists)
  call ok(result, 'poll_tensor')
  call check(exists, 'poll_tensor finds the tensor')
  result = client%poll_tensor('no_such' // suffix, 5, 2, exists)
  call ok(result, 'poll_tensor of a missing tensor')
  call check(.not. exists, 'poll_tensor of a missing tensor is false')

  result = client%copy_tensor(key, key // '_copy')
  call ok(result, 'copy_tensor')
  result = client%rename_tensor(key // '_copy', key // '_renamed')
  call ok(result, 'rename_tensor')
  result = client%tensor_exists(key // '_copy', exists)
  call ok(result, 'tensor_exists after rename')
  call check(.not. exists, 'the old name is gone after rename_tensor')
  recv_array_real_64 = 0
  result = client%unpack_tensor(key // '_renamed', recv_array_real_64, shape(recv_array_real_64))
  call ok(result, 'unpack_tensor of the renamed copy')
  call check(same(transfer(send_array_real_64, [0_c_int8_t]), &
                 transfer(recv_array_real_64, [0_c_int8_t])), &
                 'copy + rename keeps the data')
  result = client%delete_tensor(key // '_renamed')
  call ok(result, 'delete_tensor')
  result = client%tensor_exists(key // '_renamed', exists)
  call ok(result, 'tensor_exists after delete')
  call check(.not. exists, 'delete_tensor removes the tensor')

  ! a non-contiguous section is copied in on put and copied out on unpack
  call random_number(big)
  result = client%put_tensor('section' // suffix, big(1:4:2, 2:6:2), [2, 3])
  call ok(result, 'put_tensor of a section')
  section_back = -1
  result = client%unpack_tensor('section' // suffix, section_back(2:4:2, 1:5:2), [2, 3])
  call ok(result, 'unpack_tensor into a section')
  call check(same(transfer(section_back(2:4:2, 1:5:2), [0_c_int8_t]), &
                 transfer(big(1:4:2, 2:6:2), [0_c_int8_t])), &
                 'section round trip')
  call check(all(section_back(1:3:2, :) < -0.5_c_double), 'unpack into a section leaves other elements alone')

  ! a scalar is a 0-d tensor (dims = shape(scalar) is empty)
  scalar = 3.25_c_double
  result = client%put_tensor('scalar' // suffix, scalar, shape(scalar))
  call ok(result, 'put_tensor of a scalar')
  scalar_back = 0
  result = client%unpack_tensor('scalar' // suffix, scalar_back, shape(scalar_back))
  call ok(result, 'unpack_tensor of a scalar')
  call check(same(transfer(scalar_back, [0_c_int8_t]), transfer(scalar, [0_c_int8_t])), '0-d round trip')

  ! empty tensors
  result = client%put_tensor('empty' // suffix, empty, shape(empty))
  call ok(result, 'put_tensor of an empty array')
  result = client%unpack_tensor('empty' // suffix, empty_back, [0])
  call ok(result, 'unpack_tensor of an empty array')

  result = client%destructor()
  call ok(result, 'client%destructor')
  call check(.not. client%isinitialized(), 'isinitialized after destructor')
  write(*, '(a)') 'PASS ' // test_name

end program fortran_put_get_3D
