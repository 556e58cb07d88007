// Test driver for the generated C++ pool: includes the generated program (its main renamed) and
// runs commands from stdin against one Pool, one answer line per command:
//   run SQL / leave SQL  borrow, run SQL without a transaction wrapper (a BEGIN in it stays
//                        open), give back: "ok VALUE" or "error MESSAGE"
//   fail SQL         the same, then throw while holding the connection: "failed"
//   bench N THREADS  N borrows of SELECT 1 over THREADS threads: "bench P50_US P99_US MAX_US"
// Build: g++ -std=c++17 -DPOOL_SOURCE='"pool.cpp"' pool_driver.cpp ...
#define main generated_program_main
#include POOL_SOURCE
#undef main

#include <algorithm>
#include <iostream>

namespace {

struct Failed {};

std::string run_sql(Pool& pool, const std::string& sql, bool fail) {
  try {
    auto lease = pool.acquire();
    pqxx::nontransaction tx(*lease);
    const pqxx::result r = tx.exec(sql);
    if (fail) throw Failed{};
    return "ok " + std::string(r.empty() || r.columns() == 0 ? "-" : r[0][0].c_str());
  } catch (const Failed&) {
    return "failed";
  } catch (const std::exception& e) {
    std::string message = e.what();
    return "error " + message.substr(0, message.find('\n'));
  }
}

std::string bench(Pool& pool, int n, int threads) {
  std::vector<std::vector<double>> times(threads);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = t; i < n; i += threads) {
        const auto start = std::chrono::steady_clock::now();
        auto lease = pool.acquire();
        times[t].push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
        pqxx::nontransaction tx(*lease);
        tx.exec("SELECT 1");
      }
    });
  }
  for (auto& w : workers) w.join();
  std::vector<double> all;
  for (const auto& t : times) all.insert(all.end(), t.begin(), t.end());
  std::sort(all.begin(), all.end());
  auto at = [&](double q) { return static_cast<long>(all[static_cast<std::size_t>(q * (all.size() - 1))]); };
  return "bench " + std::to_string(at(0.5)) + " " + std::to_string(at(0.99)) + " " + std::to_string(at(1.0));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: driver CONFIG" << std::endl;
    return 2;
  }
  try {
    Pool pool(load_settings(argv[1]));
    std::cout << "ready" << std::endl;
    std::string line;
    while (std::getline(std::cin, line)) {
      const std::string command = line.substr(0, line.find(' '));
      const std::string rest = line.size() > command.size() ? line.substr(command.size() + 1) : "";
      if (command == "run" || command == "leave" || command == "fail") {
        std::cout << run_sql(pool, rest, command == "fail") << std::endl;
      } else if (command == "bench") {
        std::istringstream args(rest);
        int n = 0, threads = 0;
        args >> n >> threads;
        std::cout << bench(pool, n, threads) << std::endl;
      } else {
        std::cout << "error unknown command" << std::endl;
      }
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << std::endl;
    return 1;
  }
}
