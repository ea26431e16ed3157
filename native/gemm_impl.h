// Cache-blocked, packed GEMM with a register-tiled micro-kernel (GotoBLAS/BLIS structure).
// Included once per ISA by gemm_<isa>.cc with DESCENT_GEMM_NS and one DESCENT_ISA_* defined.
// Everything here is in an anonymous namespace and uses no C++ library templates, so code
// compiled with AVX-512 flags can never be picked by the linker for another translation unit.
//
// Loops (row-major, vectors along N): pc (K block) -> ic (MC rows) pack A block -> jc (NC cols)
// pack B block (in L2) -> ir (MR strip of A, stays in L1) -> jr (NR strip of B) -> kernel. With
// several threads on one matrix, each usually owns a band of C's rows or columns and packs its own
// blocks (no barriers, nothing read from another core's cache); small ones share each block.
// Every C element is computed in the same order whatever the thread count, so results do not
// depend on it. The operand packing is in gemm_pack.h.
#include <stdlib.h>
#include <sched.h>
#include <string.h>

#include "gemm.h"
#include "pool.h"
#include "simd_vec.h"

#if defined(DESCENT_ISA_AVX512) || defined(DESCENT_ISA_AVX2)
#include <immintrin.h>
#endif

namespace descent {
namespace {

#if defined(DESCENT_ISA_AVX512)
// 12x32 (f32) / 12x16 (f64): 24 accumulators + 2 B vectors + broadcasts fit 32 zmm registers.
#ifndef DESCENT_KC32
#define DESCENT_KC32 384
#define DESCENT_KC64 192
#define DESCENT_NC 960
#endif
template <class V> struct Cfg {
  enum { MR = 12, NV = 2, KC = sizeof(typename V::T) == 4 ? DESCENT_KC32 : DESCENT_KC64, NC = DESCENT_NC };
};
#elif defined(DESCENT_ISA_AVX2)
// 6x16 (f32) / 6x8 (f64): 12 accumulators of 16 ymm registers.
template <class V> struct Cfg { enum { MR = 6, NV = 2, KC = 256, NC = 384 }; };
#else
template <class V> struct Cfg { enum { MR = 4, NV = 4, KC = 256, NC = 256 }; };
#endif

inline int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

// K block size: one block when k <= 4/3 KC (no second pass over C), else k split evenly into
// blocks of at most KC. Depends only on k, so results do not depend on the thread count.
template <class V> inline int64_t k_block(int64_t k) {
  const int64_t KC = Cfg<V>::KC, KMAX = KC * 4 / 3;
  if (k <= KMAX) return k < 1 ? 1 : k;
  int64_t nb = (k + KC - 1) / KC;
  return (k + nb - 1) / nb;
}

// How the kernel writes C: first K block with beta = 0 (ignore old C, even NaN), first K block
// with beta != 0, or a later K block (accumulate).
enum Mode { kOverwrite = 0, kScale = 1, kAccumulate = 2 };

// ROWS (< MR) computes only the first ROWS rows of the packed strip (still MR values per k): the
// last strip of an m that is not a multiple of MR (m = 2048, 512, 128 leave 8 rows, 256, 1024, 784
// leave 4) then costs its rows, not a full strip computed into a temporary and copied out.
template <class V, int ROWS = Cfg<V>::MR>
__attribute__((always_inline)) inline void kernel(int64_t kc, const typename V::T* __restrict Ap,
                                                  const typename V::T* __restrict Bp, typename V::T* C,
                                                  int64_t ldc, typename V::T alpha, typename V::T beta, int mode,
                                                  const typename V::T* bias) {
  typedef typename V::R R;
  enum { MR = ROWS, STRIDE = Cfg<V>::MR, NV = Cfg<V>::NV, W = V::W };
  for (int r = 0; r < MR; r++) __builtin_prefetch(C + r * ldc, 1, 3);
  R acc[MR][NV];
#pragma GCC unroll 16
  for (int r = 0; r < MR; r++)
#pragma GCC unroll 4
    for (int v = 0; v < NV; v++) acc[r][v] = V::zero();
  for (int64_t p = 0; p < kc; p++) {
    R b[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; v++) b[v] = V::load(Bp + v * W);
#pragma GCC unroll 16
    for (int r = 0; r < MR; r++) {
      R a = V::set1(Ap[r]);
#pragma GCC unroll 4
      for (int v = 0; v < NV; v++) acc[r][v] = V::fma(a, b[v], acc[r][v]);
    }
    Ap += STRIDE;
    Bp += NV * W;
  }
  R va = V::set1(alpha), vb = V::set1(beta);
#pragma GCC unroll 16
  for (int r = 0; r < MR; r++) {
#pragma GCC unroll 4
    for (int v = 0; v < NV; v++) {
      typename V::T* c = C + r * ldc + v * W;
      R x = V::mul(acc[r][v], va);
      if (mode == kScale) x = V::fma(V::load(c), vb, x);
      else if (mode == kAccumulate) x = V::add(V::load(c), x);
      if (bias) x = V::add(x, V::load(bias + v * W));  // first K block only (the caller's choice)
      V::store(c, x);
    }
  }
}

template <class V>
void kernel_edge(int64_t kc, const typename V::T* Ap, const typename V::T* Bp, typename V::T* C, int64_t ldc,
                 typename V::T alpha, typename V::T beta, int mode, const typename V::T* bias, int64_t mr, int64_t nr) {
  typedef typename V::T T;
  enum { MR = Cfg<V>::MR, NR = Cfg<V>::NV * V::W };
  T tmp[MR * NR] __attribute__((aligned(64)));
  kernel<V>(kc, Ap, Bp, tmp, NR, (T)1, (T)0, kOverwrite, nullptr);
  for (int64_t r = 0; r < mr; r++) {
    T* c = C + r * ldc;
    const T* t = tmp + r * NR;
    for (int64_t j = 0; j < nr; j++) {
      T x = alpha * t[j];
      if (mode == kScale) x = alpha * t[j] + beta * c[j];
      else if (mode == kAccumulate) x = c[j] + x;
      if (bias) x = x + bias[j];
      c[j] = x;
    }
  }
}

}  // namespace
}  // namespace descent

