// Redis over RESP, directly on Asio: AUTH, SELECT and PING pipelined on one write, the replies
// read back line by line. Enough of the protocol for a health check and no client library.
#include "healthchecks/checks/redis.hpp"

#include <boost/asio/buffers_iterator.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include "checks/latency.hpp"
#include "checks/network_check.hpp"
#include "checks/socket_probe.hpp"
#include "util/text.hpp"

namespace healthchecks::checks {
namespace {

namespace asio = detail::asio;

// A RESP array of bulk strings: *N\r\n$len\r\narg\r\n...
std::string command(std::initializer_list<std::string> args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const auto& arg : args) out += "$" + std::to_string(arg.size()) + "\r\n" + arg + "\r\n";
  return out;
}

class RedisProbe final : public detail::SocketProbe {
 public:
  RedisProbe(const CheckContext& context, Completion done, RedisOptions options)
      : SocketProbe(context, std::move(done), options.host, options.port),
        options_(std::move(options)) {}

 private:
  enum class Step { auth, select, ping };

  void on_connected() override {
    if (!options_.password.empty()) {
      request_ += options_.username.empty()
                      ? command({"AUTH", options_.password})
                      : command({"AUTH", options_.username, options_.password});
      steps_.push_back(Step::auth);
    }
    if (options_.db != 0) {
      request_ += command({"SELECT", std::to_string(options_.db)});
      steps_.push_back(Step::select);
    }
    request_ += command({"PING"});
    steps_.push_back(Step::ping);
    phase_ = "sending PING";
    asio::async_write(socket_, asio::buffer(request_),
                      [self = std::static_pointer_cast<RedisProbe>(shared_from_this())](
                          const error_code& ec, std::size_t) {
                        if (ec) return self->fail("write to " + self->where(), ec);
                        self->phase_ = "waiting for PONG";
                        self->read_reply();
                      });
  }

  void read_reply() {
    asio::async_read_until(socket_, input_, "\r\n",
                           [self = std::static_pointer_cast<RedisProbe>(shared_from_this())](
                               const error_code& ec, std::size_t n) { self->on_reply(ec, n); });
  }

  void on_reply(const error_code& ec, std::size_t n) {
    if (ec) return fail("read from " + where(), ec);
    std::string line(asio::buffers_begin(input_.data()),
                     asio::buffers_begin(input_.data()) + n - 2);
    input_.consume(n);
    const Step step = steps_[replies_++];
    const bool error = !line.empty() && line.front() == '-';
    const std::string text = line.empty() ? line : line.substr(1);
    if (step == Step::auth && error) {
      return finish(Status::crit("authentication failed at " + where() + ": " + text));
    }
    if (step == Step::select && error) {
      return finish(Status::crit("SELECT " + std::to_string(options_.db) + " failed at " + where() +
                                 ": " + text));
    }
    if (step == Step::ping) return usable(line);
    if (error || line.empty() || line.front() != '+') {
      return finish(Status::crit("unexpected answer from " + where() + ": " + line));
    }
    read_reply();
  }

  void usable(const std::string& line) {
    const auto took = elapsed();
    if (line.rfind("-NOAUTH", 0) == 0) {
      return finish(Status::crit("authentication required at " + where() +
                                 " (NOAUTH): configure its password"));
    }
    if (line != "+PONG") {
      return finish(Status::crit("PING answered by " + where() + " with: " + line));
    }
    const std::string said = "PONG from " + where() + " in " + detail::format_elapsed(took);
    finish(detail::judge_latency(said, took, options_.warn_after));
  }

  RedisOptions options_;
  std::string request_;
  std::vector<Step> steps_;
  std::size_t replies_ = 0;
  asio::streambuf input_{64 * 1024};  // a PING exchange is tiny; a bigger answer is an error
};

}  // namespace

Check redis(RedisOptions options) {
  return detail::network_check(
             "redis",
             [options = std::move(options)](const CheckContext& context, Completion done) {
               std::make_shared<RedisProbe>(context, std::move(done), options)->start();
             })
      .with_component_type("datastore");
}

}  // namespace healthchecks::checks
