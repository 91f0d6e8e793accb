// The UI font: WenQuanYi Micro Hei covers Chinese and Latin. ImGui's ChineseSimplifiedCommon set
// misses characters used in place names (U+9131 of Poyang, U+5A7A of Wuyuan ...), so the glyph ranges are built from the
// common set plus every string the scene will show, keeping the atlas small and complete.
#include <filesystem>

#include <imgui.h>

#include "parktwin/ui/panels.h"
#include "parktwin/ui/shortcuts.h"

namespace parktwin::ui {

const std::vector<std::string>& ui_texts() {
  static const std::vector<std::string> texts = [] {
    std::vector<std::string> t = {
        "视图 图层 园区 样式 统计 消息 帮助 飞往 全省 数据源 指标 时间轴 园区看板 模拟数据 高度 颜色",
        "江西 1269 产业集群",
        "产业链 产业链图谱 集群看板 先进制造业集群 上游 中游 下游 环节 地图 流向 高亮 无 全部 全不选 重置 链主",
        "营业收入 手机出货量 电解铜产量 锂盐产量(碳酸锂当量) 当前 基数 目标 亿元 万吨 亿部 亿台 †●○",
        "近365天 统计区间 模拟 来源 外推 当前每小时 原文 数据 北京时间 「」",
        "标签 英文标签 搜索 详情 名称 华勤",
        // Tours panel and player.
        "导览 新导览 刷新 播放 暂停 继续 停止 循环 无操作后继续 上一步 下一步 已停止 播放中 已暂停 等待讲解人 操作员接管 已结束 秒后继续",
        "飞行 停留 字幕 隐藏字幕 取消高亮 高亮产业链 高亮企业 时间 实时 暂停,等待讲解人 选择一步进行编辑 第步 上移 下移 删除 从此预览",
        "时长 路径 升降 平滑 设为当前视图 显示 数字写作 中文 应用字幕 来源 企业 产业链 用选中的企业 添加 当前视图 高亮选中企业 当前时间",
        "播放到这里时停下,讲解人按 继续;录像中不停留。 保存 导出 编辑 名称",
        // Alarms.
        "墙面 节点 状态 帧/秒 延迟 上次 掉线",
        "告警 确认 模拟数据 生成企业 条告警 全部确认 无告警 已确认 已解除 飞往 告警列表 墙面恢复",
    };
    t.emplace_back("退出 ParkTwin？ 取消 按键 中文 英文");
    // Help and the quit question speak from the shortcut table.
    for (const KeyBinding& b : key_bindings()) t.emplace_back(b.zh);
    for (const HelpRow& r : continuous_help_rows()) t.emplace_back(std::string(r.keys) + r.zh);
    for (const HelpRow& r : grouped_help_rows()) t.emplace_back(std::string(r.keys) + r.zh);
    // The Views panel and its popups (view_panels.cpp).
    t.emplace_back("保存视图 视图名称 保存 取消 重命名视图 新名称 重命名 保存当前视图 还没有保存的视图。");
    t.emplace_back("单击: 调出 右键: 重命名、覆盖、移动、删除 用当前视图覆盖 上移 下移 删除 确认删除 …");
    t.emplace_back("保存的视图 默认视图 用户视图");
    // The plan's chains and clusters, shown by the chain panels whether or not the data has them.
    for (const auto& c : scene::chains()) t.emplace_back(c.name_zh);
    for (const auto& c : scene::clusters()) t.emplace_back(c.name_zh);
    // The document's figures (Parks panel, dashboard sources): labels, quotes and the source line.
    const scene::Facts& doc = scene::plan_facts();
    t.push_back(doc.source_zh);
    for (const scene::Fact& f : doc.facts) {
      t.push_back(f.zh);
      t.push_back(f.quote);
    }
    return t;
  }();
  return texts;
}

const ImWchar* symbol_ranges() {
  static const ImWchar ranges[] = {
      0x00A0, 0x00FF,  // Latin-1: ° ± ² ³ µ × ÷
      0x2000, 0x206F,  // general punctuation: ‰ ‱ † ‡ • …
      0x2070, 0x209F,  // superscripts and subscripts
      0x2100, 0x214F,  // letterlike symbols: ℃ ℉ № ™ Ω
      0x2150, 0x218F,  // number forms: ⅓ Ⅰ Ⅱ
      0x2190, 0x21FF,  // arrows
      0x2200, 0x22FF,  // mathematical operators: ≈ ≤ ≥ √ ∞
      0x2460, 0x24FF,  // enclosed alphanumerics: ① ②
      0x25A0, 0x25FF,  // geometric shapes: □ ■ ○ ● △
      0x3000, 0x303F,  // CJK symbols and punctuation
      0xFF00, 0xFFEF,  // full-width forms
      0,
  };
  return ranges;
}

std::string cjk_font_path() {
  for (const char* p : {"/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc"})
    if (std::filesystem::exists(p)) return p;
  return {};
}

std::string load_fonts(const scene::Scene& scene, float size_px, ImVector<ImWchar>& ranges,
                       const std::vector<std::string>& extra) {
  ImGuiIO& io = ImGui::GetIO();
  const std::string path = cjk_font_path();
  if (path.empty()) {
    io.Fonts->AddFontDefault();
    return "the Chinese font is missing (Debian package fonts-wqy-microhei): Chinese names will show as '?'";
  }
  ImFontGlyphRangesBuilder builder;
  builder.AddRanges(io.Fonts->GetGlyphRangesDefault());
  builder.AddRanges(io.Fonts->GetGlyphRangesChineseSimplifiedCommon());
  for (const scene::Layer& l : scene.layers)
    for (const gis::Feature& f : l.data.features)
      for (const gis::AttrValue& v : f.attrs)
        if (const auto* s = std::get_if<std::string>(&v)) builder.AddText(s->c_str());
  for (const scene::Park& p : scene.parks) {
    builder.AddText(p.name_zh.c_str());
    builder.AddText(p.cluster_zh.c_str());
    for (const auto& f : p.facts) {
      builder.AddText(f.zh.c_str());
      builder.AddText(f.quote.c_str());
    }
  }
  for (const scene::Layer& l : scene.layers) {
    builder.AddText(l.title.c_str());
    for (const std::string& f : l.data.fields) builder.AddText(f.c_str());  // the Inspector shows them
  }
  for (const std::string& s : scene.attributions) builder.AddText(s.c_str());
  for (const std::string& s : extra) builder.AddText(s.c_str());
  for (const std::string& s : ui_texts()) builder.AddText(s.c_str());
  builder.AddText("°·—–…×≈≥≤→←↑↓");
  // Symbols user data carries (℃ ± ² ‰ № ...): whole blocks, so data read later is covered too.
  builder.AddRanges(symbol_ranges());
  ranges.clear();
  builder.BuildRanges(&ranges);
  ImFontConfig cfg;
  cfg.OversampleH = 1;
  cfg.OversampleV = 1;
  cfg.PixelSnapH = true;
  ImFont* font = io.Fonts->AddFontFromFileTTF(path.c_str(), size_px, &cfg, ranges.Data);
  if (!font) {
    io.Fonts->AddFontDefault();
    return "cannot load the font " + path + "; Chinese names will show as '?'";
  }
  // Anything else shows as a visible box, not as nothing (the atlas build keeps this choice when
  // the glyph exists, else falls back to U+FFFD or '?').
  font->FallbackChar = kFallbackGlyph;
  return {};
}

}  // namespace parktwin::ui
