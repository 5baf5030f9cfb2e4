! Logging from Fortran (smartredis_logger, logcontext_type): log_data, log_warning and
! log_error against a client, a dataset, a log context and a string, at LLInfo and LLDebug.
! Which lines are written depends on SR_LOG_LEVEL / SR_LOG_FILE (HPCSIM_LOG_*), which the
! caller sets (tests/native/test_fortran.py reads the file); without them nothing is written.
! Each message is "<level> <kind> fortran_logging" so that the caller can find it.
#include "fortran_test_util.inc"

program fortran_logging

  use iso_c_binding
  use hpcsim_client
  use fortran_test_util

  implicit none

  character(len=*), parameter :: test_name = 'fortran_logging'
  integer :: result
  type(client_type) :: client
  type(dataset_type) :: dataset
  type(logcontext_type) :: context

  call start_test(test_name)
  result = client%initialize('fortran_logging_client')
  call ok(result, 'client%initialize')
  result = dataset%initialize('fortran_logging_dataset')
  call ok(result, 'dataset%initialize')
  result = context%initialize('fortran_logging_context')
  call ok(result, 'logcontext%initialize')

  call log_data(client, LLInfo, 'info data client fortran_logging   ')
  call log_warning(dataset, LLInfo, 'info warning dataset fortran_logging')
  call log_error(context, LLInfo, 'info error context fortran_logging')
  call log_data('fortran_logging_string', LLInfo, 'info data string fortran_logging')
  call log_data(client, LLDebug, 'debug data client fortran_logging')
  call log_warning(context, LLDebug, 'debug warning context fortran_logging')
  call log_error('fortran_logging_string', LLDebug, 'debug error string fortran_logging')

  result = context%destructor()
  call ok(result, 'logcontext%destructor')
  result = client%destructor()
  call ok(result, 'client%destructor')
  write(*, '(a)') 'PASS ' // test_name

end program fortran_logging
