// Enterprise labels: anchors, priorities and the screen-space declutter (see labels.h).
#include "parktwin/scene/labels.h"

#include <algorithm>
#include <cmath>

#include "parktwin/scene/scene.h"

namespace parktwin::scene {

LabelRect label_box(const LabelCandidate& c, float leader_px) {
  const float bottom = c.anchor.y - leader_px;
  return {{c.anchor.x - c.size.x * 0.5f, bottom - c.size.y}, {c.anchor.x + c.size.x * 0.5f, bottom}};
}

namespace {

/// The uniform grid of buckets over the viewport: each placed box (and keep-out) is linked into
/// every cell it touches, so a test looks only at the boxes near the candidate.
struct Grid {
  LabelState& s;
  glm::vec2 cell;
  int nx = 1, ny = 1;

  Grid(LabelState& st, glm::vec2 viewport, glm::vec2 cell_px) : s(st), cell(glm::max(cell_px, glm::vec2(8.0f))) {
    nx = std::max(1, static_cast<int>(std::ceil(viewport.x / cell.x)));
    ny = std::max(1, static_cast<int>(std::ceil(viewport.y / cell.y)));
    s.cell_head.assign(static_cast<size_t>(nx) * static_cast<size_t>(ny), -1);
    s.node_next.clear();
    s.node_box.clear();
    s.boxes.clear();
  }
  void range(const LabelRect& r, int& x0, int& y0, int& x1, int& y1) const {
    x0 = std::clamp(static_cast<int>(std::floor(r.min.x / cell.x)), 0, nx - 1);
    y0 = std::clamp(static_cast<int>(std::floor(r.min.y / cell.y)), 0, ny - 1);
    x1 = std::clamp(static_cast<int>(std::floor(r.max.x / cell.x)), 0, nx - 1);
    y1 = std::clamp(static_cast<int>(std::floor(r.max.y / cell.y)), 0, ny - 1);
  }
  void insert(const LabelRect& r) {
    const auto box = static_cast<uint32_t>(s.boxes.size());
    s.boxes.push_back(r);
    int x0, y0, x1, y1;
    range(r, x0, y0, x1, y1);
    for (int y = y0; y <= y1; ++y)
      for (int x = x0; x <= x1; ++x) {
        int32_t& head = s.cell_head[static_cast<size_t>(y) * static_cast<size_t>(nx) + static_cast<size_t>(x)];
        s.node_next.push_back(head);
        s.node_box.push_back(box);
        head = static_cast<int32_t>(s.node_box.size() - 1);
      }
  }
  bool free(const LabelRect& r) const {
    int x0, y0, x1, y1;
    range(r, x0, y0, x1, y1);
    for (int y = y0; y <= y1; ++y)
      for (int x = x0; x <= x1; ++x)
        for (int32_t n = s.cell_head[static_cast<size_t>(y) * static_cast<size_t>(nx) + static_cast<size_t>(x)]; n >= 0;
             n = s.node_next[static_cast<size_t>(n)])
          if (s.boxes[s.node_box[static_cast<size_t>(n)]].overlaps(r)) return false;
    return true;
  }
};

}  // namespace

std::vector<PlacedLabel> declutter_labels(const std::vector<LabelCandidate>& cand, const std::vector<LabelRect>& keep_out,
                                          const LabelParams& p, LabelState* state) {
  LabelState local;
  LabelState& s = state ? *state : local;
  const bool remember = state != nullptr;
  uint32_t max_id = 0;
  for (const LabelCandidate& c : cand) max_id = std::max(max_id, c.id);
  const size_t ids = cand.empty() ? 0 : static_cast<size_t>(max_id) + 1;
  if (s.last.size() < ids) s.last.resize(ids, 0);
  if (s.fade.size() < ids) s.fade.resize(ids, 0);
  s.now.assign(std::max(ids, s.last.size()), 0);

  // Order: effective priority (labels placed last frame get the bonus), then id.
  s.order.resize(cand.size());
  s.key.resize(cand.size());
  for (uint32_t i = 0; i < cand.size(); ++i) {
    s.order[i] = i;
    s.key[i] = cand[i].priority + (remember && s.last[cand[i].id] == 2 ? p.hysteresis_priority : 0.0f);
  }
  std::sort(s.order.begin(), s.order.end(), [&](uint32_t a, uint32_t b) {
    if (s.key[a] != s.key[b]) return s.key[a] > s.key[b];
    return cand[a].id < cand[b].id;
  });

  Grid grid(s, p.viewport, p.cell_px);
  for (const LabelRect& k : keep_out) grid.insert(k);

  std::vector<PlacedLabel> out;
  const float fade_span = std::max(1.0f, p.fade_far_m - p.fade_near_m);
  const int fade_frames = std::max(1, p.fade_in_frames);
  for (uint32_t i : s.order) {
    const LabelCandidate& c = cand[i];
    if (!(c.distance < p.fade_far_m) || !std::isfinite(c.anchor.x) || !std::isfinite(c.anchor.y)) continue;
    s.now[c.id] = std::max<uint8_t>(s.now[c.id], 1);
    const uint8_t before = remember ? s.last[c.id] : 0;
    const float pad = before == 2 ? p.keep_pad_px : before == 1 ? p.blocked_pad_px : p.new_pad_px;
    const LabelRect box = label_box(c, p.leader_px);
    const LabelRect test = box.inflated(pad);
    if (test.min.x < 0.0f || test.min.y < 0.0f || test.max.x > p.viewport.x || test.max.y > p.viewport.y) continue;
    if (!grid.free(test)) continue;
    grid.insert(box);
    s.now[c.id] = 2;
    PlacedLabel pl;
    pl.id = c.id;
    pl.candidate = i;
    pl.rect = box;
    pl.anchor = c.anchor;
    const float dist_alpha = std::clamp((p.fade_far_m - c.distance) / fade_span, 0.0f, 1.0f);
    float fade_in = 1.0f;
    if (remember) {
      const int f = std::min<int>(fade_frames, s.fade[c.id] + 1);
      fade_in = static_cast<float>(f) / static_cast<float>(fade_frames);
    }
    pl.alpha = dist_alpha * fade_in;
    out.push_back(pl);
  }
  if (remember) {
    for (size_t id = 0; id < s.now.size(); ++id) {
      if (id < s.fade.size())
        s.fade[id] = s.now[id] == 2 ? static_cast<uint8_t>(std::min<int>(fade_frames, s.fade[id] + 1)) : 0;
    }
    s.last.swap(s.now);
    ++s.frame;
  }
  return out;
}

std::vector<glm::dvec3> enterprise_label_anchors(const Scene& scene) {
  const size_t n = scene.enterprises.size();
  std::vector<glm::dvec3> anchors(n);
  // Per enterprise, over its own buildings only (ascending, so ties go to the first as before).
  for (size_t e = 0; e < n; ++e) {
    double best = -1.0;
    const auto [first, last] = scene.buildings_of(e);
    for (const uint32_t* it = first; it != last; ++it) {
      const size_t i = *it;
      const Building& b = scene.buildings[i];
      double top = b.height_m, height = b.height_m;
      if (i < scene.styles.size()) {
        if (scene.styles[i].flags & kFlagHidden) continue;
        height = scene.styles[i].height;
        top = static_cast<double>(scene.styles[i].base) + height;
      }
      // Only the buildings at its site: an enterprise may own buildings across its park.
      const glm::dvec2 d = b.centroid - scene.enterprises[e].pos;
      if (glm::dot(d, d) > kLabelSiteRadius * kLabelSiteRadius) continue;
      if (height > best) {
        best = height;
        anchors[e] = glm::dvec3(b.centroid, top);
      }
    }
    if (best < 0.0) anchors[e] = glm::dvec3(scene.enterprises[e].pos, 30.0);
  }
  return anchors;
}

const std::vector<glm::dvec3>& cached_label_anchors(const Scene& scene, LabelState& state) {
  if (state.anchors_revision != scene.style_revision || state.anchors_count != scene.enterprises.size() ||
      state.anchors.size() != scene.enterprises.size()) {
    state.anchors = enterprise_label_anchors(scene);
    state.anchors_revision = scene.style_revision;
    state.anchors_count = scene.enterprises.size();
  }
  return state.anchors;
}

std::vector<float> label_priorities(const Scene& scene) {
  const size_t n = scene.enterprises.size();
  std::vector<float> pr(n, 0.0f);
  double max_rev = 1e7;
  for (const Enterprise& e : scene.enterprises) max_rev = std::max(max_rev, e.revenue_2022);
  const double log_lo = 7.0, log_hi = std::max(std::log10(max_rev), log_lo + 1e-6);
  const Metric m = scene.binding.color_metric;
  const auto range = scene.live_range(m);
  const bool log_scale = scene.binding.color_log && m != Metric::Utilisation && range.first > 0.0;
  auto live_pos = [&](double v) -> double {
    if (m == Metric::Utilisation) return std::clamp(v / 100.0, 0.0, 1.0);
    const double lo = range.first, hi = range.second;
    if (!(hi > lo)) return 0.5;
    if (log_scale) return v <= lo ? 0.0 : std::clamp((std::log(v) - std::log(lo)) / (std::log(hi) - std::log(lo)), 0.0, 1.0);
    return std::clamp((v - lo) / (hi - lo), 0.0, 1.0);
  };
  // Keep v below 1 so tiers never mix.
  constexpr double kTop = 0.999;
  for (size_t e = 0; e < n; ++e) {
    const Enterprise& en = scene.enterprises[e];
    double v;
    if (e < scene.live.size() && scene.live[e].ts_ms > 0) {
      v = 0.5 + 0.5 * kTop * live_pos(scene.live[e].value(m));
    } else {
      const double r = en.revenue_2022 > 0.0 ? std::clamp((std::log10(en.revenue_2022) - log_lo) / (log_hi - log_lo), 0.0, 1.0) : 0.0;
      v = 0.5 * kTop * r;
    }
    double tier = 0.0;
    if (static_cast<int>(e) == scene.selected_enterprise) tier = 4.0;
    else if (en.role == "chain_master") tier = 2.0;
    pr[e] = static_cast<float>(tier + v);
  }
  return pr;
}

}  // namespace parktwin::scene
