#include "enterprises.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>

namespace parktwin::dataset {
namespace {

/// Legal-form suffixes of generated company names.
const ZhEn kSuffixes[] = {{"科技有限公司", "Technology Co., Ltd."},
                          {"有限公司", "Co., Ltd."},
                          {"股份有限公司", "Corporation"},
                          {"实业有限公司", "Industrial Co., Ltd."}};

/// Makes unique, plausible company names and ids.
class Namer {
public:
  explicit Namer(const Spec& spec) : syllables_(spec.brand_syllables) {
    if (syllables_.size() < 8) throw std::runtime_error("dataset spec: brand_syllables needs at least 8 entries");
  }

  /// Reserves a name and id given by the spec.
  void reserve(const std::string& id, const ZhEn& name) {
    if (!ids_.insert(id).second) throw std::runtime_error("dataset spec: duplicate enterprise_id " + id);
    names_.insert(name.zh);
  }

  /// A new generated firm name and its slug id.
  std::pair<std::string, ZhEn> make(const GroupSpec& g, const ProductSpec& product, Rng& rng) {
    for (int attempt = 0; attempt < 1000; ++attempt) {
      const ZhEn& a = syllables_[static_cast<std::size_t>(rng.integer(0, static_cast<int>(syllables_.size()) - 1))];
      const ZhEn& b = syllables_[static_cast<std::size_t>(rng.integer(0, static_cast<int>(syllables_.size()) - 1))];
      if (a.zh == b.zh || a.en == b.en) continue;
      const ZhEn& place = g.name_prefixes[static_cast<std::size_t>(
          rng.integer(0, static_cast<int>(g.name_prefixes.size()) - 1))];
      const ZhEn& suffix = kSuffixes[rng.integer(0, 3)];
      std::string brandEn = a.en + lower(b.en);
      ZhEn name{place.zh + a.zh + b.zh + product.name_word.zh + suffix.zh,
                place.en + " " + brandEn + " " + product.name_word.en + " " + suffix.en};
      std::string id = lower(brandEn) + "_" + g.key;
      if (ids_.count(id) || names_.count(name.zh)) continue;
      ids_.insert(id);
      names_.insert(name.zh);
      return {id, name};
    }
    throw std::runtime_error("dataset spec: too few brand_syllables to name the firms of group " + g.key);
  }

private:
  static std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }
  const std::vector<ZhEn>& syllables_;
  std::set<std::string> ids_, names_;
};

/// Heavy-tailed (Pareto, alpha 1.4) revenue weight, capped.
double paretoWeight(Rng& rng) { return std::min(std::pow(1.0 - rng.uniform(), -1.0 / 1.4), 30.0); }

Enterprise base(const GroupSpec& g) {
  Enterprise e;
  e.park_id = g.park_id;
  e.chain = g.chain;
  e.cluster = g.cluster;
  e.segment = g.segment;
  e.source_ref = g.source_ref;
  return e;
}

void addNamed(const GroupSpec& g, Namer& namer, std::vector<Enterprise>& out) {
  for (const NamedFirm& n : g.named) {
    Enterprise e = base(g);
    e.enterprise_id = n.enterprise_id;
    e.name = n.name;
    e.area_id = n.area_id;
    e.role = n.role;
    e.product = n.product.empty() ? g.products.front().product : n.product;
    e.unit = g.products.front().unit;
    for (const ProductSpec& p : g.products) {
      if (p.product == e.product) e.unit = p.unit;
    }
    e.weight = n.weight;
    e.source = "source_document";
    e.ref_point = n.ref_point;
    if (!n.source_ref.empty()) e.source_ref = n.source_ref;
    namer.reserve(e.enterprise_id, e.name);
    out.push_back(std::move(e));
  }
}

void addGenerated(const GroupSpec& g, Namer& namer, Rng& rng, std::vector<Enterprise>& out) {
  const int generated = g.count - static_cast<int>(g.named.size());
  if (generated < 0) throw std::runtime_error("dataset spec: group " + g.key + " names more firms than its count");
  for (int i = 0; i < generated; ++i) {
    Enterprise e = base(g);
    const ProductSpec& p = g.products[static_cast<std::size_t>(rng.integer(0, static_cast<int>(g.products.size()) - 1))];
    auto [id, name] = namer.make(g, p, rng);
    e.enterprise_id = std::move(id);
    e.name = std::move(name);
    e.area_id = g.area_ids[static_cast<std::size_t>(i) % g.area_ids.size()];
    e.role = "member";
    e.product = p.product;
    e.unit = p.unit;
    e.weight = g.weight * paretoWeight(rng);
    e.source = "generated";
    out.push_back(std::move(e));
  }
}

/// Keeps every other firm of a cluster below its chain master (at most half its weight).
void capBelowChainMasters(std::vector<Enterprise>& firms) {
  std::map<std::string, double> master;
  for (const Enterprise& e : firms) {
    if (e.role == "chain_master") master[e.cluster] = std::max(master[e.cluster], e.weight);
  }
  for (Enterprise& e : firms) {
    const auto it = master.find(e.cluster);
    if (e.role != "chain_master" && it != master.end()) e.weight = std::min(e.weight, 0.5 * it->second);
  }
}

void normaliseRevenue(const Spec& spec, std::vector<Enterprise>& firms) {
  capBelowChainMasters(firms);
  std::map<std::string, double> sums;
  for (const Enterprise& e : firms) sums[e.cluster] += e.weight;
  for (const auto& [cluster, total] : spec.cluster_revenue) {
    if (!sums.count(cluster)) throw std::runtime_error("dataset spec: no enterprise in cluster " + cluster);
  }
  std::map<std::string, double> assigned;
  std::map<std::string, std::size_t> last;
  for (std::size_t i = 0; i < firms.size(); ++i) last[firms[i].cluster] = i;
  for (std::size_t i = 0; i < firms.size(); ++i) {
    Enterprise& e = firms[i];
    const auto it = spec.cluster_revenue.find(e.cluster);
    if (it == spec.cluster_revenue.end()) {
      throw std::runtime_error("dataset spec: cluster_revenue_2022_fact lacks cluster " + e.cluster);
    }
    // Whole yuan; the last firm of a cluster takes the remainder so the sum is exact.
    e.revenue_2022_yuan = last[e.cluster] == i ? it->second - assigned[e.cluster]
                                               : std::round(it->second * e.weight / sums[e.cluster]);
    assigned[e.cluster] += e.revenue_2022_yuan;
  }
}

AreaLayout& layoutOf(std::vector<AreaLayout>& layouts, const std::string& areaId) {
  for (AreaLayout& l : layouts) {
    if (l.area->area_id == areaId) return l;
  }
  throw std::runtime_error("dataset spec: enterprise area " + areaId + " is not a park area of the spec");
}

void site(Enterprise& e, AreaLayout& l, std::size_t parcel, Vec2 lonlat) {
  Parcel& p = l.parcels[parcel];
  if (p.enterprise_id.empty()) p.enterprise_id = e.enterprise_id;
  e.site_parcel_id = p.parcel_id;
  e.lonlat = lonlat;
}

void siteRealFirms(std::vector<Enterprise>& firms, std::vector<AreaLayout>& layouts, const RealData& real) {
  for (Enterprise& e : firms) {
    if (e.ref_point.empty()) continue;
    const auto pt = real.points.find(e.ref_point);
    if (pt == real.points.end()) {
      throw std::runtime_error("enterprise " + e.enterprise_id + ": reference point " + e.ref_point + " not found");
    }
    AreaLayout& l = layoutOf(layouts, e.area_id);
    site(e, l, parcelAt(l, l.frame.toGrid(pt->second)), pt->second);
  }
}

bool siteable(const Parcel& p) {
  return p.developed && p.enterprise_id.empty() && (p.landuse == "industrial" || p.landuse == "warehouse_logistics");
}

/// Larger firms get larger parcels; parcels are taken in a fixed order.
void siteOtherFirms(std::vector<Enterprise>& firms, std::vector<AreaLayout>& layouts) {
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < firms.size(); ++i) {
    if (firms[i].ref_point.empty()) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return firms[a].weight > firms[b].weight; });
  std::map<std::string, std::vector<std::size_t>> free;
  for (AreaLayout& l : layouts) {
    auto& list = free[l.area->area_id];
    for (std::size_t i = 0; i < l.parcels.size(); ++i) {
      if (siteable(l.parcels[i])) list.push_back(i);
    }
    std::stable_sort(list.begin(), list.end(),
                     [&](auto a, auto b) { return l.parcels[a].area_m2 > l.parcels[b].area_m2; });
    std::reverse(list.begin(), list.end());  // pop_back takes the largest
  }
  for (std::size_t i : order) {
    Enterprise& e = firms[i];
    AreaLayout& l = layoutOf(layouts, e.area_id);
    auto& list = free[e.area_id];
    while (!list.empty() && !siteable(l.parcels[list.back()])) list.pop_back();
    if (list.empty()) {
      throw std::runtime_error("park area " + e.area_id + " has too few industrial parcels for its enterprises: " +
                               "enlarge it or raise its industrial landuse share in the dataset spec");
    }
    const std::size_t parcel = list.back();
    list.pop_back();
    site(e, l, parcel, l.frame.toLonLat(l.parcels[parcel].rect.centre()));
  }
}

