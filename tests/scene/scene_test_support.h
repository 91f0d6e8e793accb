#pragma once
// Shared helpers of the scene tests: the default dataset loaded into a fresh scene, and
// geometry checks in the scene frame.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "parktwin/gis/building_clusters.h"
#include "parktwin/gis/frame.h"
#include "parktwin/gis/geometry.h"
#include "parktwin/gis/synthetic.h"
#include "parktwin/scene/scene.h"

namespace parktwin::scene::testing {

/// `n` synthetic footprints (gis::synthetic_footprints, `seed`) added to `s` as buildings layer
/// `name`; with `heights`, each with a "height" attribute from 6 to 60 m. Returns the layer's index.
inline uint32_t add_synthetic_buildings(Scene& s, size_t n, uint64_t seed, const std::string& name, bool heights) {
  gis::LayerData d;
  d.name = name;
  d.source = "generated: test";
  d.kind = gis::GeomKind::Polygon;
  if (heights) d.fields = {"height"};
  for (gis::Polygon& p : gis::synthetic_footprints(n, seed)) {
    gis::Feature f;
    f.fid = static_cast<int64_t>(d.features.size() + 1);
    f.geom.kind = gis::GeomKind::Polygon;
    f.geom.polygons.push_back(std::move(p));
    if (heights) f.attrs.emplace_back(6.0 + static_cast<double>((d.features.size() * 37) % 55));
    d.features.push_back(std::move(f));
  }
  return add_layer_data(s, std::move(d), name, LayerKind::Buildings);
}

/// Whether two cluster layouts of a mesh (gis/building_clusters.h) are the same, field by field.
inline ::testing::AssertionResult same_layout(const gis::ClusteredMesh& got, const gis::ClusteredMesh& want) {
  if (got.indices != want.indices) return ::testing::AssertionFailure() << "indices differ";
  if (got.buildings != want.buildings) return ::testing::AssertionFailure() << "building order differs";
  if (got.cluster_end != want.cluster_end) return ::testing::AssertionFailure() << "cluster ends differ";
  if (got.clusters.size() != want.clusters.size())
    return ::testing::AssertionFailure() << got.clusters.size() << " clusters, want " << want.clusters.size();
  for (size_t i = 0; i < got.clusters.size(); ++i) {
    const gis::BuildingCluster &a = got.clusters[i], &b = want.clusters[i];
    if (a.first_index != b.first_index || a.index_count != b.index_count || a.roof_count != b.roof_count ||
        a.bin_end != b.bin_end || a.edge_first != b.edge_first || a.edge_count != b.edge_count || a.lo != b.lo ||
        a.hi != b.hi)
      return ::testing::AssertionFailure() << "cluster " << i << " differs";
  }
  return ::testing::AssertionSuccess();
}

inline std::string default_dataset_path() { return std::string(PARKTWIN_ASSET_DIR) + "/parktwin.gpkg"; }

/// A scene holding the default dataset, or null (with a test failure) when it cannot be loaded.
inline std::unique_ptr<Scene> load_default_scene() {
  auto scene = std::make_unique<Scene>(gis::SceneFrame::jiangxi());
  auto r = load_default_dataset(*scene, default_dataset_path());
  if (!r) {
    ADD_FAILURE() << "cannot load " << default_dataset_path() << ": " << r.error().message;
    return nullptr;
  }
  return scene;
}

/// True when `q` lies inside any of the polygons.
inline bool inside_any(const std::vector<gis::Polygon>& polys, glm::dvec2 q) {
  for (const gis::Polygon& p : polys)
    if (gis::polygon_contains(p, q)) return true;
  return false;
}

/// Distance from `q` to the boundary of a ring.
inline double distance_to_ring(const gis::Ring& r, glm::dvec2 q) {
  double best = 1e300;
  for (size_t i = 0; i < r.size(); ++i) {
    const glm::dvec2 a = r[i], b = r[(i + 1) % r.size()];
    const glm::dvec2 ab = b - a;
    const double len2 = glm::dot(ab, ab);
    const double t = len2 > 0.0 ? glm::clamp(glm::dot(q - a, ab) / len2, 0.0, 1.0) : 0.0;
    best = std::min(best, glm::length(a + ab * t - q));
  }
  return best;
}

/// FNV-1a over raw bytes, chained through `h`.
inline uint64_t fnv1a(const void* data, size_t n, uint64_t h = 1469598103934665603ull) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
  return h;
}

template <typename T>
uint64_t fnv1a_vec(const std::vector<T>& v, uint64_t h) {
  return fnv1a(v.data(), v.size() * sizeof(T), h);
}

/// A hash of every mesh and marker of the scene: building chunks, ground chunks, markers.
inline uint64_t mesh_hash(const Scene& s) {
  uint64_t h = fnv1a(nullptr, 0);
  auto mesh = [&h](const auto& m) {
    h = fnv1a(&m.origin, sizeof(m.origin), h);
    h = fnv1a_vec(m.vertices, h);
    h = fnv1a_vec(m.indices, h);
    h = fnv1a_vec(m.edge_indices, h);
  };
  for (const Layer& l : s.layers) {
    for (const BuildingChunk& c : l.building_chunks) mesh(c.mesh);
    for (const GroundChunk& c : l.ground) {
      mesh(c.fill);
      mesh(c.lines);
    }
    for (const Marker& m : l.markers) {  // field by field: Marker has padding
      h = fnv1a(&m.pos, sizeof(m.pos), h);
      h = fnv1a(&m.rgba, sizeof(m.rgba), h);
      h = fnv1a(&m.size_px, sizeof(m.size_px), h);
      h = fnv1a(&m.feature, sizeof(m.feature), h);
    }
  }
  return h;
}

/// The raw bytes of the style array, for exact comparisons.
inline std::vector<unsigned char> style_bytes(const Scene& s) {
  std::vector<unsigned char> out(s.styles.size() * sizeof(BuildingStyle));
  if (!out.empty()) std::memcpy(out.data(), s.styles.data(), out.size());
  return out;
}

}  // namespace parktwin::scene::testing
