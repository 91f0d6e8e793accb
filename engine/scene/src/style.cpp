// Colours and per-building styling. restyle() is on the interactive path (a panel slider calls it
// every frame it moves), so it writes into the existing array and allocates nothing after the first call.
#include <algorithm>
#include <cmath>

#include "parktwin/scene/scene.h"
#include "shared_constants.h"

namespace parktwin::scene {

uint32_t pack_rgba(float r, float g, float b, float a) {
  auto c = [](float v) { return static_cast<uint32_t>(std::lround(std::clamp(v, 0.0f, 1.0f) * 255.0f)); };
  return c(r) | (c(g) << 8) | (c(b) << 16) | (c(a) << 24);
}

static uint32_t pack(glm::vec4 c) { return pack_rgba(c.r, c.g, c.b, c.a); }

const char* color_by_name(ColorBy c) {
  switch (c) {
    case ColorBy::Kind: return "building kind";
    case ColorBy::Chain: return "enterprise chain";
    case ColorBy::Height: return "height";
    case ColorBy::Revenue: return "enterprise revenue (2022, nominal)";
    case ColorBy::Uniform: return "uniform";
  }
  return "?";
}

glm::vec4 chain_color(const std::string& chain) {
  if (chain == "electronic_information") return {0.25f, 0.52f, 0.90f, 1.0f};
  if (chain == "nonferrous_metals") return {0.85f, 0.48f, 0.20f, 1.0f};
  if (chain == "new_energy") return {0.22f, 0.70f, 0.38f, 1.0f};
  if (chain == "equipment_manufacturing") return {0.55f, 0.45f, 0.75f, 1.0f};
  if (chain == "petrochemical_chemical") return {0.75f, 0.35f, 0.45f, 1.0f};
  if (chain.empty()) return {0.70f, 0.70f, 0.70f, 1.0f};
  return {0.60f, 0.60f, 0.55f, 1.0f};
}

glm::vec4 park_color(const std::string& park_id) {
  if (park_id == "nanchang") return chain_color("electronic_information");
  if (park_id == "yingtan") return chain_color("nonferrous_metals");
  if (park_id == "yichun") return chain_color("new_energy");
  return {0.6f, 0.6f, 0.6f, 1.0f};
}

glm::vec4 landuse_color(const std::string& lu) {
  if (lu == "industrial") return {0.86f, 0.80f, 0.72f, 1.0f};
  if (lu == "warehouse_logistics") return {0.82f, 0.78f, 0.80f, 1.0f};
  if (lu == "office_rnd") return {0.78f, 0.82f, 0.90f, 1.0f};
  if (lu == "residential_dormitory") return {0.93f, 0.84f, 0.76f, 1.0f};
  if (lu == "commercial") return {0.94f, 0.78f, 0.78f, 1.0f};
  if (lu == "utility") return {0.80f, 0.80f, 0.74f, 1.0f};
  if (lu == "green") return {0.70f, 0.84f, 0.62f, 1.0f};
  if (lu == "reserve") return {0.88f, 0.88f, 0.84f, 1.0f};
  return {0.85f, 0.85f, 0.85f, 1.0f};
}

glm::vec4 ramp_color(float t) {
  // Piecewise-linear through five stops of a viridis-like ramp.
  static const glm::vec3 stops[5] = {{0.27f, 0.00f, 0.33f}, {0.23f, 0.32f, 0.55f}, {0.13f, 0.57f, 0.55f},
                                     {0.37f, 0.79f, 0.38f}, {0.99f, 0.91f, 0.14f}};
  if (std::isnan(t)) t = 0.0f;  // std::clamp passes NaN through, and int(NaN) is no index
  t = std::clamp(t, 0.0f, 1.0f) * 4.0f;
  const int i = std::min(3, static_cast<int>(t));
  const glm::vec3 c = stops[i] + (stops[i + 1] - stops[i]) * (t - static_cast<float>(i));
  return {c, 1.0f};
}

static glm::vec4 kind_color(const std::string& kind) {
  if (kind == "factory_hall") return {0.93f, 0.91f, 0.87f, 1.0f};
  if (kind == "office") return {0.72f, 0.80f, 0.92f, 1.0f};
  if (kind == "dormitory") return {0.95f, 0.82f, 0.70f, 1.0f};
  if (kind == "warehouse") return {0.80f, 0.78f, 0.84f, 1.0f};
  if (kind == "utility") return {0.70f, 0.72f, 0.68f, 1.0f};
  if (kind == "lab") return {0.70f, 0.88f, 0.86f, 1.0f};
  if (kind == "canteen") return {0.92f, 0.86f, 0.62f, 1.0f};
  if (kind == "smelter") return {0.78f, 0.55f, 0.40f, 1.0f};
  if (kind == "stack") return {0.66f, 0.50f, 0.44f, 1.0f};
  return {0.88f, 0.88f, 0.86f, 1.0f};
}

static glm::vec4 unpack(uint32_t c) {
  return glm::vec4(static_cast<float>(c & 0xff), static_cast<float>((c >> 8) & 0xff),
                   static_cast<float>((c >> 16) & 0xff), static_cast<float>(c >> 24)) / 255.0f;
}

/// Where a metric value falls in [0, 1] for the colour ramp: utilisation on 0-100 %, the others on
/// the range seen across enterprises (log when asked, since output and power span orders of magnitude).
static float ramp_position(Metric m, double v, std::pair<double, double> range, bool log_scale) {
  if (m == Metric::Utilisation) return static_cast<float>(std::clamp(v / 100.0, 0.0, 1.0));
  const double lo = range.first, hi = range.second;
  if (!(hi > lo)) return 0.5f;
  if (log_scale && lo > 0.0) {
    if (v <= lo) return 0.0f;
    return static_cast<float>(std::clamp((std::log(v) - std::log(lo)) / (std::log(hi) - std::log(lo)), 0.0, 1.0));
  }
  return static_cast<float>(std::clamp((v - lo) / (hi - lo), 0.0, 1.0));
}

void Scene::prepare_targets() {
  const size_t n = buildings.size();
  styles.resize(n);
  target_height_.resize(n);
  target_color_.resize(n);
  // Per-kind colours once, not per building.
  const size_t nk = std::min<size_t>(building_kinds.size(), 64);
  kind_rgba_.resize(nk);
  for (size_t k = 0; k < nk; ++k) kind_rgba_[k] = pack(kind_color(building_kinds[k]));
  // Per-enterprise colours once, into a reused array.
  double max_rev = 1.0;
  for (const Enterprise& e : enterprises) max_rev = std::max(max_rev, e.revenue_2022);
  const double log_max = std::log10(max_rev);
  enterprise_rgba_.resize(enterprises.size());
  for (size_t k = 0; k < enterprises.size(); ++k) {
    const Enterprise& e = enterprises[k];
    enterprise_rgba_[k] =
        style_params.color_by == ColorBy::Revenue
            ? (e.revenue_2022 > 0.0
                   ? pack(ramp_color(static_cast<float>((std::log10(e.revenue_2022) - 7.0) / (log_max - 7.0))))
                   : pack_rgba(0.86f, 0.86f, 0.84f))
            : pack(chain_color(e.chain));
  }
  const bool use_live = binding.enabled && live.size() == enterprises.size();
  const auto color_range = use_live ? live_range(binding.color_metric) : std::pair<double, double>{0.0, 0.0};
  any_alarm = false;
  // Per-enterprise live height factor, colour and status flags once (a few hundred enterprises,
  // thousands of buildings): the per-building step (target_of) only looks them up.
  live_height_.clear();
  if (use_live) {
    live_height_.resize(enterprises.size());
    live_rgba_.resize(enterprises.size());
    live_flags_.resize(enterprises.size());
    for (uint32_t e = 0; e < enterprises.size(); ++e) {
      const Metrics& m = live[e];
      uint32_t flags = is_stale(e) ? kFlagStale : 0u;
      live_height_[e] = -1.0f;  // no sample: static height and colour
      if (m.ts_ms > 0) {
        // Height follows the bound metric relative to its reference (100 % for utilisation, the
        // enterprise's own peak otherwise); buildings keep a fifth of their height so sites stay visible.
        const Metric hm = binding.height_metric;
        const double ref = hm == Metric::Utilisation ? 100.0 : live_peak(e, hm);
        double r = ref > 0.0 ? std::clamp(m.value(hm) / ref, 0.0, 1.5) : 0.0;
        if (!std::isfinite(r)) r = 0.0;  // refused on entry (update_live); never a NaN height
        live_height_[e] = static_cast<float>(0.2 + 0.8 * r);
        live_rgba_[e] = pack(ramp_color(
            ramp_position(binding.color_metric, m.value(binding.color_metric), color_range, binding.color_log)));
        switch (m.status) {
          case Status::Alarm: flags |= kFlagAlarm; break;
          case Status::Maintenance: flags |= kFlagMaintenance; break;
          case Status::Stopped: flags |= kFlagStopped; break;
          default: break;
        }
      }
      live_flags_[e] = flags;
      any_alarm = any_alarm || (flags & kFlagAlarm);
    }
  }
  // What the targets depend on, to find the enterprises whose buildings retarget() must revisit.
  ent_now_.resize(enterprises.size());
  for (size_t e = 0; e < enterprises.size(); ++e) {
    EnterpriseTarget& t = ent_now_[e];
    t.rgba = enterprise_rgba_[e];
    t.selected = static_cast<int>(e) == selected_enterprise;
    t.live_height = use_live ? live_height_[e] : -1.0f;
    t.live_rgba = use_live && live_height_[e] >= 0.0f ? live_rgba_[e] : 0u;
    t.live_flags = use_live ? live_flags_[e] : 0u;
  }
  global_now_.params = style_params;
  global_now_.use_live = use_live;
  global_now_.buildings = buildings.size();
  global_now_.enterprises = enterprises.size();
  global_now_.kinds = kind_rgba_;
}

void Scene::target_of(size_t i) {
  static const uint32_t uniform = pack_rgba(0.86f, 0.86f, 0.84f);
  const bool use_live = !live_height_.empty();
  const Building& b = buildings[i];
  BuildingStyle& s = styles[i];
  float height = b.height_m * style_params.height_scale;
  uint32_t rgba = uniform;
  switch (style_params.color_by) {
    case ColorBy::Kind: rgba = b.kind < kind_rgba_.size() ? kind_rgba_[b.kind] : uniform; break;
    case ColorBy::Chain:
    case ColorBy::Revenue: rgba = b.enterprise >= 0 ? enterprise_rgba_[static_cast<size_t>(b.enterprise)] : uniform; break;
    case ColorBy::Height: rgba = pack(ramp_color(b.height_m / kHeightRampTopM)); break;
    case ColorBy::Uniform: break;
  }
  uint32_t status_flags = 0;
  if (use_live && b.enterprise >= 0) {
    const auto e = static_cast<size_t>(b.enterprise);
    if (live_height_[e] >= 0.0f) {
      height *= live_height_[e];
      rgba = live_rgba_[e];
    }
    status_flags = live_flags_[e];
  }
  target_height_[i] = height;
  target_color_[i] = unpack(rgba);
  const bool selected = selected_enterprise >= 0 && b.enterprise == selected_enterprise;
  const uint32_t flags = (s.flags & kFlagHidden) | (selected ? kFlagHighlighted : 0u) |
                         (b.generated ? kFlagGenerated : 0u) | status_flags;
  if (s.base != 0.0f || s.flags != flags) {
    s.base = 0.0f;
    s.flags = flags;
    touch_style(i);
  }
}

void Scene::update_target(size_t i) {
  target_of(i);
  if (i < current_color_.size() && !is_moving_[i] &&
      (target_height_[i] != styles[i].height || target_color_[i] != current_color_[i])) {
    is_moving_[i] = 1;
    moving_.push_back(static_cast<uint32_t>(i));
  }
}

void Scene::compute_targets() {
  prepare_targets();
  is_moving_.resize(buildings.size(), 0);
  for (size_t i = 0; i < buildings.size(); ++i) update_target(i);
  ent_targets_ = ent_now_;
  global_targets_ = global_now_;
  targets_valid_ = true;
}

void Scene::restyle_buildings(const std::vector<uint32_t>& indices) {
  prepare_targets();  // ent_targets_ stays: the other buildings' targets were not brought up to date
  current_color_.resize(styles.size());
  is_moving_.resize(styles.size(), 0);
  // New buildings get their targets here: the others' targets do not depend on how many there are.
  if (targets_valid_) global_targets_.buildings = global_now_.buildings;
  for (uint32_t i : indices) {
    if (i >= styles.size()) continue;
    target_of(i);
    current_color_[i] = target_color_[i];
    styles[i].height = target_height_[i];
    styles[i].rgba = pack(current_color_[i]);
    touch_style(i);
  }
  by_ent_valid_ = false;  // a building may have been added or changed hands
  commit_styles();
}

void Scene::restyle() {
  compute_targets();
  current_color_.assign(target_color_.begin(), target_color_.end());
  for (size_t i = 0; i < styles.size(); ++i) {
    styles[i].height = target_height_[i];
    styles[i].rgba = pack(current_color_[i]);
  }
  moving_.clear();
  is_moving_.assign(styles.size(), 0);
  by_ent_valid_ = false;
  commit_all_styles();
}

void Scene::retarget() {
  if (current_color_.size() != styles.size() || styles.size() != buildings.size()) {
    restyle();  // first time, or buildings were added: no animation from nothing
    return;
  }
  prepare_targets();
  if (!targets_valid_ || !(global_now_ == global_targets_) || ent_targets_.size() != ent_now_.size()) {
    compute_targets();  // a change every building may see (style, kinds, live on or off)
  } else {
    // Only the buildings of enterprises whose inputs changed: a live sample, a status, staleness,
    // the selection. The others' targets are what they were.
    for (size_t e = 0; e < ent_now_.size(); ++e) {
      if (ent_now_[e] == ent_targets_[e]) continue;
      const auto [first, last] = buildings_of(e);
      for (const uint32_t* it = first; it != last; ++it) update_target(*it);
    }
    ent_targets_ = ent_now_;
  }
  if (styles_touched_) commit_styles();  // flags changed (status, selection)
}

bool Scene::animate(double dt_s) {
  if (current_color_.size() != styles.size() || target_height_.size() != styles.size() ||
      is_moving_.size() != styles.size())
    return false;
  const double tau = std::max(1e-3, static_cast<double>(binding.transition_s) / 3.0);
  const float k = binding.transition_s <= 0.0f ? 1.0f : static_cast<float>(1.0 - std::exp(-dt_s / tau));
  bool moving = false;
  size_t kept = 0;
  for (const uint32_t i : moving_) {
    if (i >= styles.size()) continue;
    BuildingStyle& s = styles[i];
    const float dh = target_height_[i] - s.height;
    const glm::vec4 dc = target_color_[i] - current_color_[i];
    if (std::abs(dh) < 0.01f && std::abs(dc.r) + std::abs(dc.g) + std::abs(dc.b) < 0.002f) {
      if (dh != 0.0f || dc != glm::vec4(0.0f)) {
        s.height = target_height_[i];
        current_color_[i] = target_color_[i];
        s.rgba = pack(current_color_[i]);
        touch_style(i);
        moving = true;
      }
      is_moving_[i] = 0;  // there
      continue;
    }
    s.height += dh * k;
    current_color_[i] += dc * k;
    s.rgba = pack(current_color_[i]);
    touch_style(i);
    moving = true;
    moving_[kept++] = i;
  }
  moving_.resize(kept);
  if (moving) commit_styles();
  return moving;
}

void Scene::touch_style(size_t i) {
  const size_t b = i / kStyleBlock;
  if (style_block_rev_.size() <= b) style_block_rev_.resize(b + 1, style_revision + 1);
  style_block_rev_[b] = style_revision + 1;  // the revision commit_styles() gives
  styles_touched_ = true;
}

void Scene::commit_styles() {
  // Blocks that appeared with new buildings and were not touched: changed now.
  const size_t blocks = (styles.size() + kStyleBlock - 1) / kStyleBlock;
  if (style_block_rev_.size() < blocks) style_block_rev_.resize(blocks, style_revision + 1);
  // A bare ++style_revision meanwhile: every block may have changed at that revision (a consumer
  // that copied at it or later has seen it).
  if (style_revision != styles_marked_rev_) styles_all_rev_ = style_revision;
  ++style_revision;
  styles_marked_rev_ = style_revision;
  styles_touched_ = false;
}

void Scene::commit_all_styles() {
  ++style_revision;
  styles_all_rev_ = style_revision;
  styles_marked_rev_ = style_revision;
  styles_touched_ = false;
  style_block_rev_.assign((styles.size() + kStyleBlock - 1) / kStyleBlock, style_revision);
}

bool Scene::styles_changed_since(uint64_t since) const {
  return style_revision != styles_marked_rev_ || styles_all_rev_ > since ||
         style_block_rev_.size() * kStyleBlock < styles.size();
}

uint64_t Scene::style_block_revision(size_t b) const {
  return b < style_block_rev_.size() ? style_block_rev_[b] : UINT64_MAX;
}

std::pair<const uint32_t*, const uint32_t*> Scene::buildings_of(size_t e) const {
  if (!by_ent_valid_ || by_ent_offsets_.size() != enterprises.size() + 1 || by_ent_items_.size() > buildings.size()) {
    by_ent_offsets_.assign(enterprises.size() + 1, 0);
    for (const Building& b : buildings)
      if (b.enterprise >= 0 && static_cast<size_t>(b.enterprise) < enterprises.size()) ++by_ent_offsets_[b.enterprise + 1];
    for (size_t k = 1; k < by_ent_offsets_.size(); ++k) by_ent_offsets_[k] += by_ent_offsets_[k - 1];
    by_ent_items_.resize(by_ent_offsets_.back());
    std::vector<uint32_t> fill(by_ent_offsets_.begin(), by_ent_offsets_.end() - 1);
    for (size_t i = 0; i < buildings.size(); ++i) {
      const int32_t en = buildings[i].enterprise;
      if (en >= 0 && static_cast<size_t>(en) < enterprises.size()) by_ent_items_[fill[en]++] = static_cast<uint32_t>(i);
    }
    by_ent_valid_ = true;
  }
  if (e >= enterprises.size()) return {nullptr, nullptr};
  const uint32_t* base = by_ent_items_.data();
  return {base + by_ent_offsets_[e], base + by_ent_offsets_[e + 1]};
}

bool Scene::update_live(uint32_t e, const Metrics& m) {
  if (live.size() != enterprises.size()) live.assign(enterprises.size(), Metrics{});
  if (peaks_.size() != enterprises.size()) peaks_.assign(enterprises.size(), {});
  if (e >= live.size() || !finite_metrics(m)) return false;
  // Older than the stored sample: ignored, unless the stored one is dated after the scene's clock
  // (a source whose clock runs ahead, or a forged date) and this one is not: a sample from the
  // future must not hold back every current one until its time comes.
  const bool stored_ahead = live_time_ms > 0 && live[e].ts_ms > live_time_ms;
  if (m.ts_ms < live[e].ts_ms && !(stored_ahead && m.ts_ms <= live_time_ms)) return false;
  live[e] = m;
  for (size_t k = 0; k < kMetricCount; ++k) peaks_[e][k] = std::max(peaks_[e][k], m.v[k]);
  live_simulated = live_simulated || m.simulated;
  ++live_revision;
  return true;
}

void Scene::reset_live() {
  live_simulated = false;
  live.assign(enterprises.size(), Metrics{});
  peaks_.assign(enterprises.size(), {});
  ++live_revision;
}

void Scene::set_live_state(const std::vector<Metrics>& state) {
  live.assign(enterprises.size(), Metrics{});
  if (peaks_.size() != enterprises.size()) peaks_.assign(enterprises.size(), {});
  for (size_t e = 0; e < std::min(state.size(), live.size()); ++e) {
    if (!finite_metrics(state[e])) continue;  // no sample rather than a value styling cannot use
    live[e] = state[e];
    live_simulated = live_simulated || state[e].simulated;
    for (size_t k = 0; k < kMetricCount; ++k) peaks_[e][k] = std::max(peaks_[e][k], state[e].v[k]);
  }
  ++live_revision;
}

bool Scene::is_stale(uint32_t e) const {
  if (e >= live.size()) return false;
  const int64_t ts = live[e].ts_ms;
  return ts <= 0 || static_cast<double>(live_time_ms - ts) > binding.stale_after_s * 1000.0;
}

std::pair<double, double> Scene::live_range(Metric m) const {
  double lo = 1e300, hi = -1e300;
  for (const Metrics& x : live) {
    if (x.ts_ms <= 0) continue;
    const double v = x.value(m);
    if (v > 0.0) lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  if (lo > hi) return {0.0, 0.0};
  return {lo, hi};
}

double Scene::live_peak(uint32_t e, Metric m) const {
  return e < peaks_.size() ? peaks_[e][static_cast<size_t>(m)] : 0.0;
}

}  // namespace parktwin::scene
