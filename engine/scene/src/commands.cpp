#include "parktwin/scene/commands.h"

#include <algorithm>

namespace parktwin::scene {

bool is_scene_edit(const Command& c) {
  return std::holds_alternative<SetLayerVisible>(c) || std::holds_alternative<SetLayerOpacity>(c) ||
         std::holds_alternative<SetHeightScale>(c) || std::holds_alternative<SetColorBy>(c) ||
         std::holds_alternative<SetBinding>(c) || std::holds_alternative<SetChainFilter>(c) ||
         std::holds_alternative<SelectEnterprise>(c) || std::holds_alternative<SelectFeature>(c);
}

Command apply_command(Scene& scene, const Command& c) {
  auto layer_ok = [&](int i) { return i >= 0 && static_cast<size_t>(i) < scene.layers.size(); };
  if (const auto* v = std::get_if<SetLayerVisible>(&c)) {
    if (!layer_ok(v->layer)) return c;
    LayerStyle& s = scene.layers[static_cast<size_t>(v->layer)].style;
    SetLayerVisible undo{v->layer, s.visible};
    s.visible = v->visible;
    ++scene.visibility_revision;
    return undo;
  }
  if (const auto* o = std::get_if<SetLayerOpacity>(&c)) {
    if (!layer_ok(o->layer)) return c;
    LayerStyle& s = scene.layers[static_cast<size_t>(o->layer)].style;
    SetLayerOpacity undo{o->layer, s.opacity};
    s.opacity = std::clamp(o->opacity, 0.0f, 1.0f);
    ++scene.visibility_revision;
    return undo;
  }
  if (const auto* h = std::get_if<SetHeightScale>(&c)) {
    SetHeightScale undo{scene.style_params.height_scale};
    scene.style_params.height_scale = std::clamp(h->scale, 0.0f, 20.0f);
    scene.restyle();
    return undo;
  }
  if (const auto* m = std::get_if<SetColorBy>(&c)) {
    SetColorBy undo{scene.style_params.color_by};
    scene.style_params.color_by = m->mode;
    scene.restyle();
    return undo;
  }
  if (const auto* b = std::get_if<SetBinding>(&c)) {
    SetBinding undo{scene.binding};
    scene.binding = b->binding;
    scene.binding.transition_s = std::clamp(scene.binding.transition_s, 0.0f, 10.0f);
    scene.binding.stale_after_s = std::max(1.0, scene.binding.stale_after_s);
    scene.retarget();
    return undo;
  }
  if (const auto* f = std::get_if<SetChainFilter>(&c)) {
    SetChainFilter undo{scene.chains.filter};
    scene.chains.filter = f->filter;
    ++scene.chains.revision;
    return undo;
  }
  if (const auto* sf = std::get_if<SelectFeature>(&c)) {
    SelectFeature undo{scene.selected_layer, scene.selected_feature};
    const bool ok = sf->layer >= 0 && static_cast<size_t>(sf->layer) < scene.layers.size() && sf->feature >= 0 &&
                    static_cast<size_t>(sf->feature) < scene.layers[static_cast<size_t>(sf->layer)].data.features.size();
    scene.selected_layer = ok ? sf->layer : -1;
    scene.selected_feature = ok ? sf->feature : -1;
    return undo;
  }
  if (const auto* sel = std::get_if<SelectEnterprise>(&c)) {
    SelectEnterprise undo{scene.selected_enterprise};
    scene.selected_enterprise =
        sel->enterprise >= 0 && static_cast<size_t>(sel->enterprise) < scene.enterprises.size() ? sel->enterprise : -1;
    scene.retarget();
    return undo;
  }
  return c;
}

static bool same_control(const Command& a, const Command& b) {
  if (a.index() != b.index()) return false;
  if (const auto* o = std::get_if<SetLayerOpacity>(&a)) return o->layer == std::get<SetLayerOpacity>(b).layer;
  return std::holds_alternative<SetHeightScale>(a);
}

void UndoStack::push(Command done, Command undo) {
  redo_.clear();
  if (!undo_.empty() && same_control(undo_.back().done, done)) {
    undo_.back().done = std::move(done);  // keep the oldest undo: one step undoes the whole drag
    return;
  }
  undo_.push_back({std::move(done), std::move(undo)});
}

void UndoStack::undo(Scene& scene) {
  if (undo_.empty()) return;
  Entry e = std::move(undo_.back());
  undo_.pop_back();
  apply_command(scene, e.undo);
  redo_.push_back(std::move(e));
}

void UndoStack::redo(Scene& scene) {
  if (redo_.empty()) return;
  Entry e = std::move(redo_.back());
  redo_.pop_back();
  apply_command(scene, e.done);
  undo_.push_back(std::move(e));
}

}  // namespace parktwin::scene
