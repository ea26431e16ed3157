// A module-resolution hook for the benchmark only: tfjs-core's ESM gradient files (which the
// @tensorflow/tfjs bundle registers, and tfjs-core's CJS build lacks) import without ".js"
// extensions, as bundlers allow. This retries such relative imports with ".js" / "/index.js".
type Next = (specifier: string, context: unknown) => Promise<unknown>;

export async function resolve(specifier: string, context: unknown, next: Next): Promise<unknown> {
  try {
    return await next(specifier, context);
  } catch (e) {
    if (!specifier.startsWith(".") || specifier.endsWith(".js")) throw e;
    try {
      return await next(`${specifier}.js`, context);
    } catch {
      return next(`${specifier}/index.js`, context);
    }
  }
}
