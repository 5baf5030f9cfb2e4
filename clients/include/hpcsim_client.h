/* The hpcsim C client: one include for the whole C API.
 *
 * It declares SmartRedis 0.6.1's C API (c_client.h, c_dataset.h, c_configoptions.h,
 * c_logger.h, c_logcontext.h), hpcsim's extra tensor types (hpcsim_types.h) and the few
 * hpcsim extensions below. */
#ifndef HPCSIM_CLIENT_H
#define HPCSIM_CLIENT_H

#include "c_client.h"
#include "c_configoptions.h"
#include "c_dataset.h"
#include "c_logcontext.h"
#include "c_logger.h"
#include "hpcsim_types.h"
#include "sr_enums.h"
#include "srexception.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A deep copy of `dataset` (a new handle; free it with DeallocateDataSet). */
SRError hpcsim_dataset_clone(const void* dataset, void** copy);

/* The dataset's name: *name points into the dataset (valid while it lives), not NUL-terminated. */
SRError hpcsim_dataset_get_name(const void* dataset, const char** name, size_t* name_length);

/* Frees a ConfigOptions (SmartRedis' C API has no way to) and sets *c_cfgopts = NULL. */
SRError hpcsim_configoptions_free(void** c_cfgopts);

/* A copy of a ConfigOptions, overrides and cached values included. */
SRError hpcsim_configoptions_clone(const void* c_cfgopts, void** copy);

/* Frees memory the library allocated for the caller (the arrays of the list getters). */
void hpcsim_free(void* p);

/* Records `message` (`message_length` bytes, no NUL needed) as the calling thread's last error
 * and returns `code`: the language layers (Fortran) report their own checks through it. */
SRError hpcsim_set_last_error(SRError code, const char* message, size_t message_length);

#ifdef __cplusplus
}
#endif

#endif /* HPCSIM_CLIENT_H */
