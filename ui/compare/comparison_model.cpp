#include "ui/compare/comparison_model.h"

#include <QFont>
#include <QLocale>

#include "core/store/evaluation_store.h"

namespace understudy::ui {

namespace {

// Numbers as CSV writes them: the shortest text that reads back the same double.
QString plainNumber(double v) { return QString::number(v, 'g', QLocale::FloatingPointShortest); }

bool isMetric(ComparisonModel::Kind k) {
  using K = ComparisonModel::Kind;
  return k == K::Wer || k == K::Sub || k == K::Del || k == K::Ins || k == K::RelativeReduction;
}

}  // namespace

ComparisonModel::ComparisonModel(QObject* parent) : QAbstractTableModel(parent) { rebuildColumns(); }

void ComparisonModel::setComparison(ComparisonData data) {
  beginResetModel();
  m_data = std::move(data);
  m_baselineRow = rowOfModel(m_baseline);
  rebuildColumns();
  endResetModel();
}

void ComparisonModel::setBaseline(const QString& model) {
  if (model == m_baseline) return;
  m_baseline = model;
  m_baselineRow = rowOfModel(model);
  if (rowCount() > 0) {
    emit dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
  }
  emit headerDataChanged(Qt::Horizontal, 0, columnCount() - 1);
}

void ComparisonModel::rebuildColumns() {
  m_columns.clear();
  for (Kind k : {Kind::Model, Kind::Role, Kind::Parameters, Kind::LabeledHours, Kind::UnlabeledHours,
                 Kind::Algorithm, Kind::Workers, Kind::Seed})
    m_columns.push_back({k, -1, {}});
  for (int t = 0; t < m_data.testSets.size(); ++t)
    for (Kind k : {Kind::Wer, Kind::Sub, Kind::Del, Kind::Ins, Kind::RelativeReduction})
      m_columns.push_back({k, t, {}});
  for (const QString& key : m_data.keys) m_columns.push_back({Kind::Key, -1, key});
}

int ComparisonModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_data.models.size());
}

int ComparisonModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_columns.size());
}

int ComparisonModel::columnOf(Kind kind, int testSet, const QString& key) const {
  for (int c = 0; c < m_columns.size(); ++c) {
    const Column& col = m_columns[c];
    if (col.kind == kind && col.testSet == testSet && col.key == key) return c;
  }
  return -1;
}

int ComparisonModel::rowOfModel(const QString& name) const {
  if (name.isEmpty()) return -1;
  for (int r = 0; r < m_data.models.size(); ++r)
    if (m_data.models[r].name == name) return r;
  return -1;
}

bool ComparisonModel::isDescriptive(int c) const {
  const Kind k = m_columns.at(c).kind;
  return k != Kind::Model && !isMetric(k);
}

std::optional<double> ComparisonModel::relativeReduction(int row, int testSet) const {
  if (m_baselineRow < 0) return std::nullopt;
  const auto& base = m_data.models[m_baselineRow].cells[testSet];
  const auto& cell = m_data.models[row].cells[testSet];
  if (!base || !cell) return std::nullopt;
  return relativeWerReduction(base->wer, cell->wer);  // `compare`'s definition
}

QVariant ComparisonModel::value(int row, int c) const {
  const ComparedModel& m = m_data.models[row];
  const Column& col = m_columns[c];
  const auto optional = [](const std::optional<double>& v) { return v ? QVariant(*v) : QVariant(); };
  switch (col.kind) {
    case Kind::Model: return m.name;
    case Kind::Role: return m.role;
    case Kind::Parameters: return m.numParams;
    case Kind::LabeledHours: return optional(m.labeledHours);
    case Kind::UnlabeledHours: return optional(m.unlabeledHours);
    case Kind::Algorithm:
      if (!m.hasRecord) return {};
      return m.algorithm.isEmpty() ? QStringLiteral("one process") : m.algorithm;
    case Kind::Workers: return m.hasRecord ? QVariant(m.workers) : QVariant();
    case Kind::Seed: return m.hasRecord && !m.seed.isEmpty() ? QVariant(m.seed) : QVariant();
    case Kind::Key: {
      const auto it = m.keys.find(col.key);
      return it == m.keys.end() ? QVariant() : QVariant(*it);
    }
    case Kind::RelativeReduction: return optional(relativeReduction(row, col.testSet));
    default: break;
  }
  const auto& cell = m.cells[col.testSet];
  if (!cell) return {};
  switch (col.kind) {
    case Kind::Wer: return cell->wer;
    case Kind::Sub: return cell->sub;
    case Kind::Del: return cell->del;
    case Kind::Ins: return cell->ins;
    default: return {};
  }
}

