// The one exception type of the library: start-up mistakes (registration, about file, config).
// Check outcomes are never exceptions; they are Status values (see status.hpp).
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

#include "healthchecks/export.hpp"

namespace healthchecks {

/// Thrown when the service is set up wrongly: a bad registration, an unreadable or malformed
/// about file, an invalid option. `what()` reads "<category>: <message>", for example
/// "registration: slug 'about' is reserved"; `category()` returns the first word alone.
class HEALTHCHECKS_EXPORT Error : public std::runtime_error {
 public:
  Error(std::string category, std::string message)
      : std::runtime_error(category + ": " + message),
        category_(std::move(category)),
        message_(std::move(message)) {}

  /// "registration", "about", "config", "options", "check", "server".
  const std::string& category() const noexcept { return category_; }
  /// The message without its category.
  const std::string& message() const noexcept { return message_; }

 private:
  std::string category_;
  std::string message_;
};

}  // namespace healthchecks
