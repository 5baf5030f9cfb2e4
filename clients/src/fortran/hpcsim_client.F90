! hpcsim's own name for the Fortran client: `use hpcsim_client` gives client_type,
! dataset_type, configoptions_type, logcontext_type, enum_kind, the logging generics, the
! last-error helpers and the constants of enum_fortran.inc (SRNoError, tensor_dbl, ...), so a
! program that uses this module needs no include (and must not also include enum_fortran.inc).
! The SmartRedis module names (smartredis_client, ...) work as well.
module hpcsim_client

use fortran_c_interop, only : enum_kind
use smartredis_client, only : client_type
use smartredis_dataset, only : dataset_type
use smartredis_configoptions, only : configoptions_type
use smartredis_logcontext, only : logcontext_type
use smartredis_logger, only : log_data, log_warning, log_error
use smartredis_errors, only : get_last_error, print_last_error

implicit none; private

#include "enum_fortran.inc"

public :: enum_kind, client_type, dataset_type, configoptions_type, logcontext_type
public :: log_data, log_warning, log_error
public :: get_last_error, print_last_error

! the enumerators of enum_fortran.inc
public :: tensor_invalid, tensor_dbl, tensor_flt, tensor_int8, tensor_int16, tensor_int32, &
          tensor_int64, tensor_uint8, tensor_uint16, c_invalid, c_nested, c_contiguous, &
          c_fortran_nested, c_fortran_contiguous, meta_invalid, meta_dbl, meta_flt, meta_int32, &
          meta_int64, meta_uint32, meta_uint64, meta_string, SRNoError, SRBadAllocError, &
          SRDatabaseError, SRInternalError, SRRuntimeError, SRParameterError, SRTimeoutError, &
          SRKeyError, SRInvalidError, SRTypeError, LLInvalid, LLQuiet, LLInfo, LLDebug, &
          LLDeveloper, tensor_bool, tensor_float16, tensor_uint32, tensor_uint64, tensor_complex64, &
          tensor_complex128

end module hpcsim_client
