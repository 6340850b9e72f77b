#pragma once
// A kernel family's search space declared as data: named parameters with value lists, constraints
// that read values by name and say why they reject, and a stable label per variant. Enumeration is
// the Cartesian product in declaration order (last parameter varies fastest), so labels and the
// order of variants never depend on anything but the declaration.
#include "problem/problem.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace lutgemm::space {

using Value = std::variant<std::int64_t, std::string>;
std::string to_string(const Value& value);

struct Parameter {
  std::string name;
  std::vector<Value> values;
  std::string help; // one line for `lutgemm space`
};

// One point of a space: a value for every parameter, in declaration order.
class Variant {
public:
  Variant() = default;
  explicit Variant(std::vector<std::pair<std::string, Value>> values)
      : values_(std::move(values)) {}

  bool has(std::string_view name) const;
  const Value& get(std::string_view name) const; // throws RuntimeError when absent
  std::int64_t get_int(std::string_view name) const;
  const std::string& get_string(std::string_view name) const;
  const std::vector<std::pair<std::string, Value>>& values() const { return values_; }

  // "rows=256,mu=8,...": name=value pairs in declaration order. Stable: stored in the database.
  std::string label() const;
  // {"rows":256,"mu":8,...}
  std::string params_json() const;
  // Parses a label back (the inverse of label(); integers stay integers).
  static Variant from_label(std::string_view label);
  friend bool operator==(const Variant&, const Variant&) = default;

private:
  std::vector<std::pair<std::string, Value>> values_;
};

struct Constraint {
  std::string name; // e.g. "rows_divides_threads"
  // The reason the variant is rejected for this problem, or nullopt when it is allowed.
  std::function<std::optional<std::string>(const Variant&, const Problem&)> check;
};

struct SearchSpace {
  std::string family; // "lutgemm"
  std::vector<Parameter> parameters;
  std::vector<Constraint> constraints;
  // The family's own label for a variant (stored in the database); Variant::label() when empty.
  std::function<std::string(const Variant&, const Problem&)> labeler;

  std::string label(const Variant& variant, const Problem& problem) const {
    return labeler ? labeler(variant, problem) : variant.label();
  }

  SearchSpace& add_parameter(std::string name, std::vector<Value> values, std::string help = {});
  SearchSpace& add_constraint(std::string name, decltype(Constraint::check) check);
  // Number of points before constraints.
  std::size_t size() const;
  // Keeps only the listed values of a parameter (for `--param name=v1,v2`); UsageError when the
  // parameter is unknown or a value is not in its list.
  void restrict(std::string_view name, const std::vector<std::string>& values);
};

struct Rejection {
  Variant variant;
  std::string stage;  // "constraint" or "prefilter"
  std::string rule;   // the constraint's name or the pre-filter check
  std::string reason; // human-readable
};

struct Enumeration {
  std::size_t total = 0;
  std::vector<Variant> accepted;
  std::vector<Rejection> rejected; // first failing constraint per variant (Rejections::kept only)
  std::map<std::string, std::size_t> rejected_by_rule; // "constraint:<name>" -> count, always
};

// Whether enumerate() keeps each rejected variant with its reason, or only counts them. The full
// LUT-GEMM space has ~1.7M points, ~1.4M of them rejected: kept, they take about 3.5 GB.
enum class Rejections { kept, counted };

// All points, split by the constraints (for this problem).
Enumeration enumerate(const SearchSpace& space, const Problem& problem,
                      Rejections rejections = Rejections::counted);

} // namespace lutgemm::space
