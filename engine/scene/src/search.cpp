// Enterprise and park search (see search.h).
#include "parktwin/scene/search.h"

#include <algorithm>
#include <tuple>

#include "parktwin/scene/scene.h"

namespace parktwin::scene {
namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lowered(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool is_word_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/// Both already lowered.
MatchRank rank_lowered(std::string_view text, std::string_view q) {
  if (q.empty() || text.size() < q.size()) return MatchRank::None;
  if (text == q) return MatchRank::Exact;
  if (text.substr(0, q.size()) == q) return MatchRank::Prefix;
  MatchRank best = MatchRank::None;
  for (size_t pos = text.find(q, 1); pos != std::string_view::npos; pos = text.find(q, pos + 1)) {
    // A word starts after a Latin separator (space, '(', '_', '-', ...), never inside a UTF-8 sequence.
    if (!is_word_char(text[pos - 1]) && is_word_char(text[pos])) return MatchRank::WordPrefix;
    // Only whole UTF-8 characters match: skip hits that start on a continuation byte.
    if ((static_cast<unsigned char>(text[pos]) & 0xC0) != 0x80) best = MatchRank::Substring;
  }
  return best;
}

}  // namespace

MatchRank match_rank(std::string_view text, std::string_view query) {
  return rank_lowered(lowered(text), lowered(query));
}

std::vector<SearchHit> search(const Scene& scene, std::string_view query, size_t max_results) {
  const std::string q = lowered(trimmed(query));
  std::vector<SearchHit> hits;
  if (q.empty()) return hits;
  auto best_of = [&](std::initializer_list<const std::string*> fields) {
    MatchRank r = MatchRank::None;
    for (const std::string* f : fields) r = std::min(r, rank_lowered(lowered(*f), q));
    return r;
  };
  for (size_t i = 0; i < scene.parks.size(); ++i) {
    const Park& p = scene.parks[i];
    const MatchRank r = best_of({&p.name_zh, &p.name_en, &p.id, &p.cluster_zh, &p.cluster_en});
    if (r != MatchRank::None) hits.push_back({SearchKind::Park, static_cast<int>(i), r});
  }
  for (size_t i = 0; i < scene.enterprises.size(); ++i) {
    const Enterprise& e = scene.enterprises[i];
    const MatchRank r = best_of({&e.name_zh, &e.name_en, &e.id});
    if (r != MatchRank::None) hits.push_back({SearchKind::Enterprise, static_cast<int>(i), r});
  }
  auto key = [&](const SearchHit& h) {
    // (park first, chain master first, larger first) among equal ranks.
    if (h.kind == SearchKind::Park) return std::make_tuple(0, 0.0, std::string_view(scene.parks[static_cast<size_t>(h.index)].name_en));
    const Enterprise& e = scene.enterprises[static_cast<size_t>(h.index)];
    return std::make_tuple(e.role == "chain_master" ? 1 : 2, -e.revenue_2022, std::string_view(e.name_en));
  };
  std::stable_sort(hits.begin(), hits.end(), [&](const SearchHit& a, const SearchHit& b) {
    if (a.rank != b.rank) return a.rank < b.rank;
    return key(a) < key(b);
  });
  if (hits.size() > max_results) hits.resize(max_results);
  return hits;
}

std::vector<int> search_enterprises(const Scene& scene, std::string_view query, size_t max_results) {
  std::vector<int> out;
  for (const SearchHit& h : search(scene, query, scene.enterprises.size() + scene.parks.size()))
    if (h.kind == SearchKind::Enterprise && out.size() < max_results) out.push_back(h.index);
  return out;
}

}  // namespace parktwin::scene
