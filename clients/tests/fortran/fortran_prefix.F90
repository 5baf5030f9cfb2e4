! Key prefixing from Fortran, and configoptions_type.
!
! Usage: fortran_prefix               prefixes set through ConfigOptions overrides (ctest):
!                                     SSKEYOUT=<p> puts 'x' as '<p>.x'; SSKEYIN=<p> with
!                                     set_data_source(<p>) reads it back; the switches
!                                     use_tensor/dataset/list_ensemble_prefix turn them off
!        fortran_prefix put NAME      (SSKEYOUT or HPCSIM_KEYOUT set by the caller) put tensor NAME,
!                                     real(c_double) [1,2,3], and a dataset NAME_ds
!        fortran_prefix get NAME SRC  (SSKEYIN or HPCSIM_KEYIN set) set_data_source(SRC) and
!                                     check tensor NAME is [4,5,6] and dataset NAME_ds exists
#include "fortran_test_util.inc"

program fortran_prefix

  use iso_c_binding
  use hpcsim_client
  use fortran_test_util

  implicit none

  character(len=*), parameter :: test_name = 'fortran_prefix'
  character(len=16) :: mode
  character(len=256) :: name_arg, source_arg
  character(len=:), allocatable :: suffix, producer, name, text
  real(kind=c_double), dimension(3) :: values, back
  integer(kind=c_int64_t) :: number
  integer :: result
  logical :: exists, configured
  type(client_type) :: client, consumer
  type(configoptions_type) :: producer_options, consumer_options
  type(dataset_type) :: dataset

  call start_test(test_name)
  mode = 'self'
  if (command_argument_count() >= 1) call get_command_argument(1, mode)

  if (mode == 'put') then
    call get_command_argument(2, name_arg)
    name = trim(name_arg)
    values = [1.0_c_double, 2.0_c_double, 3.0_c_double]
    result = client%initialize(test_name)
    call ok(result, 'client%initialize')
    result = client%put_tensor(name, values, shape(values))
    call ok(result, 'put_tensor')
    result = dataset%initialize(name // '_ds')
    call ok(result, 'dataset%initialize')
    result = dataset%add_tensor('values', values, shape(values))
    call ok(result, 'add_tensor')
    result = client%put_dataset(dataset)
    call ok(result, 'put_dataset')
  else if (mode == 'get') then
    call get_command_argument(2, name_arg)
    call get_command_argument(3, source_arg)
    name = trim(name_arg)
    result = client%initialize(test_name)
    call ok(result, 'client%initialize')
    result = client%set_data_source(trim(source_arg))
    call ok(result, 'set_data_source')
    back = 0
    result = client%unpack_tensor(name, back, shape(back))
    call ok(result, 'unpack_tensor')
    call check(same(transfer(back, [0_c_int8_t]), transfer([4.0_c_double, 5.0_c_double, 6.0_c_double], &
               [0_c_int8_t])), 'the tensor of the data source is [4,5,6]')
    result = client%dataset_exists(name // '_ds', exists)
    call ok(result, 'dataset_exists')
    call check(exists, 'the dataset of the data source exists')
  else
    call self_check()
  end if

  result = client%destructor()
  call ok(result, 'client%destructor')
  write(*, '(a)') 'PASS ' // test_name // ' (' // trim(mode) // ')'

contains

subroutine self_check()
  suffix = unique_suffix()
  producer = 'fproducer' // suffix
  values = [7.0_c_double, 8.0_c_double, 9.0_c_double]

  ! ConfigOptions: the environment plus overrides
  result = producer_options%create_configoptions_from_environment('')
  call ok(result, 'create_configoptions_from_environment')
  result = producer_options%override_string_option('SSKEYOUT', producer)
  call ok(result, 'override_string_option SSKEYOUT')
  result = producer_options%get_string_option('SSKEYOUT', text)
  call ok(result, 'get_string_option SSKEYOUT')
  call check(text == producer, 'get_string_option returns the override')
  result = producer_options%override_integer_option('SR_CMD_TIMEOUT', 50_c_int64_t)
  call ok(result, 'override_integer_option')
  number = 0
  result = producer_options%get_integer_option('SR_CMD_TIMEOUT', number)
  call ok(result, 'get_integer_option')
  call check(number == 50, 'get_integer_option returns the override')
  configured = .false.
  result = producer_options%is_configured('SSKEYOUT', configured)
  call ok(result, 'is_configured')
  call check(configured, 'SSKEYOUT is configured')
  result = producer_options%get_string_option('HPCSIM_TEST_NOT_SET' // suffix, text)
  call expect_error(result, SRKeyError, 'get_string_option of an unset option', 'HPCSIM_TEST_NOT_SET')

  ! the producer writes <producer>.x; the raw key shows the prefix
  result = client%initialize(producer_options, 'fortran_producer')
  call ok(result, 'client%initialize(cfgopts)')
  result = client%put_tensor('x', values, shape(values))
  call ok(result, 'put_tensor with SSKEYOUT')
  result = client%key_exists(producer // '.x', exists)
  call ok(result, 'key_exists')
  call check(exists, 'SSKEYOUT puts x as ' // producer // '.x')
  result = client%use_tensor_ensemble_prefix(.false.)
  call ok(result, 'use_tensor_ensemble_prefix(.false.)')
  result = client%put_tensor('raw' // suffix, values, shape(values))
  call ok(result, 'put_tensor without the prefix')
  result = client%key_exists('raw' // suffix, exists)
  call ok(result, 'key_exists raw')
  call check(exists, 'use_tensor_ensemble_prefix(.false.) puts the bare name')
  result = client%delete_tensor('raw' // suffix)
  call ok(result, 'delete_tensor raw')
  result = client%use_tensor_ensemble_prefix(.true.)
  call ok(result, 'use_tensor_ensemble_prefix(.true.)')

  ! a consumer reads it through SSKEYIN and set_data_source
  result = consumer_options%create_configoptions_from_environment('')
  call ok(result, 'create_configoptions_from_environment (consumer)')
  result = consumer_options%override_string_option('SSKEYIN', 'someone_else,' // producer)
  call ok(result, 'override_string_option SSKEYIN')
  result = consumer%initialize(consumer_options, 'fortran_consumer')
  call ok(result, 'consumer%initialize(cfgopts)')
  result = consumer%set_data_source(producer)
  call ok(result, 'set_data_source')
  back = 0
  result = consumer%unpack_tensor('x', back, shape(back))
  call ok(result, 'unpack_tensor through SSKEYIN')
  call check(same(transfer(back, [0_c_int8_t]), transfer(values, [0_c_int8_t])), &
             'the consumer reads the producer''s x')
  result = consumer%set_data_source('not_a_source' // suffix)
  call expect_error(result, SRRuntimeError, 'set_data_source of a source not in SSKEYIN', &
                    'not_a_source' // suffix)

  ! reads and deletes use the get prefix: the producer (no SSKEYIN) deletes the bare 'x', the
  ! consumer deletes <producer>.x
  result = client%delete_tensor('x')
  call ok(result, 'producer delete_tensor x')
  result = client%key_exists(producer // '.x', exists)
  call ok(result, 'key_exists after the producer''s delete')
  call check(exists, 'the producer''s delete_tensor(x) leaves ' // producer // '.x')
  result = consumer%delete_tensor('x')
  call ok(result, 'consumer delete_tensor x')
  result = client%key_exists(producer // '.x', exists)
  call ok(result, 'key_exists after delete')
  call check(.not. exists, 'delete_tensor removes the prefixed key')
  result = consumer%destructor()
  call ok(result, 'consumer%destructor')
  ! a client keeps its own copy of the settings
  result = producer_options%destructor()
  call ok(result, 'producer_options%destructor')
  result = consumer_options%destructor()
  call ok(result, 'consumer_options%destructor')
  result = client%put_tensor('after_free' // suffix, values, shape(values))
  call ok(result, 'put_tensor after the ConfigOptions was freed')
  result = client%key_exists(producer // '.after_free' // suffix, exists)
  call ok(result, 'key_exists after the ConfigOptions was freed')
  call check(exists, 'the client still uses SSKEYOUT after its ConfigOptions was freed')
  result = client%use_tensor_ensemble_prefix(.false.)
  call ok(result, 'use_tensor_ensemble_prefix(.false.)')
  result = client%delete_tensor(producer // '.after_free' // suffix)
  call ok(result, 'delete_tensor')
end subroutine self_check

end program fortran_prefix
