// What the utterance detail panel shows, and how it is read
// (docs/gui.md "Utterances").
//
// Two steps, so that nothing slow runs on the GUI thread:
//   1. queryDetailRequest(): a few indexed SELECTs on the panel's read-only
//      connection (GUI thread, well under a millisecond): the utterance row,
//      where its audio, soft labels and targets are, and every model's
//      newest decoding result for it.
//   2. loadDetail(): on a worker thread: decode the audio (core/audio,
//      libsndfile), the 64-bin log-mel fbank, the soft-label store's record,
//      the targets store's record. Each missing piece becomes a note with the
//      command that makes it; the others still load.
//
// The sclite alignment text (utterance_results.alignment) is parsed back into
// columns by parseScliteAlignment() and drawn by alignmentHtml().
#pragma once

#include <QCoreApplication>
#include <QList>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>
#include <cstdint>
#include <vector>

#include "core/store/soft_label_store.h"

namespace understudy::ui {

// One model's newest decoding result for the utterance.
struct HypothesisRow {
  qint64 evaluationId = -1;
  QString model;
  QString role;  // 'teacher', 'student', 'baseline' or ''
  QString hypothesis;
  QString alignment;  // sclite REF/HYP/Eval lines
  int corr = 0, sub = 0, del = 0, ins = 0;
};

struct DetailRequest {
  qint64 utteranceId = -1;
  QString workspaceRoot;
  QString key;
  QString dataset;
  QString text;  // the reference transcript ('' when none)
  QString audioPath;  // absolute ('' when the row has none)
  double offsetSeconds = 0.0;
  double durationSeconds = -1.0;  // < 0: to the end of the file
  // The soft-label set shown (-1: the dataset has none).
  qint64 softLabelSetId = -1;
  QString softLabelDir;  // absolute store folder
  QString softLabelModel;
  QStringList modelUnits;  // the set's model's unit names (unit_inventories), may be empty
  QString teacherModel;    // for the "label" hint when there is no set ('' = none known)
  QString targetsDir;      // absolute, the dataset's current targets folder
  QList<HypothesisRow> hypotheses;
};

// Reads the request for utterances.id = utteranceId on `db` (read-only).
// softLabelSetId < 0: the newest set on the utterance's dataset. Returns
// false and sets *error when the utterance does not exist or the query fails.
bool queryDetailRequest(const QSqlDatabase& db, const QString& workspaceRoot, qint64 utteranceId,
                        qint64 softLabelSetId, DetailRequest* request, QString* error);

struct DetailData {
  qint64 utteranceId = -1;
  // Audio, mono, at sampleRate (16 kHz); empty with audioProblem set.
  std::vector<float> samples;
  int sampleRate = 0;
  QString audioProblem;
  // The waveform as drawn (waveformPoints()): times in seconds and values.
  std::vector<double> waveTimes, waveValues;
  // 64-bin log-mel fbank (FbankOptions defaults: 25/10 ms), frames × dim.
  std::vector<float> fbank;
  int fbankFrames = 0;
  int fbankDim = 0;
  // The soft-label record (30 ms frames) and per-frame entropy in nats
  // (-Σ p ln p over the stored top-k).
  SoftLabels softLabels;
  std::vector<double> entropy;
  QString softLabelProblem;
  // The true unit per 30 ms frame, and the unit names (the targets'
  // units.txt, else the soft-label model's inventory).
  std::vector<std::int32_t> targets;
  QStringList unitNames;
  QString targetsProblem;
};

// Worker-thread part; never throws (problems become the notes above).
DetailData loadDetail(const DetailRequest& request);

// The rows of the soft-label heatmap: every unit that appears in this
// utterance's stored top-k or in its targets, in increasing unit id.
std::vector<int> heatmapUnits(const SoftLabels& labels, const std::vector<std::int32_t>& targets);

// The waveform's points for the plot: every sample while there are at most
// maxPoints, else per run of consecutive samples its minimum and maximum, in
// the order they occur, each at its own time (what a pixel column shows; a
// 30 s utterance: 20,000 runs of 24 samples, 1.5 ms each).
constexpr std::size_t kMaxWavePoints = 40000;
void waveformPoints(const std::vector<float>& samples, int sampleRate, std::size_t maxPoints,
                    std::vector<double>* times, std::vector<double>* values);

// Entropy of each stored frame, nats.
std::vector<double> frameEntropy(const SoftLabels& labels);

// One column of a sclite alignment: op 'C' (correct), 'S', 'D' or 'I'.
struct AlignedColumn {
  QChar op;
  QString ref;  // as printed ('***' for an insertion)
  QString hyp;  // as printed ('***' for a deletion)
  bool isError() const { return op != QLatin1Char('C'); }
};
// Parses the REF:/HYP:/Eval: lines formatAlignment() writes; empty for ''.
QList<AlignedColumn> parseScliteAlignment(const QString& text);

// Colour of an edit (correct words stay in the text colour).
QString editColorName(QChar op);
// Two lines, REF and HYP, columns aligned (for a monospaced label), each error
// word in <span style="color:..." data-op="S|D|I">; HTML-escaped.
QString alignmentHtml(const QList<AlignedColumn>& columns);

}  // namespace understudy::ui
