// Placeholder: filled in by the scoring work (issue 20).
namespace understudy::decode {}
