// core/nn: AcousticModel against python3-torch, padding and streaming
// invariants, parameter counts, weights files, options validation.
#include <QTemporaryDir>
#include <QtTest>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/nn/acoustic_model.h"
#include "core/util/yaml_config.h"
#include "support/test_support.h"

using namespace understudy;
using namespace understudy::nn;
namespace fs = std::filesystem;

namespace {

AcousticModelOptions smallOptions(const std::string& kind, int64_t projection = 0) {
  return AcousticModelOptions()
      .kind(kind)
      .input_dim(8)
      .layers(2)
      .cells(12)
      .projection(projection)
      .num_units(7);
}

// Random features [B, maxLen, dim]; frames past each length are garbage (not
// zero) so that leaking padding would show.
std::pair<torch::Tensor, torch::Tensor> randomBatch(std::vector<int64_t> lengths, int64_t dim) {
  int64_t maxLen = *std::max_element(lengths.begin(), lengths.end());
  auto features = torch::randn({int64_t(lengths.size()), maxLen, dim});
  return {features, torch::tensor(lengths, torch::kLong)};
}

void writeTensorDict(const std::string& path,
                     const std::vector<std::pair<std::string, torch::Tensor>>& items) {
  c10::Dict<std::string, at::Tensor> dict;
  for (const auto& [k, v] : items) dict.insert(k, v.contiguous());
  std::vector<char> bytes = torch::pickle_save(c10::IValue(dict));
  std::ofstream(path, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
}

c10::impl::GenericDict readTensorDict(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return torch::pickle_load(bytes).toGenericDict();
}

double maxAbsDiff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a - b).abs().max().item<double>();
}

std::string errorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.message();
  }
  return "<no error>";
}

}  // namespace

