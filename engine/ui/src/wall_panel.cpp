// The Wall panel 墙面: the nodes of a video wall as the console sees them.
#include "parktwin/ui/wall_panel.h"

#include <imgui.h>

#include "parktwin/ui/placement.h"

namespace parktwin::ui {

void draw_wall_panel(const scene::Scene& scene, const WallInfo& info, PanelState& panels) {
  if (!panels.wall) return;
  ImGuiIO& io = ImGui::GetIO();
  place_panel(scene, "Wall 墙面", ImVec2(10, io.DisplaySize.y - 300), ImVec2(560, 260));
  ImGui::SetNextWindowSize(ImVec2(560, 260), ImGuiCond_FirstUseEver);
  if (!ImGui::Begin("Wall 墙面", &panels.wall)) return ImGui::End();
  ImGui::TextWrapped("%s", info.layout.c_str());
  ImGui::TextDisabled("nodes connect to %s", info.endpoints.c_str());
  ImGui::Text("%llu frames · barrier p50 %.1f ms, p99 %.1f ms · last %.1f ms · %llu timeouts", info.frames,
              info.barrier_p50_ms, info.barrier_p99_ms, info.last_wait_ms, info.timeouts);
  if (!info.error.empty()) ImGui::TextColored(ImVec4(0.95f, 0.3f, 0.25f, 1), "%s", info.error.c_str());
  if (ImGui::BeginTable("nodes", 6, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp)) {
    for (const char* h : {"节点 node", "状态 state", "帧/秒 fps", "延迟 latency p50/p99", "上次 heard", "掉线 drops"})
      ImGui::TableSetupColumn(h);
    ImGui::TableHeadersRow();
    for (const WallNodeRow& n : info.nodes) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(n.id.c_str());
      ImGui::TableNextColumn();
      // Red: a node the wall goes on without; amber: not yet in step; green: in the barrier.
      const ImVec4 col = n.state == "live"      ? ImVec4(0.3f, 0.85f, 0.4f, 1)
                         : n.state == "joining" ? ImVec4(0.95f, 0.75f, 0.2f, 1)
                                                : ImVec4(0.95f, 0.3f, 0.25f, 1);
      ImGui::TextColored(col, "%s", n.state.c_str());
      ImGui::TableNextColumn();
      ImGui::Text("%.1f", n.frames_per_s);
      ImGui::TableNextColumn();
      ImGui::Text("%.1f / %.1f ms", n.latency_p50_ms, n.latency_p99_ms);
      ImGui::TableNextColumn();
      if (n.last_heard_ms < 0) ImGui::TextDisabled("never");
      else ImGui::Text("%.0f ms ago", n.last_heard_ms);
      ImGui::TableNextColumn();
      ImGui::Text("%u (%u back)", n.drops, n.rejoins);
    }
    ImGui::EndTable();
  }
  ImGui::End();
}

}  // namespace parktwin::ui
