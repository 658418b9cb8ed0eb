#include "core/store/evaluation_store.h"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <unordered_map>

#include "core/store/workspace.h"
#include "core/util/error.h"
#include "core/util/fault_point.h"

namespace understudy {

namespace {

std::string joinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

const char* const kEvaluationColumns =
    "e.id, e.model_id, m.name, e.dataset_id, d.name, COALESCE(e.run_id, 0), e.wer, "
    "e.num_sentences, e.num_ref_words, e.corr, e.sub, e.del, e.ins, e.sentence_errors, "
    "e.oov_words, e.rtf, e.config, e.created_at";
const char* const kEvaluationFrom =
    " FROM evaluations e JOIN models m ON m.id = e.model_id JOIN datasets d ON d.id = e.dataset_id";

EvaluationRow readEvaluation(SQLite::Statement& q) {
  EvaluationRow r;
  r.id = q.getColumn(0).getInt64();
  r.modelId = q.getColumn(1).getInt64();
  r.model = q.getColumn(2).getString();
  r.datasetId = q.getColumn(3).getInt64();
  r.dataset = q.getColumn(4).getString();
  r.runId = q.getColumn(5).getInt64();
  r.wer = q.getColumn(6).getDouble();
  r.numSentences = q.getColumn(7).getInt64();
  r.numRefWords = q.getColumn(8).getInt64();
  r.corr = q.getColumn(9).getInt64();
  r.sub = q.getColumn(10).getInt64();
  r.del = q.getColumn(11).getInt64();
  r.ins = q.getColumn(12).getInt64();
  r.sentenceErrors = q.getColumn(13).getInt64();
  r.oovWords = q.getColumn(14).getInt64();
  if (!q.getColumn(15).isNull()) r.rtf = q.getColumn(15).getDouble();
  r.settings = q.getColumn(16).getString();
  if (r.settings.empty()) r.settings = "{}";
  r.createdAt = q.getColumn(17).getString();
  return r;
}

// The settings as stored: the JSON object with its keys sorted (nlohmann's
// object is ordered by key), so equal settings are equal text.
std::string canonicalSettings(const std::string& text) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text.empty() ? std::string("{}") : text);
  } catch (const nlohmann::json::exception& e) {
    throw US_ERROR(std::string("evaluation settings are not valid JSON (") + e.what() + ")")
        .hint("the settings are a JSON object such as {\"acoustic_scale\": 0.1, \"beam\": 13}");
  }
  if (!j.is_object())
    throw US_ERROR("evaluation settings are not a JSON object: " + j.dump())
        .hint("the settings are a JSON object such as {\"acoustic_scale\": 0.1, \"beam\": 13}");
  return j.dump();
}

std::string wordsToJson(const std::vector<WordTime>& words) {
  nlohmann::json a = nlohmann::json::array();
  for (const auto& w : words) a.push_back({{"word", w.word}, {"start", w.start}, {"end", w.end}});
  return a.dump();
}

std::vector<WordTime> wordsFromJson(const std::string& text, const std::string& key,
                                    std::int64_t evaluationId, const std::string& dbPath) {
  auto malformed = [&](const std::string& why) {
    return US_ERROR("word times of evaluation " + std::to_string(evaluationId) +
                    " are malformed: " + why)
        .file(dbPath)
        .utterance(key)
        .hint("decode the dataset again to rewrite them");
  };
  std::vector<WordTime> out;
  nlohmann::json a;
  try {
    a = nlohmann::json::parse(text.empty() ? std::string("[]") : text);
  } catch (const nlohmann::json::exception& e) {
    throw malformed(std::string("not valid JSON (") + e.what() + ")");
  }
  if (!a.is_array()) throw malformed("not a JSON array");
  for (const auto& w : a) {
    if (!w.is_object() || !w.contains("word") || !w["word"].is_string() || !w.contains("start") ||
        !w["start"].is_number() || !w.contains("end") || !w["end"].is_number())
      throw malformed("an entry is not {\"word\": text, \"start\": s, \"end\": s}: " + w.dump());
    out.push_back({w["word"].get<std::string>(), w["start"].get<double>(), w["end"].get<double>()});
  }
  return out;
}

