// parktwin edit --dataset SOURCE [--apply EDITS.json] [--save] [--rules FILE] [--journal FILE | --no-journal]
//
// Output, one line each, flushed as it happens (scripts and the crash test read it):
//   recovered N edits from JOURNAL        unsaved edits of an earlier run, replayed first
//   ack K SUMMARY                         edit K applied and durable in the journal
//   refused K: MESSAGE                    edit K refused by the gate (nothing changed)
//   saving N features                     the save's transaction begins
//   saved SUMMARY                         committed
//   conflict: MESSAGE                     another planner's newer version: nothing saved
//   name=value                            indicators (per park and in total) and counts
// Exit status: 0 done; 1 the source, edits or rules could not be read or the save failed;
// 3 some edits were refused (the others applied, and saved with --save); 4 the save met conflicts.
#include "edit_cli.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <string>

#include "parktwin/edit/edit.h"
#include "parktwin/edit/edit_json.h"
#include "parktwin/edit/indicators.h"
#include "parktwin/edit/journal.h"
#include "parktwin/edit/store.h"
#include "parktwin/gis/reader.h"
#include "parktwin/scene/scene.h"

namespace parktwin::editcli {
namespace {

const char* kUsage = R"(usage: parktwin edit --dataset SOURCE [--apply EDITS.json] [--save] [--rules FILE]
                     [--journal FILE | --no-journal] [--violations N]
  SOURCE     a GeoPackage file or a PostGIS connection ("PG:host=... dbname=...") with layers
             `parcels` and `buildings` (the default dataset's layout; other polygon layers named
             in the edits are editable too)
  --apply    a JSON array of edit commands (docs/editing.md), applied in order; a refused edit
             is reported and the rest go on
  --save     write the result back in one transaction (refused as a whole on a conflict)
  --rules    zoning rules (default: assets/zoning_rules.json, illustrative)
  --journal  where each edit is made durable before it is acknowledged (default SOURCE.ptjournal);
             unsaved edits found there from an earlier run are replayed first
)";

int fail(const std::string& msg) {
  std::cerr << "parktwin edit: " << msg << "\n";
  return 1;
}

std::string read_text(const std::string& path, bool& ok) {
  std::ifstream in(path, std::ios::binary);
  ok = static_cast<bool>(in);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void print_indicators(const std::string& prefix, const edit::Indicators& i) {
  auto num = [&](const char* name, double v, const char* f) {
    if (std::isnan(v)) std::printf("%s_%s=unknown\n", prefix.c_str(), name);
    else std::printf(("%s_%s=" + std::string(f) + "\n").c_str(), prefix.c_str(), name, v);
  };
  num("site_area_m2", i.site_area_m2, "%.1f");
  num("gfa_m2", i.gfa_m2, "%.1f");
  num("far", i.far, "%.3f");
  num("coverage", i.coverage, "%.4f");
  num("green_ratio", i.green_ratio, "%.4f");
  num("height_max_m", i.height_max_m, "%.1f");
  std::printf("%s_buildings=%d\n", prefix.c_str(), i.buildings);
}

}  // namespace

int run_edit(int argc, char** argv) {
  std::string source, edits_path, rules_path = scene::default_asset_dir() + "/zoning_rules.json", journal_path;
  bool save = false, journal = true;
  long show_violations = 20;
  for (int i = 0; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::cerr << "parktwin edit: " << a << " needs a value\n" << kUsage;
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--dataset") source = value();
    else if (a == "--apply") edits_path = value();
    else if (a == "--save") save = true;
    else if (a == "--rules") rules_path = value();
    else if (a == "--journal") journal_path = value();
    else if (a == "--no-journal") journal = false;
    else if (a == "--violations") show_violations = std::strtol(value(), nullptr, 10);
    else if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      return 0;
    } else {
      std::cerr << "parktwin edit: unknown option '" << a << "'\n" << kUsage;
      return 2;
    }
  }
  if (source.empty()) {
    std::cerr << "parktwin edit: give --dataset SOURCE (to try it on the default layout, copy "
              << scene::default_asset_dir() << "/parktwin.gpkg first: edits write to the source)\n";
    return 2;
  }
  const gis::SceneFrame frame = gis::SceneFrame::jiangxi();

  // The edits first: a bad file stops before anything is loaded or journaled.
  std::vector<edit::Command> cmds;
  if (!edits_path.empty()) {
    bool ok = false;
    const std::string text = read_text(edits_path, ok);
    if (!ok) return fail("cannot read the edits " + edits_path + ": no such file or no permission");
    auto parsed = edit::parse_commands(text, frame, edits_path);
    if (!parsed) return fail(parsed.error().message);
    cmds = std::move(*parsed);
  }
  auto rules = edit::read_zoning_rules(rules_path);
  if (!rules) return fail(rules.error().message);

