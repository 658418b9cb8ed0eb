// understudy-cli export --what softlabels and import --what softlabels on a
// workspace built in the test (a dataset, a model row, soft-label stores
// written with SoftLabelStore and registered in the catalog; no corpus, no
// teacher): the CLI's archive is byte for byte what exportSoftLabelsToKaldi
// writes (whose format test_soft_label_store checks against python-written
// goldens), a CLI round trip gives back the ids exactly and the probabilities
// within the documented quantisation bounds, and the set lookup says what
// exists and what to run.
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "core/store/catalog.h"
#include "core/store/kaldi_export.h"
#include "core/store/model_registry.h"
#include "core/store/record_store.h"
#include "core/store/run_store.h"
#include "core/store/soft_label_kaldi.h"
#include "core/store/soft_label_sets.h"
#include "core/store/soft_label_store.h"
#include "core/store/unit_inventory.h"
#include "core/store/workspace.h"
#include "support/expect_error.h"
#include "support/test_support.h"

using understudy::test::expectError;
using understudy::test::outputOf;
using understudy::test::ProcessResult;
using understudy::test::runCli;
using namespace understudy;

namespace {

constexpr int kUnits = 50;
constexpr int kK = 6;

QByteArray readAll(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return {};
  return f.readAll();
}

// Frames of k distinct ids with decreasing probabilities summing to 1; every
// third frame has only 1 … k−1 non-zero entries (the rest p = 0), so export
// leaves pairs out and import pads them back.
void writeStore(const QString& dir, SoftLabelPrecision precision, const std::string& model,
                const std::vector<std::string>& keys, std::uint32_t seed) {
  SoftLabelStoreOptions o;
  o.k = kK;
  o.numUnits = kUnits;
  o.precision = precision;
  o.temperature = 2.0;
  o.model = model;
  SoftLabelStore store = SoftLabelStore::create(dir.toStdString(), o);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> logp(-9.0, 0.0);
  for (std::size_t u = 0; u < keys.size(); ++u) {
    const int frames = 3 + static_cast<int>(u) * 4;  // 3, 7, 11, …
    std::vector<std::int32_t> ids(static_cast<std::size_t>(frames) * kK);
    std::vector<float> probs(ids.size());
    for (int t = 0; t < frames; ++t) {
      std::vector<int> pool(kUnits);
      for (int i = 0; i < kUnits; ++i) pool[static_cast<std::size_t>(i)] = i;
      std::shuffle(pool.begin(), pool.end(), rng);
      const int nonZero = t % 3 == 2 ? 1 + t % (kK - 1) : kK;
      std::vector<double> v(kK, 0.0);
      double sum = 0.0;
      for (int j = 0; j < nonZero; ++j) sum += v[static_cast<std::size_t>(j)] = std::exp(logp(rng));
      std::sort(v.begin(), v.end(), std::greater<>());
      for (int j = 0; j < kK; ++j) {
        ids[static_cast<std::size_t>(t) * kK + j] = pool[static_cast<std::size_t>(j)];
        probs[static_cast<std::size_t>(t) * kK + j] =
            static_cast<float>(v[static_cast<std::size_t>(j)] / sum);
      }
    }
    store.append(keys[u], frames, ids.data(), probs.data());
  }
  store.commit();
}

// The documented bound of docs/formats.md ("Precisions") for a value x
// quantised at `precision`, k entries per frame.
double bound(SoftLabelPrecision precision, double x) {
  if (precision == SoftLabelPrecision::Fp16) return std::ldexp(x, -11) + std::ldexp(1.0, -25);
  const double theta = std::pow(10.0, -254.5 / 40);
  if (x < theta) return x;  // read back as 0
  const double eps = std::pow(10.0, 1.0 / 40) / (1 - kK * theta) - 1 + std::ldexp(1.0, -23);
  return eps * x;
}

}  // namespace

