// Reference numbers for the activations and layers of issue 15 (tests/layers/*_test.cpp and
// tests/core/activations_test.cpp read them through tests/layers/reference15.h): Keras' layers and
// activations as TensorFlow.js 4.22 implements them (@tensorflow/tfjs 4.22.0, tfjs-layers, a port
// of tf.keras; the CPU backend), run in Node. Every input and weight is a fixed formula printed
// with the outputs, so the C++ tests read both from here.
// Run:  NODE_PATH=/path/to/node_modules node make_keras_layers15_reference.js > keras_layers15_reference.txt
//       (npm install --ignore-scripts @tensorflow/tfjs@4.22.0 gives the node_modules)
// What TF.js lacks comes from make_torch_layers15_reference.py (PyTorch), appended to the same
// file: Keras 3's hard_sigmoid and ELU with alpha != 1.
// Format, one record a line:  <key>: <v1> <v2> ...   (shapes use -1 for None).
const tf = require('@tensorflow/tfjs');

const fmt = (v) => (Number.isInteger(v) ? String(v) : v.toPrecision(9));
function put(key, values) { console.log(`${key}: ${Array.from(values).map(fmt).join(' ')}`); }
// A fixed, irregular input: values in about [-scale, scale].
function input(shape, seed, scale = 3) {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = Float32Array.from({length: n}, (_, i) => scale * Math.sin(1.7 * i + seed) * Math.cos(0.3 * i * seed));
  return tf.tensor(v, shape);
}
function shapeOf(s) { return s.map((d) => (d == null ? -1 : d)); }

// ---- activations: y = f(x) and dL/dx for L = sum(g * f(x)) (tf.grad) ----
const x = tf.tensor1d([-6, -4.5, -3, -2.2, -1.5, -1, -0.6, -0.25, -0.01, 0.01, 0.3, 0.7, 1, 1.6, 2.4, 3, 4.2, 6.5]);
const g = input([18], 4, 1);
put('activation.x', x.dataSync());
put('activation.g', g.dataSync());
const keras = {
  elu: (t) => tf.layers.activation({activation: 'elu'}).apply(t),
  selu: (t) => tf.layers.activation({activation: 'selu'}).apply(t),
  softplus: (t) => tf.layers.activation({activation: 'softplus'}).apply(t),
  silu: (t) => tf.layers.activation({activation: 'swish'}).apply(t),
  gelu: (t) => tf.layers.activation({activation: 'gelu'}).apply(t),
  gelu_tanh: (t) => tf.layers.activation({activation: 'gelu_new'}).apply(t),  // the tanh form
  leaky_relu: (t) => tf.leakyRelu(t, 0.2),  // keras.activations.leaky_relu, Keras 3's default slope
};
for (const [name, f] of Object.entries(keras)) {
  put(`activation.${name}.y`, f(x).dataSync());
  put(`activation.${name}.dx`, tf.grad((t) => tf.sum(tf.mul(f(t), g)))(x).dataSync());
}

// ---- layers: forward values ----
const img = input([2, 3, 4, 2], 1);
put('image.x', img.dataSync());
put('leaky_relu.y', tf.layers.leakyReLU().apply(img).dataSync());  // default alpha 0.3
put('leaky_relu_0.1.y', tf.layers.leakyReLU({alpha: 0.1}).apply(img).dataSync());
put('elu.y', tf.layers.elu().apply(img).dataSync());
{
  const full = tf.layers.prelu({inputShape: [3, 4, 2]});
  full.apply(img);
  const a = input([3, 4, 2], 7, 0.5);
  full.setWeights([a]);
  put('prelu.alpha', a.dataSync());
  put('prelu.y', full.apply(img).dataSync());
  const shared = tf.layers.prelu({sharedAxes: [1, 2]});
  shared.apply(img);
  const b = tf.tensor([[[0.25, -0.5]]]);
  shared.setWeights([b]);
  put('prelu_shared.alpha', b.dataSync());
  put('prelu_shared.y', shared.apply(img).dataSync());
}
put('zero_padding.y', tf.layers.zeroPadding2d({padding: [[1, 2], [0, 3]]}).apply(img).dataSync());
put('zero_padding_1.y', tf.layers.zeroPadding2d().apply(img).dataSync());
put('up_sampling.y', tf.layers.upSampling2d({size: [2, 3]}).apply(img).dataSync());
put('global_max_pooling.y', tf.layers.globalMaxPooling2d({}).apply(img).dataSync());
const a = input([2, 3, 4], 2), b = input([2, 3, 4], 3), c = input([2, 3, 4], 5);
put('merge.a', a.dataSync());
put('merge.b', b.dataSync());
put('merge.c', c.dataSync());
put('multiply.y', tf.layers.multiply().apply([a, b, c]).dataSync());
put('subtract.y', tf.sub(a, b).dataSync());  // TF.js has no Subtract layer: keras' is a - b
put('average.y', tf.layers.average().apply([a, b, c]).dataSync());
put('maximum.y', tf.layers.maximum().apply([a, b, c]).dataSync());

// ---- Embedding: rows of a table, looked up by token index ----
{
  const ids = tf.tensor2d([[0, 4, 2], [2, 2, 1]]);
  const embedding = tf.layers.embedding({inputDim: 5, outputDim: 3});
  embedding.apply(ids);
  const table = input([5, 3], 9);
  embedding.setWeights([table]);
  put('embedding.ids', ids.dataSync());
  put('embedding.table', table.dataSync());
  put('embedding.y', embedding.apply(ids).dataSync());
  const model = tf.sequential({layers: [tf.layers.embedding({inputDim: 5, outputDim: 3, inputLength: 4})]});
  put('embedding.summary', [...shapeOf(model.layers[0].outputShape), model.layers[0].countParams()]);
}

// ---- a model of them all: each layer's output shape and parameter count, as Keras counts ----
const inp = tf.input({shape: [5, 6, 3]});
let h = tf.layers.zeroPadding2d({padding: [[1, 0], [2, 1]]}).apply(inp);
h = tf.layers.upSampling2d({size: [2, 2]}).apply(h);
const p1 = tf.layers.prelu().apply(h);
const p2 = tf.layers.prelu({sharedAxes: [1, 2]}).apply(h);
const l = tf.layers.leakyReLU().apply(p1);
const e = tf.layers.elu().apply(p2);
const m = tf.layers.multiply().apply([l, e]);
const av = tf.layers.average().apply([l, e, m]);
const mx = tf.layers.maximum().apply([av, m]);
const out = tf.layers.globalMaxPooling2d({}).apply(mx);
const model = tf.model({inputs: inp, outputs: out});
model.layers.forEach((layer, i) =>
  put(`summary.${i}.${layer.getClassName()}`, [...shapeOf(layer.outputShape), layer.countParams()]));
