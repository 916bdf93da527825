// PostgreSQL through libpq's non-blocking API: PQconnectStart/PQconnectPoll, then PQsendQuery,
// each step waiting for the socket on Asio, so that no thread waits for the database.
#include "healthchecks/checks/postgres.hpp"

#include <libpq-fe.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "detail/runtime_impl.hpp"
#include "detail/text.hpp"

namespace healthchecks::checks {
namespace {

using error_code = boost::system::error_code;
namespace asio = detail::asio;

// libpq ends its messages with a newline (sometimes two lines); one line reads better here.
std::string tidy(const char* message) {
  std::string text = message != nullptr ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  for (auto& c : text) {
    if (c == '\n') c = ' ';
  }
  return text;
}

class PostgresProbe : public std::enable_shared_from_this<PostgresProbe> {
 public:
  PostgresProbe(const CheckContext& context, Completion done, const PostgresOptions& options)
      : options_(options),
        done_(std::move(done)),
        executor_(context.runtime->impl().executor()),
        started_(context.started),
        budget_end_(context.deadline),
        timer_(executor_) {
    timer_.expires_at(detail::probe_deadline(context.deadline));
  }

  ~PostgresProbe() { close(); }

  void start() {
    timer_.async_wait([self = shared_from_this()](const error_code& ec) {
      if (ec || self->finished_) return;
      self->finish(Status::crit({}, "timed out after " +
                                        detail::format_ms(self->budget_end_ - self->started_) +
                                        " while " + self->phase_ + " " + self->where()));
    });
    connection_ = PQconnectStart(options_.conninfo.c_str());
    if (connection_ == nullptr)
      return finish(Status::crit({}, "libpq could not allocate a connection"));
    if (PQstatus(connection_) == CONNECTION_BAD) return fail("cannot connect to");
    poll_connect(PGRES_POLLING_WRITING);
  }

 private:
  // Drives PQconnectPoll: wait for what it asked for, then ask again. The socket may change
  // between polls (libpq tries the next address), so it is wrapped anew each time.
  void poll_connect(PostgresPollingStatusType wanted) {
    if (finished_) return;
    if (wanted == PGRES_POLLING_OK) return send_query();
    if (wanted == PGRES_POLLING_FAILED) return fail("cannot connect to");
    wait(wanted == PGRES_POLLING_READING ? asio::posix::stream_descriptor::wait_read
                                         : asio::posix::stream_descriptor::wait_write,
         [](PostgresProbe& self) {
           self.release();
           self.poll_connect(PQconnectPoll(self.connection_));
         });
  }

  void send_query() {
    phase_ = "querying";
    if (PQsetnonblocking(connection_, 1) != 0 ||
        PQsendQuery(connection_, options_.query.c_str()) != 1) {
      return fail("cannot send the query to");
    }
    flush();
  }

  void flush() {
    const int pending = PQflush(connection_);
    if (pending < 0) return fail("cannot send the query to");
    if (pending == 1) {
      return wait(asio::posix::stream_descriptor::wait_write,
                  [](PostgresProbe& self) { self.flush(); });
    }
    wait(asio::posix::stream_descriptor::wait_read, [](PostgresProbe& self) { self.read(); });
  }

  void read() {
    if (PQconsumeInput(connection_) != 1) return fail("lost the connection to");
    if (PQisBusy(connection_)) {
      return wait(asio::posix::stream_descriptor::wait_read,
                  [](PostgresProbe& self) { self.read(); });
    }
    std::string error;
    while (PGresult* result = PQgetResult(connection_)) {
      const auto status = PQresultStatus(result);
      if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK && error.empty()) {
        error = tidy(PQresultErrorMessage(result));
      }
      PQclear(result);
    }
    if (!error.empty())
      return finish(Status::crit({}, options_.query + " failed on " + where() + ": " + error));
    const auto took = detail::Clock::now() - started_;
    const std::string said =
        options_.query + " on " + where() + " in " + detail::format_elapsed(took);
    if (options_.warn_after.count() > 0 && took > options_.warn_after) {
      return finish(
          Status::warn({}, said + " (WARN above " + detail::format_ms(options_.warn_after) + ")"));
    }
    finish(Status::ok({}, said));
  }

  template <class Next>
  void wait(asio::posix::stream_descriptor::wait_type type, Next next) {
    const int fd = PQsocket(connection_);
    if (fd < 0) return fail("lost the connection to");
    if (!socket_) socket_.emplace(executor_, fd);
    socket_->async_wait(type, [self = shared_from_this(), next](const error_code& ec) {
      if (self->finished_) return;
      if (ec)
        return self->finish(Status::crit({}, "waiting for " + self->where() + ": " + ec.message()));
      next(*self);
    });
  }

  // "127.0.0.1:5432/app", once libpq knows where it is connecting.
  std::string where() const {
    if (connection_ == nullptr || PQhost(connection_) == nullptr) return "the server";
    return std::string(PQhost(connection_)) + ":" + PQport(connection_) + "/" + PQdb(connection_);
  }

  void fail(const std::string& what) {
    finish(Status::crit({}, what + " " + where() + ": " + tidy(PQerrorMessage(connection_))));
  }

  void finish(Status status) {
    if (finished_) return;
    finished_ = true;
    timer_.cancel();
    close();
    done_(std::move(status));
  }

  // Asio must let go of the socket before libpq closes it.
  void release() {
    if (!socket_) return;
    error_code ignored;
    socket_->cancel(ignored);
    socket_->release();
    socket_.reset();
  }

  void close() {
    release();
    if (connection_ != nullptr) PQfinish(connection_);
    connection_ = nullptr;
  }

  PostgresOptions options_;
  Completion done_;
  asio::any_io_executor executor_;
  detail::Clock::time_point started_;
  detail::Clock::time_point budget_end_;
  asio::steady_timer timer_;
  std::optional<asio::posix::stream_descriptor> socket_;
  PGconn* connection_ = nullptr;
  std::string phase_ = "connecting to";
  bool finished_ = false;
};

}  // namespace

Check postgres(PostgresOptions options) {
  return Check::async([options = std::move(options)](const CheckContext& context, Completion done) {
    if (context.runtime == nullptr)
      return done(Status::crit({}, "postgres check run outside a Registry"));
    std::make_shared<PostgresProbe>(context, std::move(done), options)->start();
  });
}

}  // namespace healthchecks::checks
