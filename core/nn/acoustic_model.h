// Acoustic models: (B)LSTM(P) over stacked, subsampled filterbank frames.
//
// The model sees 64-bin fbank frames at 10 ms, stacks [t-1, t, t+1] (edge
// frames replicated, 192 dims) and keeps every third stacked frame, so one
// model frame covers 30 ms (docs/design.md "Units and frames"). Model
// frame j is centred on 10 ms frame c_j = min(3j + 1, T - 1); its target is
// the unit of frame c_j. Then `layers` LSTM layers (bidirectional for the
// teacher "blstm", unidirectional and streaming for the student "lstm"),
// optional projections (LSTMP), dropout between layers and a linear output
// over the units. Padding never reaches a valid frame (the backward
// direction runs on each utterance reversed within its length), so a padded
// utterance gives the same logits as the utterance alone.
//
//   auto opts = AcousticModelOptions::preset("teacher-small").num_units(70);
//   AcousticModel model(opts);
//   auto [logits, outLengths] = model->forward(features, lengths);  // [B,T',U], [B]
//   // The student ("lstm") streams: chunks of 3n frames with the state carried
//   // give the whole utterance's logits (docs/models.md "Streaming").
//   StreamState state;  // empty: the utterances' start
//   for (int64_t first = 0; first < T; first += 3 * n) {
//     auto [chunk, chunkLengths] = model->sliceChunk(features, lengths, first, 3 * n);
//     auto out = model->forward(chunk, chunkLengths, state);
//     state = out.state.detach();  // truncated BPTT: carry values, not the graph
//   }
//   saveWeights(model, "teacher.pt");
//   exportForPython(model, "teacher.python.pt");  // python: torch.load(path)
//
// docs/models.md has the index rule, the presets and the file formats.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <ostream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "core/recipe/model_options.h"
#include "core/util/error.h"
#include "core/util/yaml_config.h"

namespace understudy::nn {

// The recurrent state of a unidirectional ("lstm") model between chunks of
// its utterances, laid out as torch.nn.LSTM's (h_n, c_n): h [layers, B,
// hiddenOut()], c [layers, B, cells]. Undefined tensors stand for zeros.
struct LstmState {
  torch::Tensor h;
  torch::Tensor c;

  // The same values cut from autograd: truncated BPTT carries the state, not its graph.
  LstmState detach() const;
};

// What a unidirectional model carries from one chunk of its utterances to
// the next: the LSTM state and the stacking context, the last stack/2 10 ms
// frames of each utterance seen so far ([B, stack/2, input_dim]), which
// stacking at the next chunk's start may read (an utterance whose last
// 30 ms group holds one frame stacks [T-2, T-1, T-1]). Empty (undefined
// tensors) at the utterances' start.
struct StreamState {
  LstmState lstm;
  torch::Tensor context;

  StreamState detach() const;
};

// What the state-carrying forward returns.
struct StreamingOutput {
  torch::Tensor logits;      // [B, T', num_units], zero at padded model frames
  torch::Tensor outLengths;  // [B] model frames
  StreamState state;         // after each utterance's last valid frame
};

// The model's options in LibTorch's idiom. The keys, ranges, presets and YAML
// are declared once in the torch-free recipe::ModelOptions
// (core/recipe/model_options.h), which converts to and from this struct.
struct AcousticModelOptions {
  AcousticModelOptions() = default;
  // Implicit, so a trainer config's model section builds a model as it is:
  // AcousticModel(config.model).
  AcousticModelOptions(const recipe::ModelOptions& options);  // NOLINT(google-explicit-constructor)
  recipe::ModelOptions plain() const;

  TORCH_ARG(std::string, kind) = "blstm";  // "lstm" | "blstm"
  TORCH_ARG(int64_t, input_dim) = 64;      // fbank bins per 10 ms frame
  TORCH_ARG(int64_t, stack) = 3;           // frames stacked [t-1, t, t+1] (odd)
  TORCH_ARG(int64_t, subsample) = 3;       // keep every third -> 30 ms
  TORCH_ARG(int64_t, layers) = 3;
  TORCH_ARG(int64_t, cells) = 256;     // per direction
  TORCH_ARG(int64_t, projection) = 0;  // 0 = none (LSTMP when > 0, < cells)
  TORCH_ARG(double, dropout) = 0.0;    // between LSTM layers
  TORCH_ARG(int64_t, num_units) = 0;   // outputs; must be set by the caller

 public:  // TORCH_ARG leaves the section private
  // Throws understudy::Error naming the field, its value and the allowed range.
  void validate() const;
  std::string toYaml() const;
  // Strict keys: kind, input_dim, stack, subsample, layers, cells, projection,
  // dropout, num_units. Unknown keys fail naming key and line. Validates.
  static AcousticModelOptions fromYaml(understudy::YamlSection& s);
  // "teacher-paper", "student-paper", "teacher-small", "student-small",
  // "teacher-tiny", "student-tiny" (num_units left 0: set it from the inventory).
  static AcousticModelOptions preset(const std::string& name);

