#include "healthchecks/checks/tls_cert.hpp"

#include <cmath>
#include <cstdio>

#include "checks/network_check.hpp"
#include "checks/probe.hpp"
#include "healthchecks/error.hpp"
#include "healthchecks/tls_probe.hpp"

namespace healthchecks::checks {
namespace {

// "in 9.5 days", "2.1 days ago"
std::string days_from_now(double days) {
  char text[48];
  if (days >= 0) {
    std::snprintf(text, sizeof text, "in %.1f days", days);
  } else {
    std::snprintf(text, sizeof text, "%.1f days ago", -days);
  }
  return text;
}

Status judge(const TlsCertOptions& options, const std::string& where,
             const TlsPeerCertificate& peer) {
  if (!peer.error.empty()) return Status::crit(where + ": " + peer.error);
  const double days =
      std::chrono::duration<double>(peer.expires - std::chrono::system_clock::now()).count() /
      86400.0;
  const std::string about = "subject " + peer.subject + ", issuer " + peer.issuer + ", notAfter " +
                            peer.not_after + " (" + days_from_now(days) + ")";
  if (!peer.verify_error.empty()) {
    return Status::crit(where + ": the certificate does not verify: " + peer.verify_error + "; " +
                        about);
  }
  if (days < options.crit_days) {
    return Status::crit(where + ": the certificate expires within " +
                        std::to_string(options.crit_days) + " days: " + about);
  }
  if (days < options.warn_days) {
    return Status::warn(where + ": the certificate expires within " +
                        std::to_string(options.warn_days) + " days: " + about);
  }
  return Status::ok({}, where + ": " + about);
}

}  // namespace

Check tls_cert(TlsCertOptions options) {
  if (options.crit_days < 0 || options.warn_days < 0 || options.crit_days > options.warn_days) {
    throw Error("check", "tls_cert " + options.host + ":" + std::to_string(options.port) +
                             ": expected 0 <= crit_days (" + std::to_string(options.crit_days) +
                             ") <= warn_days (" + std::to_string(options.warn_days) + ")");
  }
  return detail::network_check("tlsCert", [options](const CheckContext& context, Completion done) {
    TlsProbeRequest request;
    request.host = options.host;
    request.port = std::to_string(options.port);
    request.server_name = options.server_name;
    request.tls.ca_file = options.ca_file;
    request.deadline = detail::probe_deadline(context.deadline);
    request.timeout_shown = context.deadline - context.started;
    request.connect_timeout = options.connect_timeout;
    const std::string where = options.host + ":" + std::to_string(options.port) +
                              (options.server_name.empty() ? "" : " (" + options.server_name + ")");
    tls_peer_certificate(
        context, std::move(request),
        [options, where, done](TlsPeerCertificate peer) { done(judge(options, where, peer)); });
  });
}

}  // namespace healthchecks::checks
