#include "supply.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <stdexcept>
#include <tuple>

namespace parktwin::dataset {
namespace {

int segmentRank(const std::string& s) {
  if (s == "upstream") return 0;
  if (s == "midstream") return 1;
  if (s == "downstream") return 2;
  throw std::runtime_error("enterprise segment '" + s + "' is not upstream, midstream or downstream");
}

bool matches(const FirmSelector& sel, const Enterprise& e) {
  return e.park_id == sel.park_id && std::find(sel.products.begin(), sel.products.end(), e.product) != sel.products.end();
}

std::vector<std::size_t> select(const FirmSelector& sel, const std::vector<Enterprise>& firms, const std::string& rule) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < firms.size(); ++i) {
    if (matches(sel, firms[i])) out.push_back(i);
  }
  if (out.empty()) throw std::runtime_error("dataset spec: supply rule " + rule + " selects no enterprise");
  return out;
}

/// Great-circle distance in km (spherical Earth; only used to rank customers).
double distanceKm(Vec2 a, Vec2 b) {
  constexpr double kRad = M_PI / 180, kEarth = 6371.0;
  const double dlat = (b.y - a.y) * kRad, dlon = (b.x - a.x) * kRad;
  const double h = std::sin(dlat / 2) * std::sin(dlat / 2) +
                   std::cos(a.y * kRad) * std::cos(b.y * kRad) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * kEarth * std::asin(std::min(1.0, std::sqrt(h)));
}

/// Attractiveness of a customer to a supplier: larger and nearer customers weigh more.
double customerWeight(const SupplySpec& s, const Enterprise& sup, const Enterprise& cus) {
  return std::pow(std::max(cus.revenue_2022_yuan, 1.0), s.size_exponent) /
         (1.0 + distanceKm(sup.lonlat, cus.lonlat) / s.distance_scale_km);
}

/// Customers per supplier: from min to max by the supplier's revenue relative to the rule's largest.
int customerCount(const SupplyRuleSpec& r, double revenue, double largest) {
  const double f = largest > 0 ? std::sqrt(std::max(revenue, 0.0) / largest) : 1.0;
  return r.min_customers + static_cast<int>(std::lround(f * (r.max_customers - r.min_customers)));
}

/// x rounded to `digits` significant digits (keeps small volumes of large units non-zero).
double roundSignificant(double x, int digits) {
  if (!(x > 0)) return x;
  const double scale = std::pow(10.0, digits - 1 - static_cast<int>(std::floor(std::log10(x))));
  return std::round(x * scale) / scale;
}

}  // namespace

