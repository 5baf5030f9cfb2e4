// The hpcsim C++ client: one include for the whole C++ API.
//
//     #include "hpcsim_client.hpp"
//     hpcsim::Client client("my_app");
//
// The classes are SmartRedis 0.6.1's (namespace SmartRedis, headers client.h, dataset.h ...);
// `hpcsim` is another name for that namespace. hpcsim's tensor types beyond SmartRedis's
// (HPCSIM_TENSOR_BOOL ...) come from hpcsim_types.h.
#ifndef HPCSIM_CLIENT_HPP
#define HPCSIM_CLIENT_HPP

#ifndef __cplusplus
#error hpcsim_client.hpp is C++; C programs include hpcsim_client.h
#endif

#include "client.h"
#include "configoptions.h"
#include "dataset.h"
#include "hpcsim_types.h"
#include "logcontext.h"
#include "logger.h"
#include "sr_exceptions.hpp"
#include "srobject.h"

namespace hpcsim = SmartRedis;

#endif  // HPCSIM_CLIENT_HPP
