// Internal to parktwin::edit: the GDAL plumbing and the per-layer helpers of the save (store.cpp);
// the definitions are in store_ogr.cpp.
#pragma once

#include <chrono>
#include <cctype>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <cpl_error.h>
#include <gdal_priv.h>
#include <ogr_geometry.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#include "parktwin/edit/store.h"
#include "parktwin/gis/reader.h"

namespace parktwin::edit::store_detail {

using gis::Failure;
using Clock = std::chrono::steady_clock;

// ---- GDAL plumbing --------------------------------------------------------------------------

// Collects what GDAL reports on this thread while alive, so that a failure message can say why.
class GdalLog {
 public:
  GdalLog() { CPLPushErrorHandlerEx(&GdalLog::on_message, this); }
  ~GdalLog() { CPLPopErrorHandler(); }
  GdalLog(const GdalLog&) = delete;
  GdalLog& operator=(const GdalLog&) = delete;

  /// What was reported since the last call (", " joined, one line), then forgotten.
  std::string drain() {
    std::string out;
    for (std::string& m : lines_) {
      if (!out.empty()) out += "; ";
      out += m;
    }
    lines_.clear();
    return out.empty() ? std::string("GDAL gave no reason") : out;
  }
  void forget() { lines_.clear(); }

 private:
  static void CPL_STDCALL on_message(CPLErr level, CPLErrorNum, const char* text) {
    auto* self = static_cast<GdalLog*>(CPLGetErrorHandlerUserData());
    if (self == nullptr || text == nullptr || level < CE_Warning) return;
    std::string line;
    for (const char* c = text; *c != '\0'; ++c) {
      if (std::isspace(static_cast<unsigned char>(*c)) == 0) line += *c;
      else if (!line.empty() && line.back() != ' ') line += ' ';
    }
    while (!line.empty() && (line.back() == ' ' || line.back() == '.')) line.pop_back();
    if (!line.empty() && self->lines_.size() < 20) self->lines_.push_back(std::move(line));
  }
  std::vector<std::string> lines_;
};

struct TransformDelete {
  void operator()(OGRCoordinateTransformation* ct) const { OGRCoordinateTransformation::DestroyCT(ct); }
};
using Transform = std::unique_ptr<OGRCoordinateTransformation, TransformDelete>;

void register_drivers();

bool starts_with_ci(const std::string& s, const char* prefix);

bool is_postgres(const std::string& source);

// A connection string may hold a password: messages name the database, never the whole string.
std::string display_name(const std::string& source);

std::string quote_ident(const std::string& name);

// "schema.table" -> "schema"."table" (PostGIS layers outside the search path are named that way).
std::string quote_table(const std::string& name, bool postgres);

std::string quote_literal(const std::string& text);

// Runs a statement for its effect; a result set (SELECT ... FOR UPDATE) is read to its end,
// which is when PostgreSQL takes the row locks of a cursor.
bool run_sql(GDALDataset& ds, const std::string& sql);

// ---- What one layer's save needs ------------------------------------------------------------

struct Target {
  const LayerChanges* changes = nullptr;
  const gis::LayerData* data = nullptr;
  OGRLayer* layer = nullptr;
  Transform to_layer;                 // scene frame -> the layer's SRS
  OGRwkbGeometryType type = wkbUnknown;  // flattened
  bool has_z = false;
  std::vector<int> ogr_field;         // session field index -> stored field index (-1: not written)
  int version_field = -1;
  int label_field = -1;               // session field naming features in messages (building_id ...)
  // Filled while checking: the stored rows of modified features, and new fids already taken.
  std::map<int64_t, std::unique_ptr<OGRFeature>> stored;
  std::set<int64_t> taken;
};

// The attribute that names a feature to a planner: "<layer singular>_id", else a common id field.
int label_field_of(const gis::LayerData& data);

std::string feature_words(const Target& t, int64_t fid, const gis::Feature* feature, const OGRFeature* stored);

int64_t version_of(const OGRFeature& f, int field);

OGRLinearRing closed_ring(const gis::Ring& ring);

// The session's geometry (scene metres) as an OGR geometry in the layer's SRS: a single part when
// the layer's type is single and the feature has one part, else the multi type.
std::unique_ptr<OGRGeometry> to_layer_geometry(const gis::Geometry& g, const Target& t, std::string& why);

// Copies the session's attributes (by field name) onto an OGR feature; the version field is ours.
void set_attributes(const gis::Feature& f, const Target& t, OGRFeature& out);

std::string count_words(int64_t n, const char* one, const char* many);

double ms_since(Clock::time_point t0);

}  // namespace parktwin::edit::store_detail
