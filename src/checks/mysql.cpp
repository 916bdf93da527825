// MySQL and MariaDB through MariaDB Connector/C's non-blocking API: each mysql_*_start/_cont
// returns what it waits for (the socket readable or writable, a time-out), Asio does the
// waiting, then the _cont call goes on, so that no thread waits for the database.
//
// Connector/C is loaded on first use (dlopen), not linked, as libpq is: services that check no
// MySQL do not carry it and the TLS library it brings.
#include "healthchecks/checks/mysql.hpp"

#include <errmsg.h>
#include <mysqld_error.h>

#include <optional>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "checks/latency.hpp"
#include "checks/mariadb_connector.hpp"
#include "checks/network_check.hpp"
#include "checks/probe.hpp"
#include "util/text.hpp"

namespace healthchecks::checks {
namespace {

using error_code = boost::system::error_code;
namespace asio = detail::asio;
using tcp = asio::ip::tcp;
using descriptor = asio::posix::stream_descriptor;

// A row or packet the server sends may not be larger than this: its answers are not ours to
// size (rows are read one at a time and dropped).
constexpr std::size_t kMaxPacket = 1 << 20;
// Results of one statement (a CALL answers several): a bound on what the server may send.
constexpr int kMaxResults = 64;

bool authentication_error(unsigned code) {
  return code == ER_ACCESS_DENIED_ERROR || code == ER_DBACCESS_DENIED_ERROR ||
         code == ER_ACCESS_DENIED_NO_PASSWORD_ERROR || code == ER_NOT_SUPPORTED_AUTH_MODE ||
         code == CR_AUTH_PLUGIN_CANNOT_LOAD;
}

class MysqlProbe final : public detail::Probe {
 public:
  MysqlProbe(const CheckContext& context, Completion done, const MysqlOptions& options)
      : Probe(context, std::move(done)),
        api_(detail::connector()),
        options_(options),
        budget_end_(context.deadline),
        where_((options_.host.find(':') != std::string::npos ? "[" + options_.host + "]"
                                                             : options_.host) +
               ":" + std::to_string(options_.port) +
               (options_.database.empty() ? "" : "/" + options_.database)),
        resolver_(executor_),
        timer_(executor_) {}

  ~MysqlProbe() override { close(); }

  // On the probe's executor (the calling thread may be any): every step after this one runs
  // in a handler there, never beside another; a step goes on after it starts a wait.
  void start() {
    asio::dispatch(executor_, [self = self_as<MysqlProbe>()] { self->begin(); });
  }

 private:
  void begin() {
    arm_deadline();
    if (!api_.error.empty()) return finish(Status::crit(api_.error));
    // Connector/C would resolve a name with a blocking getaddrinfo inside its _start call, on
    // an I/O thread: Asio resolves instead, and Connector/C gets the numeric address.
    error_code ec;
    const auto address = asio::ip::make_address(options_.host, ec);
    if (!ec) {
      addresses_.push_back(address.to_string());
      return connect();
    }
    phase_ = "resolving";
    resolver_.async_resolve(
        options_.host, std::to_string(options_.port),
        [self = self_as<MysqlProbe>()](const error_code& failed,
                                       const tcp::resolver::results_type& results) {
          if (self->finished()) return;
          if (failed) {
            return self->finish(
                Status::crit("resolve " + self->options_.host + ": " + failed.message()));
          }
          for (const auto& entry : results) {
            self->addresses_.push_back(entry.endpoint().address().to_string());
          }
          self->connect();
        });
  }

  // Connects to the next address: mysql_init, options, mysql_real_connect_start.
  void connect() {
    close();
    phase_ = "connecting to";
    mysql_ = api_.mysql_init(nullptr);
    if (mysql_ == nullptr) return finish(Status::crit("Connector/C could not allocate a handle"));
    // The connection's own time-outs, in whole seconds, back the deadline up; reading no option
    // files (mysql_init does not), refusing LOAD DATA LOCAL: a server may not read our files.
    unsigned seconds = 3600;
    const auto now = detail::Clock::now();
    if (budget_end_ > now && budget_end_ - now < std::chrono::hours(1)) {
      seconds =
          static_cast<unsigned>(std::chrono::ceil<std::chrono::seconds>(budget_end_ - now).count());
    }
    const unsigned no = 0;
    const std::size_t max_packet = kMaxPacket;
    if (api_.mysql_options(mysql_, MYSQL_OPT_NONBLOCK, nullptr) != 0 ||
        api_.mysql_options(mysql_, MYSQL_OPT_CONNECT_TIMEOUT, &seconds) != 0 ||
        api_.mysql_options(mysql_, MYSQL_OPT_READ_TIMEOUT, &seconds) != 0 ||
        api_.mysql_options(mysql_, MYSQL_OPT_WRITE_TIMEOUT, &seconds) != 0 ||
        api_.mysql_options(mysql_, MYSQL_OPT_LOCAL_INFILE, &no) != 0 ||
        api_.mysql_options(mysql_, MYSQL_OPT_MAX_ALLOWED_PACKET, &max_packet) != 0) {
      return fail("cannot set the connection's options for " + where_);
    }
    const std::string& address = addresses_[next_address_++];
    const char* database = options_.database.empty() ? nullptr : options_.database.c_str();
    drive(
        api_.mysql_real_connect_start(&connected_, mysql_, address.c_str(), options_.user.c_str(),
                                      options_.password.c_str(), database, options_.port, nullptr,
                                      0),
        [](MysqlProbe& self, int ready) {
          return self.api_.mysql_real_connect_cont(&self.connected_, self.mysql_, ready);
        },
        [](MysqlProbe& self) { self.on_connected(); });
  }

