! Datasets from Fortran in the style of SmartRedis's examples/serial/fortran/smartredis_dataset:
! a real(c_float) 10x20x30 tensor and 10 add_meta_scalar calls on a blank-padded character(16)
! field name, read back with get_meta_scalars as a pointer; then put_dataset/get_dataset, the
! other metadata kinds and strings, tensor types and dims, and aggregation lists.
#include "fortran_test_util.inc"

program fortran_dataset

  use iso_c_binding
  use smartredis_dataset, only : dataset_type
  use smartredis_client, only : client_type, enum_kind
  use fortran_test_util

  implicit none

#include "enum_fortran.inc"

  character(len=*), parameter :: test_name = 'fortran_dataset'
  integer, parameter :: dim1 = 10
  integer, parameter :: dim2 = 20
  integer, parameter :: dim3 = 30

  real(kind=c_float), dimension(dim1, dim2, dim3) :: recv_array_real_32
  real(kind=c_float), dimension(dim1, dim2, dim3) :: true_array_real_32
  integer(kind=c_int64_t), dimension(3, 2) :: ints, ints_back

  character(len=16) :: meta_float = 'meta_float'

  real(kind=c_float), dimension(dim1) :: meta_flt_vec
  real(kind=c_float), dimension(:), pointer :: meta_flt_recv
  real(kind=c_double), dimension(:), pointer :: meta_dbl_recv
  integer(kind=c_int32_t), dimension(:), pointer :: meta_i32_recv
  integer(kind=c_int64_t), dimension(:), pointer :: meta_i64_recv
  character(len=32), dimension(:), allocatable :: strings, names

  integer :: i, result, dims_length, list_length
  integer, dimension(5) :: dims
  integer(kind=enum_kind) :: kind_code
  logical :: exists, reached
  character(len=:), allocatable :: suffix, name, list
  type(dataset_type) :: dataset, fetched, member, copy
  type(dataset_type), dimension(:), allocatable :: members
  type(client_type) :: client

  call start_test(test_name)
  suffix = unique_suffix()
  name = 'example_fortran_dataset' // suffix
  list = 'fortran_list' // suffix

  call random_number(true_array_real_32)

  result = dataset%initialize(name)
  call ok(result, 'dataset%initialize')

  result = dataset%add_tensor("true_array_real_32", true_array_real_32, shape(true_array_real_32))
  call ok(result, 'dataset%add_tensor')
  result = dataset%unpack_dataset_tensor("true_array_real_32", recv_array_real_32, shape(recv_array_real_32))
  call ok(result, 'dataset%unpack_dataset_tensor')
  call check(same(transfer(true_array_real_32, [0_c_int8_t]), &
                 transfer(recv_array_real_32, [0_c_int8_t])), &
                 'dataset tensor round trip (local)')

  call random_number(meta_flt_vec)
  do i = 1, dim1
    result = dataset%add_meta_scalar(meta_float, meta_flt_vec(i))
    call ok(result, 'dataset%add_meta_scalar')
  end do
  result = dataset%get_meta_scalars(meta_float, meta_flt_recv)
  call ok(result, 'dataset%get_meta_scalars')
  call check(size(meta_flt_recv) == dim1, 'get_meta_scalars returns 10 values')
  call check(same(transfer(meta_flt_recv, [0_c_int8_t]), &
                 transfer(meta_flt_vec, [0_c_int8_t])), &
                 'meta scalars (local)')

  ! the other scalar kinds and strings
  result = dataset%add_meta_scalar('meta_dbl', 1.5_c_double)
  call ok(result, 'add_meta_scalar real(c_double)')
  result = dataset%add_meta_scalar('meta_i32', 42_c_int32_t)
  call ok(result, 'add_meta_scalar integer(c_int32_t)')
  result = dataset%add_meta_scalar('meta_i32', -7_c_int32_t)
  call ok(result, 'add_meta_scalar integer(c_int32_t) again')
  result = dataset%add_meta_scalar('meta_i64', huge(0_c_int64_t))
  call ok(result, 'add_meta_scalar integer(c_int64_t)')
  result = dataset%add_meta_string('meta_str', 'first   ')
  call ok(result, 'add_meta_string')
  result = dataset%add_meta_string('meta_str', 'second string')
  call ok(result, 'add_meta_string again')
  ints = reshape([1_c_int64_t, 2_c_int64_t, 3_c_int64_t, 4_c_int64_t, 5_c_int64_t, 6_c_int64_t], [3, 2])
  result = dataset%add_tensor('ints', ints, shape(ints))
  call ok(result, 'add_tensor integer(c_int64_t)')

  result = dataset%get_metadata_field_type(meta_float, kind_code)
  call ok(result, 'get_metadata_field_type')
  call check(kind_code == meta_flt, 'meta_float is meta_flt')
  result = dataset%get_metadata_field_type('meta_str', kind_code)
  call ok(result, 'get_metadata_field_type of a string field')
  call check(kind_code == meta_string, 'meta_str is meta_string')
  result = dataset%get_tensor_type('true_array_real_32', kind_code)
  call ok(result, 'get_tensor_type')
  call check(kind_code == tensor_flt, 'true_array_real_32 is tensor_flt')
  dims = 0
  dims_length = size(dims)
  result = dataset%get_tensor_dims('true_array_real_32', dims, dims_length)
  call ok(result, 'get_tensor_dims')
  call check(dims_length == 3, 'get_tensor_dims rank')
  call check(all(dims(1:3) == [dim1, dim2, dim3]), 'get_tensor_dims gives shape(a), not reversed')

  ! store it and read it back
  result = client%initialize("fortran_dataset")
  call ok(result, 'client%initialize')
  result = client%put_dataset(dataset)
  call ok(result, 'client%put_dataset')
  result = client%dataset_exists(name, exists)
  call ok(result, 'client%dataset_exists')
  call check(exists, 'dataset_exists after put_dataset')
  result = client%poll_dataset(name, 10, 3, exists)
  call ok(result, 'client%poll_dataset')
  call check(exists, 'poll_dataset after put_dataset')

  result = client%get_dataset(name, fetched)
  call ok(result, 'client%get_dataset')
  recv_array_real_32 = 0
  result = fetched%unpack_dataset_tensor("true_array_real_32", recv_array_real_32, shape(recv_array_real_32))
  call ok(result, 'unpack_dataset_tensor of the fetched dataset')
  call check(same(transfer(true_array_real_32, [0_c_int8_t]), &
                 transfer(recv_array_real_32, [0_c_int8_t])), &
                 'dataset tensor round trip (database)')
  ints_back = 0
  result = fetched%unpack_dataset_tensor('ints', ints_back, shape(ints_back))
  call ok(result, 'unpack_dataset_tensor ints')
  call check(all(ints_back == ints), 'integer(c_int64_t) dataset tensor round trip')
  result = fetched%get_meta_scalars(meta_float, meta_flt_recv)
  call ok(result, 'get_meta_scalars of the fetched dataset')
  call check(size(meta_flt_recv) == dim1, 'fetched meta_float has 10 values')
  call check(same(transfer(meta_flt_recv, [0_c_int8_t]), &
                 transfer(meta_flt_vec, [0_c_int8_t])), &
                 'meta scalars (database)')
  result = fetched%get_meta_scalars('meta_dbl', meta_dbl_recv)
  call ok(result, 'get_meta_scalars real(c_double)')
  call check(size(meta_dbl_recv) == 1, 'meta_dbl has 1 value')
  call check(abs(meta_dbl_recv(1) - 1.5_c_double) < tiny(1.0_c_double), 'meta_dbl value')
  result = fetched%get_meta_scalars('meta_i32', meta_i32_recv)
  call ok(result, 'get_meta_scalars integer(c_int32_t)')
  call check(size(meta_i32_recv) == 2, 'meta_i32 has 2 values')
  call check(meta_i32_recv(1) == 42 .and. meta_i32_recv(2) == -7, 'meta_i32 values')
  result = fetched%get_meta_scalars('meta_i64', meta_i64_recv)
  call ok(result, 'get_meta_scalars integer(c_int64_t)')
  call check(meta_i64_recv(1) == huge(0_c_int64_t), 'meta_i64 value')
  result = fetched%get_meta_strings('meta_str', strings)
  call ok(result, 'get_meta_strings')
  call check(size(strings) == 2, 'two meta strings')
  call check(strings(1) == 'first' .and. strings(2) == 'second string', 'meta string values (len_trim-ed)')
  result = fetched%get_tensor_names(names)
  call ok(result, 'get_tensor_names')
  call check(size(names) == 2, 'two tensor names')
  call check(names(1) == 'true_array_real_32' .and. names(2) == 'ints', 'tensor names in order')
  call check(len(fetched%to_string()) > 0, 'dataset to_string')

  ! assignment gives an independent copy (each is freed once, by its own finalizer)
  copy = fetched
  result = fetched%destructor()
  call check(result == SRNoError, 'fetched%destructor')
  ints_back = 0
  result = copy%unpack_dataset_tensor('ints', ints_back, shape(ints_back))
  call ok(result, 'unpack_dataset_tensor of an assigned copy')
  call check(all(ints_back == ints), 'the copy outlives the original')

  ! copy, rename, delete
  result = client%copy_dataset(name, name // '_copy')
  call ok(result, 'copy_dataset')
  result = client%rename_dataset(name // '_copy', name // '_moved')
  call ok(result, 'rename_dataset')
  result = client%dataset_exists(name // '_moved', exists)
  call ok(result, 'dataset_exists after rename')
  call check(exists, 'renamed dataset exists')
  result = client%delete_dataset(name // '_moved')
  call ok(result, 'delete_dataset')
  result = client%dataset_exists(name // '_moved', exists)
  call ok(result, 'dataset_exists after delete')
  call check(.not. exists, 'deleted dataset is gone')

  ! aggregation lists: entries refer to datasets already put
  do i = 1, 3
    result = member%initialize(list // '_member' // str(i))
    call ok(result, 'member%initialize')
    result = member%add_tensor("true_array_real_32", true_array_real_32, shape(true_array_real_32))
    call ok(result, 'member%add_tensor')
    result = member%add_meta_scalar('index', int(i, c_int32_t))
    call ok(result, 'member%add_meta_scalar')
    result = client%put_dataset(member)
    call ok(result, 'put_dataset of a list member')
    result = client%append_to_list(list, member)
    call ok(result, 'append_to_list')
  end do
  result = client%get_list_length(list, list_length)
  call ok(result, 'get_list_length')
  call check(list_length == 3, 'list length 3')
  result = client%poll_list_length(list, 3, 10, 3, reached)
  call ok(result, 'poll_list_length')
  call check(reached, 'poll_list_length reaches 3')
  result = client%poll_list_length_gte(list, 2, 10, 3, reached)
  call ok(result, 'poll_list_length_gte')
  call check(reached, 'poll_list_length_gte 2')
  result = client%poll_list_length_lte(list, 2, 10, 2, reached)
  call ok(result, 'poll_list_length_lte')
  call check(.not. reached, 'poll_list_length_lte 2 is false')

  result = client%get_datasets_from_list(list, members, list_length)
  call ok(result, 'get_datasets_from_list')
  call check(list_length == 3 .and. size(members) == 3, 'get_datasets_from_list returns 3')
  do i = 1, 3
    result = members(i)%get_meta_scalars('index', meta_i32_recv)
    call ok(result, 'get_meta_scalars index of a list member')
    call check(size(meta_i32_recv) == 1, 'list member ' // str(i) // ' has one index value')
    call check(meta_i32_recv(1) == i, 'list member ' // str(i) // ' is in position ' // str(i))
    recv_array_real_32 = 0
    result = members(i)%unpack_dataset_tensor("true_array_real_32", recv_array_real_32, &
                                              shape(recv_array_real_32))
    call ok(result, 'unpack_dataset_tensor of a list member')
    call check(same(transfer(true_array_real_32, [0_c_int8_t]), &
                 transfer(recv_array_real_32, [0_c_int8_t])), &
                 'list member tensor')
  end do
  deallocate(members)

  result = client%get_datasets_from_list_range(list, 1, -1, members)
  call ok(result, 'get_datasets_from_list_range')
  call check(size(members) == 2, 'range 1..-1 returns 2')
  result = members(1)%get_meta_scalars('index', meta_i32_recv)
  call ok(result, 'get_meta_scalars of the range')
  call check(meta_i32_recv(1) == 2, 'range starts at the second member')

  result = client%copy_list(list, list // '_copy')
  call ok(result, 'copy_list')
  result = client%rename_list(list // '_copy', list // '_moved')
  call ok(result, 'rename_list')
  result = client%get_list_length(list // '_moved', list_length)
  call ok(result, 'get_list_length of the moved copy')
  call check(list_length == 3, 'moved copy has 3 members')
  result = client%delete_list(list // '_moved')
  call ok(result, 'delete_list')
  result = client%delete_list(list)
  call ok(result, 'delete_list')
  result = client%get_list_length(list, list_length)
  call ok(result, 'get_list_length of a deleted list')
  call check(list_length == 0, 'deleted list has length 0')

  result = dataset%destructor()
  call check(result == SRNoError, 'dataset%destructor')
  result = client%destructor()
  call ok(result, 'client%destructor')
  write(*, '(a)') 'PASS ' // test_name

end program fortran_dataset
