#pragma once
// Errors from data and I/O are values, not exceptions: every fallible gis call returns Result<T>.
#include <string>
#include <utility>
#include <variant>

namespace parktwin::gis {

/// Why something failed; the message says what, where and what to do.
struct Failure {
  enum Kind {
    ResourceUnavailable,  ///< file missing, unreadable, not a dataset
    ConfigurationError,   ///< bad option, unknown or missing CRS
    InvalidData,          ///< the data is there but unusable (empty layer, absurd coordinates)
    GeneralError
  };
  Kind kind = GeneralError;
  std::string message;
  Failure() = default;
  Failure(Kind k, std::string m) : kind(k), message(std::move(m)) {}
  /// Short name of the kind, for logs ("resource unavailable", ...).
  const char* kind_name() const;
};

/// Either a value or a Failure.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Failure f) : v_(std::move(f)) {}
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Failure& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Failure> v_;
};

}  // namespace parktwin::gis
