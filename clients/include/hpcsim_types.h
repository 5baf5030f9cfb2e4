/* hpcsim's tensor types beyond SmartRedis' SRTensorType (values 9-14 of the wire format,
 * docs/wire-format.md). put_tensor, get_tensor, unpack_tensor, add_tensor, get_dataset_tensor
 * and unpack_dataset_tensor accept them wherever an SRTensorType is taken, and get_tensor and
 * get_tensor_type report them. They are macros of type SRTensorType, so they work in C and C++:
 *     put_tensor(client, "mask", 4, mask, dims, 1, HPCSIM_TENSOR_BOOL, SRMemLayoutContiguous);
 */
#ifndef HPCSIM_TYPES_H
#define HPCSIM_TYPES_H

#include "sr_enums.h"

#define HPCSIM_TENSOR_BOOL ((SRTensorType)9)        /* 1 byte holding 0 or 1 (C bool, numpy bool) */
#define HPCSIM_TENSOR_FLOAT16 ((SRTensorType)10)    /* IEEE 754 binary16, 2 bytes */
#define HPCSIM_TENSOR_UINT32 ((SRTensorType)11)     /* uint32_t */
#define HPCSIM_TENSOR_UINT64 ((SRTensorType)12)     /* uint64_t */
#define HPCSIM_TENSOR_COMPLEX64 ((SRTensorType)13)  /* float _Complex: real, imaginary */
#define HPCSIM_TENSOR_COMPLEX128 ((SRTensorType)14) /* double _Complex: real, imaginary */

/* The largest tensor type code. */
#define HPCSIM_TENSOR_TYPE_MAX 14

#endif
