// Result<T>: a value or an Error. Expected failures travel as values; exceptions
// are kept for bugs and start-up failures.
#pragma once

#include <cassert>
#include <utility>
#include <variant>

#include "danhba/base/error.h"

namespace danhba {

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // REQUIRES: ok()
  T& value() & { assert(ok()); return std::get<0>(state_); }
  const T& value() const& { assert(ok()); return std::get<0>(state_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  // REQUIRES: !ok()
  const Error& error() const { assert(!ok()); return std::get<1>(state_); }
  Error&& take_error() { assert(!ok()); return std::get<1>(std::move(state_)); }

  T value_or(T fallback) const& { return ok() ? value() : std::move(fallback); }

 private:
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit by design

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { assert(!ok_); return error_; }
  Error&& take_error() { assert(!ok_); return std::move(error_); }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

inline Status Ok() { return {}; }

}  // namespace danhba

// Returns the error of a failed Result<...> expression from the enclosing function.
#define DANHBA_RETURN_IF_ERROR(expr)                  \
  do {                                                \
    auto danhba_status_ = (expr);                     \
    if (!danhba_status_.ok()) return danhba_status_.take_error(); \
  } while (false)

#define DANHBA_RESULT_CONCAT_INNER_(a, b) a##b
#define DANHBA_RESULT_CONCAT_(a, b) DANHBA_RESULT_CONCAT_INNER_(a, b)

// `DANHBA_ASSIGN_OR_RETURN(auto people, LoadPeople(path));` evaluates the
// Result<T> expression once; on failure it returns its error from the
// enclosing function, otherwise it moves the value into `lhs` (a declaration
// or an existing variable). Expands to more than one statement: not for the
// body of an if without braces.
#define DANHBA_ASSIGN_OR_RETURN(lhs, expr) \
  DANHBA_ASSIGN_OR_RETURN_IMPL_(DANHBA_RESULT_CONCAT_(danhba_result_, __LINE__), lhs, expr)
#define DANHBA_ASSIGN_OR_RETURN_IMPL_(result, lhs, expr) \
  auto result = (expr);                                   \
  if (!result.ok()) return result.take_error();          \
  lhs = std::move(result).value()
