// The report's text (reportMarkdown) and files (writeReport): report.md and
// the plots it shows, drawn through the host's PlotSink.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <system_error>

#include "core/pipeline/report.h"
#include "core/store/workspace.h"
#include "core/util/error.h"

namespace understudy::pipeline {

namespace {

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string signedPercent(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%+.1f %%", v);
  return buf;
}

// 38871554 -> "38,871,554"
std::string grouped(double v) {
  std::string digits = fixed(std::round(v), 0), out;
  const bool negative = !digits.empty() && digits[0] == '-';
  if (negative) digits.erase(0, 1);
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return (negative ? "-" : "") + out;
}

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

std::string code(const std::string& s) { return "`" + s + "`"; }

const char* const kMissing = "—";

std::string werCell(const WerStat& s) {
  if (s.empty()) return kMissing;
  std::string out = fixed(s.mean, 2);
  if (s.stddev) out += " ± " + fixed(*s.stddev, 2);
  if (s.missing > 0) out += " (" + std::to_string(s.values.size()) + " of " +
                            std::to_string(s.values.size() + static_cast<std::size_t>(s.missing)) + ")";
  return out;
}

// The mean of the last `n` points' values (the training losses are noisy step to step).
std::optional<double> tailMean(const std::vector<std::pair<double, double>>& points, std::size_t n) {
  if (points.empty()) return std::nullopt;
  const std::size_t from = points.size() > n ? points.size() - n : 0;
  double sum = 0.0;
  for (std::size_t i = from; i < points.size(); ++i) sum += points[i].second;
  return sum / static_cast<double>(points.size() - from);
}

// Consecutive windows of about points/150 points, each drawn at its mean step and value.
PlotSeries windowed(const std::string& name, const std::vector<std::pair<double, double>>& points) {
  PlotSeries s;
  s.name = name;
  const std::size_t w = std::max<std::size_t>(1, (points.size() + 149) / 150);
  for (std::size_t i = 0; i < points.size(); i += w) {
    const std::size_t end = std::min(points.size(), i + w);
    double x = 0.0, y = 0.0;
    for (std::size_t j = i; j < end; ++j) {
      x += points[j].first;
      y += points[j].second;
    }
    s.x.push_back(x / static_cast<double>(end - i));
    s.y.push_back(y / static_cast<double>(end - i));
  }
  return s;
}

PlotSeries series(const std::string& name, const std::vector<std::pair<double, double>>& points,
                  double scale = 1.0) {
  PlotSeries s;
  s.name = name;
  for (const auto& p : points) {
    s.x.push_back(p.first);
    s.y.push_back(p.second * scale);
  }
  return s;
}

std::string trafficName(const ReportTraffic& t) {
  return t.algorithm + ", " + std::to_string(t.workers) + " workers";
}

const ReportLabelSet* chosenSet(const ReportNumbers& n) {
  for (const ReportLabelSet& s : n.labelSets)
    if (s.chosen) return &s;
  return nullptr;
}

void werSection(const ReportSpec& spec, const ReportNumbers& n, const std::string& plot,
                std::string& md) {
  md += "## Word error rate\n\n";
  if (n.testSets.empty()) {
    md += "No test set to report (the spec names none that the workspace has).\n\n";
    return;
  }
  md += "WER in % of the newest evaluation of each model on each test set (as `understudy-cli "
        "compare` shows). A group's cell is the mean over its models (seeds), ± the sample "
        "standard deviation (divisor n − 1) where it has two or more; \"(2 of 3)\" when some "
        "were not decoded; " + std::string(kMissing) + " where none was.\n\n";
  std::string header = "| group | role | seeds |", rule = "|---|---|---|";
  for (const std::string& set : n.testSets) {
    header += " " + set + " |";
    rule += "---:|";
  }
  md += header + "\n" + rule + "\n";
  for (std::size_t g = 0; g < n.groups.size(); ++g) {
    const ReportGroup& group = n.groups[g];
    std::vector<std::string> seeds;
    for (std::uint64_t s : group.seeds) seeds.push_back(std::to_string(s));
    md += "| " + group.name + (n.baseline == g ? " (baseline)" : "") + " | " + group.role + " | " +
          join(seeds, ", ") + " |";
    for (const WerStat& s : n.wer[g]) md += " " + werCell(s) + " |";
    md += "\n";
  }
  md += "\n";
  if (n.baseline) {
    md += "Relative WER reduction against the baseline group " + code(spec.baselineGroup) +
          ": (WER_baseline − WER) / WER_baseline in %, from the groups' means; positive = fewer "
          "errors than the baseline.\n\n";
    md += "| group |";
    std::string rule2 = "|---|";
    for (const std::string& set : n.testSets) {
      md += " " + set + " |";
      rule2 += "---:|";
    }
    md += "\n" + rule2 + "\n";
    for (std::size_t g = 0; g < n.groups.size(); ++g) {
      if (g == *n.baseline) continue;
      md += "| " + n.groups[g].name + " |";
      for (std::size_t d = 0; d < n.testSets.size(); ++d) {
        const WerStat& s = n.wer[g][d];
        md += " " + (s.relativeReduction ? signedPercent(*s.relativeReduction)
                                         : std::string(kMissing)) + " |";
      }
      md += "\n";
    }
    md += "\n";
  }
  if (!plot.empty()) md += "![WER per test set](" + plot + ")\n\n";

  md += "Each model:\n\n| model | group | seed | algorithm |";
  std::string rule3 = "|---|---|---:|---|";
  for (const std::string& set : n.testSets) {
    md += " " + set + " |";
    rule3 += "---:|";
  }
  md += "\n" + rule3 + "\n";
  for (std::size_t m = 0; m < spec.models.size(); ++m) {
    const ReportModel& model = spec.models[m];
    md += "| " + model.name + " | " + (model.group.empty() ? model.name : model.group) + " | " +
          std::to_string(model.seed) + " | " +
          (model.algorithm.empty() ? std::string("one process")
                                   : model.algorithm + " × " + std::to_string(model.workers)) +
          " |";
    for (const auto& wer : n.modelWer[m]) md += " " + (wer ? fixed(*wer, 2) : std::string(kMissing)) + " |";
    md += "\n";
  }
  md += "\n";
}

void labelSections(const ReportSpec& spec, const ReportNumbers& n, const std::string& plot,
                   std::string& md) {
  md += "## The teacher's labels against the truth\n\n";
  const ReportLabelSet* chosen = chosenSet(n);
  if (!chosen) {
    md += "No soft-label set of the teacher " + code(spec.teacher) + " on " +
          code(spec.unlabeledSet) + " (see the notes).\n\n";
  } else if (!chosen->summary) {
    md += code(chosen->set.path) + " has no label summary yet (written as `label` commits).\n\n";
  } else {
    const SoftLabelSummary& s = *chosen->summary;
    md += code(chosen->set.path) + " (k = " + std::to_string(chosen->set.k) + ", " +
          chosen->set.quantization + ", by " + code(spec.teacher) + "): " + grouped(double(s.utterances())) +
          " utterances, " + grouped(double(s.frames())) + " frames; mean top-1 probability " +
          fixed(s.meanTop1(), 3) + ", mean entropy " + fixed(s.meanEntropy(), 3) + " nats.\n\n";
    if (!s.hasTruth()) {
      md += "The set's dataset has no frame targets: nothing to compare the labels with.\n\n";
    } else {
      md += "Against the true frame targets, per condition: the share of frames whose most "
            "probable stored unit is the true one, and whose true unit is among the k stored.\n\n"
            "| condition | utterances | frames | top-1 = truth (%) | truth in top-k (%) |\n"
            "|---|---:|---:|---:|---:|\n";
      for (const SoftLabelTruthTally& t : s.truth())
        md += "| " + t.group + " | " + grouped(double(t.utterances)) + " | " +
              grouped(double(t.frames)) + " | " + fixed(100.0 * t.top1Accuracy(), 1) + " | " +
              fixed(100.0 * t.topKRecall(), 1) + " |\n";
      md += "\n";
      if (!plot.empty()) md += "![Labeling accuracy by condition](" + plot + ")\n\n";
    }
  }

  md += "## Label storage per frame\n\n";
  if (n.labelSets.empty()) {
    md += "No soft-label set to measure.\n\n";
    return;
  }
  md += "Every set of the teacher on " + code(spec.unlabeledSet) +
        ": bytes on disk (shards, index, journal, metadata) per 30 ms model frame, next to the "
        "dense posteriors as 4-byte floats (units × 4).\n\n"
        "| set | k | precision | frames | bytes on disk | bytes per frame | dense fp32 per frame |\n"
        "|---|---:|---|---:|---:|---:|---:|\n";
  for (const ReportLabelSet& l : n.labelSets) {
    md += "| " + code(l.set.path) + (l.chosen ? " (above)" : "") + " | " + std::to_string(l.set.k) +
          " | " + l.set.quantization + " | " + grouped(double(l.set.numFrames)) + " | ";
    if (l.summary)
      md += grouped(double(l.summary->storeBytes())) + " | " + fixed(l.summary->bytesPerFrame(), 1) +
            " | " + std::to_string(l.summary->numUnits() * 4) + " |\n";
    else
      md += std::string(kMissing) + " | " + kMissing + " | " + kMissing + " |\n";
  }
  md += "\n";
}

void curvesSection(const ReportSpec& spec, const ReportNumbers& n,
                   const std::map<std::string, std::string>& plots, std::string& md) {
  md += "## Learning curves\n\n";
  md += "From each model's training run: the losses as the mean of the last 50 logged steps "
        "(train/loss on every step; the labeled stream's cross-entropy and the soft stream's KD "
        "loss on their own steps), the validation loss at the last validation, and the best "
        "validation frame accuracy with its step.\n\n"
        "| model | run | steps | train/loss | labeled CE | soft KD | valid/loss | best valid accuracy (%) |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|\n";
  auto cell = [](const std::optional<double>& v) { return v ? fixed(*v, 3) : std::string(kMissing); };
  for (std::size_t m = 0; m < spec.models.size(); ++m) {
    const ReportCurves& c = n.curves[m];
    md += "| " + c.model + " | " + (c.runId ? std::to_string(c.runId) : std::string(kMissing)) + " | " +
          (c.trainLoss.empty() ? std::string(kMissing) : grouped(c.trainLoss.back().first)) + " | " +
          cell(tailMean(c.trainLoss, 50)) + " | " + cell(tailMean(c.labeledLoss, 50)) + " | " +
          cell(tailMean(c.softLoss, 50)) + " | " +
          cell(c.validLoss.empty() ? std::nullopt : std::optional<double>(c.validLoss.back().second)) + " | ";
    if (c.validAccuracy.empty()) {
      md += std::string(kMissing) + " |\n";
    } else {
      const auto best = std::max_element(c.validAccuracy.begin(), c.validAccuracy.end(),
                                         [](const auto& a, const auto& b) { return a.second < b.second; });
      md += fixed(100.0 * best->second, 1) + " at " + grouped(best->first) + " |\n";
    }
  }
  md += "\n";
  const std::pair<const char*, const char*> shown[] = {
      {"valid_accuracy", "Validation frame accuracy"},
      {"valid_loss", "Validation loss"},
      {"train_loss", "Labeled-stream training loss"}};
  for (const auto& [key, title] : shown) {
    const auto it = plots.find(key);
    if (it != plots.end()) md += "![" + std::string(title) + "](" + it->second + ")\n\n";
  }
}

void bytesSection(const ReportSpec& spec, const ReportNumbers& n, const std::string& plot,
                  std::string& md) {
  md += "## Bytes sent per step\n\n";
  std::vector<std::string> local;
  for (const ReportModel& m : spec.models)
    if (m.algorithm.empty()) local.push_back(m.name);
  if (n.traffic.empty()) {
    md += "No model of the report was trained over several workers with bytes recorded.\n\n";
  } else {
    md += "What rank 0's collectives sent per step (`dist/bytes_sent`, measured from the "
          "kernel's byte count, every `log_every` steps): the mean over the logged steps of each "
          "model, then over the models of an algorithm.\n\n"
          "| algorithm | workers | models | logged steps | bytes sent per step | fraction of elements sent |\n"
          "|---|---:|---|---:|---:|---:|\n";
    for (const ReportTraffic& t : n.traffic)
      md += "| " + t.algorithm + " | " + std::to_string(t.workers) + " | " + join(t.models, ", ") +
            " | " + grouped(double(t.steps)) + " | " + grouped(t.meanBytesSent) + " | " +
            (t.meanFractionSent ? fixed(*t.meanFractionSent, 4) : std::string(kMissing)) + " |\n";
    md += "\n";
    if (!plot.empty()) md += "![Bytes sent per step](" + plot + ")\n\n";
  }
  if (!local.empty())
    md += "Trained in one process, sending nothing: " + join(local, ", ") + ".\n\n";
}

}  // namespace

std::string reportMarkdown(const ReportSpec& spec, const ReportNumbers& n,
                           const std::vector<std::pair<std::string, std::string>>& plotList,
                           const std::string& plotsNote) {
  const std::map<std::string, std::string> plots(plotList.begin(), plotList.end());
  auto plot = [&](const std::string& key) {
    const auto it = plots.find(key);
    return it == plots.end() ? std::string() : it->second;
  };
  std::string md = "# Report: " + spec.recipeName + "\n\n";
  md += "Teacher " + (spec.teacher.empty() ? std::string(kMissing) : code(spec.teacher)) +
        "; labeled set " + (spec.labeledSet.empty() ? std::string(kMissing) : code(spec.labeledSet)) +
        "; unlabeled set " + (spec.unlabeledSet.empty() ? std::string(kMissing) : code(spec.unlabeledSet)) +
        "; test sets: " + (n.testSets.empty() ? std::string(kMissing) : join(n.testSets, ", ")) + ".\n\n";
  if (!plotsNote.empty()) md += plotsNote + "\n\n";
  werSection(spec, n, plot("wer"), md);
  labelSections(spec, n, plot("labeling"), md);
  curvesSection(spec, n, plots, md);
  bytesSection(spec, n, plot("bytes"), md);
  if (!n.notes.empty()) {
    md += "## Notes\n\n";
    for (const std::string& note : n.notes) md += "- " + note + "\n";
    md += "\n";
  }
  return md;
}

ReportFiles writeReport(Workspace& ws, const ReportSpec& spec, const std::filesystem::path& outDir,
                        PlotSink* sink, const std::string& noPlotsReason) {
  const ReportNumbers n = collectReport(ws, spec);
  std::error_code ec;
  std::filesystem::create_directories(outDir, ec);
  if (ec)
    throw US_ERROR("cannot create the report folder: " + ec.message())
        .file(outDir.string())
        .hint("choose another folder with --out");

  ReportFiles files;
  std::vector<std::pair<std::string, std::string>> drawn;
  std::vector<std::string> failed;
  // Each plot: its key, its file; a stale file of an earlier report goes first.
  auto draw = [&](const std::string& key, const auto& plot, auto&& how) {
    const std::string file = key + ".png";
    std::filesystem::remove(outDir / file, ec);
    if (!sink || plot.series.empty()) return;
    try {
      how(plot, outDir / file);
      drawn.emplace_back(key, file);
      files.plots.push_back(outDir / file);
    } catch (const Error& e) {
      failed.push_back(file + " (" + e.message() + ")");
    }
  };
  auto lines = [&](const LinePlot& p, const std::filesystem::path& f) { sink->drawLines(p, f); };
  auto bars = [&](const BarChart& c, const std::filesystem::path& f) { sink->drawBars(c, f); };

  BarChart wer{"Word error rate per test set", "test set", "WER (%)", false, n.testSets, {}};
  for (std::size_t g = 0; g < n.groups.size(); ++g) {
    BarSeries s{n.groups[g].name, {}, {}};
    for (const WerStat& w : n.wer[g]) {
      s.values.push_back(w.empty() ? std::nullopt : std::optional<double>(w.mean));
      s.errors.push_back(w.stddev.value_or(0.0));
    }
    wer.series.push_back(s);
  }
  // No chart of bars that are all missing: the tables say "—" and why.
  const bool anyWer = std::any_of(n.wer.begin(), n.wer.end(), [](const std::vector<WerStat>& g) {
    return std::any_of(g.begin(), g.end(), [](const WerStat& w) { return !w.empty(); });
  });
  if (!anyWer) wer.series.clear();
  draw("wer", wer, bars);

  BarChart labeling{"The teacher's labels against the truth", "condition", "frames (%)", false, {}, {}};
  if (const ReportLabelSet* chosen = chosenSet(n); chosen && chosen->summary && chosen->summary->hasTruth()) {
    BarSeries top1{"top-1 = truth", {}, {}}, topk{"truth in top-" + std::to_string(chosen->set.k), {}, {}};
    for (const SoftLabelTruthTally& t : chosen->summary->truth()) {
      labeling.categories.push_back(t.group);
      top1.values.push_back(100.0 * t.top1Accuracy());
      topk.values.push_back(100.0 * t.topKRecall());
    }
    labeling.series = {top1, topk};
  }
  draw("labeling", labeling, bars);

  LinePlot accuracy{"Validation frame accuracy", "step", "frame accuracy (%)", false, {}};
  LinePlot validLoss{"Validation loss", "step", "cross-entropy (nats per frame)", false, {}};
  LinePlot trainLoss{"Labeled-stream training loss (windowed mean)", "step",
                     "cross-entropy (nats per frame)", false, {}};
  for (const ReportCurves& c : n.curves) {
    if (!c.validAccuracy.empty()) accuracy.series.push_back(series(c.model, c.validAccuracy, 100.0));
    if (!c.validLoss.empty()) validLoss.series.push_back(series(c.model, c.validLoss));
    if (!c.labeledLoss.empty()) trainLoss.series.push_back(windowed(c.model, c.labeledLoss));
  }
  draw("valid_accuracy", accuracy, lines);
  draw("valid_loss", validLoss, lines);
  draw("train_loss", trainLoss, lines);

  BarChart bytes{"Bytes sent per step (rank 0)", "algorithm", "bytes per step", true, {}, {}};
  BarSeries perStep{"mean bytes sent per step", {}, {}};
  for (const ReportTraffic& t : n.traffic) {
    bytes.categories.push_back(trafficName(t));
    perStep.values.push_back(t.meanBytesSent > 0 ? std::optional<double>(t.meanBytesSent) : std::nullopt);
  }
  if (!n.traffic.empty()) bytes.series = {perStep};
  draw("bytes", bytes, bars);

  std::string note;
  if (!sink) note = "No plots: " + (noPlotsReason.empty() ? std::string("no plotter") : noPlotsReason) + ".";
  if (!failed.empty()) note = "Plots not drawn: " + join(failed, "; ") + ".";
  files.markdown = outDir / "report.md";
  std::ofstream out(files.markdown, std::ios::binary | std::ios::trunc);
  out << reportMarkdown(spec, n, drawn, note);
  out.close();
  if (!out)
    throw US_ERROR("cannot write the report").file(files.markdown.string()).hint("is the disk full?");
  return files;
}

}  // namespace understudy::pipeline
