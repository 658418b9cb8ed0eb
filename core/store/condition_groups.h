// Condition groups: how results are broken down by recording condition, the
// same for the evaluator (docs/models.md "Evaluating a model") and the label
// summary (docs/labeling.md "The label summary").
//
// An utterance's groups come from its `utterances.metadata` JSON, the
// synthetic corpus' fields: "clean" or "noise/<type>", "snr/<band>" for noisy
// ones (0-5, 5-10, 10-20 or 20+ dB; a band holds its lower edge), and
// "voice/<voice>". Metadata without a "noise" field (imported data) gives no
// groups, so such data is reported overall only.
//
//   conditionGroups(R"({"noise":"babble","snr_db":4.9,"voice":"en-us"})")
//     == {"noise/babble", "snr/0-5", "voice/en-us"}
//   std::sort(names.begin(), names.end(), conditionGroupBefore);  // report order
#pragma once

#include <string>
#include <vector>

namespace understudy {

// The groups of one utterance, in the order above. Empty for metadata without
// a string "noise" field and for text that is not JSON.
std::vector<std::string> conditionGroups(const std::string& metadataJson);

// The order reports list groups in: "clean", then "noise/*" by name, then
// "snr/*" by band (lower edge ascending), then everything else ("voice/*")
// by name. A strict weak ordering (usable with std::sort).
bool conditionGroupBefore(const std::string& a, const std::string& b);

// Sorts names into that order.
void sortConditionGroups(std::vector<std::string>& groups);

}  // namespace understudy
