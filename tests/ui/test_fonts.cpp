// No '?' glyphs: every CJK character in the UI sources and in the default dataset's strings must be
// in the font atlas that load_fonts() builds.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <imgui.h>

#include "parktwin/ui/panels.h"

namespace {

/// Decodes UTF-8 and returns the code points in the CJK blocks ImGui's 16-bit glyphs cover.
std::set<unsigned> cjk_code_points(const std::string& s) {
  std::set<unsigned> out;
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    unsigned cp = 0;
    size_t n = 1;
    if (c < 0x80) cp = c;
    else if ((c >> 5) == 6 && i + 1 < s.size()) cp = ((c & 0x1f) << 6) | (s[i + 1] & 0x3f), n = 2;
    else if ((c >> 4) == 14 && i + 2 < s.size())
      cp = ((c & 0x0f) << 12) | ((s[i + 1] & 0x3f) << 6) | (s[i + 2] & 0x3f), n = 3;
    else n = (c >> 3) == 30 ? 4 : 1;
    if ((cp >= 0x2E80 && cp <= 0x9FFF) || (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFF00 && cp <= 0xFFEF)) out.insert(cp);
    i += n;
  }
  return out;
}

class Fonts : public ::testing::Test {
 protected:
  void SetUp() override {
    if (parktwin::ui::cjk_font_path().empty()) GTEST_SKIP() << "fonts-wqy-microhei is not installed";
    ctx_ = ImGui::CreateContext();
    scene_ = std::make_unique<parktwin::scene::Scene>(parktwin::gis::SceneFrame::jiangxi());
    auto r = parktwin::scene::load_default_dataset(*scene_, std::string(PARKTWIN_ASSET_DIR) + "/parktwin.gpkg");
    ASSERT_TRUE(r.ok()) << r.error().message;
    const std::string msg = parktwin::ui::load_fonts(*scene_, 16.0f, ranges_);
    ASSERT_TRUE(msg.empty()) << msg;
    ASSERT_TRUE(ImGui::GetIO().Fonts->Build());
  }
  void TearDown() override {
    if (ctx_) ImGui::DestroyContext(ctx_);
  }
  std::vector<unsigned> missing(const std::set<unsigned>& cps) {
    std::vector<unsigned> m;
    ImFont* font = ImGui::GetIO().Fonts->Fonts[0];
    for (unsigned cp : cps)
      if (!font->FindGlyphNoFallback(static_cast<ImWchar>(cp))) m.push_back(cp);
    return m;
  }
  ImGuiContext* ctx_ = nullptr;
  ImVector<ImWchar> ranges_;
  std::unique_ptr<parktwin::scene::Scene> scene_;
};

TEST_F(Fonts, EveryCjkCharacterOfTheUiSourcesIsInTheAtlas) {
  namespace fs = std::filesystem;
  std::set<unsigned> cps;
  for (const char* dir : {"engine/ui/src", "engine/app/src", "engine/scene/src"})
    for (const auto& f : fs::directory_iterator(fs::path(PARKTWIN_SOURCE_DIR) / dir)) {
      std::ifstream in(f.path());
      std::stringstream ss;
      ss << in.rdbuf();
      const auto found = cjk_code_points(ss.str());
      cps.insert(found.begin(), found.end());
    }
  ASSERT_GT(cps.size(), 20u);
  const auto m = missing(cps);
  EXPECT_TRUE(m.empty()) << m.size() << " characters of the UI sources have no glyph (add the text to ui_texts()), "
                         << "first U+" << std::hex << (m.empty() ? 0u : m.front());
}

TEST_F(Fonts, EveryCjkCharacterOfTheDatasetIsInTheAtlas) {
  std::set<unsigned> cps;
  for (const auto& l : scene_->layers)
    for (const auto& f : l.data.features)
      for (const auto& v : f.attrs)
        if (const auto* s = std::get_if<std::string>(&v)) {
          const auto found = cjk_code_points(*s);
          cps.insert(found.begin(), found.end());
        }
  ASSERT_GT(cps.size(), 200u);
  const auto m = missing(cps);
  EXPECT_TRUE(m.empty()) << m.size() << " characters of the data have no glyph";
}

TEST_F(Fonts, ACharacterNeitherInDataNorUiIsNotInTheAtlas) {
  // The atlas is built from the texts, not from a full CJK range: a rare character stays out,
  // which shows the check above can fail.
  EXPECT_FALSE(missing({0x9F98}).empty());  // 龘
}

TEST_F(Fonts, CommonSymbolsOfUserDataAreInTheAtlas) {
  // ℃ ° ± × ² ³ µ ‰ № and the fallback box, whether or not the loaded data used them.
  EXPECT_TRUE(missing({0x2103, 0x00B0, 0x00B1, 0x00D7, 0x00B2, 0x00B3, 0x00B5, 0x2030, 0x2116, 0x25A1}).empty());
}

TEST_F(Fonts, ACharacterOutsideTheAtlasShowsAVisibleBox) {
  ImFont* font = ImGui::GetIO().Fonts->Fonts[0];
  EXPECT_EQ(font->FallbackChar, parktwin::ui::kFallbackGlyph);
  const ImFontGlyph* g = font->FindGlyph(static_cast<ImWchar>(0x9F98));  // 龘, not in the atlas
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->Codepoint, parktwin::ui::kFallbackGlyph);
  EXPECT_TRUE(g->Visible);
  EXPECT_GT(font->GetCharAdvance(static_cast<ImWchar>(0x9F98)), 0.0f);
}

}  // namespace

