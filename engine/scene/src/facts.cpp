// Figures quoted from the source document (press conference on the "1269" action plan, Jiangxi
// provincial government information office, Nanchang, 14 July 2023; see FACTS.md in the dataset
// provenance). These are facts, shown with their source; nothing here is generated.
#include "parktwin/scene/scene.h"

namespace parktwin::scene {

namespace {
constexpr const char* kSrc = "Jiangxi '1269' plan press conference, 2023-07-14";
}

std::vector<Fact> park_facts(const std::string& id) {
  if (id == "nanchang")
    return {
        {"Electronics revenue 2017 -> 2022", "30 bn -> 150 bn yuan (38 %/yr)", kSrc},
        {"Complete handset makers", "6 (ODMs Huaqin, Longcheer, Tinno, Transsion among them)", kSrc},
        {"Supporting supply-chain firms", "84", kSrc},
        {"Handset shipments 2022", "120 million", kSrc},
        {"Handset target 2026", "200 million", kSrc},
        {"LED", "Zhaochi Jingxian, AMEC, Lattice Power; scale to double by 2026", kSrc},
    };
  if (id == "yingtan")
    return {
        {"Copper revenue 2022", "372.45 bn yuan (78 % of the province)", kSrc},
        {"Electrolytic copper 2022", "1.2926 Mt", kSrc},
        {"Copper products 2022", "2.0588 Mt", kSrc},
        {"Product lines", "plate/strip, rod, wire, bar, foil", kSrc},
    };
  if (id == "yichun")
    return {
        {"Lithium-battery revenue 2022", "111.7 bn yuan", kSrc},
        {"Revenue target 2026", "over 350 bn, striving for 450 bn yuan", kSrc},
        {"Lithium-salt producers", "14; lithium carbonate over 140 kt in 2022 (~1/3 of China)", kSrc},
        {"Battery (cell) firms", "33, planned capacity over 200 GWh", kSrc},
        {"Gotion", "phase 1 10 GWh in production, phase 2 20 GWh under construction", kSrc},
        {"CATL", "lighthouse factory; one workshop over 32 GWh", kSrc},
    };
  return {};
}

}  // namespace parktwin::scene
