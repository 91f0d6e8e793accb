// The GDAL plumbing and the per-layer helpers of saving edits (store_ogr.h; the save: store.cpp).
#include "store_ogr.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal_priv.h>
#include <ogr_geometry.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#include "parktwin/gis/reader.h"

namespace parktwin::edit::store_detail {

void register_drivers() {
  static std::once_flag once;
  std::call_once(once, [] { GDALAllRegister(); });
}

bool starts_with_ci(const std::string& s, const char* prefix) {
  for (size_t i = 0; prefix[i] != '\0'; ++i)
    if (i >= s.size() || std::tolower(static_cast<unsigned char>(s[i])) != std::tolower(static_cast<unsigned char>(prefix[i])))
      return false;
  return true;
}

bool is_postgres(const std::string& source) {
  return starts_with_ci(source, "PG:") || starts_with_ci(source, "postgresql://") || starts_with_ci(source, "postgres://");
}

std::string display_name(const std::string& source) {
  if (!is_postgres(source)) {
    // Other connection strings and URLs may carry one too: hide its value.
    std::string shown = source;
    for (const char* key : {"password=", "PASSWORD="}) {
      const size_t at = shown.find(key);
      if (at == std::string::npos) continue;
      const size_t from = at + std::strlen(key);
      const size_t end = shown.find_first_of(" \t&;", from);
      shown.replace(from, end == std::string::npos ? std::string::npos : end - from, "***");
    }
    return shown;
  }
  std::string shown = "the PostGIS database";
  const size_t at = source.find("dbname=");
  if (at != std::string::npos) {
    size_t end = source.find_first_of(" \t", at);
    shown += " '" + source.substr(at + 7, end == std::string::npos ? std::string::npos : end - at - 7) + "'";
  }
  return shown;
}

std::string quote_ident(const std::string& name) {
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string quote_table(const std::string& name, bool postgres) {
  const size_t dot = name.find('.');
  if (!postgres || dot == std::string::npos) return quote_ident(name);
  return quote_ident(name.substr(0, dot)) + "." + quote_ident(name.substr(dot + 1));
}

std::string quote_literal(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

bool run_sql(GDALDataset& ds, const std::string& sql) {
  CPLErrorReset();
  OGRLayer* result = ds.ExecuteSQL(sql.c_str(), nullptr, nullptr);
  if (result != nullptr) {
    result->ResetReading();
    while (OGRFeature* f = result->GetNextFeature()) OGRFeature::DestroyFeature(f);
    ds.ReleaseResultSet(result);
  }
  return CPLGetLastErrorType() < CE_Failure;
}

int label_field_of(const gis::LayerData& data) {
  std::string singular = data.name;
  if (const size_t dot = singular.rfind('.'); dot != std::string::npos) singular.erase(0, dot + 1);
  if (!singular.empty() && singular.back() == 's') singular.pop_back();
  for (const std::string& name : {singular + "_id", std::string("building_id"), std::string("parcel_id"),
                                  std::string("name"), std::string("id")}) {
    const int i = data.field(name);
    if (i >= 0) return i;
  }
  return -1;
}

std::string feature_words(const Target& t, int64_t fid, const gis::Feature* feature, const OGRFeature* stored) {
  std::string words = t.data->name + " fid " + std::to_string(fid);
  if (t.label_field < 0) return words;
  const std::string& field = t.data->fields[static_cast<size_t>(t.label_field)];
  std::string value;
  if (feature != nullptr) value = gis::attr_string(*feature, t.label_field);
  if (value.empty() && stored != nullptr) {
    const int i = stored->GetFieldIndex(field.c_str());
    if (i >= 0 && stored->IsFieldSetAndNotNull(i)) value = stored->GetFieldAsString(i);
  }
  return value.empty() ? words : words + " (" + field + " " + value + ")";
}

int64_t version_of(const OGRFeature& f, int field) {
  return field >= 0 && f.IsFieldSetAndNotNull(field) ? static_cast<int64_t>(f.GetFieldAsInteger64(field)) : 0;
}

OGRLinearRing closed_ring(const gis::Ring& ring) {
  OGRLinearRing out;
  for (const glm::dvec2& p : ring) out.addPoint(p.x, p.y);
  if (!ring.empty()) out.addPoint(ring.front().x, ring.front().y);
  return out;
}

std::unique_ptr<OGRGeometry> to_layer_geometry(const gis::Geometry& g, const Target& t, std::string& why) {
  std::unique_ptr<OGRGeometry> out;
  const bool single_layer = t.type == wkbPolygon || t.type == wkbLineString || t.type == wkbPoint;
  if (!g.polygons.empty()) {
    auto polygon = [](const gis::Polygon& p) {
      auto poly = std::make_unique<OGRPolygon>();
      poly->addRingDirectly(new OGRLinearRing(closed_ring(p.outer)));
      for (const gis::Ring& hole : p.holes) poly->addRingDirectly(new OGRLinearRing(closed_ring(hole)));
      return poly;
    };
    if (single_layer && g.polygons.size() == 1) {
      out = polygon(g.polygons.front());
    } else {
      auto multi = std::make_unique<OGRMultiPolygon>();
      for (const gis::Polygon& p : g.polygons) multi->addGeometryDirectly(polygon(p).release());
      out = std::move(multi);
    }
  } else if (!g.lines.empty()) {
    auto line = [](const gis::LineString& l) {
      auto ls = std::make_unique<OGRLineString>();
      for (const glm::dvec2& p : l) ls->addPoint(p.x, p.y);
      return ls;
    };
    if (single_layer && g.lines.size() == 1) {
      out = line(g.lines.front());
    } else {
      auto multi = std::make_unique<OGRMultiLineString>();
      for (const gis::LineString& l : g.lines) multi->addGeometryDirectly(line(l).release());
      out = std::move(multi);
    }
  } else if (!g.points.empty()) {
    if (single_layer && g.points.size() == 1) {
      out = std::make_unique<OGRPoint>(g.points.front().x, g.points.front().y);
    } else {
      auto multi = std::make_unique<OGRMultiPoint>();
      for (const glm::dvec2& p : g.points) multi->addGeometryDirectly(new OGRPoint(p.x, p.y));
      out = std::move(multi);
    }
  } else {
    why = "it has no geometry";
    return nullptr;
  }
  if (out->transform(t.to_layer.get()) != OGRERR_NONE) {
    why = "its geometry could not be transformed from the scene frame into the layer's CRS";
    return nullptr;
  }
  bool finite = true;
  OGREnvelope env;
  out->getEnvelope(&env);
  for (double v : {env.MinX, env.MaxX, env.MinY, env.MaxY}) finite = finite && std::isfinite(v);
  if (!finite) {
    why = "its geometry has coordinates that are not finite numbers";
    return nullptr;
  }
  if (t.has_z) out->set3D(TRUE);
  out->assignSpatialReference(t.layer->GetSpatialRef());
  return out;
}

void set_attributes(const gis::Feature& f, const Target& t, OGRFeature& out) {
  for (size_t i = 0; i < t.ogr_field.size() && i < f.attrs.size(); ++i) {
    const int o = t.ogr_field[i];
    if (o < 0) continue;
    std::visit(
        [&](const auto& v) {
          using V = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<V, std::monostate>) out.SetFieldNull(o);
          else if constexpr (std::is_same_v<V, int64_t>) out.SetField(o, static_cast<GIntBig>(v));
          else if constexpr (std::is_same_v<V, double>) out.SetField(o, v);
          else out.SetField(o, v.c_str());
        },
        f.attrs[i]);
  }
}

std::string count_words(int64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

}  // namespace parktwin::edit::store_detail
