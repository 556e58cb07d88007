// Test driver for the generated C++ async_pool: includes the generated program (its main renamed)
// and runs each command from stdin as one task on one AsyncPool, one answer line per command:
//   run SQL / leave SQL  a task of just SQL (no transaction wrapper): "ok VALUE" or "error MESSAGE"
//   fail SQL             SQL, then a statement that fails, as a failing task's would: "failed"
// Build: g++ -std=c++17 -DPOOL_SOURCE='"async_pool.cpp"' async_pool_driver.cpp ...
#define main generated_program_main
#include POOL_SOURCE
#undef main

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: driver CONFIG" << std::endl;
    return 2;
  }
  try {
    AsyncPool pool(load_settings(argv[1]));
    std::cout << "ready" << std::endl;
    std::string line;
    while (std::getline(std::cin, line)) {
      const std::string command = line.substr(0, line.find(' '));
      Task task;
      task.statements = {line.size() > command.size() ? line.substr(command.size() + 1) : ""};
      if (command == "fail") task.statements.push_back("SELECT 1/0");
      pool.submit(task);
      pool.run({&task});
      if (command == "fail" && task.error.find("division by zero") != std::string::npos)
        std::cout << "failed" << std::endl;
      else if (!task.error.empty())
        std::cout << "error " << task.error.substr(0, task.error.find('\n')) << std::endl;
      else
        std::cout << "ok " << (task.value.empty() ? "-" : task.value) << std::endl;
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << std::endl;
    return 1;
  }
}
