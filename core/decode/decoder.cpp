// Placeholder: filled in by the decoder work (issue 20).
namespace understudy::decode {}
