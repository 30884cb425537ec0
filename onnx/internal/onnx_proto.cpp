#include "onnx/internal/onnx_proto.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <sys/stat.h>

#include <fmt/format.h>

#include "core/error.h"

namespace minnow::onnx_io {

namespace {

constexpr long kMaxElements = 1L << 31;

// The product of `dims`, checked: every dim >= 0, the product at most kMaxElements.
long checked_count(const onnx::TensorProto& t, const std::string& where) {
  long count = 1;
  for (const auto d : t.dims()) {
    if (d < 0 || d > kMaxElements || (d > 0 && count > kMaxElements / d))
      throw IoError(
          fmt::format("{}: dims ({}) are negative or hold more than 2^31 values", where, fmt::join(t.dims(), ", ")));
    count *= d;
  }
  return count;
}

void require_internal(const onnx::TensorProto& t, const std::string& where) {
  if (t.data_location() == onnx::TensorProto::EXTERNAL || t.external_data_size() > 0)
    throw IoError(fmt::format("{}: its data is in an external file, which minnow does not read", where));
}

}  // namespace

std::string describe(const onnx::NodeProto& node) { return fmt::format("node '{}' ({})", node.name(), node.op_type()); }

void set_tensor(onnx::TensorProto& out, const std::string& name, const Tensor& t, const std::vector<long>& dims) {
  out.set_name(name);
  out.set_data_type(onnx::TensorProto::FLOAT);
  for (const long d : dims.empty() ? t.shape().dims() : dims) out.add_dims(d);
  out.set_raw_data(t.data(), static_cast<size_t>(t.size()) * sizeof(float));  // little-endian, as ONNX
}

void set_int64_tensor(onnx::TensorProto& out, const std::string& name, const std::vector<long>& values) {
  out.set_name(name);
  out.set_data_type(onnx::TensorProto::INT64);
  out.add_dims(static_cast<int64_t>(values.size()));
  for (const long v : values) out.add_int64_data(v);
}

Tensor read_float_tensor(const onnx::TensorProto& t, const std::string& where) {
  require_internal(t, where);
  if (t.data_type() != onnx::TensorProto::FLOAT)
    throw IoError(fmt::format("{}: data type {} is not FLOAT (float32), the only one minnow's weights hold", where,
                              t.data_type()));
  const long n = checked_count(t, where);
  const long given = t.has_raw_data() ? static_cast<long>(t.raw_data().size() / sizeof(float)) : t.float_data_size();
  if (given != n || (t.has_raw_data() && t.raw_data().size() % sizeof(float) != 0))
    throw IoError(
        fmt::format("{}: dims ({}) say {} values, the data holds {}", where, fmt::join(t.dims(), ", "), n,
                    t.has_raw_data() ? fmt::format("{} bytes", t.raw_data().size()) : fmt::format("{}", given)));
  Tensor out(Shape(std::vector<long>(t.dims().begin(), t.dims().end())));
  if (t.has_raw_data()) std::memcpy(out.data(), t.raw_data().data(), t.raw_data().size());
  else std::copy(t.float_data().begin(), t.float_data().end(), out.data());
  return out;
}

std::vector<long> read_int_tensor(const onnx::TensorProto& t, const std::string& where) {
  require_internal(t, where);
  const long n = checked_count(t, where);
  const bool is64 = t.data_type() == onnx::TensorProto::INT64;
  if (!is64 && t.data_type() != onnx::TensorProto::INT32)
    throw IoError(fmt::format("{}: data type {} is not INT64 or INT32", where, t.data_type()));
  const size_t width = is64 ? 8 : 4;
  const long given = t.has_raw_data() ? static_cast<long>(t.raw_data().size() / width)
                                      : (is64 ? t.int64_data_size() : t.int32_data_size());
  if (given != n || (t.has_raw_data() && t.raw_data().size() % width != 0))
    throw IoError(
        fmt::format("{}: dims ({}) say {} values, the data holds {}", where, fmt::join(t.dims(), ", "), n, given));
  std::vector<long> out(static_cast<size_t>(n));
  for (size_t i = 0; i < out.size(); ++i) {
    if (!t.has_raw_data()) {
      out[i] = is64 ? static_cast<long>(t.int64_data(static_cast<int>(i))) : t.int32_data(static_cast<int>(i));
    } else if (is64) {
      int64_t v = 0;
      std::memcpy(&v, t.raw_data().data() + i * width, width);
      out[i] = static_cast<long>(v);
    } else {
      int32_t v = 0;
      std::memcpy(&v, t.raw_data().data() + i * width, width);
      out[i] = v;
    }
  }
  return out;
}

const onnx::AttributeProto* find_attribute(const onnx::NodeProto& node, const std::string& name) {
  for (const auto& a : node.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

namespace {
const onnx::AttributeProto* typed(const onnx::NodeProto& node, const std::string& name,
                                  onnx::AttributeProto::AttributeType type, const char* type_name) {
  const auto* a = find_attribute(node, name);
  if (a != nullptr && a->type() != type && a->type() != onnx::AttributeProto::UNDEFINED)
    throw IoError(fmt::format("{}: attribute '{}' is not of type {}", describe(node), name, type_name));
  return a;
}
}  // namespace

long int_attribute(const onnx::NodeProto& node, const std::string& name, long fallback) {
  const auto* a = typed(node, name, onnx::AttributeProto::INT, "INT");
  return a != nullptr ? static_cast<long>(a->i()) : fallback;
}

float float_attribute(const onnx::NodeProto& node, const std::string& name, float fallback) {
  const auto* a = typed(node, name, onnx::AttributeProto::FLOAT, "FLOAT");
  return a != nullptr ? a->f() : fallback;
}

std::vector<long> ints_attribute(const onnx::NodeProto& node, const std::string& name,
                                 const std::vector<long>& fallback) {
  const auto* a = typed(node, name, onnx::AttributeProto::INTS, "INTS");
  return a != nullptr ? std::vector<long>(a->ints().begin(), a->ints().end()) : fallback;
}

std::string string_attribute(const onnx::NodeProto& node, const std::string& name, const std::string& fallback) {
  const auto* a = typed(node, name, onnx::AttributeProto::STRING, "STRING");
  return a != nullptr ? a->s() : fallback;
}

void write_file_atomically(const std::string& path, const std::string& bytes) {
  std::string tmp = path + ".tmp-XXXXXX";
  const int fd = mkstemp(tmp.data());
  if (fd < 0) throw IoError(fmt::format("cannot write ONNX file '{}': {}", path, std::strerror(errno)));
  ::fchmod(fd, 0644);  // as a file written by open() under the usual umask, not mkstemp's 0600
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  const bool ok = done == bytes.size() && ::fsync(fd) == 0;
  const int saved = errno;
  ::close(fd);
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = ok ? errno : saved;
    std::remove(tmp.c_str());
    throw IoError(fmt::format("cannot write ONNX file '{}': {}", path, std::strerror(err)));
  }
}

}  // namespace minnow::onnx_io
