// Reference numbers for the layers Conv2DTranspose, Conv1D and MaxPooling1D
// (tests/layers/conv2d_transpose_test.cpp, conv1d_test.cpp, max_pooling1d_test.cpp and
// tests/model/summary_test.cpp read them): Keras' layers as TensorFlow.js 4.22 implements them
// (@tensorflow/tfjs 4.22.0, tfjs-layers, a port of tf.keras; the CPU backend), run in Node. Every
// input and weight is a fixed formula printed with the outputs, so the C++ tests read both from here.
// Run:  NODE_PATH=/path/to/node_modules node make_keras_layers16_reference.js > keras_layers16_reference.txt
//       (npm install --ignore-scripts @tensorflow/tfjs@4.22.0 gives the node_modules)
// Gradients are of L = sum(g * y) for a fixed g: dx by tf.grad, the weights' by tf.variableGrads.
// Format, one record a line:  <key>: <v1> <v2> ...   (shapes use -1 for None); a first line # says
// what made the file.
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
console.log(`# made by tests/reference/make_keras_layers16_reference.js: @tensorflow/tfjs ${tf.version.tfjs}, ` +
            `Node ${process.version}`);

// A layer of weights `seed`: built on x, its kernel and bias set to fixed values and printed as
// <key>.kernel, <key>.bias; then <key>.y, and with grad, <key>.g, <key>.dx, <key>.dkernel, <key>.dbias.
// pre(x) is what the layer is applied to (a causal padding, below).
function weighted(key, layer, x, seed, grad = false, pre = (t) => t) {
  layer.apply(pre(x));
  const [k, b] = layer.getWeights();
  const kernel = input(k.shape, seed, 0.5), bias = input(b.shape, seed + 1, 0.5);
  layer.setWeights([kernel, bias]);
  put(`${key}.kernel`, kernel.dataSync());
  put(`${key}.bias`, bias.dataSync());
  const y = layer.apply(pre(x));
  put(`${key}.shape`, y.shape);
  put(`${key}.y`, y.dataSync());
  if (!grad) return;
  const g = input(y.shape, seed + 2, 1);
  const loss = (t) => tf.sum(tf.mul(layer.apply(pre(t)), g));
  put(`${key}.g`, g.dataSync());
  put(`${key}.dx`, tf.grad(loss)(x).dataSync());
  const {grads} = tf.variableGrads(() => loss(x), layer.trainableWeights.map((w) => w.read()));
  put(`${key}.dkernel`, grads[layer.trainableWeights[0].originalName].dataSync());
  put(`${key}.dbias`, grads[layer.trainableWeights[1].originalName].dataSync());
}

// ---- Conv2DTranspose: images (2, 3, 4, 2) ----
const img = input([2, 3, 4, 2], 1);
put('image.x', img.dataSync());
weighted('conv2d_transpose_valid', tf.layers.conv2dTranspose({filters: 3, kernelSize: 3}), img, 11, true);
weighted('conv2d_transpose_same_s2',
         tf.layers.conv2dTranspose({filters: 3, kernelSize: 3, strides: 2, padding: 'same'}), img, 12, true);
weighted('conv2d_transpose_valid_s2_2x3',
         tf.layers.conv2dTranspose({filters: 2, kernelSize: [2, 3], strides: 2, activation: 'relu'}), img, 13);
weighted('conv2d_transpose_same_s21_4x3',
         tf.layers.conv2dTranspose({filters: 2, kernelSize: [4, 3], strides: [2, 1], padding: 'same'}), img, 14);

// ---- Conv1D: sequences (2, 7, 3) ----
const seq = input([2, 7, 3], 2);
put('sequence.x', seq.dataSync());
weighted('conv1d_valid', tf.layers.conv1d({filters: 4, kernelSize: 3}), seq, 21, true);
weighted('conv1d_same', tf.layers.conv1d({filters: 4, kernelSize: 4, padding: 'same', activation: 'tanh'}), seq, 22);
weighted('conv1d_valid_s2', tf.layers.conv1d({filters: 2, kernelSize: 3, strides: 2}), seq, 23);
weighted('conv1d_same_s2', tf.layers.conv1d({filters: 2, kernelSize: 2, strides: 2, padding: 'same'}), seq, 24);
// (no gradients: TF.js 4.22 has none for a dilated convolution)
weighted('conv1d_same_d2', tf.layers.conv1d({filters: 3, kernelSize: 3, padding: 'same', dilationRate: 2}), seq, 26);
// TF.js 4.22 runs no padding='causal' (NotImplementedError in conv1dWithBias): Keras' causal Conv1D
// is, by its definition (tf.keras Conv1D.call), (kernel_size - 1) * dilation_rate zeros before the
// sequence and then padding='valid', which is what these compute.
const causal = (k, d) => (t) => tf.pad(t, [[0, 0], [(k - 1) * d, 0], [0, 0]]);
weighted('conv1d_causal', tf.layers.conv1d({filters: 3, kernelSize: 3}), seq, 25, true, causal(3, 1));
weighted('conv1d_causal_s2', tf.layers.conv1d({filters: 3, kernelSize: 3, strides: 2}), seq, 28, false, causal(3, 1));
weighted('conv1d_causal_d3', tf.layers.conv1d({filters: 3, kernelSize: 2, dilationRate: 3}), seq, 27, false,
         causal(2, 3));

// ---- MaxPooling1D: the same sequences ----
const pool = (o) => tf.layers.maxPooling1d(o).apply(seq);
put('max_pooling1d_default.y', pool({}).dataSync());  // pool_size 2, strides = pool_size, valid
put('max_pooling1d_same.y', pool({poolSize: 2, padding: 'same'}).dataSync());  // L = 7 is odd
put('max_pooling1d_3_s2_same.y', pool({poolSize: 3, strides: 2, padding: 'same'}).dataSync());
put('max_pooling1d_3_s1.y', pool({poolSize: 3, strides: 1}).dataSync());

// ---- a model of them all: each layer's output shape and parameter count, as Keras counts ----
const inp = tf.input({shape: [8, 3]});
let h = tf.layers.conv1d({filters: 6, kernelSize: 3, padding: 'same'}).apply(inp);
h = tf.layers.maxPooling1d({}).apply(h);
h = tf.layers.conv1d({filters: 6, kernelSize: 2, padding: 'same', dilationRate: 2}).apply(h);
h = tf.layers.reshape({targetShape: [4, 3, 2]}).apply(h);
h = tf.layers.conv2dTranspose({filters: 3, kernelSize: [3, 2], strides: 2}).apply(h);
h = tf.layers.conv2dTranspose({filters: 2, kernelSize: 3, strides: 2, padding: 'same'}).apply(h);
const model = tf.model({inputs: inp, outputs: h});
model.layers.forEach((layer, i) =>
  put(`summary.${i}.${layer.getClassName()}`, [...shapeOf(layer.outputShape), layer.countParams()]));
