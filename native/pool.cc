// Thread pool: workers spin briefly after a job (kernels come in bursts), then sleep on a condvar.
#include "pool.h"

#if defined(__linux__)
#include <sched.h>
#endif

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace descent {
namespace {

struct Pool {
  std::vector<std::thread> workers;  // worker i has tid i + 1
  std::mutex mu;
  std::condition_variable cv;
  std::atomic<uint64_t> generation{0};
  std::atomic<int> pending{0};
  std::atomic<bool> stop{false};
  PoolFn fn = nullptr;
  void* ctx = nullptr;
  int active = 1;  // threads taking part in the current job
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

thread_local bool in_job = false;

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

void worker_main(Pool* p, int tid, uint64_t seen) {
  in_job = true;  // a job body never re-enters the pool from a worker
  for (;;) {
    // Spin for a while: successive kernels arrive microseconds apart.
    uint64_t g = seen;
    for (int i = 0; i < 20000; i++) {
      g = p->generation.load(std::memory_order_acquire);
      if (g != seen || p->stop.load(std::memory_order_relaxed)) break;
      cpu_relax();
    }
    if (g == seen) {
      std::unique_lock<std::mutex> lk(p->mu);
      p->cv.wait(lk, [&] { return p->generation.load(std::memory_order_acquire) != seen || p->stop.load(); });
      g = p->generation.load(std::memory_order_acquire);
    }
    if (p->stop.load()) return;
    seen = g;
    // Every worker acknowledges every job (idle ones too), so no worker can see a stale job later.
    if (tid < p->active) p->fn(p->ctx, tid, p->active);
    p->pending.fetch_sub(1, std::memory_order_acq_rel);
  }
}

void ensure_workers(Pool& p, int n) {
  while ((int)p.workers.size() < n - 1) {
    int tid = (int)p.workers.size() + 1;
    // The worker starts from the current generation, read here before the next job is published.
    p.workers.emplace_back(worker_main, &p, tid, p.generation.load(std::memory_order_acquire));
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
  p.fn = fn;
  p.ctx = ctx;
  p.active = nthreads;
  p.pending.store((int)p.workers.size(), std::memory_order_release);
  {
    std::lock_guard<std::mutex> lk(p.mu);
    p.generation.fetch_add(1, std::memory_order_acq_rel);
  }
  p.cv.notify_all();
  in_job = true;
  fn(ctx, 0, nthreads);
  in_job = false;
  while (p.pending.load(std::memory_order_acquire) != 0) cpu_relax();
}

}  // namespace descent
