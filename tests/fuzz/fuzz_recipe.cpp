// Recipe loader (core/recipe/recipe.h): parseRecipe on the YAML text.
#include "core/recipe/recipe.h"
#include "fuzz/fuzz_target.h"

US_FUZZ_TARGET(recipe) {
  using namespace understudy;
  const std::string text(reinterpret_cast<const char*>(data), size);
  return fuzz::expectOnlyErrors([&] {
    const recipe::Recipe r = recipe::parseRecipe(text, "fuzz.yaml");
    (void)r.datasets();
    (void)r.models();
  });
}
