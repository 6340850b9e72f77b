#pragma once
// A kernel family's search space declared as data: named parameters with value lists, constraints
// that read values by name and say why they reject, and a stable label per variant. Enumeration is
// the Cartesian product in declaration order (last parameter varies fastest), so labels and the
// order of variants never depend on anything but the declaration.
#include "problem/problem.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
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

// One point of a space: a value for every parameter, in declaration order. The parameter names
// and value lists live once in a Layout that every point of an enumeration shares; a point keeps
// the index of its value in each list (about 90 bytes instead of about 1 KB of name strings and
// values: the full LUT-GEMM space has over a million accepted points, each kept twice by a sweep).
class Variant {
public:
  using Pairs = std::vector<std::pair<std::string, Value>>;
  struct Layout {
    std::vector<std::string> names;
    std::vector<std::vector<Value>> values; // values[p]: the values parameter p may take
  };

  Variant() = default;
  explicit Variant(Pairs values); // a point of no enumeration (a label, typed parameters)
  // The point choosing layout->values[p][index[p]] for every parameter p.
  Variant(std::shared_ptr<const Layout> layout, std::vector<std::uint16_t> index);

  std::size_t size() const { return index_.size(); }
  const std::string& name(std::size_t i) const { return layout_->names[i]; }
  const Value& value(std::size_t i) const { return layout_->values[i][index_[i]]; }

  bool has(std::string_view name) const;
  const Value& get(std::string_view name) const; // throws RuntimeError when absent
  std::int64_t get_int(std::string_view name) const;
  const std::string& get_string(std::string_view name) const;
  // The (name, value) pairs, built on each call (the sweep reads name()/value() instead).
  Pairs values() const;

  // "rows=256,mu=8,...": name=value pairs in declaration order. Stable: stored in the database.
  std::string label() const;
  // {"rows":256,"mu":8,...}
  std::string params_json() const;
  // Parses a label back (the inverse of label(); integers stay integers).
  static Variant from_label(std::string_view label);
  // Equal names and values in the same order, whichever layouts hold them.
  friend bool operator==(const Variant& a, const Variant& b);

private:
  std::shared_ptr<const Layout> layout_;
  std::vector<std::uint16_t> index_;
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
// LUT-GEMM space has ~15M points at batch 8, ~14M of them rejected: kept, their reason texts alone
// take gigabytes.
enum class Rejections { kept, counted };

// All points, split by the constraints (for this problem).
Enumeration enumerate(const SearchSpace& space, const Problem& problem,
                      Rejections rejections = Rejections::counted);

} // namespace lutgemm::space