QVariant ComparisonModel::sortValue(int row, int c) const {
  const QVariant v = value(row, c);
  const Kind k = m_columns[c].kind;
  if ((k == Kind::Key || k == Kind::Seed) && v.typeId() == QMetaType::QString) {
    bool number = false;
    const double d = v.toString().toDouble(&number);
    if (number) return d;
  }
  return v;
}

QString ComparisonModel::display(int row, int c) const {
  const QVariant v = value(row, c);
  if (v.isNull()) return {};
  const Column& col = m_columns[c];
  const QLocale locale;
  switch (col.kind) {
    case Kind::Parameters: return locale.toString(v.toLongLong());
    case Kind::LabeledHours:
    case Kind::UnlabeledHours: return locale.toString(v.toDouble(), 'f', 2);
    case Kind::Algorithm:
      return m_data.models[row].algorithm.isEmpty() ? tr("one process") : v.toString();
    case Kind::Wer: {
      const auto& cell = m_data.models[row].cells[col.testSet];
      // "*" as `compare` marks a doubtful cell; the tooltip says why.
      return locale.toString(v.toDouble(), 'f', 2) +
             (cell->stale || cell->partial() ? QStringLiteral("*") : QString());
    }
    case Kind::RelativeReduction:
      return (v.toDouble() > 0 ? QStringLiteral("+") : QString()) +
             tr("%1 %").arg(locale.toString(v.toDouble(), 'f', 1));
    default: return v.toString();
  }
}

QString ComparisonModel::tooltip(int row, int c) const {
  const ComparedModel& m = m_data.models[row];
  const Column& col = m_columns[c];
  switch (col.kind) {
    case Kind::Model:
      if (!m.recordError.isEmpty()) return tr("Its training run's config cannot be read: %1").arg(m.recordError);
      if (!m.hasRecord) return tr("No training run recorded for this model.");
      return tr("Trained by run %1.").arg(m.runId);
    case Kind::LabeledHours:
    case Kind::UnlabeledHours: {
      const QStringList& sets =
          col.kind == Kind::LabeledHours ? m.labeledDatasets : m.unlabeledDatasets;
      if (sets.isEmpty()) return {};
      const QString text = tr("Datasets: %1").arg(sets.join(QStringLiteral(", ")));
      return value(row, c).isNull() ? text + tr(" (one of them is not in the workspace)") : text;
    }
    case Kind::Wer: {
      const auto& cell = m.cells[col.testSet];
      if (!cell) {
        return tr("Not decoded on %1 yet: understudy-cli decode --model %2 --dataset %1")
            .arg(m_data.testSets[col.testSet], m.name);
      }
      QString text = tr("Evaluation %1 of %2: %3 reference words, %4 utterances")
                         .arg(cell->evaluationId)
                         .arg(cell->createdAt)
                         .arg(cell->refWords)
                         .arg(cell->sentences);
      if (cell->stale) text += tr("\nThe model was trained again after it: decode it again.");
      if (cell->partial())
        text += tr("\n%1 of %2 utterances scored.").arg(cell->sentences).arg(cell->datasetUtterances);
      return text;
    }
    case Kind::RelativeReduction:
      if (m_baselineRow < 0) return {};
      return tr("(WER of %1 − WER) / WER of %1").arg(m_baseline);
    default: return {};
  }
}

QVariant ComparisonModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rowCount() || index.column() >= columnCount()) return {};
  const int row = index.row(), c = index.column();
  switch (role) {
    case Qt::DisplayRole: return display(row, c);
    case SortRole: return sortValue(row, c);
    case ExportRole: {
      const QVariant v = value(row, c);
      if (v.isNull()) return QString();
      if (v.typeId() == QMetaType::Double) return plainNumber(v.toDouble());
      return v.toString();
    }
    case Qt::ToolTipRole: return tooltip(row, c);
    case Qt::TextAlignmentRole: {
      const Kind k = m_columns[c].kind;
      const bool number = isMetric(k) || k == Kind::Parameters || k == Kind::LabeledHours ||
                          k == Kind::UnlabeledHours || k == Kind::Workers;
      return int(number ? Qt::AlignRight | Qt::AlignVCenter : Qt::AlignLeft | Qt::AlignVCenter);
    }
    case Qt::FontRole:
      if (row == m_baselineRow) {
        QFont bold;
        bold.setBold(true);
        return bold;
      }
      return {};
    default: return {};
  }
}