#include "gemm_pack.h"

namespace descent {
namespace {

// Grow-only 64-byte aligned packing buffers: pair 0 (A, B) for the shared mode, pair t for thread
// t in batch-parallel mode. Kernels never run concurrently (the addon's kernel lock).
struct Scratch { void* p; size_t n; };
Scratch g_scratch[2 * 256];

void* scratch(int slot, size_t bytes) {
  Scratch& s = g_scratch[slot];
  if (s.n < bytes) {
    free(s.p);
    size_t n = (bytes + 63) & ~(size_t)63;
    s.p = aligned_alloc(64, n);
    s.n = s.p ? n : 0;
  }
  return s.p;
}

// Sense-reversing spin barrier built on GCC atomics (no std:: templates in this file).
struct Barrier { int count; int sense; };
inline void barrier_wait(Barrier* b, int nthreads, int* local_sense) {
  if (nthreads == 1) return;
  *local_sense = !*local_sense;
  if (__atomic_add_fetch(&b->count, 1, __ATOMIC_ACQ_REL) == nthreads) {
    __atomic_store_n(&b->count, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&b->sense, *local_sense, __ATOMIC_RELEASE);
  } else {
    // Spin, then yield: on an oversubscribed machine the thread we wait for may need our core.
    for (unsigned spins = 0; __atomic_load_n(&b->sense, __ATOMIC_ACQUIRE) != *local_sense; spins++) {
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
      if ((spins & 1023) == 1023) sched_yield();
    }
  }
}

template <class V>
struct Job {
  typedef typename V::T T;
  const T* A; const T* B; T* C;
  int64_t batch, m, n, k;
  bool ta, tb;
  T alpha, beta;
  int64_t sA, sB, sC;
  const T* bias;  // epilogue (see GemmCall)
  T* D;
  GemmActFn act;
  bool batch_parallel;  // threads take whole matrices, else they share each matrix
  int split;            // else 0: threads share every block; 1 / 2: each thread owns rows / columns
  Barrier bar;          // shared mode only
};

// Rows [row0, row1) x columns [col0, col1) of one matrix, computed by threads [0, nt) together
// (nt = 1 in batch-parallel and split modes, where each thread has its own region and buffers).
template <class V>
void gemm_one(const Job<V>& J, const typename V::T* A, const typename V::T* B, typename V::T* C, typename V::T* D,
              typename V::T* Abuf, typename V::T* Bbuf, Barrier* bar, int tid, int nt, int* sense,
              int64_t row0, int64_t row1, int64_t col0, int64_t col1) {
  typedef typename V::T T;
  enum { MR = Cfg<V>::MR, NR = Cfg<V>::NV * V::W, KC = Cfg<V>::KC, NC = Cfg<V>::NC, MC = MR * 256 };
  const int64_t m = J.m, n = J.n, k = J.k;
  if (row0 >= row1 || col0 >= col1) return;
  if (k == 0) {
    int64_t b, e;
    split_range(row1 - row0, nt, tid, &b, &e);
    for (int64_t i = row0 + b; i < row0 + e; i++) {
      for (int64_t j = col0; j < col1; j++) {
        T x = J.beta == 0 ? (T)0 : J.beta * C[i * n + j];
        C[i * n + j] = J.bias ? x + J.bias[j] : x;
      }
      if (J.act) J.act(C + i * n + col0, D + i * n + col0, col1 - col0);
    }
    return;
  }
  // pc -> ic -> jc: each A block is packed once (its pack is the costly transposing one) and
  // each B block once per A block; the (ic, jc) order does not change any arithmetic.
  const int64_t kb = k_block<V>(k);
  // N blocks of equal width (whole NR strips): n = 1024 is two blocks of 512, not 960 + 64.
  const int64_t nblocks = (col1 - col0 + NC - 1) / NC;
  const int64_t ncb = ((col1 - col0 + nblocks - 1) / nblocks + NR - 1) / NR * NR;
  for (int64_t pc = 0; pc < k; pc += kb) {
    int64_t kc = min64(kb, k - pc);
    int mode = pc > 0 ? kAccumulate : (J.beta == 0 ? kOverwrite : kScale);
    const bool last = pc + kc >= k;  // the activation sees the finished sums
    const T* bias = pc == 0 ? J.bias : nullptr;
    for (int64_t ic = row0; ic < row1; ic += MC) {
      int64_t mc = min64(MC, row1 - ic), ms = (mc + MR - 1) / MR;
      int64_t ab, ae;
      split_range(ms, nt, tid, &ab, &ae);
      // When the tile grid is split by A strips (below), each thread computes exactly the strips
      // it packs: it packs each one just before its first use, so the packed strip is still in L1
      // instead of coming back from L3 after the whole (MC x KC) block was packed.
      const int64_t ns0 = (min64(ncb, col1 - col0) + NR - 1) / NR;
      const bool lazy_a = ms >= 2 * nt || ms >= ns0;
      if (!lazy_a) pack_a<V>(A, J.ta, m, k, ic, mc, pc, kc, ab, ae, Abuf);
      for (int64_t jc = col0; jc < col1; jc += ncb) {
        int64_t nc = min64(ncb, col1 - jc), ns = (nc + NR - 1) / NR;
        int64_t sb, se;
        split_range(ns, nt, tid, &sb, &se);
        pack_b<V>(B, J.tb, n, k, jc, nc, pc, kc, sb, se, Bbuf);
        barrier_wait(bar, nt, sense);
        // Split the tile grid by A strips when there are enough of them, else by B strips.
        int64_t ir0 = 0, ir1 = ms, jr0 = 0, jr1 = ns;
        if (ms >= 2 * nt || ms >= ns) split_range(ms, nt, tid, &ir0, &ir1);
        else split_range(ns, nt, tid, &jr0, &jr1);
        for (int64_t ir = ir0; ir < ir1; ir++) {
          int64_t i = ic + ir * MR, mr = min64(MR, row1 - i);
          if (lazy_a && jc == col0) pack_a<V>(A, J.ta, m, k, ic, mc, pc, kc, ir, ir + 1, Abuf);
          const T* ap = Abuf + ir * MR * kc;
          for (int64_t jr = jr0; jr < jr1; jr++) {
            int64_t j = jc + jr * NR, nr = min64(NR, col1 - j);
            const T* bp = Bbuf + jr * NR * kc;
            T* c = C + i * n + j;
            const T* bj = bias ? bias + j : nullptr;
            if (mr == MR && nr == NR) kernel<V>(kc, ap, bp, c, n, J.alpha, J.beta, mode, bj);
            else if (MR == 12 && mr == 8 && nr == NR) kernel<V, 8>(kc, ap, bp, c, n, J.alpha, J.beta, mode, bj);
            else if (MR == 12 && mr == 4 && nr == NR) kernel<V, 4>(kc, ap, bp, c, n, J.alpha, J.beta, mode, bj);
            else kernel_edge<V>(kc, ap, bp, c, n, J.alpha, J.beta, mode, bj, mr, nr);
          }
          if (last && J.act && jr0 < jr1) {
            // The strip's rows while still in L1/L2 (MR x NC floats): one call per row, not per
            // tile row, so the activation's constant set-up and loop tails are paid per ~NC values.
            const int64_t j0 = jc + jr0 * NR, j1 = min64(jc + jr1 * NR, jc + nc);
            for (int64_t r = 0; r < mr; r++) J.act(C + (i + r) * n + j0, D + (i + r) * n + j0, j1 - j0);
          }
        }
        barrier_wait(bar, nt, sense);  // buffers are repacked next
      }
    }
  }
}

template <class V>
void job_body(void* ctx, int tid, int nt) {
  Job<V>& J = *static_cast<Job<V>*>(ctx);
  typedef typename V::T T;
  int sense = 0;
  if (J.batch_parallel) {  // thread tid takes whole matrices with its own buffer pair
    T* Abuf = static_cast<T*>(g_scratch[2 * tid].p);
    T* Bbuf = static_cast<T*>(g_scratch[2 * tid + 1].p);
    int64_t b, e;
    split_range(J.batch, nt, tid, &b, &e);
    for (int64_t bi = b; bi < e; bi++)
      gemm_one<V>(J, J.A + bi * J.sA, J.B + bi * J.sB, J.C + bi * J.sC, J.D ? J.D + bi * J.sC : nullptr, Abuf, Bbuf,
                  nullptr, 0, 1, &sense, 0, J.m, 0, J.n);
  } else if (J.split) {  // thread tid owns a band of whole MR-row / NR-column strips, with its own buffers
    enum { MR = Cfg<V>::MR, NR = Cfg<V>::NV * V::W };
    T* Abuf = static_cast<T*>(g_scratch[2 * tid].p);
    T* Bbuf = static_cast<T*>(g_scratch[2 * tid + 1].p);
    int64_t r0 = 0, r1 = J.m, c0 = 0, c1 = J.n, b, e;
    if (J.split == 1) {
      split_range((J.m + MR - 1) / MR, nt, tid, &b, &e);
      r0 = b * MR; r1 = min64(e * MR, J.m);
    } else {
      split_range((J.n + NR - 1) / NR, nt, tid, &b, &e);
      c0 = b * NR; c1 = min64(e * NR, J.n);
    }
    for (int64_t bi = 0; bi < J.batch; bi++)
      gemm_one<V>(J, J.A + bi * J.sA, J.B + bi * J.sB, J.C + bi * J.sC, J.D ? J.D + bi * J.sC : nullptr, Abuf, Bbuf,
                  nullptr, 0, 1, &sense, r0, r1, c0, c1);
  } else {
    T* Abuf = static_cast<T*>(g_scratch[0].p);
    T* Bbuf = static_cast<T*>(g_scratch[1].p);
    for (int64_t bi = 0; bi < J.batch; bi++)
      gemm_one<V>(J, J.A + bi * J.sA, J.B + bi * J.sB, J.C + bi * J.sC, J.D ? J.D + bi * J.sC : nullptr, Abuf, Bbuf,
                  &J.bar, tid, nt, &sense, 0, J.m, 0, J.n);
  }
}

template <class V>
bool run_gemm(const GemmCall& call) {
  typedef typename V::T T;
  enum { MR = Cfg<V>::MR, NR = Cfg<V>::NV * V::W, KC = Cfg<V>::KC, NC = Cfg<V>::NC, MC = MR * 256 };
  if (call.batch <= 0 || call.m <= 0 || call.n <= 0) return true;
  Job<V> J;
  J.A = static_cast<const T*>(call.a); J.B = static_cast<const T*>(call.b); J.C = static_cast<T*>(call.c);
  J.batch = call.batch; J.m = call.m; J.n = call.n; J.k = call.k;
  if (call.strideC == 0 && call.beta == 0) {
    // Every matrix of the batch overwrites the same C, so only the last one counts: this bounds
    // the work by the data when a huge batch reuses one matrix with zero strides.
    J.A += (call.batch - 1) * call.strideA;
    J.B += (call.batch - 1) * call.strideB;
    J.batch = 1;
  }
  J.ta = call.transA; J.tb = call.transB;
  J.alpha = (T)call.alpha; J.beta = (T)call.beta;
  J.sA = call.strideA; J.sB = call.strideB; J.sC = call.strideC;
  J.bias = static_cast<const T*>(call.bias);
  J.act = call.d ? call.act : nullptr;
  J.D = J.act ? static_cast<T*>(call.d) : nullptr;
  J.bar.count = 0; J.bar.sense = 0;
  double flops = 2.0 * call.m * call.n * (call.k > 0 ? call.k : 1);
  // Threads pay off above ~1 MFLOP in total; small matrices in a batch go one per thread, unless
  // the C matrices overlap (strideC < m n, e.g. 0 to accumulate the batch into one C): then the
  // batch runs in order, like the reference, and threads share each matrix.
  int nt = call.nthreads < 1 ? 1 : (call.nthreads > 256 ? 256 : call.nthreads);
  if (flops * J.batch < 1.5e6) nt = 1;
  J.batch_parallel = nt > 1 && J.batch >= nt && flops < 64.0 * 1024 * 1024 && call.strideC >= call.m * call.n;
  // Else each thread takes a band of C and packs what it needs itself: no barriers, and every
  // packed block a thread reads is in its own core's cache. The band is across the longer side,
  // so the operand packed by every thread is the smaller one, when there are strips enough for
  // every thread to have several.
  const int64_t msall = (call.m + MR - 1) / MR, nsall = (call.n + NR - 1) / NR;
  J.split = 0;
  if (nt > 1 && !J.batch_parallel && call.k > 0) {
    if (call.n > call.m && nsall >= 4 * nt) J.split = 2;
    else if (msall >= 4 * nt) J.split = 1;
    else if (nsall >= 4 * nt) J.split = 2;
  }
  // Allocate every packing buffer before anything is written, so a failure leaves C untouched.
  int64_t mcap = min64(MC, (call.m + MR - 1) / MR * MR), ncap = min64(NC, (call.n + NR - 1) / NR * NR);
  int64_t kb = k_block<V>(call.k);
  for (int t = 0; t < (J.batch_parallel || J.split ? nt : 1); t++) {
    if (!scratch(2 * t, sizeof(T) * mcap * kb) || !scratch(2 * t + 1, sizeof(T) * ncap * kb)) return false;
  }
  pool_run(nt, job_body<V>, &J);
  return true;
}

template <class V> double fma_chains(int64_t iters) {
  typedef typename V::R R;
  typedef typename V::T T;
  enum { CHAINS = 12, W = V::W };
  const R a = V::set1((T)0.999999), b = V::set1((T)1e-7);
  R x[CHAINS];
#pragma GCC unroll 12
  for (int i = 0; i < CHAINS; i++) x[i] = V::set1((T)(i + 1));
  for (int64_t it = 0; it < iters; it++) {
#pragma GCC unroll 12
    for (int i = 0; i < CHAINS; i++) x[i] = V::fma(x[i], a, b);
  }
  T out[CHAINS * W], s = 0;
  for (int i = 0; i < CHAINS; i++) V::store(out + i * W, x[i]);
  for (int i = 0; i < CHAINS * W; i++) s += out[i];
  volatile T sink = s;  // keeps the chains alive
  (void)sink;
  return 2.0 * CHAINS * W * (double)iters;
}

}  // namespace

namespace DESCENT_GEMM_NS {
bool sgemm(const GemmCall& call) { return run_gemm<VF>(call); }
bool dgemm(const GemmCall& call) { return run_gemm<VD>(call); }
double fma_loop(int64_t iters) { return fma_chains<VF>(iters); }
}  // namespace DESCENT_GEMM_NS

}  // namespace descent
