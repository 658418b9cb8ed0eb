// Decoding results in workspace.db: one `evaluations` row per decode of a
// dataset by a model (WER, counts, OOV words, real-time factor, the decode
// settings) and one `utterance_results` row per utterance (hypothesis, counts,
// REF/HYP alignment, word times). docs/decoding.md, "Results in the workspace".
//
//   EvaluationStore evals(ws);
//   Evaluation e;
//   e.modelId = model.id;  e.datasetId = dataset.id;  e.runId = runId;
//   e.rtf = 0.02;  e.settings = R"({"acoustic_scale":0.1,"beam":13})";
//   e.utterances.push_back({"utt1", "set a timer", 3, 0, 0, 0, 0, alignmentText, words});
//   std::int64_t id = evals.write(e);            // one transaction: all or nothing
//   EvaluationRow row = *evals.evaluation(id);   // totals and WER as stored
//   WerComparison c = evals.compareWer({.baseline = "teacher"});   // `compare`
//
// History is kept: every write adds an evaluation, none replaces another.
// The newest evaluation (highest id) of a model on a dataset is the one
// `compare` shows; older ones stay readable (evaluations()).
//
// The totals of an evaluation are computed here from its utterances, so the
// row cannot disagree with them: corr, sub, del, ins, OOV words summed;
// reference words = corr + sub + del; sentence errors = utterances with any
// error; WER = 100 (sub + del + ins) / reference words.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace understudy {

class Workspace;

// A word of the 1-best hypothesis, with its time in the utterance (seconds).
struct WordTime {
  std::string word;
  double start = 0.0;
  double end = 0.0;

  bool operator==(const WordTime& o) const {
    return word == o.word && start == o.start && end == o.end;
  }
};

// One utterance of an evaluation. Written by the utterance's key in the
// evaluated dataset; read back in key order.
struct UtteranceResult {
  std::string key;
  std::string hypothesis;  // the 1-best words, space-separated
  std::int64_t corr = 0;
  std::int64_t sub = 0;
  std::int64_t del = 0;
  std::int64_t ins = 0;
  std::int64_t oovWords = 0;  // reference words outside the lexicon
  std::string alignment;      // the REF/HYP alignment as text (sclite's pra style)
  std::vector<WordTime> words;

  std::int64_t refWords() const { return corr + sub + del; }
  std::int64_t errors() const { return sub + del + ins; }
};

// What a decode writes: the model, the dataset, its utterances and how it ran.
struct Evaluation {
  std::int64_t modelId = 0;
  std::int64_t datasetId = 0;
  std::int64_t runId = 0;     // 0: none recorded (NULL)
  std::optional<double> rtf;  // processing seconds per second of audio
  // The decode settings, a JSON object (acoustic and prior scale, beam, LM
  // and lexicon identity, the set the scales were tuned on; docs/decoding.md
  // lists the keys). Stored with its keys sorted, as evaluations.config.
  std::string settings = "{}";
  std::vector<UtteranceResult> utterances;
};

// An `evaluations` row as stored, with its model's and dataset's names.
struct EvaluationRow {
  std::int64_t id = 0;
  std::int64_t modelId = 0;
  std::string model;
  std::int64_t datasetId = 0;
  std::string dataset;
  std::int64_t runId = 0;  // 0: none
  double wer = 0.0;        // percent
  std::int64_t numSentences = 0;
  std::int64_t numRefWords = 0;
  std::int64_t corr = 0;
  std::int64_t sub = 0;
  std::int64_t del = 0;
  std::int64_t ins = 0;
  std::int64_t sentenceErrors = 0;
  std::int64_t oovWords = 0;
  std::optional<double> rtf;
  std::string settings = "{}";  // JSON object ("{}" for rows written before schema 3)
  std::string createdAt;

  std::int64_t errors() const { return sub + del + ins; }
};

// (WER_baseline − WER_model) / WER_baseline in percent: positive when the
// model makes fewer errors. None when the baseline's WER is 0 (undefined).
std::optional<double> relativeWerReduction(double baselineWer, double modelWer);

