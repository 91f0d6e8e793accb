// Ear clipping with hole bridging. Each ring becomes a circular doubly linked list of nodes kept
// in an arena (indices, not pointers, so the arena may grow); holes are joined to the outer ring
// by a bridge (two coincident cuts), then ears are clipped. Large rings index their nodes along a
// z-order curve so the "is any vertex inside this ear" test only visits nearby nodes. When no ear
// can be found (self-touching or otherwise invalid input), three fallbacks run in turn: drop
// duplicate and collinear nodes, cut local self-intersections, split along any valid diagonal.
// Every pass removes nodes or splits into strictly smaller rings, so it always terminates.
#include "parktwin/gis/triangulate.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace parktwin::gis {

/// One vertex of a ring in the arena. Coordinates are relative to the polygon's first point so
/// that orientation tests keep their precision far from the scene origin.
struct Triangulator::Node {
  double x, y;
  uint32_t i;             ///< index into the caller's points
  uint32_t prev, next;    ///< ring neighbours
  uint32_t z;             ///< z-order key (hashed mode only)
  uint32_t prev_z, next_z;///< neighbours in z order (hashed mode only)
};

namespace {

constexpr uint32_t kNil = std::numeric_limits<uint32_t>::max();
/// Rings with more vertices than this use z-order hashing for the ear test.
constexpr size_t kHashThreshold = 80;

/// The clipping state for one polygon, over the Triangulator's arena. A template only so that the
/// private node type is named in one place (the member function that instantiates it).
template <class Node>
class EarClipper {
 public:
  EarClipper(std::vector<Node>& nodes, std::vector<uint32_t>& scratch, std::vector<uint32_t>& out)
      : nodes_(nodes), scratch_(scratch), out_(out), b_(nodes.data()) {}

  /// Appends ring [begin, end) of `pts` with the requested orientation; returns its last node or
  /// kNil when it has fewer than three distinct points.
  uint32_t add_ring(std::span<const glm::dvec2> pts, uint32_t begin, uint32_t end, glm::dvec2 ref, bool ccw) {
    if (end - begin < 3) return kNil;
    // Shoelace relative to the ring's first point decides the insertion direction.
    const glm::dvec2 o = pts[begin];
    double area = 0.0;
    for (uint32_t k = begin + 1; k + 1 < end; ++k) {
      const glm::dvec2 p = pts[k] - o, q = pts[k + 1] - o;
      area += p.x * q.y - q.x * p.y;
    }
    // Write the ring's nodes directly, already linked in order.
    const uint32_t m = end - begin, first = grow(m);
    for (uint32_t j = 0; j < m; ++j) {
      const uint32_t k = (area > 0.0) == ccw ? begin + j : end - 1 - j;
      b_[first + j] = Node{pts[k].x - ref.x, pts[k].y - ref.y, k, first + j - 1, first + j + 1, 0, kNil, kNil};
    }
    b_[first].prev = first + m - 1;
    b_[first + m - 1].next = first;
    uint32_t last = first + m - 1;
    if (equal(last, b_[last].next)) {
      const uint32_t n = b_[last].next;
      remove(last);
      last = n;
    }
    return last;
  }

  /// Joins every hole ring (given by their last nodes in scratch_) to the outer ring.
  uint32_t eliminate_holes(uint32_t outer) {
    for (uint32_t& h : scratch_) h = leftmost(h);
    std::sort(scratch_.begin(), scratch_.end(), [this](uint32_t a, uint32_t b) {
      return b_[a].x != b_[b].x ? b_[a].x < b_[b].x : b_[a].y < b_[b].y;
    });
    for (const uint32_t h : scratch_) outer = eliminate_hole(h, outer);
    return outer;
  }

  /// Enables z-order hashing over the bounding box of all nodes.
  void enable_hash() {
    double x0 = b_[0].x, y0 = b_[0].y, x1 = x0, y1 = y0;
    for (uint32_t k = 0; k < used_; ++k) {
      const Node& n = b_[k];
      x0 = std::min(x0, n.x);
      y0 = std::min(y0, n.y);
      x1 = std::max(x1, n.x);
      y1 = std::max(y1, n.y);
    }
    const double size = std::max(x1 - x0, y1 - y0);
    if (!(size > 0.0)) return;
    min_x_ = x0;
    min_y_ = y0;
    inv_size_ = 32767.0 / size;
    hashed_ = true;
  }

