// What the labeling-quality view reads from workspace.db (docs/gui.md
// "Labeling quality"): the soft-label sets with their dataset, model, label
// run and summary stamp, the summary itself (soft_label_summaries.summary,
// parsed with understudy::SoftLabelSummary::fromJson) and the names of the
// model's units. Plain queries on the view's read-only connection; each costs
// well under a millisecond on a workspace of a few sets (the summary JSON of
// a few thousand units parses in a few ms), so they run on the GUI thread.
//
//   QList<SoftLabelSetInfo> sets = readSoftLabelSets(db, &error);
//   SummaryRead s = readSoftLabelSummary(db, sets[0].id);
//   QStringList names = readUnitNames(db, sets[0].unitInventoryId, s.summary->numUnits());
#pragma once

#include <QList>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>
#include <optional>

#include "core/store/soft_label_summary.h"

namespace understudy::ui {

struct SoftLabelSetInfo {
  qint64 id = 0;
  QString path;    // catalog path, "softlabels/<folder>"
  QString folder;  // the path without "softlabels/"
  QString dataset;
  qint64 datasetUtterances = 0;  // its ok utterances
  QString model;
  qint64 unitInventoryId = 0;  // the model's; 0: none recorded
  int k = 0;
  QString quantization;  // "fp16" or "log8"
  double temperature = 1.0;
  qint64 runId = 0;       // 0: none
  QString runStatus;      // '' without a run
  qint64 utterances = 0;  // the set's row (updated at each commit of the labeler)
  qint64 frames = 0;
  QString summaryUpdatedAt;  // '' when the set has no summary yet

  // Everything the view shows of the row: a change of any of it redraws.
  bool operator==(const SoftLabelSetInfo& o) const;
  bool operator!=(const SoftLabelSetInfo& o) const { return !(*this == o); }
};

// Every soft-label set, by dataset name, then path. Empty + *error on a failed query.
QList<SoftLabelSetInfo> readSoftLabelSets(const QSqlDatabase& db, QString* error);

struct SummaryRead {
  std::optional<SoftLabelSummary> summary;  // none: no row yet, or unreadable
  QString error;                            // why unreadable ('' when fine or absent)
};
SummaryRead readSoftLabelSummary(const QSqlDatabase& db, qint64 softLabelSetId);

// The names of units 0 … numUnits-1 from the unit_inventories row; units the
// row does not name (no row, a shorter list) are "#<id>".
QStringList readUnitNames(const QSqlDatabase& db, qint64 unitInventoryId, int numUnits);

// One bar of the unit-usage chart.
struct UnitUsage {
  int unit = 0;
  QString name;
  qint64 frames = 0;  // frames whose top-1 is this unit
};
// Every unit, most frames first (ties: lower id first), the unused ones last.
QList<UnitUsage> sortedUnitUsage(const std::vector<std::int64_t>& unitCounts,
                                 const QStringList& names);

}  // namespace understudy::ui
