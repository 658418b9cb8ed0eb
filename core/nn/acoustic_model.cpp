#include "core/nn/acoustic_model.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <sstream>
#include <vector>

#include "core/util/atomic_file.h"
#include "core/util/frame_rule.h"

namespace understudy::nn {
namespace {

std::string describe(const std::vector<int64_t>& sizes) {
  return "[" + fmt::format("{}", fmt::join(sizes, ", ")) + "]";
}

}  // namespace

// ---------------------------------------------------------------- options

// Declared once, torch-free, in core/recipe/model_options.h: keys, ranges,
// presets, YAML and the parameter count; nn holds the same values as TORCH_ARGs.
AcousticModelOptions::AcousticModelOptions(const recipe::ModelOptions& o)
    : kind_(o.kind),
      input_dim_(o.inputDim),
      stack_(o.stack),
      subsample_(o.subsample),
      layers_(o.layers),
      cells_(o.cells),
      projection_(o.projection),
      dropout_(o.dropout),
      num_units_(o.numUnits) {}

recipe::ModelOptions AcousticModelOptions::plain() const {
  recipe::ModelOptions o;
  o.kind = kind_;
  o.inputDim = input_dim_;
  o.stack = stack_;
  o.subsample = subsample_;
  o.layers = layers_;
  o.cells = cells_;
  o.projection = projection_;
  o.dropout = dropout_;
  o.numUnits = num_units_;
  return o;
}

void AcousticModelOptions::validate() const { plain().validate(); }

std::string AcousticModelOptions::toYaml() const { return plain().toYaml(); }

AcousticModelOptions AcousticModelOptions::fromYaml(YamlSection& s) {
  return AcousticModelOptions(recipe::ModelOptions::fromYaml(s));
}

AcousticModelOptions AcousticModelOptions::preset(const std::string& name) {
  return AcousticModelOptions(recipe::ModelOptions::preset(name));
}

int64_t AcousticModelOptions::closedFormParameterCount() const { return plain().closedFormParameterCount(); }

// ---------------------------------------------------------------- module

AcousticModelImpl::AcousticModelImpl(AcousticModelOptions options_) : options(std::move(options_)) {
  reset();
}

void AcousticModelImpl::reset() {
  options.validate();
  auto lstmOptions = torch::nn::LSTMOptions(options.stackedDim(), options.cells())
                         .num_layers(options.layers())
                         .bidirectional(options.bidirectional())
                         .proj_size(options.projection())
                         .dropout(options.layers() > 1 ? options.dropout() : 0.0)
                         .batch_first(true);
  lstm = register_module("lstm", torch::nn::LSTM(lstmOptions));
  const int64_t dirs = options.bidirectional() ? 2 : 1;
  output =
      register_module("output", torch::nn::Linear(options.hiddenOut() * dirs, options.num_units()));
}

namespace {

// Stacks and subsamples features [B, P + T, D] whose first P frames are
// context (the frames before the chunk), lengths [B] >= 1 counting the
// frames after it: model frame j is centred on frame P + min(s*j + s/2,
// len_b - 1) and member i reads frame clamp(centre + i - k/2, 0, P + len_b -
// 1): edges replicate the utterance's own first/last frame, never padding.
torch::Tensor stackFrames(const torch::Tensor& features, const torch::Tensor& lengths,
                          int64_t context, int64_t k, int64_t s) {
  const int64_t batch = features.size(0);
  const int64_t dim = features.size(2);
  const int64_t maxOut = understudy::outputFrames(features.size(1) - context, s);
  auto longOpts = torch::TensorOptions().dtype(torch::kLong).device(features.device());
  auto lastFrame = (lengths.to(longOpts) + (context - 1)).view({batch, 1, 1});
  auto centre = torch::minimum(
      torch::arange(maxOut, longOpts).view({1, maxOut, 1}) * s + (s / 2 + context), lastFrame);
  auto offsets = torch::arange(k, longOpts).view({1, 1, k}) - k / 2;
  auto index = torch::clamp(centre + offsets, 0).min(lastFrame);  // [B, T', k]
  auto gathered =
      features.gather(1, index.reshape({batch, maxOut * k, 1}).expand({batch, maxOut * k, dim}));
  return gathered.reshape({batch, maxOut, k * dim});
}

}  // namespace

torch::Tensor AcousticModelImpl::stackAndSubsample(const torch::Tensor& features,
                                                   const torch::Tensor& lengths) const {
  return stackFrames(features, lengths, 0, options.stack(), options.subsample());
}

namespace {

// Checks features [B, T, inputDim] and lengths [B] in minLength..T; the lengths on the CPU.
torch::Tensor checkedLengths(const torch::Tensor& features, const torch::Tensor& lengths,
                             int64_t inputDim, int64_t minLength) {
  if (features.dim() != 3 || features.size(2) != inputDim)
    throw US_ERROR(fmt::format("features have shape {}, expected [batch, frames, {}]",
                               describe(features.sizes().vec()), inputDim))
        .hint("the model's input_dim must equal the feature set's bins");
  if (lengths.dim() != 1 || lengths.size(0) != features.size(0))
    throw US_ERROR(fmt::format("lengths have shape {}, expected [{}]",
                               describe(lengths.sizes().vec()), features.size(0)));
  auto cpuLengths = lengths.to(torch::kCPU, torch::kLong).contiguous();
  const int64_t maxIn = features.size(1);
  auto acc = cpuLengths.accessor<int64_t, 1>();
  for (int64_t b = 0; b < acc.size(0); ++b)
    if (acc[b] < minLength || acc[b] > maxIn)
      throw US_ERROR(fmt::format("utterance {} of the batch has length {}, allowed {}..{}", b,
                                 acc[b], minLength, maxIn));
  return cpuLengths;
}

}  // namespace

std::pair<torch::Tensor, torch::Tensor> AcousticModelImpl::forward(const torch::Tensor& features,
                                                                   const torch::Tensor& lengths) {
  auto cpuLengths = checkedLengths(features, lengths, options.input_dim(), 1);
  const int64_t s = options.subsample();
  auto outLengths = torch::div(cpuLengths + (s - 1), s, "floor");

  auto deviceLengths = cpuLengths.to(features.device());
  auto x = stackAndSubsample(features, deviceLengths);
  auto modelLengths = outLengths.to(features.device());
  // No pack_padded_sequence: its training path is ~10x slower on CPU (measured,
  // docs/models.md). Padding is harmless to a forward recurrence, and the
  // backward direction runs on each utterance reversed within its own length,
  // so padding stays after the valid frames in both directions.
  for (int64_t layer = 0; layer < options.layers(); ++layer) {
    auto h = runDirection(x, layer, false);
    if (options.bidirectional()) {
      auto reversed = reverseWithinLengths(x, modelLengths);
      h = torch::cat({h, reverseWithinLengths(runDirection(reversed, layer, true), modelLengths)},
                     2);
    }
    if (layer + 1 < options.layers() && options.dropout() > 0.0)
      h = torch::dropout(h, options.dropout(), is_training());
    x = h;
  }
  return {outputLogits(x, outLengths), outLengths};
}

torch::Tensor AcousticModelImpl::outputLogits(const torch::Tensor& x,
                                              const torch::Tensor& outLengths) {
  auto logits = output(x);
  const int64_t maxOut = x.size(1);
  auto valid = torch::arange(maxOut, torch::TensorOptions().dtype(torch::kLong))
                   .view({1, maxOut})
                   .lt(outLengths.view({-1, 1}))
                   .to(logits.device());
  return logits.masked_fill(valid.logical_not().unsqueeze(2), 0.0);
}

// ---------------------------------------------------------------- streaming

LstmState LstmState::detach() const {
  return {h.defined() ? h.detach() : h, c.defined() ? c.detach() : c};
}

StreamState StreamState::detach() const {
  return {lstm.detach(), context.defined() ? context.detach() : context};
}

namespace {

Error cannotStream() {
  return US_ERROR(
             "a blstm model has no state to carry: its backward direction reads the "
             "utterance's future, so it cannot run chunk by chunk")
      .hint("carry state with a kind: lstm model; run a blstm on whole utterances");
}

}  // namespace

StreamingOutput AcousticModelImpl::forward(const torch::Tensor& features,
                                           const torch::Tensor& lengths,
                                           const StreamState& initial) {
  if (options.bidirectional()) throw cannotStream();
  if (options.stack() > options.subsample())
    throw US_ERROR(
        fmt::format("stack {} > subsample {}: a model frame's stack reaches into the next "
                    "group's frames, which a chunk's last model frame would not see",
                    options.stack(), options.subsample()))
        .hint(
            "stack whole utterances with stackAndSubsample and chunk the model frames with "
            "forwardStacked");
  auto cpuLengths = checkedLengths(features, lengths, options.input_dim(), 0);
  const int64_t batch = features.size(0), dim = features.size(2);
  const int64_t s = options.subsample();
  const int64_t q = options.stack() / 2;  // frames of stacking context
  auto outLengths = torch::div(cpuLengths + (s - 1), s, "floor");
  // The previous chunk's last q frames, then this chunk's.
  torch::Tensor extended = features;
  int64_t context = 0;
  if (initial.context.defined()) {
    const std::vector<int64_t> want = {batch, q, dim};
    if (initial.context.sizes().vec() != want)
      throw US_ERROR(fmt::format("stacking context has shape {}, the model needs {} "
                                 "([batch, stack/2, input_dim])",
                                 describe(initial.context.sizes().vec()), describe(want)))
          .hint("pass the state returned for the previous chunk of the same utterances");
    extended = torch::cat({initial.context.to(features.options()), features}, 1);
    context = q;
  }
  auto deviceLengths = cpuLengths.to(features.device());
  // Stacking reads frame 0 of an empty row; forwardStacked never runs it.
  auto x = stackFrames(extended, deviceLengths.clamp_min(1), context, options.stack(), s);
  auto result = forwardStacked(x, outLengths, initial.lstm);
  // Each utterance's last q frames: those of an empty row stay what they were
  // (zeros where it has none).
  auto longOpts = torch::TensorOptions().dtype(torch::kLong).device(features.device());
  auto position = deviceLengths.view({batch, 1}) + (context - q) + torch::arange(q, longOpts);
  auto last = extended.gather(1, position.clamp_min(0).unsqueeze(2).expand({batch, q, dim}));
  result.state.context = last.masked_fill(position.lt(0).unsqueeze(2), 0.0);
  return result;
}

StreamingOutput AcousticModelImpl::forwardStacked(const torch::Tensor& stacked,
                                                  const torch::Tensor& modelLengths,
                                                  const LstmState& initial) {
  if (options.bidirectional()) throw cannotStream();
  auto cpuLengths = checkedLengths(stacked, modelLengths, options.stackedDim(), 0);
  const int64_t batch = stacked.size(0);
  const int64_t layers = options.layers();
  auto stateOptions = stacked.options();
  LstmState state = initial;
  if (!state.h.defined())
    state.h = torch::zeros({layers, batch, options.hiddenOut()}, stateOptions);
  if (!state.c.defined()) state.c = torch::zeros({layers, batch, options.cells()}, stateOptions);
  const std::vector<int64_t> wantH = {layers, batch, options.hiddenOut()};
  const std::vector<int64_t> wantC = {layers, batch, options.cells()};
  if (state.h.sizes().vec() != wantH || state.c.sizes().vec() != wantC)
    throw US_ERROR(fmt::format("initial state has h {} and c {}, the model needs h {} and c {} "
                               "([layers, batch, width])",
                               describe(state.h.sizes().vec()), describe(state.c.sizes().vec()),
                               describe(wantH), describe(wantC)))
        .hint(
            "pass the state returned for the previous chunk of the same utterances, in the "
            "same batch order");
  state.h = state.h.to(stateOptions);
  state.c = state.c.to(stateOptions);

  std::vector<int64_t> lengths(cpuLengths.data_ptr<int64_t>(),
                               cpuLengths.data_ptr<int64_t>() + batch);
  auto x = stacked;
  std::vector<torch::Tensor> hN, cN;
  for (int64_t layer = 0; layer < layers; ++layer) {
    auto [h, hy, cy] = runLayerWithState(x, lengths, layer, state.h[layer], state.c[layer]);
    hN.push_back(hy);
    cN.push_back(cy);
    if (layer + 1 < layers && options.dropout() > 0.0)
      h = torch::dropout(h, options.dropout(), is_training());
    x = h;
  }
  return {outputLogits(x, cpuLengths), cpuLengths, {{torch::stack(hN), torch::stack(cN)}, {}}};
}

std::pair<torch::Tensor, torch::Tensor> AcousticModelImpl::sliceChunk(const torch::Tensor& features,
                                                                      const torch::Tensor& lengths,
                                                                      int64_t firstFrame,
                                                                      int64_t frames) const {
  const int64_t s = options.subsample();
  if (firstFrame < 0 || frames < 1 || firstFrame % s != 0 || frames % s != 0)
    throw US_ERROR(fmt::format("chunk of frames [{}, {}) does not start and end on a model "
                               "frame: both must be multiples of subsample = {}",
                               firstFrame, firstFrame + frames, s))
        .hint("cut chunks of subsample x n 10 ms frames");
  if (features.dim() != 3)
    throw US_ERROR(fmt::format("features have shape {}, expected [batch, frames, dims]",
                               describe(features.sizes().vec())));
  const int64_t end = std::min(firstFrame + frames, features.size(1));
  const int64_t begin = std::min(firstFrame, end);
  auto chunkLengths = (lengths.to(torch::kLong) - begin).clamp(0, end - begin);
  return {features.slice(1, begin, end), chunkLengths};
}

std::tuple<torch::Tensor, torch::Tensor, torch::Tensor> AcousticModelImpl::runLayerWithState(
    const torch::Tensor& x, const std::vector<int64_t>& lengths, int64_t layer,
    const torch::Tensor& h0, const torch::Tensor& c0) {
  // at::lstm would run every row to the end of the padding, and its final
  // state would be the padding's. So the frames run in segments between the
  // distinct lengths: each segment only the rows still running, from the
  // state their previous segment left. Chunks where every row has the same
  // length (all but an utterance's last) take one call, as runDirection.
  const int64_t batch = x.size(0), frames = x.size(1), width = options.hiddenOut();
  std::vector<int64_t> ends(lengths.begin(), lengths.end());
  std::sort(ends.begin(), ends.end());
  ends.erase(std::unique(ends.begin(), ends.end()), ends.end());
  auto weights = directionWeights(layer, false);
  auto h = h0, c = c0;
  std::vector<torch::Tensor> pieces;
  int64_t start = 0;
  for (int64_t end : ends) {
    if (end <= start) continue;  // length 0: those rows keep their state
    std::vector<int64_t> rows;
    for (int64_t b = 0; b < batch; ++b)
      if (lengths[b] >= end) rows.push_back(b);
    const bool all = int64_t(rows.size()) == batch;
    auto index = torch::tensor(rows, torch::kLong).to(x.device());
    auto segment = x.slice(1, start, end);
    if (!all) segment = segment.index_select(0, index);
    auto hs = all ? h : h.index_select(0, index);
    auto cs = all ? c : c.index_select(0, index);
    auto [out, hy, cy] =
        at::lstm(segment, {hs.unsqueeze(0), cs.unsqueeze(0)}, weights, /*has_biases=*/true,
                 /*num_layers=*/1, /*dropout=*/0.0, is_training(), /*bidirectional=*/false,
                 /*batch_first=*/true);
    if (all) {
      pieces.push_back(out);
      h = hy[0];
      c = cy[0];
    } else {
      pieces.push_back(
          torch::zeros({batch, end - start, width}, out.options()).index_copy(0, index, out));
      h = h.index_copy(0, index, hy[0]);
      c = c.index_copy(0, index, cy[0]);
    }
    start = end;
  }
  if (start < frames || pieces.empty())
    pieces.push_back(torch::zeros({batch, frames - start, width}, x.options()));
  return {pieces.size() == 1 ? pieces[0] : torch::cat(pieces, 1), h, c};
}

torch::Tensor AcousticModelImpl::reverseWithinLengths(const torch::Tensor& x,
                                                      const torch::Tensor& lengths) {
  const int64_t batch = x.size(0), frames = x.size(1);
  auto t = torch::arange(frames, torch::TensorOptions().dtype(torch::kLong).device(x.device()))
               .view({1, frames});
  auto len = lengths.view({batch, 1});
  // Valid frame t <- len-1-t; padding stays where it is. The map is its own inverse.
  auto source = torch::where(t < len, len - 1 - t, t);
  return x.gather(1, source.unsqueeze(2).expand({batch, frames, x.size(2)}));
}

std::vector<torch::Tensor> AcousticModelImpl::directionWeights(int64_t layer, bool reverse) {
  // The parameters of torch::nn::LSTM (same names and layout as python's).
  const std::string suffix = "_l" + std::to_string(layer) + (reverse ? "_reverse" : "");
  auto params = lstm->named_parameters(false);
  std::vector<torch::Tensor> weights = {params["weight_ih" + suffix], params["weight_hh" + suffix],
                                        params["bias_ih" + suffix], params["bias_hh" + suffix]};
  if (options.projection() > 0) weights.push_back(params["weight_hr" + suffix]);
  return weights;
}

torch::Tensor AcousticModelImpl::runDirection(const torch::Tensor& x, int64_t layer, bool reverse) {
  // One direction of one layer through the at::lstm kernel torch.nn.LSTM uses.
  auto weights = directionWeights(layer, reverse);
  auto h0 = torch::zeros({1, x.size(0), options.hiddenOut()}, x.options());
  auto c0 = torch::zeros({1, x.size(0), options.cells()}, x.options());
  return std::get<0>(at::lstm(x, {h0, c0}, weights, /*has_biases=*/true, /*num_layers=*/1,
                              /*dropout=*/0.0, is_training(), /*bidirectional=*/false,
                              /*batch_first=*/true));
}

int64_t AcousticModelImpl::parameterCount() const {
  int64_t total = 0;
  for (const auto& p : parameters()) total += p.numel();
  return total;
}

void AcousticModelImpl::pretty_print(std::ostream& stream) const {
  stream << "understudy::nn::AcousticModel(kind=" << options.kind()
         << ", input=" << options.input_dim() << "x" << options.stack() << "/"
         << options.subsample() << ", layers=" << options.layers() << ", cells=" << options.cells()
         << ", projection=" << options.projection() << ", dropout=" << options.dropout()
         << ", units=" << options.num_units() << ", parameters=" << parameterCount() << ")";
}

// ---------------------------------------------------------------- weights

namespace {

// The module's parameters and buffers under their torch.nn names, plus the
// config as a string. The same dict serves our own files and python.
std::vector<char> weightsPickle(AcousticModel& model) {
  c10::impl::GenericDict dict(c10::StringType::get(), c10::AnyType::get());
  for (const auto& item : model->named_parameters())
    dict.insert(item.key(), item.value().detach().to(torch::kCPU).contiguous());
  for (const auto& item : model->named_buffers())
    dict.insert(item.key(), item.value().detach().to(torch::kCPU).contiguous());
  dict.insert("config", model->options.toYaml());
  return torch::pickle_save(c10::IValue(dict));
}

void writeWeights(AcousticModel& model, const std::string& path) {
  std::vector<char> bytes = weightsPickle(model);
  writeFileAtomically(path, std::string_view(bytes.data(), bytes.size()));
}

}  // namespace

void saveWeights(AcousticModel& model, const std::string& path) { writeWeights(model, path); }

void exportForPython(AcousticModel& model, const std::string& path) { writeWeights(model, path); }

void loadWeights(AcousticModel& model, const std::string& path) {
  std::string bytes;
  try {
    bytes = readFile(path);
  } catch (const Error& e) {
    throw Error(e).hint("the weights file of a model, written by saveWeights");
  }
  c10::IValue value;
  try {
    value = torch::pickle_load(std::vector<char>(bytes.begin(), bytes.end()));
  } catch (const c10::Error& e) {
    throw US_ERROR("not a weights file (cannot unpickle): " +
                   std::string(e.what_without_backtrace()))
        .file(path);
  }
  if (!value.isGenericDict())
    throw US_ERROR("not a weights file: expected a dict of named tensors").file(path);
  auto dict = value.toGenericDict();
  std::string fileConfig;
  if (dict.contains("config") && dict.at("config").isString())
    fileConfig = dict.at("config").toStringRef();
  auto mismatch = [&](const std::string& what, const std::string& name) {
    std::string hint = "the file was written for a different architecture";
    if (!fileConfig.empty()) {
      std::string flat = fileConfig;
      for (char& c : flat)
        if (c == '\n') c = ' ';
      while (!flat.empty() && flat.back() == ' ') flat.pop_back();
      hint += " (file: " + flat + ")";
    }
    return US_ERROR(what).file(path).key(name).hint(hint);
  };

  // Model order (named_parameters), so errors name the first layer affected.
  std::vector<std::pair<std::string, torch::Tensor>> targets;
  for (const auto& item : model->named_parameters()) targets.emplace_back(item.key(), item.value());
  for (const auto& item : model->named_buffers()) targets.emplace_back(item.key(), item.value());
  std::set<std::string> known;
  std::vector<std::string> missing;
  for (const auto& [name, target] : targets) {
    known.insert(name);
    if (!dict.contains(name)) missing.push_back(name);
  }
  if (!missing.empty())
    throw mismatch(fmt::format("{} tensor(s) missing from weights file: {}", missing.size(),
                               fmt::join(missing, ", ")),
                   missing.front());
  for (const auto& entry : dict) {
    const std::string name = entry.key().toStringRef();
    if (name == "config") continue;
    if (!known.count(name))
      throw mismatch("unexpected tensor '" + name + "' in weights file", name);
    if (!entry.value().isTensor()) throw mismatch("entry '" + name + "' is not a tensor", name);
  }
  // Every check before the first copy: a failed load leaves the model untouched.
  for (const auto& [name, target] : targets) {
    auto source = dict.at(name).toTensor();
    if (source.sizes() != target.sizes())
      throw mismatch(fmt::format("tensor '{}' has shape {} in the file, the model needs {}", name,
                                 describe(source.sizes().vec()), describe(target.sizes().vec())),
                     name);
  }
  torch::NoGradGuard noGrad;
  for (auto& [name, target] : targets) target.copy_(dict.at(name).toTensor());
}

}  // namespace understudy::nn
