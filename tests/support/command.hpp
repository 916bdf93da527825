// Runs a command-line tool (curl, openssl) for tests that need an independent client.
#pragma once

#include <string>
#include <vector>

namespace healthchecks::testing {

struct CommandResult {
  int exit_code = -1;  // 128 + signal when killed; 124 when it ran out of time
  std::string output;  // standard output, then standard error
};

/// Runs `argv` (argv[0] looked up in PATH) with standard input from /dev/null and waits for it,
/// for at most `timeout_seconds`; `input`, when given, is written to its standard input instead.
CommandResult run_command(const std::vector<std::string>& argv, int timeout_seconds = 20,
                          const std::string& input = {});

/// The SHA-256 fingerprint of a PEM certificate file ("AB:CD:..."), from `openssl x509`.
std::string certificate_fingerprint(const std::string& cert_file);

/// The SHA-256 fingerprint of the certificate that 127.0.0.1:<port> presents, from
/// `openssl s_client` (empty when the handshake fails).
std::string served_fingerprint(unsigned short port);

}  // namespace healthchecks::testing
