#include "ui/labeling/soft_label_set_reader.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>
#include <algorithm>

#include "core/util/error.h"

namespace understudy::ui {

bool SoftLabelSetInfo::operator==(const SoftLabelSetInfo& o) const {
  return id == o.id && path == o.path && dataset == o.dataset &&
         datasetUtterances == o.datasetUtterances && model == o.model &&
         unitInventoryId == o.unitInventoryId && k == o.k && quantization == o.quantization &&
         temperature == o.temperature && runId == o.runId && runStatus == o.runStatus &&
         utterances == o.utterances && frames == o.frames && summaryUpdatedAt == o.summaryUpdatedAt;
}

QList<SoftLabelSetInfo> readSoftLabelSets(const QSqlDatabase& db, QString* error) {
  QList<SoftLabelSetInfo> sets;
  QSqlQuery q(db);
  q.setForwardOnly(true);
  const bool ok = q.exec(QStringLiteral(
      "SELECT s.id, s.path, d.name, d.num_utterances, m.name, COALESCE(m.unit_inventory_id, 0), "
      "s.k, s.quantization, s.temperature, COALESCE(s.run_id, 0), COALESCE(r.status, ''), "
      "s.num_utterances, s.num_frames, COALESCE(su.updated_at, '') "
      "FROM soft_label_sets s JOIN datasets d ON d.id = s.dataset_id "
      "JOIN models m ON m.id = s.model_id LEFT JOIN runs r ON r.id = s.run_id "
      "LEFT JOIN soft_label_summaries su ON su.soft_label_set_id = s.id "
      "ORDER BY d.name, s.path"));
  if (!ok) {
    if (error)
      *error =
          QCoreApplication::translate("LabelingQualityView", "cannot read the soft-label sets: %1")
              .arg(q.lastError().text());
    return sets;
  }
  const QString prefix = QStringLiteral("softlabels/");
  while (q.next()) {
    SoftLabelSetInfo s;
    s.id = q.value(0).toLongLong();
    s.path = q.value(1).toString();
    s.folder = s.path.startsWith(prefix) ? s.path.mid(prefix.size()) : s.path;
    s.dataset = q.value(2).toString();
    s.datasetUtterances = q.value(3).toLongLong();
    s.model = q.value(4).toString();
    s.unitInventoryId = q.value(5).toLongLong();
    s.k = q.value(6).toInt();
    s.quantization = q.value(7).toString();
    s.temperature = q.value(8).toDouble();
    s.runId = q.value(9).toLongLong();
    s.runStatus = q.value(10).toString();
    s.utterances = q.value(11).toLongLong();
    s.frames = q.value(12).toLongLong();
    s.summaryUpdatedAt = q.value(13).toString();
    sets << s;
  }
  return sets;
}

SummaryRead readSoftLabelSummary(const QSqlDatabase& db, qint64 softLabelSetId) {
  SummaryRead out;
  QSqlQuery q(db);
  q.setForwardOnly(true);
  q.prepare(QStringLiteral("SELECT summary FROM soft_label_summaries WHERE soft_label_set_id = ?"));
  q.addBindValue(softLabelSetId);
  if (!q.exec()) {
    out.error =
        QCoreApplication::translate("LabelingQualityView", "cannot read the label summary: %1")
            .arg(q.lastError().text());
    return out;
  }
  if (!q.next()) return out;
  try {
    out.summary = SoftLabelSummary::fromJson(q.value(0).toString().toStdString());
  } catch (const Error& e) {
    out.error = QString::fromStdString(e.message());
  }
  return out;
}

QStringList readUnitNames(const QSqlDatabase& db, qint64 unitInventoryId, int numUnits) {
  QJsonArray stored;
  if (unitInventoryId > 0) {
    QSqlQuery q(db);
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT units FROM unit_inventories WHERE id = ?"));
    q.addBindValue(unitInventoryId);
    if (q.exec() && q.next())
      stored = QJsonDocument::fromJson(q.value(0).toString().toUtf8()).array();
  }
  QStringList names;
  names.reserve(numUnits);
  for (int i = 0; i < numUnits; ++i) {
    const QString name = i < stored.size() ? stored.at(i).toString() : QString();
    names << (name.isEmpty() ? QStringLiteral("#%1").arg(i) : name);
  }
  return names;
}

QList<UnitUsage> sortedUnitUsage(const std::vector<std::int64_t>& unitCounts,
                                 const QStringList& names) {
  QList<UnitUsage> usage;
  usage.reserve(static_cast<int>(unitCounts.size()));
  for (std::size_t i = 0; i < unitCounts.size(); ++i) {
    const int unit = static_cast<int>(i);
    usage.push_back({unit, unit < names.size() ? names.at(unit) : QStringLiteral("#%1").arg(unit),
                     unitCounts[i]});
  }
  std::stable_sort(usage.begin(), usage.end(),
                   [](const UnitUsage& a, const UnitUsage& b) { return a.frames > b.frames; });
  return usage;
}

}  // namespace understudy::ui