  bool bidirectional() const { return kind_ == "blstm"; }
  int64_t stackedDim() const { return input_dim_ * stack_; }
  // Width of one LSTM layer's output per direction (projection or cells).
  int64_t hiddenOut() const { return projection_ > 0 ? projection_ : cells_; }
  // Closed-form parameter count (docs/models.md).
  int64_t closedFormParameterCount() const;
};

class AcousticModelImpl : public torch::nn::Cloneable<AcousticModelImpl> {
 public:
  explicit AcousticModelImpl(AcousticModelOptions options);
  void reset() override;

  // features: [B, T, input_dim] float (padded), lengths: [B] int64 (10 ms frames).
  // Returns logits [B, T', num_units] at 30 ms and outLengths [B], where
  // T' = outputFrames(max length) and outLengths[b] = outputFrames(lengths[b]).
  // Logits at padded model frames are zero.
  std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& features,
                                                  const torch::Tensor& lengths);
  // The streaming forward of a unidirectional model (kind "lstm"; a blstm is
  // refused, its backward direction reads the future): `features` continue
  // the utterances where `initial` left them (empty: their start). Returns
  // forward(features, lengths)'s logits and the state after each utterance's
  // last valid frame: padding never advances it, and an utterance of length
  // 0 (one that ended in an earlier chunk) keeps its state. Lengths may be 0.
  // Chunks cut by sliceChunk and run in order with the returned state carried
  // give the whole utterances' logits (docs/models.md "Streaming"). Needs
  // stack <= subsample (no model frame reads the next group's frames);
  // otherwise stack whole utterances with stackAndSubsample and chunk the
  // model frames with forwardStacked.
  StreamingOutput forward(const torch::Tensor& features, const torch::Tensor& lengths,
                          const StreamState& initial);
  // The same on stacked model frames: stacked [B, T', stackedDim()],
  // modelLengths [B] (0..T'), the LSTM state only (the returned context stays
  // undefined). Chunking stacked frames is exact for any stack and subsample.
  StreamingOutput forwardStacked(const torch::Tensor& stacked, const torch::Tensor& modelLengths,
                                 const LstmState& initial);
  // Frames [firstFrame, firstFrame + frames) of a padded batch and each
  // utterance's length inside them (0 when it ended before firstFrame).
  // firstFrame and frames must be multiples of subsample, so model frames stay
  // aligned with the whole utterance's.
  std::pair<torch::Tensor, torch::Tensor> sliceChunk(const torch::Tensor& features,
                                                     const torch::Tensor& lengths,
                                                     int64_t firstFrame, int64_t frames) const;

  // Stacks and subsamples only: [B, T, input_dim] -> [B, T', stack*input_dim].
  torch::Tensor stackAndSubsample(const torch::Tensor& features,
                                  const torch::Tensor& lengths) const;

  int64_t parameterCount() const;
  void pretty_print(std::ostream& stream) const override;

  // Reverses each utterance within its length, padding left in place: [B, T, D].
  static torch::Tensor reverseWithinLengths(const torch::Tensor& x, const torch::Tensor& lengths);

  AcousticModelOptions options;
  // Holds the LSTM parameters under torch.nn names; forward() runs them layer
  // by layer (docs/models.md "Padding").
  torch::nn::LSTM lstm{nullptr};
  torch::nn::Linear output{nullptr};

 private:
  std::vector<torch::Tensor> directionWeights(int64_t layer, bool reverse);
  torch::Tensor runDirection(const torch::Tensor& x, int64_t layer, bool reverse);
  // One unidirectional layer from (h0 [B, h], c0 [B, c]), each row stopped
  // after its own length: {output [B, T, h] (0 past each length), hN, cN}.
  std::tuple<torch::Tensor, torch::Tensor, torch::Tensor> runLayerWithState(
      const torch::Tensor& x, const std::vector<int64_t>& lengths, int64_t layer,
      const torch::Tensor& h0, const torch::Tensor& c0);
  torch::Tensor outputLogits(const torch::Tensor& x, const torch::Tensor& outLengths);
};
TORCH_MODULE(AcousticModel);

// Our own weights file: torch::pickle_save of a c10::Dict<string, Tensor> of the
// module's named parameters ("lstm.weight_ih_l0", ..., "output.bias"), written
// atomically (temp + rename).
void saveWeights(AcousticModel& model, const std::string& path);
// Throws Error naming missing, unexpected or mis-shaped tensors.
void loadWeights(AcousticModel& model, const std::string& path);
// Python-loadable dict: keys as torch.nn.LSTM's state_dict under "lstm."
// plus "output.weight", "output.bias", and "config" (a uint8 tensor holding
// toYaml()'s text). python: d = torch.load(path).
void exportForPython(AcousticModel& model, const std::string& path);

}  // namespace understudy::nn
