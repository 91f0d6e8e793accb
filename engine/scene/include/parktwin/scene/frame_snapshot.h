#pragma once
// What one frame shows, decided once: an immutable value the app builds each frame from the live
// Scene (its styles, layer visibility, chain filter, live pace) and the camera, and the only thing
// the renderer reads while drawing. The UI may edit the Scene while a frame built from an older
// snapshot is still being drawn; a video wall's parts (tiles of a still, panels of a wall) draw
// one snapshot, so every decision that must agree across them — the flow budget, the animation
// clock — is made here and not per part.
//
// The heavy parts (one style per building, one pace per enterprise) are shared and immutable:
// FrameSnapshotBuilder re-derives them only when the Scene's revision says they changed, so two
// snapshots of frames in which nothing changed share them, and a snapshot kept by a caller (a
// recorder, a wall master) stays valid whatever the Scene does next.
//
// Usage (per frame):
//   scene::FrameSnapshotBuilder builder;                 // one per view, kept across frames
//   auto snap = builder.build(scene, camera, time_s);    // std::shared_ptr<const FrameSnapshot>
//   renderer->render_window({.frame = snap.get()});
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "parktwin/scene/camera.h"
#include "parktwin/scene/scene.h"

namespace parktwin::scene {

/// How one layer (Scene::layers, same index) is drawn this frame.
struct FrameLayer {
  bool visible = true;
  float opacity = 1.0f;
  bool drawn() const { return visible && opacity > 0.0f; }
};

/// The supply-chain flow arcs this frame.
struct FrameFlows {
  bool visible = true;
  uint32_t chain_mask = 0xFFFu;   ///< bit c: chain c shown (ChainFilter::chain_on)
  uint32_t segment_mask = 0x7u;   ///< bit s: segment s shown (ChainFilter::segment_on)
  int highlight_chain = -1;       ///< -1 = none; a highlighted chain dims the others
  /// Each enterprise's pace of flow (output_factor), in Scene::enterprises order; shared.
  std::shared_ptr<const std::vector<float>> pace;
  uint64_t pace_revision = 0;     ///< changes whenever `pace` holds other values (unique in the process)
  /// The drawing budget decided for the frame: enterprise arcs worth less than this (yuan/yr) give
  /// way, 0 = all. Empty = the renderer's own budget, which adapts to what its last frames drew (a
  /// picture drawn in parts must decide it here, or its parts could keep different arcs).
  std::optional<double> min_value_yuan;
};

/// The buildings' styles (Scene::buildings order) as immutable blocks of kStyleBlock, the last one
/// shorter: a builder copies only the blocks the Scene changed and shares the others with the
/// snapshots before, and a renderer uploads only the blocks it does not hold (compare pointers).
class StyleBlocks {
 public:
  using Block = std::vector<BuildingStyle>;
  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  const BuildingStyle& operator[](size_t i) const { return (*blocks_[i / kStyleBlock])[i % kStyleBlock]; }
  const std::vector<std::shared_ptr<const Block>>& blocks() const { return blocks_; }
  /// Blocks of `styles`, sharing `before`'s block b where `reuse(b)` says it is unchanged and it
  /// has the same length (a block that grew is copied).
  template <class Reuse>
  static std::shared_ptr<const StyleBlocks> make(const std::vector<BuildingStyle>& styles, const StyleBlocks* before,
                                                 Reuse reuse, size_t* copied = nullptr) {
    auto out = std::make_shared<StyleBlocks>();
    out->count_ = styles.size();
    const size_t n = (styles.size() + kStyleBlock - 1) / kStyleBlock;
    out->blocks_.resize(n);
    size_t fresh = 0;
    for (size_t b = 0; b < n; ++b) {
      const size_t lo = b * kStyleBlock, len = std::min(kStyleBlock, styles.size() - lo);
      if (before && b < before->blocks_.size() && before->blocks_[b]->size() == len && reuse(b)) {
        out->blocks_[b] = before->blocks_[b];
        continue;
      }
      out->blocks_[b] = std::make_shared<const Block>(styles.begin() + static_cast<std::ptrdiff_t>(lo),
                                                      styles.begin() + static_cast<std::ptrdiff_t>(lo + len));
      ++fresh;
    }
    if (copied) *copied = fresh;
    return out;
  }

 private:
  std::vector<std::shared_ptr<const Block>> blocks_;
  size_t count_ = 0;
};

struct FrameSnapshot {
  Camera camera;
  double time_s = 0.0;            ///< animation clock: flow dashes, alarm pulse
  /// One style per building (Scene::buildings order); shared, never written after it is built.
  std::shared_ptr<const StyleBlocks> styles;
  /// Changes whenever `styles` holds other values; unique in the process (any builder), so a
  /// renderer fed by several builders never mistakes one's styles for another's.
  uint64_t styles_revision = 0;
  float height_scale = 1.0f;      ///< StyleParams::height_scale (bounds of culled building chunks)
  std::vector<FrameLayer> layers; ///< one per Scene::layers
  FrameFlows flows;

  /// The layer's state, or hidden for an index the snapshot does not know.
  FrameLayer layer(uint32_t index) const { return index < layers.size() ? layers[index] : FrameLayer{false, 0.0f}; }
};

/// Builds snapshots of one view, re-deriving the shared parts only when the Scene changed them.
class FrameSnapshotBuilder {
 public:
  /// Style blocks copied by the last build() that copied any (all of them after a restyle).
  size_t last_blocks_copied() const { return last_blocks_copied_; }
  std::shared_ptr<const FrameSnapshot> build(const Scene& scene, const Camera& camera, double time_s,
                                             std::optional<double> flow_min_value_yuan = std::nullopt);

 private:
  std::shared_ptr<const StyleBlocks> styles_;
  uint64_t styles_from_ = 0;      ///< Scene::style_revision the styles were copied at
  const Scene* styles_scene_ = nullptr;
  std::shared_ptr<const std::vector<float>> pace_;
  uint64_t pace_from_ = UINT64_MAX;
  const Scene* pace_scene_ = nullptr;
  uint64_t styles_revision_ = 0, pace_revision_ = 0;
  size_t last_blocks_copied_ = 0;
};

/// A snapshot of `scene` built from scratch (tests, one-off renders).
std::shared_ptr<const FrameSnapshot> snapshot_of(const Scene& scene, const Camera& camera, double time_s = 0.0,
                                                 std::optional<double> flow_min_value_yuan = std::nullopt);

}  // namespace parktwin::scene
