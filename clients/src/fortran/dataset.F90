! dataset_type: SmartRedis 0.6.1's Fortran DataSet over the hpcsim C API (c_dataset.h).
!
! Tensors are added and unpacked with SRMemLayoutFortranContiguous and dims = shape(a), not
! reversed: the library stores them row-major with the same dims, so a(i,j,k) added here is
! t[i-1,j-1,k-1] in numpy, and the reverse on unpack. The data argument accepts any rank
! (assumed rank); a non-contiguous section is copied in (and out) by the compiler.

#ifdef __NVCOMPILER
#define HS_ARRAY dimension(*)
#define HS_SIZE(x) -1_c_size_t
#else
#define HS_ARRAY dimension(..), contiguous
#define HS_SIZE(x) size(x, kind=c_size_t)
#endif

module smartredis_dataset

use iso_c_binding, only : c_ptr, c_char, c_int, c_bool, c_null_ptr, c_associated
use iso_c_binding, only : c_int8_t, c_int16_t, c_int32_t, c_int64_t, c_float, c_double, c_size_t
use iso_c_binding, only : c_float_complex, c_double_complex
use iso_c_binding, only : c_loc, c_f_pointer
use, intrinsic :: iso_fortran_env, only : stderr => error_unit
use fortran_c_interop, only : enum_kind, hs_len, hs_fail, hs_check_count, hs_c_string, hs_c_chars

implicit none; private

include 'enum_fortran.inc'

