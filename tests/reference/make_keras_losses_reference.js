// Reference numbers for tests/model/losses_more_test.cpp: the loss and its gradient dL/dy_pred for
// mean_absolute_error, huber (delta 1), kl_divergence and categorical_hinge, as TensorFlow.js 4.22
// computes them (@tensorflow/tfjs; tf.grad for the gradients). TF.js' layers losses are ports of
// keras/losses.py with the same formulas as Keras 3 (keras/src/losses/losses.py):
//   mean_absolute_error  mean(|p - y|, axis=-1)                  (tfjs-layers meanAbsoluteError)
//   huber                where(|e| <= d, e^2/2, d|e| - d^2/2)      (tf.losses.huberLoss, same piecewise form)
//   kl_divergence        sum(y log(y / p), axis=-1), y and p clipped to [1e-7, 1]: written here
//                        with tf ops, because tfjs-layers' kullbackLeiblerDivergence multiplies by the
//                        UNclipped y (a y of 0 then adds nothing, where Keras 3 adds 1e-7 log(1e-7 / p)).
//                        The script checks that the two agree on the case without zeros ('kld').
//   categorical_hinge    max(0, 1 + max((1 - y) p) - sum(y p))   (tfjs-layers categoricalHinge)
// then the mean over rows (Keras' sum_over_batch_size). Every case has one row per line of 3.
// Run:  NODE_PATH=/work/tfjsref/node_modules node tests/reference/make_keras_losses_reference.js
//       > tests/reference/keras_losses_reference.txt
// Output: one line per case, "name value g0 g1 ...", float32 values printed to 9 digits.
const tf = require('@tensorflow/tfjs');

// The layers-API loss function Keras' name selects, read from a compiled one-layer model.
function layersLoss(name) {
  const m = tf.sequential({layers: [tf.layers.dense({units: 1, inputShape: [1]})]});
  m.compile({optimizer: 'sgd', loss: name});
  return (y, p) => tf.mean(m.model.lossFunctions[0](y, p));
}

const losses = {
  mean_absolute_error: layersLoss('meanAbsoluteError'),
  huber: (y, p) => tf.losses.huberLoss(y, p, undefined, 1.0),
  kl_divergence: (y, p) => {
    const yc = tf.clipByValue(y, 1e-7, 1);
    return tf.mean(tf.sum(tf.mul(yc, tf.log(tf.div(yc, tf.clipByValue(p, 1e-7, 1)))), -1));
  },
  categorical_hinge: layersLoss('categoricalHinge'),
};

const cases = [
  // name, loss, y_true (rows of 3), y_pred
  ['mae', 'mean_absolute_error', [0.5, -1, 2, 0, 3, 1.5], [0.1, 0.4, 2.5, -2, 1, 1.25]],
  ['huber', 'huber', [0.5, -1, 2, 0, 3, 1.5], [0.1, 0.4, 2.5, -2, 1, 1.25]],
  ['huber_far', 'huber', [0, 0, 0, 1, 1, 1], [-3, 0.75, 4, 1.5, -0.2, 2.1]],
  ['kld', 'kl_divergence', [0.2, 0.3, 0.5, 0.7, 0.1, 0.2], [0.25, 0.25, 0.5, 0.1, 0.6, 0.3]],
  // a y_true of 0 and a y_pred of 0 are both clipped to 1e-7 (no gradient through a clipped y_pred)
  ['kld_clipped', 'kl_divergence', [0, 0.4, 0.6, 1, 0, 0], [0.3, 0.3, 0.4, 0.5, 0, 0.5]],
  ['categorical_hinge', 'categorical_hinge', [0, 1, 0, 1, 0, 0], [0.3, 0.5, 0.2, 0.1, 0.6, 0.3]],
  // second row: the true class wins by more than 1, so that row's loss and gradient are 0
  ['categorical_hinge_margin', 'categorical_hinge', [0, 0, 1, 1, 0, 0], [-0.4, 0.9, 0.7, 2.5, 0.2, 1.1]],
];

const f9 = (v) => Number(v).toPrecision(9);
for (const [name, loss, y, p] of cases) {
  const yt = tf.tensor2d(y, [y.length / 3, 3]);
  const yp = tf.tensor2d(p, [p.length / 3, 3]);
  const value = losses[loss](yt, yp).dataSync()[0];
  const grad = tf.grad((q) => losses[loss](yt, q))(yp).dataSync();
  if (name === 'kld') {  // Keras' form against TF.js' own, where no label is clipped
    const own = layersLoss('kullbackLeiblerDivergence')(yt, yp).dataSync()[0];
    if (Math.abs(own - value) > 1e-6 * Math.abs(value)) throw new Error(`kld: TF.js gives ${own}, Keras' form ${value}`);
  }
  console.log([name, f9(value), ...Array.from(grad, f9)].join(' '));
}
