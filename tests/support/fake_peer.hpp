// A stand-in for a peer service: answers every request with a canned reply and records what it
// was asked, and on how many connections. For testing clients without a real peer.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace healthchecks::testing {

class FakePeer {
 public:
  struct Reply {
    Reply(int status_ = 200, std::string content_type_ = "application/json; charset=utf-8",
          std::string body_ = {}, std::chrono::milliseconds delay_ = {}, bool close_ = false)
        : status(status_),
          content_type(std::move(content_type_)),
          body(std::move(body_)),
          delay(delay_),
          close(close_) {}
    int status = 200;
    std::string content_type = "application/json; charset=utf-8";
    std::string body;
    std::chrono::milliseconds delay{0};
    bool close = false;  // answer with Connection: close
    bool drop = false;   // promise keep-alive, then close anyway (a stale pooled connection)
    std::string raw;     // when set, these bytes are sent instead of an answer (hostile peers)
  };

  FakePeer();
  ~FakePeer();

  unsigned short port() const;
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port()); }
  void reply(Reply reply);
  /// A reply for one target only (others get reply()).
  void reply_for(const std::string& target, Reply reply);
  /// Request targets received so far, in order.
  std::vector<std::string> targets() const;
  /// Value of header `name` in the last request.
  std::string last_header(const std::string& name) const;
  /// Connections accepted so far.
  int connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace healthchecks::testing
