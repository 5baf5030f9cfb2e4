! configoptions_type: SmartRedis 0.6.1's Fortran ConfigOptions over the hpcsim C API
! (c_configoptions.h). create_configoptions_from_environment(suffix) reads each option NAME
! from NAME_<suffix> (plain NAME for an empty suffix). A client copies the settings it is
! created with, so the configoptions_type may be freed (hpcsim's destructor(); SmartRedis has
! none) or reused afterwards.
module smartredis_configoptions

use iso_c_binding, only : c_ptr, c_bool, c_null_ptr, c_char, c_int64_t, c_size_t, c_associated
use fortran_c_interop, only : enum_kind, hs_len, hs_c_chars

implicit none; private

include 'enum_fortran.inc'

interface
  function create_configoptions_from_environment_c(db_suffix, db_suffix_length, new_configoptions) &
      bind(c, name="create_configoptions_from_environment")
    import :: c_ptr, c_char, c_size_t, enum_kind
    character(kind=c_char), dimension(*), intent(in) :: db_suffix
    integer(kind=c_size_t), value :: db_suffix_length
    type(c_ptr), intent(inout) :: new_configoptions
    integer(kind=enum_kind) :: create_configoptions_from_environment_c
  end function create_configoptions_from_environment_c

  function get_integer_option_c(cfgopts, option_name, option_name_length, result) &
      bind(c, name="get_integer_option")
    import :: c_ptr, c_char, c_size_t, c_int64_t, enum_kind
    type(c_ptr), value :: cfgopts
    character(kind=c_char), dimension(*), intent(in) :: option_name
    integer(kind=c_size_t), value :: option_name_length
    integer(kind=c_int64_t), intent(inout) :: result
    integer(kind=enum_kind) :: get_integer_option_c
  end function get_integer_option_c

  function get_string_option_c(cfgopts, option_name, option_name_length, result, result_length) &
      bind(c, name="get_string_option")
    import :: c_ptr, c_char, c_size_t, enum_kind
    type(c_ptr), value :: cfgopts
    character(kind=c_char), dimension(*), intent(in) :: option_name
    integer(kind=c_size_t), value :: option_name_length
    type(c_ptr), intent(out) :: result
    integer(kind=c_size_t), intent(out) :: result_length
    integer(kind=enum_kind) :: get_string_option_c
  end function get_string_option_c

  function is_configured_c(cfgopts, option_name, option_name_length, cfg_result) bind(c, name="is_configured")
    import :: c_ptr, c_char, c_size_t, c_bool, enum_kind
    type(c_ptr), value :: cfgopts
    character(kind=c_char), dimension(*), intent(in) :: option_name
    integer(kind=c_size_t), value :: option_name_length
    logical(kind=c_bool), intent(out) :: cfg_result
    integer(kind=enum_kind) :: is_configured_c
  end function is_configured_c

  function override_integer_option_c(cfgopts, option_name, option_name_length, value) &
      bind(c, name="override_integer_option")
    import :: c_ptr, c_char, c_size_t, c_int64_t, enum_kind
    type(c_ptr), value :: cfgopts
    character(kind=c_char), dimension(*), intent(in) :: option_name
    integer(kind=c_size_t), value :: option_name_length
    integer(kind=c_int64_t), value :: value
    integer(kind=enum_kind) :: override_integer_option_c
  end function override_integer_option_c

  function configoptions_free_c(cfgopts) bind(c, name="hpcsim_configoptions_free")
    import :: c_ptr, enum_kind
    type(c_ptr), intent(inout) :: cfgopts
    integer(kind=enum_kind) :: configoptions_free_c
  end function configoptions_free_c

  function override_string_option_c(cfgopts, option_name, option_name_length, value, value_length) &
      bind(c, name="override_string_option")
    import :: c_ptr, c_char, c_size_t, enum_kind
    type(c_ptr), value :: cfgopts
    character(kind=c_char), dimension(*), intent(in) :: option_name
    integer(kind=c_size_t), value :: option_name_length
    character(kind=c_char), dimension(*), intent(in) :: value
    integer(kind=c_size_t), value :: value_length
    integer(kind=enum_kind) :: override_string_option_c
  end function override_string_option_c
