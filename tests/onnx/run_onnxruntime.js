// Runs an ONNX model in ONNX Runtime (the CPU build of the npm package onnxruntime-node) on inputs
// from .npy files and writes each output as an .npy file: the independent runtime the ONNX tests
// check minnow's exports against.
//   NODE_PATH=<dir>/node_modules node run_onnxruntime.js model.onnx out_prefix in0.npy [in1.npy ...]
// writes out_prefix0.npy, out_prefix1.npy, ... (float32, in the graph's output order). The inputs
// are fed to the graph's inputs in order.
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');

function readNpy(path) {
  const b = fs.readFileSync(path);
  if (b.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error(`${path}: not an .npy file`);
  const major = b[6];
  const headerLen = major === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = b.toString('latin1', start, start + headerLen);
  if (!header.includes("'descr': '<f4'") || header.includes("'fortran_order': True"))
    throw new Error(`${path}: only little-endian float32 in C order is read`);
  const shape = header.match(/'shape': \(([^)]*)\)/)[1].split(',').map(s => s.trim()).filter(s => s).map(Number);
  const offset = start + headerLen;
  const data = new Float32Array(b.buffer.slice(b.byteOffset + offset, b.byteOffset + b.length));
  return new ort.Tensor('float32', data, shape);
}

function writeNpy(path, tensor) {
  const dims = tensor.dims.map(String);
  const shape = dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, }`;
  while ((10 + header.length + 1) % 64 !== 0) header += ' ';
  header += '\n';
  const pre = Buffer.alloc(10);
  Buffer.from('\x93NUMPY', 'latin1').copy(pre);
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  const data = Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
  fs.writeFileSync(path, Buffer.concat([pre, Buffer.from(header, 'latin1'), data]));
}

async function main() {
  const [model, prefix, ...inputs] = process.argv.slice(2);
  const session = await ort.InferenceSession.create(model, {intraOpNumThreads: 1, interOpNumThreads: 1});
  const feeds = {};
  session.inputNames.forEach((name, i) => { feeds[name] = readNpy(inputs[i]); });
  const results = await session.run(feeds);
  session.outputNames.forEach((name, i) => writeNpy(`${prefix}${i}.npy`, results[name]));
}

main().catch(e => { console.error(e.message || e); process.exit(1); });
