#include "ui/browser/utterance_detail_data.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>
#include <algorithm>
#include <cmath>
#include <exception>
#include <set>

#include "core/align/target_store.h"
#include "core/audio/audio_io.h"
#include "core/audio/fbank.h"
#include "core/store/catalog.h"

namespace understudy::ui {
namespace {

struct Tr {
  Q_DECLARE_TR_FUNCTIONS(UtteranceDetail)
};

QString absoluteUnder(const QString& root, const QString& path) {
  if (path.isEmpty()) return {};
  return QDir::isAbsolutePath(path) ? path : QDir(root).filePath(path);
}

QStringList unitNamesFromJson(const QString& json) {
  QStringList names;
  for (const QJsonValue& v : QJsonDocument::fromJson(json.toUtf8()).array()) names << v.toString();
  return names;
}

bool fail(const QSqlQuery& q, const QString& what, QString* error) {
  if (error) *error = Tr::tr("Reading %1 failed: %2").arg(what, q.lastError().text());
  return false;
}

bool readUtterance(const QSqlDatabase& db, const QString& root, qint64 id, DetailRequest* r,
                   qint64* datasetId, QString* error) {
  QSqlQuery q(db);
  q.prepare(QStringLiteral(
      "SELECT u.key, d.name, u.text, u.audio_path, u.offset_s, u.duration_s, d.id "
      "FROM utterances u JOIN datasets d ON d.id = u.dataset_id WHERE u.id = ?"));
  q.addBindValue(id);
  if (!q.exec()) return fail(q, Tr::tr("the utterance"), error);
  if (!q.next()) {
    if (error) *error = Tr::tr("There is no utterance with id %1 in the workspace.").arg(id);
    return false;
  }
  r->utteranceId = id;
  r->key = q.value(0).toString();
  r->dataset = q.value(1).toString();
  r->text = q.value(2).toString();
  const QString audio = q.value(3).toString();
  // A piped source ("cmd |") is not a file: loadDetail says so.
  r->audioPath = audio.trimmed().endsWith(QLatin1Char('|')) ? audio : absoluteUnder(root, audio);
  r->offsetSeconds = q.value(4).toDouble();
  const double duration = q.value(5).toDouble();
  r->durationSeconds = duration > 0 ? duration : -1.0;
  *datasetId = q.value(6).toLongLong();
  return true;
}

bool readSoftLabelSet(const QSqlDatabase& db, const QString& root, qint64 datasetId, qint64 setId,
                      DetailRequest* r, QString* error) {
  QSqlQuery q(db);
  const QString select = QStringLiteral(
      "SELECT s.id, s.path, m.name, COALESCE(i.units, '[]') FROM soft_label_sets s "
      "JOIN models m ON m.id = s.model_id "
      "LEFT JOIN unit_inventories i ON i.id = m.unit_inventory_id ");
  if (setId >= 0) {
    q.prepare(select + QStringLiteral("WHERE s.id = ? AND s.dataset_id = ?"));
    q.addBindValue(setId);
  } else {
    q.prepare(select + QStringLiteral("WHERE s.dataset_id = ? ORDER BY s.id DESC LIMIT 1"));
  }
  q.addBindValue(datasetId);
  if (!q.exec()) return fail(q, Tr::tr("the soft-label sets"), error);
  if (q.next()) {
    r->softLabelSetId = q.value(0).toLongLong();
    r->softLabelDir = absoluteUnder(root, q.value(1).toString());
    r->softLabelModel = q.value(2).toString();
    r->modelUnits = unitNamesFromJson(q.value(3).toString());
    return true;
  }
  QSqlQuery teacher(db);
  if (!teacher.exec(QStringLiteral(
          "SELECT name FROM models WHERE role = 'teacher' ORDER BY id DESC LIMIT 1")))
    return fail(teacher, Tr::tr("the models"), error);
  if (teacher.next()) r->teacherModel = teacher.value(0).toString();
  return true;
}

bool readTargetsDir(const QSqlDatabase& db, const QString& root, qint64 datasetId,
                    DetailRequest* r, QString* error) {
  QSqlQuery q(db);
  q.prepare(QStringLiteral("SELECT path FROM alignment_sets WHERE dataset_id = ? AND name = ? "
                           "ORDER BY id DESC LIMIT 1"));
  q.addBindValue(datasetId);
  q.addBindValue(QString::fromLatin1(Catalog::kTargetsAlignmentSet));
  if (!q.exec()) return fail(q, Tr::tr("the alignment sets"), error);
  // As TargetStore::datasetDir: the unkeyed folder when there is no row.
  r->targetsDir = q.next() ? absoluteUnder(root, q.value(0).toString())
                           : QDir(root).filePath(QStringLiteral("alignments/%1/%2")
                                                     .arg(r->dataset, QString::fromLatin1(
                                                                          TargetStore::kUnkeyedFolder)));
  return true;
}

bool readHypotheses(const QSqlDatabase& db, DetailRequest* r, QString* error) {
  // Every model's newest evaluation on the dataset that has a result for the
  // utterance; the teacher first, then by model name.
  QSqlQuery q(db);
  q.prepare(QStringLiteral(
      "SELECT e.id, m.name, m.role, r.hypothesis, r.alignment, r.corr, r.sub, r.del, r.ins "
      "FROM utterance_results r JOIN evaluations e ON e.id = r.evaluation_id "
      "JOIN models m ON m.id = e.model_id "
      "WHERE r.utterance_id = ? AND e.id = (SELECT MAX(e2.id) FROM evaluations e2 JOIN "
      "utterance_results r2 ON r2.evaluation_id = e2.id AND r2.utterance_id = r.utterance_id "
      "WHERE e2.model_id = e.model_id AND e2.dataset_id = e.dataset_id) "
      "ORDER BY m.role = 'teacher' DESC, m.name"));
  q.addBindValue(r->utteranceId);
  if (!q.exec()) return fail(q, Tr::tr("the decoding results"), error);
  while (q.next()) {
    HypothesisRow h;
    h.evaluationId = q.value(0).toLongLong();
    h.model = q.value(1).toString();
    h.role = q.value(2).toString();
    h.hypothesis = q.value(3).toString();
    h.alignment = q.value(4).toString();
    h.corr = q.value(5).toInt();
    h.sub = q.value(6).toInt();
    h.del = q.value(7).toInt();
    h.ins = q.value(8).toInt();
    r->hypotheses << h;
  }
  return true;
}

QString problemText(const std::exception& e) { return QString::fromStdString(e.what()); }

void loadAudio(const DetailRequest& r, DetailData* d) {
  if (r.audioPath.isEmpty()) {
    d->audioProblem = Tr::tr("The utterance has no audio path in the workspace.");
    return;
  }
  if (r.audioPath.trimmed().endsWith(QLatin1Char('|'))) {
    d->audioProblem = Tr::tr("The audio comes from a command (%1), which the workbench does not "
                             "run; no waveform, spectrogram or playback.")
                          .arg(r.audioPath);
    return;
  }
  if (!QFileInfo::exists(r.audioPath)) {
    d->audioProblem = Tr::tr("The audio file %1 is gone; restore it (or import the corpus again: "
                             "understudy-cli corpus import -w %2 ...).")
                          .arg(r.audioPath, r.workspaceRoot);
    return;
  }
  try {
    Audio audio = readAudio(r.audioPath.toStdString(), {}, r.offsetSeconds, r.durationSeconds);
    d->sampleRate = audio.sampleRate;
    d->samples = std::move(audio.samples);
    waveformPoints(d->samples, d->sampleRate, kMaxWavePoints, &d->waveTimes, &d->waveValues);
    Fbank fbank{FbankOptions{}};
    d->fbankDim = fbank.dim();
    d->fbankFrames = fbank.numFrames(static_cast<std::int64_t>(d->samples.size()));
    if (d->fbankFrames > 0) d->fbank = fbank.compute(d->samples);
  } catch (const std::exception& e) {
    d->samples.clear();
    d->audioProblem = problemText(e);
  }
}

void loadSoftLabels(const DetailRequest& r, DetailData* d) {
  if (r.softLabelSetId < 0) {
    const QString model = r.teacherModel.isEmpty() ? QStringLiteral("TEACHER") : r.teacherModel;
    d->softLabelProblem =
        Tr::tr("No soft labels for dataset %1; make them with: understudy-cli label -w %2 "
               "--model %3 --dataset %1")
            .arg(r.dataset, r.workspaceRoot, model);
    return;
  }
  const QString hint = Tr::tr("understudy-cli label -w %1 --model %2 --dataset %3")
                           .arg(r.workspaceRoot, r.softLabelModel, r.dataset);
  try {
    const std::filesystem::path dir = r.softLabelDir.toStdString();
    if (!SoftLabelStore::exists(dir)) {
      d->softLabelProblem =
          Tr::tr("The soft-label store %1 is missing; make it again with: %2").arg(r.softLabelDir, hint);
      return;
    }
    SoftLabelStore store = SoftLabelStore::open(dir);
    if (!store.contains(r.key.toStdString())) {
      d->softLabelProblem = Tr::tr("The soft labels of %1 (model %2) do not hold utterance %3 "
                                   "yet; labeling may still run, or resume it with: %4")
                                .arg(r.dataset, r.softLabelModel, r.key, hint);
      return;
    }
    d->softLabels = store.read(r.key.toStdString());
    d->entropy = frameEntropy(d->softLabels);
  } catch (const std::exception& e) {
    d->softLabels = {};
    d->softLabelProblem = problemText(e);
  }
}

void loadTargets(const DetailRequest& r, DetailData* d) {
  const QString hint =
      Tr::tr("understudy-cli targets -w %1 --dataset %2").arg(r.workspaceRoot, r.dataset);
  try {
    const std::filesystem::path dir = r.targetsDir.toStdString();
    if (!RecordStore::exists(dir)) {
      d->targetsProblem = Tr::tr("No frame targets (true units) for dataset %1; on data with "
                                 "alignments make them with: %2")
                              .arg(r.dataset, hint);
      return;
    }
    TargetStore store = TargetStore::open(dir);
    for (const std::string& name : store.units().names()) d->unitNames << QString::fromStdString(name);
    if (!store.contains(r.key.toStdString())) {
      d->targetsProblem = Tr::tr("The targets of %1 hold no utterance %2 (rejected, or made "
                                 "before it was imported); remake them with: %3")
                              .arg(r.dataset, r.key, hint);
      return;
    }
    d->targets = store.read(r.key.toStdString());
  } catch (const std::exception& e) {
    d->targets.clear();
    d->targetsProblem = problemText(e);
  }
}

QString escapedPadded(const QString& word, int width) {
  return word.toHtmlEscaped() + QString(width - word.size() + 1, QLatin1Char(' '));
}

}  // namespace

bool queryDetailRequest(const QSqlDatabase& db, const QString& workspaceRoot, qint64 utteranceId,
                        qint64 softLabelSetId, DetailRequest* request, QString* error) {
  DetailRequest r;
  r.workspaceRoot = workspaceRoot;
  qint64 datasetId = -1;
  if (!readUtterance(db, workspaceRoot, utteranceId, &r, &datasetId, error)) return false;
  if (!readSoftLabelSet(db, workspaceRoot, datasetId, softLabelSetId, &r, error)) return false;
  if (!readTargetsDir(db, workspaceRoot, datasetId, &r, error)) return false;
  if (!readHypotheses(db, &r, error)) return false;
  *request = std::move(r);
  return true;
}

DetailData loadDetail(const DetailRequest& request) {
  DetailData d;
  d.utteranceId = request.utteranceId;
  loadAudio(request, &d);
  loadSoftLabels(request, &d);
  loadTargets(request, &d);
  if (d.unitNames.isEmpty()) d.unitNames = request.modelUnits;
  return d;
}

std::vector<int> heatmapUnits(const SoftLabels& labels, const std::vector<std::int32_t>& targets) {
  std::set<int> units(labels.ids.begin(), labels.ids.end());
  units.insert(targets.begin(), targets.end());
  return {units.begin(), units.end()};
}

void waveformPoints(const std::vector<float>& samples, int sampleRate, std::size_t maxPoints,
                    std::vector<double>* times, std::vector<double>* values) {
  times->clear();
  values->clear();
  if (sampleRate <= 0) return;
  const std::size_t n = samples.size();
  auto add = [&](std::size_t i) {
    times->push_back(static_cast<double>(i) / sampleRate);
    values->push_back(samples[i]);
  };
  if (n <= maxPoints) {
    for (std::size_t i = 0; i < n; ++i) add(i);
    return;
  }
  const std::size_t bins = std::max<std::size_t>(1, maxPoints / 2);
  const std::size_t per = (n + bins - 1) / bins;
  for (std::size_t begin = 0; begin < n; begin += per) {
    const auto first = samples.begin() + static_cast<std::ptrdiff_t>(begin);
    const auto last = samples.begin() + static_cast<std::ptrdiff_t>(std::min(n, begin + per));
    const auto [lo, hi] = std::minmax_element(first, last);
    const auto a = static_cast<std::size_t>(lo - samples.begin());
    const auto b = static_cast<std::size_t>(hi - samples.begin());
    add(std::min(a, b));
    if (a != b) add(std::max(a, b));
  }
}

std::vector<double> frameEntropy(const SoftLabels& labels) {
  std::vector<double> entropy(static_cast<std::size_t>(labels.frames), 0.0);
  for (int t = 0; t < labels.frames; ++t)
    for (int j = 0; j < labels.k; ++j) {
      const double p = labels.prob(t, j);
      if (p > 0) entropy[static_cast<std::size_t>(t)] -= p * std::log(p);
    }
  return entropy;
}

QList<AlignedColumn> parseScliteAlignment(const QString& text) {
  // Offsets are in bytes, as formatAlignment() pads (UTF-8 words stay whole).
  QByteArray ref, hyp, eval;
  for (const QByteArray& line : text.toUtf8().split('\n')) {
    if (line.startsWith("REF:")) ref = line;
    else if (line.startsWith("HYP:")) hyp = line;
    else if (line.startsWith("Eval:")) eval = line;
  }
  // The three prefixes are equally wide ("REF:  ", "HYP:  ", "Eval: ") and
  // every column is padded to the same width in all three lines, so a
  // column starts at the same offset in each.
  auto wordEnd = [](const QByteArray& line, qsizetype from) {
    while (from < line.size() && line[from] != ' ') ++from;
    return from;
  };
  QList<AlignedColumn> columns;
  constexpr qsizetype kPrefix = 6;
  qsizetype pos = kPrefix;
  while (pos < ref.size()) {
    while (pos < ref.size() && ref[pos] == ' ') ++pos;
    if (pos >= ref.size()) break;
    const qsizetype refEnd = wordEnd(ref, pos), hypEnd = wordEnd(hyp, pos);
    AlignedColumn c;
    c.ref = QString::fromUtf8(ref.mid(pos, refEnd - pos));
    c.hyp = QString::fromUtf8(hyp.mid(pos, hypEnd - pos));
    const char e = pos < eval.size() ? eval[pos] : ' ';
    c.op = (e == 'S' || e == 'D' || e == 'I') ? QLatin1Char(e) : QLatin1Char('C');
    columns << c;
    pos = std::max(refEnd, hypEnd);
  }
  return columns;
}

QString editColorName(QChar op) {
  if (op == QLatin1Char('S')) return QStringLiteral("#c62828");  // red
  if (op == QLatin1Char('D')) return QStringLiteral("#1565c0");  // blue
  if (op == QLatin1Char('I')) return QStringLiteral("#2e7d32");  // green
  return {};
}

QString alignmentHtml(const QList<AlignedColumn>& columns) {
  QString refLine = QStringLiteral("REF: "), hypLine = QStringLiteral("HYP: ");
  for (const AlignedColumn& c : columns) {
    const int width = static_cast<int>(std::max(c.ref.size(), c.hyp.size()));
    if (!c.isError()) {
      refLine += escapedPadded(c.ref, width);
      hypLine += escapedPadded(c.hyp, width);
      continue;
    }
    const QString open = QStringLiteral("<span style=\"color:%1; font-weight:bold\" data-op=\"%2\">")
                             .arg(editColorName(c.op), QString(c.op));
    const QString close = QStringLiteral("</span>");
    const QString refPad(width - c.ref.size() + 1, QLatin1Char(' '));
    const QString hypPad(width - c.hyp.size() + 1, QLatin1Char(' '));
    refLine += open + c.ref.toHtmlEscaped() + close + refPad;
    hypLine += open + c.hyp.toHtmlEscaped() + close + hypPad;
  }
  return QStringLiteral("<pre style=\"margin:0\">") + refLine + QLatin1Char('\n') + hypLine +
         QStringLiteral("</pre>");
}

}  // namespace understudy::ui
