#pragma once
// Search over enterprises and parks by Chinese name, English name or id.
// Matching: substring, case-insensitive for Latin letters (Chinese is matched as written), after
// trimming the query. Ranking: exact match > prefix of a name > prefix of a word of a name >
// substring; among equals parks first, then chain masters, then larger enterprises (nominal
// revenue), then by name.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace parktwin::scene {

class Scene;

enum class SearchKind : uint8_t { Enterprise, Park };
enum class MatchRank : uint8_t { Exact = 0, Prefix, WordPrefix, Substring, None };

struct SearchHit {
  SearchKind kind = SearchKind::Enterprise;
  int index = -1;                       ///< into Scene::enterprises or Scene::parks
  MatchRank rank = MatchRank::None;     ///< the best match over the searched fields
};

/// Hits for `query`, best first, at most `max_results`. Empty for a blank query.
std::vector<SearchHit> search(const Scene& scene, std::string_view query, size_t max_results = 100);

/// Only the enterprises of search(), as indices into Scene::enterprises, best first.
std::vector<int> search_enterprises(const Scene& scene, std::string_view query, size_t max_results = 100);

/// How `text` matches `query` (both as given; Latin letters compared case-insensitively).
MatchRank match_rank(std::string_view text, std::string_view query);

}  // namespace parktwin::scene
