// NPZ: numpy's zip of .npy arrays (numpy.savez), the container of minnow's weight files
// (model/weights_io.h) and of PyTorch state_dicts exported with numpy (tools/torch_state_dict.h).
//
// Writing: each array is the entry "<key>.npy" (io/npy.h), stored, not deflated (numpy.savez
// does the same: float data barely compresses), in the order given; two arrays of one key are an
// error. The file is written under a temporary name in the same folder ("<path>.tmp-" and 8 hex
// digits, locked while it is written), flushed to disk and renamed into place, so a crash never
// leaves half a file and an existing file is replaced only by a complete one. A save killed
// before it could clean up (SIGKILL, SIGXFSZ) leaves its temporary behind: the next successful
// save of the same path removes such temporaries of that path, unless a running save holds one.
// Reading: the zip directory is listed when the file is opened (numpy.load's keys: the entry
// names without ".npy"); an array is read, its CRC checked and decoded only when asked for, so a
// file may hold arrays minnow cannot decode (an int64 num_batches_tracked) as long as nobody
// reads them. An array is read as its .npy header says (read_npy): the entry's size in the zip
// directory must fit the header's shape before any data is inflated, and an entry that inflates
// past that size fails at once, so a decompression bomb costs no more than the array it declares.
// Every error is an IoError naming the file ("weights file '...'") and the array.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace minnow {

struct NpzArray {
  std::string key;      // "dense/kernel", "features.1.running_var"
  const Tensor* value;  // float32, saved with its shape
};

// Writes `arrays` to `path` (atomically, see above). Throws IoError when it cannot, or when two
// arrays share a key.
void save_npz(const std::vector<NpzArray>& arrays, const std::string& path);

// An .npz file open for reading.
class NpzReader {
 public:
  // Throws IoError: missing, empty, not a zip, corrupt, two arrays of one name.
  explicit NpzReader(const std::string& path);
  ~NpzReader();
  NpzReader(const NpzReader&) = delete;
  NpzReader& operator=(const NpzReader&) = delete;

  const std::string& path() const;
  const std::vector<std::string>& keys() const;  // in file order
  bool contains(const std::string& key) const;
  // The array `key` (which must exist), read and checked in full.
  Tensor read(const std::string& key) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace minnow
