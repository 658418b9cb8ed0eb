#include "core/dist/flat_parameters.h"

namespace understudy::dist {

std::int64_t countElements(const std::vector<torch::Tensor>& params) {
  std::int64_t n = 0;
  for (const auto& p : params) n += p.numel();
  return n;
}

torch::Tensor flattenGradients(const std::vector<torch::Tensor>& params) {
  std::vector<torch::Tensor> parts;
  parts.reserve(params.size());
  for (const auto& p : params)
    parts.push_back(p.grad().defined() ? p.grad().reshape({-1}) : torch::zeros({p.numel()}, p.options()));
  return torch::cat(parts);
}

void assignGradients(const torch::Tensor& flat, const std::vector<torch::Tensor>& params) {
  torch::NoGradGuard noGrad;
  std::int64_t offset = 0;
  for (const auto& p : params) {
    auto part = flat.narrow(0, offset, p.numel()).view_as(p);
    if (p.grad().defined())
      p.mutable_grad().copy_(part);
    else
      p.mutable_grad() = part.clone();
    offset += p.numel();
  }
}

torch::Tensor flattenValues(const std::vector<torch::Tensor>& params) {
  torch::NoGradGuard noGrad;
  std::vector<torch::Tensor> parts;
  parts.reserve(params.size());
  for (const auto& p : params) parts.push_back(p.detach().reshape({-1}));
  return torch::cat(parts);
}

void assignValues(const torch::Tensor& flat, const std::vector<torch::Tensor>& params) {
  torch::NoGradGuard noGrad;
  std::int64_t offset = 0;
  for (const auto& p : params) {
    p.copy_(flat.narrow(0, offset, p.numel()).view_as(p));
    offset += p.numel();
  }
}

}  // namespace understudy::dist