std::vector<SupplyLink> makeSupplyLinks(const Spec& spec, const std::vector<Enterprise>& firms, Rng rng) {
  const SupplySpec& s = spec.supply;
  std::map<std::string, const SupplyProductSpec*> priceOf;
  for (const SupplyProductSpec& p : s.products) {
    if (!(p.price_yuan_per_unit > 0)) throw std::runtime_error("dataset spec: supply product " + p.product + " needs a positive price");
    priceOf[p.product] = &p;
  }

  std::vector<SupplyLink> links;
  std::set<std::pair<std::size_t, std::size_t>> pairs;  // a supplier links a customer once
  std::vector<std::vector<std::size_t>> suppliersOf(s.rules.size());
  auto add = [&](std::size_t sup, std::size_t cus, std::size_t rule, double weight) {
    if (sup == cus || !pairs.insert({sup, cus}).second) return;
    const auto price = priceOf.find(firms[sup].product);
    if (price == priceOf.end()) {
      throw std::runtime_error("dataset spec: supply_links.products lacks a price for " + firms[sup].product);
    }
    if (segmentRank(firms[sup].segment) > segmentRank(firms[cus].segment)) {
      throw std::runtime_error("dataset spec: supply rule " + s.rules[rule].key + " runs " + firms[sup].segment +
                               " -> " + firms[cus].segment + " (" + firms[sup].enterprise_id + " -> " +
                               firms[cus].enterprise_id + ")");
    }
    links.push_back({"", sup, cus, rule, price->second, weight, 0, 0});
  };

  // 1. Each supplier of each rule picks its customers without replacement, weighted.
  for (std::size_t ri = 0; ri < s.rules.size(); ++ri) {
    const SupplyRuleSpec& r = s.rules[ri];
    const auto sups = select(r.suppliers, firms, r.key);
    const auto cuss = select(r.customers, firms, r.key);
    double largest = 0;
    for (std::size_t i : sups) largest = std::max(largest, firms[i].revenue_2022_yuan);
    for (std::size_t i : sups) {
      Rng local = rng.fork(r.key + ":" + firms[i].enterprise_id);
      if (!local.chance(r.supplier_chance)) continue;
      suppliersOf[ri].push_back(i);
      std::vector<std::size_t> pool;
      std::vector<double> w;
      for (std::size_t c : cuss) {
        if (c == i) continue;
        pool.push_back(c);
        w.push_back(customerWeight(s, firms[i], firms[c]));
      }
      const int n = std::min(customerCount(r, firms[i].revenue_2022_yuan, largest), static_cast<int>(pool.size()));
      for (int k = 0; k < n; ++k) {
        const std::size_t pick = local.weighted(w);
        add(i, pool[pick], ri, w[pick] * local.range(0.5, 1.5));
        w[pick] = 0;
      }
    }
  }

  // 2. Every enterprise in at least one link: a firm left out becomes the customer of a supplier of
  //    the first rule that lists it as a customer (that rule's supplier drawn by revenue), or failing
  //    that the supplier of the first rule that lists it as a supplier.
  std::vector<bool> linked(firms.size(), false);
  for (const SupplyLink& l : links) linked[l.supplier] = linked[l.customer] = true;
  for (std::size_t e = 0; e < firms.size(); ++e) {
    if (linked[e]) continue;
    Rng local = rng.fork("coverage:" + firms[e].enterprise_id);
    for (std::size_t ri = 0; ri < s.rules.size() && !linked[e]; ++ri) {
      const SupplyRuleSpec& r = s.rules[ri];
      if (matches(r.customers, firms[e])) {
        std::vector<std::size_t> pool;
        std::vector<double> w;
        for (std::size_t i : select(r.suppliers, firms, r.key)) {
          if (i == e) continue;
          pool.push_back(i);
          w.push_back(std::max(firms[i].revenue_2022_yuan, 1.0) / (1.0 + distanceKm(firms[i].lonlat, firms[e].lonlat) / s.distance_scale_km));
        }
        if (pool.empty()) continue;
        const std::size_t sup = pool[local.weighted(w)];
        add(sup, e, ri, customerWeight(s, firms[sup], firms[e]) * local.range(0.5, 1.5));
      } else if (matches(r.suppliers, firms[e])) {
        std::vector<std::size_t> pool;
        std::vector<double> w;
        for (std::size_t c : select(r.customers, firms, r.key)) {
          if (c == e) continue;
          pool.push_back(c);
          w.push_back(customerWeight(s, firms[e], firms[c]));
        }
        if (pool.empty()) continue;
        const std::size_t pick = local.weighted(w);
        add(e, pool[pick], ri, w[pick] * local.range(0.5, 1.5));
      } else {
        continue;
      }
      linked[e] = true;
      linked[links.back().supplier] = linked[links.back().customer] = true;
    }
    if (!linked[e]) {
      throw std::runtime_error("dataset spec: no supply rule links enterprise " + firms[e].enterprise_id + " (" +
                               firms[e].park_id + ", " + firms[e].product + ")");
    }
  }

  // 3. Values: each supplier sells a drawn share of its revenue inside the dataset, split by weight.
  std::vector<double> weightSum(firms.size(), 0.0), share(firms.size(), 0.0);
  for (const SupplyLink& l : links) weightSum[l.supplier] += l.weight;
  for (std::size_t i = 0; i < firms.size(); ++i) {
    Rng local = rng.fork("share:" + firms[i].enterprise_id);
    share[i] = local.range(s.share_lo, s.share_hi);
  }
  for (SupplyLink& l : links) {
    l.value_yuan = firms[l.supplier].revenue_2022_yuan * share[l.supplier] * l.weight / weightSum[l.supplier];
  }
  // A customer buys at most customer_input_share of its revenue through links; beyond that its
  // inflow is scaled down (the supplier sells the difference outside the dataset).
  std::vector<double> inflow(firms.size(), 0.0);
  for (const SupplyLink& l : links) inflow[l.customer] += l.value_yuan;
  for (SupplyLink& l : links) {
    const double cap = s.customer_input_share * firms[l.customer].revenue_2022_yuan;
    if (inflow[l.customer] > cap) l.value_yuan *= cap / inflow[l.customer];
    l.value_yuan = std::round(l.value_yuan);
    l.volume = l.value_yuan / l.product->price_yuan_per_unit;
    l.volume = roundSignificant(l.volume, 6);
    if (!(l.value_yuan > 0) || !(l.volume > 0)) {
      throw std::runtime_error("supply link " + firms[l.supplier].enterprise_id + " -> " +
                               firms[l.customer].enterprise_id + " has no value; raise customer_input_share");
    }
  }

  // Stable order: by rule, then supplier and customer in enterprise order.
  std::stable_sort(links.begin(), links.end(), [](const SupplyLink& a, const SupplyLink& b) {
    return std::tie(a.rule, a.supplier, a.customer) < std::tie(b.rule, b.supplier, b.customer);
  });
  for (std::size_t i = 0; i < links.size(); ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "sl_%05zu", i + 1);
    links[i].link_id = id;
  }
  return links;
}

}  // namespace parktwin::dataset
