// The door from a check to Asio: the registry's I/O executor, for checks that do their own
// network I/O the way the built-in ones do. The only public header outside healthchecks/beast/
// that includes Boost.Asio.
#pragma once

#include <boost/asio/any_io_executor.hpp>

#include "healthchecks/check.hpp"
#include "healthchecks/export.hpp"

namespace healthchecks::asio {

/// The I/O executor of the runtime the check runs on (a Registry's, or run_once's), for the
/// sockets, timers and resolvers of an asynchronous check:
///
///     Check::async([](const CheckContext& context, Completion done) {
///       auto timer = std::make_shared<boost::asio::steady_timer>(
///           healthchecks::asio::executor(context), context.deadline);
///       timer->async_wait([timer, done](boost::system::error_code) { done(Status::ok()); });
///     });
///
/// Handlers run on the runtime's I/O threads and must not block. When that runtime has more
/// than one I/O thread, each call returns a strand of its own, so one check's handlers never
/// run concurrently as long as it makes its objects from one executor.
/// @note I/O objects made on it must not outlive the Registry: a check's state is normally
/// kept alive by its pending handlers, which the runtime destroys when it stops.
/// @throws Error ("check: ...") when the context has no runtime (a check called by hand).
HEALTHCHECKS_EXPORT boost::asio::any_io_executor executor(const CheckContext& context);

}  // namespace healthchecks::asio
