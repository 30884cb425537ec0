// Errors: every failure the library reports is an exception derived from minnow::Error.
//
// Messages follow Keras' rule: what happened (with the received values), what was
// expected, and how to fix it. The library never prints, never exits, never returns
// error codes: it throws one of these and leaves the model's weights untouched.
#pragma once

#include <stdexcept>
#include <string>

namespace minnow {

// Base of every exception minnow throws.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A tensor or layer shape that does not fit (Keras' ValueError about shapes).
class ShapeError : public Error {
 public:
  using Error::Error;
};

// An invalid hyperparameter or option, reported when the object is constructed.
class ConfigError : public Error {
 public:
  using Error::Error;
};

// A call made in the wrong order or on the wrong object (e.g. backward before forward).
class UsageError : public Error {
 public:
  using Error::Error;
};

// A file that cannot be read or written, or whose content is malformed.
class IoError : public Error {
 public:
  using Error::Error;
};

// A tensor the machine cannot hold: larger than its memory, or refused by the allocator. The
// message names the shape (and the layer and weight, for a weight) and the bytes asked for.
class AllocationError : public Error {
 public:
  using Error::Error;
};

}  // namespace minnow
