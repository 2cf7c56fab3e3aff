// "Did you mean": the one place a misspelt name (a member, a twin, a kind, a column) finds the
// name the user most likely meant.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dtwin {

// Optimal string alignment distance: insertions, deletions, substitutions and transpositions of
// two adjacent characters ("Tiar" -> "Tair" is 1), each costing 1.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `name` when it is close enough to be a likely typo: the same name
// but for case; else a candidate that `name` is a prefix of (three characters or more: "expo"
// for "exponential"); else the nearest by edit_distance, at most max(2, length / 3) away and not
// a complete replacement. nullopt otherwise.
std::optional<std::string> closest_name(std::string_view name,
                                        const std::vector<std::string>& candidates);

// "; did you mean \"capacity\"?" for closest_name's answer, "" when there is none.
std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace dtwin
