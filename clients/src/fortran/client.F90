! client_type: SmartRedis 0.6.1's Fortran client over the hpcsim C API (c_client.h).
!
! Every binding is a function returning integer(kind=enum_kind) (SRNoError or an error code;
! get_last_error() of smartredis_errors says why), except where noted. Names and every element
! of inputs/outputs are len_trim-ed and sent with explicit lengths.
!
! Array order: put_tensor sends SRMemLayoutFortranContiguous with dims = shape(a), not
! reversed, and the library stores the tensor row-major with the same dims, so a(i,j,k) put
! from Fortran is t[i-1,j-1,k-1] in numpy (and in C), and unpack_tensor does the reverse. The
! data argument accepts any rank (assumed rank; a scalar gives a 0-d tensor) and must hold
! exactly product(dims) elements; a non-contiguous section is copied in (and out) by the
! compiler.

#ifdef __NVCOMPILER
#define HS_ARRAY dimension(*)
#define HS_SIZE(x) -1_c_size_t
#else
#define HS_ARRAY dimension(..), contiguous
#define HS_SIZE(x) size(x, kind=c_size_t)
#endif

module smartredis_client

use iso_c_binding, only : c_ptr, c_bool, c_null_ptr, c_char, c_int, c_associated
use iso_c_binding, only : c_int8_t, c_int16_t, c_int32_t, c_int64_t, c_float, c_double, c_size_t
use iso_c_binding, only : c_float_complex, c_double_complex
use iso_c_binding, only : c_loc, c_f_pointer
use, intrinsic :: iso_fortran_env, only : stderr => error_unit
use smartredis_dataset, only : dataset_type
use smartredis_configoptions, only : configoptions_type
use fortran_c_interop, only : enum_kind, hs_strings, hs_make_strings, hs_len, hs_fail, hs_check_count, &
                              hs_c_string, hs_c_chars

implicit none; private

#include "enum_fortran.inc"

