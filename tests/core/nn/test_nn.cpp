// core/nn: AcousticModel against python3-torch, padding and streaming
// invariants, parameter counts, weights files, options validation.
#include <QTemporaryDir>
#include <QtTest>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/nn/acoustic_model.h"
#include "core/util/frame_rule.h"
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
    QCOMPARE(understudy::outputFrames(1, 3), int64_t(1));
    QCOMPARE(understudy::outputFrames(3, 3), int64_t(1));
    QCOMPARE(understudy::outputFrames(4, 3), int64_t(2));
    QCOMPARE(understudy::outputFrames(300, 3), int64_t(100));
    QCOMPARE(understudy::outputFrames(10, 1), int64_t(10));
    // docs/models.md: c_j = 3j + 1, clamped to the last frame.
    QCOMPARE(understudy::centreFrame(0, 10, 3), int64_t(1));
    QCOMPARE(understudy::centreFrame(2, 10, 3), int64_t(7));
    QCOMPARE(understudy::centreFrame(3, 10, 3), int64_t(9));
    QCOMPARE(understudy::centreFrame(1, 4, 3), int64_t(3));
    QCOMPARE(understudy::centreFrame(0, 1, 3), int64_t(0));
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
    // Each utterance alone through torch.nn.LSTM; "+state" cases start from a
    // random (h_0, c_0) and compare the final (h_n, c_n) too.
    US_REQUIRE_REFERENCE_PYTHON(python);
    QTemporaryDir dir;
    struct Case {
      std::string name;
      AcousticModelOptions options;
      bool withState = false;
    };
    std::vector<Case> cases = {
        {"lstm", smallOptions("lstm")},
        {"blstm", smallOptions("blstm")},
        {"lstmp", smallOptions("lstm", 5)},
        {"blstmp", smallOptions("blstm", 5).layers(3)},
        {"stack5_sub2", smallOptions("lstm").stack(5).subsample(2)},
        {"lstm+state", smallOptions("lstm"), true},
        {"lstmp+state", smallOptions("lstm", 5).layers(3), true},
    };
    QStringList args{QStringLiteral(UNDERSTUDY_SOURCE_DIR "/tests/core/nn/lstm_reference.py")};
    std::vector<StreamingOutput> ours;
    for (const auto& c : cases) {
      AcousticModel model(c.options);
      model->eval();
      auto [features, lengths] = randomBatch({17, 9, 4, 1, 12}, c.options.input_dim());
      torch::NoGradGuard noGrad;
      std::vector<std::pair<std::string, torch::Tensor>> inputs = {{"features", features},
                                                                   {"lengths", lengths}};
      if (c.withState) {
        const int64_t layers = c.options.layers();
        LstmState initial{torch::randn({layers, 5, c.options.hiddenOut()}),
                          torch::randn({layers, 5, c.options.cells()})};
        inputs.push_back({"h0", initial.h});
        inputs.push_back({"c0", initial.c});
        ours.push_back(model->forward(features, lengths, StreamState{initial, {}}));
      } else {
        auto [logits, outLengths] = model->forward(features, lengths);
        ours.push_back({logits, outLengths, {}});
      }
      const std::string base = dir.filePath(QString::fromStdString(c.name)).toStdString();
      exportForPython(model, base + ".weights.pt");
      writeTensorDict(base + ".inputs.pt", inputs);
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
      QVERIFY2(torch::equal(outLengths, ours[i].outLengths), cases[i].name.c_str());
      QCOMPARE(logits.sizes().vec(), ours[i].logits.sizes().vec());
      double diff = maxAbsDiff(logits, ours[i].logits);
      if (cases[i].withState) {
        auto h = theirs.at("h_n").toTensor(), c = theirs.at("c_n").toTensor();
        const LstmState& state = ours[i].state.lstm;
        QCOMPARE(h.sizes().vec(), state.h.sizes().vec());
        QCOMPARE(c.sizes().vec(), state.c.sizes().vec());
        diff = std::max({diff, maxAbsDiff(h, state.h), maxAbsDiff(c, state.c)});
      }
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

  void testStudentLookAheadIsOneFrame_data() {
    QTest::addColumn<QString>("kind");
    QTest::addColumn<int>("projection");
    QTest::newRow("lstm") << "lstm" << 0;
    QTest::newRow("lstmp") << "lstm" << 5;
    QTest::newRow("blstm") << "blstm" << 0;
  }
  void testStudentLookAheadIsOneFrame() {
    // docs/models.md "Streaming": model frame j (centre c_j = min(3j+1, T-1),
    // stack [c-1, c, c+1]) reads 10 ms frames up to min(3j+2, T-1) and no
    // further. Change every frame from t on, for every t: the student's frames
    // whose stack ends before t keep their logits bit for bit, every later one
    // changes; the BLSTM's all change.
    QFETCH(QString, kind);
    QFETCH(int, projection);
    torch::NoGradGuard noGrad;
    AcousticModel model(smallOptions(kind.toStdString(), projection));
    model->eval();
    auto [features, lengths] = randomBatch({29, 30, 17}, 8);  // 29, 17: last centre clamped
    auto [before, outLengths] = model->forward(features, lengths);
    int64_t checkedUnchanged = 0;
    for (int64_t t = 0; t < 30; ++t) {
      auto changed = features.clone();
      changed.slice(1, t) += torch::randn({3, 30 - t, 8});
      auto after = model->forward(changed, lengths).first;
      for (int64_t b = 0; b < 3; ++b) {
        const int64_t len = lengths[b].item<int64_t>();
        if (t >= len) {  // only padding changed
          QCOMPARE(maxAbsDiff(before[b], after[b]), 0.0);
          continue;
        }
        for (int64_t j = 0; j < outLengths[b].item<int64_t>(); ++j) {
          const int64_t lastRead = std::min(3 * j + 2, len - 1);
          const bool same = maxAbsDiff(before[b][j], after[b][j]) == 0.0;
          const bool expectSame = kind == "lstm" && lastRead < t;
          QVERIFY2(same == expectSame,
                   qPrintable(QString("%1: t = %2, utterance %3, model frame %4: %5")
                                  .arg(kind)
                                  .arg(t)
                                  .arg(b)
                                  .arg(j)
                                  .arg(same ? "unchanged" : "changed")));
          checkedUnchanged += same;
        }
      }
    }
    if (kind == "lstm") QVERIFY(checkedUnchanged > 100);
  }

  void testStatefulForwardRefusesWhatCannotStream() {
    AcousticModel bi(smallOptions("blstm"));
    auto [features, lengths] = randomBatch({12, 7}, 8);
    std::string msg = errorOf([&] { bi->forward(features, lengths, StreamState{}); });
    QVERIFY2(msg.find("blstm") != std::string::npos && msg.find("future") != std::string::npos,
             msg.c_str());
    AcousticModel wide(smallOptions("lstm").stack(5).subsample(2));
    msg = errorOf([&] { wide->forward(features, lengths, StreamState{}); });
    QVERIFY2(msg.find("stack 5 > subsample 2") != std::string::npos &&
                 msg.find("forwardStacked") != std::string::npos,
             msg.c_str());
    AcousticModel model(smallOptions("lstm"));
    msg = errorOf([&] { model->sliceChunk(features, lengths, 4, 6); });
    QVERIFY2(
        msg.find("[4, 10)") != std::string::npos && msg.find("subsample = 3") != std::string::npos,
        msg.c_str());
    msg = errorOf([&] { model->sliceChunk(features, lengths, 3, 4); });
    QVERIFY2(msg.find("multiples") != std::string::npos, msg.c_str());
    StreamState wrong{{torch::zeros({2, 3, 12}), torch::zeros({2, 3, 12})}, {}};  // batch 3, not 2
    msg = errorOf([&] { model->forward(features, lengths, wrong); });
    QVERIFY2(
        msg.find("[2, 2, 12]") != std::string::npos && msg.find("[2, 3, 12]") != std::string::npos,
        msg.c_str());
    wrong = StreamState{{}, torch::zeros({2, 2, 8})};  // stack 3 keeps one frame, not two
    msg = errorOf([&] { model->forward(features, lengths, wrong); });
    QVERIFY2(
        msg.find("[2, 2, 8]") != std::string::npos && msg.find("[2, 1, 8]") != std::string::npos,
        msg.c_str());
    wrong = StreamState{{torch::zeros({2, 2, 12}), torch::zeros({2, 2, 12})}, {}};
    msg = errorOf([&] {
      model->forwardStacked(torch::zeros({3, 4, 24}), torch::tensor({4, 4, 4}), wrong.lstm);
    });
    QVERIFY2(
        msg.find("[2, 2, 12]") != std::string::npos && msg.find("[2, 3, 12]") != std::string::npos,
        msg.c_str());
    msg = errorOf([&] { model->forward(features, torch::tensor({12, -1}), StreamState{}); });
    QVERIFY2(msg.find("length -1") != std::string::npos, msg.c_str());
  }

  void testChunkedWithCarriedStateEqualsUnchunked_data() {
    QTest::addColumn<int>("projection");
    QTest::addColumn<int>("layers");
    QTest::addColumn<int>("chunkModelFrames");
    for (int n : {1, 2, 4, 11}) {
      QTest::newRow(qPrintable(QString("lstm, chunk %1").arg(n))) << 0 << 2 << n;
      QTest::newRow(qPrintable(QString("lstmp x3, chunk %1").arg(n))) << 5 << 3 << n;
    }
  }
  void testChunkedWithCarriedStateEqualsUnchunked() {
    // Chunks of 3n 10 ms frames of a padded batch of different lengths, run in
    // order with the state carried, give the logits of the whole utterances
    // and, at the end, the state of each utterance after its last frame.
    // Lengths 3m + 1 whose last group starts a chunk (10, 22, 25, 31, 34 for
    // some n) stack [T-2, T-1, T-1]: frame T-2 is the previous chunk's.
    QFETCH(int, projection);
    QFETCH(int, layers);
    QFETCH(int, chunkModelFrames);
    AcousticModel model(smallOptions("lstm", projection).layers(layers));
    model->eval();
    torch::NoGradGuard noGrad;
    auto [features, lengths] = randomBatch({31, 10, 22, 3, 1, 30, 25, 34}, 8);
    auto [whole, wholeOut] = model->forward(features, lengths);
    auto unchunked = model->forward(features, lengths, StreamState{});
    QVERIFY(maxAbsDiff(unchunked.logits, whole) <= 1e-6);
    QVERIFY(torch::equal(unchunked.outLengths, wholeOut));

    const int64_t frames = 3 * chunkModelFrames;
    StreamState state;
    std::vector<torch::Tensor> pieces;
    for (int64_t first = 0; first < features.size(1); first += frames) {
      auto [chunk, chunkLengths] = model->sliceChunk(features, lengths, first, frames);
      auto out = model->forward(chunk, chunkLengths, state);
      QCOMPARE(out.logits.size(1), understudy::outputFrames(chunk.size(1), 3));
      pieces.push_back(out.logits);
      state = out.state;
    }
    auto chunked = torch::cat(pieces, 1);
    QCOMPARE(chunked.sizes().vec(), whole.sizes().vec());
    const double diff = maxAbsDiff(chunked, whole);
    qInfo("chunks of %d model frames: max |chunked - whole| = %.3g", chunkModelFrames, diff);
    QVERIFY(diff <= 1e-6);
    QVERIFY(maxAbsDiff(state.lstm.h, unchunked.state.lstm.h) <= 1e-6);
    QVERIFY(maxAbsDiff(state.lstm.c, unchunked.state.lstm.c) <= 1e-6);
    // The context is each utterance's last frame.
    for (int64_t b = 0; b < features.size(0); ++b)
      QCOMPARE(maxAbsDiff(state.context[b][0], features[b][lengths[b].item<int64_t>() - 1]), 0.0);
  }

  void testCarriedStateKeepsTheGradient() {
    // Without detach() the chunks' graph is one graph: the gradient of the
    // chunked loss equals the whole utterance's (full BPTT through the state).
    AcousticModel model(smallOptions("lstm", 5));
    auto [features, lengths] = randomBatch({25, 13}, 8);
    auto parameter = model->lstm->named_parameters()["weight_hh_l0"];
    model->zero_grad();
    model->forward(features, lengths).first.logsumexp(2).sum().backward();
    auto whole = parameter.grad().clone();
    model->zero_grad();
    StreamState state;
    torch::Tensor loss = torch::zeros({});
    for (int64_t first = 0; first < 25; first += 6) {
      auto [chunk, chunkLengths] = model->sliceChunk(features, lengths, first, 6);
      auto out = model->forward(chunk, chunkLengths, state);
      loss = loss + out.logits.logsumexp(2).sum();  // padding: a constant, as in the whole
      state = out.state;
    }
    loss.backward();
    QVERIFY(whole.abs().max().item<double>() > 0);
    QVERIFY(maxAbsDiff(parameter.grad(), whole) <= 1e-5);
    // detach() keeps the values and cuts the graph.
    QVERIFY(state.lstm.h.requires_grad() && state.lstm.c.requires_grad());
    auto cut = state.detach();
    QVERIFY(!cut.lstm.h.requires_grad() && !cut.lstm.c.requires_grad());
    QCOMPARE(maxAbsDiff(cut.lstm.c, state.lstm.c), 0.0);
  }

  void testFinalStateIgnoresPadding() {
    // Each utterance's final state in a padded batch equals its state run
    // alone, from the same random mid-stream state; a row of length 0 keeps it.
    AcousticModel model(smallOptions("lstm", 5).layers(3));
    model->eval();
    torch::NoGradGuard noGrad;
    auto [features, lengths] = randomBatch({31, 10, 22, 1, 0, 30}, 8);
    StreamState initial{{torch::randn({3, 6, 5}), torch::randn({3, 6, 12})},
                        torch::randn({6, 1, 8})};
    auto batch = model->forward(features, lengths, initial);
    QCOMPARE(batch.state.lstm.h.sizes().vec(), (std::vector<int64_t>{3, 6, 5}));
    QCOMPARE(batch.state.lstm.c.sizes().vec(), (std::vector<int64_t>{3, 6, 12}));
    QCOMPARE(batch.state.context.sizes().vec(), (std::vector<int64_t>{6, 1, 8}));
    for (int64_t b = 0; b < 6; ++b) {
      const int64_t len = lengths[b].item<int64_t>();
      if (len == 0) {
        QCOMPARE(maxAbsDiff(batch.state.lstm.h.select(1, b), initial.lstm.h.select(1, b)), 0.0);
        QCOMPARE(maxAbsDiff(batch.state.lstm.c.select(1, b), initial.lstm.c.select(1, b)), 0.0);
        QCOMPARE(maxAbsDiff(batch.state.context[b], initial.context[b]), 0.0);
        QCOMPARE(batch.logits[b].abs().max().item<float>(), 0.0f);
        continue;
      }
      StreamState own{{initial.lstm.h.slice(1, b, b + 1), initial.lstm.c.slice(1, b, b + 1)},
                      initial.context.slice(0, b, b + 1)};
      auto alone = model->forward(features.slice(0, b, b + 1).slice(1, 0, len),
                                  torch::tensor({len}, torch::kLong), own);
      const int64_t n = alone.outLengths[0].item<int64_t>();
      QVERIFY(maxAbsDiff(batch.logits[b].slice(0, 0, n), alone.logits[0]) <= 1e-6);
      QVERIFY2(maxAbsDiff(batch.state.lstm.h.slice(1, b, b + 1), alone.state.lstm.h) <= 1e-6,
               qPrintable(QString("utterance %1").arg(b)));
      QVERIFY2(maxAbsDiff(batch.state.lstm.c.slice(1, b, b + 1), alone.state.lstm.c) <= 1e-6,
               qPrintable(QString("utterance %1").arg(b)));
      QCOMPARE(maxAbsDiff(batch.state.context[b][0], features[b][len - 1]), 0.0);
    }
    // The state moved, and the initial one mattered.
    QVERIFY(maxAbsDiff(batch.state.lstm.c.select(1, 0), initial.lstm.c.select(1, 0)) > 1e-3);
    auto fromZero = model->forward(features, lengths, StreamState{});
    QVERIFY(maxAbsDiff(fromZero.logits[0], batch.logits[0]) > 1e-4);
  }

  void testStackedChunksAreExactForAnyStack() {
    // stack 5 > subsample 2: stack whole utterances, chunk the model frames.
    AcousticModel model(smallOptions("lstm").stack(5).subsample(2));
    model->eval();
    torch::NoGradGuard noGrad;
    auto [features, lengths] = randomBatch({31, 10, 22}, 8);
    auto [whole, outLengths] = model->forward(features, lengths);
    auto stacked = model->stackAndSubsample(features, lengths);
    LstmState state;
    std::vector<torch::Tensor> pieces;
    for (int64_t first = 0; first < stacked.size(1); first += 4) {
      auto chunkLengths = (outLengths - first).clamp(0, 4);
      auto out = model->forwardStacked(stacked.slice(1, first, first + 4), chunkLengths, state);
      pieces.push_back(out.logits);
      state = out.state.lstm;
    }
    QVERIFY(maxAbsDiff(torch::cat(pieces, 1), whole) <= 1e-6);
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
