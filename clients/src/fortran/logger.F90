! Logging from Fortran (SmartRedis 0.6.1's smartredis_logger): log_data, log_warning and
! log_error write "<context>@<HH-MM-SS>:<data>" when `level` is at most the configured level
! (SR_LOG_LEVEL / HPCSIM_LOG_LEVEL) to SR_LOG_FILE / HPCSIM_LOG_FILE. Nothing is written unless
! logging was configured. The context is a client_type, dataset_type, logcontext_type or a
! character string.
module smartredis_logger

use iso_c_binding, only : c_ptr, c_char, c_size_t
use fortran_c_interop, only : enum_kind, hs_len
use smartredis_client, only : client_type
use smartredis_dataset, only : dataset_type
use smartredis_logcontext, only : logcontext_type

implicit none; private

interface
  subroutine c_log_data(context, level, data, data_length) bind(c, name="log_data_noexcept")
    import :: c_ptr, c_char, c_size_t, enum_kind
    type(c_ptr), value :: context
    integer(kind=enum_kind), value :: level
    character(kind=c_char), dimension(*), intent(in) :: data
    integer(kind=c_size_t), value :: data_length
  end subroutine c_log_data

  subroutine c_log_warning(context, level, data, data_length) bind(c, name="log_warning_noexcept")
    import :: c_ptr, c_char, c_size_t, enum_kind
    type(c_ptr), value :: context
    integer(kind=enum_kind), value :: level
    character(kind=c_char), dimension(*), intent(in) :: data
    integer(kind=c_size_t), value :: data_length
  end subroutine c_log_warning

  subroutine c_log_error(context, level, data, data_length) bind(c, name="log_error_noexcept")
    import :: c_ptr, c_char, c_size_t, enum_kind
    type(c_ptr), value :: context
    integer(kind=enum_kind), value :: level
    character(kind=c_char), dimension(*), intent(in) :: data
    integer(kind=c_size_t), value :: data_length
  end subroutine c_log_error

  subroutine c_log_data_string(context, context_length, level, data, data_length) &
      bind(c, name="log_data_noexcept_string")
    import :: c_char, c_size_t, enum_kind
    character(kind=c_char), dimension(*), intent(in) :: context
    integer(kind=c_size_t), value :: context_length
    integer(kind=enum_kind), value :: level
    character(kind=c_char), dimension(*), intent(in) :: data
    integer(kind=c_size_t), value :: data_length
  end subroutine c_log_data_string

  subroutine c_log_warning_string(context, context_length, level, data, data_length) &
      bind(c, name="log_warning_noexcept_string")
    import :: c_char, c_size_t, enum_kind
    character(kind=c_char), dimension(*), intent(in) :: context
    integer(kind=c_size_t), value :: context_length
    integer(kind=enum_kind), value :: level
    character(kind=c_char), dimension(*), intent(in) :: data
    integer(kind=c_size_t), value :: data_length
  end subroutine c_log_warning_string

  subroutine c_log_error_string(context, context_length, level, data, data_length) &
      bind(c, name="log_error_noexcept_string")
    import :: c_char, c_size_t, enum_kind
    character(kind=c_char), dimension(*), intent(in) :: context
    integer(kind=c_size_t), value :: context_length
    integer(kind=enum_kind), value :: level
    character(kind=c_char), dimension(*), intent(in) :: data
    integer(kind=c_size_t), value :: data_length
  end subroutine c_log_error_string
end interface

interface log_data
  module procedure log_data_client, log_data_dataset, log_data_logcontext, log_data_string
end interface log_data

interface log_warning
  module procedure log_warning_client, log_warning_dataset, log_warning_logcontext, log_warning_string
end interface log_warning

interface log_error
  module procedure log_error_client, log_error_dataset, log_error_logcontext, log_error_string
end interface log_error

public :: enum_kind
public :: log_data, log_warning, log_error

contains

subroutine log_data_client(context, level, data)
  type(client_type), intent(in) :: context
  integer(kind=enum_kind), intent(in) :: level
  character(len=*), intent(in) :: data
  call c_log_data(context%get_c_pointer(), level, data, hs_len(data))
end subroutine log_data_client

subroutine log_data_dataset(context, level, data)
  type(dataset_type), intent(in) :: context
  integer(kind=enum_kind), intent(in) :: level
  character(len=*), intent(in) :: data
  call c_log_data(context%get_c_pointer(), level, data, hs_len(data))
end subroutine log_data_dataset

subroutine log_data_logcontext(context, level, data)
  type(logcontext_type), intent(in) :: context
  integer(kind=enum_kind), intent(in) :: level
  character(len=*), intent(in) :: data
  call c_log_data(context%get_c_pointer(), level, data, hs_len(data))
end subroutine log_data_logcontext

subroutine log_data_string(context, level, data)
  character(len=*), intent(in) :: context
  integer(kind=enum_kind), intent(in) :: level
  character(len=*), intent(in) :: data
  call c_log_data_string(context, hs_len(context), level, data, hs_len(data))
end subroutine log_data_string

subroutine log_warning_client(context, level, data)
  type(client_type), intent(in) :: context
  integer(kind=enum_kind), intent(in) :: level
  character(len=*), intent(in) :: data
  call c_log_warning(context%get_c_pointer(), level, data, hs_len(data))
end subroutine log_warning_client

subroutine log_warning_dataset(context, level, data)
  type(dataset_type), intent(in) :: context
  integer(kind=enum_kind), intent(in) :: level
  character(len=*), intent(in) :: data
  call c_log_warning(context%get_c_pointer(), level, data, hs_len(data))
end subroutine log_warning_dataset

subroutine log_warning_logcontext(context, level, data)
  type(logcontext_type), intent(in) :: context
  integer(kind=enum_kind), intent(in) :: level
  character(len=*), intent(in) :: data
  call c_log_warning(context%get_c_pointer(), level, data, hs_len(data))
end subroutine log_warning_logcontext

subroutine log_warning_string(context, level, data)
  character(len=*), intent(in) :: context
  integer(kind=enum_kind), intent(in) :: level
  character(len=*), intent(in) :: data
  call c_log_warning_string(context, hs_len(context), level, data, hs_len(data))
end subroutine log_warning_string

subroutine log_error_client(context, level, data)
  type(client_type), intent(in) :: context
  integer(kind=enum_kind), intent(in) :: level
  character(len=*), intent(in) :: data
  call c_log_error(context%get_c_pointer(), level, data, hs_len(data))
end subroutine log_error_client

subroutine log_error_dataset(context, level, data)
  type(dataset_type), intent(in) :: context
  integer(kind=enum_kind), intent(in) :: level
  character(len=*), intent(in) :: data
  call c_log_error(context%get_c_pointer(), level, data, hs_len(data))
end subroutine log_error_dataset

subroutine log_error_logcontext(context, level, data)
  type(logcontext_type), intent(in) :: context
  integer(kind=enum_kind), intent(in) :: level
  character(len=*), intent(in) :: data
  call c_log_error(context%get_c_pointer(), level, data, hs_len(data))
end subroutine log_error_logcontext

subroutine log_error_string(context, level, data)
  character(len=*), intent(in) :: context
  integer(kind=enum_kind), intent(in) :: level
  character(len=*), intent(in) :: data
  call c_log_error_string(context, hs_len(context), level, data, hs_len(data))
end subroutine log_error_string

end module smartredis_logger