  /// Triangulates the ring as a fan when it is strictly convex and simple (every turn to the left,
  /// the edge direction's x sign changing at most twice); returns false, doing nothing, otherwise.
  bool fan_if_convex(uint32_t start) {
    uint32_t p = start;
    int changes = 0;
    double last_dx = 0.0;
    do {
      const Node& n = b_[p];
      if (cross(n.prev, p, n.next) <= 0.0) return false;
      const double dx = b_[n.next].x - n.x;
      if (dx != 0.0) {
        // A simple convex ring changes sign twice around the cycle, so at most twice along it.
        if (last_dx != 0.0 && (dx > 0.0) != (last_dx > 0.0) && ++changes > 2) return false;
        last_dx = dx;
      }
      p = n.next;
    } while (p != start);
    for (uint32_t q = b_[start].next; b_[q].next != start; q = b_[q].next) emit(start, q, b_[q].next);
    return true;
  }

  /// Clips ears from the ring at `ear`; `pass` selects the fallback reached so far.
  void clip(uint32_t ear, int pass) {
    if (ear == kNil) return;
    if (pass == 0 && hashed_) index_curve(ear);
    uint32_t stop = ear;
    while (b_[ear].prev != b_[ear].next) {
      const uint32_t prev = b_[ear].prev, next = b_[ear].next;
      if (hashed_ ? is_ear_hashed(ear) : is_ear(ear)) {
        emit(prev, ear, next);
        remove(ear);
        // Skipping one node avoids long thin "fan" triangles.
        ear = b_[next].next;
        stop = ear;
        continue;
      }
      ear = next;
      if (ear == stop) {
        if (pass == 0) {
          clip(filter(ear, kNil), 1);
        } else if (pass == 1) {
          clip(cure_local_intersections(filter(ear, kNil)), 2);
        } else {
          split(ear);
        }
        return;
      }
    }
  }

 private:
  // ---- arena and ring plumbing ----

  /// Reserves `count` consecutive nodes of the arena; returns the first. The arena only grows, so
  /// its storage is reused from one polygon to the next.
  uint32_t grow(uint32_t count) {
    const uint32_t first = used_;
    used_ += count;
    if (nodes_.size() < used_) {
      nodes_.resize(std::max<size_t>(used_, 2 * nodes_.size()));
      b_ = nodes_.data();
    }
    return first;
  }

  /// A new node forming a ring of its own.
  uint32_t single(Node like) {  // by value: growing may move the arena
    const uint32_t k = grow(1);
    b_[k] = Node{like.x, like.y, like.i, k, k, 0, kNil, kNil};
    return k;
  }

  void remove(uint32_t p) {
    const Node& n = b_[p];
    b_[n.next].prev = n.prev;
    b_[n.prev].next = n.next;
    if (n.prev_z != kNil) b_[n.prev_z].next_z = n.next_z;
    if (n.next_z != kNil) b_[n.next_z].prev_z = n.prev_z;
  }

  void emit(uint32_t a, uint32_t b, uint32_t c) {
    out_.push_back(b_[a].i);
    out_.push_back(b_[b].i);
    out_.push_back(b_[c].i);
  }

  /// Cuts the ring along a-b into two rings; returns the copy of b that starts the second one.
  uint32_t split_polygon(uint32_t a, uint32_t b) {
    const uint32_t a2 = single(b_[a]);
    const uint32_t b2 = single(b_[b]);
    const uint32_t an = b_[a].next, bp = b_[b].prev;
    b_[a].next = b;
    b_[b].prev = a;
    b_[a2].next = an;
    b_[an].prev = a2;
    b_[b2].next = a2;
    b_[a2].prev = b2;
    b_[bp].next = b2;
    b_[b2].prev = bp;
    return b2;
  }

  // ---- predicates ----

