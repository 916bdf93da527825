// The certificate probe: connect, handshake (noting, not stopping at, a certificate that does not
// verify), read the peer's certificate, close.
#include "healthchecks/tls_probe.hpp"

#include <memory>
#include <optional>

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "runtime/runtime_impl.hpp"
#include "transport/tls_client.hpp"
#include "util/text.hpp"

namespace healthchecks::detail {
namespace {

namespace bst = boost::beast;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

class Probe : public std::enable_shared_from_this<Probe> {
 public:
  Probe(Runtime::Impl& runtime, TlsProbeRequest request,
        std::function<void(TlsPeerCertificate)> done)
      : runtime_(runtime),
        request_(std::move(request)),
        done_(std::move(done)),
        resolver_(runtime.executor()),
        started_(Clock::now()) {}

  void start() {
    try {
      context_ = runtime_.service<TlsContexts>().get(request_.tls);
    } catch (const std::exception& e) {
      return fail("TLS setup: " + std::string(e.what()));
    }
    resolver_.async_resolve(
        request_.host, request_.port,
        [self = shared_from_this()](error_code ec, tcp::resolver::results_type results) {
          self->on_resolve(ec, std::move(results));
        });
  }

 private:
  std::string timed_out() const {
    return "timed out after " +
           format_ms(request_.timeout_shown.value_or(request_.deadline - started_));
  }

  void on_resolve(error_code ec, tcp::resolver::results_type results) {
    if (ec) return fail("resolve: " + ec.message());
    stream_.emplace(runtime_.executor(), *context_);
    notes_.keep_going = true;
    prepare_tls_stream(stream_->native_handle(),
                       request_.server_name.empty() ? request_.host : request_.server_name,
                       request_.tls, &notes_);
    bst::get_lowest_layer(*stream_).expires_at(
        std::min(request_.deadline, Clock::now() + request_.connect_timeout));
    bst::get_lowest_layer(*stream_).async_connect(
        results,
        [self = shared_from_this()](error_code ec, const tcp::endpoint&) { self->on_connect(ec); });
  }

  void on_connect(error_code ec) {
    if (ec == bst::error::timeout) {
      const bool connect_limit = started_ + request_.connect_timeout < request_.deadline;
      return fail("connect: " + (connect_limit
                                     ? "timed out after " + format_ms(request_.connect_timeout)
                                     : timed_out()));
    }
    if (ec) return fail("connect: " + ec.message());
    bst::get_lowest_layer(*stream_).expires_at(request_.deadline);
    stream_->async_handshake(
        asio::ssl::stream_base::client,
        [self = shared_from_this()](error_code ec) { self->on_handshake(ec); });
  }

  void on_handshake(error_code ec) {
    if (ec == bst::error::timeout) return fail("TLS handshake failed: " + timed_out());
    if (ec) return fail("TLS handshake failed: " + describe_handshake_error(ec, VerifyNotes{}));
    TlsPeerCertificate result;
    X509* certificate = SSL_get1_peer_certificate(stream_->native_handle());
    if (certificate == nullptr) return fail("TLS handshake: the server sent no certificate");
    result.subject = certificate_subject(certificate);
    result.issuer = certificate_issuer(certificate);
    result.not_after = certificate_not_after(certificate);
    result.expires = certificate_expiry(certificate);
    X509_free(certificate);
    if (notes_.error != X509_V_OK) result.verify_error = describe_handshake_error({}, notes_);
    error_code ignored;
    bst::get_lowest_layer(*stream_).socket().close(ignored);
    finish(std::move(result));
  }

  void fail(std::string error) {
    TlsPeerCertificate result;
    result.error = std::move(error);
    finish(std::move(result));
  }

  void finish(TlsPeerCertificate result) {
    auto done = std::move(done_);
    done(std::move(result));
  }

  Runtime::Impl& runtime_;
  TlsProbeRequest request_;
  std::function<void(TlsPeerCertificate)> done_;
  tcp::resolver resolver_;
  const Clock::time_point started_;
  std::shared_ptr<asio::ssl::context> context_;
  std::optional<bst::ssl_stream<bst::tcp_stream>> stream_;
  VerifyNotes notes_;
};

}  // namespace
}  // namespace healthchecks::detail

namespace healthchecks {

void tls_peer_certificate(const CheckContext& context, TlsProbeRequest request,
                          std::function<void(TlsPeerCertificate)> done) {
  if (context.runtime == nullptr) {
    TlsPeerCertificate result;
    result.error = "not sent: no runtime (the check runs outside a Registry)";
    return done(std::move(result));
  }
  if (request.deadline == detail::Clock::time_point{}) request.deadline = context.deadline;
  std::make_shared<detail::Probe>(context.runtime->impl(), std::move(request), std::move(done))
      ->start();
}

}  // namespace healthchecks