std::string number(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

void checkUtterance(const UtteranceResult& u) {
  for (const auto& [name, value] : {std::pair<const char*, std::int64_t>{"corr", u.corr},
                                    {"sub", u.sub},
                                    {"del", u.del},
                                    {"ins", u.ins},
                                    {"oov_words", u.oovWords}})
    if (value < 0)
      throw US_ERROR(std::string("negative count ") + name + " = " + std::to_string(value))
          .utterance(u.key);
  for (const auto& w : u.words)
    if (!std::isfinite(w.start) || !std::isfinite(w.end) || w.start < 0.0 || w.end < w.start)
      throw US_ERROR("word '" + w.word + "' has times " + number(w.start) + " .. " + number(w.end) +
                     " s; a word starts at 0 s or later and ends after it starts")
          .utterance(u.key);
}

}  // namespace

const char* const kNewestEvaluationsSql =
    "SELECT m.id, m.name, e.id, e.wer, e.num_ref_words, e.sub, e.del, e.ins, e.num_sentences, "
    "e.created_at, e.created_at < m.created_at, "
    "(SELECT COUNT(*) FROM utterances u WHERE u.dataset_id = e.dataset_id AND u.status = 'ok') "
    "FROM evaluations e JOIN models m ON m.id = e.model_id "
    "WHERE e.dataset_id = ? AND e.id = (SELECT MAX(x.id) FROM evaluations x "
    "WHERE x.model_id = e.model_id AND x.dataset_id = e.dataset_id) ORDER BY m.id";

const char* const kEvaluatedTestSetsSql =
    "SELECT d.id, d.name FROM datasets d WHERE d.kind = 'test' AND EXISTS "
    "(SELECT 1 FROM evaluations e WHERE e.dataset_id = d.id) ORDER BY d.name";

std::optional<double> relativeWerReduction(double baselineWer, double modelWer) {
  if (!(baselineWer > 0.0)) return std::nullopt;
  return 100.0 * (baselineWer - modelWer) / baselineWer;
}

const std::optional<WerCell>& WerComparison::cell(const std::string& model,
                                                  const std::string& dataset) const {
  static const std::optional<WerCell> none;
  const auto m = std::find(models.begin(), models.end(), model);
  const auto d = std::find(datasets.begin(), datasets.end(), dataset);
  if (m == models.end() || d == datasets.end()) return none;
  return cells[static_cast<std::size_t>(m - models.begin())]
              [static_cast<std::size_t>(d - datasets.begin())];
}

