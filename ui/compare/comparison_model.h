// The comparison table (docs/gui.md "Comparing experiments"): one row per
// model; columns Model, then what describes it (Role, Parameters, Labeled h,
// Unlabeled h, Algorithm, Workers, Seed), then a group per test set (WER, Sub,
// Del, Ins and, with a baseline, the relative WER reduction against it), then
// one column per key of the training runs' configs (which of them show is
// the view's business).
//
// Display text is formatted; SortRole holds the raw value (numbers sort as
// numbers), ExportRole the unformatted text CSV export writes.
#pragma once

#include <QAbstractTableModel>
#include <QList>
#include <QString>
#include <QStringList>
#include <optional>

#include "ui/compare/comparison_data.h"

namespace understudy::ui {

class ComparisonModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Role { SortRole = Qt::UserRole + 1, ExportRole };
  enum class Kind {
    Model, Role, Parameters, LabeledHours, UnlabeledHours, Algorithm, Workers, Seed,
    Wer, Sub, Del, Ins, RelativeReduction, Key
  };
  struct Column {
    Kind kind = Kind::Model;
    int testSet = -1;  // the test-set columns
    QString key;       // Kind::Key
  };

  explicit ComparisonModel(QObject* parent = nullptr);

  void setComparison(ComparisonData data);
  const ComparisonData& comparison() const { return m_data; }
  // A model's name ('' none): every WER cell gets (WER_base − WER) / WER_base in %.
  void setBaseline(const QString& model);
  QString baseline() const { return m_baseline; }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

  const Column& column(int c) const { return m_columns.at(c); }
  // The column of that kind (and test set or key); -1 if none.
  int columnOf(Kind kind, int testSet = -1, const QString& key = {}) const;
  int keyColumn(const QString& key) const { return columnOf(Kind::Key, -1, key); }
  // The column's name on one line, with its test set ("synth-test-clean Sub"):
  // the header shows the set above WER only, to keep the columns narrow.
  QString title(int c) const;
  // The header CSV export writes: "model", "synth-test-clean.wer", "optimizer.lr".
  QString csvName(int c) const;
  // Columns the "diff only" toggle may hide: what describes a model and its
  // config keys (never the model's name or its results).
  bool isDescriptive(int c) const;
  // The descriptive columns whose text is the same in every one of `rows`.
  QList<int> equalColumns(const QList<int>& rows) const;

  const ComparedModel& modelAt(int row) const { return m_data.models.at(row); }
  int rowOfModel(const QString& name) const;
  // The relative WER reduction of a row on a test set (none: no baseline,
  // no evaluation of either, or the baseline's WER is 0).
  std::optional<double> relativeReduction(int row, int testSet) const;

 private:
  QVariant value(int row, int c) const;  // the raw value (null: none)
  // value(), but a config value or seed that reads as a number is one (so
  // 100 sorts after 20).
  QVariant sortValue(int row, int c) const;
  QString display(int row, int c) const;
  QString tooltip(int row, int c) const;
  void rebuildColumns();

  ComparisonData m_data;
  QString m_baseline;
  int m_baselineRow = -1;
  QList<Column> m_columns;
};

}  // namespace understudy::ui