class TestExportSoftLabels : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir m_dir;
  QString m_ws;
  const std::vector<std::string> m_keys{"utt-a", "utt-b", "utt-c", "utt-d"};

  QString out(const QString& name) const { return m_dir.filePath(name); }
  QString storeDir(const QString& folder) const { return m_ws + "/softlabels/" + folder; }

  // Registers softlabels/<folder> of `dataset`, made with `model`.
  void registerSet(const std::string& dataset, const std::string& model, const std::string& folder,
                   SoftLabelPrecision precision) {
    Workspace ws = Workspace::open(m_ws.toStdString());
    Catalog catalog(ws);
    SoftLabelSetRow row;
    row.datasetId = catalog.dataset(dataset).id;
    row.modelId = findModel(ws.db(), model)->id;
    row.k = kK;
    row.temperature = 2.0;
    row.quantization = softLabelPrecisionName(precision);
    row.path = "softlabels/" + folder;
    row.numUtterances = static_cast<std::int64_t>(m_keys.size());
    catalog.registerSoftLabelSet(row);
  }

  // Exports with the CLI, then with exportSoftLabelsToKaldi; the arks must be equal.
  void exportMatchesLibrary(const QString& folder, bool text) {
    const QString ark = out(folder + (text ? "-t.ark" : "-b.ark")), scp = out(folder + "-cli.scp");
    QStringList args{"-q",     "export",     "-w",    m_ws, "--dataset", "d",
                     "--what", "softlabels", "--ark", ark,  "--scp",     scp};
    if (text)
      args << "--text"
           << "--labels" << folder;  // binary: the dataset's only set, unnamed
    auto r = runCli(args);
    QVERIFY2(r.exitCode == 0, qPrintable(outputOf(r)));
    QVERIFY2(r.out.contains("Exported softlabels of 'd' (softlabels/" + folder.toUtf8()),
             r.out.constData());
    const QString ref = out(folder + (text ? "-ref-t.ark" : "-ref-b.ark"));
    exportSoftLabelsToKaldi(SoftLabelStore::open(storeDir(folder).toStdString()), ref.toStdString(),
                            out(folder + "-ref.scp").toStdString(), !text);
    const QByteArray mine = readAll(ark), theirs = readAll(ref);
    QVERIFY(!theirs.isEmpty());
    QVERIFY2(mine == theirs, qPrintable(QString("%1: %2 bytes from the CLI, %3 from the library")
                                            .arg(folder)
                                            .arg(mine.size())
                                            .arg(theirs.size())));
    // The scp points at the CLI's ark: same lines with the ark's name swapped.
    QByteArray refScp = readAll(out(folder + "-ref.scp"));
    refScp.replace(ref.toUtf8(), ark.toUtf8());
    QCOMPARE(readAll(scp), refScp);
    QCOMPARE(static_cast<std::size_t>(refScp.count('\n')), m_keys.size());
  }

  // Imports the CLI's binary export of `folder` (the ark exportMatchesLibrary
  // wrote, or a new export through the scp) back into `folder`-rt-* with the
  // CLI, and compares the stores frame by frame.
  void roundTrip(const QString& folder, SoftLabelPrecision precision, bool viaScp) {
    QString ark = out(folder + "-b.ark");
    const QString scp = out(folder + "-rt.scp");
    ProcessResult r;
    if (viaScp) {
      ark = out(folder + "-rt.ark");
      r = runCli({"-q", "export", "-w", m_ws, "--dataset", "d", "--what", "softlabels", "--labels",
                  folder, "--ark", ark, "--scp", scp});
      QVERIFY2(r.exitCode == 0, qPrintable(outputOf(r)));
    }
    QVERIFY(QFile::exists(ark));
    const QString back = folder + (viaScp ? "-rt-scp" : "-rt-ark");
    r = runCli({"-q",
                "import",
                "-w",
                m_ws,
                "--dataset",
                "d",
                "--what",
                "softlabels",
                "--model",
                "teacher",
                viaScp ? "--scp" : "--ark",
                viaScp ? scp : ark,
                "--out",
                back,
                "--top-k",
                QString::number(kK),
                "--precision",
                softLabelPrecisionName(precision),
                "--temperature",
                "2"});
    QVERIFY2(r.exitCode == 0, qPrintable(outputOf(r)));
    QVERIFY2(r.out.contains("Imported softlabels of 'd'"), r.out.constData());
    QVERIFY2(r.out.contains("4 utterance(s) (0 already stored) into softlabels/" + back.toUtf8()),
             r.out.constData());
    QVERIFY2(r.out.contains("padded with p = 0"), r.out.constData());  // the frames with zeros

    const SoftLabelStore a = SoftLabelStore::open(storeDir(folder).toStdString());
    const SoftLabelStore b = SoftLabelStore::open(storeDir(back).toStdString());
    QCOMPARE(b.options().k, kK);
    QCOMPARE(b.options().numUnits, kUnits);
    QCOMPARE(b.options().model, std::string("teacher"));
    QCOMPARE(b.options().temperature, 2.0);
    QVERIFY(b.precision() == precision);
    QCOMPARE(b.keys().size(), m_keys.size());
    double worst = 0.0;  // largest |p̂2 − x'| / bound
    for (const std::string& key : m_keys) {
      const SoftLabels x = a.read(key), y = b.read(key);
      QCOMPARE(y.frames, x.frames);
      for (int t = 0; t < x.frames; ++t) {
        // The exported pairs (p̂ > 0), renormalised in double as the writer does.
        std::map<int, double> exported;
        double sum = 0.0;
        for (int j = 0; j < kK; ++j)
          if (x.prob(t, j) > 0) sum += exported[x.id(t, j)] = x.prob(t, j);
        double sumBack = 0.0;
        std::map<int, double> imported;
        for (int j = 0; j < kK; ++j) {
          sumBack += y.prob(t, j);
          if (j > 0) QVERIFY(y.prob(t, j) <= y.prob(t, j - 1));
          if (y.prob(t, j) > 0) imported[y.id(t, j)] = y.prob(t, j);
        }
        QVERIFY2(std::abs(sumBack - 1.0) <= 1e-3, key.c_str());
        // The argmax survives (of exported near-ties made equal, the smaller id comes first).
        QCOMPARE(exported.count(y.id(t, 0)), std::size_t(1));
        QCOMPARE(exported[y.id(t, 0)], static_cast<double>(x.prob(t, 0)));
        for (const auto& [id, p] : exported) {
          const double want = p / sum;
          const double got = imported.count(id) ? imported[id] : 0.0;
          const double b = bound(precision, want);
          QVERIFY2(std::abs(got - want) <= b,
                   qPrintable(QString("%1 frame %2 id %3: %4 vs %5 (bound %6)")
                                  .arg(key.c_str())
                                  .arg(t)
                                  .arg(id)
                                  .arg(got, 0, 'g', 9)
                                  .arg(want, 0, 'g', 9)
                                  .arg(b)));
          if (b > 0) worst = std::max(worst, std::abs(got - want) / b);
        }
        // No id comes back with a probability it did not have.
        for (const auto& [id, p] : imported) QVERIFY2(exported.count(id), key.c_str());
      }
    }
    qInfo("%s via %s: worst error %.3g of the bound", softLabelPrecisionName(precision),
          viaScp ? "scp" : "ark", worst);
  }

 private slots:
  void initTestCase() {
    QVERIFY(m_dir.isValid());
    m_ws = m_dir.filePath("ws");
    {
      Workspace ws = Workspace::create(m_ws.toStdString());
      Catalog catalog(ws);
      for (const char* name : {"d", "e", "f"}) {
        DatasetRow d;
        d.name = name;
        d.kind = "unlabeled";
        d.source = "kaldi";
        std::vector<UtteranceRow> utts;
        for (const std::string& key :
             name == std::string("f") ? std::vector<std::string>{"other"} : m_keys) {
          UtteranceRow u;
          u.key = key;
          u.audioPath = "/nowhere/" + key + ".wav";
          u.duration = 1.0;
          u.sampleRate = 16000;
          utts.push_back(u);
        }
        d.numUtterances = static_cast<std::int64_t>(utts.size());
        catalog.registerDataset(d, utts);
      }
      const std::int64_t pdfs =
          recordUnitInventory(ws.db(), UnitInventory::pdfs(kUnits), "pdf-50", "kaldi");
      for (const char* name : {"teacher", "teacher2"}) {
        ModelRow m;
        m.name = name;
        m.role = "teacher";
        m.path = std::string("models/") + name + "/model.pt";
        m.unitInventoryId = pdfs;
        registerModel(ws.db(), m);
      }
    }
    writeStore(storeDir("d-teacher"), SoftLabelPrecision::Fp16, "teacher", m_keys, 1);
    registerSet("d", "teacher", "d-teacher", SoftLabelPrecision::Fp16);

    // Frame targets of e (which imports d-teacher's export) on the models'
    // inventory: the labels' entry f % 3 of frame f, so top-1 is right on a
    // third of the frames and the truth is in the top k on all.
    Workspace ws = Workspace::open(m_ws.toStdString());
    Catalog catalog(ws);
    const SoftLabelStore labels = SoftLabelStore::open(storeDir("d-teacher").toStdString());
    RecordStoreOptions o;
    o.type = ElementType::Int32;
    o.cols = 1;
    o.kind = "targets";
    RecordStore targets = RecordStore::create(m_ws.toStdString() + "/alignments/e/targets", o);
    for (const std::string& key : m_keys) {
      const SoftLabels x = labels.read(key);
      std::vector<std::int32_t> t(static_cast<std::size_t>(x.frames));
      for (int f = 0; f < x.frames; ++f)
        t[static_cast<std::size_t>(f)] = x.prob(f, f % 3) > 0 ? x.id(f, f % 3) : x.id(f, 0);
      targets.append(key, t.data(), static_cast<std::uint32_t>(t.size()), 1);
    }
    targets.commit();
    AlignmentSetRow a;
    a.datasetId = catalog.dataset("e").id;
    a.unitInventoryId = findUnitInventory(ws.db(), "pdf-50")->id;
    a.name = Catalog::kTargetsAlignmentSet;
    a.source = "kaldi";
    a.path = "alignments/e/targets";
    a.frameShiftMs = 30;
    a.numUtterances = static_cast<std::int64_t>(m_keys.size());
    catalog.registerAlignmentSet(a);
  }

  // --- export -------------------------------------------------------------------

  // The dataset's only set needs no --model / --labels; the archive is the
  // library's, byte for byte; the run is recorded.
  void testBinaryExportOfTheOnlySetIsTheLibrarysBytes() {
    exportMatchesLibrary("d-teacher", false);
    Workspace ws = Workspace::open(m_ws.toStdString());
    RunStore runs(ws.db());
    const RunRow run = runs.listRuns().front();
    QCOMPARE(run.kind, std::string("export"));
    QCOMPARE(run.status, std::string("finished"));
    const auto m = runs.metrics(run.id, "export/utterances");
    QCOMPARE(m.size(), std::size_t(1));
    QCOMPARE(m[0].value, 4.0);
  }
  void testTextExportIsTheLibrarysBytes() { exportMatchesLibrary("d-teacher", true); }

  void testDatasetWithoutSoftLabelsNamesLabelAndImport() {
    auto r = runCli(
        {"export", "-w", m_ws, "--dataset", "e", "--what", "softlabels", "--ark", out("x.ark")});
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(r.err.trimmed().count('\n'), 0);
    QVERIFY2(r.err.contains("dataset 'e' has no soft labels"), r.err.constData());
    QVERIFY2(r.err.contains("understudy-cli label -w"), r.err.constData());
    QVERIFY2(r.err.contains("understudy-cli import -w"), r.err.constData());
    QVERIFY(!QFile::exists(out("x.ark")));
    Workspace ws = Workspace::open(m_ws.toStdString());
    expectError([&] { locateExportStore(ws, "e", ExportWhat::SoftLabels); },
                {"dataset 'e' has no soft labels", "understudy-cli label -w"});
    QCOMPARE(locateExportStore(ws, "d", ExportWhat::SoftLabels).string(),
             storeDir("d-teacher").toStdString());
  }

  void testSoftLabelOptionsOnlyWithSoftLabels() {
    auto r = runCli({"export", "-w", m_ws, "--dataset", "d", "--what", "targets", "--model",
                     "teacher", "--ark", out("x.ark")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("--model applies to --what softlabels only"), r.err.constData());
  }

  void testSeveralSetsAreListedAndChosenByModelOrFolder() {
    writeStore(storeDir("d-teacher2"), SoftLabelPrecision::Log8, "teacher2", m_keys, 2);
    registerSet("d", "teacher2", "d-teacher2", SoftLabelPrecision::Log8);
    writeStore(storeDir("extra"), SoftLabelPrecision::Fp16, "teacher", m_keys, 3);
    registerSet("d", "teacher", "extra", SoftLabelPrecision::Fp16);

    auto r = runCli(
        {"export", "-w", m_ws, "--dataset", "d", "--what", "softlabels", "--ark", out("x.ark")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("dataset 'd' has 3 soft-label sets"), r.err.constData());
    for (const char* listed :
         {"d-teacher (model teacher, k 6, fp16, 4 utt)",
          "d-teacher2 (model teacher2, k 6, log8, 4 utt)", "extra (model teacher"})
      QVERIFY2(r.err.contains(listed), r.err.constData());
    QVERIFY(!QFile::exists(out("x.ark")));
    // teacher made two sets; d-teacher is its default folder.
    r = runCli({"-q", "export", "-w", m_ws, "--dataset", "d", "--what", "softlabels", "--model",
                "teacher", "--ark", out("t1.ark")});
    QVERIFY2(r.exitCode == 0, qPrintable(outputOf(r)));
    QVERIFY2(r.out.contains("softlabels/d-teacher: model teacher"), r.out.constData());

    // The rest of the lookup rule in process (each CLI start costs about a second).
    Workspace ws = Workspace::open(m_ws.toStdString());
    QCOMPARE(locateSoftLabelSet(ws, "d", "teacher2").path, std::string("softlabels/d-teacher2"));
    QCOMPARE(locateSoftLabelSet(ws, "d", "", "extra").path, std::string("softlabels/extra"));
    QCOMPARE(locateSoftLabelSet(ws, "d", "", "softlabels/extra").path,
             std::string("softlabels/extra"));
    QCOMPARE(locateSoftLabelSet(ws, "d", "teacher", "extra").path, std::string("softlabels/extra"));
    expectError([&] { locateSoftLabelSet(ws, "d", "", "nope"); },
                {"no soft-label set in folder 'nope'", "d-teacher2 (model teacher2"});
    expectError([&] { locateSoftLabelSet(ws, "d", "teacher2", "extra"); },
                {"'extra' of dataset 'd' was made with model 'teacher', not 'teacher2'"});
    expectError([&] { locateSoftLabelSet(ws, "d", "nobody"); },
                {"no model named 'nobody'", "teacher2"});
    expectError([&] { locateSoftLabelSet(ws, "e", "teacher"); },
                {"dataset 'e' has no soft labels from model 'teacher'",
                 "understudy-cli label -w " + m_ws.toStdString() + " --model teacher --dataset e"});
    expectError([&] { locateExportStore(ws, "d", ExportWhat::SoftLabels); },
                {"has 3 soft-label sets"});
  }

  void testSetsOfOneModelOutsideItsDefaultFolderNeedLabels() {
    // f: two sets of teacher2, neither in f-teacher2; and a set whose store is gone.
    writeStore(storeDir("f-x"), SoftLabelPrecision::Fp16, "teacher2", {"other"}, 6);
    registerSet("f", "teacher2", "f-x", SoftLabelPrecision::Fp16);
    writeStore(storeDir("f-y"), SoftLabelPrecision::Fp16, "teacher2", {"other"}, 7);
    registerSet("f", "teacher2", "f-y", SoftLabelPrecision::Fp16);
    registerSet("f", "teacher", "f-gone", SoftLabelPrecision::Fp16);
    Workspace ws = Workspace::open(m_ws.toStdString());
    expectError([&] { locateSoftLabelSet(ws, "f", "teacher2"); },
                {"dataset 'f' has 2 soft-label sets from model 'teacher2'", "--labels",
                 "f-x (model teacher2", "f-y (model teacher2"});
    expectError([&] { locateSoftLabelSet(ws, "f", "", "f-gone"); },
                {"the store of soft-label set 'f-gone' is missing",
                 storeDir("f-gone").toStdString(), "--model teacher --dataset f --out f-gone"});
  }

  // --- import -----------------------------------------------------------------

  void testRoundTripFp16ThroughTheArk() { roundTrip("d-teacher", SoftLabelPrecision::Fp16, false); }
  void testRoundTripLog8ThroughTheScp() { roundTrip("d-teacher2", SoftLabelPrecision::Log8, true); }

  void testImportRegistersTheSetAndResumes() {
    const QString ark = out("d-teacher-b.ark");  // from the binary export test
    QVERIFY(QFile::exists(ark));
    QStringList args{"import", "-w",         m_ws,      "--dataset",     "e",
                     "--what", "softlabels", "--model", "teacher",       "--ark",
                     ark,      "--top-k",    "6",       "--temperature", "2"};
    auto r = runCli(QStringList{"--events", "-"} + args);
    QVERIFY2(r.exitCode == 0, qPrintable(outputOf(r)));
    bool artifact = false, finished = false;
    for (const QByteArray& line : r.out.split('\n')) {
      if (line.isEmpty()) continue;
      const QJsonObject e = QJsonDocument::fromJson(line).object();
      QVERIFY2(!e.isEmpty(), line.constData());  // stdout holds only JSON lines
      artifact |= e["type"].toString() == "artifact" && e["kind"].toString() == "softlabels" &&
                  e["path"].toString() == "softlabels/e-teacher";
      finished |= e["type"].toString() == "status" && e["name"].toString() == "finished";
    }
    QVERIFY2(artifact && finished, r.out.constData());
    QVERIFY2(r.err.contains("Imported softlabels of 'e'"), r.err.constData());
    {
      // The default folder <dataset>-<model>, registered for the dataset with the model.
      Workspace ws = Workspace::open(m_ws.toStdString());
      Catalog catalog(ws);
      const auto sets = catalog.softLabelSets(catalog.dataset("e"));
      QCOMPARE(sets.size(), std::size_t(1));
      QCOMPARE(sets[0].path, std::string("softlabels/e-teacher"));
      QCOMPARE(sets[0].modelId, findModel(ws.db(), "teacher")->id);
      QCOMPARE(sets[0].k, kK);
      QCOMPARE(sets[0].temperature, 2.0);
      QCOMPARE(sets[0].quantization, std::string("fp16"));
      QCOMPARE(sets[0].numUtterances, std::int64_t(4));
      QCOMPARE(sets[0].numFrames, std::int64_t(36));
      const RunRow run = RunStore(ws.db()).listRuns().front();
      QCOMPARE(run.kind, std::string("import"));
      QCOMPARE(sets[0].runId, run.id);
      // The label summary, as `label` keeps it, against e's frame targets.
      const auto summary = catalog.softLabelSummary(sets[0].id);
      QVERIFY(summary.has_value());
      QCOMPARE(summary->utterances(), std::int64_t(4));
      QCOMPARE(summary->frames(), std::int64_t(36));
      const SoftLabelStore store = SoftLabelStore::open(storeDir("e-teacher").toStdString());
      const RecordStore targets = RecordStore::open(m_ws.toStdString() + "/alignments/e/targets");
      double top1 = 0;
      std::int64_t correct = 0, inTopK = 0;
      // And one soft_label_utterances row per utterance, the same per utterance.
      const auto rows = catalog.softLabelUtteranceStats(sets[0].id);
      QCOMPARE(rows.size(), m_keys.size());
      for (const std::string& key : m_keys) {
        const SoftLabels y = store.read(key);
        const RecordView t = targets.read(key);
        double uttTop1 = 0;
        std::int64_t uttCorrect = 0, uttInTopK = 0;
        for (int f = 0; f < y.frames; ++f) {
          const std::int32_t truth = static_cast<const std::int32_t*>(t.data)[f];
          uttTop1 += y.prob(f, 0);
          uttCorrect += y.id(f, 0) == truth;
          for (int j = 0; j < kK; ++j) uttInTopK += y.id(f, j) == truth && y.prob(f, j) > 0;
        }
        top1 += uttTop1;
        correct += uttCorrect;
        inTopK += uttInTopK;
        const auto row = std::find_if(rows.begin(), rows.end(), [&](const auto& r) { return r.key == key; });
        QVERIFY2(row != rows.end(), key.c_str());
        QCOMPARE(row->frames, static_cast<std::int64_t>(y.frames));
        QVERIFY(std::abs(row->meanTop1 - uttTop1 / y.frames) < 1e-12);
        QVERIFY(row->hasTruth);
        QCOMPARE(row->truthFrames, static_cast<std::int64_t>(y.frames));
        QCOMPARE(row->truthTop1Correct, uttCorrect);
        QCOMPARE(row->truthInTopK, uttInTopK);
      }
      QVERIFY(std::abs(summary->meanTop1() - top1 / 36) < 1e-9);
      const auto truth = summary->truth();
      QVERIFY(!truth.empty());
      QCOMPARE(truth.front().group, std::string("all"));
      QCOMPARE(truth.front().frames, std::int64_t(36));
      QCOMPARE(truth.front().top1Correct, correct);
      QCOMPARE(truth.front().inTopK, inTopK);
      QVERIFY(correct >= 12 && correct < 36);  // at least frames 0, 3, 6, … of each utterance
      QCOMPARE(inTopK, std::int64_t(36));
    }
    QVERIFY2(r.err.contains("Against the dataset's frame targets: top-1"), r.err.constData());
    // Again: everything is already there.
    r = runCli(args);
    QVERIFY2(r.exitCode == 0, qPrintable(outputOf(r)));
    QVERIFY2(r.err.contains("Resuming: 4 utterance(s) already in"), r.err.constData());
    QVERIFY2(r.out.contains("0 utterance(s) (4 already stored)"), r.out.constData());
    // Other settings into the same folder are refused, naming the difference.
    Workspace ws = Workspace::open(m_ws.toStdString());
    SoftLabelImportRequest q;
    q.dataset = "e";
    q.model = "teacher";
    q.k = kK;
    q.temperature = 2.0;
    q.precision = SoftLabelPrecision::Log8;
    expectError([&] { planSoftLabelImport(ws, q); },
                {"precision fp16 (requested log8)", "--out NAME"});
  }

  void testImportLeavesOutKeysOfOtherDatasets() {
    // An archive with one foreign record among d's.
    const QString ark = out("mixed.ark");
    std::vector<std::string> keys = m_keys;
    keys.push_back("zz-not-in-d");
    writeStore(m_dir.filePath("mixed-store"), SoftLabelPrecision::Fp16, "teacher", keys, 4);
    exportSoftLabelsToKaldi(SoftLabelStore::open(m_dir.filePath("mixed-store").toStdString()),
                            ark.toStdString(), {}, true);
    auto r = runCli({"-q", "import", "-w", m_ws, "--dataset", "d", "--what", "softlabels",
                     "--model", "teacher", "--ark", ark, "--out", "mixed", "--top-k", "6"});
    QVERIFY2(r.exitCode == 0, qPrintable(outputOf(r)));
    QVERIFY2(
        r.err.contains(
            "Left out 1 record(s) whose key is not an utterance of 'd' (the first: zz-not-in-d)"),
        r.err.constData());
    const SoftLabelStore s = SoftLabelStore::open(storeDir("mixed").toStdString());
    QCOMPARE(s.size(), m_keys.size());
    QVERIFY(!s.contains("zz-not-in-d"));
  }

  void testImportErrorsSayWhatToDo() {
    // None of the archive's keys is an utterance of the dataset: nothing is left behind.
    const QString ark = out("d-teacher-b.ark");
    auto r = runCli({"-q", "import", "-w", m_ws, "--what", "softlabels", "--dataset", "f",
                     "--model", "teacher", "--ark", ark});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.trimmed().count('\n') == 0, r.err.constData());
    QVERIFY2(
        r.err.contains(
            "none of the 4 posteriors is for an utterance of dataset 'f' (the first is 'utt-a')"),
        r.err.constData());
    QVERIFY2(r.err.contains(ark.toUtf8()), r.err.constData());
    QVERIFY(!QDir(storeDir("f-teacher")).exists());
    r = runCli({"import", "-w", m_ws, "--what", "softlabels", "--dataset", "d", "--model",
                "teacher", "--scp", ark});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("--scp takes a file whose name ends in .scp"), r.err.constData());

    Workspace ws = Workspace::open(m_ws.toStdString());
    SoftLabelImportRequest q;
    q.dataset = "d";
    q.model = "nobody";
    expectError([&] { planSoftLabelImport(ws, q); }, {"no model named 'nobody'", "teacher2"});
    q.model = "teacher";
    q.k = 51;
    expectError([&] { planSoftLabelImport(ws, q); },
                {"--top-k 51 is outside 1 … 50", "model 'teacher'"});
    q.k = 6;
    q.folder = "../x";
    expectError([&] { planSoftLabelImport(ws, q); }, {"must be a plain folder name"});
    q.dataset = "e";
    q.folder = "d-teacher";  // d's set
    expectError([&] { planSoftLabelImport(ws, q); },
                {"holds the soft labels of dataset 'd'", "--out NAME"});
    // A model without a unit inventory row: its units.txt, else an error.
    {
      ModelRow m;
      m.name = "bare";
      m.path = "models/bare/model.pt";
      registerModel(ws.db(), m);
    }
    q.model = "bare";
    q.folder.clear();
    expectError([&] { planSoftLabelImport(ws, q); },
                {"model 'bare' records no unit inventory", "units.txt"});
    QDir().mkpath(m_ws + "/models/bare");
    UnitInventory::pdfs(7).save((m_ws + "/models/bare/units.txt").toStdString());
    QCOMPARE(planSoftLabelImport(ws, q).options.numUnits, 7);
  }
};

QTEST_GUILESS_MAIN(TestExportSoftLabels)
#include "test_export_softlabels.moc"
