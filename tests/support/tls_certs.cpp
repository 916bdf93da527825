#include "support/tls_certs.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <tuple>
#include <utility>
#include <vector>

#include "support/temp_dir.hpp"

namespace healthchecks::testing {
namespace {

std::string find_openssl() {
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
  dirs += ":/usr/bin:/usr/local/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const auto end = std::min(dirs.find(':', start), dirs.size());
    const auto candidate = dirs.substr(start, end - start) + "/openssl";
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  throw std::runtime_error(
      "the TLS tests need the openssl command: apt-get install openssl "
      "(or scripts/install-deps.sh test)");
}

std::string quote(const std::string& word) {
  std::string quoted = "'";
  for (const char c : word) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The time `offset` from now as openssl ca wants it: YYYYMMDDHHMMSSZ.
std::string openssl_time(std::chrono::seconds offset) {
  const auto when = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + offset);
  std::tm utc{};
  gmtime_r(&when, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%d%H%M%SZ", &utc);
  return text;
}

class Maker {
 public:
  Maker() : openssl_(find_openssl()) {
    const auto ca_dir = dir_.path() + "/ca";
    dir_.write("ca/index.txt", "");
    dir_.write("ca/serial", "1000\n");
    dir_.write("ca/newcerts/.keep", "");
    dir_.write("ca.cnf",
               "[ ca ]\n"
               "default_ca = test_ca\n"
               "[ test_ca ]\n"
               "database = " +
                   ca_dir +
                   "/index.txt\n"
                   "new_certs_dir = " +
                   ca_dir +
                   "/newcerts\n"
                   "serial = " +
                   ca_dir +
                   "/serial\n"
                   "default_md = sha256\n"
                   "policy = policy_any\n"
                   "unique_subject = no\n"
                   "copy_extensions = none\n"
                   "[ policy_any ]\n"
                   "commonName = supplied\n");
    dir_.write("ext.cnf",
               "[ server ]\n"
               "basicConstraints = critical, CA:FALSE\n"
               "keyUsage = critical, digitalSignature, keyEncipherment\n"
               "extendedKeyUsage = serverAuth\n"
               "subjectAltName = DNS:localhost, IP:127.0.0.1\n"
               "[ other_host ]\n"
               "basicConstraints = critical, CA:FALSE\n"
               "keyUsage = critical, digitalSignature, keyEncipherment\n"
               "extendedKeyUsage = serverAuth\n"
               "subjectAltName = DNS:peer.example\n"
               "[ client ]\n"
               "basicConstraints = critical, CA:FALSE\n"
               "keyUsage = critical, digitalSignature\n"
               "extendedKeyUsage = clientAuth\n");
  }

  TlsFiles make() {
    TlsFiles files;
    files.dir = dir_.path();
    files.ca_cert = make_ca("ca", "healthchecks test CA");
    files.other_ca_cert = make_ca("other-ca", "unrelated test CA");
    using std::chrono::hours;
    const auto day = std::chrono::duration_cast<std::chrono::seconds>(hours(24));
    const auto yesterday = openssl_time(-day);
    std::tie(files.server_cert, files.server_key) =
        make_leaf("ca", "server", "localhost", "server", yesterday, openssl_time(365 * day));
    std::tie(files.expired_cert, files.expired_key) =
        make_leaf("ca", "expired", "localhost", "server", "20250101000000Z", "20260101000000Z");
    std::tie(files.other_host_cert, files.other_host_key) = make_leaf(
        "ca", "other-host", "peer.example", "other_host", yesterday, openssl_time(365 * day));
    std::tie(files.soon_cert, files.soon_key) =
        make_leaf("ca", "soon", "localhost", "server", yesterday, openssl_time(2 * day));
    std::tie(files.later_cert, files.later_key) =
        make_leaf("ca", "later", "localhost", "server", yesterday, openssl_time(10 * day));
    std::tie(files.client_cert, files.client_key) =
        make_leaf("ca", "client", "test-client", "client", yesterday, openssl_time(365 * day));
    std::tie(files.other_client_cert, files.other_client_key) = make_leaf(
        "other-ca", "other-client", "test-client", "client", yesterday, openssl_time(365 * day));
    return files;
  }

 private:
  void run(const std::vector<std::string>& argv, const std::string& step) {
    std::string command = "cd " + quote(dir_.path()) + " && " + quote(openssl_);
    for (const auto& word : argv) command += " " + quote(word);
    const auto log = dir_.path() + "/openssl.log";
    command += " >" + quote(log) + " 2>&1 </dev/null";
    if (std::system(command.c_str()) != 0) {
      throw std::runtime_error("making the test certificates: openssl failed to " + step + ":\n" +
                               read_all(log));
    }
  }

  std::string path(const std::string& name) const { return dir_.path() + "/" + name; }

  // A self-signed CA; returns its certificate's path (its key is <name>.key).
  std::string make_ca(const std::string& name, const std::string& common_name) {
    run({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", path(name + ".key"), "-out", path(name + ".pem"), "-days", "3650", "-subj",
         "/CN=" + common_name, "-addext", "basicConstraints=critical,CA:TRUE", "-addext",
         "keyUsage=critical,keyCertSign,cRLSign"},
        "make the CA " + name);
    return path(name + ".pem");
  }

  // A key and a certificate signed by the CA `ca`, valid from `start` to `end`.
  std::pair<std::string, std::string> make_leaf(const std::string& ca, const std::string& name,
                                                const std::string& common_name,
                                                const std::string& extensions,
                                                const std::string& start, const std::string& end) {
    run({"req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", path(name + ".key"), "-out", path(name + ".csr"), "-subj",
         "/CN=" + common_name},
        "make the key and request for " + name);
    run({"ca",          "-batch",
         "-config",     path("ca.cnf"),
         "-cert",       path(ca + ".pem"),
         "-keyfile",    path(ca + ".key"),
         "-in",         path(name + ".csr"),
         "-out",        path(name + ".pem"),
         "-startdate",  start,
         "-enddate",    end,
         "-extfile",    path("ext.cnf"),
         "-extensions", extensions,
         "-notext"},
        "sign the certificate " + name);
    return {path(name + ".pem"), path(name + ".key")};
  }

  std::string openssl_;
  TempDir dir_;
};

}  // namespace

const TlsFiles& tls_files() {
  // The maker (and so its folder) lives until the process exits.
  static Maker maker;
  static const TlsFiles files = maker.make();
  return files;
}

}  // namespace healthchecks::testing