end interface

public :: enum_kind

!> Where a client's settings come from (the environment, with optional overrides).
type, public :: configoptions_type
  type(c_ptr) :: configoptions_ptr = c_null_ptr !< the C handle

contains

  procedure :: get_c_pointer
  procedure :: create_configoptions_from_environment
  procedure :: get_integer_option
  procedure :: get_string_option
  procedure :: is_configured
  procedure :: override_integer_option
  procedure :: override_string_option
  procedure :: destructor
end type configoptions_type

contains

function get_c_pointer(self)
  class(configoptions_type), intent(in) :: self
  type(c_ptr) :: get_c_pointer
  get_c_pointer = self%configoptions_ptr
end function get_c_pointer

!> Settings read from the environment with suffix `db_suffix` ('' for none).
function create_configoptions_from_environment(self, db_suffix) result(code)
  class(configoptions_type), intent(inout) :: self
  character(len=*), intent(in) :: db_suffix
  integer(kind=enum_kind) :: code

  code = create_configoptions_from_environment_c(db_suffix, hs_len(db_suffix), self%configoptions_ptr)
end function create_configoptions_from_environment

!> The integer value of `option_name` (unset: SRKeyError; not an integer: SRParameterError).
function get_integer_option(self, option_name, result) result(code)
  class(configoptions_type), intent(in) :: self
  character(len=*), intent(in) :: option_name
  integer(kind=c_int64_t), intent(inout) :: result
  integer(kind=enum_kind) :: code

  code = get_integer_option_c(self%configoptions_ptr, option_name, hs_len(option_name), result)
end function get_integer_option

!> The string value of `option_name` (unset: SRKeyError, and `result` is '').
function get_string_option(self, option_name, result) result(code)
  class(configoptions_type), intent(in) :: self
  character(len=*), intent(in) :: option_name
  character(len=:), allocatable, intent(out) :: result
  integer(kind=enum_kind) :: code

  type(c_ptr) :: c_result
  integer(kind=c_size_t) :: c_result_length

  c_result_length = 0
  code = get_string_option_c(self%configoptions_ptr, option_name, hs_len(option_name), c_result, c_result_length)
  if (code == SRNoError) then
    result = hs_c_chars(c_result, c_result_length)
  else
    result = ''
  end if
end function get_string_option

function is_configured(self, option_name, result) result(code)
  class(configoptions_type), intent(in) :: self
  character(len=*), intent(in) :: option_name
  logical, intent(inout) :: result
  integer(kind=enum_kind) :: code

  logical(kind=c_bool) :: c_result

  c_result = .false.
  code = is_configured_c(self%configoptions_ptr, option_name, hs_len(option_name), c_result)
  if (code == SRNoError) result = c_result
end function is_configured

function override_integer_option(self, option_name, value) result(code)
  class(configoptions_type), intent(in) :: self
  character(len=*), intent(in) :: option_name
  integer(kind=c_int64_t), intent(in) :: value
  integer(kind=enum_kind) :: code

  code = override_integer_option_c(self%configoptions_ptr, option_name, hs_len(option_name), value)
end function override_integer_option

!> Replaces the value of `option_name` by `value` (len_trim-ed).
function override_string_option(self, option_name, value) result(code)
  class(configoptions_type), intent(in) :: self
  character(len=*), intent(in) :: option_name
  character(len=*), intent(in) :: value
  integer(kind=enum_kind) :: code

  code = override_string_option_c(self%configoptions_ptr, option_name, hs_len(option_name), value, hs_len(value))
end function override_string_option

!> hpcsim extension: frees the settings (SRNoError if there were none).
function destructor(self) result(code)
  class(configoptions_type), intent(inout) :: self
  integer(kind=enum_kind) :: code

  code = SRNoError
  if (c_associated(self%configoptions_ptr)) code = configoptions_free_c(self%configoptions_ptr)
  self%configoptions_ptr = c_null_ptr
end function destructor

end module smartredis_configoptions
