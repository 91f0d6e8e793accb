#pragma once
// Enterprise labels: where they sit in the scene (the roof of each enterprise's tallest building),
// how important each one is, and a screen-space declutter that places them without overlap.
// Plain CPU code on screen rectangles: no UI library, testable and benchmarkable on its own.
//
// Priority rule (label_priorities):
//   1. the selected enterprise                                  4 + v
//   2. chain masters (role "chain_master")                      2 + v
//   3. every other enterprise                                   v
// where v in [0, 1) orders enterprises within a tier: the enterprise's live value of the metric
// the buildings are coloured by (scene.binding.color_metric, normalised over the live range, on a
// log scale where the binding uses one) when it has a sample, else its nominal 2022 revenue on a
// log scale (10 M yuan .. the largest enterprise). Enterprises with live data rank within their tier
// by the live value; those without rank below them by revenue (v in [0, 0.5) for those, [0.5, 1) for
// live ones), so a scene without any live data orders by revenue alone. The tiers are 2 apart, so the
// declutter's hysteresis bonus (LabelParams::hysteresis_priority, below 1) never lifts a label into
// the tier above.
#include <cstdint>
#include <vector>

#include <glm/vec2.hpp>
#include <glm/vec3.hpp>

namespace parktwin::scene {

class Scene;

/// An axis-aligned screen rectangle in pixels (x right, y down), min inclusive, max exclusive.
struct LabelRect {
  glm::vec2 min{0.0f}, max{0.0f};
  bool overlaps(const LabelRect& o) const {
    return min.x < o.max.x && o.min.x < max.x && min.y < o.max.y && o.min.y < max.y;
  }
  LabelRect inflated(float d) const { return {min - glm::vec2(d), max + glm::vec2(d)}; }
};

/// One label that could be shown.
struct LabelCandidate {
  uint32_t id = 0;          ///< stable across frames (the enterprise index): the key of LabelState
  glm::vec2 anchor{0.0f};   ///< the labelled point on screen, px
  glm::vec2 size{0.0f};     ///< the label box (text plus padding), px
  float priority = 0.0f;    ///< higher is placed first (see label_priorities)
  float distance = 0.0f;    ///< metres from the eye to the anchor (fades the label)
};

/// A label the declutter kept.
struct PlacedLabel {
  uint32_t id = 0;
  uint32_t candidate = 0;   ///< index into the candidates given
  LabelRect rect;           ///< the box, above the anchor
  glm::vec2 anchor{0.0f};
  float alpha = 1.0f;       ///< distance fade times fade-in, 0..1
};

struct LabelParams {
  glm::vec2 viewport{1920.0f, 1080.0f};  ///< boxes must lie inside [0, viewport)
  float leader_px = 14.0f;        ///< gap between the anchor and the box's bottom edge (the leader line)
  /// Clearance a label needs from placed boxes, keep-outs and the viewport's edge: a label placed last
  /// frame keeps its place with `keep_pad_px`, a new one needs `new_pad_px`, and one seen but not placed
  /// last frame needs `blocked_pad_px`. The differences are the hysteresis that keeps labels from
  /// flickering while the camera moves a pixel or two.
  float keep_pad_px = 1.0f, new_pad_px = 4.0f, blocked_pad_px = 7.0f;
  float hysteresis_priority = 0.15f;  ///< added to the priority of labels placed last frame
  float fade_near_m = 3000.0f;    ///< full opacity up to this distance
  float fade_far_m = 30000.0f;    ///< transparent from here on (candidates beyond are not placed)
  int fade_in_frames = 8;         ///< a newly placed label reaches full opacity over this many frames
  glm::vec2 cell_px{128.0f, 48.0f};  ///< bucket size of the uniform grid
};

/// What the declutter remembers between frames (owned by the caller, one per view). Also caches the
/// label anchors of a scene per style revision.
struct LabelState {
  /// Per candidate id: 0 = not seen last frame, 1 = seen but not placed, 2 = placed.
  std::vector<uint8_t> last;
  std::vector<uint8_t> fade;       ///< per id: frames placed in a row, up to fade_in_frames
  uint64_t frame = 0;
  // Anchor cache (enterprise_label_anchors), valid for `anchors_revision` == scene.style_revision.
  std::vector<glm::dvec3> anchors;
  uint64_t anchors_revision = 0;
  size_t anchors_count = 0;
  // Scratch reused every frame so the declutter does not allocate once warm.
  std::vector<uint32_t> order;
  std::vector<float> key;
  std::vector<LabelRect> boxes;                  ///< keep-outs, then the boxes placed so far
  std::vector<int32_t> cell_head, node_next;     ///< per grid cell a list of nodes; per node the next
  std::vector<uint32_t> node_box;                ///< per node: index into `boxes`
  std::vector<uint8_t> now;
};

/// Places labels greedily by priority (ties by id): a candidate is kept when its box above the anchor
/// lies inside the viewport and clears every keep-out rectangle and every box already kept. Boxes
/// never overlap each other or a keep-out. With `state`, labels placed last frame get the hysteresis
/// (priority bonus, smaller clearance) and fade in over a few frames when new; `state` is updated.
/// Uses a uniform grid of buckets: 10k candidates take well under 2 ms.
std::vector<PlacedLabel> declutter_labels(const std::vector<LabelCandidate>& candidates,
                                          const std::vector<LabelRect>& keep_out, const LabelParams& params,
                                          LabelState* state = nullptr);

/// The box of a candidate: centred above the anchor, `leader_px` above it.
LabelRect label_box(const LabelCandidate& c, float leader_px);

/// Buildings of an enterprise within this distance of its site point count as its site.
constexpr double kLabelSiteRadius = 400.0;

/// Where each enterprise's label sits: on the roof of its tallest building at its site (centroid, at
/// the building's current base + styles[i].height; visible buildings within kLabelSiteRadius of its
/// point), or at its site point 30 m up when it has none there.
std::vector<glm::dvec3> enterprise_label_anchors(const Scene& scene);

/// The anchors of `scene`, recomputed only when its style revision (or enterprise count) changed.
const std::vector<glm::dvec3>& cached_label_anchors(const Scene& scene, LabelState& state);

/// Each enterprise's label priority by the rule at the top of this file.
std::vector<float> label_priorities(const Scene& scene);

}  // namespace parktwin::scene
