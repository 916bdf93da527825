// The dashboard (RouterOptions::dashboard): one HTML page that reads the API as any caller does.
// The page's sources are src/api/dashboard/; cmake/dashboard.cmake turns them into
// dashboard_page.hpp at build time, with the Content-Security-Policy that allows exactly its
// inline style and script.
#include <string>

#include "api/answers.hpp"
#include "core/endpoint_state.hpp"
#include "core/engine.hpp"
#include "dashboard_page.hpp"
#include "healthchecks/error.hpp"

namespace healthchecks::detail {

void validate_dashboard(const RouterOptions& options, const std::string& prefix,
                        const Engine& engine) {
  if (!options.dashboard) return;
  if (const auto* state = engine.find("dashboard")) {
    throw Error("options", "dashboard: the dashboard route " + prefix +
                               "dashboard would hide the dependency \"" + state->endpoint().name +
                               "\" (slug \"dashboard\"); rename that slug or leave the "
                               "dashboard off");
  }
}

Response dashboard_response() {
  namespace page = dashboard_page;
  static const std::string body = [] {
    std::string text;
    text.reserve(page::kHead.size() + page::kStyle.size() + page::kMiddle.size() +
                 page::kScript.size() + page::kTail.size());
    for (const auto piece :
         {page::kHead, page::kStyle, page::kMiddle, page::kScript, page::kTail}) {
      text += piece;
    }
    return text;
  }();
  Response response;
  response.content_type = "text/html; charset=utf-8";
  response.body = body;
  response.headers = {
      {"Content-Security-Policy", std::string(page::kContentSecurityPolicy)},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"Cache-Control", "no-store"},
  };
  return response;
}

}  // namespace healthchecks::detail
