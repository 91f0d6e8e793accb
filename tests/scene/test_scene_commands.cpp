// Scene edits as commands: each returns its inverse, the undo stack restores exact state, slider
// drags merge into one step, and bad layer indices are ignored.
#include <string>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include "parktwin/scene/commands.h"
#include "scene_test_support.h"

using namespace parktwin;
using namespace parktwin::scene;
using parktwin::scene::testing::style_bytes;

namespace {

/// Everything a scene edit may change.
struct EditState {
  std::vector<bool> visible;
  std::vector<float> opacity;
  float height_scale = 0.0f;
  ColorBy color_by = ColorBy::Kind;
  std::vector<unsigned char> styles;

  static EditState of(const Scene& s) {
    EditState e;
    for (const Layer& l : s.layers) {
      e.visible.push_back(l.style.visible);
      e.opacity.push_back(l.style.opacity);
    }
    e.height_scale = s.style_params.height_scale;
    e.color_by = s.style_params.color_by;
    e.styles = style_bytes(s);
    return e;
  }
  bool operator==(const EditState&) const = default;
};

class SceneCommands : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    scene_ = parktwin::scene::testing::load_default_scene();
    if (scene_) initial_ = new EditState(EditState::of(*scene_));
  }
  static void TearDownTestSuite() {
    scene_.reset();
    delete initial_;
    initial_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(scene_, nullptr) << "the default dataset did not load";
    ASSERT_GE(scene_->layers.size(), 4u);
  }
  // Each test starts from the state after loading.
  void TearDown() override {
    if (!scene_ || !initial_) return;
    for (size_t i = 0; i < scene_->layers.size(); ++i) {
      scene_->layers[i].style.visible = initial_->visible[i];
      scene_->layers[i].style.opacity = initial_->opacity[i];
    }
    scene_->style_params = {initial_->height_scale, initial_->color_by};
    scene_->restyle();
  }

  static Scene& scene() { return *scene_; }
  static int layer(const char* id) { return scene_->layer_index(id); }
  /// Applies an edit and records it with its inverse, as the app does.
  static void edit(UndoStack& stack, const Command& c) { stack.push(c, apply_command(*scene_, c)); }

  static std::unique_ptr<Scene> scene_;
  static EditState* initial_;
};
std::unique_ptr<Scene> SceneCommands::scene_;
EditState* SceneCommands::initial_ = nullptr;

}  // namespace

TEST_F(SceneCommands, SetLayerVisibleReturnsItsInverse) {
  const int li = layer("roads");
  ASSERT_GE(li, 0);
  ASSERT_TRUE(scene().layers[li].style.visible);
  const uint64_t rev = scene().visibility_revision;
  const Command undo = apply_command(scene(), SetLayerVisible{li, false});
  EXPECT_FALSE(scene().layers[li].style.visible);
  EXPECT_GT(scene().visibility_revision, rev);
  ASSERT_TRUE(std::holds_alternative<SetLayerVisible>(undo));
  EXPECT_EQ(std::get<SetLayerVisible>(undo).layer, li);
  EXPECT_TRUE(std::get<SetLayerVisible>(undo).visible);
  const Command redo = apply_command(scene(), undo);
  EXPECT_TRUE(scene().layers[li].style.visible);
  ASSERT_TRUE(std::holds_alternative<SetLayerVisible>(redo));
  EXPECT_FALSE(std::get<SetLayerVisible>(redo).visible);
  EXPECT_EQ(EditState::of(scene()), *initial_);
}

TEST_F(SceneCommands, SetLayerOpacityReturnsItsInverseAndClamps) {
  const int li = layer("parcels");
  ASSERT_GE(li, 0);
  const float before = scene().layers[li].style.opacity;
  const Command undo = apply_command(scene(), SetLayerOpacity{li, 0.35f});
  EXPECT_EQ(scene().layers[li].style.opacity, 0.35f);
  ASSERT_TRUE(std::holds_alternative<SetLayerOpacity>(undo));
  EXPECT_EQ(std::get<SetLayerOpacity>(undo).layer, li);
  EXPECT_EQ(std::get<SetLayerOpacity>(undo).opacity, before);
  (void)apply_command(scene(), SetLayerOpacity{li, 1.7f});
  EXPECT_EQ(scene().layers[li].style.opacity, 1.0f);
  (void)apply_command(scene(), SetLayerOpacity{li, -0.5f});
  EXPECT_EQ(scene().layers[li].style.opacity, 0.0f);
  (void)apply_command(scene(), undo);
  EXPECT_EQ(EditState::of(scene()), *initial_);
}

