// parktwin: the viewer and its subcommands.
#include <cmath>
#include <csignal>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include "args.h"
#include "bench.h"
#include "bench_edit_save.h"
#include "bench_flows.h"
#include "bench_ingest.h"
#include "bench_labels.h"
#include "bench_layer.h"
#include "bench_record.h"
#include "bench_scale.h"
#include "bench_soak.h"
#include "bench_wall.h"
#include "edit_cli.h"
#include "feed.h"
#include "parktwin/app/app.h"
#include "parktwin/gis/reader.h"

namespace {

const char* kHelp = R"(ParkTwin — digital twin of Jiangxi's industrial clusters (Nanchang High-tech Zone,
Yingtan copper, Yichun lithium) on GIS data, rendered with Vulkan.

Usage:
  parktwin [options]                        open the viewer (headless still when there is no display)
  parktwin render --out FILE.png [options]  render one view offscreen to a PNG
  parktwin bench                            measure load, extrusion, frame and restyle costs (name=value lines)
  parktwin bench --layer FILE [--height-attr NAME] [--look LON,LAT,DIST,HEADING,PITCH] [--size WxH] [--frames N]
                                            any OGR layer in a cold process: load_s, triangulate_s, pipelines_s,
                                            first_frame_s (process start to the first frame finished), frame_ms,
                                            frame_cpu_ms, peak_rss_mb, gpu_memory_mb (default 1920x1080, MSAA 4,
                                            30 frames, camera fitting the layer; --tile-cache DIR, --msaa 1|4,
                                            --no-lod, --no-warm-up, --no-head-start, --first-frame-outlines,
                                            --no-first-frame-hold, --worker-nice N, --stream-ahead-mb N; --mesh-budget-mb N
                                            also times a move to the layer's far corner; docs/benchmarks.md)
  parktwin bench scale [--max 1m|10m] [--keep DIR] [--mesh-budget-mb N]  the same on 100k, 1M (and 10M)
                                            generated footprints with one camera, as scale_<n>_<figure> lines,
                                            ratios and the bars
  parktwin bench ingest [--broker mqtt://HOST:PORT]  MQTT ingest rate and latency (own broker if none given)
  parktwin bench flows                      frame and CPU time with 10k and 100k animated flow arcs
  parktwin bench labels                     label declutter time with 10k candidates in a park view
  parktwin bench edit [--crash-runs 100] [--only frame|save|crash]  latency from an edit to the finished frame
                                            showing it (default scene, and with 100k more buildings loaded), what
                                            the edit uploaded, the time to save 1,000 features to a GeoPackage,
                                            and the kill -9 loop (corrupt files, lost acknowledged edits)
  parktwin bench record                     frames per second of parktwin record (PNG and MP4) at 1920x1080 and 3840x2160
  parktwin bench wall [--nodes 8] [--frames 40] [--fps 5]  a video wall here: a master and N node processes on
                                            loopback, offscreen, one node killed halfway: skew, barrier overhead,
                                            state bytes, stitched tiles vs one render, the drop's stall
  parktwin bench soak [--minutes 10] [--speed 3600]  the viewer's frame loop offscreen for N minutes (simulator,
                                            history, flows, labels, panels): memory growth, frames, errors
  parktwin feed --broker mqtt://HOST:PORT [--rate N] [--duration S] [--qos 0|1] [--seed N] [--speed X]
                [--from history://FILE.db]    publish simulated (or recorded) samples to a broker
  parktwin kpi [--feed URL] [--at TIME]     the cluster dashboard's KPIs as name=value lines: totals over the
                                            trailing 365 days ending at TIME (default now; RFC 3339 with Z or an
                                            offset, e.g. 2023-01-01T00:00:00+08:00), each with its _window (UTC)
  parktwin record --tour FILE.json|FILE.kml --out DIR/|FILE.mp4 [--fps N] [--size WxH] [--view NAME] [--at TIME]
                                            render a tour offscreen on a fixed clock into PNG frames in DIR/ or
                                            H.264 video in FILE.mp4 (even --size; fps may be fractional, 29.97);
                                            frame k at k/fps; the data's moment from the timeline steps or --at
  parktwin wall --layout FILE.json [--tour T | --view V] [--fps N]      a video wall's master (operator console)
  parktwin wall --layout FILE.json --node ID --connect HOST              one of its nodes (renders its panels)
                [--windowed | --offscreen DIR] [--wall-frames N] [--barrier-timeout MS] [--drop-after MS]
                                            a fullscreen window per panel on its output; --windowed: windows at
                                            the panels' pixel sizes; --offscreen DIR: no windows, PNGs in DIR;
                                            see docs/wall.md and docs/wall_sync.md
  parktwin edit --dataset SOURCE [--apply EDITS.json] [--save] [--rules FILE]
                                            apply edit commands to a GeoPackage or PostGIS layout headless,
                                            print planning indicators, zoning violations and refusals, save
                                            in one transaction (docs/editing.md)
  parktwin layers FILE                      list the layers of any OGR source and what loading them reports
  parktwin help | --help                    this text
  parktwin --version

Options (viewer and render):
  --view NAME         province | nanchang | yingtan | yichun | fit   (default province; fit frames your layers)
  --look LON,LAT,DIST[,HEADING,PITCH]  camera on a WGS84 point at DIST metres (degrees for angles)
  --size WxH          window or image size (default 1600x900)
  --out FILE.png      render: output file
  --save-state FILE.json  render: also write the view state of the still (camera, layers, style, chain
                      filter, selection, label language, moment and feed; docs/viewstate.md)
  --state FILE.json   render: render a saved view state instead of --view/--look; --feed, --at and
                      --caption still override what the file says
  --caption TEXT      render: caption in the corner (default "ParkTwin · VIEW"); --no-overlay for none
  --dataset FILE      the GeoPackage of the default layout (default assets/parktwin.gpkg)
  --no-dataset        show only the layers given with --layer
  --layer SOURCE      add a layer source: GeoPackage, GeoJSON, Shapefile, FlatGeobuf, "PG:..." (repeatable)
  --height-attr NAME  attribute holding building height in metres for --layer sources (auto: height, floors ...)
  --layer-kind KIND   treat --layer polygons as buildings | area | roads | sites (auto by geometry/attributes)
  --no-stream         read --layer buildings layers at once (default: streamed by 4 km tile, nearest first,
                      extruded on worker threads, shown as they arrive; docs/streaming.md)
  --tile-cache DIR    where streamed tiles are cached (default ~/.cache/parktwin/tiles; none = no cache)
  --stream-budget-mb N  stop streaming tiles once their meshes take N MiB (default: no limit)
  --mesh-budget-mb N|all  viewer, render, record: keep building meshes of at most N MiB, nearest to the
                      camera; every feature stays, far chunks drop their meshes (drawn as blocks) and get
                      them back as the camera nears. Default: the viewer with streamed --layer buildings
                      keeps a quarter of the memory available at start (an eighth on a CPU device or an
                      integrated GPU, whose copy is host memory too; at most half the GPU's and 4/3 of
                      its largest buffer), lowered while less than a tenth of the machine's memory is
                      free; render and record every mesh; all = every mesh
  --assume-memory-mb N  viewer: take N MiB as the memory available for that default (planning, tests)
  --crs CRS           CRS of --layer sources that carry none (EPSG:4326, any PROJ/WKT) or GCJ02 for
                      Chinese web-map coordinates; --force-crs applies it even when the source has one
  --feed URL          live metrics: sim://[?seed=N&speed=X] (viewer default), mqtt://host:port[/park][?qos=1],
                      mqtts://host[/park]?cafile=F&credentials=F (TLS; passwords from a file or
                      PARKTWIN_MQTT_PASSWORD, never the URL), history://file.db; render uses none unless given
  --at TIME           render, kpi: the moment to show (2026-11-25T10:00:00Z or ms since 1970; default now)
  --history FILE      where samples are recorded (default ~/.local/state/parktwin/history.db; none = off)
  --retention-days N  history kept (default 30)
  --no-live           viewer: no live metrics
  --fullscreen        viewer: fullscreen on the primary monitor (F11 toggles)
  --frames N          viewer: quit after N frames (smoke tests)
  --tour FILE         viewer: play a tour (JSON or KML gx:Tour) at start; G opens the Tours panel, Space
                      plays/pauses, PgDn/PgUp step; moving the camera takes it over until idle
  --loop              viewer: play the tour again and again (unattended walls)
  --wall              viewer: clean wall output on this machine: fullscreen, no panels, menu or cursor, Esc
                      does not quit (stop it with SIGTERM), alarms take it; text sized for the room
  --viewing-distance M  with --wall, --wall-layout or `wall`: how far the audience stands (default 4 m); text
                      is about 1/150 of it (a video wall's from its layout's pixels and millimetres)
  --ui-scale X        with --wall, --wall-layout or `wall`: the text scale outright, for outputs that do not
                      report their size
  --wall-layout FILE  viewer: be the operator console of that wall: every frame on screen goes to its nodes
                      (`parktwin wall --node ID --connect THIS-HOST`), the Wall panel shows them
  --cycle-views S     viewer: unattended, show the next saved view (Views panel order) every S seconds
                      without input; a playing tour or an alarm on the wall holds the cycle
  --alarm-takeover    viewer: an alarm from the feed takes the wall: the camera flies to the enterprise (a
                      tour waits) until the alarm is acknowledged (K, or the Alarms panel, F3) or clears
  --tour-resume S     viewer: idle seconds before a tour the operator took over goes on (default 20)
  --edit              viewer: start in edit mode (E toggles it): planners edit parcels and buildings
  --edit-script FILE  viewer: apply the edit commands of FILE (JSON, docs/editing.md) in edit mode at start,
                      as if made by hand (refusals are printed); scripted checks of the editor
  --msaa 1|4          multisampling (default 4)
  --allow-remote      let --layer and `layers` read network sources (URLs, /vsicurl/...); local only without it
  --validate          run with the Vulkan validation layer and report validation_errors=N

Environment: PARKTWIN_ASSETS (asset directory), PARKTWIN_DEVICE (prefer a device by name),
VK_DRIVER_FILES=/usr/share/vulkan/icd.d/lvp_icd.x86_64.json (force the CPU driver).
)";

