#include "parktwin/gis/reader.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <cpl_vsi.h>
#include <gdal_priv.h>
#include <ogr_geometry.h>
#include <ogrsf_frmts.h>

#include "frame_impl.h"
#include "layer_reader.h"
#include "parktwin/gis/gcj02.h"

namespace parktwin::gis {

namespace {

// Reasons under which LoadReport::skipped counts features; tests and tools match these texts.
constexpr const char* kEmptyGeometry = "empty geometry";
constexpr const char* kOutOfRange = "coordinates out of range";
constexpr const char* kInvalidGeometry = "invalid geometry";
constexpr const char* kRepairFailed = "invalid geometry (repair failed)";
/// An invalid polygon whose edges cross more often than this is skipped rather than repaired: the
/// repair's noding costs time and memory with every crossing (a 2,001-point star crossing itself
/// two million times ran for minutes and took gigabytes). Counting stops after kCrossingWork tests.
constexpr size_t kMaxRepairCrossings = 1000;
constexpr size_t kCrossingWork = 50'000'000;
constexpr const char* kRepaired = "repaired";  // message bucket only, counted in report.repaired

// A layer with a million bad features must not produce a million lines: the first few name the
// features, one summary line per reason counts the rest.
constexpr int64_t kMessagesPerReason = 20;

// GDALAllRegister is not safe to run concurrently with itself; once per process is enough.
void ensure_registered() {
  static std::once_flag once;
  std::call_once(once, [] { GDALAllRegister(); });
}

bool iequals(const std::string& a, const char* b) {
  const std::string bs(b);
  return a.size() == bs.size() && std::equal(a.begin(), a.end(), bs.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

bool is_gcj02(const std::string& crs) { return iequals(crs, "GCJ02") || iequals(crs, "GCJ-02"); }

// "PG:dbname=...", "MSSQL:...", "WFS:..." name a connection, not a file. A single letter before
// the colon would be a drive letter.
bool looks_like_connection(const std::string& path) {
  const size_t colon = path.find(':');
  if (colon == std::string::npos || colon < 2) return false;
  return std::all_of(path.begin(), path.begin() + static_cast<std::ptrdiff_t>(colon),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

bool path_exists(const std::string& path) {
  VSIStatBufL st;
  return VSIStatL(path.c_str(), &st) == 0;
}

}  // namespace

bool is_remote_source(const std::string& path) {
  std::string p = path;
  for (char& c : p) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* scheme : {"http://", "https://", "ftp://", "ftps://"})
    if (p.rfind(scheme, 0) == 0) return true;
  // GDAL's network file systems, also nested (/vsizip//vsicurl/...).
  for (const char* fs : {"/vsicurl", "/vsis3", "/vsigs", "/vsiaz", "/vsiadls", "/vsioss", "/vsiswift", "/vsiwebhdfs",
                         "/vsihdfs"})
    if (p.find(fs) != std::string::npos) return true;
  return false;
}

namespace {

Result<GDALDatasetUniquePtr> open_vector(const std::string& path, detail::ErrorCapture& capture, bool allow_remote) {
  if (!allow_remote && is_remote_source(path))
    return Failure(Failure::ConfigurationError,
                   path + " is a network source; ParkTwin reads local files and databases only, unless asked with "
                          "--allow-remote");
  ensure_registered();
  capture.clear();
  GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_VERBOSE_ERROR));
  if (ds) {
    capture.clear();  // warnings while opening are not worth failing over
    return ds;
  }
  std::string why = capture.take();
  // GDAL often starts with the path itself ("P: No such file or directory"); we name it already.
  if (why.rfind(path + ": ", 0) == 0) why.erase(0, path.size() + 2);
  if (path_exists(path))
    return Failure(Failure::ResourceUnavailable,
                   "cannot open " + path + " as a vector dataset: " + why +
                       "; it is not a vector format GDAL reads, or the file is damaged");
  if (looks_like_connection(path))
    return Failure(Failure::ResourceUnavailable, "cannot open " + path + ": " + why + "; check the connection string");
  return Failure(Failure::ResourceUnavailable, "cannot open " + path + ": " + why + "; check the path");
}

std::vector<std::string> layer_names(GDALDataset& ds) {
  std::vector<std::string> names;
  for (OGRLayer* layer : ds.GetLayers()) names.emplace_back(layer->GetName());
  return names;
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

// "EPSG:4326" when the SRS carries or can be matched to an authority code, else its name.
std::string crs_label(const OGRSpatialReference& srs) {
  auto coded = [](const OGRSpatialReference& s) -> std::optional<std::string> {
    const char* auth = s.GetAuthorityName(nullptr);
    const char* code = s.GetAuthorityCode(nullptr);
    if (auth != nullptr && code != nullptr) return std::string(auth) + ":" + code;
    return std::nullopt;
  };
  if (auto c = coded(srs)) return *c;
  OGRSpatialReference probe(srs);
  if (probe.AutoIdentifyEPSG() == OGRERR_NONE)
    if (auto c = coded(probe)) return *c;
  const char* name = srs.GetName();
  return name != nullptr && *name ? std::string(name) : std::string("unnamed CRS");
}

// The leaves of an OGR geometry, borrowed from it (or from a geometry the caller keeps alive).
struct Leaves {
  std::vector<const OGRPoint*> points;
  std::vector<const OGRLineString*> lines;
  std::vector<const OGRPolygon*> polygons;
  bool empty() const { return points.empty() && lines.empty() && polygons.empty(); }
};

// Splits collections, multi-geometries and polyhedral surfaces into their leaves; curves were
// linearised before this is called. Empty parts are dropped.
void collect(const OGRGeometry& g, Leaves& out) {
  if (g.IsEmpty()) return;
  const OGRwkbGeometryType type = wkbFlatten(g.getGeometryType());
  if (type == wkbPoint) {
    out.points.push_back(g.toPoint());
  } else if (OGR_GT_IsSubClassOf(type, wkbLineString)) {
    out.lines.push_back(g.toLineString());
  } else if (OGR_GT_IsSubClassOf(type, wkbPolygon)) {  // Polygon, Triangle
    out.polygons.push_back(g.toPolygon());
  } else if (OGR_GT_IsSubClassOf(type, wkbPolyhedralSurface)) {  // PolyhedralSurface, TIN
    for (const OGRPolygon* p : *g.toPolyhedralSurface()) collect(*p, out);
  } else if (OGR_GT_IsSubClassOf(type, wkbGeometryCollection)) {
    for (const OGRGeometry* part : *g.toGeometryCollection()) collect(*part, out);
  }
}

LineString to_plain(const OGRSimpleCurve& curve) {
  LineString out;
  out.reserve(static_cast<size_t>(curve.getNumPoints()));
  for (const OGRPoint& p : curve) out.emplace_back(p.getX(), p.getY());
  return out;
}

Ring ring_to_plain(const OGRLinearRing& ring) {
  Ring out = to_plain(ring);
  if (out.size() > 1 && out.front() == out.back()) out.pop_back();  // our rings close implicitly
  return out;
}

Polygon to_plain(const OGRPolygon& poly) {
  Polygon out;
  if (const OGRLinearRing* ext = poly.getExteriorRing()) out.outer = ring_to_plain(*ext);
  for (int i = 0; i < poly.getNumInteriorRings(); ++i) out.holes.push_back(ring_to_plain(*poly.getInteriorRing(i)));
  return out;
}

// Calls f(glm::dvec2&) for every coordinate, in a fixed order (points, lines, polygon rings).
template <typename G, typename F>
void for_each_point(G& geom, F&& f) {
  for (auto& p : geom.points) f(p);
  for (auto& line : geom.lines)
    for (auto& p : line) f(p);
  for (auto& poly : geom.polygons) {
    for (auto& p : poly.outer) f(p);
    for (auto& hole : poly.holes)
      for (auto& p : hole) f(p);
  }
}

// Reverses a ring's direction but keeps its first vertex first, so that one feature read from
// sources that store rings in opposite directions (GeoPackage CCW, shapefile CW) comes out identical.
void reverse_ring(Ring& r) {
  if (r.size() > 2) std::reverse(r.begin() + 1, r.end());
}

// Outer rings counter-clockwise, holes clockwise (the contract of Polygon). The frame has x east
// and y north, so orientation is measured after the transformation.
void orient(Polygon& p) {
  if (ring_signed_area(p.outer) < 0.0) reverse_ring(p.outer);
  for (Ring& h : p.holes)
    if (ring_signed_area(h) > 0.0) reverse_ring(h);
}

std::string format_point(glm::dvec2 p) { return "(" + std::to_string(p.x) + ", " + std::to_string(p.y) + ")"; }

/// Reads one layer of an open dataset. Lives for one read; holds only borrowed GDAL objects.
class LayerReader {
 public:
  LayerReader(const std::string& path, OGRLayer& layer, const SceneFrame& frame, const ReadOptions& opt,
              detail::ErrorCapture& capture, const detail::FeatureFilter* accept = nullptr)
      : path_(path), layer_(layer), frame_(frame), opt_(opt), capture_(capture), accept_(accept) {}

  Result<LayerData> read() {
    data_.source = path_;
    data_.name = layer_.GetName();
    if (auto crs = resolve_crs(); !crs) return crs.error();
    read_fields();
    if (schema_only_) return std::move(data_);
    // What the source says it holds, where it knows without a scan (GeoPackage, FlatGeobuf, ...).
    // A part (accept_) is checked against nothing: the caller counts the parts.
    const GIntBig expected = accept_ ? -1 : layer_.GetFeatureCount(FALSE);
    capture_.clear();
    layer_.ResetReading();
    size_t hand_over_at = batches_.first;
    for (auto& feature : layer_) {
      if (accept_ && !(*accept_)(feature->GetFID(), feature->GetGeometryRef())) continue;
      read_feature(*feature);
      if (batches_.sink && data_.features.size() >= hand_over_at) {
        (*batches_.sink)(std::move(data_.features));
        data_.features.clear();
        hand_over_at = std::max<size_t>(1, batches_.every);
      }
    }
    if (batches_.sink && !data_.features.empty()) {
      (*batches_.sink)(std::move(data_.features));
      data_.features.clear();
    }
    // A damaged file ends the iteration early with an error ("database disk image is malformed"),
    // or quietly short of the count it declares: then the layer is damaged, not complete.
    if (capture_.failures() > 0 || (expected >= 0 && data_.report.read < expected)) {
      data_.report.damaged = true;
      data_.report.messages.insert(
          data_.report.messages.begin(),
          where() + ": damaged: reading stopped after " + std::to_string(data_.report.read) + " features" +
              (expected >= 0 ? " of the " + std::to_string(expected) + " it declares" : std::string()) +
              (capture_.failures() > 0 ? " (GDAL: " + capture_.first_failure() + ")" : std::string()) +
              "; what was read is shown; repair the file or take it from a backup");
    }
    finish();
    return std::move(data_);
  }

 private:
  std::string where() const { return path_ + ", layer '" + data_.name + "'"; }

  // Decides the source CRS and builds the transformation into the frame.
  Result<bool> resolve_crs() {
    capture_.clear();
    const OGRSpatialReference* layer_srs = layer_.GetSpatialRef();
    const bool use_declared = opt_.declared_crs && (opt_.override_crs || layer_srs == nullptr);
    if (!use_declared && layer_srs == nullptr)
      return Failure(Failure::ConfigurationError,
                     "layer '" + data_.name + "' of " + path_ +
                         " has no coordinate reference system (for a shapefile: no .prj file); declare it with "
                         "--crs EPSG:4326 (or --crs GCJ02 for Chinese web-map coordinates)");
    if (use_declared) {
      const std::string& declared = *opt_.declared_crs;
      if (is_gcj02(declared)) {
        gcj02_ = true;
        src_ = frame_.impl().wgs84;  // points are moved from GCJ-02 to WGS84 before transforming
        data_.crs = "GCJ02";
      } else if (src_.SetFromUserInput(declared.c_str()) != OGRERR_NONE) {
        return Failure(Failure::ConfigurationError,
                       "unknown CRS '" + declared + "' declared for layer '" + data_.name + "' of " + path_ + ": " +
                           capture_.take() +
                           "; use an EPSG code (EPSG:4326), a WKT or PROJ string, or GCJ02 for Chinese web-map "
                           "coordinates");
      }
    } else {
      src_ = *layer_srs;
    }
    src_.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    geographic_ = gcj02_ || src_.IsGeographic();
    if (!gcj02_) data_.crs = crs_label(src_);
    ct_ = detail::make_transform(src_, frame_.impl().frame);
    if (!ct_)
      return Failure(Failure::ConfigurationError, "cannot transform layer '" + data_.name + "' of " + path_ +
                                                      " from " + data_.crs + " into the scene frame: " + capture_.take());
    return true;
  }

  void read_fields() {
    const OGRFeatureDefn* defn = layer_.GetLayerDefn();
    for (int i = 0; i < defn->GetFieldCount(); ++i) {
      const OGRFieldDefn* fd = defn->GetFieldDefn(i);
      data_.fields.emplace_back(fd->GetNameRef());
      field_types_.push_back(fd->GetType());
      const OGRFieldType t = fd->GetType();
      data_.field_types.push_back(t == OFTInteger || t == OFTInteger64 ? FieldType::Integer
                                  : t == OFTReal                       ? FieldType::Real
                                                                       : FieldType::String);
    }
  }

  void read_feature(OGRFeature& f) {
    ++data_.report.read;
    const int64_t fid = f.GetFID();
    OGRGeometry* g = f.GetGeometryRef();
    if (g == nullptr || g->IsEmpty()) return skip(fid, kEmptyGeometry, "");

    g->flattenTo2D();  // the feature is ours (the iterator owns it), so it may be changed in place
    std::unique_ptr<OGRGeometry> linear;
    if (g->hasCurveGeometry()) {
      linear.reset(g->getLinearGeometry());
      if (!linear) return skip(fid, kInvalidGeometry, "the curve could not be approximated by segments");
      g = linear.get();
    }
    Leaves leaves;
    collect(*g, leaves);
    if (leaves.empty())
      return skip(fid, kEmptyGeometry, std::string("no point, line or polygon in ") + g->getGeometryName());

    Geometry geom;
    for (const OGRPoint* p : leaves.points) geom.points.emplace_back(p->getX(), p->getY());
    for (const OGRLineString* l : leaves.lines) geom.lines.push_back(to_plain(*l));
    for (const OGRPolygon* p : leaves.polygons) geom.polygons.push_back(to_plain(*p));

    // Range first: NaN or 500 degrees would otherwise surface as an "invalid polygon".
    if (auto bad = first_implausible(geom)) return skip(fid, kOutOfRange, "at " + format_point(*bad));
    std::string repairs;  // what was repaired, reported only if the feature is kept
    if (!make_polygons_valid(fid, leaves, geom, repairs)) return;
    if (auto bad = transform(geom)) return skip(fid, kOutOfRange, "at " + format_point(*bad) + " in the source CRS");

    for (Polygon& p : geom.polygons) orient(p);
    geom.kind = !geom.polygons.empty() ? GeomKind::Polygon : !geom.lines.empty() ? GeomKind::Line : GeomKind::Point;
    ++kind_counts_[static_cast<size_t>(geom.kind)];
    if (!repairs.empty()) {
      ++data_.report.repaired;
      note(kRepaired, where() + ", FID " + std::to_string(fid) + ": repaired with GEOS MakeValid (" + repairs + ")");
    }
    data_.features.push_back(Feature{fid, std::move(geom), read_attributes(f)});
    ++data_.report.kept;
  }

  // Non-finite values anywhere, and impossible longitudes/latitudes in a geographic source.
  std::optional<glm::dvec2> first_implausible(Geometry& geom) const {
    std::optional<glm::dvec2> bad;
    for_each_point(geom, [&](const glm::dvec2& p) {
      if (bad) return;
      const bool finite = std::isfinite(p.x) && std::isfinite(p.y);
      if (!finite || (geographic_ && (std::abs(p.x) > 180.0 || std::abs(p.y) > 90.0))) bad = p;
    });
    return bad;
  }

  // Replaces each invalid polygon by the polygonal parts of its GEOS repair, or skips the feature.
  // Validity is judged in the source CRS, where the data was drawn.
  bool make_polygons_valid(int64_t fid, const Leaves& leaves, Geometry& geom, std::string& repairs) {
    // GEOS explains invalidity through GDAL's error handler ("Self-intersection at or near
    // point ..."): a capture of our own puts that into this feature's message.
    detail::ErrorCapture geos;
    std::vector<Polygon> out;
    for (size_t i = 0; i < leaves.polygons.size(); ++i) {
      geos.clear();
      if (leaves.polygons[i]->IsValid()) {
        out.push_back(std::move(geom.polygons[i]));
        continue;
      }
      const std::string why = geos.messages().empty() ? std::string("not a valid polygon") : geos.take();
      if (!opt_.repair_invalid) {
        skip(fid, kInvalidGeometry, "polygon " + std::to_string(i) + ": " + why);
        return false;
      }
      // The structure method (GEOS >= 3.10) rebuilds polygons from the rings' areas: bounded time and
      // memory. The default ("linework") nodes every edge against every other and took minutes and
      // gigabytes on a self-intersecting star of 2,001 points.
      const char* const make_valid_options[] = {"METHOD=STRUCTURE", nullptr};
      // Bounded: a ring that crosses itself more than kMaxRepairCrossings times (a scribble, a
      // corrupt vertex order) is not repaired but skipped by name; counting them is bounded too.
      const CrossingCount crossings = count_crossings(geom.polygons[i], kMaxRepairCrossings, kCrossingWork);
      if (!crossings.complete) {
        skip(fid, kRepairFailed, "polygon " + std::to_string(i) + ": " + why + "; its edges cross " +
                                     (crossings.crossings > kMaxRepairCrossings
                                          ? "more than " + std::to_string(kMaxRepairCrossings) + " times"
                                          : std::string("too often to count")) +
                                     ", more than a repair can make sense of: fix it in a GIS (e.g. QGIS Fix "
                                     "Geometries) and load it again");
        return false;
      }
      const std::unique_ptr<OGRGeometry> fixed(leaves.polygons[i]->MakeValid(make_valid_options));
      Leaves parts;
      if (fixed) collect(*fixed, parts);
      if (parts.polygons.empty()) {
        skip(fid, kRepairFailed, "polygon " + std::to_string(i) + ": " + why + "; GEOS MakeValid left no polygon");
        return false;
      }
      for (const OGRPolygon* p : parts.polygons) out.push_back(to_plain(*p));  // lines and points dropped
      repairs += (repairs.empty() ? "polygon " : "; polygon ") + std::to_string(i) + ": " + why;
    }
    geom.polygons = std::move(out);
    return true;
  }

  // Moves every coordinate into the frame in one batch; returns the first point (in source
  // coordinates) that failed or landed farther than max_distance_m from the frame origin.
  std::optional<glm::dvec2> transform(Geometry& geom) {
    xs_.clear();
    ys_.clear();
    for_each_point(geom, [&](const glm::dvec2& p) {
      const glm::dvec2 q = gcj02_ ? gcj02_to_wgs84(p) : p;
      xs_.push_back(q.x);
      ys_.push_back(q.y);
    });
    ok_.assign(xs_.size(), FALSE);
    // PROJ reports each failed point; the skip message already names the feature and the point.
    detail::ErrorCapture quiet;
    if (!xs_.empty()) ct_->Transform(static_cast<int>(xs_.size()), xs_.data(), ys_.data(), nullptr, ok_.data());
    std::optional<glm::dvec2> bad;
    size_t i = 0;
    for_each_point(geom, [&](glm::dvec2& p) {
      const glm::dvec2 q{xs_[i], ys_[i]};
      const bool good = ok_[i] && std::isfinite(q.x) && std::isfinite(q.y) &&
                        std::hypot(q.x, q.y) <= opt_.max_distance_m;
      ++i;
      if (!good && !bad) bad = p;
      p = q;
    });
    return bad;
  }

  std::vector<AttrValue> read_attributes(const OGRFeature& f) const {
    std::vector<AttrValue> attrs(field_types_.size());
    for (size_t i = 0; i < field_types_.size(); ++i) {
      const int idx = static_cast<int>(i);
      if (!f.IsFieldSetAndNotNull(idx)) continue;  // stays std::monostate
      switch (field_types_[i]) {
        case OFTInteger:
        case OFTInteger64: attrs[i] = static_cast<int64_t>(f.GetFieldAsInteger64(idx)); break;
        case OFTReal: attrs[i] = f.GetFieldAsDouble(idx); break;
        default: attrs[i] = std::string(f.GetFieldAsString(idx)); break;
      }
    }
    return attrs;
  }

  void skip(int64_t fid, const char* reason, const std::string& detail) {
    ++data_.report.skipped[reason];
    note(reason, where() + ", FID " + std::to_string(fid) + ": skipped, " + reason +
                     (detail.empty() ? std::string() : " (" + detail + ")"));
  }

  void note(const char* reason, std::string message) {
    if (++message_counts_[reason] <= kMessagesPerReason) data_.report.messages.push_back(std::move(message));
  }

  void finish() {
    LoadReport& report = data_.report;
    for (const auto& [reason, count] : message_counts_)
      if (count > kMessagesPerReason)
        report.messages.push_back(where() + ": " + std::to_string(count - kMessagesPerReason) +
                                  " more features like the above (" + reason + ")");
    int64_t gdal_count = 0;
    for (const std::string& m : capture_.messages())
      if (++gdal_count <= kMessagesPerReason) report.messages.push_back(where() + ": GDAL: " + m);
    capture_.clear();
    if (report.read == 0 && !accept_) report.messages.push_back("layer " + data_.name + " in " + path_ + " is empty");

    // The dominant kind; ties go to the higher dimension, which is what a renderer would pick.
    size_t best = 0;
    for (size_t k = 1; k < kind_counts_.size(); ++k)
      if (kind_counts_[k] > 0 && kind_counts_[k] >= kind_counts_[best]) best = k;
    data_.kind = static_cast<GeomKind>(best);
  }

  const std::string& path_;
  OGRLayer& layer_;
  const SceneFrame& frame_;
  const ReadOptions& opt_;
  detail::ErrorCapture& capture_;
  const detail::FeatureFilter* accept_ = nullptr;

 public:
  bool schema_only_ = false;  // read() stops after the CRS and the fields
  detail::Batches batches_;   // read() hands its features over as it goes

 private:
  LayerData data_;
  OGRSpatialReference src_;
  detail::TransformPtr ct_;
  bool gcj02_ = false;
  bool geographic_ = false;
  std::vector<OGRFieldType> field_types_;
  std::array<int64_t, 4> kind_counts_{};  // indexed by GeomKind
  std::map<std::string, int64_t> message_counts_;
  std::vector<double> xs_, ys_;  // scratch for batch transforms
  std::vector<int> ok_;
};

}  // namespace

namespace detail {

Result<GDALDatasetUniquePtr> open_source(const std::string& path, ErrorCapture& capture, bool allow_remote) {
  return open_vector(path, capture, allow_remote);
}

std::string vector_driver_of(const std::string& path) {
  ensure_registered();
  GDALDriverH d = GDALIdentifyDriverEx(path.c_str(), GDAL_OF_VECTOR, nullptr, nullptr);
  return d ? GDALGetDriverShortName(d) : "";
}

GDALDatasetUniquePtr open_with_driver(const std::string& path, const char* driver) {
  ensure_registered();
  const char* const drivers[] = {driver, nullptr};
  return GDALDatasetUniquePtr(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR, drivers));
}

Result<LayerData> read_features(const std::string& path, OGRLayer& layer, const SceneFrame& frame,
                                const ReadOptions& options, ErrorCapture& capture, const FeatureFilter& accept,
                                const Batches& batches) {
  LayerReader reader(path, layer, frame, options, capture, &accept);
  reader.batches_ = batches;
  return reader.read();
}

Result<LayerData> read_schema(const std::string& path, OGRLayer& layer, const SceneFrame& frame,
                              const ReadOptions& options, ErrorCapture& capture) {
  LayerReader reader(path, layer, frame, options, capture);
  reader.schema_only_ = true;
  return reader.read();
}

bool is_gcj02_name(const std::string& crs) { return is_gcj02(crs); }

}  // namespace detail

Result<std::vector<LayerData>> read_source(const std::string& path, const SceneFrame& frame,
                                           const ReadOptions& options) {
  detail::ErrorCapture capture;
  auto ds = open_vector(path, capture, options.allow_remote);
  if (!ds) return ds.error();

  std::vector<OGRLayer*> layers;
  if (options.layers.empty()) {
    for (OGRLayer* layer : (*ds)->GetLayers()) layers.push_back(layer);
  } else {
    for (const std::string& name : options.layers) {
      OGRLayer* layer = (*ds)->GetLayerByName(name.c_str());
      if (layer == nullptr) {
        const std::vector<std::string> names = layer_names(**ds);
        return Failure(Failure::InvalidData, "layer '" + name + "' not found in " + path + "; " +
                                                 (names.empty() ? std::string("it has no vector layers")
                                                                : "the layers there are: " + join(names)));
      }
      layers.push_back(layer);
    }
  }

  std::vector<LayerData> out;
  out.reserve(layers.size());
  for (OGRLayer* layer : layers) {
    auto data = LayerReader(path, *layer, frame, options, capture).read();
    if (!data) return data.error();
    out.push_back(std::move(*data));
  }
  return out;
}

Result<LayerData> read_layer(const std::string& path, const std::string& layer, const SceneFrame& frame,
                             const ReadOptions& options) {
  ReadOptions one = options;
  one.layers = {layer};
  auto r = read_source(path, frame, one);
  if (!r) return r.error();
  return std::move(r->front());
}

Result<std::vector<std::string>> list_layers(const std::string& path, bool allow_remote) {
  detail::ErrorCapture capture;
  auto ds = open_vector(path, capture, allow_remote);
  if (!ds) return ds.error();
  return layer_names(**ds);
}

}  // namespace parktwin::gis