class TestNn : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    torch::manual_seed(1234);
    torch::set_num_threads(1);
  }

  void testOutputFramesAndCentreRule() {
    QCOMPARE(AcousticModelImpl::outputFrames(1, 3), int64_t(1));
    QCOMPARE(AcousticModelImpl::outputFrames(3, 3), int64_t(1));
    QCOMPARE(AcousticModelImpl::outputFrames(4, 3), int64_t(2));
    QCOMPARE(AcousticModelImpl::outputFrames(300, 3), int64_t(100));
    QCOMPARE(AcousticModelImpl::outputFrames(10, 1), int64_t(10));
    // docs/models.md: c_j = 3j + 1, clamped to the last frame.
    QCOMPARE(AcousticModelImpl::centreFrame(0, 10, 3), int64_t(1));
    QCOMPARE(AcousticModelImpl::centreFrame(2, 10, 3), int64_t(7));
    QCOMPARE(AcousticModelImpl::centreFrame(3, 10, 3), int64_t(9));
    QCOMPARE(AcousticModelImpl::centreFrame(1, 4, 3), int64_t(3));
    QCOMPARE(AcousticModelImpl::centreFrame(0, 1, 3), int64_t(0));
  }

  void testStackingFollowsTheDocumentedRule() {
    // Frame t holds the value t in every bin, so the stacked vector names the frames it read.
    AcousticModel model(
        AcousticModelOptions().kind("lstm").input_dim(2).layers(1).cells(4).num_units(3));
    auto features = torch::arange(8, torch::kFloat).view({1, 8, 1}).expand({2, 8, 2}).contiguous();
    auto stacked = model->stackAndSubsample(features, torch::tensor({8, 5}, torch::kLong));
    QCOMPARE(stacked.size(1), int64_t(3));
    QCOMPARE(stacked.size(2), int64_t(6));
    // Utterance 0 (8 frames): centres 1, 4, 7 -> [0,1,2] [3,4,5] [6,7,7].
    // Utterance 1 (5 frames): centres 1, 4 -> [0,1,2] [3,4,4]; frame 2 is padding.
    std::vector<std::vector<float>> expect0 = {{0, 1, 2}, {3, 4, 5}, {6, 7, 7}};
    std::vector<std::vector<float>> expect1 = {{0, 1, 2}, {3, 4, 4}};
    for (int j = 0; j < 3; ++j)
      for (int i = 0; i < 3; ++i) QCOMPARE(stacked[0][j][2 * i].item<float>(), expect0[j][i]);
    for (int j = 0; j < 2; ++j)
      for (int i = 0; i < 3; ++i) QCOMPARE(stacked[1][j][2 * i + 1].item<float>(), expect1[j][i]);
  }

  void testForwardMatchesPythonTorch() {
    US_REQUIRE_REFERENCE_PYTHON(python);
    QTemporaryDir dir;
    struct Case {
      std::string name;
      AcousticModelOptions options;
    };
    std::vector<Case> cases = {
        {"lstm", smallOptions("lstm")},
        {"blstm", smallOptions("blstm")},
        {"lstmp", smallOptions("lstm", 5)},
        {"blstmp", smallOptions("blstm", 5).layers(3)},
        {"stack5_sub2", smallOptions("lstm").stack(5).subsample(2)},
    };
    QStringList args{QStringLiteral(UNDERSTUDY_SOURCE_DIR "/tests/core/nn/lstm_reference.py")};
    std::vector<std::pair<torch::Tensor, torch::Tensor>> ours;
    for (const auto& c : cases) {
      AcousticModel model(c.options);
      model->eval();
      auto [features, lengths] = randomBatch({17, 9, 4, 1, 12}, c.options.input_dim());
      torch::NoGradGuard noGrad;
      ours.push_back(model->forward(features, lengths));
      const std::string base = dir.filePath(QString::fromStdString(c.name)).toStdString();
      exportForPython(model, base + ".weights.pt");
      writeTensorDict(base + ".inputs.pt", {{"features", features}, {"lengths", lengths}});
      args << QString::fromStdString(base + ".weights.pt")
           << QString::fromStdString(base + ".inputs.pt")
           << QString::fromStdString(base + ".outputs.pt");
    }
    auto r = test::runProcess(python, args, 120000);
    QVERIFY2(r.exitCode == 0, r.err.constData());
    for (size_t i = 0; i < cases.size(); ++i) {
      auto theirs = readTensorDict(
          dir.filePath(QString::fromStdString(cases[i].name)).toStdString() + ".outputs.pt");
      auto logits = theirs.at("logits").toTensor();
      auto outLengths = theirs.at("out_lengths").toTensor();
      QVERIFY2(torch::equal(outLengths, ours[i].second), cases[i].name.c_str());
      QCOMPARE(logits.sizes().vec(), ours[i].first.sizes().vec());
      const double diff = maxAbsDiff(logits, ours[i].first);
      qInfo("%s: max |C++ - python| = %.3g", cases[i].name.c_str(), diff);
      QVERIFY2(diff <= 1e-5, cases[i].name.c_str());
    }
  }

  void testPaddingDoesNotChangeLogits_data() {
    QTest::addColumn<QString>("kind");
    QTest::newRow("lstm") << "lstm";
    QTest::newRow("blstm") << "blstm";
  }
  void testPaddingDoesNotChangeLogits() {
    QFETCH(QString, kind);
    AcousticModel model(smallOptions(kind.toStdString(), 5));
    model->eval();
    torch::NoGradGuard noGrad;
    auto [batch, lengths] = randomBatch({31, 10, 22}, 8);
    auto [batchLogits, batchOut] = model->forward(batch, lengths);
    for (int64_t b = 0; b < 3; ++b) {
      const int64_t len = lengths[b].item<int64_t>();
      auto alone = batch.slice(0, b, b + 1).slice(1, 0, len);
      auto [aloneLogits, aloneOut] = model->forward(alone, torch::tensor({len}, torch::kLong));
      const int64_t n = aloneOut[0].item<int64_t>();
      QCOMPARE(batchOut[b].item<int64_t>(), n);
      QVERIFY(maxAbsDiff(batchLogits[b].slice(0, 0, n), aloneLogits[0]) <= 1e-5);
      // Padded model frames are zero.
      if (batchLogits.size(1) > n)
        QCOMPARE(batchLogits[b].slice(0, n).abs().max().item<float>(), 0.0f);
    }
  }

  void testDropoutOnlyWhileTraining() {
    AcousticModel model(smallOptions("blstm").layers(3).dropout(0.5));
    auto [features, lengths] = randomBatch({12, 7}, 8);
    model->train();
    QVERIFY(maxAbsDiff(model->forward(features, lengths).first,
                       model->forward(features, lengths).first) > 1e-4);
    model->eval();
    QCOMPARE(maxAbsDiff(model->forward(features, lengths).first,
                        model->forward(features, lengths).first),
             0.0);
  }

  void testGradientsIgnorePadding() {
    // The loss over an utterance's valid frames has the same gradient alone or padded in a batch.
    AcousticModel model(smallOptions("blstm", 5));
    auto [batch, lengths] = randomBatch({9, 23}, 8);
    auto loss = [&](const torch::Tensor& f, const torch::Tensor& l, int64_t b) {
      auto [logits, outLengths] = model->forward(f, l);
      return logits[b].slice(0, 0, outLengths[b].item<int64_t>()).logsumexp(1).sum();
    };
    model->zero_grad();
    loss(batch, lengths, 0).backward();
    auto padded = model->lstm->named_parameters()["weight_ih_l0_reverse"].grad().clone();
    model->zero_grad();
    loss(batch.slice(0, 0, 1).slice(1, 0, 9), torch::tensor({9}, torch::kLong), 0).backward();
    auto alone = model->lstm->named_parameters()["weight_ih_l0_reverse"].grad();
    QVERIFY(alone.abs().max().item<double>() > 0);
    QVERIFY(maxAbsDiff(padded, alone) <= 1e-5);
  }

  void testLstmIsStreaming() {
    torch::NoGradGuard noGrad;
    for (const std::string kind : {"lstm", "blstm"}) {
      AcousticModel model(smallOptions(kind));
      model->eval();
      auto features = torch::randn({1, 30, 8});
      auto lengths = torch::tensor({30}, torch::kLong);
      const int64_t t = 16;  // change every frame from 16 on
      auto changed = features.clone();
      changed.slice(1, t) += torch::randn({1, 30 - t, 8});
      auto a = model->forward(features, lengths).first[0];
      auto b = model->forward(changed, lengths).first[0];
      int64_t unchangedFrames = 0;
      for (int64_t j = 0; j < a.size(0); ++j) {
        // The stack of model frame j ends at c_j + 1.
        const bool before = AcousticModelImpl::centreFrame(j, 30, 3) + 1 < t;
        const bool same = maxAbsDiff(a[j], b[j]) == 0.0;
        if (kind == "lstm" && before) QVERIFY2(same, qPrintable(QString("model frame %1").arg(j)));
        if (!before)
          QVERIFY2(!same, qPrintable(QString("model frame %1 ignores its input").arg(j)));
        unchangedFrames += same;
      }
      // Frames 0..4 end their stack before t = 16 (c_4 + 1 = 14); the BLSTM sees the future.
      QCOMPARE(unchangedFrames, kind == "lstm" ? int64_t(5) : int64_t(0));
    }
  }

  void testParameterCountMatchesClosedForm() {
    for (const auto& o : {smallOptions("lstm"), smallOptions("blstm", 5).layers(3),
                          AcousticModelOptions::preset("teacher-tiny").num_units(70),
                          AcousticModelOptions::preset("student-small").num_units(70)}) {
      AcousticModel model(o);
      int64_t numel = 0;
      for (const auto& p : model->parameters()) numel += p.numel();
      QCOMPARE(model->parameterCount(), numel);
      // Closed form written out here: per layer and direction
      // 4c(in + h) + 8c (+ p·c with projections), output h·dirs·U + U.
      const int64_t dirs = o.kind() == "blstm" ? 2 : 1;
      const int64_t c = o.cells(), h = o.projection() ? o.projection() : c;
      int64_t expect = 0;
      for (int64_t l = 0; l < o.layers(); ++l) {
        const int64_t in = l == 0 ? o.input_dim() * o.stack() : h * dirs;
        expect += dirs * (4 * c * (in + h) + 8 * c + o.projection() * c);
      }
      expect += h * dirs * o.num_units() + o.num_units();
      QCOMPARE(numel, expect);
      QCOMPARE(o.closedFormParameterCount(), expect);
    }
  }

  void testPaperPresetsHitTheirSizes() {
    // The paper's teacher (~78 M) and student (~24 M) at 3,000 units, built for real.
    for (const auto& [name, target] : {std::pair<std::string, double>{"teacher-paper", 78e6},
                                       std::pair<std::string, double>{"student-paper", 24e6}}) {
      auto o = AcousticModelOptions::preset(name).num_units(3000);
      AcousticModel model(o);
      const double n = double(model->parameterCount());
      qInfo("%s: %.3f M parameters", name.c_str(), n / 1e6);
      QVERIFY2(std::abs(n - target) <= 0.05 * target, name.c_str());
      QCOMPARE(model->parameterCount(), o.closedFormParameterCount());
    }
    QCOMPARE(AcousticModelOptions::preset("teacher-paper").kind(), std::string("blstm"));
    QCOMPARE(AcousticModelOptions::preset("student-paper").kind(), std::string("lstm"));
    QCOMPARE(AcousticModelOptions::preset("student-paper").layers(), int64_t(5));
    QVERIFY(errorOf([] { AcousticModelOptions::preset("huge"); }).find("huge") !=
            std::string::npos);
  }

  void testSaveLoadRoundTrip() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("model.pt").toStdString();
    AcousticModel a(smallOptions("blstm", 5));
    AcousticModel b(smallOptions("blstm", 5));
    a->eval();
    b->eval();
    torch::NoGradGuard noGrad;
    auto [features, lengths] = randomBatch({20, 13}, 8);
    QVERIFY(maxAbsDiff(a->forward(features, lengths).first, b->forward(features, lengths).first) >
            1e-3);
    saveWeights(a, path);
    QCOMPARE(int(std::distance(fs::directory_iterator(dir.path().toStdString()),
                               fs::directory_iterator())),
             1);
    loadWeights(b, path);
    QCOMPARE(maxAbsDiff(a->forward(features, lengths).first, b->forward(features, lengths).first),
             0.0);
    for (const auto& item : a->named_parameters())
      QVERIFY(torch::equal(item.value(), b->named_parameters()[item.key()]));
  }

  void testCloneIsDeepAndEqual() {
    AcousticModel a(smallOptions("blstm", 5));
    a->eval();
    auto b = std::dynamic_pointer_cast<AcousticModelImpl>(a->clone());
    QVERIFY(b);
    b->eval();
    torch::NoGradGuard noGrad;
    auto [features, lengths] = randomBatch({10, 6}, 8);
    QCOMPARE(maxAbsDiff(a->forward(features, lengths).first, b->forward(features, lengths).first),
             0.0);
    b->output->bias.add_(1.0);
    QVERIFY(maxAbsDiff(a->forward(features, lengths).first, b->forward(features, lengths).first) >
            0.5);
  }

  void testLoadIntoDifferentArchitectureNamesTheTensor() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("model.pt").toStdString();
    AcousticModel a(smallOptions("lstm"));
    saveWeights(a, path);

    AcousticModel wider(smallOptions("lstm").cells(16));
    std::string msg = errorOf([&] { loadWeights(wider, path); });
    QVERIFY2(msg.find("lstm.") != std::string::npos && msg.find("shape") != std::string::npos,
             msg.c_str());
    QVERIFY2(msg.find(path) != std::string::npos, msg.c_str());

    AcousticModel deeper(smallOptions("lstm").layers(3));
    msg = errorOf([&] { loadWeights(deeper, path); });
    QVERIFY2(msg.find("lstm.weight_ih_l2") != std::string::npos &&
                 msg.find("missing") != std::string::npos,
             msg.c_str());

    AcousticModel bi(smallOptions("blstm"));
    msg = errorOf([&] { loadWeights(bi, path); });
    QVERIFY2(msg.find("_reverse") != std::string::npos || msg.find("shape") != std::string::npos,
             msg.c_str());

    AcousticModel shallow(smallOptions("lstm").layers(1));
    msg = errorOf([&] { loadWeights(shallow, path); });
    QVERIFY2(msg.find("unexpected tensor 'lstm.weight_ih_l1'") != std::string::npos, msg.c_str());

    msg = errorOf([&] { loadWeights(a, dir.filePath("absent.pt").toStdString()); });
    QVERIFY2(msg.find("absent.pt") != std::string::npos, msg.c_str());
    std::ofstream(dir.filePath("junk.pt").toStdString()) << "not a pickle";
    msg = errorOf([&] { loadWeights(a, dir.filePath("junk.pt").toStdString()); });
    QVERIFY2(msg.find("junk.pt") != std::string::npos, msg.c_str());
  }

  void testBadOptionsNameTheField() {
    auto check = [](AcousticModelOptions o, const std::string& field, const std::string& value) {
      std::string msg = errorOf([&] { o.validate(); });
      QVERIFY2(msg.find("'" + field + "'") != std::string::npos, msg.c_str());
      QVERIFY2(msg.find(value) != std::string::npos, msg.c_str());
      QVERIFY2(msg.find("allowed") != std::string::npos, msg.c_str());
      msg = errorOf([&] { AcousticModel m(o); });
      QVERIFY2(msg.find("'" + field + "'") != std::string::npos, msg.c_str());
    };
    check(smallOptions("lstm").cells(-4), "cells", "-4");
    check(smallOptions("gru"), "kind", "gru");
    check(smallOptions("lstm").num_units(0), "num_units", "0");
    check(smallOptions("lstm").layers(0), "layers", "0");
    check(smallOptions("lstm").projection(12), "projection", "12");
    check(smallOptions("lstm").stack(4), "stack", "4");
    check(smallOptions("lstm").dropout(1.5), "dropout", "1.5");
    check(smallOptions("lstm").input_dim(-1), "input_dim", "-1");
    check(smallOptions("lstm").subsample(0), "subsample", "0");
  }

  void testForwardRejectsBadShapes() {
    AcousticModel model(smallOptions("lstm"));
    QVERIFY(errorOf([&] {
              model->forward(torch::zeros({2, 10, 9}), torch::tensor({10, 10}));
            }).find("[batch, frames, 8]") != std::string::npos);
    QVERIFY(errorOf([&] {
              model->forward(torch::zeros({2, 10, 8}), torch::tensor({10, 11}));
            }).find("length 11") != std::string::npos);
    QVERIFY(errorOf([&] {
              model->forward(torch::zeros({2, 10, 8}), torch::tensor({10, 0}));
            }).find("length 0") != std::string::npos);
  }

  void testYamlRoundTripAndStrictKeys() {
    auto o = AcousticModelOptions::preset("student-paper").num_units(3000).dropout(0.25);
    auto s = YamlSection::loadString(o.toYaml(), "model.yaml");
    auto back = AcousticModelOptions::fromYaml(s);
    QCOMPARE(back.toYaml(), o.toYaml());

    auto unknown = YamlSection::loadString("kind: lstm\nlayers: 2\ncels: 64\n", "recipe.yaml");
    std::string msg = errorOf([&] { AcousticModelOptions::fromYaml(unknown); });
    QVERIFY2(
        msg.find("recipe.yaml:3") != std::string::npos && msg.find("cels") != std::string::npos,
        msg.c_str());

    auto bad = YamlSection::loadString("kind: lstm\nlayers: -2\n", "recipe.yaml");
    msg = errorOf([&] { AcousticModelOptions::fromYaml(bad); });
    QVERIFY2(
        msg.find("recipe.yaml:2") != std::string::npos && msg.find("layers") != std::string::npos,
        msg.c_str());

    // num_units may come later, from the unit inventory.
    auto noUnits = YamlSection::loadString("kind: blstm\n", "recipe.yaml");
    QCOMPARE(AcousticModelOptions::fromYaml(noUnits).num_units(), int64_t(0));
  }

  void testPrettyPrintNamesTheArchitecture() {
    AcousticModel model(smallOptions("blstm", 5));
    std::ostringstream out;
    model->pretty_print(out);
    QVERIFY2(out.str().find("blstm") != std::string::npos &&
                 out.str().find(std::to_string(model->parameterCount())) != std::string::npos,
             out.str().c_str());
  }
};

QTEST_GUILESS_MAIN(TestNn)
#include "test_nn.moc"