interface
  function dataset_constructor(name, name_length, new_dataset) bind(c, name="CDataSet")
    import :: c_ptr, c_char, c_size_t, enum_kind
    character(kind=c_char), dimension(*), intent(in) :: name
    integer(kind=c_size_t), value :: name_length
    type(c_ptr), intent(inout) :: new_dataset
    integer(kind=enum_kind) :: dataset_constructor
  end function dataset_constructor

  function dataset_deconstructor(dataset) bind(c, name="DeallocateDataSet")
    import :: c_ptr, enum_kind
    type(c_ptr), intent(inout) :: dataset
    integer(kind=enum_kind) :: dataset_deconstructor
  end function dataset_deconstructor

  function add_tensor_c(dataset, name, name_length, data, dims, n_dims, data_type, mem_layout) &
      bind(c, name="add_tensor")
    import :: c_ptr, c_char, c_size_t, enum_kind
    type(c_ptr), value :: dataset
    character(kind=c_char), dimension(*), intent(in) :: name
    integer(kind=c_size_t), value :: name_length
    type(c_ptr), value :: data
    integer(kind=c_size_t), dimension(*), intent(in) :: dims
    integer(kind=c_size_t), value :: n_dims
    integer(kind=enum_kind), value :: data_type
    integer(kind=enum_kind), value :: mem_layout
    integer(kind=enum_kind) :: add_tensor_c
  end function add_tensor_c

  function unpack_dataset_tensor_c(dataset, name, name_length, data, dims, n_dims, data_type, mem_layout) &
      bind(c, name="unpack_dataset_tensor")
    import :: c_ptr, c_char, c_size_t, enum_kind
    type(c_ptr), value :: dataset
    character(kind=c_char), dimension(*), intent(in) :: name
    integer(kind=c_size_t), value :: name_length
    type(c_ptr), value :: data
    integer(kind=c_size_t), dimension(*), intent(in) :: dims
    integer(kind=c_size_t), value :: n_dims
    integer(kind=enum_kind), value :: data_type
    integer(kind=enum_kind), value :: mem_layout
    integer(kind=enum_kind) :: unpack_dataset_tensor_c
  end function unpack_dataset_tensor_c

  function add_meta_scalar_c(dataset, name, name_length, data, data_type) bind(c, name="add_meta_scalar")
    import :: c_ptr, c_char, c_size_t, enum_kind
    type(c_ptr), value :: dataset
    character(kind=c_char), dimension(*), intent(in) :: name
    integer(kind=c_size_t), value :: name_length
    type(c_ptr), value :: data
    integer(kind=enum_kind), value :: data_type
    integer(kind=enum_kind) :: add_meta_scalar_c
  end function add_meta_scalar_c

  function add_meta_string_c(dataset, name, name_length, data, data_length) bind(c, name="add_meta_string")
    import :: c_ptr, c_char, c_size_t, enum_kind
    type(c_ptr), value :: dataset
    character(kind=c_char), dimension(*), intent(in) :: name
    integer(kind=c_size_t), value :: name_length
    character(kind=c_char), dimension(*), intent(in) :: data
    integer(kind=c_size_t), value :: data_length
    integer(kind=enum_kind) :: add_meta_string_c
  end function add_meta_string_c

  function get_meta_scalars_c(dataset, name, name_length, length, data_type, scalar_data) &
      bind(c, name="get_meta_scalars")
    import :: c_ptr, c_char, c_size_t, enum_kind
    type(c_ptr), value :: dataset
    character(kind=c_char), dimension(*), intent(in) :: name
    integer(kind=c_size_t), value :: name_length
    integer(kind=c_size_t), intent(out) :: length
    integer(kind=enum_kind), intent(out) :: data_type
    type(c_ptr), intent(out) :: scalar_data
    integer(kind=enum_kind) :: get_meta_scalars_c
  end function get_meta_scalars_c

  function get_meta_strings_c(dataset, name, name_length, data, n_strings, lengths) &
      bind(c, name="get_meta_strings")
    import :: c_ptr, c_char, c_size_t, enum_kind
    type(c_ptr), value :: dataset
    character(kind=c_char), dimension(*), intent(in) :: name
    integer(kind=c_size_t), value :: name_length
    type(c_ptr), intent(out) :: data
    integer(kind=c_size_t), intent(out) :: n_strings
    type(c_ptr), intent(out) :: lengths
    integer(kind=enum_kind) :: get_meta_strings_c
  end function get_meta_strings_c

  function get_tensor_names_c(dataset, data, n_strings, lengths) bind(c, name="get_tensor_names")
    import :: c_ptr, c_size_t, enum_kind
    type(c_ptr), value :: dataset
    type(c_ptr), intent(out) :: data
    integer(kind=c_size_t), intent(out) :: n_strings
    type(c_ptr), intent(out) :: lengths
    integer(kind=enum_kind) :: get_tensor_names_c
  end function get_tensor_names_c

  function get_metadata_field_names_c(dataset, data, n_strings, lengths) bind(c, name="get_metadata_field_names")
    import :: c_ptr, c_size_t, enum_kind
    type(c_ptr), value :: dataset
    type(c_ptr), intent(out) :: data
    integer(kind=c_size_t), intent(out) :: n_strings
    type(c_ptr), intent(out) :: lengths
    integer(kind=enum_kind) :: get_metadata_field_names_c
  end function get_metadata_field_names_c

  function get_metadata_field_type_c(dataset, name, name_length, mdtype) bind(c, name="get_metadata_field_type")
    import :: c_ptr, c_char, c_size_t, enum_kind
    type(c_ptr), value :: dataset
    character(kind=c_char), dimension(*), intent(in) :: name
    integer(kind=c_size_t), value :: name_length
    integer(kind=enum_kind), intent(out) :: mdtype
    integer(kind=enum_kind) :: get_metadata_field_type_c
  end function get_metadata_field_type_c

  function get_tensor_type_c(dataset, name, name_length, ttype) bind(c, name="get_tensor_type")
    import :: c_ptr, c_char, c_size_t, enum_kind
    type(c_ptr), value :: dataset
    character(kind=c_char), dimension(*), intent(in) :: name
    integer(kind=c_size_t), value :: name_length
    integer(kind=enum_kind), intent(out) :: ttype
    integer(kind=enum_kind) :: get_tensor_type_c
  end function get_tensor_type_c

  function get_tensor_dims_c(dataset, name, name_length, dims, ndims) bind(c, name="get_tensor_dims")
    import :: c_ptr, c_char, c_size_t, enum_kind
    type(c_ptr), value :: dataset
    character(kind=c_char), dimension(*), intent(in) :: name
    integer(kind=c_size_t), value :: name_length
    type(c_ptr), intent(inout) :: dims
    integer(kind=c_size_t), intent(inout) :: ndims
    integer(kind=enum_kind) :: get_tensor_dims_c
  end function get_tensor_dims_c

  function dataset_clone_c(dataset, copy) bind(c, name="hpcsim_dataset_clone")
    import :: c_ptr, enum_kind
    type(c_ptr), value :: dataset
    type(c_ptr), intent(inout) :: copy
    integer(kind=enum_kind) :: dataset_clone_c
  end function dataset_clone_c

  function dataset_to_string_c(dataset) bind(c, name="dataset_to_string")
    import :: c_ptr
    type(c_ptr), value :: dataset
    type(c_ptr) :: dataset_to_string_c
  end function dataset_to_string_c
end interface

public :: enum_kind

!> A dataset: named tensors and metadata fields stored together under one key.
type, public :: dataset_type
  type(c_ptr) :: dataset_ptr = c_null_ptr !< the C handle (public, as in SmartRedis)

