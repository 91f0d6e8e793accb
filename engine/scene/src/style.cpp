// Colours and per-building styling. restyle() is on the interactive path (a panel slider calls it
// every frame it moves), so it writes into the existing array and allocates nothing after the first call.
#include <algorithm>
#include <cmath>

#include "parktwin/scene/scene.h"

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

void Scene::restyle() {
  styles.resize(buildings.size());
  // Per-kind colours once, not per building.
  uint32_t kind_rgba[64];
  const size_t nk = std::min<size_t>(building_kinds.size(), 64);
  for (size_t k = 0; k < nk; ++k) kind_rgba[k] = pack(kind_color(building_kinds[k]));
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
  const uint32_t uniform = pack_rgba(0.86f, 0.86f, 0.84f);
  const float scale = style_params.height_scale;
  const ColorBy mode = style_params.color_by;

  for (size_t i = 0; i < buildings.size(); ++i) {
    const Building& b = buildings[i];
    BuildingStyle& s = styles[i];
    s.height = b.height_m * scale;
    s.base = 0.0f;
    s.flags = (s.flags & 3u) | (b.generated ? 4u : 0u);  // keep hidden and highlighted
    switch (mode) {
      case ColorBy::Kind: s.rgba = b.kind < nk ? kind_rgba[b.kind] : uniform; break;
      case ColorBy::Chain:
      case ColorBy::Revenue:
        s.rgba = b.enterprise >= 0 ? enterprise_rgba_[static_cast<size_t>(b.enterprise)] : uniform;
        break;
      case ColorBy::Height: s.rgba = pack(ramp_color(b.height_m / 80.0f)); break;
      case ColorBy::Uniform: s.rgba = uniform; break;
    }
  }
  ++style_revision;
}

}  // namespace parktwin::scene
