// The acoustic model's options as a plain, torch-free struct (the recipe
// schema's `model:` section): the trainer config, the CLI and the wizard read
// and write it; core/nn turns it into its TORCH_ARG AcousticModelOptions.
// docs/models.md has the architecture, the presets and the parameter count.
//
//   ModelOptions m = ModelOptions::preset("teacher-small");
//   m.numUnits = 70;
//   m.validate();                         // names the field, value and range
//   std::cout << m.toYaml();              // kind: blstm\ninput_dim: 64\n...
#pragma once

#include <cstdint>
#include <string>

#include "core/recipe/field_table.h"
#include "core/util/yaml_config.h"

namespace understudy::recipe {

struct ModelOptions {
  std::string kind = "blstm";     // lstm (streaming student) | blstm (teacher)
  std::int64_t inputDim = 64;     // fbank bins per 10 ms frame
  std::int64_t stack = 3;         // frames stacked [t-1, t, t+1] (odd)
  std::int64_t subsample = 3;     // keep every third -> 30 ms
  std::int64_t layers = 3;
  std::int64_t cells = 256;       // per direction
  std::int64_t projection = 0;    // 0 = none (LSTMP when > 0, < cells)
  double dropout = 0.0;           // between LSTM layers
  std::int64_t numUnits = 0;      // outputs; 0 until set from the unit inventory

  // The keys kind, input_dim, stack, subsample, layers, cells, projection,
  // dropout, num_units (in that order), their ranges and the cross-field
  // rules (odd stack, projection < cells). num_units 0 passes the table
  // (a trainer config fills it in from the targets); validate() needs it set.
  static const FieldTable<ModelOptions>& fields();

  // Throws an Error naming the field, its value and the allowed range.
  void validate() const;
  std::string toYaml() const;
  // Strict keys (unknown keys name key and line); validates except num_units,
  // which may be absent (0).
  static ModelOptions fromYaml(YamlSection& s);
  // "teacher-paper", "student-paper", "teacher-small", "student-small",
  // "teacher-tiny", "student-tiny" (num_units left 0: set it from the inventory).
  static ModelOptions preset(const std::string& name);

  bool bidirectional() const { return kind == "blstm"; }
  std::int64_t stackedDim() const { return inputDim * stack; }
  // Width of one LSTM layer's output per direction (projection or cells).
  std::int64_t hiddenOut() const { return projection > 0 ? projection : cells; }
  // Closed-form parameter count (docs/models.md).
  std::int64_t closedFormParameterCount() const;

  bool operator==(const ModelOptions& o) const { return toYaml() == o.toYaml(); }
  bool operator!=(const ModelOptions& o) const { return !(*this == o); }
};

}  // namespace understudy::recipe