contains

  procedure :: initialize => initialize_dataset
  final :: final_destructor
  ! hpcsim: `b = a` makes b an independent copy of a (SmartRedis copies the C pointer, so that
  ! both finalizers free the same dataset)
  generic :: assignment(=) => assign_dataset
  procedure, private :: assign_dataset
  procedure :: destructor
  procedure :: get_c_pointer

  generic :: add_tensor => add_tensor_i8, add_tensor_i16, add_tensor_i32, add_tensor_i64, &
                           add_tensor_float, add_tensor_double, &
                           add_tensor_bool, add_tensor_cfloat, add_tensor_cdouble
  generic :: unpack_dataset_tensor => unpack_dataset_tensor_i8, unpack_dataset_tensor_i16, &
                                      unpack_dataset_tensor_i32, unpack_dataset_tensor_i64, &
                                      unpack_dataset_tensor_float, unpack_dataset_tensor_double, &
                                      unpack_dataset_tensor_bool, unpack_dataset_tensor_cfloat, &
                                      unpack_dataset_tensor_cdouble
  procedure :: get_tensor_type
  procedure :: get_tensor_dims

  generic :: add_meta_scalar => add_meta_scalar_double, add_meta_scalar_float, add_meta_scalar_i32, &
                                add_meta_scalar_i64
  generic :: get_meta_scalars => get_meta_scalars_double, get_meta_scalars_float, get_meta_scalars_i32, &
                                 get_meta_scalars_i64
  procedure :: add_meta_string
  procedure :: get_metadata_field_type
  ! hpcsim extensions (SmartRedis has these only in C and C++)
  procedure :: get_meta_strings
  procedure :: get_tensor_names
  procedure :: get_metadata_field_names

  procedure :: to_string
  procedure :: print_dataset

  procedure, private :: add_tensor_i8, add_tensor_i16, add_tensor_i32, add_tensor_i64
  procedure, private :: add_tensor_float, add_tensor_double
  procedure, private :: add_tensor_bool, add_tensor_cfloat, add_tensor_cdouble
  procedure, private :: unpack_dataset_tensor_i8, unpack_dataset_tensor_i16
  procedure, private :: unpack_dataset_tensor_i32, unpack_dataset_tensor_i64
  procedure, private :: unpack_dataset_tensor_float, unpack_dataset_tensor_double
  procedure, private :: unpack_dataset_tensor_bool, unpack_dataset_tensor_cfloat
  procedure, private :: unpack_dataset_tensor_cdouble
  procedure, private :: add_meta_scalar_double, add_meta_scalar_float, add_meta_scalar_i32
  procedure, private :: add_meta_scalar_i64
  procedure, private :: get_meta_scalars_double, get_meta_scalars_float, get_meta_scalars_i32
  procedure, private :: get_meta_scalars_i64
end type dataset_type

contains

!> Creates an empty dataset called `name` (len_trim-ed).
function initialize_dataset(self, name) result(code)
  class(dataset_type), intent(inout) :: self
  character(len=*), intent(in) :: name
  integer(kind=enum_kind) :: code

  if (c_associated(self%dataset_ptr)) code = dataset_deconstructor(self%dataset_ptr)
  code = dataset_constructor(name, hs_len(name), self%dataset_ptr)
end function initialize_dataset

!> Frees the C dataset when a dataset_type goes out of scope or is deallocated.
impure elemental subroutine final_destructor(self)
  type(dataset_type), intent(inout) :: self

  integer(kind=enum_kind) :: code

  if (c_associated(self%dataset_ptr)) code = dataset_deconstructor(self%dataset_ptr)
  self%dataset_ptr = c_null_ptr
end subroutine final_destructor

!> `self = other`: self gets its own deep copy of other's dataset (none if other has none, or
!! if the copy fails; then SRGetLastError says why). Self's previous dataset is freed.
impure elemental subroutine assign_dataset(self, other)
  class(dataset_type), intent(inout) :: self
  type(dataset_type), intent(in) :: other

  type(c_ptr) :: copy
  integer(kind=enum_kind) :: code

  if (c_associated(self%dataset_ptr, other%dataset_ptr)) return
  copy = c_null_ptr
  if (c_associated(other%dataset_ptr)) then
    code = dataset_clone_c(other%dataset_ptr, copy)
    if (code /= SRNoError) copy = c_null_ptr
  end if
  if (c_associated(self%dataset_ptr)) code = dataset_deconstructor(self%dataset_ptr)
  self%dataset_ptr = copy
end subroutine assign_dataset

!> Frees the C dataset now (SRNoError if there was none). Returns a default integer.
function destructor(self) result(code)
  class(dataset_type), intent(inout) :: self
  integer :: code

  code = SRNoError
  if (c_associated(self%dataset_ptr)) code = dataset_deconstructor(self%dataset_ptr)
  self%dataset_ptr = c_null_ptr
