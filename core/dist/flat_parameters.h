// Parameters and their gradients as one flat float tensor, in the order of
// the parameter list (the same on every rank), so that one collective moves
// them all.
#pragma once

#include <torch/torch.h>

#include <vector>

namespace understudy::dist {

std::int64_t countElements(const std::vector<torch::Tensor>& params);
// The gradients (zeros where a parameter has none), concatenated.
torch::Tensor flattenGradients(const std::vector<torch::Tensor>& params);
// Copies `flat` into the gradients (creating those that are undefined).
void assignGradients(const torch::Tensor& flat, const std::vector<torch::Tensor>& params);
// The values, concatenated (a copy).
torch::Tensor flattenValues(const std::vector<torch::Tensor>& params);
// Copies `flat` into the parameters' values (no autograd).
void assignValues(const torch::Tensor& flat, const std::vector<torch::Tensor>& params);

}  // namespace understudy::dist
