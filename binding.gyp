# Node-API addon with the native kernels. On x86-64, GEMM and the vectorised float32 math are
# compiled three times with different ISA flags (the static libraries below) and chosen at run
# time; elsewhere only the portable versions are built. The layer-norm and optimizer kernels
# (rowk_*.cc) likewise, in their own libraries built with -ffp-contract=off. Nothing uses
# -march=native or -ffast-math (-fno-trapping-math only lets the compiler if-convert branches).
{
  "target_defaults": {
    "cflags_cc": ["-O3", "-std=c++17", "-fno-math-errno", "-fno-trapping-math", "-fPIC", "-fvisibility=hidden"],
    "cflags_cc!": ["-O2", "-O0"],
    "cflags!": ["-O2", "-O0"],
    "xcode_settings": {
      "OTHER_CPLUSPLUSFLAGS": ["-O3", "-std=c++17", "-fno-math-errno", "-fno-trapping-math"]
    }
  },
  "targets": [
    {
      "target_name": "descent_native",
      "sources": [
        "native/addon.cc", "native/addon_kernels.cc", "native/pool.cc", "native/gemm_scalar.cc",
        "native/vecmath_base.cc", "native/elementwise.cc", "native/copy.cc", "native/reduce.cc",
        "native/fused.cc", "native/optim.cc", "native/rms_rotary.cc",
        "native/half.cc",
        "native/attention.cc", "native/attention_base.cc", "native/addon_attention.cc"
      ],
      "libraries": ["-lpthread"],
      "dependencies": ["descent_rowk_base"],
      "conditions": [
        ["target_arch=='x64'", {
          "dependencies": ["descent_x86_avx512", "descent_x86_avx2", "descent_rowk_avx512", "descent_rowk_avx2"],
          "defines": ["DESCENT_X86_KERNELS=1"]
        }]
      ]
    },
    {
      # Layer norm and optimizer kernels (rowk_impl.h). -ffp-contract=off here and in the per-ISA
      # builds below: with -mfma (or on ISAs with FMA) the compiler would fuse a*b+c, and these
      # must round exactly like the reference.
      "target_name": "descent_rowk_base",
      "type": "static_library",
      "sources": ["native/rowk_base.cc"],
      "cflags_cc": ["-ffp-contract=off"],
      "xcode_settings": { "OTHER_CPLUSPLUSFLAGS": ["-O3", "-std=c++17", "-fno-math-errno", "-fno-trapping-math", "-ffp-contract=off"] }
    }
  ],
  "conditions": [
    ["target_arch=='x64'", {
      "targets": [
        {
          "target_name": "descent_x86_avx512",
          "type": "static_library",
          "sources": ["native/gemm_avx512.cc", "native/vecmath_avx512.cc", "native/attention_avx512.cc"],
          "cflags_cc": ["-mavx512f", "-mavx512dq", "-mavx512vl", "-mavx512bw", "-mavx2", "-mfma"]
        },
        {
          "target_name": "descent_x86_avx2",
          "type": "static_library",
          "sources": ["native/gemm_avx2.cc", "native/vecmath_avx2.cc", "native/attention_avx2.cc"],
          "cflags_cc": ["-mavx2", "-mfma"]
        },
        {
          "target_name": "descent_rowk_avx512",
          "type": "static_library",
          "sources": ["native/rowk_avx512.cc"],
          "cflags_cc": ["-mavx512f", "-mavx512dq", "-mavx512vl", "-mavx512bw", "-mavx2", "-mfma", "-ffp-contract=off"]
        },
        {
          "target_name": "descent_rowk_avx2",
          "type": "static_library",
          "sources": ["native/rowk_avx2.cc"],
          "cflags_cc": ["-mavx2", "-mfma", "-ffp-contract=off"]
        }
      ]
    }]
  ]
}
