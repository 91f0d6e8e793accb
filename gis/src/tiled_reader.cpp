#include "parktwin/gis/tiled_reader.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <glm/common.hpp>

#include <cpl_vsi.h>

#include <ogr_geometry.h>
#include <ogrsf_frmts.h>

#include "frame_impl.h"
#include "geojson_extent.h"
#include "geojson_head.h"
#include "layer_reader.h"
#include "parktwin/gis/gcj02.h"

namespace parktwin::gis {

struct TiledLayerReader::Impl {
  /// A file in GDAL's memory file system, removed once the dataset on it is closed.
  struct MemFile {
    std::string name;
    MemFile() = default;
    MemFile(const MemFile&) = delete;
    MemFile& operator=(const MemFile&) = delete;
    ~MemFile() {
      if (!name.empty()) VSIUnlink(name.c_str());
    }
  };

  std::string path;
  ReadOptions options;
  SceneFrame frame = SceneFrame::jiangxi();
  // Taken per call (Scope): a reader is often opened on one thread and used and closed on another.
  detail::ErrorCapture capture{detail::ErrorCapture::Deferred{}};
  MemFile head;  // open_head's document (declared before `ds`, so it outlives the dataset on it)
  GDALDatasetUniquePtr ds;
  OGRLayer* layer = nullptr;
  LayerData schema;
  GeomKind declared = GeomKind::None;
  int64_t count = -1;
  bool gcj02 = false;
  bool fast_filter = false;
  bool filter_gathers_all = false;  ///< see TiledLayerReader::filter_gathers_all
  OGREnvelope pass_envelope;  ///< of the geometries the last read_all(first, every, sink) saw (source CRS)
  OGRSpatialReference src;
  detail::TransformPtr to_frame, to_source;

  /// A source envelope in the scene frame: the box of its corners and edge midpoints.
  std::optional<std::pair<glm::dvec2, glm::dvec2>> frame_box(const OGREnvelope& env) const;
  // Source coordinates -> scene frame (GCJ-02 moved to WGS84 first); NaN when it fails.
  glm::dvec2 source_to_frame(glm::dvec2 p) const {
    if (gcj02) p = gcj02_to_wgs84(p);
    double x = p.x, y = p.y;
    int ok = FALSE;
    if (!to_frame || !to_frame->Transform(1, &x, &y, nullptr, &ok) || !ok) return glm::dvec2(NAN);
    return {x, y};
  }

  // The centre of a geometry's bounding box in the scene frame: the point that decides its tile.
  glm::dvec2 owner_point(const OGRGeometry* g) const {
    if (g == nullptr || g->IsEmpty()) return glm::dvec2(NAN);
    OGREnvelope env;
    g->getEnvelope(&env);
    return source_to_frame({0.5 * (env.MinX + env.MaxX), 0.5 * (env.MinY + env.MaxY)});
  }

