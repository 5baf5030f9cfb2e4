! logcontext_type: a named context for log_data and friends (SmartRedis 0.6.1's module).
module smartredis_logcontext

use iso_c_binding, only : c_ptr, c_null_ptr, c_char, c_size_t, c_associated
use fortran_c_interop, only : enum_kind, hs_len

implicit none; private

include 'enum_fortran.inc'

interface
  function logcontext_constructor(context, context_length, new_logcontext) bind(c, name="SmartRedisCLogContext")
    import :: c_ptr, c_char, c_size_t, enum_kind
    character(kind=c_char), dimension(*), intent(in) :: context
    integer(kind=c_size_t), value :: context_length
    type(c_ptr), intent(inout) :: new_logcontext
    integer(kind=enum_kind) :: logcontext_constructor
  end function logcontext_constructor

  function logcontext_deconstructor(logcontext) bind(c, name="DeallocateLogContext")
    import :: c_ptr, enum_kind
    type(c_ptr), intent(inout) :: logcontext
    integer(kind=enum_kind) :: logcontext_deconstructor
  end function logcontext_deconstructor
end interface

public :: enum_kind

type, public :: logcontext_type
  type(c_ptr) :: logcontext_ptr = c_null_ptr !< the C handle

contains

  procedure :: initialize => initialize_logcontext
  procedure :: get_c_pointer
  procedure :: destructor
end type logcontext_type

contains

!> A log context called `context` (len_trim-ed).
function initialize_logcontext(self, context) result(code)
  class(logcontext_type), intent(inout) :: self
  character(len=*), intent(in) :: context
  integer(kind=enum_kind) :: code

  if (c_associated(self%logcontext_ptr)) code = logcontext_deconstructor(self%logcontext_ptr)
  code = logcontext_constructor(context, hs_len(context), self%logcontext_ptr)
end function initialize_logcontext

function get_c_pointer(self)
  class(logcontext_type), intent(in) :: self
  type(c_ptr) :: get_c_pointer
  get_c_pointer = self%logcontext_ptr
end function get_c_pointer

!> hpcsim extension: frees the log context (SmartRedis's Fortran type has no destructor).
function destructor(self) result(code)
  class(logcontext_type), intent(inout) :: self
  integer(kind=enum_kind) :: code

  code = SRNoError
  if (c_associated(self%logcontext_ptr)) code = logcontext_deconstructor(self%logcontext_ptr)
  self%logcontext_ptr = c_null_ptr
end function destructor

end module smartredis_logcontext
