// PyTorch state_dicts as .npz files: a model's weights exchanged with torch modules.
//
// In Python, a state_dict goes to and comes from the .npz format (io/npz.h) with numpy:
//   numpy.savez("m.npz", **{k: v.numpy() for k, v in model.state_dict().items()})
//   model.load_state_dict({k: torch.from_numpy(v) for k, v in numpy.load("m.npz").items()})
// PyTorch names weights by module path ("features.1.weight"), not by Keras layer, so every call
// takes an explicit map from minnow layer name to torch module prefix P ("bn" -> "features.1").
// The keys of a layer mapped to P, and the layout changes (minnow keeps Keras' layouts):
//   BatchNormalization   gamma -> P.weight, beta -> P.bias, moving_mean -> P.running_mean,
//                        moving_variance -> P.running_var                    all (C,), as they are
//                        P.num_batches_tracked (an int64 counter) is ignored when loading and not
//                        written when saving (torch's load_state_dict then sets it to 0)
//   Dense                kernel (in, units) -> P.weight (units, in)            transposed
//                        bias (units,) -> P.bias
//   Conv2D               kernel (KH, KW, C, F) -> P.weight (F, C, KH, KW)      axes (3, 2, 0, 1)
//                        bias (F,) -> P.bias
//   LayerNormalization, GroupNormalization    gamma -> P.weight, beta -> P.bias, as they are
// A state_dict holds no hyperparameters: the minnow layers must be built like the torch modules
// (BatchNormalizationOptions::pytorch() gives BatchNorm's eps 1e-5 and momentum 0.1; torch's
// padding=1 on a 3x3 kernel with stride 1 is padding="same"). minnow's images are NHWC, torch's
// NCHW: a Dense after a Flatten of an image sees its inputs in another order, which no key
// mapping fixes (pool the image first, or permute that kernel's rows yourself).
// Details and a worked example: docs/batchnorm-conventions.md.
#pragma once

#include <map>
#include <string>

#include "model/model.h"

namespace minnow {

// minnow layer name -> torch module prefix, e.g. {{"conv", "features.0"}, {"bn", "features.1"}}.
using TorchModuleNames = std::map<std::string, std::string>;

struct TorchStateDictOptions {
  // true (torch's load_state_dict(strict=True)): every layer of the model that has weights must
  // be mapped, and loading refuses a file with keys no mapped weight uses (num_batches_tracked
  // aside). false: only the mapped layers are saved / loaded, other keys are ignored.
  bool strict = true;
};

// Writes the mapped layers' weights to `path` under their torch keys, in torch's layouts
// (atomically, as save_weights). Throws UsageError for a map that names a layer the model does
// not have or of a class without a torch counterpart, or (strict) leaves a layer with weights
// unmapped; IoError when the file cannot be written.
void save_pytorch_state_dict(const Model& model, const std::string& path, const TorchModuleNames& names,
                             const TorchStateDictOptions& options = {});

// Reads the mapped layers' weights from `path`. Everything is read and checked before any weight
// changes (the model is untouched on any error): UsageError for a bad map as above; IoError
// listing every missing key, naming a key whose shape differs (with both shapes, in torch's
// layout), or (strict) listing the keys no mapped weight uses.
void load_pytorch_state_dict(Model& model, const std::string& path, const TorchModuleNames& names,
                             const TorchStateDictOptions& options = {});

}  // namespace minnow
