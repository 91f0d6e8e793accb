#pragma once
// A wall node's panels on its monitors: one borderless fullscreen window per panel, on the output
// the layout gives it (Panel::output), cursor hidden, Esc and window-close ignored, no panels: only the wall's overlay. Each
// frame is rendered into every window and held; the node presents it only when the master
// releases it (the software swap barrier), and with VK_NV_present_barrier where the device offers
// it. docs/wall.md ("Nodes on monitors").
#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "parktwin/gis/result.h"
#include "parktwin/render/renderer.h"
#include "parktwin/scene/scene.h"
#include "parktwin/wall/layout.h"
#include "ui_layer.h"

struct GLFWwindow;

namespace parktwin::app {

struct NodeWindowOptions {
  std::string node;        ///< the node's id (window titles, messages)
  bool windowed = false;   ///< --windowed: windows at the panels' pixel sizes on the primary monitor
  bool validation = false; ///< the Vulkan validation layer (also on with PARKTWIN_VALIDATION=1)
  uint32_t msaa = 4;
  float font_px = 16.0f;           ///< the overlay's font atlas (it is built again when a frame wants another)
  std::vector<std::string> texts;  ///< extra texts whose characters the atlas must hold (tour captions)
};

/// What a frame draws over the picture: laid out by `draw` at the whole wall's size, each window
/// shows its panel's part.
struct NodeOverlay {
  float font_px = 16.0f;    ///< atlas size
  float font_scale = 1.0f;  ///< ImGui's FontGlobalScale
  std::function<void()> draw;
};

class NodeWindows {
 public:
  /// Opens the window system and one window per panel of `index` (places in layout.panels, in the
  /// node's output order), each with its own renderer and the scene uploaded. Fails with a message
  /// that says what to do (no display: run on the wall PC's desktop, or --offscreen DIR).
  static gis::Result<std::unique_ptr<NodeWindows>> open(const scene::Scene& s, const wall::Layout& layout,
                                                        const std::vector<size_t>& index, const NodeWindowOptions& o,
                                                        std::ostream& log);
  ~NodeWindows();
  NodeWindows(const NodeWindows&) = delete;
  NodeWindows& operator=(const NodeWindows&) = delete;

  /// Renders `in` (its frame snapshot; the subrect is each panel's) and, when given, each panel's
  /// part of `overlay` into every window and waits until the device has finished it; the presents
  /// are held until present().
  gis::Result<bool> render(const scene::Scene& s, const render::FrameInput& in, const NodeOverlay* overlay);
  /// Presents the held frame in every window, one after the other. False (and a message on `log`)
  /// when a window could not present.
  bool present(std::ostream& log);
  /// Handles the window system's events. Keys (Esc included) and close requests do nothing here.
  void poll_events();

  /// "VK_NV_present_barrier" when every window's swapchain has it, "software" when none has.
  std::string barrier_mode() const;
  uint32_t validation_errors() const;
  /// True when a window's renderer lost its GPU device (the node makes its windows again).
  bool device_lost() const;
  bool validation_enabled() const;
  size_t size() const { return windows_.size(); }

 private:
  NodeWindows() = default;
  /// Logs that `what` (Esc, a close request) reached `window` and was ignored.
  void ignored(GLFWwindow* window, const char* what);
  struct Window {
    GLFWwindow* window = nullptr;
    std::unique_ptr<render::Renderer> renderer;
    std::unique_ptr<UiLayer> ui;  ///< after renderer: goes first
    glm::dvec4 subrect{0.0, 0.0, 1.0, 1.0};
    wall::PixelRect rect;         ///< the panel in the whole wall's pixels
    std::string name;  ///< "panel [c, r]"
  };
  std::vector<Window> windows_;
  uint32_t wall_w_ = 0, wall_h_ = 0;  ///< the whole wall's pixels (the overlay's display)
  bool glfw_ = false;
  std::string node_;
  std::ostream* log_ = nullptr;
};

}  // namespace parktwin::app