end function destructor

function get_c_pointer(self)
  class(dataset_type), intent(in) :: self
  type(c_ptr) :: get_c_pointer
  get_c_pointer = self%dataset_ptr
end function get_c_pointer

function add_tensor_common(self, name, data, n_elements, dims, data_type) result(code)
  class(dataset_type), intent(in) :: self
  character(len=*), intent(in) :: name
  type(c_ptr), intent(in) :: data
  integer(kind=c_size_t), intent(in) :: n_elements
  integer, dimension(:), intent(in) :: dims
  integer(kind=enum_kind), intent(in) :: data_type
  integer(kind=enum_kind) :: code

  integer(kind=c_size_t), dimension(max(size(dims), 1)) :: c_dims

  code = hs_check_count("add_tensor", name, n_elements, dims)
  if (code /= SRNoError) return
  c_dims = 0
  c_dims(1:size(dims)) = int(dims, kind=c_size_t)
  code = add_tensor_c(self%dataset_ptr, name, hs_len(name), data, c_dims, size(dims, kind=c_size_t), &
                      data_type, c_fortran_contiguous)
end function add_tensor_common

function unpack_dataset_tensor_common(self, name, data, n_elements, dims, data_type) result(code)
  class(dataset_type), intent(in) :: self
  character(len=*), intent(in) :: name
  type(c_ptr), intent(in) :: data
  integer(kind=c_size_t), intent(in) :: n_elements
  integer, dimension(:), intent(in) :: dims
  integer(kind=enum_kind), intent(in) :: data_type
  integer(kind=enum_kind) :: code

  integer(kind=c_size_t), dimension(max(size(dims), 1)) :: c_dims

  code = hs_check_count("unpack_dataset_tensor", name, n_elements, dims)
  if (code /= SRNoError) return
  c_dims = 0
  c_dims(1:size(dims)) = int(dims, kind=c_size_t)
  code = unpack_dataset_tensor_c(self%dataset_ptr, name, hs_len(name), data, c_dims, &
                                 size(dims, kind=c_size_t), data_type, c_fortran_contiguous)
end function unpack_dataset_tensor_common

function add_tensor_i8(self, name, data, dims) result(code)
  class(dataset_type), intent(in) :: self
  character(len=*), intent(in) :: name
  integer(kind=c_int8_t), HS_ARRAY, target, intent(in) :: data
  integer, dimension(:), intent(in) :: dims
  integer(kind=enum_kind) :: code
  code = add_tensor_common(self, name, c_loc(data), HS_SIZE(data), dims, tensor_int8)
end function add_tensor_i8

function add_tensor_i16(self, name, data, dims) result(code)
  class(dataset_type), intent(in) :: self
  character(len=*), intent(in) :: name
  integer(kind=c_int16_t), HS_ARRAY, target, intent(in) :: data
  integer, dimension(:), intent(in) :: dims
  integer(kind=enum_kind) :: code
  code = add_tensor_common(self, name, c_loc(data), HS_SIZE(data), dims, tensor_int16)
end function add_tensor_i16

function add_tensor_i32(self, name, data, dims) result(code)
  class(dataset_type), intent(in) :: self
  character(len=*), intent(in) :: name
  integer(kind=c_int32_t), HS_ARRAY, target, intent(in) :: data
  integer, dimension(:), intent(in) :: dims
  integer(kind=enum_kind) :: code
  code = add_tensor_common(self, name, c_loc(data), HS_SIZE(data), dims, tensor_int32)
end function add_tensor_i32

function add_tensor_i64(self, name, data, dims) result(code)
  class(dataset_type), intent(in) :: self
  character(len=*), intent(in) :: name
  integer(kind=c_int64_t), HS_ARRAY, target, intent(in) :: data
  integer, dimension(:), intent(in) :: dims
  integer(kind=enum_kind) :: code
  code = add_tensor_common(self, name, c_loc(data), HS_SIZE(data), dims, tensor_int64)
end function add_tensor_i64

function add_tensor_float(self, name, data, dims) result(code)
  class(dataset_type), intent(in) :: self
  character(len=*), intent(in) :: name
  real(kind=c_float), HS_ARRAY, target, intent(in) :: data
  integer, dimension(:), intent(in) :: dims
  integer(kind=enum_kind) :: code
  code = add_tensor_common(self, name, c_loc(data), HS_SIZE(data), dims, tensor_flt)
end function add_tensor_float