  // The layers: parcels and buildings, and any other layer the edits name.
  auto names = gis::list_layers(source);
  if (!names) return fail(names.error().message);
  std::set<std::string> wanted{"parcels", "buildings"};
  for (const auto& c : cmds) std::visit([&](const auto& x) { wanted.insert(x.layer); }, c);
  gis::ReadOptions ro;
  for (const auto& n : *names)
    if (wanted.count(n)) ro.layers.push_back(n);
  if (ro.layers.empty()) return fail(source + " has no layer parcels or buildings, nor any the edits name");
  auto layers = gis::read_source(source, frame, ro);
  if (!layers) return fail(layers.error().message);
  std::vector<gis::LayerData*> editable;
  for (auto& l : *layers) {
    editable.push_back(&l);
    if (l.report.damaged) return fail("layer " + l.name + " of " + source + " is damaged (" +
                                      (l.report.messages.empty() ? std::string("read short") : l.report.messages[0]) +
                                      "); repair it before editing");
  }
  edit::EditSession session(frame, editable);

  std::unique_ptr<edit::Journal> jr;
  if (journal) {
    if (journal_path.empty()) journal_path = edit::Journal::default_path(source);
    auto contents = edit::Journal::read(journal_path);
    if (!contents) return fail(contents.error().message);
    if (!contents->entries.empty() && contents->source != source)
      return fail(journal_path + " holds unsaved edits of " + contents->source + ", not of " + source +
                  "; give another --journal");
    auto j = edit::Journal::open(journal_path, source);
    if (!j) return fail(j.error().message);
    jr = std::move(*j);
    if (!contents->entries.empty()) {
      const size_t n = edit::Journal::replay(session, *contents);
      std::printf("recovered %zu edits from %s (unsaved from an earlier run)\n", n, journal_path.c_str());
      std::fflush(stdout);
    }
    jr->attach(session);
  }

  int refused = 0;
  for (size_t k = 0; k < cmds.size(); ++k) {
    auto r = session.apply(cmds[k]);
    if (!r) {
      ++refused;
      std::printf("refused %zu: %s\n", k + 1, r.error().message.c_str());
    } else if (jr && !jr->ok()) {
      std::printf("applied %zu but not durable: %s\n", k + 1, jr->error().c_str());
    } else {
      std::printf("ack %zu %s\n", k + 1, r->summary.c_str());
    }
    std::fflush(stdout);
  }

  int status = refused ? 3 : 0;
  if (save) {
    size_t n = 0;
    for (const auto& c : session.changes()) n += c.modified.size() + c.added.size() + c.deleted.size();
    std::printf("saving %zu features\n", n);
    std::fflush(stdout);
    if (n > 0) {
      auto r = edit::save_changes(session, source);
      if (!r) return fail("not saved: " + r.error().message + (jr ? " (the edits stay in " + jr->path() + ")" : ""));
      if (!r->conflicts.empty()) {
        for (const auto& c : r->conflicts) std::printf("conflict: %s\n", c.message.c_str());
        std::printf("saved nothing: %zu features were changed by someone else meanwhile%s\n", r->conflicts.size(),
                    jr ? ("; the edits stay in " + jr->path()).c_str() : "");
        status = 4;
      } else {
        std::printf("%s\n", r->summary.c_str());
        if (jr) {
          if (auto c = jr->clear(); !c) std::fprintf(stderr, "parktwin edit: %s\n", c.error().message.c_str());
        }
      }
    } else if (jr) {
      (void)jr->clear();
    }
    std::fflush(stdout);
  }

  // Indicators of the plan as it now stands.
  const edit::PlanIndicators pi = edit::compute_indicators(session, *rules);
  bool generated = false;
  for (auto* l : editable) {
    const int sf = l->field("source");
    for (size_t i = 0; i < l->features.size() && !generated; ++i)
      generated = gis::attr_string(l->features[i], sf).rfind("generated", 0) == 0;
  }
  std::printf("indicators_basis=%s\n", generated ? "generated layout (not surveyed): figures describe the plan, not the parks"
                                                 : "the source's layout");
  std::printf("edits=%zu\nedits_applied=%zu\nedits_refused=%d\n", cmds.size(), cmds.size() - refused, refused);
  for (const auto& [park, ind] : pi.parks) print_indicators("park_" + (park.empty() ? std::string("none") : park), ind);
  print_indicators("total", pi.total);
  std::printf("parcels=%zu\nviolations=%zu\nrules=%s\n", pi.parcels.size(), pi.violations.size(),
              rules->provenance.empty() ? rules_path.c_str() : rules->provenance.c_str());
  for (size_t i = 0; i < pi.violations.size() && static_cast<long>(i) < show_violations; ++i)
    std::printf("violation: %s\n", pi.violations[i].message.c_str());
  return status;
}

}  // namespace parktwin::editcli
