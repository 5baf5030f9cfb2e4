! Helpers shared by the modules of the hpcsim Fortran client (SmartRedis 0.6.1's
! fortran_c_interop: enum_kind, C_MAX_STRING, convert_char_array_to_c), plus hpcsim's
! internal helpers (hs_*): string lists for the C API, C strings to Fortran, and the
! last-error setter used when a check fails on the Fortran side.
!
! Every C function is reached through the public C API of the hpcsim client library.
module fortran_c_interop

use iso_c_binding, only : c_ptr, c_char, c_size_t, c_loc, c_null_ptr, c_int, c_associated, &
                          c_f_pointer, c_null_char

implicit none; private

#include "enum_fortran.inc"

!> The kind of an integer that holds a C enum (SRError, SRTensorType, ...).
integer, parameter, public :: enum_kind = c_int
!> The longest element convert_char_array_to_c accepts (SmartRedis's limit; the client's own
!! string lists have no such limit).
integer, parameter, public :: C_MAX_STRING = 255

!> A list of strings laid out for the C API: `ptrs(i)` points at `lens(i)` characters inside
!! `buf`. Declare it with the target attribute.
type, public :: hs_strings
  character(kind=c_char), dimension(:), allocatable :: buf
  type(c_ptr), dimension(:), allocatable :: ptrs
  integer(kind=c_size_t), dimension(:), allocatable :: lens
  integer(kind=c_size_t) :: n = 0
end type hs_strings

public :: convert_char_array_to_c
public :: hs_make_strings, hs_c_string, hs_c_chars, hs_fail, hs_len, hs_check_count

interface
  function hs_strlen(str) bind(c, name="strlen")
    import :: c_ptr, c_size_t
    type(c_ptr), value :: str
    integer(kind=c_size_t) :: hs_strlen
  end function hs_strlen

  function hs_set_last_error_c(code, message, message_length) bind(c, name="hpcsim_set_last_error")
    import :: c_char, c_size_t, enum_kind
    integer(kind=enum_kind), value :: code
    character(kind=c_char), dimension(*), intent(in) :: message
    integer(kind=c_size_t), value :: message_length
    integer(kind=enum_kind) :: hs_set_last_error_c
  end function hs_set_last_error_c
end interface

contains

!> SmartRedis's helper: copies `character_array_f` into C-compatible storage (elements
!! len_trim-ed, at most C_MAX_STRING long). Empty elements get a null pointer. Longer
!! elements give SRRuntimeError.
function convert_char_array_to_c(character_array_f, character_array_c, string_ptrs, ptr_to_string_ptrs, &
                                 string_lengths, ptr_to_string_lengths, n_strings) result(code)
  character(len=*), dimension(:), intent(in) :: character_array_f
  character(kind=c_char, len=C_MAX_STRING), dimension(:), allocatable, target, intent(out) :: character_array_c
  type(c_ptr), dimension(:), allocatable, target, intent(out) :: string_ptrs
  type(c_ptr), intent(out) :: ptr_to_string_ptrs
  integer(kind=c_size_t), dimension(:), allocatable, target, intent(out) :: string_lengths
  type(c_ptr), intent(out) :: ptr_to_string_lengths
  integer(kind=c_size_t), intent(out) :: n_strings
  integer(kind=enum_kind) :: code

  integer(kind=c_size_t) :: i

  code = SRNoError
  n_strings = size(character_array_f, kind=c_size_t)
  allocate(string_lengths(n_strings), string_ptrs(n_strings), character_array_c(n_strings))
  do i = 1, n_strings
    string_lengths(i) = len_trim(character_array_f(i), kind=c_size_t)
    if (string_lengths(i) > C_MAX_STRING) then
      code = hs_fail(SRRuntimeError, "convert_char_array_to_c: element longer than C_MAX_STRING (255)")
      string_lengths(i) = C_MAX_STRING
    end if
    character_array_c(i) = character_array_f(i)
    if (string_lengths(i) > 0) then
      string_ptrs(i) = c_loc(character_array_c(i))
    else
      string_ptrs(i) = c_null_ptr
    end if
  end do
  ptr_to_string_ptrs = c_loc(string_ptrs)
  ptr_to_string_lengths = c_loc(string_lengths)
end function convert_char_array_to_c

