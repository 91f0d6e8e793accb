#include "parktwin/scene/frame_snapshot.h"

#include <atomic>

#include "parktwin/scene/chains.h"

namespace parktwin::scene {

namespace {
/// Revisions of shared parts, unique across builders.
uint64_t next_revision() {
  static std::atomic<uint64_t> counter{0};
  return ++counter;
}
}  // namespace

std::shared_ptr<const FrameSnapshot> FrameSnapshotBuilder::build(const Scene& scene, const Camera& camera,
                                                                 double time_s,
                                                                 std::optional<double> flow_min_value_yuan) {
  auto f = std::make_shared<FrameSnapshot>();
  f->camera = camera;
  f->time_s = time_s;
  if (!styles_ || styles_scene_ != &scene || styles_from_ != scene.style_revision ||
      styles_->size() != scene.styles.size()) {
    // Only the blocks written since the styles were copied: a live sample restyles a few
    // enterprises' buildings, not the array.
    const bool same_scene = styles_ && styles_scene_ == &scene;
    const bool all = !same_scene || scene.styles_changed_since(styles_from_);
    const uint64_t from = styles_from_;
    styles_ = StyleBlocks::make(scene.styles, all ? nullptr : styles_.get(),
                                [&](size_t b) { return scene.style_block_revision(b) <= from; }, &last_blocks_copied_);
    styles_scene_ = &scene;
    styles_from_ = scene.style_revision;
    styles_revision_ = next_revision();
  }
  f->styles = styles_;
  f->styles_revision = styles_revision_;
  f->height_scale = scene.style_params.height_scale;
  f->layers.reserve(scene.layers.size());
  for (const Layer& l : scene.layers) f->layers.push_back({l.style.visible, l.style.opacity});

  const ChainFilter& cf = scene.chains.filter;
  f->flows.visible = cf.flows_visible;
  f->flows.chain_mask = 0;
  f->flows.segment_mask = 0;
  for (size_t i = 0; i < cf.chain_on.size(); ++i) f->flows.chain_mask |= cf.chain_on[i] ? 1u << i : 0u;
  for (size_t i = 0; i < cf.segment_on.size(); ++i) f->flows.segment_mask |= cf.segment_on[i] ? 1u << i : 0u;
  f->flows.highlight_chain = cf.highlight_chain;
  if (!pace_ || pace_scene_ != &scene || pace_from_ != scene.live_revision ||
      pace_->size() != scene.enterprises.size()) {
    auto pace = std::make_shared<std::vector<float>>(scene.enterprises.size());
    for (uint32_t e = 0; e < pace->size(); ++e) (*pace)[e] = static_cast<float>(output_factor(scene, e));
    pace_ = std::move(pace);
    pace_scene_ = &scene;
    pace_from_ = scene.live_revision;
    pace_revision_ = next_revision();
  }
  f->flows.pace = pace_;
  f->flows.pace_revision = pace_revision_;
  f->flows.min_value_yuan = flow_min_value_yuan;
  return f;
}

std::shared_ptr<const FrameSnapshot> snapshot_of(const Scene& scene, const Camera& camera, double time_s,
                                                 std::optional<double> flow_min_value_yuan) {
  FrameSnapshotBuilder b;
  return b.build(scene, camera, time_s, flow_min_value_yuan);
}

}  // namespace parktwin::scene