  /// Twice the signed area of triangle (a, b, c): positive when counter-clockwise.
  double cross(uint32_t a, uint32_t b, uint32_t c) const {
    const Node &p = b_[a], &q = b_[b], &r = b_[c];
    return (q.x - p.x) * (r.y - p.y) - (q.y - p.y) * (r.x - p.x);
  }
  bool equal(uint32_t a, uint32_t b) const { return b_[a].x == b_[b].x && b_[a].y == b_[b].y; }

  /// Whether p lies in the counter-clockwise triangle (a, b, c), boundary included.
  static bool in_triangle(double ax, double ay, double bx, double by, double cx, double cy, double px, double py) {
    return (bx - ax) * (py - ay) >= (by - ay) * (px - ax) && (cx - bx) * (py - by) >= (cy - by) * (px - bx) &&
           (ax - cx) * (py - cy) >= (ay - cy) * (px - cx);
  }

  static int sign(double v) { return (v > 0.0) - (v < 0.0); }

  /// q lies on segment p-r, given that the three are collinear.
  bool on_segment(uint32_t p, uint32_t q, uint32_t r) const {
    const Node &a = b_[p], &b = b_[q], &c = b_[r];
    return b.x <= std::max(a.x, c.x) && b.x >= std::min(a.x, c.x) && b.y <= std::max(a.y, c.y) &&
           b.y >= std::min(a.y, c.y);
  }

  /// Whether segments p1-q1 and p2-q2 intersect (touching counts).
  bool intersects(uint32_t p1, uint32_t q1, uint32_t p2, uint32_t q2) const {
    const int o1 = sign(cross(p1, q1, p2)), o2 = sign(cross(p1, q1, q2));
    const int o3 = sign(cross(p2, q2, p1)), o4 = sign(cross(p2, q2, q1));
    if (o1 != o2 && o3 != o4) return true;
    return (o1 == 0 && on_segment(p1, p2, q1)) || (o2 == 0 && on_segment(p1, q2, q1)) ||
           (o3 == 0 && on_segment(p2, p1, q2)) || (o4 == 0 && on_segment(p2, q1, q2));
  }

  /// Whether the diagonal a-b starts into the polygon's interior at a.
  bool locally_inside(uint32_t a, uint32_t b) const {
    const Node& n = b_[a];
    if (cross(n.prev, a, n.next) > 0.0) return cross(a, b, n.next) <= 0.0 && cross(a, n.prev, b) <= 0.0;
    return cross(a, b, n.prev) > 0.0 || cross(a, n.next, b) > 0.0;
  }

  /// Whether the midpoint of a-b is inside the ring (even-odd).
  bool middle_inside(uint32_t a, uint32_t b) const {
    const double px = 0.5 * (b_[a].x + b_[b].x), py = 0.5 * (b_[a].y + b_[b].y);
    bool inside = false;
    uint32_t p = a;
    do {
      const Node &s = b_[p], &t = b_[s.next];
      if ((s.y > py) != (t.y > py) && t.y != s.y && px < (t.x - s.x) * (py - s.y) / (t.y - s.y) + s.x)
        inside = !inside;
      p = s.next;
    } while (p != a);
    return inside;
  }

  /// Whether a-b crosses any edge of the ring not incident to a or b.
  bool intersects_ring(uint32_t a, uint32_t b) const {
    const uint32_t ia = b_[a].i, ib = b_[b].i;
    uint32_t p = a;
    do {
      const uint32_t q = b_[p].next;
      if (b_[p].i != ia && b_[q].i != ia && b_[p].i != ib && b_[q].i != ib && intersects(p, q, a, b)) return true;
      p = q;
    } while (p != a);
    return false;
  }

  bool valid_diagonal(uint32_t a, uint32_t b) const {
    const Node &na = b_[a], &nb = b_[b];
    if (b_[na.next].i == nb.i || b_[na.prev].i == nb.i || intersects_ring(a, b)) return false;
    if (locally_inside(a, b) && locally_inside(b, a) && middle_inside(a, b) &&
        (cross(na.prev, a, nb.prev) != 0.0 || cross(a, nb.prev, b) != 0.0))
      return true;
    // Zero-length diagonal between two coincident reflex vertices.
    return equal(a, b) && cross(na.prev, a, na.next) < 0.0 && cross(nb.prev, b, nb.next) < 0.0;
  }