std::int64_t EvaluationStore::write(const Evaluation& e) {
  SQLite::Database& db = m_ws.db();
  const std::string dbPath = m_ws.databasePath().string();
  const std::string settings = canonicalSettings(e.settings);
  if (e.rtf && (!std::isfinite(*e.rtf) || *e.rtf < 0.0))
    throw US_ERROR("real-time factor " + number(*e.rtf) + " is not a finite number >= 0");

  // Every check that can fail is made before the first write; the
  // transaction still makes a failure half-way (disk full) leave nothing.
  SQLite::Transaction tx(db);
  std::string model, dataset;
  {
    SQLite::Statement q(db, "SELECT name FROM models WHERE id = ?");
    q.bind(1, static_cast<int64_t>(e.modelId));
    if (!q.executeStep())
      throw US_ERROR("no model with id " + std::to_string(e.modelId) + " in the workspace")
          .file(dbPath);
    model = q.getColumn(0).getString();
  }
  {
    SQLite::Statement q(db, "SELECT name FROM datasets WHERE id = ?");
    q.bind(1, static_cast<int64_t>(e.datasetId));
    if (!q.executeStep())
      throw US_ERROR("no dataset with id " + std::to_string(e.datasetId) + " in the workspace")
          .file(dbPath);
    dataset = q.getColumn(0).getString();
  }
  if (e.runId != 0) {
    SQLite::Statement q(db, "SELECT 1 FROM runs WHERE id = ?");
    q.bind(1, static_cast<int64_t>(e.runId));
    if (!q.executeStep())
      throw US_ERROR("no run with id " + std::to_string(e.runId) + " in the workspace")
          .file(dbPath);
  }
  const std::string what = "the evaluation of model '" + model + "' on dataset '" + dataset + "'";
  if (e.utterances.empty())
    throw US_ERROR(what + " has no utterances")
        .hint("an evaluation is written once its utterances are scored");

  std::unordered_map<std::string, std::int64_t> ids;
  {
    SQLite::Statement q(db, "SELECT key, id FROM utterances WHERE dataset_id = ?");
    q.bind(1, static_cast<int64_t>(e.datasetId));
    while (q.executeStep()) ids.emplace(q.getColumn(0).getString(), q.getColumn(1).getInt64());
  }
  std::set<std::string> seen;
  std::int64_t corr = 0, sub = 0, del = 0, ins = 0, oov = 0, sentenceErrors = 0;
  std::vector<std::int64_t> utteranceIds;
  utteranceIds.reserve(e.utterances.size());
  for (const UtteranceResult& u : e.utterances) {
    const auto it = ids.find(u.key);
    if (it == ids.end())
      throw US_ERROR("not in dataset '" + dataset + "'")
          .utterance(u.key)
          .file(dbPath)
          .hint("an evaluation holds only utterances of the dataset it evaluates");
    if (!seen.insert(u.key).second)
      throw US_ERROR("utterance appears twice in " + what).utterance(u.key);
    checkUtterance(u);
    utteranceIds.push_back(it->second);
    corr += u.corr;
    sub += u.sub;
    del += u.del;
    ins += u.ins;
    oov += u.oovWords;
    if (u.errors() > 0) ++sentenceErrors;
  }
  const std::int64_t refWords = corr + sub + del;
  if (refWords == 0)
    throw US_ERROR(what + " has no reference words: its WER is undefined")
        .hint("the dataset's utterances need transcripts");
  const double wer = 100.0 * static_cast<double>(sub + del + ins) / static_cast<double>(refWords);

  SQLite::Statement row(
      db,
      "INSERT INTO evaluations (model_id, dataset_id, run_id, wer, "
      "num_sentences, num_ref_words, corr, sub, del, ins, sentence_errors, "
      "oov_words, rtf, config) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  row.bind(1, static_cast<int64_t>(e.modelId));
  row.bind(2, static_cast<int64_t>(e.datasetId));
  if (e.runId != 0)
    row.bind(3, static_cast<int64_t>(e.runId));
  else
    row.bind(3);
  row.bind(4, wer);
  row.bind(5, static_cast<int64_t>(e.utterances.size()));
  row.bind(6, static_cast<int64_t>(refWords));
  row.bind(7, static_cast<int64_t>(corr));
  row.bind(8, static_cast<int64_t>(sub));
  row.bind(9, static_cast<int64_t>(del));
  row.bind(10, static_cast<int64_t>(ins));
  row.bind(11, static_cast<int64_t>(sentenceErrors));
  row.bind(12, static_cast<int64_t>(oov));
  if (e.rtf)
    row.bind(13, *e.rtf);
  else
    row.bind(13);
  row.bind(14, settings);
  row.exec();
  const std::int64_t id = db.getLastInsertRowid();

  SQLite::Statement ur(db,
                       "INSERT INTO utterance_results (evaluation_id, utterance_id, hypothesis, "
                       "corr, sub, del, ins, oov_words, alignment, words) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  for (std::size_t i = 0; i < e.utterances.size(); ++i) {
    const UtteranceResult& u = e.utterances[i];
    ur.bind(1, static_cast<int64_t>(id));
    ur.bind(2, static_cast<int64_t>(utteranceIds[i]));
    ur.bind(3, u.hypothesis);
    ur.bind(4, static_cast<int64_t>(u.corr));
    ur.bind(5, static_cast<int64_t>(u.sub));
    ur.bind(6, static_cast<int64_t>(u.del));
    ur.bind(7, static_cast<int64_t>(u.ins));
    ur.bind(8, static_cast<int64_t>(u.oovWords));
    ur.bind(9, u.alignment);
    ur.bind(10, wordsToJson(u.words));
    ur.exec();
    ur.reset();
  }
  US_FAULT_POINT("db.evaluation_before_commit");
  tx.commit();
  return id;
}

std::optional<EvaluationRow> EvaluationStore::evaluation(std::int64_t id) {
  SQLite::Statement q(
      m_ws.db(), std::string("SELECT ") + kEvaluationColumns + kEvaluationFrom + " WHERE e.id = ?");
  q.bind(1, static_cast<int64_t>(id));
  if (!q.executeStep()) return std::nullopt;
  return readEvaluation(q);
}

std::vector<EvaluationRow> EvaluationStore::evaluations(std::int64_t modelId,
                                                        std::int64_t datasetId) {
  SQLite::Statement q(m_ws.db(), std::string("SELECT ") + kEvaluationColumns + kEvaluationFrom +
                                     " WHERE (?1 = 0 OR e.model_id = ?1) AND "
                                     "(?2 = 0 OR e.dataset_id = ?2) ORDER BY e.id DESC");
  q.bind(1, static_cast<int64_t>(modelId));
  q.bind(2, static_cast<int64_t>(datasetId));
  std::vector<EvaluationRow> out;
  while (q.executeStep()) out.push_back(readEvaluation(q));
  return out;
}

std::optional<EvaluationRow> EvaluationStore::latest(std::int64_t modelId, std::int64_t datasetId) {
  SQLite::Statement q(m_ws.db(), std::string("SELECT ") + kEvaluationColumns + kEvaluationFrom +
                                     " WHERE e.model_id = ? AND e.dataset_id = ? "
                                     "ORDER BY e.id DESC LIMIT 1");
  q.bind(1, static_cast<int64_t>(modelId));
  q.bind(2, static_cast<int64_t>(datasetId));
  if (!q.executeStep()) return std::nullopt;
  return readEvaluation(q);
}

std::vector<UtteranceResult> EvaluationStore::utteranceResults(std::int64_t evaluationId) {
  if (!evaluation(evaluationId))
    throw US_ERROR("no evaluation with id " + std::to_string(evaluationId) + " in the workspace")
        .file(m_ws.databasePath().string());
  SQLite::Statement q(m_ws.db(),
                      "SELECT u.key, r.hypothesis, r.corr, r.sub, r.del, r.ins, r.oov_words, "
                      "r.alignment, r.words FROM utterance_results r "
                      "JOIN utterances u ON u.id = r.utterance_id "
                      "WHERE r.evaluation_id = ? ORDER BY u.key");
  q.bind(1, static_cast<int64_t>(evaluationId));
  std::vector<UtteranceResult> out;
  while (q.executeStep()) {
    UtteranceResult u;
    u.key = q.getColumn(0).getString();
    u.hypothesis = q.getColumn(1).getString();
    u.corr = q.getColumn(2).getInt64();
    u.sub = q.getColumn(3).getInt64();
    u.del = q.getColumn(4).getInt64();
    u.ins = q.getColumn(5).getInt64();
    u.oovWords = q.getColumn(6).getInt64();
    u.alignment = q.getColumn(7).getString();
    u.words = wordsFromJson(q.getColumn(8).getString(), u.key, evaluationId,
                            m_ws.databasePath().string());
    out.push_back(std::move(u));
  }
  return out;
}

WerComparison EvaluationStore::compareWer(const WerComparisonOptions& options) {
  SQLite::Database& db = m_ws.db();
  const std::string root = m_ws.root().string();
  const std::string decode = "understudy-cli decode -w " + root + " --model MODEL --dataset SET";

  // Columns: the datasets asked for, each of which must exist; or every test
  // dataset with an evaluation.
  std::vector<std::string> datasets;
  std::vector<std::int64_t> datasetIds;
  if (!options.datasets.empty()) {
    for (const std::string& name : options.datasets) {
      SQLite::Statement q(db, "SELECT id FROM datasets WHERE name = ?");
      q.bind(1, name);
      if (!q.executeStep()) {
        std::vector<std::string> known;
        SQLite::Statement all(db, "SELECT name FROM datasets ORDER BY name");
        while (all.executeStep()) known.push_back(all.getColumn(0).getString());
        throw US_ERROR("no dataset named '" + name + "' in the workspace")
            .file(root)
            .hint(known.empty() ? "the workspace has no datasets yet"
                                : "datasets: " + joinNames(known));
      }
      if (std::find(datasets.begin(), datasets.end(), name) != datasets.end()) continue;
      datasets.push_back(name);
      datasetIds.push_back(q.getColumn(0).getInt64());
    }
  } else {
    SQLite::Statement q(db, kEvaluatedTestSetsSql);
    while (q.executeStep()) {
      datasetIds.push_back(q.getColumn(0).getInt64());
      datasets.push_back(q.getColumn(1).getString());
    }
  }

  // The newest evaluation of each model on each of those datasets, with
  // what makes a cell doubtful: a model registered after it, fewer
  // utterances than the dataset has.
  struct Found {
    std::int64_t modelId;
    std::string model;
    std::size_t column;
    WerCell cell;
  };
  std::vector<Found> found;
  SQLite::Statement q(db, kNewestEvaluationsSql);
  for (std::size_t c = 0; c < datasetIds.size(); ++c) {
    q.bind(1, static_cast<int64_t>(datasetIds[c]));
    while (q.executeStep()) {
      WerCell cell;
      cell.evaluationId = q.getColumn(2).getInt64();
      cell.wer = q.getColumn(3).getDouble();
      cell.numRefWords = q.getColumn(4).getInt64();
      cell.sub = q.getColumn(5).getInt64();
      cell.del = q.getColumn(6).getInt64();
      cell.ins = q.getColumn(7).getInt64();
      cell.errors = cell.sub + cell.del + cell.ins;
      cell.numSentences = q.getColumn(8).getInt64();
      cell.createdAt = q.getColumn(9).getString();
      cell.stale = q.getColumn(10).getInt() != 0;
      cell.datasetUtterances = q.getColumn(11).getInt64();
      found.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getString(), c, cell});
    }
    q.reset();
  }

  // Rows: the baseline first, then by model id.
  std::map<std::int64_t, std::string> models;
  for (const Found& f : found) models.emplace(f.modelId, f.model);
  WerComparison out;
  out.datasets = datasets;
  out.baseline = options.baseline;
  if (!options.baseline.empty()) {
    SQLite::Statement m(db, "SELECT id FROM models WHERE name = ?");
    m.bind(1, options.baseline);
    if (!m.executeStep()) {
      std::vector<std::string> known;
      SQLite::Statement all(db, "SELECT name FROM models ORDER BY id");
      while (all.executeStep()) known.push_back(all.getColumn(0).getString());
      throw US_ERROR("no model named '" + options.baseline + "' in the workspace (--baseline)")
          .file(root)
          .hint(known.empty() ? "the workspace has no models yet" : "models: " + joinNames(known));
    }
    const std::int64_t baselineId = m.getColumn(0).getInt64();
    if (models.count(baselineId) == 0) {
      std::vector<std::string> evaluated;
      for (const auto& [id, name] : models) evaluated.push_back(name);
      throw US_ERROR("the baseline model '" + options.baseline + "' has no evaluation on " +
                     (datasets.empty() ? std::string("any test set") : joinNames(datasets)))
          .file(root)
          .hint("decode it first (" + decode + ")" +
                (evaluated.empty() ? std::string()
                                   : "; models evaluated there: " + joinNames(evaluated)));
    }
    out.models.push_back(options.baseline);
  }
  for (const auto& [id, name] : models)
    if (name != options.baseline) out.models.push_back(name);

  out.cells.assign(out.models.size(),
                   std::vector<std::optional<WerCell>>(datasets.size(), std::nullopt));
  for (const Found& f : found) {
    const auto row = std::find(out.models.begin(), out.models.end(), f.model) - out.models.begin();
    out.cells[static_cast<std::size_t>(row)][f.column] = f.cell;
  }
  if (!options.baseline.empty())
    for (auto& row : out.cells)
      for (std::size_t c = 0; c < datasets.size(); ++c) {
        const std::optional<WerCell>& base = out.cells[0][c];
        if (row[c] && base)
          row[c]->relativeReduction = relativeWerReduction(base->wer, row[c]->wer);
      }
  return out;
}

}  // namespace understudy
