! Models and scripts from Fortran in the style of SmartRedis's examples/parallel/fortran/
! smartredis_mnist: set_model_from_file with the optional arguments omitted,
! set_script_from_file, run_script and run_model with character(len=255) key arrays, then
! get_model/get_script, set_model/set_script from memory, existence, polling and deletion.
!
! It needs a database with hpcsim's inference worker and two files, named by
! HPCSIM_TEST_FORTRAN_MODEL (TorchScript: forward(x) = x.sum(dim=1) + 1) and
! HPCSIM_TEST_FORTRAN_SCRIPT (TorchScript source defining pre_process(x) = x * 2);
! without them it skips (exit 77).
#include "fortran_test_util.inc"

program fortran_model

  use iso_c_binding
  use smartredis_client, only : client_type, enum_kind
  use fortran_test_util

  implicit none

#include "enum_fortran.inc"

  character(len=*), parameter :: test_name = 'fortran_model'
  character(len=:), allocatable :: model_file, script_file, suffix, model_bytes, script_text
  character(len=:), allocatable :: model_key, model2_key, script_key, script2_key
  character(len=255) :: in_key, script_out_key, out_key
  character(len=255), dimension(1) :: inputs, outputs
  character(len=1), dimension(1) :: no_names
  character(len=:), allocatable :: fetched
  real, dimension(3, 4) :: array
  real, dimension(3) :: output_result, expected
  integer :: i, j, result
  logical :: exists
  type(client_type) :: client

  call start_test(test_name)
  model_file = env('HPCSIM_TEST_FORTRAN_MODEL')
  script_file = env('HPCSIM_TEST_FORTRAN_SCRIPT')
  if (len(model_file) == 0 .or. len(script_file) == 0) then
    write(*, '(a)') 'SKIP ' // test_name // ': HPCSIM_TEST_FORTRAN_MODEL/SCRIPT are not set'
    stop 77
  end if
  suffix = unique_suffix()
  model_key = 'fortran_model' // suffix
  model2_key = 'fortran_model2' // suffix
  script_key = 'fortran_script' // suffix
  script2_key = 'fortran_script2' // suffix

  result = client%initialize("fortran_model")
  call ok(result, 'client%initialize')

  result = client%set_model_from_file(model_key, model_file, "TORCH", "CPU")
  call ok(result, 'client%set_model_from_file')
  result = client%set_script_from_file(script_key, "CPU", script_file)
  call ok(result, 'client%set_script_from_file')
  result = client%model_exists(model_key, exists)
  call ok(result, 'model_exists')
  call check(exists, 'model_exists after set_model_from_file')
  result = client%poll_model(script_key, 10, 5, exists)
  call ok(result, 'poll_model')
  call check(exists, 'poll_model finds the script')

  do j = 1, 4
    do i = 1, 3
      array(i, j) = real(10 * i + j)
    end do
  end do
  do i = 1, 3
    expected(i) = 2.0 * sum(array(i, :)) + 1.0
  end do
  in_key = "fortran_model_input" // suffix
  script_out_key = "fortran_model_processed" // suffix
  out_key = "fortran_model_output" // suffix
  result = client%put_tensor(in_key, array, shape(array))
  call ok(result, 'client%put_tensor')

  inputs(1) = in_key
  outputs(1) = script_out_key
  result = client%run_script(script_key, "pre_process", inputs, outputs)
  call ok(result, 'client%run_script')
  inputs(1) = script_out_key
  outputs(1) = out_key
  result = client%run_model(model_key, inputs, outputs)
  call ok(result, 'client%run_model')
  output_result(:) = 0.
  result = client%unpack_tensor(out_key, output_result, shape(output_result))
  call ok(result, 'client%unpack_tensor')
  ! x.sum(dim=1) over numpy's axis 1 is the sum over Fortran's second index
  call check(same(transfer(output_result, [0_c_int8_t]), transfer(expected, [0_c_int8_t])), &
             'run_script + run_model give 2*sum(a(i,:)) + 1')

  ! the stored bytes and source, and the same computation from memory
  model_bytes = read_file(model_file)
  script_text = read_file(script_file)
  allocate(character(len=len(model_bytes) + 100) :: fetched)
  result = client%get_model(model_key, fetched)
  call ok(result, 'client%get_model')
  call check(fetched(1:len(model_bytes)) == model_bytes, 'get_model returns the file''s bytes')
  call check(len_trim(fetched(len(model_bytes) + 1:)) == 0, 'get_model pads with blanks')
  deallocate(fetched)
  allocate(character(len=len(script_text) + 10) :: fetched)
  result = client%get_script(script_key, fetched)
  call ok(result, 'client%get_script')
  call check(trim(fetched) == trim(script_text), 'get_script returns the file''s source')

  no_names = ''
  result = client%set_model(model2_key, model_bytes, "TORCH", "CPU", 0, 0, 0, "", no_names, no_names)
  call ok(result, 'client%set_model')
  result = client%set_script(script2_key, "CPU", script_text)
  call ok(result, 'client%set_script')
  inputs(1) = in_key
  outputs(1) = script_out_key
  result = client%run_script(script2_key, "pre_process", inputs, outputs)
  call ok(result, 'client%run_script (set_script)')
  inputs(1) = script_out_key
  outputs(1) = out_key
  result = client%run_model(model2_key, inputs, outputs)
  call ok(result, 'client%run_model (set_model)')
  output_result(:) = 0.
  result = client%unpack_tensor(out_key, output_result, shape(output_result))
  call ok(result, 'client%unpack_tensor (set_model)')
  call check(same(transfer(output_result, [0_c_int8_t]), transfer(expected, [0_c_int8_t])), &
             'set_script + set_model give the same result')

  result = client%delete_model(model_key)
  call ok(result, 'delete_model')
  result = client%delete_model(model2_key)
  call ok(result, 'delete_model')
  result = client%delete_script(script_key)
  call ok(result, 'delete_script')
  result = client%delete_script(script2_key)
  call ok(result, 'delete_script')
  result = client%model_exists(model_key, exists)
  call ok(result, 'model_exists after delete_model')
  call check(.not. exists, 'delete_model removes the model')
  result = client%run_model(model_key, inputs, outputs)
  call check(result /= SRNoError, 'run_model of a deleted model fails')
  call expect_error(result, result, 'run_model of a deleted model', model_key)

  result = client%destructor()
  call ok(result, 'client%destructor')
  write(*, '(a)') 'PASS ' // test_name

contains

!> The bytes of file `path`.
function read_file(path) result(bytes)
  character(len=*), intent(in) :: path
  character(len=:), allocatable :: bytes
  integer :: unit, size_of_file, status
  open(newunit=unit, file=path, access='stream', form='unformatted', status='old', action='read', &
       iostat=status)
  call check(status == 0, 'cannot open ' // path)
  inquire(unit=unit, size=size_of_file)
  allocate(character(len=size_of_file) :: bytes)
  read(unit, iostat=status) bytes
  call check(status == 0, 'cannot read ' // path)
  close(unit)
end function read_file

end program fortran_model
