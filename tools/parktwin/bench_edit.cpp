// `parktwin bench edit`: the latency of an edit until the frame that shows it has finished, on the
// default scene and with 100k more buildings loaded. An edit rebuilds and uploads only the chunks it
// touched and restyles only the buildings it touched, so the two figures should stay close (the
// goal: the 100k figure at most 1.5x the other). Prints name=value lines; asserts nothing.
#include "bench_edit.h"
#include "bench_util.h"

#include <algorithm>
#include <iostream>
#include <sstream>
#include <thread>
#include <vector>

#include "parktwin/edit/edit.h"
#include "parktwin/gis/synthetic.h"

namespace parktwin::bench {
namespace {

constexpr uint32_t kW = 1920, kH = 1080;
constexpr int kWarmup = 2, kRepeats = 20;
constexpr double kStepM = 2.0;  ///< each edit moves the building this far (back and forth)

struct EditFigures {
  double edit_to_frame_ms = 0.0;  ///< median, whole latency
  double apply_ms = 0.0;          ///< median: EditSession::apply (planning, validity gate)
  double update_ms = 0.0;         ///< median: scene::update_features
  double upload_ms = 0.0;         ///< median: update_geometry
  double frame_ms = 0.0;          ///< median of frames without an edit, for comparison
  double snapshot_ms = 0.0;       ///< median: a frame snapshot built after the edit (copies every style)
  uint32_t chunks_uploaded = 0;   ///< by the last edit
  double upload_kb = 0.0;
  size_t buildings = 0;
  uint64_t triangles = 0;         ///< drawn in the last frame
  uint32_t chunks_culled = 0;     ///< draws culled in the last frame
};

/// Adds `n` synthetic footprints (10 m default height) as another buildings layer, centred on `at`.
void add_synthetic_buildings(scene::Scene& s, size_t n, glm::dvec2 at) {
  gis::LayerData d;
  d.name = "synthetic_buildings";
  d.source = "generated: benchmark";
  d.kind = gis::GeomKind::Polygon;
  std::vector<gis::Polygon> polys = gis::synthetic_footprints(n, 0x5eedULL, at);
  d.features.reserve(polys.size());
  for (size_t i = 0; i < polys.size(); ++i) {
    gis::Feature f;
    f.fid = static_cast<int64_t>(i + 1);
    f.geom.polygons.push_back(std::move(polys[i]));
    d.features.push_back(std::move(f));
  }
  scene::add_layer_data(s, std::move(d), "synthetic_buildings", scene::LayerKind::Buildings);
}

gis::Result<EditFigures> measure(const app::AppOptions& opt, size_t extra_buildings) {
  std::ostringstream quiet;
  auto loaded = app::load_scene(opt, quiet);
  if (!loaded) return loaded.error();
  scene::Scene& sc = **loaded;
  const int pi = sc.park_index("yichun"), bi = sc.layer_index("buildings"), ci = sc.layer_index("parcels");
  if (bi < 0 || ci < 0) return gis::Failure(gis::Failure::ResourceUnavailable, "the dataset has no buildings or parcels layer");
  // Far from the view: the frame draws the same picture, only the scene is larger.
  if (extra_buildings > 0) add_synthetic_buildings(sc, extra_buildings, pi >= 0 ? sc.parks[pi].center : glm::dvec2(0.0));
  auto still = app::StillRenderer::create(sc, opt);
  if (!still) return still.error();
  render::Renderer& r = (*still)->renderer();
  auto cam = app::view_camera(sc, "nanchang", double(kW) / kH);
  if (!cam) return cam.error();

  scene::Layer& bl = sc.layers[static_cast<size_t>(bi)];
  edit::EditSession session(sc.frame(), {&sc.layers[static_cast<size_t>(ci)].data, &bl.data});
  // The building nearest the view's centre that the gate lets move (it must stay in its parcel).
  std::vector<uint32_t> order;
  for (uint32_t i = 0; i < sc.buildings.size(); ++i)
    if (sc.buildings[i].layer == static_cast<uint32_t>(bi)) order.push_back(i);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return glm::length(sc.buildings[a].centroid - glm::dvec2(cam->target)) <
           glm::length(sc.buildings[b].centroid - glm::dvec2(cam->target));
  });
  int64_t fid = -1;
  for (size_t k = 0; k < std::min<size_t>(order.size(), 200) && fid < 0; ++k) {
    const int64_t cand = bl.data.features[sc.buildings[order[k]].feature].fid;
    if (session.check(edit::Move{"buildings", {cand}, {kStepM, 0.0}}).ok() &&
        session.check(edit::Move{"buildings", {cand}, {-kStepM, 0.0}}).ok())
      fid = cand;
  }
  if (fid < 0) return gis::Failure(gis::Failure::GeneralError, "no building near the view could be moved");

