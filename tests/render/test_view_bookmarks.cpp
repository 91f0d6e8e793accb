// The viewer's saved views with thumbnails (app::ViewBookmarks) on real files: missing thumbnails
// are rendered one per call and written beside the views file, the scene is back in the state it
// was in afterwards, kept PNGs are reused rather than rendered again, and Save / Delete carry the
// thumbnail along.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "parktwin/app/app.h"
#include "render_support.h"
#include "parktwin/app/view_bookmarks.h"
#include "parktwin/scene/saved_views.h"

namespace parktwin::test {
namespace {

namespace fs = std::filesystem;

TEST(ViewBookmarks, ThumbnailsAreMadeOneACallKeptAndReused) {
  PARKTWIN_DEFAULT_RENDER(d);
  scene::Scene& sc = *d.scene;
  render::Renderer& r = d.still->renderer();

  const fs::path dir = fs::path(PARKTWIN_TEST_OUT) / "view_bookmarks";
  fs::remove_all(dir);
  // Two shipped views: a park and the province, from the viewer's own cameras.
  auto park = app::view_camera(sc, "yingtan", 16.0 / 9.0), prov = app::view_camera(sc, "province", 16.0 / 9.0);
  ASSERT_TRUE(park.ok() && prov.ok());
  scene::ViewContext pc;
  pc.name = "Yingtan";
  scene::ViewState yingtan = scene::capture(sc, *park, pc);
  yingtan.chains.highlight_chain = 1;  // a state unlike the scene's, so restoring it is checked
  yingtan.style.height_scale = 3.0f;
  pc.name = "Province";
  const scene::ViewState province = scene::capture(sc, *prov, pc);
  const fs::path defaults = dir / "default.json";
  fs::create_directories(dir);
  ASSERT_TRUE(scene::write_views_atomic({{"yingtan", yingtan}, {"province", province}}, defaults.string()).ok());

  const fs::path user = dir / "config" / "views.json";
  std::vector<std::string> msgs;
  scene::Camera cam = *prov;
  const scene::ViewState before = scene::capture(sc, cam);
  {
    app::ViewBookmarks b(r, user.string(), defaults.string(), msgs);
    ui::ViewsInfo info;
    b.fill(info);
    ASSERT_EQ(info.items.size(), 2u);
    EXPECT_EQ(info.items[0].thumbnail, 0u);
    EXPECT_TRUE(b.update_thumbnails(sc, before, msgs));  // one
    b.fill(info);
    EXPECT_NE(info.items[0].thumbnail, 0u);
    EXPECT_EQ(info.items[1].thumbnail, 0u) << "one thumbnail a call";
    EXPECT_TRUE(b.update_thumbnails(sc, before, msgs));
    EXPECT_FALSE(b.update_thumbnails(sc, before, msgs)) << "nothing left to do";
    EXPECT_TRUE(msgs.empty()) << msgs[0];
    EXPECT_TRUE(scene::capture(sc, cam) == before) << "the scene is back in the state it showed";
  }
  const fs::path thumb = dir / "config" / "thumbs" / "yingtan.png";
  ASSERT_TRUE(fs::exists(thumb));
  auto png = render::read_png(thumb.string());
  ASSERT_TRUE(png.ok());
  EXPECT_EQ(png->width, app::ViewBookmarks::kThumbW);
  EXPECT_EQ(png->height, app::ViewBookmarks::kThumbH);
  // The thumbnail is of the view, not of what was on screen: it differs from the province's.
  auto other = render::read_png((dir / "config" / "thumbs" / "province.png").string());
  ASSERT_TRUE(other.ok());
  EXPECT_NE(png->rgba, other->rgba);
  EXPECT_FALSE(fs::exists(user)) << "thumbnails alone do not write the list";

  // Next start: the kept PNGs are uploaded, not rendered again (a marked file stays as it is).
  png->rgba[0] = 1, png->rgba[1] = 2, png->rgba[2] = 3;
  ASSERT_TRUE(render::write_png(*png, thumb.string()).ok());
  const auto stamp = fs::last_write_time(thumb);
  {
    app::ViewBookmarks b(r, user.string(), defaults.string(), msgs);
    EXPECT_TRUE(b.update_thumbnails(sc, before, msgs));
    EXPECT_EQ(fs::last_write_time(thumb), stamp);
    EXPECT_EQ(render::read_png(thumb.string())->rgba[0], 1);

    // Save: the list is written and the new view's thumbnail made at once; Delete removes both.
    int recalled = -1;
    b.apply({{ui::ViewEdit::Save, -1, "Mine"}}, sc, [&](const std::string& n) {
      scene::ViewContext c;
      c.name = n;
      return scene::capture(sc, cam, c);
    }, [&](int i) { recalled = i; }, msgs);
    EXPECT_TRUE(msgs.empty()) << msgs[0];
    ui::ViewsInfo info;
    b.fill(info);
    ASSERT_EQ(info.items.size(), 3u);
    EXPECT_EQ(info.items[2].name, "Mine");
    EXPECT_NE(info.items[2].thumbnail, 0u);
    auto saved = scene::read_views(user.string());
    ASSERT_TRUE(saved.ok()) << saved.error().message;
    ASSERT_EQ(saved->size(), 3u);
    const fs::path mine = dir / "config" / "thumbs" / ((*saved)[2].id + ".png");
    EXPECT_TRUE(fs::exists(mine));
    b.apply({{ui::ViewEdit::Recall, 1, {}}, {ui::ViewEdit::Delete, 2, {}}}, sc, {}, [&](int i) { recalled = i; }, msgs);
    EXPECT_EQ(recalled, 1);
    EXPECT_FALSE(fs::exists(mine));
    EXPECT_EQ(scene::read_views(user.string())->size(), 2u);
  }
  r.wait_idle();
}

}  // namespace
}  // namespace parktwin::test
