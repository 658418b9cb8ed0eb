// compare: WER of every model on every test set, side by side, with the
// relative WER reduction against a baseline (EvaluationStore::compareWer;
// docs/decoding.md, "Results in the workspace"). Plain aligned text, or CSV.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "app/cli/commands.h"
#include "core/store/evaluation_store.h"
#include "core/store/workspace.h"

namespace understudy::cli {

namespace {

struct CompareArgs {
  std::string workspace, baseline;
  std::vector<std::string> datasets;
  bool csv = false;
};

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string signedPercent(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%+.1f%%", v);
  return buf;
}

std::string padLeft(const std::string& s, std::size_t width) {
  return s.size() >= width ? s : std::string(width - s.size(), ' ') + s;
}

std::string padRight(const std::string& s, std::size_t width) {
  return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

// RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled.
std::string csvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// Lines saying why a cell is marked "*": an evaluation older than its model,
// or one that scored fewer utterances than the dataset has.
std::vector<std::string> notes(const WerComparison& c) {
  std::vector<std::string> out;
  for (std::size_t m = 0; m < c.models.size(); ++m)
    for (std::size_t d = 0; d < c.datasets.size(); ++d) {
      const std::optional<WerCell>& cell = c.cells[m][d];
      if (!cell || (!cell->stale && !cell->partial())) continue;
      std::string why;
      if (cell->stale) why = "the model was registered again after it; decode it again";
      if (cell->partial())
        why += (why.empty() ? "" : "; ") + std::to_string(cell->numSentences) + " of " +
               std::to_string(cell->datasetUtterances) + " utterances scored";
      out.push_back("* " + c.models[m] + " on " + c.datasets[d] + " (evaluation " +
                    std::to_string(cell->evaluationId) + " of " + cell->createdAt + "): " + why);
    }
  return out;
}

void printCsv(const WerComparison& c) {
  const bool withBaseline = !c.baseline.empty();
  std::string header = "model";
  for (const auto& d : c.datasets) {
    header += "," + csvField(d + ".wer");
    if (withBaseline) header += "," + csvField(d + ".rel_reduction");
  }
  std::printf("%s\n", header.c_str());
  for (std::size_t m = 0; m < c.models.size(); ++m) {
    std::string line = csvField(c.models[m]);
    for (std::size_t d = 0; d < c.datasets.size(); ++d) {
      const std::optional<WerCell>& cell = c.cells[m][d];
      line += "," + (cell ? fixed(cell->wer, 2) : std::string());
      if (withBaseline)
        line += "," + (cell && cell->relativeReduction ? fixed(*cell->relativeReduction, 2)
                                                       : std::string());
    }
    std::printf("%s\n", line.c_str());
  }
  // stdout is the CSV alone; the notes go to stderr.
  for (const auto& n : notes(c)) std::fprintf(stderr, "%s\n", n.c_str());
}

// Each dataset's column: the WER right-aligned, a "*" where a note explains
// the cell, then the relative reduction ("(+20.0%)"), so the numbers line up.
void printTable(const WerComparison& c) {
  const bool withBaseline = !c.baseline.empty();
  const std::size_t rows = c.models.size(), cols = c.datasets.size();
  std::vector<std::string> names(rows);
  for (std::size_t m = 0; m < rows; ++m)
    names[m] = c.models[m] + (withBaseline && m == 0 ? " (baseline)" : "");
  std::size_t nameWidth = std::string("model").size();
  for (const auto& n : names) nameWidth = std::max(nameWidth, n.size());

  std::vector<std::vector<std::string>> wer(rows, std::vector<std::string>(cols)),
      mark(rows, std::vector<std::string>(cols)), rel(rows, std::vector<std::string>(cols));
  for (std::size_t m = 0; m < rows; ++m)
    for (std::size_t d = 0; d < cols; ++d) {
      const std::optional<WerCell>& cell = c.cells[m][d];
      wer[m][d] = cell ? fixed(cell->wer, 2) : "-";
      mark[m][d] = cell && (cell->stale || cell->partial()) ? "*" : "";
      if (withBaseline && m > 0 && cell)
        rel[m][d] = " (" +
                    (cell->relativeReduction ? signedPercent(*cell->relativeReduction)
                                             : std::string("n/a")) +
                    ")";
    }
  std::vector<std::size_t> werW(cols, 0), markW(cols, 0), relW(cols, 0), colW(cols, 0);
  for (std::size_t d = 0; d < cols; ++d) {
    for (std::size_t m = 0; m < rows; ++m) {
      werW[d] = std::max(werW[d], wer[m][d].size());
      markW[d] = std::max(markW[d], mark[m][d].size());
      relW[d] = std::max(relW[d], rel[m][d].size());
    }
    colW[d] = std::max(c.datasets[d].size(), werW[d] + markW[d] + relW[d]);
  }

  std::string title = "WER % (newest evaluation of each model on each set)";
  if (withBaseline)
    title += ", in parentheses the relative WER reduction against '" + c.baseline + "'";
  std::printf("%s\n\n", title.c_str());
  std::string header = padRight("model", nameWidth);
  for (std::size_t d = 0; d < cols; ++d) header += "   " + padLeft(c.datasets[d], colW[d]);
  std::printf("%s\n", header.c_str());
  for (std::size_t m = 0; m < rows; ++m) {
    std::string line = padRight(names[m], nameWidth);
    for (std::size_t d = 0; d < cols; ++d)
      line += "   " + padLeft(padLeft(wer[m][d], werW[d]) + padRight(mark[m][d], markW[d]) +
                                  padRight(rel[m][d], relW[d]),
                              colW[d]);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    std::printf("%s\n", line.c_str());
  }
  std::string legend = "WER = (substitutions + deletions + insertions) / reference words";
  if (withBaseline)
    legend += "; relative reduction = (WER_" + c.baseline + " - WER) / WER_" + c.baseline;
  std::printf("\n%s.\n", legend.c_str());
  for (const auto& n : notes(c)) std::printf("%s\n", n.c_str());
}

void runCompare(const CompareArgs& a) {
  Workspace ws = Workspace::open(a.workspace);
  WerComparisonOptions options;
  options.baseline = a.baseline;
  options.datasets = a.datasets;
  const WerComparison c = EvaluationStore(ws).compareWer(options);
  if (c.empty()) {
    std::string where = "on its test sets";
    if (!a.datasets.empty()) {
      where = "on";
      for (std::size_t i = 0; i < c.datasets.size(); ++i)
        where += (i == 0 ? " " : ", ") + c.datasets[i];
    }
    // A note, not an error: stdout stays empty for --csv.
    std::fprintf(a.csv ? stderr : stdout,
                 "No evaluations yet in %s %s. Decode a model first: understudy-cli decode -w %s "
                 "--model MODEL --dataset SET\n",
                 ws.root().c_str(), where.c_str(), ws.root().c_str());
    return;
  }
  if (a.csv)
    printCsv(c);
  else
    printTable(c);
}

}  // namespace

void addCompareCommands(CLI::App& app, GlobalOptions&) {
  auto* sub = app.add_subcommand(
      "compare",
      "WER of every model on every test set (the newest evaluation of each), with the relative "
      "WER reduction against a baseline model");
  auto a = std::make_shared<CompareArgs>();
  addWorkspaceOption(*sub, a->workspace);
  sub->add_option("--baseline", a->baseline,
                  "Model to compare against: each cell gets (WER_base - WER) / WER_base in %");
  sub->add_option("--datasets", a->datasets,
                  "Comma-separated datasets, in column order (default: every test set with an "
                  "evaluation)")
      ->delimiter(',');
  sub->add_flag("--csv", a->csv, "CSV on stdout instead of the aligned table");
  sub->callback([a] { runCompare(*a); });
}

}  // namespace understudy::cli
