// A persistent thread pool with a plain C-style interface (function pointer + context), so that
// ISA-specific translation units can use it without instantiating any shared inline C++ code.
#pragma once
#include <stdint.h>

namespace descent {

/** Job body: called once per participating thread with its id in [0, nthreads). */
typedef void (*PoolFn)(void* ctx, int tid, int nthreads);

/** Threads kernels may use (>= 1). */
int pool_threads();
/** Set the thread count (clamped to [1, 256]); workers are created lazily. */
void pool_set_threads(int n);
/**
 * Run fn on `nthreads` threads (the caller is thread 0) and wait for all of them.
 * nthreads is clamped to pool_threads(); nested calls from inside a job run serially.
 */
void pool_run(int nthreads, PoolFn fn, void* ctx);

/** Static, thread-count-independent split of [0, n) into `parts` contiguous chunks. */
inline void split_range(int64_t n, int parts, int idx, int64_t* begin, int64_t* end) {
  int64_t q = n / parts, r = n % parts;
  *begin = idx * q + (idx < r ? idx : r);
  *end = *begin + q + (idx < r ? 1 : 0);
}

}  // namespace descent
