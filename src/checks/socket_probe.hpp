// The common part of the checks that open a TCP connection (tcp, redis): resolve, connect and
// talk under one deadline, and report exactly once. Asio inside; included by their sources only.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/ip/tcp.hpp>

#include "checks/probe.hpp"

namespace healthchecks::detail {

class SocketProbe : public Probe {
 public:
  SocketProbe(const CheckContext& context, Completion done, std::string host, unsigned short port);

  /// Starts: at the deadline the probe reads CRIT "timed out after N ms while <phase>".
  void start();

 protected:
  using error_code = boost::system::error_code;
  using tcp = asio::ip::tcp;

  /// Called once connected; from here the subclass talks and calls finish().
  virtual void on_connected() = 0;

  /// Reports CRIT for an error of `phase` ("connect", "read" ...), or the time-out.
  void fail(const std::string& phase, const error_code& ec);
  /// "127.0.0.1:6379"
  const std::string& where() const noexcept { return where_; }

  tcp::socket socket_;
  std::string phase_ = "resolving";

 private:
  void on_resolve(const error_code& ec, const tcp::resolver::results_type& results);
  void on_deadline() override;
  void on_finish() override;

  std::string host_;
  std::string port_;
  std::string where_;
  tcp::resolver resolver_;
  bool timed_out_ = false;
};

}  // namespace healthchecks::detail
