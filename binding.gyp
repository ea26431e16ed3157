# Node-API addon with the native kernels. GEMM is compiled three times with different ISA flags
# (static libraries below), as is the vectorised float32 math, and chosen at run time; nothing
# uses -march=native or -ffast-math (-fno-trapping-math only lets the compiler if-convert).
{
  "target_defaults": {
    "cflags_cc": ["-O3", "-std=c++17", "-fno-math-errno", "-fno-trapping-math", "-fPIC", "-fvisibility=hidden"],
    "cflags_cc!": ["-O2", "-O0"],
    "cflags!": ["-O2", "-O0"],
    "xcode_settings": {
      "OTHER_CPLUSPLUSFLAGS": ["-O3", "-std=c++17", "-fno-math-errno"]
    }
  },
  "targets": [
    {
      "target_name": "descent_gemm_avx512",
      "type": "static_library",
      "sources": ["native/gemm_avx512.cc", "native/vecmath_avx512.cc"],
      "cflags_cc": ["-mavx512f", "-mavx512dq", "-mavx512vl", "-mavx512bw", "-mavx2", "-mfma"]
    },
    {
      "target_name": "descent_gemm_avx2",
      "type": "static_library",
      "sources": ["native/gemm_avx2.cc", "native/vecmath_avx2.cc"],
      "cflags_cc": ["-mavx2", "-mfma"]
    },
    {
      "target_name": "descent_native",
      "sources": [
        "native/addon.cc", "native/addon_kernels.cc", "native/pool.cc", "native/gemm_scalar.cc",
        "native/vecmath_base.cc", "native/elementwise.cc", "native/copy.cc", "native/reduce.cc",
        "native/fused.cc", "native/optim.cc"
      ],
      "dependencies": ["descent_gemm_avx512", "descent_gemm_avx2"],
      "libraries": ["-lpthread"]
    }
  ]
}