TEST_F(SceneCommands, SetHeightScaleReturnsItsInverseAndRestyles) {
  const uint64_t rev = scene().style_revision;
  const Command undo = apply_command(scene(), SetHeightScale{2.5f});
  EXPECT_GT(scene().style_revision, rev);
  EXPECT_EQ(scene().style_params.height_scale, 2.5f);
  EXPECT_EQ(scene().styles[0].height, scene().buildings[0].height_m * 2.5f);
  ASSERT_TRUE(std::holds_alternative<SetHeightScale>(undo));
  EXPECT_EQ(std::get<SetHeightScale>(undo).scale, initial_->height_scale);
  (void)apply_command(scene(), SetHeightScale{100.0f});
  EXPECT_EQ(scene().style_params.height_scale, 20.0f) << "clamped";
  (void)apply_command(scene(), undo);
  EXPECT_EQ(EditState::of(scene()), *initial_);
}

TEST_F(SceneCommands, SetColorByReturnsItsInverseAndRestyles) {
  const uint64_t rev = scene().style_revision;
  const Command undo = apply_command(scene(), SetColorBy{ColorBy::Height});
  EXPECT_GT(scene().style_revision, rev);
  EXPECT_EQ(scene().style_params.color_by, ColorBy::Height);
  EXPECT_NE(EditState::of(scene()).styles, initial_->styles);
  ASSERT_TRUE(std::holds_alternative<SetColorBy>(undo));
  EXPECT_EQ(std::get<SetColorBy>(undo).mode, initial_->color_by);
  (void)apply_command(scene(), undo);
  EXPECT_EQ(EditState::of(scene()), *initial_);
}

TEST_F(SceneCommands, UndoAndRedoRestoreEveryIntermediateStateExactly) {
  UndoStack stack;
  EXPECT_FALSE(stack.can_undo());
  const std::vector<Command> edits = {
      SetLayerVisible{layer("buildings"), false}, SetColorBy{ColorBy::Revenue}, SetHeightScale{3.0f},
      SetLayerOpacity{layer("parks"), 0.4f},       SetColorBy{ColorBy::Chain},   SetLayerVisible{layer("reference_points"), true},
  };
  std::vector<EditState> states = {EditState::of(scene())};
  for (const Command& c : edits) {
    edit(stack, c);
    states.push_back(EditState::of(scene()));
  }
  for (size_t i = 1; i < states.size(); ++i) EXPECT_FALSE(states[i] == states[i - 1]) << "edit " << i - 1 << " changed nothing";
  for (size_t i = states.size() - 1; i > 0; --i) {
    ASSERT_TRUE(stack.can_undo());
    stack.undo(scene());
    EXPECT_EQ(EditState::of(scene()), states[i - 1]) << "after undoing edit " << i - 1;
  }
  EXPECT_FALSE(stack.can_undo());
  stack.undo(scene());  // nothing to undo: no effect
  EXPECT_EQ(EditState::of(scene()), states.front());
  for (size_t i = 1; i < states.size(); ++i) {
    ASSERT_TRUE(stack.can_redo());
    stack.redo(scene());
    EXPECT_EQ(EditState::of(scene()), states[i]) << "after redoing edit " << i - 1;
  }
  EXPECT_FALSE(stack.can_redo());
}

TEST_F(SceneCommands, ANewEditClearsTheRedoHistory) {
  UndoStack stack;
  edit(stack, SetColorBy{ColorBy::Height});
  stack.undo(scene());
  ASSERT_TRUE(stack.can_redo());
  edit(stack, SetColorBy{ColorBy::Uniform});
  EXPECT_FALSE(stack.can_redo());
}

TEST_F(SceneCommands, ConsecutiveOpacityEditsOfOneLayerMergeIntoOneStep) {
  const int parks = layer("parks"), parcels = layer("parcels");
  UndoStack stack;
  for (float o : {0.9f, 0.7f, 0.5f, 0.3f}) edit(stack, SetLayerOpacity{parks, o});
  EXPECT_EQ(scene().layers[parks].style.opacity, 0.3f);
  stack.undo(scene());
  EXPECT_EQ(EditState::of(scene()), *initial_) << "one undo takes back the whole drag";
  EXPECT_FALSE(stack.can_undo());
  stack.redo(scene());
  EXPECT_EQ(scene().layers[parks].style.opacity, 0.3f) << "redo goes to the end of the drag";

  // Another layer, or another edit in between, starts a new step.
  UndoStack other;
  edit(other, SetLayerOpacity{parks, 0.6f});
  edit(other, SetLayerOpacity{parcels, 0.6f});
  edit(other, SetLayerOpacity{parks, 0.2f});
  other.undo(scene());
  EXPECT_EQ(scene().layers[parks].style.opacity, 0.6f);
  other.undo(scene());
  EXPECT_EQ(scene().layers[parcels].style.opacity, initial_->opacity[parcels]);
  ASSERT_TRUE(other.can_undo());
  other.undo(scene());
  EXPECT_EQ(scene().layers[parks].style.opacity, 0.3f) << "back to where this stack started";
  EXPECT_FALSE(other.can_undo());
}

