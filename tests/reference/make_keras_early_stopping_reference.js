// Reference numbers for tests/callbacks/early_stopping_test.cpp: Keras' EarlyStopping as
// TensorFlow.js 4.22 implements it (@tensorflow/tfjs, tf.callbacks.earlyStopping, a port of
// keras/callbacks.py), driven with scripted logs, one sequence per case. Prints, per case, the
// epoch (from 0) at whose end it stopped training, or "none".
// Run:  npm install --ignore-scripts @tensorflow/tfjs@4.22.0 && node make_keras_early_stopping_reference.js
// The output is pasted into the test as the expected stops (the test names this file).
const tf = require('@tensorflow/tfjs');

const cases = [
  // name, options, monitored values per epoch
  ['min_delta', {monitor: 'val_loss', patience: 2, minDelta: 0.01}, [1.0, 0.9, 0.895, 0.89, 0.8, 0.7]],
  ['patience0', {monitor: 'val_loss', patience: 0}, [1.0, 0.9, 0.95, 0.5]],
  ['accuracy_auto_max', {monitor: 'val_accuracy', patience: 1}, [0.5, 0.6, 0.6, 0.7, 0.65, 0.66]],
  ['mode_max', {monitor: 'val_loss', mode: 'max', patience: 1}, [1.0, 2.0, 1.5, 1.4]],
  // tf.keras 2.13's baseline no longer starts `best` (TF.js still does, as Keras 2.2 did): the two
  // agree on a sequence that never improves after the first epoch, which is the one used here.
  ['baseline', {monitor: 'val_loss', patience: 2, baseline: 0.5}, [0.9, 0.95, 0.97, 0.3]],
  ['never', {monitor: 'val_loss', patience: 1}, [5, 4, 3, 2, 1]],
];

async function run(options, values) {
  const es = tf.callbacks.earlyStopping(options);
  // A real (tiny) LayersModel: setModel accepts nothing else; only its stopTraining flag is used.
  const model = tf.sequential({layers: [tf.layers.dense({units: 1, inputShape: [1]})]});
  model.compile({optimizer: 'sgd', loss: 'meanSquaredError'});
  model.stopTraining = false;
  es.setModel(model);
  await es.onTrainBegin();
  for (let epoch = 0; epoch < values.length; ++epoch) {
    await es.onEpochEnd(epoch, {[options.monitor]: values[epoch]});
    if (model.stopTraining) return epoch;
  }
  return 'none';
}

(async () => {
  for (const [name, options, values] of cases) console.log(`${name}: ${await run(options, values)}`);
})();