function add_tensor_double(self, name, data, dims) result(code)
  class(dataset_type), intent(in) :: self
  character(len=*), intent(in) :: name
  real(kind=c_double), HS_ARRAY, target, intent(in) :: data
  integer, dimension(:), intent(in) :: dims
  integer(kind=enum_kind) :: code
  code = add_tensor_common(self, name, c_loc(data), HS_SIZE(data), dims, tensor_dbl)
end function add_tensor_double

function add_tensor_bool(self, name, data, dims) result(code)
  class(dataset_type), intent(in) :: self
  character(len=*), intent(in) :: name
  logical(kind=c_bool), HS_ARRAY, target, intent(in) :: data
  integer, dimension(:), intent(in) :: dims
  integer(kind=enum_kind) :: code
  code = add_tensor_common(self, name, c_loc(data), HS_SIZE(data), dims, tensor_bool)
end function add_tensor_bool

function add_tensor_cfloat(self, name, data, dims) result(code)
  class(dataset_type), intent(in) :: self
  character(len=*), intent(in) :: name
  complex(kind=c_float_complex), HS_ARRAY, target, intent(in) :: data
  integer, dimension(:), intent(in) :: dims
  integer(kind=enum_kind) :: code
  code = add_tensor_common(self, name, c_loc(data), HS_SIZE(data), dims, tensor_complex64)
end function add_tensor_cfloat

function add_tensor_cdouble(self, name, data, dims) result(code)
  class(dataset_type), intent(in) :: self
  character(len=*), intent(in) :: name
  complex(kind=c_double_complex), HS_ARRAY, target, intent(in) :: data
  integer, dimension(:), intent(in) :: dims
  integer(kind=enum_kind) :: code
  code = add_tensor_common(self, name, c_loc(data), HS_SIZE(data), dims, tensor_complex128)
end function add_tensor_cdouble

function unpack_dataset_tensor_i8(self, name, result, dims) result(code)
  class(dataset_type), intent(in) :: self
  character(len=*), intent(in) :: name
  integer(kind=c_int8_t), HS_ARRAY, target, intent(out) :: result
  integer, dimension(:), intent(in) :: dims
  integer(kind=enum_kind) :: code
  code = unpack_dataset_tensor_common(self, name, c_loc(result), HS_SIZE(result), dims, tensor_int8)
end function unpack_dataset_tensor_i8

function unpack_dataset_tensor_i16(self, name, result, dims) result(code)
  class(dataset_type), intent(in) :: self
  character(len=*), intent(in) :: name
  integer(kind=c_int16_t), HS_ARRAY, target, intent(out) :: result
  integer, dimension(:), intent(in) :: dims
  integer(kind=enum_kind) :: code
  code = unpack_dataset_tensor_common(self, name, c_loc(result), HS_SIZE(result), dims, tensor_int16)
end function unpack_dataset_tensor_i16

function unpack_dataset_tensor_i32(self, name, result, dims) result(code)
  class(dataset_type), intent(in) :: self
  character(len=*), intent(in) :: name
  integer(kind=c_int32_t), HS_ARRAY, target, intent(out) :: result
  integer, dimension(:), intent(in) :: dims
  integer(kind=enum_kind) :: code
  code = unpack_dataset_tensor_common(self, name, c_loc(result), HS_SIZE(result), dims, tensor_int32)
end function unpack_dataset_tensor_i32

function unpack_dataset_tensor_i64(self, name, result, dims) result(code)
  class(dataset_type), intent(in) :: self
  character(len=*), intent(in) :: name
  integer(kind=c_int64_t), HS_ARRAY, target, intent(out) :: result
  integer, dimension(:), intent(in) :: dims
  integer(kind=enum_kind) :: code
  code = unpack_dataset_tensor_common(self, name, c_loc(result), HS_SIZE(result), dims, tensor_int64)
end function unpack_dataset_tensor_i64

function unpack_dataset_tensor_float(self, name, result, dims) result(code)
  class(dataset_type), intent(in) :: self
  character(len=*), intent(in) :: name
  real(kind=c_float), HS_ARRAY, target, intent(out) :: result
  integer, dimension(:), intent(in) :: dims
  integer(kind=enum_kind) :: code
  code = unpack_dataset_tensor_common(self, name, c_loc(result), HS_SIZE(result), dims, tensor_flt)
end function unpack_dataset_tensor_float

function unpack_dataset_tensor_double(self, name, result, dims) result(code)
  class(dataset_type), intent(in) :: self
  character(len=*), intent(in) :: name
  real(kind=c_double), HS_ARRAY, target, intent(out) :: result
  integer, dimension(:), intent(in) :: dims
  integer(kind=enum_kind) :: code
  code = unpack_dataset_tensor_common(self, name, c_loc(result), HS_SIZE(result), dims, tensor_dbl)
