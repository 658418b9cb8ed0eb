#include "core/recipe/model_options.h"

#include <fmt/format.h>

#include <algorithm>

namespace understudy::recipe {

namespace {
constexpr std::int64_t kMaxUnits = 65535;  // soft labels store 2-byte unit ids (docs/design.md)
}

const FieldTable<ModelOptions>& ModelOptions::fields() {
  using M = ModelOptions;
  static const FieldTable<M> table =
      FieldTable<M>()
          .field("kind", &M::kind, "lstm: the unidirectional, streaming student; blstm: the bidirectional teacher",
                 Range::oneOf({"lstm", "blstm"}))
          .hint("lstm is the streaming student, blstm the teacher")
          .field("input_dim", &M::inputDim, "fbank bins per 10 ms frame", Range::closed(1, 4096))
          .field("stack", &M::stack, "10 ms frames stacked around each one, [t-k .. t+k] (odd)",
                 Range::closed(1, 15))
          .field("subsample", &M::subsample, "keep every n-th stacked frame (3: one model frame per 30 ms)",
                 Range::closed(1, 10))
          .field("layers", &M::layers, "LSTM layers", Range::closed(1, 20))
          .field("cells", &M::cells, "LSTM cells per layer and direction", Range::closed(1, 16384))
          .field("projection", &M::projection, "LSTMP projection width per direction, < cells",
                 Range::atLeast(0).note("0 = none"))
          .field("dropout", &M::dropout, "dropout between LSTM layers", Range::closedOpen(0, 1))
          .field("num_units", &M::numUnits, "output units; taken from the targets' unit inventory",
                 Range::closed(0, kMaxUnits).note("0 = from the targets"))
          .rule([](const M& m, const Scope& scope) {
            if (m.stack % 2 == 0)
              throw scope.outOfRange("stack", m.stack, "an odd number 1..15: [t-k .. t+k] is centred on t");
            if (m.projection >= std::max<std::int64_t>(1, m.cells))
              throw scope.outOfRange("projection", m.projection, fmt::format("[0, {}] (< cells)", m.cells - 1));
          });
  return table;
}

void ModelOptions::validate() const {
  const Scope scope("acoustic model");
  fields().validate(*this, scope);
  if (numUnits == 0)
    throw scope.outOfRange("num_units", numUnits, fmt::format("[1, {}]", kMaxUnits))
        .hint("set num_units from the unit inventory");
}

std::string ModelOptions::toYaml() const { return fields().toYaml(*this); }

ModelOptions ModelOptions::fromYaml(YamlSection& s) {
  ModelOptions o;
  fields().read(s, o);
  validateAt(s, [&] { fields().validate(o, Scope("acoustic model", s.path())); });
  return o;
}

ModelOptions ModelOptions::preset(const std::string& name) {
  ModelOptions o;
  auto shape = [&](const char* kind, std::int64_t layers, std::int64_t cells, std::int64_t projection) {
    o.kind = kind;
    o.layers = layers;
    o.cells = cells;
    o.projection = projection;
    return o;
  };
  // Paper-sized models (docs/models.md): 5 x 832 BLSTM ~ 78.3 M and
  // 5 x 1024 LSTMP (projection 512) ~ 23.9 M parameters at 3,000 units.
  if (name == "teacher-paper") return shape("blstm", 5, 832, 0);
  if (name == "student-paper") return shape("lstm", 5, 1024, 512);
  if (name == "teacher-small") return shape("blstm", 3, 256, 0);
  if (name == "student-small") return shape("lstm", 3, 256, 0);
  if (name == "teacher-tiny") return shape("blstm", 2, 64, 0);
  if (name == "student-tiny") return shape("lstm", 2, 64, 0);
  throw US_ERROR("unknown acoustic model preset '" + name + "'")
      .key("preset")
      .hint("teacher-paper, student-paper, teacher-small, student-small, teacher-tiny, student-tiny");
}

std::int64_t ModelOptions::closedFormParameterCount() const {
  const std::int64_t dirs = bidirectional() ? 2 : 1;
  const std::int64_t h = hiddenOut();
  std::int64_t total = 0;
  for (std::int64_t l = 0; l < layers; ++l) {
    const std::int64_t in = l == 0 ? stackedDim() : h * dirs;
    // W_ih [4c, in], W_hh [4c, h], b_ih + b_hh [4c] each, W_hr [p, c].
    const std::int64_t perDirection = 4 * cells * (in + h) + 8 * cells + (projection > 0 ? projection * cells : 0);
    total += dirs * perDirection;
  }
  return total + h * dirs * numUnits + numUnits;
}

}  // namespace understudy::recipe
