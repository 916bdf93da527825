// One entry of the sidecar config's "checks" list, read into a StatusEndpoint: the keys every
// kind takes (name, slug, type, deadlines and caching) and each kind's own.
#pragma once

#include <string>
#include <vector>

#include "healthchecks/status_endpoint.hpp"
#include "sidecar/reader.hpp"

namespace healthchecks::sidecar {

/// Reads `spec` (the list entry at `where`, e.g. "checks[2]"); header values and other
/// credentials it reads are added to `secrets`. Relative file names (TLS files) are taken from
/// `base_dir`, the configuration file's folder.
/// @throws Error ("config: ...") naming the key.
StatusEndpoint read_check(const Reader& r, const json& spec, const std::string& where,
                          std::vector<std::string>& secrets, const std::string& base_dir = {});

}  // namespace healthchecks::sidecar
