#!/usr/bin/python3
"""Hostile ONNX files for load_onnx's tests (tests/onnx/onnx_hostile_test.cpp) and the seed corpus of
its fuzzer (tests/fuzz/fuzz_onnx.cpp). Run by hand from the repository's root with Debian's
python3-onnx (onnx 1.12.0):
    /usr/bin/python3 -P tests/reference/make_hostile_onnx.py
Each file in tests/onnx/hostile/ is named after what is wrong with it; valid.onnx is the model they
all start from: Input (N, 4) -> Gemm (4 -> 3) -> Relu.
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "onnx", "hostile")


def model(nodes, inits, inputs=None, outputs=None, opset=13):
    inputs = inputs or [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4])]
    outputs = outputs or [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 3])]
    graph = helper.make_graph(nodes, "hostile", inputs, outputs, inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="hostile")


def weights():
    return [numpy_helper.from_array(np.arange(12, dtype=np.float32).reshape(4, 3) / 10, "w"),
            numpy_helper.from_array(np.ones(3, dtype=np.float32), "b")]


def gemm_relu():
    return [helper.make_node("Gemm", ["x", "w", "b"], ["h"], name="fc"), helper.make_node("Relu", ["h"], ["y"], name="act")]


def image_input(c=3, h=8, w=8):
    return [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", c, h, w])]


def conv(**attrs):
    k = numpy_helper.from_array(np.ones((2, 3, 3, 3), dtype=np.float32), "k")
    return model([helper.make_node("Conv", ["x", "k"], ["y"], name="conv", **attrs)], [k], image_input(),
                 [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])


def save(name, m):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(m if isinstance(m, bytes) else m.SerializeToString())


def main():
    os.makedirs(OUT, exist_ok=True)
    valid = model(gemm_relu(), weights())
    onnx.checker.check_model(valid)
    save("valid.onnx", valid)
    data = valid.SerializeToString()
    save("truncated.onnx", data[: len(data) // 2])
    save("not_protobuf.onnx", b"PK\x03\x04 this is a zip file, not a protobuf" * 3)
    save("unknown_opset.onnx", model(gemm_relu(), weights(), opset=99))
    save("cycle.onnx", model([helper.make_node("Relu", ["y"], ["h"], name="first"),
                              helper.make_node("Gemm", ["h", "w", "b"], ["y"], name="second")], weights()))
    short = weights()
    short[0].raw_data = short[0].raw_data[:8]
    save("initializer_too_short.onnx", model(gemm_relu(), short))
    huge = weights()
    del huge[0].dims[:]
    huge[0].dims.extend([1 << 40, 1 << 40])
    save("initializer_huge_dims.onnx", model(gemm_relu(), huge))
    negative = weights()
    negative[0].dims[0] = -4
    save("initializer_negative_dims.onnx", model(gemm_relu(), negative))
    save("input_huge_dims.onnx", model(gemm_relu(), weights(),
                                       [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 1 << 40, 1 << 40])]))
    external = weights()
    external[0].data_location = TensorProto.EXTERNAL
    save("initializer_external.onnx", model(gemm_relu(), external))
    save("gemm_shape_mismatch.onnx", model(gemm_relu(), weights(),
                                           [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 5])]))
    save("unsupported_operator.onnx", model([helper.make_node("Einsum", ["x", "w"], ["y"], name="mix", equation="ij,jk->ik")],
                                            weights()))
    save("conv_dilations.onnx", conv(dilations=[2, 2]))
    save("conv_group.onnx", conv(group=3))
    save("conv_same_lower.onnx", conv(auto_pad="SAME_LOWER"))
    save("conv_wrong_attribute_type.onnx", conv(strides="wide"))
    shape = helper.make_node("Shape", ["x"], ["s"], name="shape")
    save("reshape_dynamic_shape.onnx", model([shape, helper.make_node("Reshape", ["x", "s"], ["y"], name="reshape")], []))
    save("value_written_twice.onnx", model([helper.make_node("Relu", ["x"], ["y"], name="a"),
                                            helper.make_node("Relu", ["x"], ["y"], name="b")], []))
    save("output_never_written.onnx", model([helper.make_node("Relu", ["x"], ["h"], name="a")], []))
    save("no_graph.onnx", helper.make_model(helper.make_graph([], "g", [], [])).SerializeToString()[:2])
    scales = numpy_helper.from_array(np.array([1, 1, 65536, 65536], dtype=np.float32), "scales")
    save("resize_overflow.onnx", model([helper.make_node("Resize", [a, "", "scales"], [b], name=f"up{i}", mode="nearest",
                                                         coordinate_transformation_mode="asymmetric", nearest_mode="floor")
                                        for i, (a, b) in enumerate([("x", "u1"), ("u1", "u2"), ("u2", "u3"), ("u3", "y")])],
                                       [scales], image_input(), [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)]))
    save("resize_linear.onnx", model([helper.make_node("Resize", ["x", "", "scales"], ["y"], name="up", mode="linear")],
                                     [scales], image_input(), [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)]))
    pads = numpy_helper.from_array(np.array([0, 1, 0, 0, 0, 0, 0, 0], dtype=np.int64), "pads")
    save("pad_channels.onnx", model([helper.make_node("Pad", ["x", "pads"], ["y"], name="pad")], [pads], image_input(),
                                    [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)]))
    slope = numpy_helper.from_array(np.ones(5, dtype=np.float32), "slope")
    save("prelu_slope_mismatch.onnx", model([helper.make_node("PRelu", ["x", "slope"], ["y"], name="prelu")], [slope],
                                            image_input(), [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)]))
    half = numpy_helper.from_array(np.array([0.5], dtype=np.float32), "half")
    save("mul_constant.onnx", model([helper.make_node("Mul", ["x", "half"], ["y"], name="scale")], [half]))
    print(f"wrote {len(os.listdir(OUT))} files to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
