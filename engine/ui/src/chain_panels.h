// Internal to parktwin::ui: what the supply-chain panels (chain_panels.cpp) and the Cluster
// dashboard (cluster_panel.cpp) share.
#pragma once

#include <glm/vec4.hpp>
#include <imgui.h>

#include "parktwin/scene/scene.h"
#include "parktwin/ui/panels.h"

namespace parktwin::ui::chain_detail {

inline ImVec4 to_imvec(glm::vec4 c) { return ImVec4(c.r, c.g, c.b, c.a); }
inline ImU32 to_u32(glm::vec4 c) { return ImGui::ColorConvertFloat4ToU32(to_imvec(c)); }

/// Figures that are simulated or extrapolated are told apart in this colour.
inline const ImVec4 kSimulatedCol(0.95f, 0.65f, 0.2f, 1);

/// The Cluster dashboard: each cluster's KPIs against the 1269 plan's 2022 bases and 2026 targets.
void clusters_panel(const scene::Scene& scene, PanelState& st);

}  // namespace parktwin::ui::chain_detail
