#pragma once
// What the emulated cuBLAS (emulated_cublas.cpp) needs of the emulated driver (entry_points.cpp):
// its device memory, reached under the driver's lock, with a current context and no sticky fault,
// and a way to record a refusal as the driver does (stderr, cuGetErrorString).
#include "emu_driver/device_memory.hpp"

#include <cuda.h>

#include <functional>
#include <string>

namespace lutgemm::emucuda {

// The driver's error when there is no usable current context, else body(memory)'s result.
CUresult with_device_memory(const std::function<CUresult(DeviceMemory&)>& body);

// Records `why` as the reason for `result` and prints it once, as the driver's own refusals are;
// an illegal-address result also becomes the context's sticky fault, as on a GPU. Call inside
// with_device_memory's body only (it needs the driver's lock held).
CUresult refuse_in_call(CUresult result, const std::string& why);

} // namespace lutgemm::emucuda
