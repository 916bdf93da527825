#include "healthchecks/asio/executor.hpp"

#include "healthchecks/error.hpp"
#include "runtime/runtime_impl.hpp"

namespace healthchecks::asio {

boost::asio::any_io_executor executor(const CheckContext& context) {
  if (context.runtime == nullptr) {
    throw Error("check", "no runtime: the check runs outside a Registry (use run_once)");
  }
  return context.runtime->impl().executor();
}

}  // namespace healthchecks::asio
