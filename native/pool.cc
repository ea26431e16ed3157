// Thread pool. A job has `nthreads` slots; the caller runs slot 0 and every thread (caller
// included) then claims the remaining slots with an atomic counter, so a worker that is slow to
// wake (another process holds its core) costs parallelism, not a wait: the caller runs its slot.
// Slots stay the unit of work (kernels split by slot id), so results do not depend on which
// thread runs which slot. Jobs with barriers between slots (GEMM) work too: a thread inside a
// barrier cannot claim a second slot before every slot has been claimed. Workers spin briefly
// after a job (kernels come in bursts), then sleep on a condvar; all waits yield after spinning.
#include "pool.h"

#include <sched.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace descent {
namespace {

struct Pool {
  std::vector<std::thread> workers;
  std::mutex mu;
  std::condition_variable cv;
  std::atomic<uint64_t> generation{0};  // bumped once per job (wakes workers)
  std::atomic<uint64_t> claim{0};       // (job id << 32) | next unclaimed slot
  std::atomic<int> done{0};             // slots finished in the current job
  std::atomic<bool> stop{false};
  PoolFn fn = nullptr;                  // job fields: written before `claim` is published,
  void* ctx = nullptr;                  // read only by a thread holding one of its slots
  std::atomic<int> slots{1};
  std::atomic<int> threads{1};  // set under the addon's kernel lock, read by getNumThreads without it
};

Pool& pool() {
  static Pool* p = [] {
    Pool* q = new Pool();  // leaked on purpose: no destructor ordering issues at process exit
    // Default: the cores this process may run on (affinity mask), else hardware concurrency.
    int n = (int)std::thread::hardware_concurrency();
#if defined(__linux__)
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0) n = CPU_COUNT(&set);
#endif
    q->threads.store(n < 1 ? 1 : (n > 256 ? 256 : n));
    return q;
  }();
  return *p;
}

#ifndef DESCENT_POOL_SPINS
#define DESCENT_POOL_SPINS 40000
#endif

thread_local bool in_job = false;

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

/** Claim and run slots of job `job` until none is left; returns how many ran. */
int run_slots(Pool* p, uint32_t job) {
  int ran = 0;
  for (;;) {
    uint64_t c = p->claim.load(std::memory_order_acquire);
    if ((uint32_t)(c >> 32) != job) return ran;  // a later job: nothing of ours is left
    uint32_t slot = (uint32_t)c;
    if ((int)slot >= p->slots.load(std::memory_order_relaxed)) return ran;  // stale reads fail the CAS below
    if (!p->claim.compare_exchange_weak(c, c + 1, std::memory_order_acq_rel)) continue;
    p->fn(p->ctx, (int)slot, p->slots.load(std::memory_order_relaxed));
    p->done.fetch_add(1, std::memory_order_acq_rel);
    ran++;
  }
}

void worker_main(Pool* p, uint64_t seen) {
  in_job = true;  // a job body never re-enters the pool from a worker
  for (;;) {
    uint64_t g = seen;
    // Successive kernels arrive microseconds apart, with JS (autograd, optimizer) in between:
    // in the MLP and GPT steps most gaps are under 100 us but several per step last up to ~1 ms,
    // and waking a sleeping worker costs tens of us each time, so spin ~1 ms (a pause is ~27 ns
    // on Zen 4), yielding now and then so that an oversubscribed machine's other threads run.
    for (int i = 0; i < DESCENT_POOL_SPINS; i++) {
      g = p->generation.load(std::memory_order_acquire);
      if (g != seen || p->stop.load(std::memory_order_relaxed)) break;
      cpu_relax();
      if ((i & 1023) == 1023) sched_yield();
    }
    if (g == seen) {
      std::unique_lock<std::mutex> lk(p->mu);
      p->cv.wait(lk, [&] { return p->generation.load(std::memory_order_acquire) != seen || p->stop.load(); });
      g = p->generation.load(std::memory_order_acquire);
    }
    if (p->stop.load()) return;
    seen = g;
    run_slots(p, (uint32_t)g);
  }
}

void ensure_workers(Pool& p, int n) {
  while ((int)p.workers.size() < n - 1) {
    p.workers.emplace_back(worker_main, &p, p.generation.load(std::memory_order_acquire));
  }
}

}  // namespace

int pool_threads() { return pool().threads.load(std::memory_order_relaxed); }

void pool_set_threads(int n) {
  if (n < 1) n = 1;
  if (n > 256) n = 256;
  pool().threads.store(n, std::memory_order_relaxed);
}

void pool_run(int nthreads, PoolFn fn, void* ctx) {
  Pool& p = pool();
  if (nthreads > pool_threads()) nthreads = pool_threads();
  if (nthreads <= 1 || in_job) {
    fn(ctx, 0, 1);
    return;
  }
  ensure_workers(p, nthreads);
  // The previous job is complete (we waited for it), so no thread reads these fields now.
  uint32_t job = (uint32_t)(p.generation.load(std::memory_order_relaxed) + 1);
  p.fn = fn;
  p.ctx = ctx;
  p.slots.store(nthreads, std::memory_order_relaxed);
  p.done.store(0, std::memory_order_relaxed);
  p.claim.store(((uint64_t)job << 32) | 1, std::memory_order_release);  // slot 0 is ours
  {
    std::lock_guard<std::mutex> lk(p.mu);
    p.generation.fetch_add(1, std::memory_order_acq_rel);
  }
  p.cv.notify_all();
  in_job = true;
  fn(ctx, 0, nthreads);
  p.done.fetch_add(1, std::memory_order_acq_rel);
  run_slots(&p, job);
  in_job = false;
  for (unsigned spins = 0; p.done.load(std::memory_order_acquire) != nthreads; spins++) {
    cpu_relax();
    if ((spins & 1023) == 1023) sched_yield();
  }
}

}  // namespace descent