! ---- the C functions (explicit interfaces: gfortran 12 miscompiles calls through
! `procedure(abstract_interface), bind(c, name=...)` declarations, passing value arguments by
! reference) -------------------------------------------------------------------------------
interface
  function delete_tensor_c(client, name, name_length) bind(c, name="delete_tensor")
    import :: c_ptr, c_char, c_size_t, enum_kind
    type(c_ptr), value :: client
    character(kind=c_char), dimension(*), intent(in) :: name
    integer(kind=c_size_t), value :: name_length
    integer(kind=enum_kind) :: delete_tensor_c
  end function delete_tensor_c

  function delete_model_c(client, name, name_length) bind(c, name="delete_model")
    import :: c_ptr, c_char, c_size_t, enum_kind
    type(c_ptr), value :: client
    character(kind=c_char), dimension(*), intent(in) :: name
    integer(kind=c_size_t), value :: name_length
    integer(kind=enum_kind) :: delete_model_c
  end function delete_model_c

  function delete_script_c(client, name, name_length) bind(c, name="delete_script")
    import :: c_ptr, c_char, c_size_t, enum_kind
    type(c_ptr), value :: client
    character(kind=c_char), dimension(*), intent(in) :: name
    integer(kind=c_size_t), value :: name_length
    integer(kind=enum_kind) :: delete_script_c
  end function delete_script_c

  function delete_dataset_c(client, name, name_length) bind(c, name="delete_dataset")
    import :: c_ptr, c_char, c_size_t, enum_kind
    type(c_ptr), value :: client
    character(kind=c_char), dimension(*), intent(in) :: name
    integer(kind=c_size_t), value :: name_length
    integer(kind=enum_kind) :: delete_dataset_c
  end function delete_dataset_c

  function delete_list_c(client, name, name_length) bind(c, name="delete_list")
    import :: c_ptr, c_char, c_size_t, enum_kind
    type(c_ptr), value :: client
    character(kind=c_char), dimension(*), intent(in) :: name
    integer(kind=c_size_t), value :: name_length
    integer(kind=enum_kind) :: delete_list_c
  end function delete_list_c

  function set_data_source_c(client, name, name_length) bind(c, name="set_data_source")
    import :: c_ptr, c_char, c_size_t, enum_kind
    type(c_ptr), value :: client
    character(kind=c_char), dimension(*), intent(in) :: name
    integer(kind=c_size_t), value :: name_length
    integer(kind=enum_kind) :: set_data_source_c
  end function set_data_source_c

  function rename_tensor_c(client, src, src_length, dest, dest_length) bind(c, name="rename_tensor")
    import :: c_ptr, c_char, c_size_t, enum_kind
    type(c_ptr), value :: client
    character(kind=c_char), dimension(*), intent(in) :: src
    integer(kind=c_size_t), value :: src_length
    character(kind=c_char), dimension(*), intent(in) :: dest
    integer(kind=c_size_t), value :: dest_length
    integer(kind=enum_kind) :: rename_tensor_c
  end function rename_tensor_c

  function copy_tensor_c(client, src, src_length, dest, dest_length) bind(c, name="copy_tensor")
    import :: c_ptr, c_char, c_size_t, enum_kind
    type(c_ptr), value :: client
    character(kind=c_char), dimension(*), intent(in) :: src
    integer(kind=c_size_t), value :: src_length
    character(kind=c_char), dimension(*), intent(in) :: dest
    integer(kind=c_size_t), value :: dest_length
    integer(kind=enum_kind) :: copy_tensor_c
  end function copy_tensor_c

  function rename_dataset_c(client, src, src_length, dest, dest_length) bind(c, name="rename_dataset")
    import :: c_ptr, c_char, c_size_t, enum_kind
    type(c_ptr), value :: client
    character(kind=c_char), dimension(*), intent(in) :: src
    integer(kind=c_size_t), value :: src_length
    character(kind=c_char), dimension(*), intent(in) :: dest
    integer(kind=c_size_t), value :: dest_length
    integer(kind=enum_kind) :: rename_dataset_c
  end function rename_dataset_c

  function copy_dataset_c(client, src, src_length, dest, dest_length) bind(c, name="copy_dataset")
    import :: c_ptr, c_char, c_size_t, enum_kind
    type(c_ptr), value :: client
    character(kind=c_char), dimension(*), intent(in) :: src
    integer(kind=c_size_t), value :: src_length
    character(kind=c_char), dimension(*), intent(in) :: dest
    integer(kind=c_size_t), value :: dest_length
    integer(kind=enum_kind) :: copy_dataset_c
  end function copy_dataset_c

  function copy_list_c(client, src, src_length, dest, dest_length) bind(c, name="copy_list")
    import :: c_ptr, c_char, c_size_t, enum_kind
    type(c_ptr), value :: client
    character(kind=c_char), dimension(*), intent(in) :: src
    integer(kind=c_size_t), value :: src_length
    character(kind=c_char), dimension(*), intent(in) :: dest
    integer(kind=c_size_t), value :: dest_length
    integer(kind=enum_kind) :: copy_list_c
  end function copy_list_c

  function rename_list_c(client, src, src_length, dest, dest_length) bind(c, name="rename_list")
    import :: c_ptr, c_char, c_size_t, enum_kind
    type(c_ptr), value :: client
    character(kind=c_char), dimension(*), intent(in) :: src
    integer(kind=c_size_t), value :: src_length
    character(kind=c_char), dimension(*), intent(in) :: dest
    integer(kind=c_size_t), value :: dest_length
    integer(kind=enum_kind) :: rename_list_c
  end function rename_list_c

  function key_exists_c(client, name, name_length, exists) bind(c, name="key_exists")
    import :: c_ptr, c_char, c_size_t, c_bool, enum_kind
    type(c_ptr), value :: client
    character(kind=c_char), dimension(*), intent(in) :: name
    integer(kind=c_size_t), value :: name_length
    logical(kind=c_bool), intent(out) :: exists
    integer(kind=enum_kind) :: key_exists_c
  end function key_exists_c

  function tensor_exists_c(client, name, name_length, exists) bind(c, name="tensor_exists")
    import :: c_ptr, c_char, c_size_t, c_bool, enum_kind
    type(c_ptr), value :: client
    character(kind=c_char), dimension(*), intent(in) :: name
    integer(kind=c_size_t), value :: name_length
    logical(kind=c_bool), intent(out) :: exists
    integer(kind=enum_kind) :: tensor_exists_c
  end function tensor_exists_c

  function model_exists_c(client, name, name_length, exists) bind(c, name="model_exists")
    import :: c_ptr, c_char, c_size_t, c_bool, enum_kind
    type(c_ptr), value :: client
    character(kind=c_char), dimension(*), intent(in) :: name
    integer(kind=c_size_t), value :: name_length
    logical(kind=c_bool), intent(out) :: exists
    integer(kind=enum_kind) :: model_exists_c
  end function model_exists_c

  function dataset_exists_c(client, name, name_length, exists) bind(c, name="dataset_exists")
    import :: c_ptr, c_char, c_size_t, c_bool, enum_kind
    type(c_ptr), value :: client
    character(kind=c_char), dimension(*), intent(in) :: name
    integer(kind=c_size_t), value :: name_length
    logical(kind=c_bool), intent(out) :: exists
    integer(kind=enum_kind) :: dataset_exists_c
  end function dataset_exists_c

  function poll_key_c(client, name, name_length, poll_frequency_ms, num_tries, exists) &
      bind(c, name="poll_key")
    import :: c_ptr, c_char, c_size_t, c_bool, c_int, enum_kind
    type(c_ptr), value :: client
    character(kind=c_char), dimension(*), intent(in) :: name
    integer(kind=c_size_t), value :: name_length
    integer(kind=c_int), value :: poll_frequency_ms
    integer(kind=c_int), value :: num_tries
    logical(kind=c_bool), intent(out) :: exists
    integer(kind=enum_kind) :: poll_key_c
  end function poll_key_c

  function poll_tensor_c(client, name, name_length, poll_frequency_ms, num_tries, exists) &
      bind(c, name="poll_tensor")
    import :: c_ptr, c_char, c_size_t, c_bool, c_int, enum_kind
    type(c_ptr), value :: client
    character(kind=c_char), dimension(*), intent(in) :: name
    integer(kind=c_size_t), value :: name_length
    integer(kind=c_int), value :: poll_frequency_ms
    integer(kind=c_int), value :: num_tries
    logical(kind=c_bool), intent(out) :: exists
    integer(kind=enum_kind) :: poll_tensor_c
  end function poll_tensor_c

  function poll_model_c(client, name, name_length, poll_frequency_ms, num_tries, exists) &
      bind(c, name="poll_model")
    import :: c_ptr, c_char, c_size_t, c_bool, c_int, enum_kind
    type(c_ptr), value :: client
    character(kind=c_char), dimension(*), intent(in) :: name
    integer(kind=c_size_t), value :: name_length
    integer(kind=c_int), value :: poll_frequency_ms
    integer(kind=c_int), value :: num_tries
    logical(kind=c_bool), intent(out) :: exists
    integer(kind=enum_kind) :: poll_model_c
  end function poll_model_c

  function poll_dataset_c(client, name, name_length, poll_frequency_ms, num_tries, exists) &
      bind(c, name="poll_dataset")
    import :: c_ptr, c_char, c_size_t, c_bool, c_int, enum_kind
    type(c_ptr), value :: client
    character(kind=c_char), dimension(*), intent(in) :: name
    integer(kind=c_size_t), value :: name_length
    integer(kind=c_int), value :: poll_frequency_ms
    integer(kind=c_int), value :: num_tries
    logical(kind=c_bool), intent(out) :: exists
    integer(kind=enum_kind) :: poll_dataset_c
  end function poll_dataset_c

  function poll_list_length_c(client, name, name_length, list_length, poll_frequency_ms, num_tries, result) &
      bind(c, name="poll_list_length")
    import :: c_ptr, c_char, c_size_t, c_bool, c_int, enum_kind
    type(c_ptr), value :: client
    character(kind=c_char), dimension(*), intent(in) :: name
    integer(kind=c_size_t), value :: name_length
    integer(kind=c_int), value :: list_length
    integer(kind=c_int), value :: poll_frequency_ms
    integer(kind=c_int), value :: num_tries
    logical(kind=c_bool), intent(out) :: result
    integer(kind=enum_kind) :: poll_list_length_c
  end function poll_list_length_c

  function poll_list_length_gte_c(client, name, name_length, list_length, poll_frequency_ms, num_tries, result) &
      bind(c, name="poll_list_length_gte")
    import :: c_ptr, c_char, c_size_t, c_bool, c_int, enum_kind
    type(c_ptr), value :: client
    character(kind=c_char), dimension(*), intent(in) :: name
    integer(kind=c_size_t), value :: name_length
    integer(kind=c_int), value :: list_length
    integer(kind=c_int), value :: poll_frequency_ms
    integer(kind=c_int), value :: num_tries
    logical(kind=c_bool), intent(out) :: result
    integer(kind=enum_kind) :: poll_list_length_gte_c
  end function poll_list_length_gte_c

  function poll_list_length_lte_c(client, name, name_length, list_length, poll_frequency_ms, num_tries, result) &
      bind(c, name="poll_list_length_lte")
    import :: c_ptr, c_char, c_size_t, c_bool, c_int, enum_kind
    type(c_ptr), value :: client
    character(kind=c_char), dimension(*), intent(in) :: name
    integer(kind=c_size_t), value :: name_length
    integer(kind=c_int), value :: list_length
    integer(kind=c_int), value :: poll_frequency_ms
    integer(kind=c_int), value :: num_tries
    logical(kind=c_bool), intent(out) :: result
    integer(kind=enum_kind) :: poll_list_length_lte_c
  end function poll_list_length_lte_c

  function use_tensor_ensemble_prefix_c(client, use_prefix) bind(c, name="use_tensor_ensemble_prefix")
    import :: c_ptr, c_bool, enum_kind
    type(c_ptr), value :: client
    logical(kind=c_bool), value :: use_prefix
    integer(kind=enum_kind) :: use_tensor_ensemble_prefix_c
  end function use_tensor_ensemble_prefix_c

  function use_dataset_ensemble_prefix_c(client, use_prefix) bind(c, name="use_dataset_ensemble_prefix")
    import :: c_ptr, c_bool, enum_kind
    type(c_ptr), value :: client
    logical(kind=c_bool), value :: use_prefix
    integer(kind=enum_kind) :: use_dataset_ensemble_prefix_c
  end function use_dataset_ensemble_prefix_c

  function use_model_ensemble_prefix_c(client, use_prefix) bind(c, name="use_model_ensemble_prefix")
    import :: c_ptr, c_bool, enum_kind
    type(c_ptr), value :: client
    logical(kind=c_bool), value :: use_prefix
    integer(kind=enum_kind) :: use_model_ensemble_prefix_c
  end function use_model_ensemble_prefix_c

  function use_list_ensemble_prefix_c(client, use_prefix) bind(c, name="use_list_ensemble_prefix")
    import :: c_ptr, c_bool, enum_kind
    type(c_ptr), value :: client
    logical(kind=c_bool), value :: use_prefix
    integer(kind=enum_kind) :: use_list_ensemble_prefix_c
  end function use_list_ensemble_prefix_c

  function delete_model_multigpu_c(client, name, name_length, first_gpu, num_gpus) &
      bind(c, name="delete_model_multigpu")
    import :: c_ptr, c_char, c_size_t, c_int, enum_kind
    type(c_ptr), value :: client
    character(kind=c_char), dimension(*), intent(in) :: name
    integer(kind=c_size_t), value :: name_length
    integer(kind=c_int), value :: first_gpu
    integer(kind=c_int), value :: num_gpus
    integer(kind=enum_kind) :: delete_model_multigpu_c
  end function delete_model_multigpu_c

  function delete_script_multigpu_c(client, name, name_length, first_gpu, num_gpus) &
      bind(c, name="delete_script_multigpu")
    import :: c_ptr, c_char, c_size_t, c_int, enum_kind
    type(c_ptr), value :: client
    character(kind=c_char), dimension(*), intent(in) :: name
    integer(kind=c_size_t), value :: name_length
    integer(kind=c_int), value :: first_gpu
    integer(kind=c_int), value :: num_gpus
    integer(kind=enum_kind) :: delete_script_multigpu_c
  end function delete_script_multigpu_c

  function put_tensor_c(client, name, name_length, data, dims, n_dims, data_type, mem_layout) &
      bind(c, name="put_tensor")
    import :: c_ptr, c_char, c_size_t, enum_kind
    type(c_ptr), value :: client
    character(kind=c_char), dimension(*), intent(in) :: name
    integer(kind=c_size_t), value :: name_length
    type(c_ptr), value :: data
    integer(kind=c_size_t), dimension(*), intent(in) :: dims
    integer(kind=c_size_t), value :: n_dims
    integer(kind=enum_kind), value :: data_type
    integer(kind=enum_kind), value :: mem_layout
    integer(kind=enum_kind) :: put_tensor_c
  end function put_tensor_c

  function unpack_tensor_c(client, name, name_length, data, dims, n_dims, data_type, mem_layout) &
      bind(c, name="unpack_tensor")
    import :: c_ptr, c_char, c_size_t, enum_kind
    type(c_ptr), value :: client
    character(kind=c_char), dimension(*), intent(in) :: name
    integer(kind=c_size_t), value :: name_length
    type(c_ptr), value :: data
    integer(kind=c_size_t), dimension(*), intent(in) :: dims
    integer(kind=c_size_t), value :: n_dims
    integer(kind=enum_kind), value :: data_type
    integer(kind=enum_kind), value :: mem_layout
    integer(kind=enum_kind) :: unpack_tensor_c
  end function unpack_tensor_c

  function set_model_c(client, name, name_length, model, model_length, backend, backend_length, &
                        device, device_length, batch_size, min_batch_size, min_batch_timeout, tag, tag_length, &
                        inputs, input_lengths, n_inputs, outputs, output_lengths, n_outputs) &
      bind(c, name="set_model")
    import :: c_ptr, c_char, c_size_t, c_int, enum_kind
    type(c_ptr), value :: client
    character(kind=c_char), dimension(*), intent(in) :: name
    integer(kind=c_size_t), value :: name_length
    character(kind=c_char), dimension(*), intent(in) :: model
    integer(kind=c_size_t), value :: model_length
    character(kind=c_char), dimension(*), intent(in) :: backend
    integer(kind=c_size_t), value :: backend_length
    character(kind=c_char), dimension(*), intent(in) :: device
    integer(kind=c_size_t), value :: device_length
    integer(kind=c_int), value :: batch_size, min_batch_size, min_batch_timeout
    character(kind=c_char), dimension(*), intent(in) :: tag
    integer(kind=c_size_t), value :: tag_length
    type(c_ptr), dimension(*), intent(in) :: inputs
    integer(kind=c_size_t), dimension(*), intent(in) :: input_lengths
    integer(kind=c_size_t), value :: n_inputs
    type(c_ptr), dimension(*), intent(in) :: outputs
    integer(kind=c_size_t), dimension(*), intent(in) :: output_lengths
    integer(kind=c_size_t), value :: n_outputs
    integer(kind=enum_kind) :: set_model_c
  end function set_model_c

  function set_model_from_file_c(client, name, name_length, model, model_length, backend, backend_length, &
                        device, device_length, batch_size, min_batch_size, min_batch_timeout, tag, tag_length, &
                        inputs, input_lengths, n_inputs, outputs, output_lengths, n_outputs) &
      bind(c, name="set_model_from_file")
    import :: c_ptr, c_char, c_size_t, c_int, enum_kind
    type(c_ptr), value :: client
    character(kind=c_char), dimension(*), intent(in) :: name
    integer(kind=c_size_t), value :: name_length
    character(kind=c_char), dimension(*), intent(in) :: model
    integer(kind=c_size_t), value :: model_length
    character(kind=c_char), dimension(*), intent(in) :: backend
    integer(kind=c_size_t), value :: backend_length
    character(kind=c_char), dimension(*), intent(in) :: device
    integer(kind=c_size_t), value :: device_length
    integer(kind=c_int), value :: batch_size, min_batch_size, min_batch_timeout
    character(kind=c_char), dimension(*), intent(in) :: tag
    integer(kind=c_size_t), value :: tag_length
    type(c_ptr), dimension(*), intent(in) :: inputs
    integer(kind=c_size_t), dimension(*), intent(in) :: input_lengths
    integer(kind=c_size_t), value :: n_inputs
    type(c_ptr), dimension(*), intent(in) :: outputs
    integer(kind=c_size_t), dimension(*), intent(in) :: output_lengths
    integer(kind=c_size_t), value :: n_outputs
    integer(kind=enum_kind) :: set_model_from_file_c
  end function set_model_from_file_c

  function set_model_multigpu_c(client, name, name_length, model, model_length, backend, backend_length, &
                                 first_gpu, num_gpus, batch_size, min_batch_size, min_batch_timeout, tag, &
                                 tag_length, inputs, input_lengths, n_inputs, outputs, output_lengths, &
                                 n_outputs) bind(c, name="set_model_multigpu")
    import :: c_ptr, c_char, c_size_t, c_int, enum_kind
    type(c_ptr), value :: client
    character(kind=c_char), dimension(*), intent(in) :: name
    integer(kind=c_size_t), value :: name_length
    character(kind=c_char), dimension(*), intent(in) :: model
    integer(kind=c_size_t), value :: model_length
    character(kind=c_char), dimension(*), intent(in) :: backend
    integer(kind=c_size_t), value :: backend_length
    integer(kind=c_int), value :: first_gpu, num_gpus
    integer(kind=c_int), value :: batch_size, min_batch_size, min_batch_timeout
    character(kind=c_char), dimension(*), intent(in) :: tag
    integer(kind=c_size_t), value :: tag_length
    type(c_ptr), dimension(*), intent(in) :: inputs
    integer(kind=c_size_t), dimension(*), intent(in) :: input_lengths
    integer(kind=c_size_t), value :: n_inputs
    type(c_ptr), dimension(*), intent(in) :: outputs
    integer(kind=c_size_t), dimension(*), intent(in) :: output_lengths
    integer(kind=c_size_t), value :: n_outputs
    integer(kind=enum_kind) :: set_model_multigpu_c
  end function set_model_multigpu_c

  function set_model_from_file_multigpu_c(client, name, name_length, model, model_length, backend, backend_length, &
                                 first_gpu, num_gpus, batch_size, min_batch_size, min_batch_timeout, tag, &
                                 tag_length, inputs, input_lengths, n_inputs, outputs, output_lengths, &
                                 n_outputs) bind(c, name="set_model_from_file_multigpu")
    import :: c_ptr, c_char, c_size_t, c_int, enum_kind
    type(c_ptr), value :: client
    character(kind=c_char), dimension(*), intent(in) :: name
    integer(kind=c_size_t), value :: name_length
    character(kind=c_char), dimension(*), intent(in) :: model
    integer(kind=c_size_t), value :: model_length
    character(kind=c_char), dimension(*), intent(in) :: backend
    integer(kind=c_size_t), value :: backend_length
    integer(kind=c_int), value :: first_gpu, num_gpus
    integer(kind=c_int), value :: batch_size, min_batch_size, min_batch_timeout
    character(kind=c_char), dimension(*), intent(in) :: tag
    integer(kind=c_size_t), value :: tag_length
    type(c_ptr), dimension(*), intent(in) :: inputs
    integer(kind=c_size_t), dimension(*), intent(in) :: input_lengths
    integer(kind=c_size_t), value :: n_inputs
    type(c_ptr), dimension(*), intent(in) :: outputs
    integer(kind=c_size_t), dimension(*), intent(in) :: output_lengths
    integer(kind=c_size_t), value :: n_outputs
    integer(kind=enum_kind) :: set_model_from_file_multigpu_c
  end function set_model_from_file_multigpu_c

  function set_script_c(client, name, name_length, device, device_length, script, script_length) &
      bind(c, name="set_script")
    import :: c_ptr, c_char, c_size_t, enum_kind
    type(c_ptr), value :: client
    character(kind=c_char), dimension(*), intent(in) :: name
    integer(kind=c_size_t), value :: name_length
    character(kind=c_char), dimension(*), intent(in) :: device
    integer(kind=c_size_t), value :: device_length
    character(kind=c_char), dimension(*), intent(in) :: script
    integer(kind=c_size_t), value :: script_length
    integer(kind=enum_kind) :: set_script_c
  end function set_script_c

  function set_script_from_file_c(client, name, name_length, device, device_length, script, script_length) &
      bind(c, name="set_script_from_file")
    import :: c_ptr, c_char, c_size_t, enum_kind
    type(c_ptr), value :: client
    character(kind=c_char), dimension(*), intent(in) :: name
    integer(kind=c_size_t), value :: name_length
    character(kind=c_char), dimension(*), intent(in) :: device
    integer(kind=c_size_t), value :: device_length
    character(kind=c_char), dimension(*), intent(in) :: script
    integer(kind=c_size_t), value :: script_length
    integer(kind=enum_kind) :: set_script_from_file_c
  end function set_script_from_file_c

  function set_script_multigpu_c(client, name, name_length, script, script_length, first_gpu, num_gpus) &
      bind(c, name="set_script_multigpu")
    import :: c_ptr, c_char, c_size_t, c_int, enum_kind
    type(c_ptr), value :: client
    character(kind=c_char), dimension(*), intent(in) :: name
    integer(kind=c_size_t), value :: name_length
    character(kind=c_char), dimension(*), intent(in) :: script
    integer(kind=c_size_t), value :: script_length
    integer(kind=c_int), value :: first_gpu, num_gpus
    integer(kind=enum_kind) :: set_script_multigpu_c
  end function set_script_multigpu_c

  function set_script_from_file_multigpu_c(client, name, name_length, script, script_length, first_gpu, num_gpus) &
      bind(c, name="set_script_from_file_multigpu")
    import :: c_ptr, c_char, c_size_t, c_int, enum_kind
    type(c_ptr), value :: client
    character(kind=c_char), dimension(*), intent(in) :: name
    integer(kind=c_size_t), value :: name_length
    character(kind=c_char), dimension(*), intent(in) :: script
    integer(kind=c_size_t), value :: script_length
    integer(kind=c_int), value :: first_gpu, num_gpus
    integer(kind=enum_kind) :: set_script_from_file_multigpu_c
  end function set_script_from_file_multigpu_c

  function get_dataset_list_range_c(client, name, name_length, start_index, end_index, datasets, num_datasets) &
      bind(c, name="get_dataset_list_range")
    import :: c_ptr, c_char, c_size_t, c_int, enum_kind
    type(c_ptr), value :: client
    character(kind=c_char), dimension(*), intent(in) :: name
    integer(kind=c_size_t), value :: name_length
    integer(kind=c_int), value :: start_index, end_index
    type(c_ptr), intent(out) :: datasets
    integer(kind=c_size_t), intent(out) :: num_datasets
    integer(kind=enum_kind) :: get_dataset_list_range_c
  end function get_dataset_list_range_c