  void on_connected() {
    if (connected_ == nullptr) {
      const unsigned code = api_.mysql_errno(mysql_);
      // Refused at one address of a name (IPv6 first, a server on IPv4 only): the next one.
      if ((code == CR_CONNECTION_ERROR || code == CR_CONN_HOST_ERROR) &&
          next_address_ < addresses_.size()) {
        return connect();
      }
      return fail(
          (authentication_error(code) ? "authentication failed at " : "cannot connect to ") +
          where_);
    }
    if (options_.query.empty()) {
      phase_ = "pinging";
      return drive(
          api_.mysql_ping_start(&result_, mysql_),
          [](MysqlProbe& self, int ready) {
            return self.api_.mysql_ping_cont(&self.result_, self.mysql_, ready);
          },
          [](MysqlProbe& self) {
            if (self.result_ != 0) return self.fail("ping to " + self.where_ + " failed");
            self.answered("ping to " + self.where_);
          });
    }
    phase_ = "querying";
    drive(
        api_.mysql_real_query_start(&result_, mysql_, options_.query.c_str(),
                                    options_.query.size()),
        [](MysqlProbe& self, int ready) {
          return self.api_.mysql_real_query_cont(&self.result_, self.mysql_, ready);
        },
        [](MysqlProbe& self) { self.on_result(); });
  }

  // A statement's result: its rows, if it has any, read one at a time and dropped.
  void on_result() {
    if (result_ != 0) return fail_query();
    if (++results_ > kMaxResults) {
      return finish(Status::crit(options_.query + " on " + where_ + " answered more than " +
                                 std::to_string(kMaxResults) + " results"));
    }
    if (api_.mysql_field_count(mysql_) == 0) return next_result();
    rows_ = api_.mysql_use_result(mysql_);
    if (rows_ == nullptr) return fail_query();
    fetch();
  }

  // A loop, not a recursion, over the rows already received; a wait ends the handler.
  void fetch() {
    for (;;) {
      const int status = api_.mysql_fetch_row_start(&row_, rows_);
      if (status != 0) {
        return drive(
            status,
            [](MysqlProbe& self, int ready) {
              return self.api_.mysql_fetch_row_cont(&self.row_, self.rows_, ready);
            },
            [](MysqlProbe& self) {
              if (self.row_ != nullptr) return self.fetch();
              self.end_of_rows();
            });
      }
      if (row_ == nullptr) return end_of_rows();
    }
  }

  // The end of the rows, or an error while reading them.
  void end_of_rows() {
    if (api_.mysql_errno(mysql_) != 0) return fail_query();  // close() frees the rows
    api_.mysql_free_result(rows_);                           // read to the end: no I/O left
    rows_ = nullptr;
    next_result();
  }

  // A procedure (CALL) answers several results; each one may be an error.
  void next_result() {
    if (!api_.mysql_more_results(mysql_)) return answered(options_.query + " on " + where_);
    drive(
        api_.mysql_next_result_start(&result_, mysql_),
        [](MysqlProbe& self, int ready) {
          return self.api_.mysql_next_result_cont(&self.result_, self.mysql_, ready);
        },
        [](MysqlProbe& self) {
          if (self.result_ > 0) return self.fail_query();
          if (self.result_ < 0) return self.answered(self.options_.query + " on " + self.where_);
          self.on_result();
        });
  }

  void answered(const std::string& what) {
    const auto took = detail::Clock::now() - started_;
    finish(detail::judge_latency(what + " in " + detail::format_elapsed(took), took,
                                 options_.warn_after));
  }