// One cell of the comparison: the newest evaluation of a model on a dataset.
struct WerCell {
  std::int64_t evaluationId = 0;
  double wer = 0.0;
  std::int64_t numRefWords = 0;
  std::int64_t errors = 0;  // sub + del + ins
  std::int64_t sub = 0;
  std::int64_t del = 0;
  std::int64_t ins = 0;
  std::int64_t numSentences = 0;
  std::string createdAt;
  // Against the baseline's cell of the same dataset; none without a baseline,
  // without a baseline cell there, or when the baseline's WER is 0.
  std::optional<double> relativeReduction;
  // The model was registered (trained again) after this evaluation.
  bool stale = false;
  // The dataset has more usable utterances than the evaluation scored.
  std::int64_t datasetUtterances = 0;
  bool partial() const { return numSentences < datasetUtterances; }
};

// The newest evaluation (highest id) of every model on one dataset: the rows
// of compareWer's cells, shared with readers that hold their own connection
// (the GUI's comparison view, Qt Sql) so that both show the same numbers.
// Bind the dataset id to parameter 1. Columns, in this order: model id, model
// name, evaluation id, wer, num_ref_words, sub, del, ins, num_sentences,
// created_at, stale (1: the model was registered after the evaluation), the
// dataset's usable utterances; ordered by model id.
extern const char* const kNewestEvaluationsSql;
// The columns compareWer shows without a dataset list: every `test` dataset
// with an evaluation. Columns: id, name; ordered by name.
extern const char* const kEvaluatedTestSetsSql;

struct WerComparisonOptions {
  // A model name: every cell gets its relative WER reduction against it.
  std::string baseline;
  // Dataset names, in column order. Empty: every `test` dataset that has an
  // evaluation, by name.
  std::vector<std::string> datasets;
};

// Models × datasets. Rows: the models with an evaluation on any of the
// datasets (the baseline first, then by model id, i.e. in the order they were
// first registered); columns: the datasets.
struct WerComparison {
  std::vector<std::string> models;
  std::vector<std::string> datasets;
  std::string baseline;                                    // empty: none
  std::vector<std::vector<std::optional<WerCell>>> cells;  // [model][dataset]

  bool empty() const { return models.empty(); }
  const std::optional<WerCell>& cell(const std::string& model, const std::string& dataset) const;
};

class EvaluationStore {
 public:
  explicit EvaluationStore(Workspace& ws) : m_ws(ws) {}

  // Writes the evaluation row and all its utterance results in one
  // transaction; a reader never sees a partial evaluation, and a refused or
  // failed write leaves nothing behind. Refused (understudy::Error): an
  // unknown model, dataset or run; no utterances; an utterance key that is
  // not in the dataset or appears twice (named); negative counts; settings
  // that are not a JSON object; an rtf or word time that is negative or not
  // finite, or a word that ends before it starts; no reference words at all
  // (WER undefined). Returns the new evaluation's id.
  std::int64_t write(const Evaluation& evaluation);

  std::optional<EvaluationRow> evaluation(std::int64_t id);
  // Newest first; 0 for either id means any model / any dataset.
  std::vector<EvaluationRow> evaluations(std::int64_t modelId = 0, std::int64_t datasetId = 0);
  // The newest evaluation of the model on the dataset, if any.
  std::optional<EvaluationRow> latest(std::int64_t modelId, std::int64_t datasetId);
  // The evaluation's utterances, by key. Throws for an unknown id.
  std::vector<UtteranceResult> utteranceResults(std::int64_t evaluationId);

  // The table of `understudy-cli compare`. Throws, listing what exists: an
  // unknown dataset name; an unknown baseline model; a baseline with no
  // evaluation on any of the datasets. No evaluations at all gives an empty
  // comparison (not an error).
  WerComparison compareWer(const WerComparisonOptions& options = {});

 private:
  Workspace& m_ws;
};

}  // namespace understudy
