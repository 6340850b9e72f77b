// The module graph has no cycle. A module is a folder of tuner/ (tuner/emu/device/ belongs to emu)
// or baselines/; module A uses B when a file of A has `#include "B/..."`. Dependencies point one
// way (e.g. report -> store -> jit, never back), so any module can be read, built and tested with
// only the modules below it. A cycle fails this test with the modules and one file per edge.
#include "support/cli_run.hpp" // slurp

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {
namespace fs = std::filesystem;

// module -> used module -> one file that makes the edge (for the failure message)
using ModuleGraph = std::map<std::string, std::map<std::string, std::string>>;

// A cycle as its modules in order, the first repeated at the end; nullopt when there is none.
std::optional<std::vector<std::string>> find_cycle(const ModuleGraph& graph) {
  enum class Mark { unseen, on_path, done };
  std::map<std::string, Mark> mark;
  std::vector<std::string> path;
  std::optional<std::vector<std::string>> cycle;
  std::function<void(const std::string&)> visit = [&](const std::string& module) {
    mark[module] = Mark::on_path;
    path.push_back(module);
    if (const auto it = graph.find(module); it != graph.end()) {
      for (const auto& [used, file] : it->second) {
        if (cycle)
          return;
        if (mark[used] == Mark::on_path) {
          cycle.emplace(std::find(path.begin(), path.end(), used), path.end());
          cycle->push_back(used);
          return;
        }
        if (mark[used] == Mark::unseen)
          visit(used);
      }
    }
    path.pop_back();
    mark[module] = Mark::done;
  };
  for (const auto& [module, uses] : graph)
    if (!cycle && mark[module] == Mark::unseen)
      visit(module);
  return cycle;
}

std::string describe(const std::vector<std::string>& cycle, const ModuleGraph& graph) {
  std::ostringstream text;
  for (std::size_t i = 0; i < cycle.size(); ++i)
    text << (i ? " -> " : "") << cycle[i];
  for (std::size_t i = 0; i + 1 < cycle.size(); ++i)
    text << "\n  " << cycle[i] << " -> " << cycle[i + 1] << ": "
         << graph.at(cycle[i]).at(cycle[i + 1]);
  return text.str();
}

// The graph of the project's host code, read from the source tree (LUTGEMM_TEST_SOURCE_DIR).
ModuleGraph project_graph() {
  const fs::path source = LUTGEMM_TEST_SOURCE_DIR;
  std::map<std::string, fs::path> modules{{"baselines", source / "baselines"}};
  for (const auto& entry : fs::directory_iterator(source / "tuner"))
    if (entry.is_directory())
      modules[entry.path().filename().string()] = entry.path();

  const std::regex include(R"re(^\s*#\s*include\s*"([A-Za-z0-9_]+)/)re");
  ModuleGraph graph;
  for (const auto& [module, dir] : modules) {
    graph[module]; // a module without uses is still a node
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
      const auto ext = entry.path().extension();
      if (!entry.is_regular_file() || (ext != ".cpp" && ext != ".hpp"))
        continue;
      std::istringstream lines(lutgemm::test::slurp(entry.path().string()));
      std::smatch m;
      for (std::string line; std::getline(lines, line);) {
        if (!std::regex_search(line, m, include))
          continue;
        const std::string used = m[1];
        if (used != module && modules.contains(used))
          graph[module].emplace(used, fs::relative(entry.path(), source).string());
      }
    }
  }
  return graph;
}

TEST(ModuleGraph, FindsACycleAndNamesItsModules) {
  // The detector itself: a graph with a cycle must fail, one without must pass.
  ModuleGraph graph{{"report", {{"model", "r.cpp"}}},
                    {"model", {{"jit", "m.cpp"}}},
                    {"jit", {{"common", "j.cpp"}}},
                    {"common", {}}};
  EXPECT_FALSE(find_cycle(graph));
  graph["jit"]["report"] = "j2.cpp";
  const auto cycle = find_cycle(graph);
  ASSERT_TRUE(cycle);
  EXPECT_EQ(describe(*cycle, graph), "jit -> report -> model -> jit\n"
                                     "  jit -> report: j2.cpp\n"
                                     "  report -> model: r.cpp\n"
                                     "  model -> jit: m.cpp");
}

TEST(ModuleGraph, TunerModulesHaveNoCycle) {
  const ModuleGraph graph = project_graph();
  // The graph was read (not an empty one that trivially has no cycle): known uses are there.
  ASSERT_TRUE(graph.contains("search") && graph.at("search").contains("store"));
  ASSERT_TRUE(graph.contains("cli") && graph.at("cli").contains("report"));
  ASSERT_TRUE(graph.at("search").contains("baselines"));
  if (const auto cycle = find_cycle(graph))
    FAIL() << "module cycle: " << describe(*cycle, graph);
}

TEST(ModuleGraph, SearchTimesThroughInterfacesNotTheDriver) {
  // The search layer times variants through the backend and baselines through
  // baselines::OperationTimer; CUDA events live in cuda/event_sampling.hpp behind both.
  const ModuleGraph graph = project_graph();
  const auto& search = graph.at("search");
  if (const auto it = search.find("cuda"); it != search.end())
    FAIL() << "search uses cuda/ directly: " << it->second;
}

} // namespace
