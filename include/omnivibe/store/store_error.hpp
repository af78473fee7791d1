#pragma once
// The exception every store backend throws from inside a transaction, so the
// write path (writer/applier.hpp) can undo one command and report it without
// knowing which database is underneath. Each backend derives its own type
// (store::SqliteError) that adds what only it knows.

#include <stdexcept>
#include <utility>

#include "omnivibe/core/result.hpp"

namespace omnivibe::store {

/// A failed store operation, carrying the Error a client or operator is told.
class StoreError : public std::runtime_error {
  public:
    explicit StoreError(Error e) : std::runtime_error(e.detail), error_(std::move(e)) {}
    const Error& error() const noexcept { return error_; }

  private:
    Error error_;
};

}  // namespace omnivibe::store