!> Fills `list` with the len_trim-ed elements of `strings`, or, when `strings` is absent,
!! with SmartRedis's empty list (one element of length 0). Pointers are never null.
subroutine hs_make_strings(list, strings)
  type(hs_strings), target, intent(inout) :: list
  character(len=*), dimension(:), optional, intent(in) :: strings

  integer(kind=c_size_t) :: i, j, total, at, length

  if (allocated(list%buf)) deallocate(list%buf)
  if (allocated(list%ptrs)) deallocate(list%ptrs)
  if (allocated(list%lens)) deallocate(list%lens)
  if (.not. present(strings)) then
    list%n = 1
    allocate(list%buf(1), list%ptrs(1), list%lens(1))
    list%buf(1) = c_null_char
    list%lens(1) = 0
    list%ptrs(1) = c_loc(list%buf(1))
    return
  end if
  list%n = size(strings, kind=c_size_t)
  total = 1
  do i = 1, list%n
    total = total + len_trim(strings(i), kind=c_size_t)
  end do
  allocate(list%buf(total), list%ptrs(max(list%n, 1_c_size_t)), list%lens(max(list%n, 1_c_size_t)))
  list%buf = c_null_char
  list%lens = 0
  list%ptrs(1) = c_loc(list%buf(1))
  at = 1
  do i = 1, list%n
    length = len_trim(strings(i), kind=c_size_t)
    list%lens(i) = length
    list%ptrs(i) = c_loc(list%buf(at))
    do j = 1, length
      list%buf(at + j - 1) = strings(i)(j:j)
    end do
    at = at + length
  end do
end subroutine hs_make_strings

!> The NUL-terminated C string at `ptr` ('' for a null pointer).
function hs_c_string(ptr) result(text)
  type(c_ptr), intent(in) :: ptr
  character(kind=c_char, len=:), allocatable :: text

  if (.not. c_associated(ptr)) then
    text = ''
    return
  end if
  text = hs_c_chars(ptr, hs_strlen(ptr))
end function hs_c_string

!> The `length` characters at `ptr` ('' for a null pointer or length 0).
function hs_c_chars(ptr, length) result(text)
  type(c_ptr), intent(in) :: ptr
  integer(kind=c_size_t), intent(in) :: length
  character(kind=c_char, len=:), allocatable :: text

  character(kind=c_char), dimension(:), pointer :: chars
  integer(kind=c_size_t) :: i

  if (.not. c_associated(ptr) .or. length <= 0) then
    text = ''
    return
  end if
  call c_f_pointer(ptr, chars, [length])
  allocate(character(kind=c_char, len=length) :: text)
  do i = 1, length
    text(i:i) = chars(i)
  end do
end function hs_c_chars

!> len_trim as a size_t (the length every name is sent with).
pure function hs_len(text) result(length)
  character(len=*), intent(in) :: text
  integer(kind=c_size_t) :: length
  length = len_trim(text, kind=c_size_t)
end function hs_len

!> Records `message` as the calling thread's last error (what SRGetLastError and
!! get_last_error return) and returns `code`.
function hs_fail(code, message) result(out)
  integer(kind=enum_kind), intent(in) :: code
  character(len=*), intent(in) :: message
  integer(kind=enum_kind) :: out

  out = hs_set_last_error_c(code, message, len(message, kind=c_size_t))
end function hs_fail

!> SRNoError when the element count of `dims` matches the `n_elements` of the Fortran array
!! (n_elements < 0: unknown, not checked), else SRParameterError naming `what` and `name`.
function hs_check_count(what, name, n_elements, dims) result(code)
  character(len=*), intent(in) :: what, name
  integer(kind=c_size_t), intent(in) :: n_elements
  integer, dimension(:), intent(in) :: dims
  integer(kind=enum_kind) :: code

  integer(kind=c_size_t) :: i, product_of_dims
  character(len=24) :: have, want

  code = SRNoError
  product_of_dims = 1
  do i = 1, size(dims, kind=c_size_t)
    if (dims(i) < 0) then
      write(have, '(i0)') dims(i)
      code = hs_fail(SRParameterError, what // " '" // trim(name) // "': dims has a negative entry (" // &
                     trim(have) // ")")
      return
    end if
    product_of_dims = product_of_dims * int(dims(i), kind=c_size_t)
  end do
  if (n_elements >= 0 .and. product_of_dims /= n_elements) then
    write(have, '(i0)') n_elements
    write(want, '(i0)') product_of_dims
    code = hs_fail(SRParameterError, what // " '" // trim(name) // "': the array has " // trim(have) // &
                   " elements but dims describe " // trim(want))
  end if
end function hs_check_count

end module fortran_c_interop
