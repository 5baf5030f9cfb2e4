! The array-order rule: a(i,j[,k]) put from Fortran is t[i-1,j-1[,k-1]] in row-major
! languages (numpy, C), and a row-major t unpacked in Fortran gives b(i,j[,k]) = t[i-1,...].
! Values are v(i0,j0,k0) = 10000*i0 + 100*j0 + k0 at 0-based position (i0,j0,k0).
!
! Usage: fortran_order                 check both directions against the C API's row-major
!                                      (SRMemLayoutContiguous) view of the same tensors (ctest)
!        fortran_order put PREFIX      put PREFIX_f2d (4x7) and PREFIX_f3d (3x4x5), real(c_double),
!                                      and PREFIX_f3i (3x4x5, integer(c_int32_t)) for Python
!        fortran_order check PREFIX    unpack PREFIX_p2d (4x7) and PREFIX_p3d (3x4x5), real(c_double),
!                                      put by Python, and check b(i,j,k) = t[i-1,j-1,k-1]
#include "fortran_test_util.inc"

program fortran_order

  use iso_c_binding
  use hpcsim_client
  use fortran_test_util

  implicit none

  interface
    ! the C API itself, to see the row-major bytes
    function c_put_tensor(client, name, name_length, data, dims, n_dims, data_type, mem_layout) &
        bind(c, name="put_tensor")
      import :: c_ptr, c_char, c_size_t, enum_kind
      type(c_ptr), value :: client
      character(kind=c_char), dimension(*), intent(in) :: name
      integer(kind=c_size_t), value :: name_length
      type(c_ptr), value :: data
      integer(kind=c_size_t), dimension(*), intent(in) :: dims
      integer(kind=c_size_t), value :: n_dims
      integer(kind=enum_kind), value :: data_type, mem_layout
      integer(kind=enum_kind) :: c_put_tensor
    end function c_put_tensor

    function c_unpack_tensor(client, name, name_length, data, dims, n_dims, data_type, mem_layout) &
        bind(c, name="unpack_tensor")
      import :: c_ptr, c_char, c_size_t, enum_kind
      type(c_ptr), value :: client
      character(kind=c_char), dimension(*), intent(in) :: name
      integer(kind=c_size_t), value :: name_length
      type(c_ptr), value :: data
      integer(kind=c_size_t), dimension(*), intent(in) :: dims
      integer(kind=c_size_t), value :: n_dims
      integer(kind=enum_kind), value :: data_type, mem_layout
      integer(kind=enum_kind) :: c_unpack_tensor
    end function c_unpack_tensor
  end interface

  character(len=*), parameter :: test_name = 'fortran_order'
  character(len=16) :: mode
  character(len=256) :: prefix_arg
  character(len=:), allocatable :: prefix
  real(kind=c_double), dimension(4, 7) :: a2, b2
  real(kind=c_double), dimension(3, 4, 5) :: a3, b3
  integer(kind=c_int32_t), dimension(3, 4, 5) :: i3
  real(kind=c_double), dimension(4 * 7), target :: flat2
  real(kind=c_double), dimension(3 * 4 * 5), target :: flat3
  integer :: i, j, k, result
  type(client_type) :: client

  call start_test(test_name)
  mode = 'self'
  prefix = 'fortran_order' // unique_suffix()
  if (command_argument_count() >= 2) then
    call get_command_argument(1, mode)
    call get_command_argument(2, prefix_arg)
    prefix = trim(prefix_arg)
    call check(mode == 'put' .or. mode == 'check', 'usage: fortran_order [put|check PREFIX]')
  end if

  do j = 1, 7
    do i = 1, 4
      a2(i, j) = v(i - 1, j - 1, 0)
    end do
  end do
  do k = 1, 5
    do j = 1, 4
      do i = 1, 3
        a3(i, j, k) = v(i - 1, j - 1, k - 1)
        i3(i, j, k) = int(v(i - 1, j - 1, k - 1), c_int32_t)
      end do
    end do
  end do

  result = client%initialize(test_name)
  call ok(result, 'client%initialize')

  if (mode == 'put') then
    result = client%put_tensor(prefix // '_f2d', a2, shape(a2))
    call ok(result, 'put_tensor f2d')
    result = client%put_tensor(prefix // '_f3d', a3, shape(a3))
    call ok(result, 'put_tensor f3d')
    result = client%put_tensor(prefix // '_f3i', i3, shape(i3))
    call ok(result, 'put_tensor f3i')
  else if (mode == 'check') then
    b2 = -1
    b3 = -1
    result = client%unpack_tensor(prefix // '_p2d', b2, shape(b2))
    call ok(result, 'unpack_tensor p2d')
    call check(same(transfer(a2, [0_c_int8_t]), transfer(b2, [0_c_int8_t])), &
               'a 2-D tensor put by Python unpacks as b(i,j) = t[i-1,j-1]')
    result = client%unpack_tensor(prefix // '_p3d', b3, shape(b3))
    call ok(result, 'unpack_tensor p3d')
    call check(same(transfer(a3, [0_c_int8_t]), transfer(b3, [0_c_int8_t])), &
               'a 3-D tensor put by Python unpacks as b(i,j,k) = t[i-1,j-1,k-1]')
  else
    call self_check()
  end if

  result = client%destructor()
  call ok(result, 'client%destructor')
  write(*, '(a)') 'PASS ' // test_name // ' (' // trim(mode) // ')'

contains

pure real(kind=c_double) function v(i0, j0, k0)
  integer, intent(in) :: i0, j0, k0
  v = real(10000 * i0 + 100 * j0 + k0, c_double)
end function v

!> Fortran puts, the C API reads the row-major bytes; the C API puts row-major bytes, Fortran
!! unpacks.
subroutine self_check()
  integer(kind=c_size_t), dimension(3) :: dims
  integer :: at

  ! Fortran -> row-major
  result = client%put_tensor(prefix // '_f2d', a2, shape(a2))
  call ok(result, 'put_tensor 2-D')
  result = client%put_tensor(prefix // '_f3d', a3, shape(a3))
  call ok(result, 'put_tensor 3-D')
  dims(1) = size(flat2)
  result = c_unpack_tensor(client%get_c_pointer(), prefix // '_f2d', len(prefix // '_f2d', c_size_t), &
                           c_loc(flat2), dims, 1_c_size_t, tensor_dbl, c_contiguous)
  call ok(result, 'C unpack_tensor (Contiguous) of the 2-D tensor')
  do i = 1, 4
    do j = 1, 7
      at = (i - 1) * 7 + j
      call check(same(transfer(flat2(at), [0_c_int8_t]), transfer(v(i - 1, j - 1, 0), [0_c_int8_t])), &
                 'a(' // str(i) // ',' // str(j) // ') put from Fortran is not t[' // str(i - 1) // ',' // &
                 str(j - 1) // '] in row-major order')
    end do
  end do
  dims(1) = size(flat3)
  result = c_unpack_tensor(client%get_c_pointer(), prefix // '_f3d', len(prefix // '_f3d', c_size_t), &
                           c_loc(flat3), dims, 1_c_size_t, tensor_dbl, c_contiguous)
  call ok(result, 'C unpack_tensor (Contiguous) of the 3-D tensor')
  do i = 1, 3
    do j = 1, 4
      do k = 1, 5
        at = ((i - 1) * 4 + (j - 1)) * 5 + k
        call check(same(transfer(flat3(at), [0_c_int8_t]), transfer(v(i - 1, j - 1, k - 1), [0_c_int8_t])), &
                   'a(' // str(i) // ',' // str(j) // ',' // str(k) // ') put from Fortran is not t[' // &
                   str(i - 1) // ',' // str(j - 1) // ',' // str(k - 1) // '] in row-major order')
      end do
    end do
  end do

  ! row-major -> Fortran: the flat buffers above are t in row-major order
  dims(1:2) = [4_c_size_t, 7_c_size_t]
  result = c_put_tensor(client%get_c_pointer(), prefix // '_c2d', len(prefix // '_c2d', c_size_t), &
                        c_loc(flat2), dims, 2_c_size_t, tensor_dbl, c_contiguous)
  call ok(result, 'C put_tensor (Contiguous) 2-D')
  dims = [3_c_size_t, 4_c_size_t, 5_c_size_t]
  result = c_put_tensor(client%get_c_pointer(), prefix // '_c3d', len(prefix // '_c3d', c_size_t), &
                        c_loc(flat3), dims, 3_c_size_t, tensor_dbl, c_contiguous)
  call ok(result, 'C put_tensor (Contiguous) 3-D')
  b2 = -1
  b3 = -1
  result = client%unpack_tensor(prefix // '_c2d', b2, shape(b2))
  call ok(result, 'unpack_tensor of the row-major 2-D tensor')
  call check(same(transfer(a2, [0_c_int8_t]), transfer(b2, [0_c_int8_t])), &
             'a row-major 2-D tensor unpacks as b(i,j) = t[i-1,j-1]')
  result = client%unpack_tensor(prefix // '_c3d', b3, shape(b3))
  call ok(result, 'unpack_tensor of the row-major 3-D tensor')
  call check(same(transfer(a3, [0_c_int8_t]), transfer(b3, [0_c_int8_t])), &
             'a row-major 3-D tensor unpacks as b(i,j,k) = t[i-1,j-1,k-1]')

  result = client%delete_tensor(prefix // '_f2d')
  call ok(result, 'delete_tensor')
  result = client%delete_tensor(prefix // '_f3d')
  call ok(result, 'delete_tensor')
  result = client%delete_tensor(prefix // '_c2d')
  call ok(result, 'delete_tensor')
  result = client%delete_tensor(prefix // '_c3d')
  call ok(result, 'delete_tensor')
end subroutine self_check

end program fortran_order