  // ---- ears ----

  bool is_ear(uint32_t ear) const {
    const Node& b = b_[ear];
    const Node &a = b_[b.prev], &c = b_[b.next];
    if (cross(b.prev, ear, b.next) <= 0.0) return false;  // reflex or flat
    const double x0 = std::min({a.x, b.x, c.x}), x1 = std::max({a.x, b.x, c.x});
    const double y0 = std::min({a.y, b.y, c.y}), y1 = std::max({a.y, b.y, c.y});
    for (uint32_t p = c.next; p != b.prev; p = b_[p].next) {
      const Node& n = b_[p];
      if (n.x >= x0 && n.x <= x1 && n.y >= y0 && n.y <= y1 && in_triangle(a.x, a.y, b.x, b.y, c.x, c.y, n.x, n.y) &&
          cross(n.prev, p, n.next) <= 0.0)
        return false;
    }
    return true;
  }

  bool blocks(uint32_t p, uint32_t ear, double x0, double y0, double x1, double y1) const {
    const Node& b = b_[ear];
    if (p == b.prev || p == b.next) return false;
    const Node &n = b_[p], &a = b_[b.prev], &c = b_[b.next];
    return n.x >= x0 && n.x <= x1 && n.y >= y0 && n.y <= y1 && in_triangle(a.x, a.y, b.x, b.y, c.x, c.y, n.x, n.y) &&
           cross(n.prev, p, n.next) <= 0.0;
  }

  bool is_ear_hashed(uint32_t ear) const {
    const Node& b = b_[ear];
    const Node &a = b_[b.prev], &c = b_[b.next];
    if (cross(b.prev, ear, b.next) <= 0.0) return false;
    const double x0 = std::min({a.x, b.x, c.x}), x1 = std::max({a.x, b.x, c.x});
    const double y0 = std::min({a.y, b.y, c.y}), y1 = std::max({a.y, b.y, c.y});
    const uint32_t min_z = z_order(x0, y0), max_z = z_order(x1, y1);
    // Walk both ways along the z curve from the ear, within the bounding box's key range.
    uint32_t p = b.prev_z, n = b.next_z;
    while (p != kNil && b_[p].z >= min_z && n != kNil && b_[n].z <= max_z) {
      if (blocks(p, ear, x0, y0, x1, y1) || blocks(n, ear, x0, y0, x1, y1)) return false;
      p = b_[p].prev_z;
      n = b_[n].next_z;
    }
    for (; p != kNil && b_[p].z >= min_z; p = b_[p].prev_z)
      if (blocks(p, ear, x0, y0, x1, y1)) return false;
    for (; n != kNil && b_[n].z <= max_z; n = b_[n].next_z)
      if (blocks(n, ear, x0, y0, x1, y1)) return false;
    return true;
  }

  // ---- z-order ----

  uint32_t z_order(double x, double y) const {
    auto spread = [](uint32_t v) {
      v = (v | (v << 8)) & 0x00FF00FFu;
      v = (v | (v << 4)) & 0x0F0F0F0Fu;
      v = (v | (v << 2)) & 0x33333333u;
      return (v | (v << 1)) & 0x55555555u;
    };
    const auto xi = static_cast<uint32_t>(std::clamp((x - min_x_) * inv_size_, 0.0, 32767.0));
    const auto yi = static_cast<uint32_t>(std::clamp((y - min_y_) * inv_size_, 0.0, 32767.0));
    return spread(xi) | (spread(yi) << 1);
  }

  /// Computes z keys for the ring and links it in z order.
  void index_curve(uint32_t start) {
    scratch_.clear();
    uint32_t p = start;
    do {
      b_[p].z = z_order(b_[p].x, b_[p].y);
      scratch_.push_back(p);
      p = b_[p].next;
    } while (p != start);
    std::sort(scratch_.begin(), scratch_.end(), [this](uint32_t a, uint32_t b) { return b_[a].z < b_[b].z; });
    uint32_t prev = kNil;
    for (const uint32_t k : scratch_) {
      b_[k].prev_z = prev;
      b_[k].next_z = kNil;
      if (prev != kNil) b_[prev].next_z = k;
      prev = k;
    }
  }

