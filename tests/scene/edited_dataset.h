#pragma once
// A copy of a GeoPackage changed feature by feature through OGR: the independent route to "what a
// fresh load of the edited data builds", for comparing with scene::update_features. Geometry is
// given in the scene frame and written in the layer's own CRS.
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include <gdal_priv.h>
#include <ogr_geometry.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#include "parktwin/gis/frame.h"
#include "parktwin/gis/geometry.h"

namespace parktwin::test {

/// `p` moved by `d`.
inline gis::Polygon moved(const gis::Polygon& p, glm::dvec2 d) {
  gis::Polygon q = p;
  for (auto& v : q.outer) v += d;
  for (auto& h : q.holes)
    for (auto& v : h) v += d;
  return q;
}

class EditedGpkg {
 public:
  /// Copies `src` to `dst` (replacing it).
  EditedGpkg(const std::string& src, const std::string& dst, const gis::SceneFrame& frame) : path(dst), frame_(&frame) {
    static std::once_flag once;
    std::call_once(once, [] { GDALAllRegister(); });
    std::filesystem::create_directories(std::filesystem::path(dst).parent_path());
    std::filesystem::copy_file(src, dst, std::filesystem::copy_options::overwrite_existing);
  }

  /// Gives feature `fid` of `layer` the polygon `p` (scene frame). False (and `error`) on failure.
  bool set_polygon(const std::string& layer, int64_t fid, const gis::Polygon& p) {
    return with_layer(layer, [&](OGRLayer* l) {
      std::unique_ptr<OGRFeature> f(l->GetFeature(fid));
      if (!f) return fail("no feature " + std::to_string(fid));
      f->SetGeometry(geometry(l, p).get());
      return l->SetFeature(f.get()) == OGRERR_NONE || fail(CPLGetLastErrorMsg());
    });
  }

  /// Deletes feature `fid` of `layer`.
  bool remove(const std::string& layer, int64_t fid) {
    return with_layer(layer, [&](OGRLayer* l) { return l->DeleteFeature(fid) == OGRERR_NONE || fail(CPLGetLastErrorMsg()); });
  }

  /// Adds a feature with `like`'s attributes, fid `new_fid` and polygon `p` (scene frame).
  bool add_like(const std::string& layer, int64_t like, int64_t new_fid, const gis::Polygon& p) {
    return with_layer(layer, [&](OGRLayer* l) {
      std::unique_ptr<OGRFeature> src(l->GetFeature(like));
      if (!src) return fail("no feature " + std::to_string(like));
      std::unique_ptr<OGRFeature> f(src->Clone());
      f->SetFID(new_fid);
      f->SetGeometry(geometry(l, p).get());
      return l->CreateFeature(f.get()) == OGRERR_NONE || fail(CPLGetLastErrorMsg());
    });
  }

  std::string path;
  std::string error;

 private:
  const gis::SceneFrame* frame_;  ///< must outlive this

  bool fail(const std::string& m) {
    error = m;
    return false;
  }

  template <typename F>
  bool with_layer(const std::string& name, F&& f) {
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
    if (!ds) return fail("cannot open " + path + ": " + CPLGetLastErrorMsg());
    OGRLayer* l = ds->GetLayerByName(name.c_str());
    if (!l) return fail("no layer " + name);
    return f(l);
  }

  /// `p` as an OGR (multi)polygon in the layer's CRS.
  std::unique_ptr<OGRGeometry> geometry(OGRLayer* l, const gis::Polygon& p) {
    OGRSpatialReference wgs84;
    wgs84.SetFromUserInput("EPSG:4326");
    wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    auto ring = [&](const gis::Ring& r) {
      auto* out = new OGRLinearRing();
      for (glm::dvec2 q : r) {
        const glm::dvec2 ll = frame_->to_wgs84(q);
        out->addPoint(ll.x, ll.y);
      }
      out->closeRings();
      return out;
    };
    auto poly = std::make_unique<OGRPolygon>();
    poly->addRingDirectly(ring(p.outer));
    for (const gis::Ring& h : p.holes) poly->addRingDirectly(ring(h));
    std::unique_ptr<OGRGeometry> g;
    if (wkbFlatten(l->GetGeomType()) == wkbMultiPolygon) {
      auto mp = std::make_unique<OGRMultiPolygon>();
      mp->addGeometryDirectly(poly.release());
      g = std::move(mp);
    } else {
      g = std::move(poly);
    }
    if (const OGRSpatialReference* srs = l->GetSpatialRef(); srs && !srs->IsSame(&wgs84)) {
      std::unique_ptr<OGRCoordinateTransformation> ct(OGRCreateCoordinateTransformation(&wgs84, srs));
      if (ct) g->transform(ct.get());
    }
    return g;
  }
};

}  // namespace parktwin::test