  // Runs a non-blocking call to its end: `status` is what its _start returned (0: done), each
  // resume(self, ready) calls its _cont with what became ready, then(self) follows. Connector/C
  // waits for its socket or a time-out, or both: whichever comes first resumes it.
  template <class Resume, class Then>
  void drive(int status, Resume resume, Then then) {
    if (finished()) return;
    if (status == 0) return then(*this);
    const unsigned round = ++round_;
    const auto resumed = [round, resume, then](MysqlProbe& self, int ready) {
      if (self.finished() || round != self.round_) return;
      ++self.round_;  // the other wait of this round, if any, is stale now
      self.timer_.cancel();
      if (self.socket_) {
        error_code ignored;
        self.socket_->cancel(ignored);
      }
      self.drive(resume(self, ready), resume, then);
    };
    const int io = status & (MYSQL_WAIT_READ | MYSQL_WAIT_WRITE | MYSQL_WAIT_EXCEPT);
    if (io != 0) {
      const int fd = api_.mysql_get_socket(mysql_);
      if (fd < 0) return fail("lost the connection to " + where_);
      // The library owns the descriptor; Asio only watches it (see release()).
      if (socket_ && socket_->native_handle() != fd) release();
      if (!socket_) socket_.emplace(executor_, fd);
      const int ready = (io & MYSQL_WAIT_READ) != 0    ? MYSQL_WAIT_READ
                        : (io & MYSQL_WAIT_WRITE) != 0 ? MYSQL_WAIT_WRITE
                                                       : MYSQL_WAIT_EXCEPT;
      const auto type = ready == MYSQL_WAIT_READ    ? descriptor::wait_read
                        : ready == MYSQL_WAIT_WRITE ? descriptor::wait_write
                                                    : descriptor::wait_error;
      socket_->async_wait(type, [self = self_as<MysqlProbe>(), resumed, ready,
                                 round](const error_code& ec) {
        if (ec == asio::error::operation_aborted || self->finished() || round != self->round_)
          return;
        if (ec) {
          return self->finish(Status::crit("waiting for " + self->where_ + ": " + ec.message()));
        }
        resumed(*self, ready);
      });
    }
    if (io == 0 && (status & MYSQL_WAIT_TIMEOUT) == 0) {
      return finish(Status::crit("Connector/C waits for nothing it names (" +
                                 std::to_string(status) + ") at " + where_));
    }
    if ((status & MYSQL_WAIT_TIMEOUT) != 0) {
      timer_.expires_after(std::chrono::milliseconds(api_.mysql_get_timeout_value_ms(mysql_)));
      timer_.async_wait([self = self_as<MysqlProbe>(), resumed](const error_code& ec) {
        if (!ec) resumed(*self, MYSQL_WAIT_TIMEOUT);
      });
    }
  }

  // "<what>: Access denied for user 'app'@'10.0.0.5' (using password: YES) (1045)": the
  // server's or Connector/C's words, which never hold the password.
  void fail(const std::string& what) {
    std::string message = what;
    if (mysql_ != nullptr && api_.mysql_errno(mysql_) != 0) {
      message += std::string(": ") + api_.mysql_error(mysql_) + " (" +
                 std::to_string(api_.mysql_errno(mysql_)) + ")";
    }
    finish(Status::crit(message));
  }

  void fail_query() { fail(options_.query + " failed on " + where_); }

  void on_deadline() override { finish(Status::crit(timed_out_while(phase_ + " " + where_))); }

  void on_finish() override { close(); }

  // Asio must let go of the socket before the library closes it.
  void release() { detail::let_go(socket_); }

  // Closing never waits. In the middle of a call (the deadline), mariadb_cancel shuts the
  // socket down first, so that the COM_QUIT mysql_close sends fails at once instead of waiting
  // for room to write; a connection still being made has no COM_QUIT to send. After a completed
  // call the socket's buffer is empty and COM_QUIT's few bytes go straight to the kernel.
  // (mysql_close_start would make the close itself asynchronous, for no gain here.)
  void close() {
    release();
    resolver_.cancel();
    timer_.cancel();
    if (mysql_ == nullptr) return;
    if (round_ % 2 == 1 || rows_ != nullptr) api_.mariadb_cancel(mysql_);  // a call was waiting
    if (rows_ != nullptr) api_.mysql_free_result(rows_);  // reads to the shut-down end at once
    rows_ = nullptr;
    api_.mysql_close(mysql_);
    mysql_ = nullptr;
  }

  const detail::Connector& api_;
  MysqlOptions options_;
  const detail::Clock::time_point budget_end_;  // the execution's deadline
  std::string where_;
  std::string phase_ = "connecting to";
  tcp::resolver resolver_;
  asio::steady_timer timer_;
  std::optional<descriptor> socket_;
  std::vector<std::string> addresses_;
  std::size_t next_address_ = 0;
  MYSQL* mysql_ = nullptr;
  MYSQL* connected_ = nullptr;
  MYSQL_RES* rows_ = nullptr;
  MYSQL_ROW row_ = nullptr;
  int result_ = 0;
  int results_ = 0;
  unsigned round_ = 0;  // odd while a call waits, so that stale wake-ups are told apart
};

}  // namespace

Check mysql(MysqlOptions options) {
  return detail::network_check(
             "mysql",
             [options = std::move(options)](const CheckContext& context, Completion done) {
               std::make_shared<MysqlProbe>(context, std::move(done), options)->start();
             })
      .with_component_type("datastore");
}

}  // namespace healthchecks::checks