/// Land uses that firms occupy; the rest (dormitories, commercial, utility, green, reserve) stays shared.
bool firmLand(const Parcel& p) {
  return p.developed &&
         (p.landuse == "industrial" || p.landuse == "warehouse_logistics" || p.landuse == "office_rnd");
}

/// Firms that office_rnd parcels go to first when their area has any.
bool prefersOfficeLand(const Enterprise& e) { return e.cluster == "electronic_information"; }

/// Gives every firm-land parcel that no site holds to an enterprise of the same area. Each firm's
/// quota is the area's firm land (developed industrial, warehouse_logistics and office_rnd parcels,
/// sites included) times its share of the area's revenue. Firms grow from their sites: the firm
/// with the lowest held/quota ratio (ties: spec order) takes the free parcel nearest its site point,
/// until every such parcel is taken. office_rnd parcels go only to electronics firms where the area
/// has any. Deterministic; no random numbers.
void assignFirmLand(const std::vector<Enterprise>& firms, std::vector<AreaLayout>& layouts) {
  for (AreaLayout& l : layouts) {
    std::vector<std::size_t> members;
    for (std::size_t i = 0; i < firms.size(); ++i) {
      if (firms[i].area_id == l.area->area_id) members.push_back(i);
    }
    if (members.empty()) continue;
    const std::size_t n = members.size();
    double land = 0, revenue = 0;
    for (const Parcel& p : l.parcels) {
      if (firmLand(p)) land += p.area_m2;
    }
    bool anyOffice = false;
    std::map<std::string, std::size_t> slot;
    for (std::size_t k = 0; k < n; ++k) {
      const Enterprise& e = firms[members[k]];
      revenue += std::max(e.revenue_2022_yuan, 0.0);
      anyOffice = anyOffice || prefersOfficeLand(e);
      slot.emplace(e.enterprise_id, k);
    }
    std::vector<double> quota(n), held(n, 0.0);
    for (std::size_t k = 0; k < n; ++k) {
      const double rev = std::max(firms[members[k]].revenue_2022_yuan, 0.0);
      quota[k] = std::max(revenue > 0 ? land * rev / revenue : land / static_cast<double>(n), 1.0);
    }
    for (const Parcel& p : l.parcels) {
      const auto it = slot.find(p.enterprise_id);
      if (it != slot.end()) held[it->second] += p.area_m2;
    }
    // Free parcels of each firm, nearest to its site first (ties by parcel index).
    std::vector<std::vector<std::pair<double, std::size_t>>> nearest(n);
    for (std::size_t k = 0; k < n; ++k) {
      const Enterprise& e = firms[members[k]];
      const Vec2 s = l.frame.toGrid(e.lonlat);
      const bool office = !anyOffice || prefersOfficeLand(e);
      for (std::size_t i = 0; i < l.parcels.size(); ++i) {
        const Parcel& p = l.parcels[i];
        if (!firmLand(p) || !p.enterprise_id.empty() || (p.landuse == "office_rnd" && !office)) continue;
        const Vec2 c = p.rect.centre();
        nearest[k].emplace_back(std::hypot(c.x - s.x, c.y - s.y), i);
      }
      std::sort(nearest[k].begin(), nearest[k].end());
    }
    std::vector<std::size_t> next(n, 0);
    std::set<std::pair<double, std::size_t>> queue;  // (held / quota, k): the least served firm first
    for (std::size_t k = 0; k < n; ++k) queue.emplace(held[k] / quota[k], k);
    while (!queue.empty()) {
      const std::size_t k = queue.begin()->second;
      queue.erase(queue.begin());
      auto& list = nearest[k];
      while (next[k] < list.size() && !l.parcels[list[next[k]].second].enterprise_id.empty()) ++next[k];
      if (next[k] == list.size()) continue;  // nothing left this firm may take
      Parcel& p = l.parcels[list[next[k]++].second];
      p.enterprise_id = firms[members[k]].enterprise_id;
      held[k] += p.area_m2;
      queue.emplace(held[k] / quota[k], k);
    }
  }
}

}  // namespace

std::vector<Enterprise> makeEnterprises(const Spec& spec, std::vector<AreaLayout>& layouts, const RealData& real,
                                        Rng rng) {
  Namer namer(spec);
  std::vector<Enterprise> firms;
  for (const GroupSpec& g : spec.groups) addNamed(g, namer, firms);
  for (const GroupSpec& g : spec.groups) {
    Rng groupRng = rng.fork(g.key);
    addGenerated(g, namer, groupRng, firms);
  }
  normaliseRevenue(spec, firms);
  siteRealFirms(firms, layouts, real);
  siteOtherFirms(firms, layouts);
  assignFirmLand(firms, layouts);
  return firms;
}

}  // namespace parktwin::dataset