  // ---- clean-up and fallbacks ----

  /// Removes duplicate and collinear nodes from start up to end; returns a node still in the ring.
  uint32_t filter(uint32_t start, uint32_t end) {
    if (start == kNil) return start;
    if (end == kNil) end = start;
    uint32_t p = start;
    bool again;
    do {
      again = false;
      const Node& n = b_[p];
      if (equal(p, n.next) || cross(n.prev, p, n.next) == 0.0) {
        remove(p);
        p = end = n.prev;
        if (p == b_[p].next) break;
        again = true;
      } else {
        p = n.next;
      }
    } while (again || p != end);
    return end;
  }

  /// Cuts off the triangle at each local self-intersection (a-p and p.next-b crossing).
  uint32_t cure_local_intersections(uint32_t start) {
    uint32_t p = start;
    do {
      const uint32_t a = b_[p].prev, pn = b_[p].next, b = b_[pn].next;
      if (!equal(a, b) && intersects(a, p, pn, b) && locally_inside(a, b) && locally_inside(b, a)) {
        const double c = cross(a, p, b);
        if (c > 0.0) emit(a, p, b);
        else if (c < 0.0) emit(a, b, p);
        remove(p);
        remove(pn);
        p = start = b;
      }
      p = b_[p].next;
    } while (p != start);
    return filter(p, kNil);
  }

  /// Splits the ring along the first valid diagonal found and clips both halves.
  void split(uint32_t start) {
    uint32_t a = start;
    do {
      for (uint32_t b = b_[b_[a].next].next; b != b_[a].prev; b = b_[b].next) {
        if (b_[a].i != b_[b].i && valid_diagonal(a, b)) {
          uint32_t c = split_polygon(a, b);
          a = filter(a, b_[a].next);
          c = filter(c, b_[c].next);
          clip(a, 0);
          clip(c, 0);
          return;
        }
      }
      a = b_[a].next;
    } while (a != start);
  }

  // ---- holes ----

  uint32_t leftmost(uint32_t start) const {
    uint32_t p = start, best = start;
    do {
      const Node &n = b_[p], &m = b_[best];
      if (n.x < m.x || (n.x == m.x && n.y < m.y)) best = p;
      p = n.next;
    } while (p != start);
    return best;
  }

  uint32_t eliminate_hole(uint32_t hole, uint32_t outer) {
    const uint32_t bridge = find_bridge(hole, outer);
    if (bridge == kNil) return outer;
    const uint32_t back = split_polygon(bridge, hole);
    filter(back, b_[back].next);
    return filter(bridge, b_[bridge].next);
  }

  /// Finds a node of the outer ring visible from the hole's leftmost node: cast a ray to the left,
  /// take the nearest crossed edge, then prefer any reflex node inside the triangle so formed that
  /// makes the smallest angle with the ray.
  uint32_t find_bridge(uint32_t hole, uint32_t outer) const {
    const double hx = b_[hole].x, hy = b_[hole].y;
    double qx = -std::numeric_limits<double>::infinity();
    uint32_t m = kNil;
    uint32_t p = outer;
    do {
      const Node &s = b_[p], &t = b_[s.next];
      // The outer ring is counter-clockwise, so edges with the interior to their east run downward.
      if (hy <= s.y && hy >= t.y && t.y != s.y) {
        const double x = s.x + (hy - s.y) * (t.x - s.x) / (t.y - s.y);
        if (x <= hx && x > qx) {
          qx = x;
          m = s.x < t.x ? p : s.next;
          if (x == hx) return m;  // the hole touches this edge
        }
      }
      p = s.next;
    } while (p != outer);
    if (m == kNil) return kNil;

    const uint32_t stop = m;
    const double mx = b_[m].x, my = b_[m].y;
    double tan_min = std::numeric_limits<double>::infinity();
    p = m;
    do {
      const Node& n = b_[p];
      if (hx >= n.x && n.x >= mx && hx != n.x &&
          in_triangle(hy < my ? hx : qx, hy, mx, my, hy < my ? qx : hx, hy, n.x, n.y)) {
        const double tan = std::abs(hy - n.y) / (hx - n.x);
        if (locally_inside(p, hole) &&
            (tan < tan_min ||
             (tan == tan_min && (n.x > b_[m].x || (n.x == b_[m].x && sector_contains_sector(m, p)))))) {
          m = p;
          tan_min = tan;
        }
      }
      p = n.next;
    } while (p != stop);
    return m;
  }

