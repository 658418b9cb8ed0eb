// The one config hash: what keys a step's output and its run in workspace.db
// (docs/recipes.md "Caching").
//
//   std::string h = configHash(options.toYaml());            // "3f9c0a1b2d4e5f60"
//   std::string k = configHash("features", {h, datasetKey});  // a step: kind + parts
//
// XXH3-64 of the text, as 16 lower-case hex digits. The text is a config's
// canonical YAML (its toYaml(): every key, defaults written out, fixed order),
// so the same settings always give the same hash and any change gives another.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace understudy {

// 16 hex digits of XXH3-64(text).
std::string configHash(std::string_view canonicalText);

// A step's key: the hash of its kind and its parts (its config's hash, the
// keys of the steps it reads, dataset names), each part length-prefixed so
// that no two different lists give the same bytes.
std::string configHash(std::string_view kind, const std::vector<std::string>& parts);

}  // namespace understudy
