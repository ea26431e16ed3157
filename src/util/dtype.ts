// Data types: names, storage arrays, and the promotion rules binary ops use.

export type DType = "float64" | "float32" | "int32";
export type FloatDType = "float64" | "float32";
export type TypedArray = Float64Array | Float32Array | Int32Array;

export const DTYPES: readonly DType[] = ["float64", "float32", "int32"];

export function isDType(x: unknown): x is DType {
  return typeof x === "string" && (DTYPES as readonly string[]).includes(x);
}

export function isFloat(dtype: DType): dtype is FloatDType {
  return dtype === "float64" || dtype === "float32";
}

export function allocate(dtype: DType, n: number): TypedArray {
  switch (dtype) {
    case "float64": return new Float64Array(n);
    case "float32": return new Float32Array(n);
    case "int32": return new Int32Array(n);
    default: return dtype satisfies never;
  }
}

export function dtypeOfArray(a: TypedArray): DType {
  if (a instanceof Float64Array) return "float64";
  if (a instanceof Float32Array) return "float32";
  return "int32";
}

const RANK: Record<DType, number> = { int32: 0, float32: 1, float64: 2 };

/** PyTorch-style promotion between two tensor dtypes: int32 < float32 < float64. */
export function promoteTypes(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}
