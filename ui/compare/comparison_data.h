// What the comparison view shows, read in one snapshot of workspace.db
// through the view's read-only Qt Sql connection: every model with its
// newest evaluation on each test set (the rows and numbers of
// `understudy-cli compare`: the same SQL, core/store's kNewestEvaluationsSql),
// its parameters, and what its training run's record says (the datasets it
// trained on and their hours, the algorithm, the seed, every config key).
//
//   QString error;
//   std::optional<ComparisonData> d = readComparison(connection.database(), &error);
#pragma once

#include <QHash>
#include <QList>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>
#include <optional>

namespace understudy::ui {

// The newest evaluation of a model on a test set.
struct ComparisonCell {
  qint64 evaluationId = 0;
  double wer = 0.0;  // percent
  qint64 sub = 0;
  qint64 del = 0;
  qint64 ins = 0;
  qint64 refWords = 0;
  qint64 sentences = 0;
  qint64 datasetUtterances = 0;  // usable utterances of the set
  QString createdAt;
  bool stale = false;  // the model was registered (trained) again after it
  bool partial() const { return sentences < datasetUtterances; }
};

struct ComparedModel {
  qint64 id = 0;
  QString name;
  QString role;
  qint64 numParams = 0;
  qint64 runId = 0;  // the training run that registered it; 0: none recorded
  // Hours of the datasets its config names (data.train; data.soft); none
  // without a run record or when a named dataset is not in the workspace.
  std::optional<double> labeledHours;
  std::optional<double> unlabeledHours;
  QStringList labeledDatasets;
  QStringList unlabeledDatasets;
  bool hasRecord = false;    // a training run with a config
  QString recordError;       // the config could not be read (what and where)
  QString algorithm;         // "" = one process; else sync | gtc | bmuf
  int workers = 1;
  QString seed;
  QHash<QString, QString> keys;  // the run's config, flattened to dotted keys
  QList<std::optional<ComparisonCell>> cells;  // one per ComparisonData::testSets
};

struct ComparisonData {
  QStringList testSets;       // `test` datasets with an evaluation, by name
  QList<ComparedModel> models;  // by model id
  QStringList keys;           // every config key of any model, first seen first (name, role, seed: own columns)
};

// Reads everything in one read transaction; nullopt and *error when a query fails.
std::optional<ComparisonData> readComparison(const QSqlDatabase& db, QString* error);

// Changes whenever what readComparison returns can change (models,
// evaluations, datasets); a cheap query the view polls before re-reading.
QString comparisonFingerprint(const QSqlDatabase& db);

}  // namespace understudy::ui