  EditFigures out;
  out.buildings = sc.buildings.size();
  std::vector<double> total, apply, update, upload, plain, snap;
  scene::FrameSnapshotBuilder snapshots;  // another view's builder: what its style copy costs
  (void)snapshots.build(sc, *cam, 0.0);
  for (int rep = 0; rep < kWarmup + kRepeats; ++rep) {
    const auto t0 = Clock::now();
    auto applied = session.apply(edit::Move{"buildings", {fid}, {rep % 2 == 0 ? kStepM : -kStepM, 0.0}});
    if (!applied) return applied.error();
    const double t_apply = ms_since(t0);
    for (const edit::Touched& t : applied->touched) {
      const int li = sc.layer_index(t.layer);
      if (li >= 0) scene::update_features(sc, static_cast<uint32_t>(li), t.features);
    }
    const double t_update = ms_since(t0) - t_apply;
    const auto t1 = Clock::now();
    if (auto up = r.update_geometry(sc); !up) return up.error();
    const double t_upload = ms_since(t1);
    const uint32_t chunks = r.stats().chunks_uploaded;
    const uint64_t bytes = r.stats().bytes_uploaded;
    if (auto img = (*still)->render(sc, *cam, kW, kH, "", false); !img) return img.error();
    const double t_total = ms_since(t0);
    // The same frame without an edit.
    const auto t2 = Clock::now();
    if (auto img = (*still)->render(sc, *cam, kW, kH, "", false); !img) return img.error();
    const double t_plain = ms_since(t2);
    const auto t3 = Clock::now();
    (void)snapshots.build(sc, *cam, 0.0);
    const double t_snap = ms_since(t3);
    if (rep < kWarmup) continue;
    snap.push_back(t_snap);
    total.push_back(t_total);
    apply.push_back(t_apply);
    update.push_back(t_update);
    upload.push_back(t_upload);
    plain.push_back(t_plain);
    out.chunks_uploaded = chunks;
    out.upload_kb = static_cast<double>(bytes) / 1024.0;
    out.triangles = r.stats().triangles;
    out.chunks_culled = r.stats().chunks_culled;
  }
  out.edit_to_frame_ms = median(total);
  out.apply_ms = median(apply);
  out.update_ms = median(update);
  out.upload_ms = median(upload);
  out.frame_ms = median(plain);
  out.snapshot_ms = median(snap);
  return out;
}

}  // namespace

int print_edit_to_frame(const app::AppOptions& o, std::ostream& out) {
  auto base = measure(o, 0);
  if (!base) {
    std::cerr << "parktwin bench edit: " << base.error().message << "\n";
    return 1;
  }
  auto big = measure(o, 100000);
  if (!big) {
    std::cerr << "parktwin bench edit (100k): " << big.error().message << "\n";
    return 1;
  }
  out << "edit_conditions=offscreen " << kW << "x" << kH << ", nanchang view; per repetition one building near "
      << "the view centre moved " << kStepM << " m (back and forth) through edit::EditSession::apply(Move), "
      << "scene::update_features on the touched features, Renderer::update_geometry, one frame rendered and its "
      << "fence waited for (no read-back); median of " << kRepeats << " after " << kWarmup
      << "; _100k: the same with 100000 synthetic footprints loaded as a second buildings layer around the "
      << "Yichun park (outside the view, so the frame draws the same picture)\n";
  out << "edit_buildings=" << base->buildings << "\n";
  out << "edit_to_frame_ms=" << base->edit_to_frame_ms << "\n";
  out << "edit_apply_ms=" << base->apply_ms << "\n";
  out << "edit_update_ms=" << base->update_ms << "\n";
  out << "edit_upload_ms=" << base->upload_ms << "\n";
  out << "edit_snapshot_ms=" << base->snapshot_ms << "\n";
  out << "edit_frame_only_ms=" << base->frame_ms << "\n";
  out << "edit_frame_triangles=" << base->triangles << "\n";
  out << "edit_frame_draws_culled=" << base->chunks_culled << "\n";
  out << "edit_chunks_uploaded=" << base->chunks_uploaded << "\n";
  out << "edit_upload_kb=" << base->upload_kb << "\n";
  out << "edit_buildings_100k=" << big->buildings << "\n";
  out << "edit_to_frame_ms_100k=" << big->edit_to_frame_ms << "\n";
  out << "edit_apply_ms_100k=" << big->apply_ms << "\n";
  out << "edit_update_ms_100k=" << big->update_ms << "\n";
  out << "edit_upload_ms_100k=" << big->upload_ms << "\n";
  out << "edit_snapshot_ms_100k=" << big->snapshot_ms << "\n";
  out << "edit_frame_only_ms_100k=" << big->frame_ms << "\n";
  out << "edit_frame_triangles_100k=" << big->triangles << "\n";
  out << "edit_frame_draws_culled_100k=" << big->chunks_culled << "\n";
  out << "edit_chunks_uploaded_100k=" << big->chunks_uploaded << "\n";
  out << "edit_upload_kb_100k=" << big->upload_kb << "\n";
  out << "edit_to_frame_ratio_100k="
      << (base->edit_to_frame_ms > 0 ? big->edit_to_frame_ms / base->edit_to_frame_ms : 0.0) << "\n";
  return 0;
}

int run_bench_edit(const app::AppOptions& o) {
  std::cout << "machine_cpu=" << cpu_model() << "\n";
  std::cout << "machine_cores=" << std::thread::hardware_concurrency() << "\n";
  {
    auto r = render::Renderer::create({});
    if (r) {
      std::cout << "device=" << (*r)->device_info().name << " (" << (*r)->device_info().type << ")\n";
      std::cout << "device_msaa=" << (*r)->device_info().msaa << "\n";
    }
  }
  return print_edit_to_frame(o, std::cout);
}

}  // namespace parktwin::bench