  // Filters the layer to a scene-frame rectangle: the box of its border (5 points a side) in source
  // coordinates and a margin of a tenth, so every feature whose owner point lies in it is returned.
  void set_filter(glm::dvec2 lo, glm::dvec2 hi) {
    double x0 = 1e300, y0 = 1e300, x1 = -1e300, y1 = -1e300;
    for (int i = 0; i <= 4; ++i)
      for (int j = 0; j <= 4; ++j) {
        if (i != 0 && i != 4 && j != 0 && j != 4) continue;
        double x = lo.x + (hi.x - lo.x) * i / 4.0, y = lo.y + (hi.y - lo.y) * j / 4.0;
        int ok = FALSE;
        if (!to_source->Transform(1, &x, &y, nullptr, &ok) || !ok) continue;
        x0 = std::min(x0, x), y0 = std::min(y0, y), x1 = std::max(x1, x), y1 = std::max(y1, y);
      }
    if (x0 <= x1 && y0 <= y1) {
      const double mx = 0.1 * (x1 - x0), my = 0.1 * (y1 - y0);
      layer->SetSpatialFilterRect(x0 - mx, y0 - my, x1 + mx, y1 + my);
    } else {
      layer->SetSpatialFilter(nullptr);
    }
  }
};

namespace {

GeomKind kind_of(OGRwkbGeometryType t) {
  switch (wkbFlatten(t)) {
    case wkbPoint: case wkbMultiPoint: return GeomKind::Point;
    case wkbLineString: case wkbMultiLineString: case wkbCircularString: case wkbCompoundCurve:
    case wkbMultiCurve: return GeomKind::Line;
    case wkbPolygon: case wkbMultiPolygon: case wkbCurvePolygon: case wkbMultiSurface: return GeomKind::Polygon;
    default: return GeomKind::None;
  }
}

}  // namespace

TiledLayerReader::TiledLayerReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TiledLayerReader::~TiledLayerReader() = default;

Result<std::unique_ptr<TiledLayerReader>> TiledLayerReader::open(const std::string& path, const std::string& layer,
                                                                  const std::string& frame_def,
                                                                  const ReadOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->options = options;
  auto frame = SceneFrame::from_definition(frame_def);
  if (!frame) return frame.error();
  impl->frame = std::move(*frame);
  detail::ErrorCapture::Scope scope(impl->capture);
  auto ds = detail::open_source(path, impl->capture, options.allow_remote);
  if (!ds) return ds.error();
  impl->ds = std::move(*ds);
  return finish_open(std::move(impl), layer);
}

std::unique_ptr<TiledLayerReader> TiledLayerReader::open_head(const std::string& path, const std::string& layer,
                                                              const std::string& frame_def, const ReadOptions& options,
                                                              size_t features, uint64_t min_bytes) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec || size < min_bytes || !std::filesystem::is_regular_file(path, ec)) return nullptr;
  // Only GeoJSON's driver parses the whole file before its first feature; the head must be read
  // by the driver that reads the file.
  if (detail::vector_driver_of(path) != "GeoJSON") return nullptr;
  // Head and file may disagree on the schema (a field first seen later, an integer field that
  // later holds a real) and on feature ids: a caller compares what the whole file gives.
  auto text = detail::geojson_head(path, features, std::min<uint64_t>(size / 2, uint64_t{256} << 20));
  if (!text) return nullptr;
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->options = options;
  auto frame = SceneFrame::from_definition(frame_def);
  if (!frame) return nullptr;
  impl->frame = std::move(*frame);
  // Named as the file is (GDAL names a GeoJSON layer after its file when the document does not).
  static std::atomic<uint64_t> serial{0};
  impl->head.name = "/vsimem/parktwin-head-" + std::to_string(++serial) + "/" +
                    std::filesystem::path(path).filename().string();
  auto* bytes = static_cast<GByte*>(VSI_MALLOC_VERBOSE(text->size()));
  if (bytes == nullptr) return nullptr;
  std::copy(text->begin(), text->end(), bytes);
  VSILFILE* f = VSIFileFromMemBuffer(impl->head.name.c_str(), bytes, text->size(), TRUE);
  if (f == nullptr) {
    VSIFree(bytes);
    return nullptr;
  }
  VSIFCloseL(f);
  detail::ErrorCapture::Scope scope(impl->capture);
  impl->ds = detail::open_with_driver(impl->head.name, "GeoJSON");
  if (!impl->ds) return nullptr;
  auto r = finish_open(std::move(impl), layer);
  return r ? std::move(*r) : nullptr;
}

Result<std::unique_ptr<TiledLayerReader>> TiledLayerReader::finish_open(std::unique_ptr<Impl> impl,
                                                                         const std::string& layer) {
  const std::string& path = impl->path;
  const ReadOptions& options = impl->options;
  impl->layer = layer.empty() ? (impl->ds->GetLayerCount() > 0 ? impl->ds->GetLayer(0) : nullptr)
                              : impl->ds->GetLayerByName(layer.c_str());
  if (impl->layer == nullptr)
    return Failure(Failure::InvalidData, "layer '" + layer + "' not found in " + path + "; `parktwin layers " + path +
                                             "` lists the layers there");
  OGRLayer& l = *impl->layer;
  impl->declared = kind_of(l.GetGeomType());
  impl->count = l.GetFeatureCount(FALSE);

  // The schema and the CRS checks come from the one reader.
  auto schema = detail::read_schema(path, l, impl->frame, options, impl->capture);
  if (!schema) return schema.error();
  impl->schema = std::move(*schema);
  impl->schema.report = LoadReport{};

  const OGRSpatialReference* layer_srs = l.GetSpatialRef();
  const bool declared = options.declared_crs && (options.override_crs || layer_srs == nullptr);
  impl->gcj02 = declared && detail::is_gcj02_name(*options.declared_crs);
  if (impl->gcj02) impl->src = impl->frame.impl().wgs84;
  else if (declared) impl->src.SetFromUserInput(options.declared_crs->c_str());
  else if (layer_srs) impl->src = *layer_srs;
  impl->src.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  impl->to_frame = detail::make_transform(impl->src, impl->frame.impl().frame);
  impl->to_source = detail::make_transform(impl->frame.impl().frame, impl->src);
  impl->fast_filter = !impl->gcj02 && impl->to_source && l.TestCapability(OLCFastSpatialFilter);
  if (GDALDriver* d = impl->ds->GetDriver()) {
    const std::string name = d->GetDescription();
    impl->filter_gathers_all = name == "FlatGeobuf" || name == "ESRI Shapefile";
  }
  impl->capture.clear();
  return std::unique_ptr<TiledLayerReader>(new TiledLayerReader(std::move(impl)));
}

const LayerData& TiledLayerReader::schema() const { return impl_->schema; }
GeomKind TiledLayerReader::declared_kind() const { return impl_->declared; }
std::vector<std::string> TiledLayerReader::layer_names() const {
  std::vector<std::string> names;
  for (OGRLayer* l : impl_->ds->GetLayers()) names.emplace_back(l->GetName());
  return names;
}
int64_t TiledLayerReader::declared_count() const { return impl_->count; }
bool TiledLayerReader::indexed() const { return impl_->fast_filter; }
bool TiledLayerReader::filter_gathers_all() const { return impl_->filter_gathers_all; }