QVariant ComparisonModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || section < 0 || section >= columnCount()) return {};
  const Column& col = m_columns[section];
  if (role == Qt::ToolTipRole) {
    switch (col.kind) {
      case Kind::Sub: return tr("Substituted words on %1").arg(m_data.testSets[col.testSet]);
      case Kind::Del: return tr("Deleted words on %1").arg(m_data.testSets[col.testSet]);
      case Kind::Ins: return tr("Inserted words on %1").arg(m_data.testSets[col.testSet]);
      case Kind::Wer:
        return tr("Word error rate in % on %1: (substitutions + deletions + insertions) / reference "
                  "words; the newest evaluation")
            .arg(m_data.testSets[col.testSet]);
      case Kind::RelativeReduction:
        return m_baseline.isEmpty()
                   ? tr("Choose a baseline model")
                   : tr("Relative WER reduction on %1 against %2: (WER_base − WER) / WER_base")
                         .arg(m_data.testSets[col.testSet], m_baseline);
      case Kind::LabeledHours: return tr("Hours of the labeled datasets its training config names (data.train)");
      case Kind::UnlabeledHours: return tr("Hours of the teacher-labeled datasets its training config names (data.soft)");
      case Kind::Algorithm: return tr("How its ranks combined their work (distribution.algorithm), or one process");
      case Kind::Key: return tr("Training config key %1").arg(col.key);
      default: return {};
    }
  }
  if (role != Qt::DisplayRole) return {};
  if (col.kind == Kind::Wer) return m_data.testSets[col.testSet] + QLatin1Char('\n') + tr("WER %");
  const QString name = title(section);
  return col.testSet >= 0 ? name.mid(m_data.testSets[col.testSet].size() + 1) : name;
}

QString ComparisonModel::title(int c) const {
  const Column& col = m_columns.at(c);
  const auto inSet = [&](const QString& name) {
    return m_data.testSets[col.testSet] + QLatin1Char(' ') + name;
  };
  switch (col.kind) {
    case Kind::Model: return tr("Model");
    case Kind::Role: return tr("Role");
    case Kind::Parameters: return tr("Parameters");
    case Kind::LabeledHours: return tr("Labeled h");
    case Kind::UnlabeledHours: return tr("Unlabeled h");
    case Kind::Algorithm: return tr("Algorithm");
    case Kind::Workers: return tr("Workers");
    case Kind::Seed: return tr("Seed");
    case Kind::Wer: return inSet(tr("WER %"));
    case Kind::Sub: return inSet(tr("Sub"));
    case Kind::Del: return inSet(tr("Del"));
    case Kind::Ins: return inSet(tr("Ins"));
    case Kind::RelativeReduction: return inSet(tr("Rel. %"));
    case Kind::Key: return col.key;
  }
  return {};
}

QString ComparisonModel::csvName(int c) const {
  const Column& col = m_columns.at(c);
  const auto inSet = [&](const char* name) {
    return m_data.testSets[col.testSet] + QLatin1Char('.') + QLatin1String(name);
  };
  switch (col.kind) {
    case Kind::Model: return QStringLiteral("model");
    case Kind::Role: return QStringLiteral("role");
    case Kind::Parameters: return QStringLiteral("params");
    case Kind::LabeledHours: return QStringLiteral("labeled_hours");
    case Kind::UnlabeledHours: return QStringLiteral("unlabeled_hours");
    case Kind::Algorithm: return QStringLiteral("algorithm");
    case Kind::Workers: return QStringLiteral("workers");
    case Kind::Seed: return QStringLiteral("seed");
    case Kind::Wer: return inSet("wer");
    case Kind::Sub: return inSet("sub");
    case Kind::Del: return inSet("del");
    case Kind::Ins: return inSet("ins");
    case Kind::RelativeReduction: return inSet("rel_reduction");
    case Kind::Key: return col.key;
  }
  return {};
}

QList<int> ComparisonModel::equalColumns(const QList<int>& rows) const {
  QList<int> out;
  for (int c = 0; c < columnCount(); ++c) {
    if (!isDescriptive(c)) continue;
    bool equal = true;
    for (int i = 1; i < rows.size() && equal; ++i)
      equal = value(rows[i], c) == value(rows[0], c);
    if (equal) out << c;
  }
  return out;
}

}  // namespace understudy::ui
