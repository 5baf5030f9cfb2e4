! Bad inputs from Fortran: every failure returns an error code, and get_last_error() names the
! key, field or argument. Nothing is printed by the library and the program keeps running.
!
! Usage: fortran_errors                          the checks below (ctest)
!        fortran_errors init_fails CODE TEXT     client%initialize must return CODE with TEXT in
!                                                the message (wrong password, no server ...)
#include "fortran_test_util.inc"

program fortran_errors

  use iso_c_binding
  use hpcsim_client
  use fortran_test_util

  implicit none

  character(len=*), parameter :: test_name = 'fortran_errors'
  character(len=16) :: mode
  character(len=256) :: arg
  character(len=:), allocatable :: suffix, key, text
  real(kind=c_double), dimension(10) :: ten
  real(kind=c_double), dimension(20) :: twenty
  integer(kind=c_int32_t), dimension(10) :: ten_ints
  real(kind=c_float), dimension(:), pointer :: floats
  real(kind=c_double), dimension(:), pointer :: doubles
  integer, dimension(2) :: dims
  integer :: result, dims_length, expected, length
  integer(kind=enum_kind) :: kind_code
  logical :: exists
  character(len=8) :: short_model
  type(client_type) :: client, never_initialized
  type(dataset_type) :: dataset, never_created, fetched

  mode = 'checks'
  if (command_argument_count() >= 1) call get_command_argument(1, mode)
  if (mode == 'init_fails') then
    call init_fails()
    stop
  end if

  call start_test(test_name)
  suffix = unique_suffix()
  key = 'errors' // suffix
  ten = 1
  twenty = 2

  ! a client that was never initialized
  result = never_initialized%put_tensor(key, ten, shape(ten))
  call expect_error(result, SRParameterError, 'put_tensor on an uninitialized client', 'NULL')
  call check(.not. never_initialized%isinitialized(), 'isinitialized of a fresh client_type')

  result = client%initialize(test_name)
  call ok(result, 'client%initialize')

  ! dims that do not describe the array
  result = client%put_tensor(key, ten, [3, 3])
  call expect_error(result, SRParameterError, 'put_tensor with dims [3,3] for 10 elements', key, &
                    '10 elements but dims describe 9')
  result = client%put_tensor(key, ten, [-10])
  call expect_error(result, SRParameterError, 'put_tensor with a negative dim', key, 'negative')
  result = client%put_tensor(key, ten, shape(ten))
  call ok(result, 'put_tensor')
  result = client%unpack_tensor(key, twenty, [5, 5])
  call expect_error(result, SRParameterError, 'unpack_tensor with dims [5,5] for 20 elements', key, &
                    '20 elements but dims describe 25')

  ! the stored tensor does not match the array
  result = client%unpack_tensor(key, twenty, shape(twenty))
  call expect_error(result, SRRuntimeError, 'unpack_tensor of 10 elements into 20', key, '[20]')
  result = client%unpack_tensor(key, ten_ints, shape(ten_ints))
  call expect_error(result, SRRuntimeError, 'unpack_tensor with the wrong type', key, 'int32')

  ! missing keys
  result = client%unpack_tensor('missing' // suffix, ten, shape(ten))
  call expect_error(result, SRKeyError, 'unpack_tensor of a missing tensor', 'missing' // suffix)
  result = client%rename_tensor('missing' // suffix, 'other' // suffix)
  call expect_error(result, SRKeyError, 'rename_tensor of a missing tensor', 'missing' // suffix)
  result = client%copy_tensor('missing' // suffix, 'other' // suffix)
  call expect_error(result, SRKeyError, 'copy_tensor of a missing tensor', 'missing' // suffix)
  result = client%get_dataset('missing_ds' // suffix, fetched)
  call expect_error(result, SRKeyError, 'get_dataset of a missing dataset', 'missing_ds' // suffix)
  result = client%copy_dataset('missing_ds' // suffix, 'other_ds' // suffix)
  call expect_error(result, SRKeyError, 'copy_dataset of a missing dataset', 'missing_ds' // suffix)
  result = client%tensor_exists('missing' // suffix, exists)
  call ok(result, 'tensor_exists of a missing tensor')
  call check(.not. exists, 'tensor_exists of a missing tensor is false')
  result = client%get_list_length('missing_list' // suffix, length)
  call ok(result, 'get_list_length of a missing list')
  call check(length == 0, 'a missing list has length 0')

  ! datasets
  result = never_created%add_tensor('t', ten, shape(ten))
  call expect_error(result, SRParameterError, 'add_tensor on a dataset never initialized', 'NULL')
  result = dataset%initialize('errors_ds' // suffix)
  call ok(result, 'dataset%initialize')
  result = dataset%add_tensor('t', ten, [4, 2])
  call expect_error(result, SRParameterError, 'add_tensor with dims [4,2] for 10 elements', "'t'", &
                    '10 elements but dims describe 8')
  result = dataset%add_tensor('t', ten, shape(ten))
  call ok(result, 'add_tensor')
  result = dataset%unpack_dataset_tensor('absent', ten, shape(ten))
  call expect_error(result, SRKeyError, 'unpack_dataset_tensor of a missing tensor', 'absent')
  result = dataset%get_tensor_type('absent', kind_code)
  call expect_error(result, SRKeyError, 'get_tensor_type of a missing tensor', 'absent')
  result = dataset%add_meta_scalar('floats', 1.0_c_float)
  call ok(result, 'add_meta_scalar')
  result = dataset%get_meta_scalars('floats', doubles)
  call expect_error(result, SRTypeError, 'get_meta_scalars into a real(c_double) pointer', 'floats')
  call check(.not. associated(doubles), 'the pointer is nullified on error')
  result = dataset%get_meta_scalars('no_field', floats)
  call expect_error(result, SRKeyError, 'get_meta_scalars of a missing field', 'no_field')
  result = dataset%get_metadata_field_type('no_field', kind_code)
  call expect_error(result, SRKeyError, 'get_metadata_field_type of a missing field', 'no_field')
  result = dataset%add_meta_scalar('floats', 2.0_c_double)
  call expect_error(result, SRTypeError, 'add_meta_scalar of real(c_double) to a real(c_float) field', 'floats')

  ! get_tensor_dims: buffer too small, and a dims_length larger than dims
  result = dataset%add_tensor('cube', twenty(1:8), [2, 2, 2])
  call ok(result, 'add_tensor cube')
  dims_length = size(dims)
  result = dataset%get_tensor_dims('cube', dims, dims_length)
  call expect_error(result, SRBadAllocError, 'get_tensor_dims into 2 entries', 'cube')
  call check(dims_length == 3, 'get_tensor_dims reports the 3 entries needed')
  dims_length = 5
  result = dataset%get_tensor_dims('cube', dims, dims_length)
  call expect_error(result, SRParameterError, 'get_tensor_dims with dims_length > size(dims)', 'cube', &
                    'dims_length')

  ! a model that does not exist, and a buffer too small for one that does
  result = client%get_model('missing_model' // suffix, short_model)
  call expect_error(result, SRKeyError, 'get_model of a missing model', 'missing_model' // suffix)
  text = env('HPCSIM_TEST_FORTRAN_MODEL')
  if (len(text) > 0) then
    result = client%set_model_from_file('errors_model' // suffix, text, 'TORCH', 'CPU')
    call ok(result, 'set_model_from_file')
    result = client%get_model('errors_model' // suffix, short_model)
    call expect_error(result, SRBadAllocError, 'get_model into character(len=8)', 'errors_model' // suffix, &
                      'holds 8')
    result = client%delete_model('errors_model' // suffix)
    call ok(result, 'delete_model')
  end if

  result = client%delete_tensor(key)
  call ok(result, 'delete_tensor')
  result = client%destructor()
  call ok(result, 'client%destructor')
  write(*, '(a)') 'PASS ' // test_name

contains

!> client%initialize must fail with the code in argument 2 and a message containing argument 3.
subroutine init_fails()
  call start_test(test_name // ' init_fails', need_database=.false.)
  call check(command_argument_count() >= 3, 'usage: fortran_errors init_fails CODE TEXT')
  call get_command_argument(2, arg)
  read(arg, *) expected
  call get_command_argument(3, arg)
  result = client%initialize(test_name)
  call expect_error(result, expected, 'client%initialize', trim(arg))
  call check(.not. client%isinitialized(), 'isinitialized after a failed initialize')
  write(*, '(a)') 'PASS ' // test_name // ' init_fails'
end subroutine init_fails

end program fortran_errors