end function unpack_dataset_tensor_double

function unpack_dataset_tensor_bool(self, name, result, dims) result(code)
  class(dataset_type), intent(in) :: self
  character(len=*), intent(in) :: name
  logical(kind=c_bool), HS_ARRAY, target, intent(out) :: result
  integer, dimension(:), intent(in) :: dims
  integer(kind=enum_kind) :: code
  code = unpack_dataset_tensor_common(self, name, c_loc(result), HS_SIZE(result), dims, tensor_bool)
end function unpack_dataset_tensor_bool

function unpack_dataset_tensor_cfloat(self, name, result, dims) result(code)
  class(dataset_type), intent(in) :: self
  character(len=*), intent(in) :: name
  complex(kind=c_float_complex), HS_ARRAY, target, intent(out) :: result
  integer, dimension(:), intent(in) :: dims
  integer(kind=enum_kind) :: code
  code = unpack_dataset_tensor_common(self, name, c_loc(result), HS_SIZE(result), dims, tensor_complex64)
end function unpack_dataset_tensor_cfloat

function unpack_dataset_tensor_cdouble(self, name, result, dims) result(code)
  class(dataset_type), intent(in) :: self
  character(len=*), intent(in) :: name
  complex(kind=c_double_complex), HS_ARRAY, target, intent(out) :: result
  integer, dimension(:), intent(in) :: dims
  integer(kind=enum_kind) :: code
  code = unpack_dataset_tensor_common(self, name, c_loc(result), HS_SIZE(result), dims, tensor_complex128)
end function unpack_dataset_tensor_cdouble

function add_meta_scalar_common(self, name, meta, meta_type) result(code)
  class(dataset_type), intent(in) :: self
  character(len=*), intent(in) :: name
  type(c_ptr), intent(in) :: meta
  integer(kind=enum_kind), intent(in) :: meta_type
  integer(kind=enum_kind) :: code

  code = add_meta_scalar_c(self%dataset_ptr, name, hs_len(name), meta, meta_type)
end function add_meta_scalar_common

function add_meta_scalar_i32(self, name, meta) result(code)
  class(dataset_type), intent(in) :: self
  character(len=*), intent(in) :: name
  integer(kind=c_int32_t), target, intent(in) :: meta
  integer(kind=enum_kind) :: code
  code = add_meta_scalar_common(self, name, c_loc(meta), meta_int32)
end function add_meta_scalar_i32

function add_meta_scalar_i64(self, name, meta) result(code)
  class(dataset_type), intent(in) :: self
  character(len=*), intent(in) :: name
  integer(kind=c_int64_t), target, intent(in) :: meta
  integer(kind=enum_kind) :: code
  code = add_meta_scalar_common(self, name, c_loc(meta), meta_int64)
end function add_meta_scalar_i64

function add_meta_scalar_float(self, name, meta) result(code)
  class(dataset_type), intent(in) :: self
  character(len=*), intent(in) :: name
  real(kind=c_float), target, intent(in) :: meta
  integer(kind=enum_kind) :: code
  code = add_meta_scalar_common(self, name, c_loc(meta), meta_flt)
end function add_meta_scalar_float

function add_meta_scalar_double(self, name, meta) result(code)
  class(dataset_type), intent(in) :: self
  character(len=*), intent(in) :: name
  real(kind=c_double), target, intent(in) :: meta
  integer(kind=enum_kind) :: code
  code = add_meta_scalar_common(self, name, c_loc(meta), meta_dbl)
end function add_meta_scalar_double

!> The scalars of field `name` in dataset-owned memory (valid until the dataset is freed), as
!! `length` and a C pointer, after checking that the field holds `expected` values.
function get_meta_scalars_common(self, name, expected, length, data) result(code)
  class(dataset_type), intent(in) :: self
  character(len=*), intent(in) :: name
  integer(kind=enum_kind), intent(in) :: expected
  integer(kind=c_size_t), intent(out) :: length
  type(c_ptr), intent(out) :: data
  integer(kind=enum_kind) :: code

  integer(kind=enum_kind) :: actual

  length = 0
  code = get_meta_scalars_c(self%dataset_ptr, name, hs_len(name), length, actual, data)
  if (code /= SRNoError) return
  if (actual /= expected) then
    length = 0
    code = hs_fail(SRTypeError, "get_meta_scalars: metadata field '" // trim(name) // "' of dataset does not " // &
                   "hold values of the kind of the pointer given")
  end if
end function get_meta_scalars_common

