#include "wall_node_window.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstdint>

#define GLFW_INCLUDE_VULKAN
#include <GLFW/glfw3.h>

namespace parktwin::app {

namespace {

using gis::Failure;

std::string cell_name(const wall::Panel& p) {
  return "panel [" + std::to_string(p.col) + ", " + std::to_string(p.row) + "]";
}

/// Where each window goes: a monitor (fullscreen on it) or a position on the primary monitor.
struct Placement {
  GLFWmonitor* monitor = nullptr;  ///< fullscreen on this output; null = windowed at (x, y)
  int x = 0, y = 0;
  int w = 0, h = 0;
};

/// Windowed placement (--windowed, or fewer monitors than outputs), at the panels' pixel sizes,
/// arranged as on the wall. When the whole wall fits on the primary monitor every panel goes to its
/// own place in the wall's picture (wall_pixels), so all nodes of a wall started on one desktop
/// (tests, rehearsals) show the wall assembled, bezels included, without covering each other;
/// otherwise this node's panels keep their arrangement from the monitor's top-left corner.
std::vector<Placement> windowed_places(const wall::Layout& layout, const std::vector<size_t>& index) {
  const wall::WallPixels wp = wall::wall_pixels(layout);
  int ox = 0, oy = 0, ow = 1 << 30, oh = 1 << 30;
  if (GLFWmonitor* primary = glfwGetPrimaryMonitor()) glfwGetMonitorWorkarea(primary, &ox, &oy, &ow, &oh);
  const bool whole_fits = static_cast<int64_t>(wp.width) <= ow && static_cast<int64_t>(wp.height) <= oh;
  int32_t min_x = INT32_MAX, min_y = INT32_MAX;
  for (size_t i : index) {
    min_x = std::min(min_x, wp.panels[i].x);
    min_y = std::min(min_y, wp.panels[i].y);
  }
  std::vector<Placement> out;
  for (size_t i : index) {
    const wall::Panel& p = layout.panels[i];
    Placement pl;
    pl.x = ox + wp.panels[i].x - (whole_fits ? 0 : min_x);
    pl.y = oy + wp.panels[i].y - (whole_fits ? 0 : min_y);
    pl.w = static_cast<int>(p.width_px);
    pl.h = static_cast<int>(p.height_px);
    out.push_back(pl);
  }
  return out;
}

}  // namespace

gis::Result<std::unique_ptr<NodeWindows>> NodeWindows::open(const scene::Scene& s, const wall::Layout& layout,
                                                            const std::vector<size_t>& index,
                                                            const NodeWindowOptions& o, std::ostream& log) {
  const char* display = std::getenv("DISPLAY");
  const char* wayland = std::getenv("WAYLAND_DISPLAY");
  const std::string instead = "; run the node on the wall PC's desktop (or under xvfb-run), or render offscreen with --offscreen DIR";
  if ((!display || !*display) && (!wayland || !*wayland))
    return Failure(Failure::ConfigurationError, "a node shows its panels in windows, and there is no display (DISPLAY is not set)" + instead);
  glfwSetErrorCallback([](int code, const char* msg) { std::fprintf(stderr, "parktwin wall: GLFW error %d: %s\n", code, msg); });
  if (!glfwInit()) return Failure(Failure::ConfigurationError, "cannot open the display" + instead);
  std::unique_ptr<NodeWindows> nw(new NodeWindows());
  nw->glfw_ = true;
  nw->node_ = o.node;
  nw->log_ = &log;  // from here the destructor closes what is open
  if (!glfwVulkanSupported()) return Failure(Failure::ConfigurationError, "the window system offers no Vulkan" + instead);

  int n_monitors = 0;
  GLFWmonitor** monitors = glfwGetMonitors(&n_monitors);
  int outputs = 0;
  for (size_t i : index) outputs = std::max(outputs, layout.panels[i].output + 1);
  const bool fullscreen = !o.windowed && outputs <= n_monitors;
  std::vector<Placement> places;
  if (fullscreen) {
    for (size_t i : index) {
      const wall::Panel& p = layout.panels[i];
      Placement pl;
      pl.monitor = monitors[p.output];
      const GLFWvidmode* mode = glfwGetVideoMode(pl.monitor);
      pl.w = mode->width;
      pl.h = mode->height;
      if (pl.w != static_cast<int>(p.width_px) || pl.h != static_cast<int>(p.height_px))
        log << "wall node " << o.node << ": output " << p.output << " (" << glfwGetMonitorName(pl.monitor) << ") is "
            << pl.w << "x" << pl.h << " px, " << cell_name(p) << " is " << p.width_px << "x" << p.height_px
            << " px in the layout: the panel's part of the view fills the output (stretched if the shapes differ)\n";
      places.push_back(pl);
    }
  } else {
    if (o.windowed)
      log << "wall node " << o.node << ": --windowed: " << index.size()
          << " window(s) at the panels' pixel sizes on the primary monitor\n";
    else
      log << "wall node " << o.node << ": this machine has " << n_monitors << " monitor(s) and the layout gives this node "
          << outputs << " output(s): windows at the panels' pixel sizes side by side on the primary monitor instead of "
          << "fullscreen (connect the monitors, or check the panels' order in the layout)\n";
    places = windowed_places(layout, index);
  }

  // One Renderer per window. A Renderer owns one surface and one swapchain, and its pipelines and
  // buffers live on its own device; presenting several windows from one would need a swapchain
  // per window inside the renderer's frame path. Separate renderers cost the scene's static
  // meshes once per window (a node drives a few outputs) and present the windows one after the
  // other after the barrier rather than in one vkQueuePresentKHR.
  for (size_t k = 0; k < index.size(); ++k) {
    const wall::Panel& p = layout.panels[index[k]];
    const Placement& pl = places[k];
    glfwDefaultWindowHints();
    glfwWindowHint(GLFW_CLIENT_API, GLFW_NO_API);
    glfwWindowHint(GLFW_DECORATED, GLFW_FALSE);
    glfwWindowHint(GLFW_RESIZABLE, GLFW_FALSE);
    glfwWindowHint(GLFW_AUTO_ICONIFY, GLFW_FALSE);  // a node's other outputs stay up when one loses focus
    if (pl.monitor) {
      // The output's current mode: borderless fullscreen, no mode switch.
      const GLFWvidmode* mode = glfwGetVideoMode(pl.monitor);
      glfwWindowHint(GLFW_RED_BITS, mode->redBits);
      glfwWindowHint(GLFW_GREEN_BITS, mode->greenBits);
      glfwWindowHint(GLFW_BLUE_BITS, mode->blueBits);
      glfwWindowHint(GLFW_REFRESH_RATE, mode->refreshRate);
    } else {
      glfwWindowHint(GLFW_VISIBLE, GLFW_FALSE);  // shown once in place
    }
    Window win;
    win.name = cell_name(p);
    const std::string title = "ParkTwin wall " + o.node + " " + win.name;
    win.window = glfwCreateWindow(pl.w, pl.h, title.c_str(), pl.monitor, nullptr);
    if (!win.window) return Failure(Failure::GeneralError, "cannot create the window of " + win.name);
    nw->windows_.push_back(std::move(win));
    Window& w = nw->windows_.back();
    if (!pl.monitor) {
      glfwSetWindowPos(w.window, pl.x, pl.y);
      glfwShowWindow(w.window);
    }
    glfwSetInputMode(w.window, GLFW_CURSOR, GLFW_CURSOR_HIDDEN);
    // A node stops on SIGINT/SIGTERM only: a close request (Alt+F4, the window manager) is refused
    // and keys do nothing; Esc and close requests are only logged (someone at the wall tried).
    glfwSetWindowUserPointer(w.window, nw.get());
    glfwSetWindowCloseCallback(w.window, [](GLFWwindow* gw) {
      glfwSetWindowShouldClose(gw, GLFW_FALSE);
      static_cast<NodeWindows*>(glfwGetWindowUserPointer(gw))->ignored(gw, "a close request");
    });
    glfwSetKeyCallback(w.window, [](GLFWwindow* gw, int key, int, int action, int) {
      if (key == GLFW_KEY_ESCAPE && action == GLFW_PRESS)
        static_cast<NodeWindows*>(glfwGetWindowUserPointer(gw))->ignored(gw, "Esc");
    });
    const wall::WallPixels wp = wall::wall_pixels(layout);
    w.subrect = wall::pixel_subrect(wp, index[k]);
    w.rect = wp.panels[index[k]];
    nw->wall_w_ = wp.width;
    nw->wall_h_ = wp.height;
    render::RendererOptions ro;
    ro.window = w.window;
    ro.msaa = o.msaa;
    ro.validation = o.validation;
    ro.present_barrier = true;
    auto r = render::Renderer::create(ro);
    if (!r) return Failure(r.error().kind, w.name + ": " + r.error().message);
    w.renderer = std::move(*r);
    if (auto up = w.renderer->upload_scene(s); !up) return Failure(up.error().kind, w.name + ": " + up.error().message);
    auto ui = UiLayer::create(s, *w.renderer, o.font_px, o.texts);
    if (!ui) return Failure(ui.error().kind, w.name + ": " + ui.error().message);
    w.ui = std::move(*ui);
    int fw = 0, fh = 0;
    glfwGetFramebufferSize(w.window, &fw, &fh);
    log << "wall node " << o.node << ": " << w.name << " in a " << fw << "x" << fh << " window"
        << (pl.monitor ? std::string(" fullscreen on output ") + std::to_string(p.output) + " (" +
                             glfwGetMonitorName(pl.monitor) + ")"
                       : " at " + std::to_string(pl.x) + "," + std::to_string(pl.y))
        << "\n";
  }
  glfwPollEvents();
  return nw;
}

NodeWindows::~NodeWindows() {
  for (Window& w : windows_) {
    w.ui.reset();        // the ImGui backend before its renderer
    w.renderer.reset();  // swapchains and surfaces before their windows
  }
  for (Window& w : windows_)
    if (w.window) glfwDestroyWindow(w.window);
  windows_.clear();
  if (glfw_) glfwTerminate();
}

gis::Result<bool> NodeWindows::render(const scene::Scene& s, const render::FrameInput& base,
                                      const NodeOverlay* overlay) {
  // Every window's frame is submitted before any is waited for, so the devices render them together.
  for (Window& w : windows_) {
    render::FrameInput in = base;
    in.subrect = w.subrect;
    in.hold_present = true;
    in.ui = nullptr;
    if (overlay && overlay->draw) {
      // Laid out at the whole wall's size in this window's context; the window shows its part
      // (ImGui's display moved to the panel; scaled when the output's pixels are not the panel's).
      if (auto ok = w.ui->set_font_px(s, overlay->font_px); !ok) return Failure(ok.error().kind, w.name + ": " + ok.error().message);
      w.ui->begin(static_cast<float>(wall_w_), static_cast<float>(wall_h_), overlay->font_scale);
      overlay->draw();
      ImDrawData* dd = w.ui->end();
      int fw = 0, fh = 0;
      glfwGetFramebufferSize(w.window, &fw, &fh);
      dd->DisplayPos = ImVec2(static_cast<float>(w.rect.x), static_cast<float>(w.rect.y));
      dd->DisplaySize = ImVec2(static_cast<float>(w.rect.w), static_cast<float>(w.rect.h));
      dd->FramebufferScale = ImVec2(static_cast<float>(fw) / std::max(1u, w.rect.w), static_cast<float>(fh) / std::max(1u, w.rect.h));
      in.ui = dd;
    }
    const render::PresentResult r = w.renderer->render_window(in);
    if (r == render::PresentResult::Error) return Failure(Failure::GeneralError, w.name + ": the frame failed");
    if (r == render::PresentResult::Skipped)
      return Failure(Failure::GeneralError, w.name + ": the window had no image for the frame (minimised or resized)");
  }
  // Ready means rendered: the barrier then releases finished frames only.
  for (Window& w : windows_) w.renderer->wait_idle();
  return true;
}

bool NodeWindows::present(std::ostream& log) {
  bool ok = true;
  for (Window& w : windows_) {
    const render::PresentResult r = w.renderer->present_held();
    if (r != render::PresentResult::Ok) {
      log << "parktwin wall: " << w.name << ": the frame was not presented"
          << (r == render::PresentResult::Error ? " (error)" : " (none held)") << "\n";
      ok = false;
    }
  }
  return ok;
}

void NodeWindows::poll_events() { glfwPollEvents(); }

void NodeWindows::ignored(GLFWwindow* window, const char* what) {
  for (const Window& w : windows_)
    if (w.window == window)
      *log_ << "wall node " << node_ << ": " << what << " on " << w.name
            << " ignored (a node stops on SIGINT/SIGTERM)" << std::endl;
}

std::string NodeWindows::barrier_mode() const {
  size_t nv = 0;
  for (const Window& w : windows_) nv += w.renderer->device_info().present_barrier;
  if (nv == windows_.size() && nv > 0) return "VK_NV_present_barrier";
  if (nv == 0) return "software";
  return "software (VK_NV_present_barrier on " + std::to_string(nv) + " of " + std::to_string(windows_.size()) +
         " windows)";
}

bool NodeWindows::device_lost() const {
  for (const Window& w : windows_)
    if (w.renderer->device_lost()) return true;
  return false;
}

uint32_t NodeWindows::validation_errors() const {
  uint32_t n = 0;
  for (const Window& w : windows_) n += w.renderer->validation_errors();
  return n;
}

bool NodeWindows::validation_enabled() const {
  return std::any_of(windows_.begin(), windows_.end(), [](const Window& w) { return w.renderer->validation_enabled(); });
}

}  // namespace parktwin::app