end interface

interface
  function c_simple_constructor(logger_name, logger_name_length, new_client) &
      bind(c, name="SimpleCreateClient")
    import :: c_ptr, c_char, c_size_t, enum_kind
    character(kind=c_char), dimension(*), intent(in) :: logger_name
    integer(kind=c_size_t), value :: logger_name_length
    type(c_ptr), intent(inout) :: new_client
    integer(kind=enum_kind) :: c_simple_constructor
  end function c_simple_constructor

  function c_constructor(cfgopts, logger_name, logger_name_length, new_client) bind(c, name="CreateClient")
    import :: c_ptr, c_char, c_size_t, enum_kind
    type(c_ptr), value :: cfgopts
    character(kind=c_char), dimension(*), intent(in) :: logger_name
    integer(kind=c_size_t), value :: logger_name_length
    type(c_ptr), intent(inout) :: new_client
    integer(kind=enum_kind) :: c_constructor
  end function c_constructor

  function c_deprecated_constructor(cluster, logger_name, logger_name_length, new_client) &
      bind(c, name="SmartRedisCClient")
    import :: c_ptr, c_bool, c_char, c_size_t, enum_kind
    logical(kind=c_bool), value :: cluster
    character(kind=c_char), dimension(*), intent(in) :: logger_name
    integer(kind=c_size_t), value :: logger_name_length
    type(c_ptr), intent(inout) :: new_client
    integer(kind=enum_kind) :: c_deprecated_constructor
  end function c_deprecated_constructor

  function c_destructor(client) bind(c, name="DeleteCClient")
    import :: c_ptr, enum_kind
    type(c_ptr), intent(inout) :: client
    integer(kind=enum_kind) :: c_destructor
  end function c_destructor

  function client_to_string_c(client) bind(c, name="client_to_string")
    import :: c_ptr
    type(c_ptr), value :: client
    type(c_ptr) :: client_to_string_c
  end function client_to_string_c

  ! size_t* model_length comes BEFORE const char** model (SmartRedis's Fortran binding swaps them)
  function get_model_c(client, name, name_length, model_length, model) bind(c, name="get_model")
    import :: c_ptr, c_char, c_size_t, enum_kind
    type(c_ptr), value :: client
    character(kind=c_char), dimension(*), intent(in) :: name
    integer(kind=c_size_t), value :: name_length
    integer(kind=c_size_t), intent(out) :: model_length
    type(c_ptr), intent(out) :: model
    integer(kind=enum_kind) :: get_model_c
  end function get_model_c

  ! const char** script comes BEFORE size_t* script_length
  function get_script_c(client, name, name_length, script, script_length) bind(c, name="get_script")
    import :: c_ptr, c_char, c_size_t, enum_kind
    type(c_ptr), value :: client
    character(kind=c_char), dimension(*), intent(in) :: name
    integer(kind=c_size_t), value :: name_length
    type(c_ptr), intent(out) :: script
    integer(kind=c_size_t), intent(out) :: script_length
    integer(kind=enum_kind) :: get_script_c
  end function get_script_c

  function run_script_c(client, name, name_length, func, func_length, inputs, input_lengths, n_inputs, &
                        outputs, output_lengths, n_outputs) bind(c, name="run_script")
    import :: c_ptr, c_char, c_size_t, enum_kind
    type(c_ptr), value :: client
    character(kind=c_char), dimension(*), intent(in) :: name
    integer(kind=c_size_t), value :: name_length
    character(kind=c_char), dimension(*), intent(in) :: func
    integer(kind=c_size_t), value :: func_length
    type(c_ptr), dimension(*), intent(in) :: inputs
    integer(kind=c_size_t), dimension(*), intent(in) :: input_lengths
    integer(kind=c_size_t), value :: n_inputs
    type(c_ptr), dimension(*), intent(in) :: outputs
    integer(kind=c_size_t), dimension(*), intent(in) :: output_lengths
    integer(kind=c_size_t), value :: n_outputs
    integer(kind=enum_kind) :: run_script_c
  end function run_script_c

  function run_script_multigpu_c(client, name, name_length, func, func_length, inputs, input_lengths, n_inputs, &
                                 outputs, output_lengths, n_outputs, offset, first_gpu, num_gpus) &
      bind(c, name="run_script_multigpu")
    import :: c_ptr, c_char, c_size_t, c_int, enum_kind
    type(c_ptr), value :: client
    character(kind=c_char), dimension(*), intent(in) :: name
    integer(kind=c_size_t), value :: name_length
    character(kind=c_char), dimension(*), intent(in) :: func
    integer(kind=c_size_t), value :: func_length
    type(c_ptr), dimension(*), intent(in) :: inputs
    integer(kind=c_size_t), dimension(*), intent(in) :: input_lengths
    integer(kind=c_size_t), value :: n_inputs
    type(c_ptr), dimension(*), intent(in) :: outputs
    integer(kind=c_size_t), dimension(*), intent(in) :: output_lengths
    integer(kind=c_size_t), value :: n_outputs
    integer(kind=c_int), value :: offset, first_gpu, num_gpus
    integer(kind=enum_kind) :: run_script_multigpu_c
  end function run_script_multigpu_c

  function run_model_c(client, name, name_length, inputs, input_lengths, n_inputs, &
                       outputs, output_lengths, n_outputs) bind(c, name="run_model")
    import :: c_ptr, c_char, c_size_t, enum_kind
    type(c_ptr), value :: client
    character(kind=c_char), dimension(*), intent(in) :: name
    integer(kind=c_size_t), value :: name_length
    type(c_ptr), dimension(*), intent(in) :: inputs
    integer(kind=c_size_t), dimension(*), intent(in) :: input_lengths
    integer(kind=c_size_t), value :: n_inputs
    type(c_ptr), dimension(*), intent(in) :: outputs
    integer(kind=c_size_t), dimension(*), intent(in) :: output_lengths
    integer(kind=c_size_t), value :: n_outputs
    integer(kind=enum_kind) :: run_model_c
  end function run_model_c

  function run_model_multigpu_c(client, name, name_length, inputs, input_lengths, n_inputs, &
                                outputs, output_lengths, n_outputs, offset, first_gpu, num_gpus) &
      bind(c, name="run_model_multigpu")
    import :: c_ptr, c_char, c_size_t, c_int, enum_kind
    type(c_ptr), value :: client
    character(kind=c_char), dimension(*), intent(in) :: name
    integer(kind=c_size_t), value :: name_length
    type(c_ptr), dimension(*), intent(in) :: inputs
    integer(kind=c_size_t), dimension(*), intent(in) :: input_lengths
    integer(kind=c_size_t), value :: n_inputs
    type(c_ptr), dimension(*), intent(in) :: outputs
    integer(kind=c_size_t), dimension(*), intent(in) :: output_lengths
    integer(kind=c_size_t), value :: n_outputs
    integer(kind=c_int), value :: offset, first_gpu, num_gpus
    integer(kind=enum_kind) :: run_model_multigpu_c
  end function run_model_multigpu_c

  function put_dataset_c(client, dataset) bind(c, name="put_dataset")
    import :: c_ptr, enum_kind
    type(c_ptr), value :: client
    type(c_ptr), value :: dataset
    integer(kind=enum_kind) :: put_dataset_c
  end function put_dataset_c

  function get_dataset_c(client, name, name_length, dataset) bind(c, name="get_dataset")
    import :: c_ptr, c_char, c_size_t, enum_kind
    type(c_ptr), value :: client
    character(kind=c_char), dimension(*), intent(in) :: name
    integer(kind=c_size_t), value :: name_length
    type(c_ptr), intent(inout) :: dataset
    integer(kind=enum_kind) :: get_dataset_c
  end function get_dataset_c

  function append_to_list_c(client, list_name, list_name_length, dataset) bind(c, name="append_to_list")
    import :: c_ptr, c_char, c_size_t, enum_kind
    type(c_ptr), value :: client
    character(kind=c_char), dimension(*), intent(in) :: list_name
    integer(kind=c_size_t), value :: list_name_length
    type(c_ptr), value :: dataset
    integer(kind=enum_kind) :: append_to_list_c
  end function append_to_list_c

  function get_list_length_c(client, list_name, list_name_length, result_length) &
      bind(c, name="get_list_length")
    import :: c_ptr, c_char, c_size_t, c_int, enum_kind
    type(c_ptr), value :: client
    character(kind=c_char), dimension(*), intent(in) :: list_name
    integer(kind=c_size_t), value :: list_name_length
    integer(kind=c_int), intent(out) :: result_length
    integer(kind=enum_kind) :: get_list_length_c
  end function get_list_length_c

  function get_datasets_from_list_c(client, list_name, list_name_length, datasets, num_datasets) &
      bind(c, name="get_datasets_from_list")
    import :: c_ptr, c_char, c_size_t, enum_kind
    type(c_ptr), value :: client
    character(kind=c_char), dimension(*), intent(in) :: list_name
    integer(kind=c_size_t), value :: list_name_length
    type(c_ptr), intent(out) :: datasets
    integer(kind=c_size_t), intent(out) :: num_datasets
    integer(kind=enum_kind) :: get_datasets_from_list_c
  end function get_datasets_from_list_c

  function log_metric_c(client, name, name_length, step, value) bind(c, name="log_metric")
    import :: c_ptr, c_char, c_size_t, c_int64_t, c_double, enum_kind
    type(c_ptr), value :: client
    character(kind=c_char), dimension(*), intent(in) :: name
    integer(kind=c_size_t), value :: name_length
    integer(kind=c_int64_t), value :: step
    real(kind=c_double), value :: value
    integer(kind=enum_kind) :: log_metric_c
  end function log_metric_c

  function last_error_c() bind(c, name="SRGetLastError")
    import :: c_ptr
    type(c_ptr) :: last_error_c
  end function last_error_c

  subroutine hpcsim_free(p) bind(c, name="hpcsim_free")
    import :: c_ptr
    type(c_ptr), value :: p
  end subroutine hpcsim_free
end interface

public :: enum_kind

!> A connection to one database. Components are private; it has no finalizer (call
!! destructor()).
type, public :: client_type
  private
  type(c_ptr) :: client_ptr = c_null_ptr
  logical :: is_initialized = .false.

contains

  generic :: initialize => initialize_client_deprecated, initialize_client_simple, initialize_client_cfgopts
  generic :: put_tensor => put_tensor_i8, put_tensor_i16, put_tensor_i32, put_tensor_i64, &
                           put_tensor_float, put_tensor_double, &
                           put_tensor_bool, put_tensor_cfloat, put_tensor_cdouble
  generic :: unpack_tensor => unpack_tensor_i8, unpack_tensor_i16, unpack_tensor_i32, unpack_tensor_i64, &
                              unpack_tensor_float, unpack_tensor_double, &
                              unpack_tensor_bool, unpack_tensor_cfloat, unpack_tensor_cdouble
  generic :: log_metric => log_metric_int_float, log_metric_int_double, log_metric_i64_float, log_metric_i64_double

  procedure :: SR_error_parser
  procedure :: isinitialized
  procedure :: destructor
  procedure :: get_c_pointer
  procedure :: key_exists
  procedure :: tensor_exists
  procedure :: model_exists
  procedure :: dataset_exists
  procedure :: poll_key
  procedure :: poll_tensor
  procedure :: poll_model
  procedure :: poll_dataset
  procedure :: rename_tensor
  procedure :: delete_tensor
  procedure :: copy_tensor
  procedure :: set_model_from_file
  procedure :: set_model_from_file_multigpu
  procedure :: set_model
  procedure :: set_model_multigpu
  procedure :: get_model
  procedure :: set_script_from_file
  procedure :: set_script_from_file_multigpu
  procedure :: set_script
  procedure :: set_script_multigpu
  procedure :: get_script
  procedure :: run_script
  procedure :: run_script_multigpu
  procedure :: run_model
  procedure :: run_model_multigpu
  procedure :: delete_script
  procedure :: delete_script_multigpu
  procedure :: delete_model
  procedure :: delete_model_multigpu
  procedure :: put_dataset
  procedure :: get_dataset
  procedure :: rename_dataset
  procedure :: copy_dataset
  procedure :: delete_dataset
  procedure :: use_tensor_ensemble_prefix
  procedure :: use_dataset_ensemble_prefix
  procedure :: use_model_ensemble_prefix
  procedure :: use_list_ensemble_prefix
  procedure :: set_data_source
  procedure :: append_to_list
  procedure :: delete_list
  procedure :: copy_list
  procedure :: rename_list
  procedure :: get_list_length
  procedure :: poll_list_length
  procedure :: poll_list_length_gte
  procedure :: poll_list_length_lte
  procedure :: get_datasets_from_list
  procedure :: get_datasets_from_list_range
  procedure :: to_string
  procedure :: print_client

  procedure, private :: initialize_client_deprecated, initialize_client_simple, initialize_client_cfgopts
  procedure, private :: put_tensor_i8, put_tensor_i16, put_tensor_i32, put_tensor_i64
  procedure, private :: put_tensor_float, put_tensor_double
  procedure, private :: put_tensor_bool, put_tensor_cfloat, put_tensor_cdouble
  procedure, private :: unpack_tensor_i8, unpack_tensor_i16, unpack_tensor_i32, unpack_tensor_i64
  procedure, private :: unpack_tensor_float, unpack_tensor_double
  procedure, private :: unpack_tensor_bool, unpack_tensor_cfloat, unpack_tensor_cdouble
  procedure, private :: log_metric_int_float, log_metric_int_double, log_metric_i64_float, log_metric_i64_double
end type client_type

contains

! ---- lifecycle -------------------------------------------------------------------------------

!> True when `response_code` is an error (after writing its class, and the message of the last
!! error, to standard error); false for SRNoError. As in SmartRedis, this prints.
function SR_error_parser(self, response_code) result(is_error)
  class(client_type), intent(in) :: self
  integer(kind=enum_kind), intent(in) :: response_code
  logical :: is_error

  character(len=:), allocatable :: kind_of_error

  is_error = .true.
  if (.not. self%isinitialized()) then
    write(stderr, '(a)') "SmartRedis Client has not been initialized"
    return
  end if
  select case (response_code)
  case (SRNoError)
    is_error = .false.
    return
  case (SRBadAllocError)
    kind_of_error = "Memory allocation error"
  case (SRDatabaseError)
    kind_of_error = "Backend database error"
  case (SRInternalError)
    kind_of_error = "Internal SmartRedis error"
  case (SRRuntimeError)
    kind_of_error = "Runtime error executing an operation"
  case (SRParameterError)
    kind_of_error = "Bad parameter error"
  case (SRTimeoutError)
    kind_of_error = "Timeout error"
  case (SRKeyError)
    kind_of_error = "Key error"
  case (SRTypeError)
    kind_of_error = "Type mismatch error"
  case default
    kind_of_error = "Invalid or uninitialized response code"
  end select
  write(stderr, '(a)') kind_of_error // ": " // hs_c_string(last_error_c())
end function SR_error_parser

!> A client configured from the environment (HPCSIM_DB / SSDB ..., no suffix).
function initialize_client_simple(self, logger_name) result(code)
  class(client_type), intent(inout) :: self
  character(len=*), optional, intent(in) :: logger_name
  integer(kind=enum_kind) :: code

  if (present(logger_name)) then
    code = c_simple_constructor(logger_name, hs_len(logger_name), self%client_ptr)
  else
    code = c_simple_constructor('default', 7_c_size_t, self%client_ptr)
  end if
  self%is_initialized = code == SRNoError
end function initialize_client_simple

!> A client configured by `cfgopts` (copied; the caller keeps it).
function initialize_client_cfgopts(self, cfgopts, logger_name) result(code)
  class(client_type), intent(inout) :: self
  type(configoptions_type), intent(in) :: cfgopts
  character(len=*), optional, intent(in) :: logger_name
  integer(kind=enum_kind) :: code

  if (present(logger_name)) then
    code = c_constructor(cfgopts%get_c_pointer(), logger_name, hs_len(logger_name), self%client_ptr)
  else
    code = c_constructor(cfgopts%get_c_pointer(), 'default', 7_c_size_t, self%client_ptr)
  end if
  self%is_initialized = code == SRNoError
end function initialize_client_cfgopts

!> Deprecated: `cluster` chooses the database type instead of HPCSIM_DB_TYPE / SR_DB_TYPE.
function initialize_client_deprecated(self, cluster, logger_name) result(code)
  class(client_type), intent(inout) :: self
  logical, intent(in) :: cluster
  character(len=*), optional, intent(in) :: logger_name
  integer(kind=enum_kind) :: code

  if (present(logger_name)) then
    code = c_deprecated_constructor(logical(cluster, kind=c_bool), logger_name, hs_len(logger_name), &
                                    self%client_ptr)
  else
    code = c_deprecated_constructor(logical(cluster, kind=c_bool), 'default', 7_c_size_t, self%client_ptr)
  end if
  self%is_initialized = code == SRNoError
end function initialize_client_deprecated

logical function isinitialized(self)
  class(client_type), intent(in) :: self
  isinitialized = self%is_initialized
end function isinitialized

!> Closes the connections and frees everything the client owns.
function destructor(self) result(code)
  class(client_type), intent(inout) :: self
  integer(kind=enum_kind) :: code

  code = c_destructor(self%client_ptr)
  self%client_ptr = c_null_ptr
  self%is_initialized = .false.
end function destructor

function get_c_pointer(self)
  class(client_type), intent(in) :: self
  type(c_ptr) :: get_c_pointer
  get_c_pointer = self%client_ptr
end function get_c_pointer

! ---- existence and polling --------------------------------------------------------------------

!> Whether `key` exists (used as is, without a prefix).
function key_exists(self, key, exists) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: key
  logical, intent(out) :: exists
  integer(kind=enum_kind) :: code
  logical(kind=c_bool) :: c_exists
  c_exists = .false.
  code = key_exists_c(self%client_ptr, key, hs_len(key), c_exists)
  exists = c_exists
end function key_exists

function tensor_exists(self, tensor_name, exists) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: tensor_name
  logical, intent(out) :: exists
  integer(kind=enum_kind) :: code
  logical(kind=c_bool) :: c_exists
  c_exists = .false.
  code = tensor_exists_c(self%client_ptr, tensor_name, hs_len(tensor_name), c_exists)
  exists = c_exists
end function tensor_exists

function model_exists(self, model_name, exists) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: model_name
  logical, intent(out) :: exists
  integer(kind=enum_kind) :: code
  logical(kind=c_bool) :: c_exists
  c_exists = .false.
  code = model_exists_c(self%client_ptr, model_name, hs_len(model_name), c_exists)
  exists = c_exists
end function model_exists

function dataset_exists(self, dataset_name, exists) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: dataset_name
  logical, intent(out) :: exists
  integer(kind=enum_kind) :: code
  logical(kind=c_bool) :: c_exists
  c_exists = .false.
  code = dataset_exists_c(self%client_ptr, dataset_name, hs_len(dataset_name), c_exists)
  exists = c_exists
end function dataset_exists

!> Checks up to num_tries times, poll_frequency_ms apart (not found: SRNoError, .false.).
function poll_key(self, key, poll_frequency_ms, num_tries, exists) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: key
  integer, intent(in) :: poll_frequency_ms, num_tries
  logical, intent(out) :: exists
  integer(kind=enum_kind) :: code
  logical(kind=c_bool) :: c_exists
  c_exists = .false.
  code = poll_key_c(self%client_ptr, key, hs_len(key), int(poll_frequency_ms, c_int), int(num_tries, c_int), &
                    c_exists)
  exists = c_exists
end function poll_key

function poll_tensor(self, tensor_name, poll_frequency_ms, num_tries, exists) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: tensor_name
  integer, intent(in) :: poll_frequency_ms, num_tries
  logical, intent(out) :: exists
  integer(kind=enum_kind) :: code
  logical(kind=c_bool) :: c_exists
  c_exists = .false.
  code = poll_tensor_c(self%client_ptr, tensor_name, hs_len(tensor_name), int(poll_frequency_ms, c_int), &
                       int(num_tries, c_int), c_exists)
  exists = c_exists
end function poll_tensor

function poll_model(self, model_name, poll_frequency_ms, num_tries, exists) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: model_name
  integer, intent(in) :: poll_frequency_ms, num_tries
  logical, intent(out) :: exists
  integer(kind=enum_kind) :: code
  logical(kind=c_bool) :: c_exists
  c_exists = .false.
  code = poll_model_c(self%client_ptr, model_name, hs_len(model_name), int(poll_frequency_ms, c_int), &
                      int(num_tries, c_int), c_exists)
  exists = c_exists
end function poll_model

function poll_dataset(self, dataset_name, poll_frequency_ms, num_tries, exists) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: dataset_name
  integer, intent(in) :: poll_frequency_ms, num_tries
  logical, intent(out) :: exists
  integer(kind=enum_kind) :: code
  logical(kind=c_bool) :: c_exists
  c_exists = .false.
  code = poll_dataset_c(self%client_ptr, dataset_name, hs_len(dataset_name), int(poll_frequency_ms, c_int), &
                        int(num_tries, c_int), c_exists)
  exists = c_exists
end function poll_dataset

! ---- tensors ----------------------------------------------------------------------------------

function put_tensor_common(self, name, data, n_elements, dims, data_type) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: name
  type(c_ptr), intent(in) :: data
  integer(kind=c_size_t), intent(in) :: n_elements
  integer, dimension(:), intent(in) :: dims
  integer(kind=enum_kind), intent(in) :: data_type
  integer(kind=enum_kind) :: code

  integer(kind=c_size_t), dimension(max(size(dims), 1)) :: c_dims

  code = hs_check_count("put_tensor", name, n_elements, dims)
  if (code /= SRNoError) return
  c_dims = 0
  c_dims(1:size(dims)) = int(dims, kind=c_size_t)
  code = put_tensor_c(self%client_ptr, name, hs_len(name), data, c_dims, size(dims, kind=c_size_t), &
                      data_type, c_fortran_contiguous)
end function put_tensor_common

function unpack_tensor_common(self, name, data, n_elements, dims, data_type) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: name
  type(c_ptr), intent(in) :: data
  integer(kind=c_size_t), intent(in) :: n_elements
  integer, dimension(:), intent(in) :: dims
  integer(kind=enum_kind), intent(in) :: data_type
  integer(kind=enum_kind) :: code

  integer(kind=c_size_t), dimension(max(size(dims), 1)) :: c_dims

  code = hs_check_count("unpack_tensor", name, n_elements, dims)
  if (code /= SRNoError) return
  c_dims = 0
  c_dims(1:size(dims)) = int(dims, kind=c_size_t)
  code = unpack_tensor_c(self%client_ptr, name, hs_len(name), data, c_dims, size(dims, kind=c_size_t), &
                         data_type, c_fortran_contiguous)
end function unpack_tensor_common

function put_tensor_i8(self, name, data, dims) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: name
  integer(kind=c_int8_t), HS_ARRAY, target, intent(in) :: data
  integer, dimension(:), intent(in) :: dims
  integer(kind=enum_kind) :: code
  code = put_tensor_common(self, name, c_loc(data), HS_SIZE(data), dims, tensor_int8)
end function put_tensor_i8

function put_tensor_i16(self, name, data, dims) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: name
  integer(kind=c_int16_t), HS_ARRAY, target, intent(in) :: data
  integer, dimension(:), intent(in) :: dims
  integer(kind=enum_kind) :: code
  code = put_tensor_common(self, name, c_loc(data), HS_SIZE(data), dims, tensor_int16)
end function put_tensor_i16

function put_tensor_i32(self, name, data, dims) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: name
  integer(kind=c_int32_t), HS_ARRAY, target, intent(in) :: data
  integer, dimension(:), intent(in) :: dims
  integer(kind=enum_kind) :: code
  code = put_tensor_common(self, name, c_loc(data), HS_SIZE(data), dims, tensor_int32)
end function put_tensor_i32

function put_tensor_i64(self, name, data, dims) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: name
  integer(kind=c_int64_t), HS_ARRAY, target, intent(in) :: data
  integer, dimension(:), intent(in) :: dims
  integer(kind=enum_kind) :: code
  code = put_tensor_common(self, name, c_loc(data), HS_SIZE(data), dims, tensor_int64)
end function put_tensor_i64

function put_tensor_float(self, name, data, dims) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: name
  real(kind=c_float), HS_ARRAY, target, intent(in) :: data
  integer, dimension(:), intent(in) :: dims
  integer(kind=enum_kind) :: code
  code = put_tensor_common(self, name, c_loc(data), HS_SIZE(data), dims, tensor_flt)
end function put_tensor_float

function put_tensor_double(self, name, data, dims) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: name
  real(kind=c_double), HS_ARRAY, target, intent(in) :: data
  integer, dimension(:), intent(in) :: dims
  integer(kind=enum_kind) :: code
  code = put_tensor_common(self, name, c_loc(data), HS_SIZE(data), dims, tensor_dbl)
end function put_tensor_double

function put_tensor_bool(self, name, data, dims) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: name
  logical(kind=c_bool), HS_ARRAY, target, intent(in) :: data
  integer, dimension(:), intent(in) :: dims
  integer(kind=enum_kind) :: code
  code = put_tensor_common(self, name, c_loc(data), HS_SIZE(data), dims, tensor_bool)
end function put_tensor_bool

function put_tensor_cfloat(self, name, data, dims) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: name
  complex(kind=c_float_complex), HS_ARRAY, target, intent(in) :: data
  integer, dimension(:), intent(in) :: dims
  integer(kind=enum_kind) :: code
  code = put_tensor_common(self, name, c_loc(data), HS_SIZE(data), dims, tensor_complex64)
end function put_tensor_cfloat

function put_tensor_cdouble(self, name, data, dims) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: name
  complex(kind=c_double_complex), HS_ARRAY, target, intent(in) :: data
  integer, dimension(:), intent(in) :: dims
  integer(kind=enum_kind) :: code
  code = put_tensor_common(self, name, c_loc(data), HS_SIZE(data), dims, tensor_complex128)
end function put_tensor_cdouble

function unpack_tensor_i8(self, name, result, dims) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: name
  integer(kind=c_int8_t), HS_ARRAY, target, intent(out) :: result
  integer, dimension(:), intent(in) :: dims
  integer(kind=enum_kind) :: code
  code = unpack_tensor_common(self, name, c_loc(result), HS_SIZE(result), dims, tensor_int8)
end function unpack_tensor_i8

function unpack_tensor_i16(self, name, result, dims) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: name
  integer(kind=c_int16_t), HS_ARRAY, target, intent(out) :: result
  integer, dimension(:), intent(in) :: dims
  integer(kind=enum_kind) :: code
  code = unpack_tensor_common(self, name, c_loc(result), HS_SIZE(result), dims, tensor_int16)
end function unpack_tensor_i16

function unpack_tensor_i32(self, name, result, dims) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: name
  integer(kind=c_int32_t), HS_ARRAY, target, intent(out) :: result
  integer, dimension(:), intent(in) :: dims
  integer(kind=enum_kind) :: code
  code = unpack_tensor_common(self, name, c_loc(result), HS_SIZE(result), dims, tensor_int32)
end function unpack_tensor_i32

function unpack_tensor_i64(self, name, result, dims) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: name
  integer(kind=c_int64_t), HS_ARRAY, target, intent(out) :: result
  integer, dimension(:), intent(in) :: dims
  integer(kind=enum_kind) :: code
  code = unpack_tensor_common(self, name, c_loc(result), HS_SIZE(result), dims, tensor_int64)
end function unpack_tensor_i64

function unpack_tensor_float(self, name, result, dims) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: name
  real(kind=c_float), HS_ARRAY, target, intent(out) :: result
  integer, dimension(:), intent(in) :: dims
  integer(kind=enum_kind) :: code
  code = unpack_tensor_common(self, name, c_loc(result), HS_SIZE(result), dims, tensor_flt)
end function unpack_tensor_float

function unpack_tensor_double(self, name, result, dims) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: name
  real(kind=c_double), HS_ARRAY, target, intent(out) :: result
  integer, dimension(:), intent(in) :: dims
  integer(kind=enum_kind) :: code
  code = unpack_tensor_common(self, name, c_loc(result), HS_SIZE(result), dims, tensor_dbl)
end function unpack_tensor_double

function unpack_tensor_bool(self, name, result, dims) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: name
  logical(kind=c_bool), HS_ARRAY, target, intent(out) :: result
  integer, dimension(:), intent(in) :: dims
  integer(kind=enum_kind) :: code
  code = unpack_tensor_common(self, name, c_loc(result), HS_SIZE(result), dims, tensor_bool)
end function unpack_tensor_bool

function unpack_tensor_cfloat(self, name, result, dims) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: name
  complex(kind=c_float_complex), HS_ARRAY, target, intent(out) :: result
  integer, dimension(:), intent(in) :: dims
  integer(kind=enum_kind) :: code
  code = unpack_tensor_common(self, name, c_loc(result), HS_SIZE(result), dims, tensor_complex64)
end function unpack_tensor_cfloat

function unpack_tensor_cdouble(self, name, result, dims) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: name
  complex(kind=c_double_complex), HS_ARRAY, target, intent(out) :: result
  integer, dimension(:), intent(in) :: dims
  integer(kind=enum_kind) :: code
  code = unpack_tensor_common(self, name, c_loc(result), HS_SIZE(result), dims, tensor_complex128)
end function unpack_tensor_cdouble


function rename_tensor(self, old_name, new_name) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: old_name, new_name
  integer(kind=enum_kind) :: code
  code = rename_tensor_c(self%client_ptr, old_name, hs_len(old_name), new_name, hs_len(new_name))
end function rename_tensor

function delete_tensor(self, name) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: name
  integer(kind=enum_kind) :: code
  code = delete_tensor_c(self%client_ptr, name, hs_len(name))
end function delete_tensor

function copy_tensor(self, src_name, dest_name) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: src_name, dest_name
  integer(kind=enum_kind) :: code
  code = copy_tensor_c(self%client_ptr, src_name, hs_len(src_name), dest_name, hs_len(dest_name))
end function copy_tensor

! ---- models and scripts -----------------------------------------------------------------------

!> Copies `length` bytes at `ptr` into `text` (blank-padded); SRBadAllocError naming `what` and
!! `name` when `text` is too short (then it holds the first len(text) bytes).
function copy_out(what, name, ptr, length, text) result(code)
  character(len=*), intent(in) :: what, name
  type(c_ptr), intent(in) :: ptr
  integer(kind=c_size_t), intent(in) :: length
  character(len=*), intent(out) :: text
  integer(kind=enum_kind) :: code

  character(kind=c_char), dimension(:), pointer :: chars
  integer(kind=c_size_t) :: i, n
  character(len=24) :: have, want

  code = SRNoError
  text = ''
  if (length <= 0 .or. .not. c_associated(ptr)) return
  call c_f_pointer(ptr, chars, [length])
  n = min(length, len(text, kind=c_size_t))
  do i = 1, n
    text(i:i) = chars(i)
  end do
  if (length > n) then
    write(have, '(i0)') len(text)
    write(want, '(i0)') length
    code = hs_fail(SRBadAllocError, what // " '" // trim(name) // "': the result is " // trim(want) // &
                   " bytes but the character variable holds " // trim(have))
  end if
end function copy_out

!> The stored model (blank-padded; SRBadAllocError if `model` is too short for it).
function get_model(self, name, model) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: name
  character(len=*), intent(out) :: model
  integer(kind=enum_kind) :: code

  type(c_ptr) :: c_model
  integer(kind=c_size_t) :: model_length

  model = ''
  model_length = 0
  c_model = c_null_ptr
  code = get_model_c(self%client_ptr, name, hs_len(name), model_length, c_model)
  if (code /= SRNoError) return
  code = copy_out("get_model", name, c_model, model_length, model)
end function get_model

!> The stored script source (blank-padded; SRBadAllocError if `script` is too short for it).
function get_script(self, name, script) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: name
  character(len=*), intent(out) :: script
  integer(kind=enum_kind) :: code

  type(c_ptr) :: c_script
  integer(kind=c_size_t) :: script_length

  script = ''
  script_length = 0
  c_script = c_null_ptr
  code = get_script_c(self%client_ptr, name, hs_len(name), c_script, script_length)
  if (code /= SRNoError) return
  code = copy_out("get_script", name, c_script, script_length, script)
end function get_script

!> Stores the model in file `model_file`. Optional arguments default to 0, '' and no
!! inputs/outputs (which only TF and TFLITE models use).
function set_model_from_file(self, name, model_file, backend, device, batch_size, min_batch_size, &
                             min_batch_timeout, tag, inputs, outputs) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: name, model_file, backend, device
  integer, optional, intent(in) :: batch_size, min_batch_size, min_batch_timeout
  character(len=*), optional, intent(in) :: tag
  character(len=*), dimension(:), optional, intent(in) :: inputs, outputs
  integer(kind=enum_kind) :: code

  type(hs_strings), target :: c_inputs, c_outputs
  integer(kind=c_int) :: c_batch_size, c_min_batch_size, c_min_batch_timeout

  call batch_settings(c_batch_size, c_min_batch_size, c_min_batch_timeout, batch_size, min_batch_size, &
                      min_batch_timeout)
  call hs_make_strings(c_inputs, inputs)
  call hs_make_strings(c_outputs, outputs)
  if (present(tag)) then
    code = set_model_from_file_c(self%client_ptr, name, hs_len(name), model_file, hs_len(model_file), &
                                 backend, hs_len(backend), device, hs_len(device), c_batch_size, &
                                 c_min_batch_size, c_min_batch_timeout, tag, hs_len(tag), &
                                 c_inputs%ptrs, c_inputs%lens, c_inputs%n, c_outputs%ptrs, c_outputs%lens, &
                                 c_outputs%n)
  else
    code = set_model_from_file_c(self%client_ptr, name, hs_len(name), model_file, hs_len(model_file), &
                                 backend, hs_len(backend), device, hs_len(device), c_batch_size, &
                                 c_min_batch_size, c_min_batch_timeout, '', 0_c_size_t, &
                                 c_inputs%ptrs, c_inputs%lens, c_inputs%n, c_outputs%ptrs, c_outputs%lens, &
                                 c_outputs%n)
  end if
end function set_model_from_file

!> As set_model_from_file, one copy per GPU first_gpu .. first_gpu+num_gpus-1.
function set_model_from_file_multigpu(self, name, model_file, backend, first_gpu, num_gpus, batch_size, &
                                      min_batch_size, min_batch_timeout, tag, inputs, outputs) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: name, model_file, backend
  integer, intent(in) :: first_gpu, num_gpus
  integer, optional, intent(in) :: batch_size, min_batch_size, min_batch_timeout
  character(len=*), optional, intent(in) :: tag
  character(len=*), dimension(:), optional, intent(in) :: inputs, outputs
  integer(kind=enum_kind) :: code

  type(hs_strings), target :: c_inputs, c_outputs
  integer(kind=c_int) :: c_batch_size, c_min_batch_size, c_min_batch_timeout

  call batch_settings(c_batch_size, c_min_batch_size, c_min_batch_timeout, batch_size, min_batch_size, &
                      min_batch_timeout)
  call hs_make_strings(c_inputs, inputs)
  call hs_make_strings(c_outputs, outputs)
  if (present(tag)) then
    code = set_model_from_file_multigpu_c(self%client_ptr, name, hs_len(name), model_file, hs_len(model_file), &
                                          backend, hs_len(backend), int(first_gpu, c_int), int(num_gpus, c_int), &
                                          c_batch_size, c_min_batch_size, c_min_batch_timeout, tag, hs_len(tag), &
                                          c_inputs%ptrs, c_inputs%lens, c_inputs%n, c_outputs%ptrs, &
                                          c_outputs%lens, c_outputs%n)
  else
    code = set_model_from_file_multigpu_c(self%client_ptr, name, hs_len(name), model_file, hs_len(model_file), &
                                          backend, hs_len(backend), int(first_gpu, c_int), int(num_gpus, c_int), &
                                          c_batch_size, c_min_batch_size, c_min_batch_timeout, '', 0_c_size_t, &
                                          c_inputs%ptrs, c_inputs%lens, c_inputs%n, c_outputs%ptrs, &
                                          c_outputs%lens, c_outputs%n)
  end if
end function set_model_from_file_multigpu

subroutine batch_settings(c_batch_size, c_min_batch_size, c_min_batch_timeout, batch_size, min_batch_size, &
                          min_batch_timeout)
  integer(kind=c_int), intent(out) :: c_batch_size, c_min_batch_size, c_min_batch_timeout
  integer, optional, intent(in) :: batch_size, min_batch_size, min_batch_timeout

  c_batch_size = 0
  c_min_batch_size = 0
  c_min_batch_timeout = 0
  if (present(batch_size)) c_batch_size = int(batch_size, c_int)
  if (present(min_batch_size)) c_min_batch_size = int(min_batch_size, c_int)
  if (present(min_batch_timeout)) c_min_batch_timeout = int(min_batch_timeout, c_int)
end subroutine batch_settings

!> Stores a model given as bytes (`model`, len_trim-ed as in SmartRedis). All arguments required.
function set_model(self, name, model, backend, device, batch_size, min_batch_size, min_batch_timeout, &
                   tag, inputs, outputs) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: name, model, backend, device
  integer, intent(in) :: batch_size, min_batch_size, min_batch_timeout
  character(len=*), intent(in) :: tag
  character(len=*), dimension(:), intent(in) :: inputs, outputs
  integer(kind=enum_kind) :: code

  type(hs_strings), target :: c_inputs, c_outputs

  call hs_make_strings(c_inputs, inputs)
  call hs_make_strings(c_outputs, outputs)
  code = set_model_c(self%client_ptr, name, hs_len(name), model, hs_len(model), backend, hs_len(backend), &
                     device, hs_len(device), int(batch_size, c_int), int(min_batch_size, c_int), &
                     int(min_batch_timeout, c_int), tag, hs_len(tag), c_inputs%ptrs, c_inputs%lens, c_inputs%n, &
                     c_outputs%ptrs, c_outputs%lens, c_outputs%n)
end function set_model

function set_model_multigpu(self, name, model, backend, first_gpu, num_gpus, batch_size, min_batch_size, &
                            min_batch_timeout, tag, inputs, outputs) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: name, model, backend
  integer, intent(in) :: first_gpu, num_gpus
  integer, intent(in) :: batch_size, min_batch_size, min_batch_timeout
  character(len=*), intent(in) :: tag
  character(len=*), dimension(:), intent(in) :: inputs, outputs
  integer(kind=enum_kind) :: code

  type(hs_strings), target :: c_inputs, c_outputs

  call hs_make_strings(c_inputs, inputs)
  call hs_make_strings(c_outputs, outputs)
  code = set_model_multigpu_c(self%client_ptr, name, hs_len(name), model, hs_len(model), backend, &
                              hs_len(backend), int(first_gpu, c_int), int(num_gpus, c_int), &
                              int(batch_size, c_int), int(min_batch_size, c_int), int(min_batch_timeout, c_int), &
                              tag, hs_len(tag), c_inputs%ptrs, c_inputs%lens, c_inputs%n, &
                              c_outputs%ptrs, c_outputs%lens, c_outputs%n)
end function set_model_multigpu

!> Stores the TorchScript source in file `script_file` (device BEFORE file, as in SmartRedis).
function set_script_from_file(self, name, device, script_file) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: name, device, script_file
  integer(kind=enum_kind) :: code
  code = set_script_from_file_c(self%client_ptr, name, hs_len(name), device, hs_len(device), script_file, &
                                hs_len(script_file))
end function set_script_from_file

function set_script_from_file_multigpu(self, name, script_file, first_gpu, num_gpus) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: name, script_file
  integer, intent(in) :: first_gpu, num_gpus
  integer(kind=enum_kind) :: code
  code = set_script_from_file_multigpu_c(self%client_ptr, name, hs_len(name), script_file, hs_len(script_file), &
                                         int(first_gpu, c_int), int(num_gpus, c_int))
end function set_script_from_file_multigpu

!> Stores TorchScript source given as a string (len_trim-ed).
function set_script(self, name, device, script) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: name, device, script
  integer(kind=enum_kind) :: code
  code = set_script_c(self%client_ptr, name, hs_len(name), device, hs_len(device), script, hs_len(script))
end function set_script

function set_script_multigpu(self, name, script, first_gpu, num_gpus) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: name, script
  integer, intent(in) :: first_gpu, num_gpus
  integer(kind=enum_kind) :: code
  code = set_script_multigpu_c(self%client_ptr, name, hs_len(name), script, hs_len(script), &
                               int(first_gpu, c_int), int(num_gpus, c_int))
end function set_script_multigpu

!> Runs function `func` of script `name` on the tensors `inputs`, storing `outputs`.
function run_script(self, name, func, inputs, outputs) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: name, func
  character(len=*), dimension(:), intent(in) :: inputs, outputs
  integer(kind=enum_kind) :: code

  type(hs_strings), target :: c_inputs, c_outputs

  call hs_make_strings(c_inputs, inputs)
  call hs_make_strings(c_outputs, outputs)
  code = run_script_c(self%client_ptr, name, hs_len(name), func, hs_len(func), c_inputs%ptrs, c_inputs%lens, &
                      c_inputs%n, c_outputs%ptrs, c_outputs%lens, c_outputs%n)
end function run_script

function run_script_multigpu(self, name, func, inputs, outputs, offset, first_gpu, num_gpus) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: name, func
  character(len=*), dimension(:), intent(in) :: inputs, outputs
  integer, intent(in) :: offset, first_gpu, num_gpus
  integer(kind=enum_kind) :: code

  type(hs_strings), target :: c_inputs, c_outputs

  call hs_make_strings(c_inputs, inputs)
  call hs_make_strings(c_outputs, outputs)
  code = run_script_multigpu_c(self%client_ptr, name, hs_len(name), func, hs_len(func), c_inputs%ptrs, &
                               c_inputs%lens, c_inputs%n, c_outputs%ptrs, c_outputs%lens, c_outputs%n, &
                               int(offset, c_int), int(first_gpu, c_int), int(num_gpus, c_int))
end function run_script_multigpu

!> Runs model `name` on the tensors `inputs`, storing `outputs`.
function run_model(self, name, inputs, outputs) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: name
  character(len=*), dimension(:), intent(in) :: inputs, outputs
  integer(kind=enum_kind) :: code

  type(hs_strings), target :: c_inputs, c_outputs

  call hs_make_strings(c_inputs, inputs)
  call hs_make_strings(c_outputs, outputs)
  code = run_model_c(self%client_ptr, name, hs_len(name), c_inputs%ptrs, c_inputs%lens, c_inputs%n, &
                     c_outputs%ptrs, c_outputs%lens, c_outputs%n)
end function run_model

function run_model_multigpu(self, name, inputs, outputs, offset, first_gpu, num_gpus) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: name
  character(len=*), dimension(:), intent(in) :: inputs, outputs
  integer, intent(in) :: offset, first_gpu, num_gpus
  integer(kind=enum_kind) :: code

  type(hs_strings), target :: c_inputs, c_outputs

  call hs_make_strings(c_inputs, inputs)
  call hs_make_strings(c_outputs, outputs)
  code = run_model_multigpu_c(self%client_ptr, name, hs_len(name), c_inputs%ptrs, c_inputs%lens, c_inputs%n, &
                              c_outputs%ptrs, c_outputs%lens, c_outputs%n, int(offset, c_int), &
                              int(first_gpu, c_int), int(num_gpus, c_int))
end function run_model_multigpu

function delete_model(self, name) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: name
  integer(kind=enum_kind) :: code
  code = delete_model_c(self%client_ptr, name, hs_len(name))
end function delete_model

function delete_model_multigpu(self, name, first_gpu, num_gpus) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: name
  integer, intent(in) :: first_gpu, num_gpus
  integer(kind=enum_kind) :: code
  code = delete_model_multigpu_c(self%client_ptr, name, hs_len(name), int(first_gpu, c_int), int(num_gpus, c_int))
end function delete_model_multigpu

function delete_script(self, name) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: name
  integer(kind=enum_kind) :: code
  code = delete_script_c(self%client_ptr, name, hs_len(name))
end function delete_script

function delete_script_multigpu(self, name, first_gpu, num_gpus) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: name
  integer, intent(in) :: first_gpu, num_gpus
  integer(kind=enum_kind) :: code
  code = delete_script_multigpu_c(self%client_ptr, name, hs_len(name), int(first_gpu, c_int), &
                                  int(num_gpus, c_int))
end function delete_script_multigpu

! ---- datasets ---------------------------------------------------------------------------------

function put_dataset(self, dataset) result(code)
  class(client_type), intent(in) :: self
  type(dataset_type), intent(in) :: dataset
  integer(kind=enum_kind) :: code
  code = put_dataset_c(self%client_ptr, dataset%dataset_ptr)
end function put_dataset

!> The dataset stored as `name`, in a new dataset_type (freed when it is finalized).
function get_dataset(self, name, dataset) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: name
  type(dataset_type), intent(out) :: dataset
  integer(kind=enum_kind) :: code
  dataset%dataset_ptr = c_null_ptr
  code = get_dataset_c(self%client_ptr, name, hs_len(name), dataset%dataset_ptr)
  if (code /= SRNoError) dataset%dataset_ptr = c_null_ptr
end function get_dataset

function rename_dataset(self, name, new_name) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: name, new_name
  integer(kind=enum_kind) :: code
  code = rename_dataset_c(self%client_ptr, name, hs_len(name), new_name, hs_len(new_name))
end function rename_dataset

function copy_dataset(self, name, new_name) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: name, new_name
  integer(kind=enum_kind) :: code
  code = copy_dataset_c(self%client_ptr, name, hs_len(name), new_name, hs_len(new_name))
end function copy_dataset

function delete_dataset(self, name) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: name
  integer(kind=enum_kind) :: code
  code = delete_dataset_c(self%client_ptr, name, hs_len(name))
end function delete_dataset

! ---- prefixes ---------------------------------------------------------------------------------

!> Reads get keys from producer `source_id` (one of the entries of SSKEYIN / HPCSIM_KEYIN).
function set_data_source(self, source_id) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: source_id
  integer(kind=enum_kind) :: code
  code = set_data_source_c(self%client_ptr, source_id, hs_len(source_id))
end function set_data_source

function use_model_ensemble_prefix(self, use_prefix) result(code)
  class(client_type), intent(in) :: self
  logical, intent(in) :: use_prefix
  integer(kind=enum_kind) :: code
  code = use_model_ensemble_prefix_c(self%client_ptr, logical(use_prefix, kind=c_bool))
end function use_model_ensemble_prefix

function use_tensor_ensemble_prefix(self, use_prefix) result(code)
  class(client_type), intent(in) :: self
  logical, intent(in) :: use_prefix
  integer(kind=enum_kind) :: code
  code = use_tensor_ensemble_prefix_c(self%client_ptr, logical(use_prefix, kind=c_bool))
end function use_tensor_ensemble_prefix

function use_dataset_ensemble_prefix(self, use_prefix) result(code)
  class(client_type), intent(in) :: self
  logical, intent(in) :: use_prefix
  integer(kind=enum_kind) :: code
  code = use_dataset_ensemble_prefix_c(self%client_ptr, logical(use_prefix, kind=c_bool))
end function use_dataset_ensemble_prefix

function use_list_ensemble_prefix(self, use_prefix) result(code)
  class(client_type), intent(in) :: self
  logical, intent(in) :: use_prefix
  integer(kind=enum_kind) :: code
  code = use_list_ensemble_prefix_c(self%client_ptr, logical(use_prefix, kind=c_bool))
end function use_list_ensemble_prefix

! ---- aggregation lists ------------------------------------------------------------------------

function append_to_list(self, list_name, dataset) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: list_name
  type(dataset_type), intent(in) :: dataset
  integer(kind=enum_kind) :: code
  code = append_to_list_c(self%client_ptr, list_name, hs_len(list_name), dataset%dataset_ptr)
end function append_to_list

function delete_list(self, list_name) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: list_name
  integer(kind=enum_kind) :: code
  code = delete_list_c(self%client_ptr, list_name, hs_len(list_name))
end function delete_list

function copy_list(self, src_name, dest_name) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: src_name, dest_name
  integer(kind=enum_kind) :: code
  code = copy_list_c(self%client_ptr, src_name, hs_len(src_name), dest_name, hs_len(dest_name))
end function copy_list

function rename_list(self, src_name, dest_name) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: src_name, dest_name
  integer(kind=enum_kind) :: code
  code = rename_list_c(self%client_ptr, src_name, hs_len(src_name), dest_name, hs_len(dest_name))
end function rename_list

function get_list_length(self, list_name, result_length) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: list_name
  integer, intent(out) :: result_length
  integer(kind=enum_kind) :: code
  integer(kind=c_int) :: c_length
  c_length = 0
  code = get_list_length_c(self%client_ptr, list_name, hs_len(list_name), c_length)
  result_length = int(c_length)
end function get_list_length

!> Whether the list reaches exactly `list_length` within num_tries checks.
function poll_list_length(self, list_name, list_length, poll_frequency_ms, num_tries, poll_result) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: list_name
  integer, intent(in) :: list_length, poll_frequency_ms, num_tries
  logical, intent(out) :: poll_result
  integer(kind=enum_kind) :: code
  logical(kind=c_bool) :: c_result
  c_result = .false.
  code = poll_list_length_c(self%client_ptr, list_name, hs_len(list_name), int(list_length, c_int), &
                            int(poll_frequency_ms, c_int), int(num_tries, c_int), c_result)
  poll_result = c_result
end function poll_list_length

function poll_list_length_gte(self, list_name, list_length, poll_frequency_ms, num_tries, poll_result) &
    result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: list_name
  integer, intent(in) :: list_length, poll_frequency_ms, num_tries
  logical, intent(out) :: poll_result
  integer(kind=enum_kind) :: code
  logical(kind=c_bool) :: c_result
  c_result = .false.
  code = poll_list_length_gte_c(self%client_ptr, list_name, hs_len(list_name), int(list_length, c_int), &
                                int(poll_frequency_ms, c_int), int(num_tries, c_int), c_result)
  poll_result = c_result
end function poll_list_length_gte

function poll_list_length_lte(self, list_name, list_length, poll_frequency_ms, num_tries, poll_result) &
    result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: list_name
  integer, intent(in) :: list_length, poll_frequency_ms, num_tries
  logical, intent(out) :: poll_result
  integer(kind=enum_kind) :: code
  logical(kind=c_bool) :: c_result
  c_result = .false.
  code = poll_list_length_lte_c(self%client_ptr, list_name, hs_len(list_name), int(list_length, c_int), &
                                int(poll_frequency_ms, c_int), int(num_tries, c_int), c_result)
  poll_result = c_result
end function poll_list_length_lte

!> Moves the C array of `n` dataset handles at `array` into `datasets` and frees the array.
subroutine take_datasets(array, n, datasets)
  type(c_ptr), intent(in) :: array
  integer(kind=c_size_t), intent(in) :: n
  type(dataset_type), dimension(:), allocatable, intent(inout) :: datasets

  type(c_ptr), dimension(:), pointer :: handles
  integer(kind=c_size_t) :: i

  if (allocated(datasets)) deallocate(datasets)
  allocate(datasets(n))
  if (n > 0 .and. c_associated(array)) then
    call c_f_pointer(array, handles, [n])
    do i = 1, n
      datasets(i)%dataset_ptr = handles(i)
    end do
  end if
  if (c_associated(array)) call hpcsim_free(array)
end subroutine take_datasets

!> Every dataset of the list, oldest first. The elements are freed when `datasets` is
!! deallocated.
function get_datasets_from_list(self, list_name, datasets, num_datasets) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: list_name
  type(dataset_type), dimension(:), allocatable, intent(out) :: datasets
  integer, intent(out) :: num_datasets
  integer(kind=enum_kind) :: code

  type(c_ptr) :: array
  integer(kind=c_size_t) :: n

  array = c_null_ptr
  n = 0
  code = get_datasets_from_list_c(self%client_ptr, list_name, hs_len(list_name), array, n)
  if (code /= SRNoError) then
    n = 0
    array = c_null_ptr
  end if
  call take_datasets(array, n, datasets)
  num_datasets = int(n)
end function get_datasets_from_list

!> The datasets at positions start_index .. end_index of the list (0-based, inclusive;
!! negative positions count from the end, as in Redis).
function get_datasets_from_list_range(self, list_name, start_index, end_index, datasets) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: list_name
  integer, intent(in) :: start_index, end_index
  type(dataset_type), dimension(:), allocatable, intent(out) :: datasets
  integer(kind=enum_kind) :: code

  type(c_ptr) :: array
  integer(kind=c_size_t) :: n

  array = c_null_ptr
  n = 0
  code = get_dataset_list_range_c(self%client_ptr, list_name, hs_len(list_name), int(start_index, c_int), &
                                  int(end_index, c_int), array, n)
  if (code /= SRNoError) then
    n = 0
    array = c_null_ptr
  end if
  call take_datasets(array, n, datasets)
end function get_datasets_from_list_range

! ---- training metrics (an hpcsim extension: SmartRedis has no such call) ----------------------
! log_metric(name, step, value) appends (step, value) to the stream __hpcsim.metrics.<name> (never
! prefixed), as the C API's log_metric: SRParameterError, nothing sent, for an empty name or one
! holding whitespace (after len_trim), a negative step or a value that is not finite. `step` is a
! default or a c_int64_t integer, `value` a c_float or a c_double real (a c_float is sent as the
! double it equals).

function log_metric_int_float(self, name, step, value) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: name
  integer, intent(in) :: step
  real(kind=c_float), intent(in) :: value
  integer(kind=enum_kind) :: code
  code = log_metric_c(self%client_ptr, name, hs_len(name), int(step, c_int64_t), real(value, c_double))
end function log_metric_int_float

function log_metric_int_double(self, name, step, value) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: name
  integer, intent(in) :: step
  real(kind=c_double), intent(in) :: value
  integer(kind=enum_kind) :: code
  code = log_metric_c(self%client_ptr, name, hs_len(name), int(step, c_int64_t), value)
end function log_metric_int_double

function log_metric_i64_float(self, name, step, value) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: name
  integer(kind=c_int64_t), intent(in) :: step
  real(kind=c_float), intent(in) :: value
  integer(kind=enum_kind) :: code
  code = log_metric_c(self%client_ptr, name, hs_len(name), step, real(value, c_double))
end function log_metric_i64_float

function log_metric_i64_double(self, name, step, value) result(code)
  class(client_type), intent(in) :: self
  character(len=*), intent(in) :: name
  integer(kind=c_int64_t), intent(in) :: step
  real(kind=c_double), intent(in) :: value
  integer(kind=enum_kind) :: code
  code = log_metric_c(self%client_ptr, name, hs_len(name), step, value)
end function log_metric_i64_double

! ---- description ------------------------------------------------------------------------------

function to_string(self)
  class(client_type), intent(in) :: self
  character(kind=c_char, len=:), allocatable :: to_string
  to_string = hs_c_string(client_to_string_c(self%client_ptr))
end function to_string

!> Writes to_string() to `unit` (default: standard error, as SmartRedis).
subroutine print_client(self, unit)
  class(client_type), intent(in) :: self
  integer, optional, intent(in) :: unit

  integer :: target_unit

  target_unit = stderr
  if (present(unit)) target_unit = unit
  write(target_unit, '(a)') self%to_string()
end subroutine print_client

end module smartredis_client