function get_meta_scalars_i32(self, name, meta) result(code)
  class(dataset_type), intent(in) :: self
  character(len=*), intent(in) :: name
  integer(kind=c_int32_t), dimension(:), pointer :: meta
  integer(kind=enum_kind) :: code
  integer(kind=c_size_t) :: length
  type(c_ptr) :: data
  nullify(meta)
  code = get_meta_scalars_common(self, name, meta_int32, length, data)
  if (code == SRNoError) call c_f_pointer(data, meta, [length])
end function get_meta_scalars_i32

function get_meta_scalars_i64(self, name, meta) result(code)
  class(dataset_type), intent(in) :: self
  character(len=*), intent(in) :: name
  integer(kind=c_int64_t), dimension(:), pointer :: meta
  integer(kind=enum_kind) :: code
  integer(kind=c_size_t) :: length
  type(c_ptr) :: data
  nullify(meta)
  code = get_meta_scalars_common(self, name, meta_int64, length, data)
  if (code == SRNoError) call c_f_pointer(data, meta, [length])
end function get_meta_scalars_i64

function get_meta_scalars_float(self, name, meta) result(code)
  class(dataset_type), intent(in) :: self
  character(len=*), intent(in) :: name
  real(kind=c_float), dimension(:), pointer :: meta
  integer(kind=enum_kind) :: code
  integer(kind=c_size_t) :: length
  type(c_ptr) :: data
  nullify(meta)
  code = get_meta_scalars_common(self, name, meta_flt, length, data)
  if (code == SRNoError) call c_f_pointer(data, meta, [length])
end function get_meta_scalars_float

function get_meta_scalars_double(self, name, meta) result(code)
  class(dataset_type), intent(in) :: self
  character(len=*), intent(in) :: name
  real(kind=c_double), dimension(:), pointer :: meta
  integer(kind=enum_kind) :: code
  integer(kind=c_size_t) :: length
  type(c_ptr) :: data
  nullify(meta)
  code = get_meta_scalars_common(self, name, meta_dbl, length, data)
  if (code == SRNoError) call c_f_pointer(data, meta, [length])
end function get_meta_scalars_double

!> Appends the string `meta` (len_trim-ed) to field `name`.
function add_meta_string(self, name, meta) result(code)
  class(dataset_type), intent(in) :: self
  character(len=*), intent(in) :: name
  character(len=*), intent(in) :: meta
  integer(kind=enum_kind) :: code

  code = add_meta_string_c(self%dataset_ptr, name, hs_len(name), meta, hs_len(meta))
end function add_meta_string

!> hpcsim extension: the strings of field `name`, one per element of `meta` (declare it
!! `character(len=N), dimension(:), allocatable`). A string longer than N is cut to N
!! characters and the result is SRBadAllocError.
function get_meta_strings(self, name, meta) result(code)
  class(dataset_type), intent(in) :: self
  character(len=*), intent(in) :: name
  character(len=*), dimension(:), allocatable, intent(out) :: meta
  integer(kind=enum_kind) :: code

  type(c_ptr) :: data, lengths
  integer(kind=c_size_t) :: n_strings

  code = get_meta_strings_c(self%dataset_ptr, name, hs_len(name), data, n_strings, lengths)
  if (code == SRNoError) then
    code = strings_from_c("get_meta_strings '" // trim(name) // "'", data, n_strings, lengths, meta)
  else
    allocate(meta(0))
  end if
end function get_meta_strings

!> hpcsim extension: the names of the dataset's tensors, in the order they were added (as
!! get_meta_strings: `names` is `character(len=N), dimension(:), allocatable`).
function get_tensor_names(self, names) result(code)
  class(dataset_type), intent(in) :: self
  character(len=*), dimension(:), allocatable, intent(out) :: names
  integer(kind=enum_kind) :: code

  type(c_ptr) :: data, lengths
  integer(kind=c_size_t) :: n_strings

  code = get_tensor_names_c(self%dataset_ptr, data, n_strings, lengths)
  if (code == SRNoError) then
    code = strings_from_c("get_tensor_names", data, n_strings, lengths, names)
  else
    allocate(names(0))
  end if
end function get_tensor_names

!> hpcsim extension: the names of the dataset's metadata fields (as get_tensor_names).
function get_metadata_field_names(self, names) result(code)
  class(dataset_type), intent(in) :: self
  character(len=*), dimension(:), allocatable, intent(out) :: names
  integer(kind=enum_kind) :: code

  type(c_ptr) :: data, lengths
  integer(kind=c_size_t) :: n_strings

  code = get_metadata_field_names_c(self%dataset_ptr, data, n_strings, lengths)
  if (code == SRNoError) then
    code = strings_from_c("get_metadata_field_names", data, n_strings, lengths, names)
  else
    allocate(names(0))
  end if