std::optional<std::pair<glm::dvec2, glm::dvec2>> TiledLayerReader::extent(bool force) const {
  detail::ErrorCapture::Scope scope(impl_->capture);
  OGREnvelope env;
  if (impl_->layer->GetExtent(&env, FALSE) != OGRERR_NONE &&
      (!force || impl_->layer->GetExtent(&env, TRUE) != OGRERR_NONE))
    return std::nullopt;
  return impl_->frame_box(env);
}

std::optional<std::pair<glm::dvec2, glm::dvec2>> TiledLayerReader::whole_file_extent() const {
  if (impl_->head.name.empty()) return std::nullopt;
  const auto scanned = detail::geojson_extent(impl_->path);
  if (!scanned) return std::nullopt;
  detail::ErrorCapture::Scope scope(impl_->capture);
  OGREnvelope env;
  env.MinX = scanned->min_x, env.MinY = scanned->min_y, env.MaxX = scanned->max_x, env.MaxY = scanned->max_y;
  return impl_->frame_box(env);
}

std::optional<std::pair<glm::dvec2, glm::dvec2>> TiledLayerReader::pass_extent() const {
  detail::ErrorCapture::Scope scope(impl_->capture);
  if (!impl_->pass_envelope.IsInit()) return std::nullopt;
  return impl_->frame_box(impl_->pass_envelope);
}

std::optional<std::pair<glm::dvec2, glm::dvec2>> TiledLayerReader::Impl::frame_box(const OGREnvelope& env) const {
  glm::dvec2 lo(1e300), hi(-1e300);
  // Corners and edge midpoints: a projection bends the box's edges a little.
  for (int i = 0; i <= 2; ++i)
    for (int j = 0; j <= 2; ++j) {
      const glm::dvec2 p = source_to_frame({env.MinX + 0.5 * i * (env.MaxX - env.MinX),
                                            env.MinY + 0.5 * j * (env.MaxY - env.MinY)});
      if (!std::isfinite(p.x) || !std::isfinite(p.y)) return std::nullopt;
      lo = glm::min(lo, p);
      hi = glm::max(hi, p);
    }
  return std::make_pair(lo, hi);
}

Result<LayerData> TiledLayerReader::read_tile(glm::dvec2 lo, glm::dvec2 hi, std::vector<int64_t>* seen) {
  detail::ErrorCapture::Scope scope(impl_->capture);
  Impl& m = *impl_;
  OGRLayer& l = *m.layer;
  if (m.fast_filter) m.set_filter(lo, hi);
  const detail::FeatureFilter owned = [&](int64_t fid, const OGRGeometry* g) {
    const glm::dvec2 p = m.owner_point(g);
    const bool mine = p.x >= lo.x && p.x < hi.x && p.y >= lo.y && p.y < hi.y;
    if (mine && seen) seen->push_back(fid);
    return mine;
  };
  auto r = detail::read_features(m.path, l, m.frame, m.options, m.capture, owned);
  l.SetSpatialFilter(nullptr);
  return r;
}

bool TiledLayerReader::any_in(glm::dvec2 lo, glm::dvec2 hi) {
  detail::ErrorCapture::Scope scope(impl_->capture);
  if (!impl_->fast_filter) return true;
  OGRLayer& l = *impl_->layer;
  impl_->set_filter(lo, hi);
  l.ResetReading();
  const bool any = OGRFeatureUniquePtr(l.GetNextFeature()) != nullptr;
  l.SetSpatialFilter(nullptr);
  l.ResetReading();
  return any;
}

Result<LayerData> TiledLayerReader::read_all() {
  detail::ErrorCapture::Scope scope(impl_->capture);
  const detail::FeatureFilter all = [](int64_t, const OGRGeometry*) { return true; };
  return detail::read_features(impl_->path, *impl_->layer, impl_->frame, impl_->options, impl_->capture, all);
}

Result<LayerData> TiledLayerReader::read_all(size_t first, size_t every,
                                             const std::function<void(std::vector<Feature>&&)>& sink) {
  detail::ErrorCapture::Scope scope(impl_->capture);
  OGREnvelope& seen = impl_->pass_envelope;
  seen = OGREnvelope();
  const detail::FeatureFilter all = [&seen](int64_t, const OGRGeometry* g) {
    if (g && !g->IsEmpty()) {
      OGREnvelope e;
      g->getEnvelope(&e);
      seen.Merge(e);
    }
    return true;
  };
  const detail::FeatureSink to(sink);
  return detail::read_features(impl_->path, *impl_->layer, impl_->frame, impl_->options, impl_->capture, all,
                               detail::Batches{&to, first, every});
}

Result<LayerData> TiledLayerReader::read_rest(const std::unordered_set<int64_t>& seen) {
  detail::ErrorCapture::Scope scope(impl_->capture);
  const detail::FeatureFilter rest = [&](int64_t fid, const OGRGeometry*) { return !seen.contains(fid); };
  return detail::read_features(impl_->path, *impl_->layer, impl_->frame, impl_->options, impl_->capture, rest);
}

}  // namespace parktwin::gis
