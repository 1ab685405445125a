#include "gateway/http/connection_stats.h"

#include "absl/strings/str_cat.h"
#include "gateway/metrics/prometheus.h"

namespace hashmesh::gateway {

void ConnectionStats::AppendPrometheus(std::string* out) const {
  AppendMetricHeader("hashmesh_http_connections_open", "gauge",
                     "HTTP connections currently open.", out);
  absl::StrAppend(out, "hashmesh_http_connections_open ", open(), "\n");
  AppendMetricHeader("hashmesh_http_connections_rejected_total", "counter",
                     "Connections refused because --max_connections were open.",
                     out);
  absl::StrAppend(out, "hashmesh_http_connections_rejected_total ",
                  rejected_.load(std::memory_order_relaxed), "\n");
}

}  // namespace hashmesh::gateway
