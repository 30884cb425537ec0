// save_onnx / load_onnx inside minnow: the round trip minnow -> ONNX -> minnow keeps every weight
// and every output bit for bit; what cannot be written or read exactly is an error naming the
// layer or the node. (ONNX Runtime's view of the exports: onnxruntime_checks.cpp; PyTorch's
// exports: onnx_torch_test.cpp.)
#include "onnx/onnx.h"

#include <cstring>

#include <catch2/catch.hpp>

#include "onnx/onnx_models.h"
#include "onnx/onnx_test_util.h"

using namespace minnow;
using namespace minnow::onnx_test;

namespace {

bool same_bits(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), sizeof(float) * static_cast<size_t>(a.size())) == 0;
}

// The models whose every layer has a node of its own that reads back as the same layer: their
// summaries survive the round trip too. (Dropout and a linear Activation become Identity, an
// Activation('relu') a ReLU, GroupNormalization an InstanceNormalization pattern, a Multiply of
// three inputs two Multiply layers.)
bool keeps_summary(const std::string& name) {
  return name.find("Activation") == std::string::npos && name.find("Dropout") == std::string::npos &&
         name.find("GroupNormalization") == std::string::npos && name.find("Softmax") == std::string::npos &&
         name.find("two Mul nodes") == std::string::npos;
}

}  // namespace

TEST_CASE("minnow -> ONNX -> minnow gives identical weights and outputs, bit for bit") {
  for (const auto& m : exported_models()) {
    if (m.name.find("GroupNormalization") != std::string::npos) continue;  // exported only (docs/onnx.md)
    SECTION(m.name) {
      auto model = m.make();
      const auto folder = scratch_folder("roundtrip");
      save_onnx(*model, (folder / "m.onnx").string());
      auto back = load_onnx((folder / "m.onnx").string());
      for (const Parameter* p : model->weights()) {
        INFO(p->layer_name << "/" << p->name);
        const Layer& layer = back->get_layer(p->layer_name);
        bool found = false;
        for (const Parameter* q : layer.weights())
          if (q->name == p->name) found = same_bits(q->value, p->value);
        CHECK(found);
      }
      const Tensor x = seeded_input(model->inputs()[0].shape(), 4, 3);
      const Tensor expected = model->forward(x, Mode::Inference);
      CHECK(same_bits(back->forward(x, Mode::Inference), expected));
      if (keeps_summary(m.name)) CHECK(back->summary() == model->summary());
      std::filesystem::remove_all(folder);
    }
  }
}
