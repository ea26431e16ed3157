// Node-API glue: turns JS typed arrays and numbers into kernel calls, checks dtypes and bounds
// (a bad call throws instead of touching memory outside the arrays), and picks the GEMM
// instruction set at load time with __builtin_cpu_supports (no -march=native anywhere).
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attention.h"
#include "gemm.h"
#include "napi_args.h"
#include "pool.h"
#include "rowk.h"
#include "vecmath.h"

namespace descent {

std::mutex& kernel_mutex() {
  static std::mutex mu;
  return mu;
}

// Defined in addon_kernels.cc.
napi_value Unary(napi_env env, napi_callback_info info);
napi_value UnaryBackward(napi_env env, napi_callback_info info);
napi_value BiasActBackward(napi_env env, napi_callback_info info);
napi_value Binary(napi_env env, napi_callback_info info);
napi_value Where(napi_env env, napi_callback_info info);
napi_value StridedCopy(napi_env env, napi_callback_info info);
napi_value Cast(napi_env env, napi_callback_info info);
napi_value Fill(napi_env env, napi_callback_info info);
napi_value Reduce(napi_env env, napi_callback_info info);
napi_value ArgReduce(napi_env env, napi_callback_info info);
napi_value Softmax(napi_env env, napi_callback_info info);
napi_value SoftmaxBackward(napi_env env, napi_callback_info info);
napi_value LayerNorm(napi_env env, napi_callback_info info);
napi_value LayerNormBackward(napi_env env, napi_callback_info info);
napi_value Embedding(napi_env env, napi_callback_info info);
napi_value EmbeddingBackward(napi_env env, napi_callback_info info);
napi_value CrossEntropy(napi_env env, napi_callback_info info);
napi_value CrossEntropyBackward(napi_env env, napi_callback_info info);
napi_value Adam(napi_env env, napi_callback_info info);
napi_value AdamMany(napi_env env, napi_callback_info info);
napi_value Sgd(napi_env env, napi_callback_info info);
// Defined in addon_attention.cc.
napi_value AttentionForward(napi_env env, napi_callback_info info);
napi_value AttentionBackward(napi_env env, napi_callback_info info);
// Defined in rms_rotary.cc.
napi_value RmsNorm(napi_env env, napi_callback_info info);
napi_value RmsNormBackward(napi_env env, napi_callback_info info);
napi_value RotaryEmb(napi_env env, napi_callback_info info);
napi_value RotaryEmbBackward(napi_env env, napi_callback_info info);
// Defined in half.cc.
napi_value HalfFromFloat32(napi_env env, napi_callback_info info);
napi_value HalfToFloat32(napi_env env, napi_callback_info info);
napi_value HalfIsa(napi_env env, napi_callback_info info);
void init_half();

namespace {

typedef bool (*GemmFn)(const GemmCall&);
GemmFn g_sgemm = gemm_scalar::sgemm;
GemmFn g_dgemm = gemm_scalar::dgemm;
double (*g_fma_loop)(int64_t) = gemm_scalar::fma_loop;
const char* g_isa = "scalar";

void pick_isa() {
#if defined(DESCENT_X86_KERNELS) && (defined(__x86_64__) || defined(__i386__))
  __builtin_cpu_init();
  const char* force = getenv("DESCENT_ISA");  // for testing the fallbacks: avx2 | scalar
  bool allow512 = !force || strcmp(force, "avx512") == 0;
  bool allow2 = !force || strcmp(force, "avx512") == 0 || strcmp(force, "avx2") == 0;
  // The AVX-512 files are built with -mavx512f/dq/vl/bw (the compiler may use any of them).
  bool has512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
                __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw");
  if (allow512 && has512 && __builtin_cpu_supports("fma")) {
    g_sgemm = gemm_avx512::sgemm; g_dgemm = gemm_avx512::dgemm; g_fma_loop = gemm_avx512::fma_loop; g_isa = "avx512";
    g_vec = vecmath_avx512::table();
    g_attn = attention_avx512::table();
    g_rowk = rowk_avx512::table();
  } else if (allow2 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    g_sgemm = gemm_avx2::sgemm; g_dgemm = gemm_avx2::dgemm; g_fma_loop = gemm_avx2::fma_loop; g_isa = "avx2";
    g_vec = vecmath_avx2::table();
    g_attn = attention_avx2::table();
    g_rowk = rowk_avx2::table();
  }
#endif
}

// ---- exported functions ----

napi_value Gemm(napi_env env, napi_callback_info info) {
  Args A(env, info, "gemm");
  Arr a = A.arr(0), b = A.arr(1), c = A.arr(2);
  GemmCall call;
  call.batch = A.i64(3); call.m = A.i64(4); call.n = A.i64(5); call.k = A.i64(6);
  call.transA = A.flag(7); call.transB = A.flag(8);
  call.alpha = A.num(9); call.beta = A.num(10);
  call.strideA = A.i64(11); call.strideB = A.i64(12); call.strideC = A.i64(13);
  int64_t oa = A.i64(14), ob = A.i64(15), oc = A.i64(16);
  // Optional epilogue (older callers pass 17 arguments): bias (n), activation code, D.
  Arr bias, d;
  int act = -1;
  if (A.argc > 17) {
    bias = A.arr(17, true);
    double code = A.num(18);
    d = A.arr(19, true);
    if (A.ok && code >= 0) {
      act = (int)code;
      A.need(code == act && gemm_activation(false, act) != nullptr,
             "activation must be -1 (none) or a GELU code (+ 256: keep its derivative in C)");
      A.need(d.present, "an activation needs its output D");
    }
  }
  A.need(is_float(a) && a.dt == b.dt && a.dt == c.dt, "A, B and C must be all Float32Array or all Float64Array");
  A.need((!bias.present || bias.dt == a.dt) && (!d.present || d.dt == a.dt), "bias and D must share C's dtype");
  if (A.ok && call.batch > 0 && call.m > 0 && call.n > 0) {
    // Last element touched: offset + (batch - 1) * stride + rows * cols, in saturating arithmetic.
    auto end = [&](int64_t off, int64_t stride, int64_t rows, int64_t cols) {
      return add_sat(add_sat(off, mul_sat(call.batch - 1, stride)), mul_sat(rows, cols));
    };
    A.need_len(call.k == 0 || end(oa, call.strideA, call.m, call.k) <= a.len,
               "A is too short for offsetA + (batch - 1) * strideA + m * k");
    A.need_len(call.k == 0 || end(ob, call.strideB, call.k, call.n) <= b.len,
               "B is too short for offsetB + (batch - 1) * strideB + k * n");
    A.need_len(end(oc, call.strideC, call.m, call.n) <= c.len, "C is too short for offsetC + (batch - 1) * strideC + m * n");
    A.need_len(!bias.present || bias.len >= call.n, "bias must hold n elements");
    A.need_len(act < 0 || end(oc, call.strideC, call.m, call.n) <= d.len, "D is too short for C's layout");
    // With zero strides the arrays do not bound the batch; beyond 2^32 (more matrices than any
    // tensor holds) the repeated update would run for hours. beta = 0 with strideC = 0 needs
    // only the last matrix, which the kernel computes alone.
    A.need_len(call.batch <= (int64_t)1 << 32 || (call.beta == 0 && call.strideC == 0),
               "batch must be at most 2^32 unless beta = 0 and strideC = 0");
  }
  if (!A.ok) return nullptr;
  size_t es = elem_size(a.dt);
  call.a = (const char*)a.data + oa * es;
  call.b = (const char*)b.data + ob * es;
  call.c = (char*)c.data + oc * es;
  call.bias = bias.present ? bias.data : nullptr;
  call.act = act >= 0 ? gemm_activation(a.dt == kF64, act) : nullptr;
  call.d = act >= 0 ? (char*)d.data + oc * es : nullptr;
  bool done;
  {
    std::lock_guard<std::mutex> lk(kernel_mutex());
    call.nthreads = pool_threads();
    done = a.dt == kF32 ? g_sgemm(call) : g_dgemm(call);
  }
  if (!done) {
    napi_throw_error(env, nullptr, "descent native gemm: out of memory allocating the packing buffers (C unchanged)");
    return nullptr;
  }
  return undef(env);
}

napi_value SetNumThreads(napi_env env, napi_callback_info info) {
  Args A(env, info, "setNumThreads");
  double n = A.num(0);
  if (A.ok && !(n >= 1 && n == __builtin_trunc(n))) A.fail_range("expected a positive integer, got %g", n);
  return A.run([&] { pool_set_threads(n > 256 ? 256 : (int)n); });  // the pool clamps to 256 anyway
}

napi_value GetNumThreads(napi_env env, napi_callback_info) {
  napi_value v;
  napi_create_int32(env, pool_threads(), &v);
  return v;
}

// The float32 FMA peak of the kernels' ISA on the pool's threads, in FLOP/s: every thread runs the
// register-only loop at once (so SMT siblings sharing a core's FMA units, or a clock that drops
// with all cores busy, show) and its rate is FLOPs over its own CPU time. Wall time would halve the
// figure whenever the scheduler briefly puts a freshly started worker on the caller's core (seen
// in 2 of 8 fresh processes) or a neighbour takes a core; CPU time counts only the cycles each
// thread got. Sized to ~20 ms after a calibration run; the best of eight runs (~0.2 s).
napi_value FmaPeak(napi_env env, napi_callback_info) {
  struct Ctx { int64_t iters; double rate[256]; } ctx;
  ctx.iters = 1 << 16;
  auto body = [](void* p, int tid, int) {
    Ctx* c = static_cast<Ctx*>(p);
    timespec t0, t1;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
    double f = g_fma_loop(c->iters);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
    double dt = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
    c->rate[tid] = f / (dt > 1e-9 ? dt : 1e-9);
  };
  double best = 0;
  {
    std::lock_guard<std::mutex> lk(kernel_mutex());
    const int nt = pool_threads();
    pool_run(nt, body, &ctx);  // calibration (and it starts the pool's workers)
    const double flops_per_iter = g_fma_loop(1);  // one iteration: 2 x 12 chains x vector width
    const double iters = 0.02 * ctx.rate[0] / flops_per_iter;  // ~20 ms per thread
    ctx.iters = iters > (1 << 16) ? (int64_t)iters : (1 << 16);
    for (int rep = 0; rep < 8; rep++) {
      pool_run(nt, body, &ctx);
      double total = 0;
      for (int t = 0; t < nt; t++) total += ctx.rate[t];
      if (total > best) best = total;
    }
  }
  napi_value v;
  napi_create_double(env, best, &v);
  return v;
}

napi_value Isa(napi_env env, napi_callback_info) {
  napi_value v;
  napi_create_string_utf8(env, g_isa, NAPI_AUTO_LENGTH, &v);
  return v;
}

napi_value Init(napi_env env, napi_value exports) {
  // Once per process: a worker_thread loading the addon again must not race running kernels
  // or reset a thread count set with setNumThreads.
  static std::once_flag once;
  std::call_once(once, [] {
    pick_isa();
    init_half();
    const char* nt = getenv("DESCENT_NUM_THREADS");
    if (nt && atoi(nt) >= 1) pool_set_threads(atoi(nt));
  });
  struct { const char* name; napi_callback cb; } fns[] = {
    {"gemm", Gemm}, {"unary", Unary}, {"unaryBackward", UnaryBackward},
    {"biasActBackward", BiasActBackward}, {"binary", Binary}, {"where", Where},
    {"stridedCopy", StridedCopy}, {"cast", Cast}, {"fill", Fill}, {"reduce", Reduce}, {"argReduce", ArgReduce},
    {"softmax", Softmax}, {"softmaxBackward", SoftmaxBackward}, {"layerNorm", LayerNorm},
    {"layerNormBackward", LayerNormBackward}, {"embedding", Embedding}, {"embeddingBackward", EmbeddingBackward},
    {"crossEntropy", CrossEntropy}, {"crossEntropyBackward", CrossEntropyBackward}, {"adamUpdate", Adam},
    {"adamUpdateMany", AdamMany},
    {"sgdUpdate", Sgd}, {"setNumThreads", SetNumThreads}, {"getNumThreads", GetNumThreads}, {"isa", Isa},
    {"fmaPeak", FmaPeak},
    {"attentionForward", AttentionForward}, {"attentionBackward", AttentionBackward},
    {"rmsNorm", RmsNorm}, {"rmsNormBackward", RmsNormBackward}, {"rotaryEmb", RotaryEmb},
    {"rotaryEmbBackward", RotaryEmbBackward},
    {"halfFromFloat32", HalfFromFloat32}, {"halfToFloat32", HalfToFloat32}, {"halfIsa", HalfIsa},
  };
  for (auto& f : fns) {
    napi_value fn;
    napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.cb, nullptr, &fn);
    napi_set_named_property(env, exports, f.name, fn);
  }
  return exports;
}

}  // namespace
}  // namespace descent

NAPI_MODULE(NODE_GYP_MODULE_NAME, descent::Init)