  /// Whether the sector of m contains the sector of p (both at the same point).
  bool sector_contains_sector(uint32_t m, uint32_t p) const {
    return cross(b_[m].prev, m, b_[p].prev) > 0.0 && cross(b_[p].next, m, b_[m].next) > 0.0;
  }

  std::vector<Node>& nodes_;
  std::vector<uint32_t>& scratch_;
  std::vector<uint32_t>& out_;
  Node* b_;
  uint32_t used_ = 0;  ///< nodes of the arena in use for this polygon
  bool hashed_ = false;
  double min_x_ = 0.0, min_y_ = 0.0, inv_size_ = 0.0;
};

}  // namespace

Triangulator::Triangulator() = default;
Triangulator::~Triangulator() = default;
Triangulator::Triangulator(Triangulator&&) noexcept = default;
Triangulator& Triangulator::operator=(Triangulator&&) noexcept = default;

uint32_t Triangulator::triangulate(std::span<const glm::dvec2> points, std::span<const uint32_t> ring_starts,
                                   std::vector<uint32_t>& out) {
  const size_t out0 = out.size();
  const auto total = static_cast<uint32_t>(points.size());
  const uint32_t first = ring_starts.empty() ? 0u : ring_starts[0];
  const uint32_t outer_end = ring_starts.size() > 1 ? ring_starts[1] : total;
  if (first > outer_end || outer_end > total || outer_end - first < 3) return 0;
  for (uint32_t k = first; k < total; ++k)
    if (!std::isfinite(points[k].x) || !std::isfinite(points[k].y)) return 0;

  scratch_.clear();
  EarClipper<Node> clipper(nodes_, scratch_, out);
  const glm::dvec2 ref = points[first];
  uint32_t outer = clipper.add_ring(points, first, outer_end, ref, true);
  if (outer == kNil || nodes_[outer].next == nodes_[outer].prev) return 0;

  for (size_t r = 1; r < ring_starts.size(); ++r) {
    const uint32_t b = ring_starts[r];
    const uint32_t e = r + 1 < ring_starts.size() ? ring_starts[r + 1] : total;
    if (b > e || e > total) return 0;
    const uint32_t h = clipper.add_ring(points, b, e, ref, false);
    if (h != kNil && nodes_[h].next != nodes_[h].prev) scratch_.push_back(h);
  }
  if (scratch_.empty()) {
    // Most footprints are convex: a fan needs no ear search.
    if (total - first <= kHashThreshold && clipper.fan_if_convex(outer))
      return static_cast<uint32_t>((out.size() - out0) / 3);
  } else {
    outer = clipper.eliminate_holes(outer);
  }
  if (total - first > kHashThreshold) clipper.enable_hash();
  clipper.clip(outer, 0);
  return static_cast<uint32_t>((out.size() - out0) / 3);
}

uint32_t Triangulator::triangulate(const Polygon& poly, std::vector<glm::dvec2>& out_points,
                                   std::vector<uint32_t>& out) {
  thread_local std::vector<uint32_t> starts;
  starts.clear();
  const size_t base = out_points.size();
  starts.push_back(0);
  out_points.insert(out_points.end(), poly.outer.begin(), poly.outer.end());
  for (const Ring& h : poly.holes) {
    starts.push_back(static_cast<uint32_t>(out_points.size() - base));
    out_points.insert(out_points.end(), h.begin(), h.end());
  }
  return triangulate(std::span<const glm::dvec2>(out_points).subspan(base), starts, out);
}

double triangles_area(std::span<const glm::dvec2> points, std::span<const uint32_t> indices) {
  double sum = 0.0;
  for (size_t t = 0; t + 2 < indices.size(); t += 3) {
    const glm::dvec2 a = points[indices[t]], b = points[indices[t + 1]], c = points[indices[t + 2]];
    sum += 0.5 * std::abs((b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x));
  }
  return sum;
}

}  // namespace parktwin::gis
