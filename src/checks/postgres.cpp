// PostgreSQL through libpq's non-blocking API: PQconnectStart/PQconnectPoll, then PQsendQuery,
// each step waiting for the socket on Asio, so that no thread waits for the database.
//
// libpq is loaded on first use (dlopen), not linked: it brings libcrypto, GnuTLS, Kerberos and
// LDAP with it, about 5 MiB of resident memory in every process, which services that check no
// PostgreSQL should not pay (docs/benchmarks.md).
#include "healthchecks/checks/postgres.hpp"

#include <dlfcn.h>
#include <libpq-fe.h>

#include <optional>

#include <boost/asio/posix/stream_descriptor.hpp>

#include "checks/latency.hpp"
#include "checks/network_check.hpp"
#include "checks/probe.hpp"
#include "util/text.hpp"

namespace healthchecks::checks {
namespace {

using error_code = boost::system::error_code;
namespace asio = detail::asio;

// The libpq functions the check calls, looked up in libpq.so.5 once.
struct Libpq {
  std::string error;  // why libpq could not be loaded; empty when it was
#define HEALTHCHECKS_LIBPQ(name) decltype(&::name) name = nullptr;
#define HEALTHCHECKS_LIBPQ_FUNCTIONS(X) \
  X(PQconnectStart)                     \
  X(PQstatus)                           \
  X(PQconnectPoll)                      \
  X(PQsocket)                           \
  X(PQsetnonblocking)                   \
  X(PQsendQuery)                        \
  X(PQflush)                            \
  X(PQconsumeInput)                     \
  X(PQisBusy)                           \
  X(PQgetResult)                        \
  X(PQresultStatus)                     \
  X(PQresultErrorMessage)               \
  X(PQclear)                            \
  X(PQerrorMessage)                     \
  X(PQfinish)                           \
  X(PQhost)                             \
  X(PQport)                             \
  X(PQdb)
  HEALTHCHECKS_LIBPQ_FUNCTIONS(HEALTHCHECKS_LIBPQ)
#undef HEALTHCHECKS_LIBPQ
};

const Libpq& libpq() {
  static const Libpq api = [] {
    Libpq loaded;
    void* library = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);  // kept for the process
    if (library == nullptr) {
      loaded.error = std::string("cannot load libpq (install libpq5): ") + dlerror();
      return loaded;
    }
#define HEALTHCHECKS_LIBPQ(name)                                                   \
  loaded.name = reinterpret_cast<decltype(&::name)>(dlsym(library, #name));        \
  if (loaded.name == nullptr && loaded.error.empty()) {                            \
    loaded.error = "libpq.so.5 has no " #name " (a libpq older than version 10?)"; \
  }
    HEALTHCHECKS_LIBPQ_FUNCTIONS(HEALTHCHECKS_LIBPQ)
#undef HEALTHCHECKS_LIBPQ
    return loaded;
  }();
  return api;
}

// libpq ends its messages with a newline (sometimes two lines); one line reads better here.
std::string tidy(const char* message) {
  std::string text = message != nullptr ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  for (auto& c : text) {
    if (c == '\n') c = ' ';
  }
  return text;
}

class PostgresProbe final : public detail::Probe {
 public:
  PostgresProbe(const CheckContext& context, Completion done, const PostgresOptions& options)
      : Probe(context, std::move(done)), pq_(libpq()), options_(options) {}

  ~PostgresProbe() override { close(); }

  void start() {
    arm_deadline();
    if (!pq_.error.empty()) return finish(Status::crit(pq_.error));
    connection_ = pq_.PQconnectStart(options_.conninfo.c_str());
    if (connection_ == nullptr)
      return finish(Status::crit("libpq could not allocate a connection"));
    if (pq_.PQstatus(connection_) == CONNECTION_BAD) return fail("cannot connect to");
    poll_connect(PGRES_POLLING_WRITING);
  }

 private:
  // Drives PQconnectPoll: wait for what it asked for, then ask again. The socket may change
  // between polls (libpq tries the next address), so it is wrapped anew each time.
  void poll_connect(PostgresPollingStatusType wanted) {
    if (finished()) return;
    if (wanted == PGRES_POLLING_OK) return send_query();
    if (wanted == PGRES_POLLING_FAILED) return fail("cannot connect to");
    wait(wanted == PGRES_POLLING_READING ? asio::posix::stream_descriptor::wait_read
                                         : asio::posix::stream_descriptor::wait_write,
         [](PostgresProbe& self) {
           self.release();
           self.poll_connect(self.pq_.PQconnectPoll(self.connection_));
         });
  }

  void send_query() {
    phase_ = "querying";
    if (pq_.PQsetnonblocking(connection_, 1) != 0 ||
        pq_.PQsendQuery(connection_, options_.query.c_str()) != 1) {
      return fail("cannot send the query to");
    }
    flush();
  }

  void flush() {
    const int pending = pq_.PQflush(connection_);
    if (pending < 0) return fail("cannot send the query to");
    if (pending == 1) {
      return wait(asio::posix::stream_descriptor::wait_write,
                  [](PostgresProbe& self) { self.flush(); });
    }
    wait(asio::posix::stream_descriptor::wait_read, [](PostgresProbe& self) { self.read(); });
  }

  void read() {
    if (pq_.PQconsumeInput(connection_) != 1) return fail("lost the connection to");
    if (pq_.PQisBusy(connection_)) {
      return wait(asio::posix::stream_descriptor::wait_read,
                  [](PostgresProbe& self) { self.read(); });
    }
    std::string error;
    while (PGresult* result = pq_.PQgetResult(connection_)) {
      const auto status = pq_.PQresultStatus(result);
      if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK && error.empty()) {
        error = tidy(pq_.PQresultErrorMessage(result));
      }
      pq_.PQclear(result);
    }
    if (!error.empty())
      return finish(Status::crit(options_.query + " failed on " + where() + ": " + error));
    const auto took = detail::Clock::now() - started_;
    const std::string said =
        options_.query + " on " + where() + " in " + detail::format_elapsed(took);
    finish(detail::judge_latency(said, took, options_.warn_after));
  }

  template <class Next>
  void wait(asio::posix::stream_descriptor::wait_type type, Next next) {
    const int fd = pq_.PQsocket(connection_);
    if (fd < 0) return fail("lost the connection to");
    if (!socket_) socket_.emplace(executor_, fd);
    socket_->async_wait(type, [self = self_as<PostgresProbe>(), next](const error_code& ec) {
      if (self->finished()) return;
      if (ec)
        return self->finish(Status::crit("waiting for " + self->where() + ": " + ec.message()));
      next(*self);
    });
  }

  // "127.0.0.1:5432/app", once libpq knows where it is connecting.
  std::string where() const {
    if (connection_ == nullptr || pq_.PQhost(connection_) == nullptr) return "the server";
    return std::string(pq_.PQhost(connection_)) + ":" + pq_.PQport(connection_) + "/" +
           pq_.PQdb(connection_);
  }

  void fail(const std::string& what) {
    finish(Status::crit(what + " " + where() + ": " + tidy(pq_.PQerrorMessage(connection_))));
  }

  void on_deadline() override { finish(Status::crit(timed_out_while(phase_ + " " + where()))); }

  void on_finish() override { close(); }

  // Asio must let go of the socket before the library closes it.
  void release() { detail::let_go(socket_); }

  void close() {
    release();
    if (connection_ != nullptr) pq_.PQfinish(connection_);
    connection_ = nullptr;
  }

  const Libpq& pq_;
  PostgresOptions options_;
  std::optional<asio::posix::stream_descriptor> socket_;
  PGconn* connection_ = nullptr;
  std::string phase_ = "connecting to";
};

}  // namespace

Check postgres(PostgresOptions options) {
  return detail::network_check(
             "postgres",
             [options = std::move(options)](const CheckContext& context, Completion done) {
               std::make_shared<PostgresProbe>(context, std::move(done), options)->start();
             })
      .with_component_type("datastore");
}

}  // namespace healthchecks::checks
