/**
 * Matrix products whose gradients multiply by explicitly transposed operands, shared by every model.
 * tfjs's own matMul gradient passes transpose flags instead, and tfjs-wasm's matMul with a transposed
 * operand is 5–16× slower than a transpose and a plain matMul (for [512, 784]·[784, 256]: 114 ms against
 * 13 ms; for [1, 1024, 64]·[1, 64, 256]: 16–17 ms against 1.6–2.0 ms); on cpu the two cost the same.
 * Values are those of tfjs's gradient; only speed differs.
 *
 * All operands are [R, m, k]·[R, k, n] (R: the run axis, or any batch axis).
 */
import * as tf from '../tf';

/** [R, m, n] → [R, n, m]. */
export function swapLast(t: tf.Tensor): tf.Tensor {
  return tf.transpose(t, [0, 2, 1]);
}

/** The gradient of a·b with respect to a, given dy = ∂L/∂(a·b): dy·bᵀ. */
export function gradLeft(dy: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return tf.matMul(dy, swapLast(b));
}

/** The gradient of a·b with respect to b, given dy = ∂L/∂(a·b): aᵀ·dy. */
export function gradRight(a: tf.Tensor, dy: tf.Tensor): tf.Tensor {
  return tf.matMul(swapLast(a), dy);
}

/** a·b for autodiff, with the gradients above. */
export const matMul = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [a, b, save] = inputs as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, [a0, b0]: tf.Tensor[]) => [gradLeft(dy, b0), gradRight(a0, dy)],
  };
}) as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/** x·w for autodiff where x needs no gradient (data, or a function of data alone): only w's is computed. */
export function dataMatMul(x: tf.Tensor, w: tf.Tensor): tf.Tensor {
  const product = tf.customGrad((...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [w0, save] = inputs as [tf.Tensor, tf.GradSaveFunc];
    save([x]);
    return { value: tf.matMul(x, w0), gradFunc: (dy: tf.Tensor, [x0]: tf.Tensor[]) => [gradRight(x0, dy)] };
  }) as (w: tf.Tensor) => tf.Tensor;
  return product(w);
}
