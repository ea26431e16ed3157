// Typed errors. Every message names the op, the offending argument, and what was expected.

export class DescentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Shapes that cannot work together: broadcasting, matmul dimensions, reshape sizes. */
export class ShapeError extends DescentError {}

/** A dtype an op cannot take, e.g. an int32 tensor asked to require gradients. */
export class DTypeError extends DescentError {}

/** A dimension or index outside its valid range. */
export class IndexError extends DescentError {}

/** Misuse of the autograd engine: backward through a freed graph, missing gradients. */
export class AutogradError extends DescentError {}

/** An argument with an invalid value (negative probability, bad option name...). */
export class ValueError extends DescentError {}