end function get_metadata_field_names

!> Copies the C string list (data, n_strings, lengths) into `strings`; SRBadAllocError naming
!! `what` when one does not fit len(strings).
function strings_from_c(what, data, n_strings, lengths, strings) result(code)
  character(len=*), intent(in) :: what
  type(c_ptr), intent(in) :: data, lengths
  integer(kind=c_size_t), intent(in) :: n_strings
  character(len=*), dimension(:), allocatable, intent(inout) :: strings
  integer(kind=enum_kind) :: code

  type(c_ptr), dimension(:), pointer :: ptrs
  integer(kind=c_size_t), dimension(:), pointer :: lens
  integer(kind=c_size_t) :: i, longest
  character(len=24) :: have, want

  code = SRNoError
  if (allocated(strings)) deallocate(strings)
  if (n_strings == 0 .or. .not. c_associated(data) .or. .not. c_associated(lengths)) then
    allocate(strings(0))
    return
  end if
  call c_f_pointer(data, ptrs, [n_strings])
  call c_f_pointer(lengths, lens, [n_strings])
  allocate(strings(n_strings))
  longest = 0
  do i = 1, n_strings
    strings(i) = hs_c_chars(ptrs(i), lens(i))
    longest = max(longest, lens(i))
  end do
  if (longest > len(strings, kind=c_size_t)) then
    write(have, '(i0)') len(strings)
    write(want, '(i0)') longest
    code = hs_fail(SRBadAllocError, what // ": a string of " // trim(want) // &
                   " characters does not fit the character(len=" // trim(have) // ") array")
  end if
end function strings_from_c

function get_metadata_field_type(self, name, mdtype) result(code)
  class(dataset_type), intent(in) :: self
  character(len=*), intent(in) :: name
  integer(kind=enum_kind), intent(out) :: mdtype
  integer(kind=enum_kind) :: code

  code = get_metadata_field_type_c(self%dataset_ptr, name, hs_len(name), mdtype)
end function get_metadata_field_type

function get_tensor_type(self, name, ttype) result(code)
  class(dataset_type), intent(in) :: self
  character(len=*), intent(in) :: name
  integer(kind=enum_kind), intent(out) :: ttype
  integer(kind=enum_kind) :: code

  code = get_tensor_type_c(self%dataset_ptr, name, hs_len(name), ttype)
end function get_tensor_type

!> The dims of tensor `name` (in the order they were added). In: dims_length is how many
!! entries of `dims` may be written (at most size(dims)). Out: the tensor's rank; when dims is
!! too small the result is SRBadAllocError and dims_length is the size needed.
function get_tensor_dims(self, name, dims, dims_length) result(code)
  class(dataset_type), intent(in) :: self
  character(len=*), intent(in) :: name
  integer, dimension(:), intent(inout) :: dims
  integer, intent(inout) :: dims_length
  integer(kind=enum_kind) :: code

  integer(kind=c_size_t), dimension(max(size(dims), 1)), target :: c_dims
  integer(kind=c_size_t) :: c_dims_length
  type(c_ptr) :: dims_ptr
  character(len=24) :: have, want

  if (dims_length < 0 .or. dims_length > size(dims)) then
    write(have, '(i0)') size(dims)
    write(want, '(i0)') dims_length
    code = hs_fail(SRParameterError, "get_tensor_dims '" // trim(name) // "': dims_length (" // trim(want) // &
                   ") is negative or larger than size(dims) (" // trim(have) // ")")
    return
  end if
  c_dims = 0
  dims_ptr = c_loc(c_dims)
  c_dims_length = int(dims_length, kind=c_size_t)
  code = get_tensor_dims_c(self%dataset_ptr, name, hs_len(name), dims_ptr, c_dims_length)
  if (code == SRNoError) dims(1:c_dims_length) = int(c_dims(1:c_dims_length), kind(dims))
  dims_length = int(c_dims_length, kind(dims_length))
end function get_tensor_dims

!> A description of the dataset.
function to_string(self)
  class(dataset_type), intent(in) :: self
  character(kind=c_char, len=:), allocatable :: to_string

  to_string = hs_c_string(dataset_to_string_c(self%dataset_ptr))
end function to_string

!> Writes to_string() to `unit` (default: standard error, as SmartRedis).
subroutine print_dataset(self, unit)
  class(dataset_type), intent(in) :: self
  integer, optional, intent(in) :: unit

  integer :: target_unit

  target_unit = stderr
  if (present(unit)) target_unit = unit
  write(target_unit, '(a)') self%to_string()
end subroutine print_dataset

end module smartredis_dataset