TEST_F(SceneCommands, HeightScaleDragMergesButColourModesDoNot) {
  UndoStack stack;
  for (float s : {1.2f, 1.6f, 2.4f}) edit(stack, SetHeightScale{s});
  edit(stack, SetColorBy{ColorBy::Height});
  edit(stack, SetColorBy{ColorBy::Uniform});
  stack.undo(scene());
  EXPECT_EQ(scene().style_params.color_by, ColorBy::Height);
  stack.undo(scene());
  EXPECT_EQ(scene().style_params.color_by, initial_->color_by);
  EXPECT_EQ(scene().style_params.height_scale, 2.4f);
  stack.undo(scene());
  EXPECT_EQ(EditState::of(scene()), *initial_);
  EXPECT_FALSE(stack.can_undo());
}

TEST_F(SceneCommands, InvalidLayerIndicesAreIgnored) {
  const int n = static_cast<int>(scene().layers.size());
  const uint64_t vis_rev = scene().visibility_revision;
  UndoStack stack;
  for (int bad : {-1, n, n + 7, -1000}) {
    const Command undo = apply_command(scene(), SetLayerVisible{bad, false});
    ASSERT_TRUE(std::holds_alternative<SetLayerVisible>(undo));
    EXPECT_EQ(std::get<SetLayerVisible>(undo).layer, bad);
    edit(stack, SetLayerOpacity{bad, 0.1f});
  }
  EXPECT_EQ(scene().visibility_revision, vis_rev);
  EXPECT_EQ(EditState::of(scene()), *initial_);
  while (stack.can_undo()) stack.undo(scene());
  while (stack.can_redo()) stack.redo(scene());
  EXPECT_EQ(EditState::of(scene()), *initial_);
}

TEST_F(SceneCommands, CameraCommandsAreNotSceneEdits) {
  EXPECT_TRUE(is_scene_edit(SetLayerVisible{0, true}));
  EXPECT_TRUE(is_scene_edit(SetLayerOpacity{0, 1.0f}));
  EXPECT_TRUE(is_scene_edit(SetHeightScale{1.0f}));
  EXPECT_TRUE(is_scene_edit(SetColorBy{ColorBy::Kind}));
  for (const Command& c : {Command{FlyToPark{1}}, Command{FlyToProvince{}}, Command{FlyToFit{}}}) {
    EXPECT_FALSE(is_scene_edit(c));
    const Command back = apply_command(scene(), c);
    EXPECT_EQ(back.index(), c.index());
  }
  EXPECT_EQ(EditState::of(scene()), *initial_);
}

// A picked marker resolves to the enterprise it marks, whatever the order of markers and enterprises.
TEST(MarkerPick, ResolvesThroughTheMarkersEnterpriseNotItsIndex) {
  Scene s(gis::SceneFrame::jiangxi());
  s.enterprises.resize(3);
  s.enterprises[0].id = "a";
  s.enterprises[1].id = "b";
  s.enterprises[2].id = "c";
  Layer l;
  l.id = "enterprises";
  for (int e : {2, 0, 1}) {  // markers in another order than the enterprises
    Marker m;
    m.enterprise = e;
    l.markers.push_back(m);
  }
  Marker none;  // a site of no enterprise
  l.markers.push_back(none);
  s.layers.push_back(l);
  EXPECT_EQ(s.marker_enterprise(0, 0), 2);
  EXPECT_EQ(s.marker_enterprise(0, 1), 0);
  EXPECT_EQ(s.marker_enterprise(0, 2), 1);
  EXPECT_EQ(s.marker_enterprise(0, 3), -1);
  EXPECT_EQ(s.marker_enterprise(0, 4), -1);  // out of range
  EXPECT_EQ(s.marker_enterprise(1, 0), -1);
}

TEST(MarkerPick, EveryEnterpriseMarkerOfTheDatasetNamesItsOwnEnterprise) {
  auto scene = parktwin::scene::testing::load_default_scene();
  ASSERT_TRUE(scene);
  const int li = scene->layer_index("enterprises");
  ASSERT_GE(li, 0);
  const Layer& l = scene->layers[static_cast<size_t>(li)];
  const int id_f = l.data.field("enterprise_id");
  ASSERT_FALSE(l.markers.empty());
  for (uint32_t i = 0; i < l.markers.size(); ++i) {
    const int e = scene->marker_enterprise(static_cast<uint32_t>(li), i);
    ASSERT_GE(e, 0) << "marker " << i;
    EXPECT_EQ(scene->enterprises[static_cast<size_t>(e)].id,
              gis::attr_string(l.data.features[l.markers[i].feature], id_f));
  }
}
