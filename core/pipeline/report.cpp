// The report's numbers (collectReport) and a spec read from the workspace
// alone (inferReportSpec). The text and the plots are in report_markdown.cpp.
#include "core/pipeline/report.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <regex>
#include <set>

#include "core/store/evaluation_store.h"
#include "core/store/model_registry.h"
#include "core/store/run_store.h"
#include "core/store/workspace.h"
#include "core/util/error.h"

namespace understudy::pipeline {

namespace {

double mean(const std::vector<double>& v) {
  return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

// Sample standard deviation (divisor n − 1): the seeds are a sample of the
// seeds one could have run.
std::optional<double> sampleStddev(const std::vector<double>& v) {
  if (v.size() < 2) return std::nullopt;
  const double m = mean(v);
  double ss = 0.0;
  for (double x : v) ss += (x - m) * (x - m);
  return std::sqrt(ss / static_cast<double>(v.size() - 1));
}

// True when `runId` is `ancestor` or one of its descendants (parent links).
bool descendsFrom(RunStore& runs, std::int64_t runId, std::int64_t ancestor) {
  for (int depth = 0; runId != 0 && depth < 32; ++depth) {
    if (runId == ancestor) return true;
    const std::optional<RunRow> row = runs.run(runId);
    if (!row || !row->parentRunId) return false;
    runId = *row->parentRunId;
  }
  return false;
}

// One attempt at a model's training: its run and the first step it logged
// (train/loss; max() when it logged none).
struct Attempt {
  std::int64_t runId = 0;
  std::int64_t firstStep = std::numeric_limits<std::int64_t>::max();
};

// A model's training, newest attempt first. A run that was interrupted and
// resumed is several runs with one key (kind, name and config hash); read
// once per model, for all of its curves.
std::vector<Attempt> trainingAttempts(RunStore& runs, std::int64_t runId) {
  std::vector<std::int64_t> ids{runId};
  const std::optional<RunRow> row = runs.run(runId);
  if (row && !row->configHash.empty())
    for (const RunRow& r : runs.runsWithConfigHash(row->kind, row->configHash))  // newest first
      if (r.id < runId) ids.push_back(r.id);
  std::vector<Attempt> attempts;
  for (const std::int64_t id : ids) {
    Attempt a;
    a.runId = id;
    const std::vector<MetricPoint> loss = runs.metrics(id, "train/loss");  // in step order
    if (!loss.empty()) a.firstStep = loss.front().step;
    attempts.push_back(a);
  }
  return attempts;
}

// A metric's curve over a model's whole training: each earlier attempt
// contributes its points before the step the next attempt resumed at, so the
// curve starts at step 1 however often the training stopped. An attempt that
// started over from scratch hides everything before it. Where an attempt
// began is the first step it logged any metric at, so a metric it logs
// rarely (validation) does not let an older attempt's points through.
std::vector<std::pair<double, double>> curve(RunStore& runs, const std::vector<Attempt>& attempts,
                                             const std::string& name) {
  std::vector<std::pair<double, double>> out;
  std::int64_t before = std::numeric_limits<std::int64_t>::max();
  for (const Attempt& a : attempts) {
    std::vector<std::pair<double, double>> part;
    for (const MetricPoint& p : runs.metrics(a.runId, name))
      if (p.step < before) part.emplace_back(static_cast<double>(p.step), p.value);
    before = std::min(before, a.firstStep);
    if (!part.empty()) before = std::min(before, static_cast<std::int64_t>(part.front().first));
    out.insert(out.begin(), part.begin(), part.end());
  }
  return out;
}

std::string decodeHint(const Workspace& ws, const std::string& model, const std::string& set) {
  return "understudy-cli decode -w " + ws.root().string() + " --model " + model + " --dataset " + set;
}

void collectWer(Workspace& ws, const ReportSpec& spec, const std::vector<bool>& known,
                ReportNumbers& n) {
  const std::size_t sets = n.testSets.size();
  n.modelWer.assign(spec.models.size(), std::vector<std::optional<double>>(sets));
  if (sets > 0) {
    WerComparisonOptions options;
    options.datasets = n.testSets;
    const WerComparison c = EvaluationStore(ws).compareWer(options);
    for (std::size_t m = 0; m < spec.models.size(); ++m) {
      if (!known[m]) continue;
      const std::string& model = spec.models[m].name;
      std::vector<std::string> never;
      for (std::size_t d = 0; d < sets; ++d) {
        const std::optional<WerCell>& cell = c.cell(model, n.testSets[d]);
        if (!cell) {
          never.push_back(n.testSets[d]);
          continue;
        }
        n.modelWer[m][d] = cell->wer;
        if (cell->stale)
          n.notes.push_back(model + " on " + n.testSets[d] + ": evaluation " +
                            std::to_string(cell->evaluationId) +
                            " is older than the model (registered again after it); decode it again");
        if (cell->partial())
          n.notes.push_back(model + " on " + n.testSets[d] + ": evaluation " +
                            std::to_string(cell->evaluationId) + " scored " +
                            std::to_string(cell->numSentences) + " of " +
                            std::to_string(cell->datasetUtterances) + " utterances");
      }
      if (!never.empty()) {
        std::string list;
        for (const std::string& set : never) list += (list.empty() ? "" : ", ") + set;
        n.notes.push_back("— " + model + " was never decoded on " + list + " (" +
                          decodeHint(ws, model, never.size() == 1 ? never[0] : "SET") + ")");
      }
    }
  }

  // Groups in the order of their first model; each set's values in model order.
  std::map<std::string, std::size_t> index;
  std::vector<std::vector<std::size_t>> members;
  for (std::size_t m = 0; m < spec.models.size(); ++m) {
    const ReportModel& model = spec.models[m];
    const std::string group = model.group.empty() ? model.name : model.group;
    auto it = index.find(group);
    if (it == index.end()) {
      it = index.emplace(group, n.groups.size()).first;
      ReportGroup g;
      g.name = group;
      g.role = model.role;
      g.algorithm = model.algorithm;
      g.workers = model.workers;
      n.groups.push_back(g);
      members.emplace_back();
    }
    n.groups[it->second].models.push_back(model.name);
    n.groups[it->second].seeds.push_back(model.seed);
    members[it->second].push_back(m);
  }
  n.wer.assign(n.groups.size(), std::vector<WerStat>(sets));
  for (std::size_t g = 0; g < n.groups.size(); ++g)
    for (std::size_t d = 0; d < sets; ++d) {
      WerStat& s = n.wer[g][d];
      for (std::size_t m : members[g]) {
        if (n.modelWer[m][d])
          s.values.push_back(*n.modelWer[m][d]);
        else
          ++s.missing;
      }
      if (s.empty()) continue;
      s.mean = mean(s.values);
      s.stddev = sampleStddev(s.values);
      if (s.missing > 0)
        n.notes.push_back(n.groups[g].name + " on " + n.testSets[d] + ": mean over " +
                          std::to_string(s.values.size()) + " of " +
                          std::to_string(members[g].size()) + " models (the others were never decoded on it)");
    }

  if (spec.baselineGroup.empty()) {
    n.notes.push_back("no baseline group named: no relative WER reductions");
    return;
  }
  const auto b = index.find(spec.baselineGroup);
  if (b == index.end()) {
    n.notes.push_back("the baseline group '" + spec.baselineGroup +
                      "' has no model in the report: no relative WER reductions");
    return;
  }
  n.baseline = b->second;
  for (std::size_t d = 0; d < sets; ++d) {
    const WerStat& base = n.wer[b->second][d];
    if (base.empty()) {
      n.notes.push_back("no relative reduction on " + n.testSets[d] + ": the baseline group '" +
                        spec.baselineGroup + "' has no WER on it");
      continue;
    }
    for (std::size_t g = 0; g < n.groups.size(); ++g) {
      WerStat& s = n.wer[g][d];
      if (!s.empty()) s.relativeReduction = relativeWerReduction(base.mean, s.mean);
    }
  }
}

void collectLabels(Workspace& ws, const ReportSpec& spec, ReportNumbers& n) {
  if (spec.teacher.empty() || spec.unlabeledSet.empty()) {
    n.notes.push_back("no teacher or unlabeled set named: no labeling numbers");
    return;
  }
  const std::optional<ModelRow> teacher = findModel(ws.db(), spec.teacher);
  Catalog catalog(ws);
  const std::optional<DatasetRow> unlabeled = catalog.findDataset(spec.unlabeledSet);
  if (!teacher || !unlabeled) {
    n.notes.push_back("the " + std::string(!teacher ? "teacher '" + spec.teacher
                                                     : "unlabeled set '" + spec.unlabeledSet) +
                      "' is not in the workspace: no labeling numbers");
    return;
  }
  for (const SoftLabelSetRow& set : catalog.softLabelSets(*unlabeled))
    if (set.modelId == teacher->id) n.labelSets.push_back({set, catalog.softLabelSummary(set.id), false});
  if (n.labelSets.empty()) {
    n.notes.push_back("the teacher '" + spec.teacher + "' has labeled no set of '" + spec.unlabeledSet +
                      "' (understudy-cli label -w " + ws.root().string() + " --model " + spec.teacher +
                      " --dataset " + spec.unlabeledSet + ")");
    return;
  }
  // The recipe's own set, else the one in the default folder, else the newest.
  RunStore runs(ws.db());
  std::optional<std::size_t> chosen;
  if (spec.recipeRunId != 0)
    for (std::size_t i = n.labelSets.size(); i-- > 0 && !chosen;)
      if (descendsFrom(runs, n.labelSets[i].set.runId, spec.recipeRunId)) chosen = i;
  const std::string defaultPath = "softlabels/" + spec.unlabeledSet + "-" + spec.teacher;
  for (std::size_t i = 0; i < n.labelSets.size() && !chosen; ++i)
    if (n.labelSets[i].set.path == defaultPath) chosen = i;
  n.labelSets[chosen.value_or(n.labelSets.size() - 1)].chosen = true;
}

void collectCurves(Workspace& ws, const ReportSpec& spec, const std::vector<bool>& known,
                   ReportNumbers& n) {
  RunStore runs(ws.db());
  for (std::size_t m = 0; m < spec.models.size(); ++m) {
    ReportCurves c;
    c.model = spec.models[m].name;
    const std::optional<ModelRow> row = known[m] ? findModel(ws.db(), c.model) : std::nullopt;
    if (row && row->runId != 0) {
      c.runId = row->runId;
      const std::vector<Attempt> attempts = trainingAttempts(runs, c.runId);
      c.validLoss = curve(runs, attempts, "valid/loss");
      c.validAccuracy = curve(runs, attempts, "valid/frame_accuracy");
      c.trainLoss = curve(runs, attempts, "train/loss");
      c.labeledLoss = curve(runs, attempts, "train/labeled/loss");
      c.softLoss = curve(runs, attempts, "train/soft/kd_loss");
      const auto bytes = curve(runs, attempts, "dist/bytes_sent");
      c.bytesSteps = static_cast<std::int64_t>(bytes.size());
      for (const auto& p : bytes) c.meanBytesSent += p.second / static_cast<double>(bytes.size());
      const auto fraction = curve(runs, attempts, "dist/fraction_sent");
      if (!fraction.empty()) {
        double sum = 0.0;
        for (const auto& p : fraction) sum += p.second;
        c.meanFractionSent = sum / static_cast<double>(fraction.size());
      }
    } else if (row) {
      n.notes.push_back(c.model + ": no run recorded with the model: no learning curves");
    }
    n.curves.push_back(std::move(c));
  }
  for (std::size_t m = 0; m < spec.models.size(); ++m) {
    const ReportModel& model = spec.models[m];
    const ReportCurves& c = n.curves[m];
    if (model.algorithm.empty() || c.bytesSteps == 0) {
      if (!model.algorithm.empty() && known[m])
        n.notes.push_back(model.name + " (" + model.algorithm +
                          "): no dist/bytes_sent recorded: left out of the bytes per step");
      continue;
    }
    auto t = std::find_if(n.traffic.begin(), n.traffic.end(), [&](const ReportTraffic& x) {
      return x.algorithm == model.algorithm && x.workers == model.workers;
    });
    if (t == n.traffic.end()) {
      n.traffic.push_back({model.algorithm, model.workers, {}, 0.0, 0, std::nullopt});
      t = n.traffic.end() - 1;
    }
    t->models.push_back(model.name);
    t->steps += c.bytesSteps;
  }
  for (ReportTraffic& t : n.traffic) {
    std::vector<double> bytes, fractions;
    for (std::size_t m = 0; m < spec.models.size(); ++m) {
      if (std::find(t.models.begin(), t.models.end(), spec.models[m].name) == t.models.end()) continue;
      bytes.push_back(n.curves[m].meanBytesSent);
      if (n.curves[m].meanFractionSent) fractions.push_back(*n.curves[m].meanFractionSent);
    }
    t.meanBytesSent = mean(bytes);
    if (!fractions.empty()) t.meanFractionSent = mean(fractions);
  }
}

// "seed<N>" at the end of a model name: the group is the name without it.
const std::regex kSeedSuffix(R"(^(.*?)[-_]?seed(\d+)$)");
const std::regex kDistributedLine(R"(# distributed: (\d+) ranks?, algorithm (\w+))");
const std::regex kSeedLine(R"((^|\n)seed: (\d+))");

}  // namespace

ReportNumbers collectReport(Workspace& ws, const ReportSpec& spec) {
  ReportNumbers n;
  std::set<std::string> seen;
  std::vector<bool> known;
  for (const ReportModel& m : spec.models) {
    if (!seen.insert(m.name).second)
      throw US_ERROR("the report names model '" + m.name + "' twice")
          .file(ws.databasePath().string())
          .hint("each model of a recipe appears once in its report spec");
    known.push_back(findModel(ws.db(), m.name).has_value());
    if (!known.back())
      n.notes.push_back("— " + m.name + " is not in the workspace (was it trained?): no numbers for it");
  }
  Catalog catalog(ws);
  for (const std::string& set : spec.testSets) {
    if (catalog.findDataset(set))
      n.testSets.push_back(set);
    else
      n.notes.push_back("test set '" + set + "' is not in the workspace: left out");
  }
  collectWer(ws, spec, known, n);
  collectLabels(ws, spec, n);
  collectCurves(ws, spec, known, n);
  return n;
}

std::filesystem::path defaultReportDir(const Workspace& ws) { return ws.root() / "report"; }

ReportSpec inferReportSpec(Workspace& ws, std::int64_t recipeRunId) {
  ReportSpec spec;
  spec.recipeRunId = recipeRunId;
  RunStore runs(ws.db());
  if (recipeRunId != 0) {
    const std::optional<RunRow> recipe = runs.run(recipeRunId);
    if (!recipe)
      throw US_ERROR("no run with id " + std::to_string(recipeRunId) + " in the workspace")
          .file(ws.databasePath().string())
          .hint("understudy-cli runs -w " + ws.root().string() + " lists them");
    spec.recipeName = recipe->name;
  } else {
    spec.recipeName = ws.root().filename().string();
  }

  std::vector<ModelRow> models = listModels(ws.db());
  std::sort(models.begin(), models.end(),
            [](const ModelRow& a, const ModelRow& b) { return a.id < b.id; });
  for (const ModelRow& row : models) {
    if (recipeRunId != 0 && !descendsFrom(runs, row.runId, recipeRunId)) continue;
    ReportModel m;
    m.name = row.name;
    m.role = row.role;
    m.group = row.name;
    const std::string config = row.runId != 0 ? runs.runConfig(row.runId) : std::string();
    std::smatch match;
    if (std::regex_match(row.name, match, kSeedSuffix) && !match[1].str().empty()) {
      m.group = match[1].str();
      m.seed = std::stoull(match[2].str());
    } else if (std::regex_search(config, match, kSeedLine)) {
      m.seed = std::stoull(match[2].str());
    }
    if (std::regex_search(config, match, kDistributedLine)) {
      m.workers = std::stoi(match[1].str());
      m.algorithm = match[2].str();
    }
    spec.models.push_back(m);
  }

  Catalog catalog(ws);
  std::optional<SoftLabelSetRow> newest;
  for (const DatasetRow& d : catalog.datasets()) {
    if (d.kind == "test") spec.testSets.push_back(d.name);
    if (d.kind == "labeled" && spec.labeledSet.empty()) spec.labeledSet = d.name;
    for (const SoftLabelSetRow& set : catalog.softLabelSets(d)) {
      if (recipeRunId != 0 && !descendsFrom(runs, set.runId, recipeRunId)) continue;
      if (!newest || set.id > newest->id) newest = set;
    }
  }
  if (newest) {
    if (const auto teacher = findModel(ws.db(), newest->modelId)) spec.teacher = teacher->name;
    for (const DatasetRow& d : catalog.datasets())
      if (d.id == newest->datasetId) spec.unlabeledSet = d.name;
  }
  for (const ReportModel& m : spec.models) {
    if (spec.teacher.empty() && m.role == "teacher") spec.teacher = m.name;
    if (spec.baselineGroup.empty() && m.role == "baseline") spec.baselineGroup = m.group;
  }
  if (spec.unlabeledSet.empty())
    for (const DatasetRow& d : catalog.datasets())
      if (d.kind == "unlabeled") {
        spec.unlabeledSet = d.name;
        break;
      }
  return spec;
}

}  // namespace understudy::pipeline