int usage_error(const std::string& msg) {
  std::cerr << "parktwin: " << msg << "\nRun `parktwin --help` for usage.\n";
  return 2;
}

int list_layers(const std::string& path, const parktwin::app::AppOptions& o) {
  auto names = parktwin::gis::list_layers(path, o.layer_options.read.allow_remote);
  if (!names) {
    std::cerr << "parktwin layers: " << names.error().message << "\n";
    return 1;
  }
  auto frame = parktwin::gis::SceneFrame::jiangxi();
  auto layers = parktwin::gis::read_source(path, frame, o.layer_options.read);
  if (!layers) {
    std::cerr << "parktwin layers: " << layers.error().message << "\n";
    return 1;
  }
  int damaged = 0;
  for (const auto& l : *layers) {
    damaged += l.report.damaged;
    std::cout << l.name << ": " << (l.report.damaged ? "DAMAGED, " : "") << l.features.size() << " features, crs "
              << l.crs << ", fields";
    for (const auto& f : l.fields) std::cout << " " << f;
    std::cout << "\n  read " << l.report.read << ", kept " << l.report.kept << ", repaired " << l.report.repaired;
    for (const auto& [reason, n] : l.report.skipped) std::cout << ", skipped " << n << " (" << reason << ")";
    std::cout << "\n";
    for (const auto& m : l.report.messages) std::cout << "  " << m << "\n";
    size_t polygons = 0, lines = 0, points = 0, none = 0;
    for (const auto& f : l.features) {
      using parktwin::gis::GeomKind;
      (f.geom.kind == GeomKind::Polygon ? polygons : f.geom.kind == GeomKind::Line ? lines
                                                   : f.geom.kind == GeomKind::Point ? points : none)++;
    }
    std::cout << "  geometry: " << polygons << " polygons, " << lines << " lines, " << points << " points, " << none
              << " none" << ((polygons > 0) + (lines > 0) + (points > 0) > 1 ? " (shown as one layer per kind)" : "")
              << "\n";
  }
  if (damaged) std::cerr << "parktwin layers: " << damaged << " damaged layer(s) in " << path << "\n";
  return damaged ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  using parktwin::app::AppOptions;
  AppOptions o;
  // A file that may not grow (a file-size limit) fails the write, which is then reported, instead
  // of killing the process mid-write.
  std::signal(SIGXFSZ, SIG_IGN);
  // Subcommands with options of their own parse the rest of the line themselves.
  if (argc >= 2 && std::strcmp(argv[1], "feed") == 0) return parktwin::feed::run_feed(argc - 2, argv + 2);
  if (argc >= 2 && std::strcmp(argv[1], "edit") == 0) return parktwin::editcli::run_edit(argc - 2, argv + 2);
  if (argc >= 3 && std::strcmp(argv[1], "bench") == 0 && std::strcmp(argv[2], "scale") == 0)
    return parktwin::bench::run_bench_scale(argc - 3, argv + 3);
  if (argc >= 2 && std::strcmp(argv[1], "bench") == 0)
    for (int i = 2; i < argc; ++i)
      if (std::strcmp(argv[i], "--layer") == 0) return parktwin::bench::run_bench_layer(argc - 2, argv + 2);
  if (argc >= 3 && std::strcmp(argv[1], "bench") == 0 && std::strcmp(argv[2], "ingest") == 0)
    return parktwin::bench::run_bench_ingest(argc - 3, argv + 3);
  if (argc >= 3 && std::strcmp(argv[1], "bench") == 0 && std::strcmp(argv[2], "flows") == 0)
    return parktwin::bench::run_bench_flows(AppOptions{});
  if (argc >= 3 && std::strcmp(argv[1], "bench") == 0 && std::strcmp(argv[2], "labels") == 0)
    return parktwin::bench::run_bench_labels(AppOptions{});
  if (argc >= 3 && std::strcmp(argv[1], "bench") == 0 && std::strcmp(argv[2], "record") == 0)
    return parktwin::bench::run_bench_record(AppOptions{});
  if (argc >= 3 && std::strcmp(argv[1], "bench") == 0 && std::strcmp(argv[2], "edit") == 0)
    return parktwin::bench::run_bench_edit_durability(argc - 3, argv + 3);
  if (argc >= 3 && std::strcmp(argv[1], "bench") == 0 && std::strcmp(argv[2], "soak") == 0)
    return parktwin::bench::run_bench_soak(argc - 3, argv + 3);
  if (argc >= 3 && std::strcmp(argv[1], "bench") == 0 && std::strcmp(argv[2], "wall") == 0)
    return parktwin::bench::run_bench_wall(argc - 3, argv + 3);
  std::string command, out, positional;
  parktwin::app::RecordOptions record;
  parktwin::app::WallOptions wall;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](const char* name) -> const char* {
      if (i + 1 >= argc) {
        usage_error(std::string(name) + " needs a value");
        std::exit(2);
      }
      return argv[++i];
    };
    // A number option: the whole value must parse and lie in [lo, hi] ((lo, hi] when lo_open);
    // otherwise the message says what the option wants and what it got.
    auto number = [&](const char* name, double lo, double hi, bool lo_open, const char* wants, double& out) {
      const std::string v = value(name);
      const auto x = parktwin::args::number_in(v, lo, hi, lo_open);
      if (!x) {
        usage_error(std::string(name) + " wants " + wants + " (got '" + v + "')");
        return false;
      }
      out = *x;
      return true;
    };
    if (a == "--help" || a == "-h" || a == "help") {
      std::cout << kHelp;
      return 0;
    } else if (a == "--version") {
      std::cout << "parktwin " << PARKTWIN_VERSION << "\n";
      return 0;
    } else if (a == "--view") {
      o.view = value("--view");
    } else if (a == "--feed") {
      o.feed = value("--feed");
      o.feed_given = true;
    } else if (a == "--at") {
      o.at = value("--at");
    } else if (a == "--history") {
      o.history = value("--history");
    } else if (a == "--retention-days") {
      if (!number("--retention-days", 0.0, 36500.0, true, "days in (0, 36500]", o.retention_days)) return 2;
    } else if (a == "--no-live") {
      o.feed.clear();
      o.feed_given = true;
    } else if (a == "--look") {
      o.view = std::string("look:") + value("--look");
    } else if (a == "--size") {
      const std::string s = value("--size");
      // Digits, 'x', digits and nothing else: "1x1abc" and "4294967297x2" (which wrapped) are refused.
      uint64_t w = 0, h = 0;
      const char* p = s.c_str();
      const char* const end = p + s.size();
      auto [p1, e1] = std::from_chars(p, end, w);
      const bool ok1 = e1 == std::errc() && p1 != p && p1 < end && *p1 == 'x';
      auto [p2, e2] = ok1 ? std::from_chars(p1 + 1, end, h) : std::from_chars_result{p1, std::errc::invalid_argument};
      if (!ok1 || e2 != std::errc() || p2 != end || p2 == p1 + 1 || w == 0 || h == 0 || w > 32768 || h > 32768)
        return usage_error("--size wants WIDTHxHEIGHT, e.g. 1920x1080, each side at most 32768 (got '" + s + "')");
      // The stitched image is held in memory (4 bytes a pixel) and encoded at once.
      if (static_cast<uint64_t>(w) * h > 268435456ull)
        return usage_error("--size " + s + " is over 268 megapixels (16384x16384); render parts with --look instead");
      o.width = static_cast<uint32_t>(w);
      o.height = static_cast<uint32_t>(h);
    } else if (a == "--out") {
      out = value("--out");
    } else if (a == "--tour") {
      record.tour = value("--tour");
    } else if (a == "--cycle-views") {
      if (!number("--cycle-views", 2.0, 86400.0, false, "seconds between views in [2, 86400]", o.cycle_views_s)) return 2;
    } else if (a == "--wall") {
      o.wall_output = true;
      o.fullscreen = true;
      o.alarm_takeover = true;
    } else if (a == "--viewing-distance") {
      if (!number("--viewing-distance", 0.3, 100.0, false, "metres in [0.3, 100]", o.viewing_distance_m)) return 2;
    } else if (a == "--ui-scale") {
      if (!number("--ui-scale", 0.5, 8.0, false, "a factor in [0.5, 8]", o.ui_scale)) return 2;
    } else if (a == "--alarm-takeover") {
      o.alarm_takeover = true;
    } else if (a == "--wall-layout") {
      o.wall_layout = value("--wall-layout");
    } else if (a == "--layout") {
      wall.layout = value("--layout");
    } else if (a == "--node") {
      wall.node = value("--node");
    } else if (a == "--connect") {
      const std::string host = value("--connect");
      wall.frame_endpoint = "tcp://" + host + ":5560";
      wall.sync_endpoint = "tcp://" + host + ":5561";
    } else if (a == "--frame-endpoint") {
      wall.frame_endpoint = value("--frame-endpoint");
    } else if (a == "--sync-endpoint") {
      wall.sync_endpoint = value("--sync-endpoint");
    } else if (a == "--offscreen") {
      wall.offscreen = value("--offscreen");
    } else if (a == "--windowed") {
      wall.windowed = true;
    } else if (a == "--reference") {
      wall.reference = true;
    } else if (a == "--endpoints-file") {
      wall.endpoints_file = value("--endpoints-file");
    } else if (a == "--wall-frames") {
      double n = 0;
      if (!number("--wall-frames", 0.0, 1e12, false, "a count (0 = until stopped)", n) || n != std::floor(n)) return 2;
      wall.frames = static_cast<int64_t>(n);
    } else if (a == "--barrier-timeout") {
      wall.barrier_timeout_ms = std::atoi(value("--barrier-timeout"));
      if (wall.barrier_timeout_ms < 10) return usage_error("--barrier-timeout wants milliseconds, at least 10");
    } else if (a == "--drop-after") {
      wall.drop_after_ms = std::atoi(value("--drop-after"));
      if (wall.drop_after_ms < 50) return usage_error("--drop-after wants milliseconds, at least 50");
    } else if (a == "--loop") {
      o.tour_loop = true;
    } else if (a == "--edit") {
      o.edit_mode = true;
    } else if (a == "--edit-script") {
      o.edit_script = value("--edit-script");
    } else if (a == "--tour-resume") {
      if (!number("--tour-resume", 1.0, 3600.0, false, "idle seconds in [1, 3600]", o.tour_resume_s)) return 2;
    } else if (a == "--fps") {
      if (!number("--fps", 0.0, 240.0, true, "frames per second in (0, 240]", record.fps)) return 2;
      wall.fps = record.fps;  // the same option for the wall master
    } else if (a == "--state") {
      o.state = value("--state");
    } else if (a == "--save-state") {
      o.save_state = value("--save-state");
    } else if (a == "--caption") {
      o.caption = value("--caption");
    } else if (a == "--no-overlay") {
      o.overlay = false;
    } else if (a == "--dataset") {
      o.dataset = value("--dataset");
    } else if (a == "--no-dataset") {
      o.no_dataset = true;
    } else if (a == "--layer") {
      o.extra_layers.push_back(value("--layer"));
    } else if (a == "--height-attr") {
      o.layer_options.height_attribute = value("--height-attr");
    } else if (a == "--layer-kind") {
      o.layer_options.kind = value("--layer-kind");
    } else if (a == "--no-stream") {
      o.stream_layers = false;
    } else if (a == "--tile-cache") {
      o.tile_cache = value("--tile-cache");
      if (o.tile_cache == "none") o.tile_cache.clear();
    } else if (a == "--stream-budget-mb") {
      double n = 0;
      if (!number("--stream-budget-mb", 1.0, 1e9, false, "MiB in [1, 1e9]", n)) return 2;
      o.stream_budget_mb = static_cast<uint64_t>(n);
    } else if (a == "--mesh-budget-mb") {
      if (i + 1 < argc && std::strcmp(argv[i + 1], "all") == 0) {
        o.every_mesh = true;
        o.mesh_budget_mb = 0;
        ++i;
      } else {
        double n = 0;
        if (!number("--mesh-budget-mb", 1.0, 1e9, false, "MiB in [1, 1e9] or all", n)) return 2;
        o.mesh_budget_mb = static_cast<uint64_t>(n);
        o.every_mesh = false;
      }
    } else if (a == "--assume-memory-mb") {
      double n = 0;
      if (!number("--assume-memory-mb", 1.0, 1e12, false, "MiB in [1, 1e12]", n)) return 2;
      o.assume_memory_mb = static_cast<uint64_t>(n);
    } else if (a == "--crs") {
      o.layer_options.read.declared_crs = value("--crs");
    } else if (a == "--force-crs") {
      o.layer_options.read.override_crs = true;
    } else if (a == "--fullscreen") {
      o.fullscreen = true;
    } else if (a == "--frames") {
      double n = 0;
      if (!number("--frames", 1.0, 1e9, false, "a whole count of frames in [1, 1e9]", n)) return 2;
      if (n != std::floor(n)) return usage_error("--frames wants a whole count of frames");
      o.frames = static_cast<int>(n);
    } else if (a == "--allow-remote") {
      o.layer_options.read.allow_remote = true;
    } else if (a == "--msaa") {
      double m = 0;
      if (!number("--msaa", 1.0, 4.0, false, "1 or 4", m)) return 2;
      if (m != 1.0 && m != 4.0) return usage_error("--msaa takes 1 or 4");
      o.msaa = static_cast<uint32_t>(m);
    } else if (a == "--validate") {
      o.validation = true;
    } else if (!a.empty() && a[0] == '-') {
      return usage_error("unknown option " + a);
    } else if (command.empty() && (a == "render" || a == "bench" || a == "layers" || a == "view" || a == "kpi" ||
                                    a == "record" || a == "wall")) {
      command = a;
    } else if (positional.empty()) {
      positional = a;
    } else {
      return usage_error("unexpected argument " + a);
    }
  }
  if (command == "render") {
    if (out.empty()) return usage_error("render needs --out FILE.png");
    return parktwin::app::run_render(o, out);
  }
  if (command == "bench") return parktwin::bench::run_bench(o);
  if (command == "record") {
    record.out = out;
    if (!positional.empty()) return usage_error("unexpected argument " + positional);
    return parktwin::app::run_record(o, record);
  }
  if (command.empty() || command == "view" || command == "wall") o.tour = record.tour;
  o.wall_frame_endpoint = wall.frame_endpoint;
  o.wall_sync_endpoint = wall.sync_endpoint;
  o.wall_barrier_timeout_ms = wall.barrier_timeout_ms;
  o.wall_drop_after_ms = wall.drop_after_ms;
  if (command == "wall") {
    if (!positional.empty()) return usage_error("unexpected argument " + positional);
    return parktwin::app::run_wall(o, wall);
  }
  if (command == "kpi") {
    if (!positional.empty()) return usage_error("unexpected argument " + positional);
    return parktwin::app::run_kpi(o);
  }
  if (command == "layers") {
    if (positional.empty()) return usage_error("layers needs a FILE");
    return list_layers(positional, o);
  }
  if (!positional.empty()) return usage_error("unexpected argument " + positional);
  if (!o.feed_given) o.feed = "sim://";  // the viewer shows the built-in simulator unless told otherwise
  return parktwin::app::run_viewer(o);
}
