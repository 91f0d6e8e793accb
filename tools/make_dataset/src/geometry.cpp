#include "geometry.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace parktwin::dataset {

double Rect::longer() const { return std::max(width(), height()); }
double Rect::shorter() const { return std::min(width(), height()); }

Ring Rect::ring() const { return {{u0, v0}, {u1, v0}, {u1, v1}, {u0, v1}}; }

double signedArea(const Ring& ring) {
  double a = 0;
  for (std::size_t i = 0, n = ring.size(); i < n; ++i) {
    const Vec2& p = ring[i];
    const Vec2& q = ring[(i + 1) % n];
    a += p.x * q.y - q.x * p.y;
  }
  return a / 2;
}

double shapeArea(const Shape& shape) {
  double a = std::abs(signedArea(shape.outer));
  for (const Ring& h : shape.holes) a -= std::abs(signedArea(h));
  return a;
}

Ring circleRing(Vec2 centre, double radius, int segments) {
  Ring r;
  r.reserve(static_cast<std::size_t>(segments));
  for (int i = 0; i < segments; ++i) {
    const double t = 2 * std::numbers::pi * i / segments;
    r.push_back({centre.x + radius * std::cos(t), centre.y + radius * std::sin(t)});
  }
  return r;
}

AreaFrame::AreaFrame(double lon0, double lat0, double bearingDeg)
    : lon0_(lon0), lat0_(lat0) {
  const double phi = lat0 * std::numbers::pi / 180;
  // Metres per degree on the WGS84 ellipsoid at latitude phi (series expansion).
  ky_ = 111132.92 - 559.82 * std::cos(2 * phi) + 1.175 * std::cos(4 * phi);
  kx_ = 111412.84 * std::cos(phi) - 93.5 * std::cos(3 * phi);
  const double a = bearingDeg * std::numbers::pi / 180;
  cos_ = std::cos(a);
  sin_ = std::sin(a);
}

Vec2 AreaFrame::toLonLat(Vec2 g) const {
  const double x = g.x * cos_ - g.y * sin_;
  const double y = g.x * sin_ + g.y * cos_;
  return {lon0_ + x / kx_, lat0_ + y / ky_};
}

Vec2 AreaFrame::toGrid(Vec2 ll) const {
  const double x = (ll.x - lon0_) * kx_;
  const double y = (ll.y - lat0_) * ky_;
  return {x * cos_ + y * sin_, -x * sin_ + y * cos_};
}

namespace {

std::unique_ptr<OGRLinearRing> ogrRing(const Ring& ring, const AreaFrame* frame) {
  auto r = std::make_unique<OGRLinearRing>();
  r->setNumPoints(static_cast<int>(ring.size() + 1));
  for (std::size_t i = 0; i <= ring.size(); ++i) {
    Vec2 p = ring[i % ring.size()];
    if (frame) p = frame->toLonLat(p);
    r->setPoint(static_cast<int>(i), p.x, p.y);
  }
  return r;
}

std::unique_ptr<OGRPolygon> ogrPolygon(const Shape& shape, const AreaFrame* frame) {
  auto poly = std::make_unique<OGRPolygon>();
  poly->addRingDirectly(ogrRing(shape.outer, frame).release());
  for (const Ring& h : shape.holes) poly->addRingDirectly(ogrRing(h, frame).release());
  return poly;
}

Ring ringOf(const OGRLinearRing& r) {
  Ring out;
  const int n = r.getNumPoints();
  for (int i = 0; i + 1 < n; ++i) out.push_back({r.getX(i), r.getY(i)});
  return out;
}

Shape shapeOf(const OGRPolygon& p) {
  Shape s;
  s.outer = ringOf(*p.getExteriorRing());
  if (signedArea(s.outer) < 0) std::reverse(s.outer.begin(), s.outer.end());
  for (int i = 0; i < p.getNumInteriorRings(); ++i) {
    Ring h = ringOf(*p.getInteriorRing(i));
    if (signedArea(h) > 0) std::reverse(h.begin(), h.end());
    s.holes.push_back(std::move(h));
  }
  return s;
}

}  // namespace

std::unique_ptr<OGRPolygon> gridPolygon(const Shape& shape) { return ogrPolygon(shape, nullptr); }

std::unique_ptr<OGRPolygon> lonLatPolygon(const Shape& shape, const AreaFrame& frame) {
  return ogrPolygon(shape, &frame);
}

void gridToLonLat(OGRGeometry& geometry, const AreaFrame& frame) {
  const auto type = wkbFlatten(geometry.getGeometryType());
  if (type == wkbLineString || type == wkbLinearRing) {
    auto* line = geometry.toSimpleCurve();
    for (int i = 0; i < line->getNumPoints(); ++i) {
      const Vec2 ll = frame.toLonLat({line->getX(i), line->getY(i)});
      line->setPoint(i, ll.x, ll.y);
    }
  } else if (type == wkbPoint) {
    auto* p = geometry.toPoint();
    const Vec2 ll = frame.toLonLat({p->getX(), p->getY()});
    p->setX(ll.x);
    p->setY(ll.y);
  } else if (type == wkbPolygon) {
    for (OGRLinearRing* ring : *geometry.toPolygon()) gridToLonLat(*ring, frame);
  } else if (OGR_GT_IsSubClassOf(type, wkbGeometryCollection)) {
    for (OGRGeometry* part : *geometry.toGeometryCollection()) gridToLonLat(*part, frame);
  }
}

std::vector<Shape> shapesOf(const OGRGeometry& geometry) {
  std::vector<Shape> out;
  const auto type = wkbFlatten(geometry.getGeometryType());
  if (type == wkbPolygon) {
    out.push_back(shapeOf(*geometry.toPolygon()));
  } else if (type == wkbMultiPolygon || type == wkbGeometryCollection) {
    for (const OGRGeometry* part : *geometry.toGeometryCollection()) {
      auto sub = shapesOf(*part);
      out.insert(out.end(), sub.begin(), sub.end());
    }
  }
  return out;
}

}  // namespace parktwin::dataset
