// AccountsTable cost: building the table (the salts) and one lookup.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include "services/common/account_id.h"
#include "services/pgstub/accounts_table.h"

namespace hashmesh::pgstub {
namespace {

void BM_Build(benchmark::State& state) {
  for (auto _ : state) {
    AccountsTable table(static_cast<uint32_t>(state.range(0)));
    benchmark::DoNotOptimize(table.size());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Build)->Arg(100000)->Unit(benchmark::kMillisecond);

void BM_Lookup(benchmark::State& state) {
  static const AccountsTable table(100000);
  std::vector<std::string> ids;
  for (uint32_t i = 0; i < 1024; ++i) ids.push_back(FormatAccountId(i * 97));
  size_t n = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(table.Lookup(ids[n++ % ids.size()]));
  }
}
BENCHMARK(BM_Lookup);

}  // namespace
}  // namespace hashmesh::pgstub

BENCHMARK_MAIN();
