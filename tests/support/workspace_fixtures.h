// Rows a test puts into a workspace through core/store, as the commands
// would: a dataset with its utterances, a model trained by a finished run
// with given metrics, a WER evaluation of 100 reference words.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/store/catalog.h"
#include "core/store/evaluation_store.h"
#include "core/store/model_registry.h"
#include "core/store/run_store.h"
#include "core/store/workspace.h"

namespace understudy::test {

// A dataset of `kind` whose utterances have these keys (each with `text`).
inline std::int64_t addDataset(Workspace& ws, const std::string& name, const std::string& kind,
                               const std::vector<std::string>& keys, const std::string& text = "set a timer") {
  DatasetRow d;
  d.name = name;
  d.kind = kind;
  d.numUtterances = static_cast<std::int64_t>(keys.size());
  std::vector<UtteranceRow> utts;
  for (const auto& k : keys) {
    UtteranceRow u;
    u.key = k;
    u.text = text;
    utts.push_back(u);
  }
  return Catalog(ws).registerDataset(d, utts);
}

// A model registered from a finished `train` run with `config` and `metrics`.
inline std::int64_t addTrainedModel(Workspace& ws, const std::string& name, const std::string& role,
                                    const std::string& config, const std::vector<MetricPoint>& metrics) {
  RunStore runs(ws.db());
  const std::int64_t run = runs.startRun({"train", name, "", config, "", std::nullopt});
  runs.addMetrics(run, metrics);
  runs.finishRun(run, RunStatus::Finished);
  ModelRow m;
  m.name = name;
  m.role = role;
  m.runId = run;
  return registerModel(ws.db(), m);
}

// An evaluation of one utterance of 100 reference words with `errors`
// substitutions: WER = errors %.
inline void addWerEvaluation(Workspace& ws, std::int64_t model, std::int64_t dataset, std::int64_t errors) {
  Evaluation e;
  e.modelId = model;
  e.datasetId = dataset;
  UtteranceResult u;
  u.key = "u1";
  u.sub = errors;
  u.corr = 100 - errors;
  e.utterances = {u};
  EvaluationStore(ws).write(e);
}

}  // namespace understudy::test
