/* Enumerations shared by the C, C++ and Fortran clients of hpcsim.
 *
 * Names and values are SmartRedis 0.6.1's, so programs written for SmartRedis compile
 * unchanged. The tensor type values are also the wire dtype codes of docs/wire-format.md;
 * hpcsim's extra types (9-14) are declared in hpcsim_types.h. */
#ifndef SMARTREDIS_SR_ENUMS_H
#define SMARTREDIS_SR_ENUMS_H

/* Memory layout of the caller's tensor data. */
typedef enum {
    SRMemLayoutInvalid = 0,           /* invalid or uninitialized */
    SRMemLayoutNested = 1,            /* row-major, nested arrays of pointers (T**, T***, ...) */
    SRMemLayoutContiguous = 2,        /* row-major, one contiguous buffer */
    SRMemLayoutFortranNested = 3,     /* column-major, nested pointers (not supported) */
    SRMemLayoutFortranContiguous = 4  /* column-major, one contiguous buffer */
} SRMemoryLayout;

/* Types of dataset metadata fields (the enumerators are spelled SRMetadataType...). */
typedef enum {
    SRMetadataTypeInvalid = 0,
    SRMetadataTypeDouble = 1,
    SRMetadataTypeFloat = 2,
    SRMetadataTypeInt32 = 3,
    SRMetadataTypeInt64 = 4,
    SRMetadataTypeUint32 = 5,
    SRMetadataTypeUint64 = 6,
    SRMetadataTypeString = 7
} SRMetaDataType;

/* Tensor element types. */
typedef enum {
    SRTensorTypeInvalid = 0,
    SRTensorTypeDouble = 1,
    SRTensorTypeFloat = 2,
    SRTensorTypeInt8 = 3,
    SRTensorTypeInt16 = 4,
    SRTensorTypeInt32 = 5,
    SRTensorTypeInt64 = 6,
    SRTensorTypeUint8 = 7,
    SRTensorTypeUint16 = 8
} SRTensorType;

/* Logging levels: a message is written when its level <= the configured level. */
typedef enum {
    LLInvalid = 0,
    LLQuiet = 1,
    LLInfo = 2,
    LLDebug = 3,
    LLDeveloper = 4
} SRLoggingLevel;

#endif /* SMARTREDIS_SR_ENUMS_H */
